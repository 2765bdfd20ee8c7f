package dev.synack.time;

/**
 * Arms and cancels {@link Timer}s on one time line. Single-threaded: only the thread that drives the
 * scheduler may call it.
 */
public interface Scheduler extends Clock {
    /** Arms (or re-arms) {@code timer} to fire at {@code deadlineNs}; a deadline in the past fires next. */
    void schedule(Timer timer, long deadlineNs);

    /** Disarms {@code timer}; does nothing if it is not armed. */
    void cancel(Timer timer);

    /** Arms {@code timer} to fire {@code delayNs} from now. */
    default void scheduleIn(Timer timer, long delayNs) {
        schedule(timer, nowNs() + delayNs);
    }
}
