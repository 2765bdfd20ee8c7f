package dev.synack.trace;

/** A reader of the trace bus. Called on the stack's thread; must not call back into the stack. */
@FunctionalInterface
public interface Tracer {
    /** Receives one event. */
    void on(TraceEvent event);
}
