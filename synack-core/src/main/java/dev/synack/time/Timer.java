package dev.synack.time;

/**
 * A reusable timer: armed and re-armed through a {@link Scheduler} without allocating, fired on the
 * scheduler's thread. One instance per purpose (a connection's retransmission timer, a link's
 * delivery timer, ...). The scheduler keeps it in an intrusive heap, so re-arming is O(log n), and
 * O(1) for a deadline of now or a cancel ({@link TimerHeap}).
 */
public abstract class Timer {
    long deadlineNs;
    long order;
    /** The timer's slot in its scheduler's heap, or -1; a disarmed timer may keep its slot a while ({@link TimerHeap}). */
    int heapIndex = -1;
    /** Armed: it will fire unless cancelled or re-armed. */
    boolean armed;

    /**
     * Runs when the deadline is reached; {@code nowNs} is the deadline in virtual time (in real time,
     * or after {@link VirtualScheduler#advanceTo}, the moment it runs, which may be later).
     */
    protected abstract void fire(long nowNs);

    /** Whether the timer is armed. */
    public final boolean isArmed() { return armed; }

    /** The deadline of an armed timer (meaningless otherwise). */
    public final long deadlineNs() { return deadlineNs; }

    /** A timer that runs a {@link Runnable}; convenient where allocation does not matter. */
    public static Timer of(Runnable action) {
        return new Timer() {
            @Override
            protected void fire(long nowNs) { action.run(); }
        };
    }
}
