package dev.synack.time;

/**
 * The one source of time for the stack. The core never reads the wall clock: the simulator passes a
 * virtual clock, the TUN runtime a monotonic one.
 */
@FunctionalInterface
public interface Clock {
    /** Nanoseconds on a monotonic time line whose origin is the clock's own. */
    long nowNs();
}
