package dev.synack.time;

/**
 * A scheduler on a virtual time line: time moves only when the next timer fires, so a story of
 * fifteen minutes runs in milliseconds, and the same inputs give the same order of events.
 */
public final class VirtualScheduler implements Scheduler {
    private final TimerHeap heap = new TimerHeap();
    private long nowNs;

    /** A scheduler whose time starts at 0. */
    public VirtualScheduler() {}

    @Override
    public long nowNs() { return nowNs; }

    @Override
    public void schedule(Timer timer, long deadlineNs) {
        heap.add(timer, Math.max(deadlineNs, nowNs), nowNs);
    }

    @Override
    public void cancel(Timer timer) { heap.remove(timer); }

    /** The deadline of the next armed timer, or {@link Long#MAX_VALUE} when none is armed. */
    public long nextDeadlineNs() {
        Timer t = heap.peek();
        return t == null ? Long.MAX_VALUE : t.deadlineNs;
    }

    /** The number of armed timers. */
    public int pending() { return heap.size(); }

    /**
     * Fires the next timer if its deadline is at or before {@code limitNs}, moving time to it.
     *
     * @return whether a timer fired
     */
    public boolean runNext(long limitNs) {
        Timer t = heap.peek();
        if (t == null || t.deadlineNs > limitNs) return false;
        heap.poll(t);
        // A timer left overdue by advanceTo fires at the current time: time never moves back. (In
        // virtual time the earliest deadline is never before now, so this is the deadline.)
        if (t.deadlineNs > nowNs) nowNs = t.deadlineNs;
        t.fire(nowNs);
        return true;
    }

    /** Fires every timer due up to {@code deadlineNs} in order, then sets the time to {@code deadlineNs}. */
    public void runUntil(long deadlineNs) {
        while (runNext(deadlineNs)) {
            // each fired timer may arm more
        }
        if (deadlineNs > nowNs) nowNs = deadlineNs;
    }

    /**
     * Moves time forward to {@code ns} without firing anything (never back). For a real-time driver
     * that stamps each received packet with its own clock reading and fires the timers this leaves
     * overdue afterwards, each at the time it runs (see {@link #runNext}).
     */
    public void advanceTo(long ns) {
        if (ns > nowNs) nowNs = ns;
    }

    /** Advances time by {@code delayNs}, firing what falls due. */
    public void advance(long delayNs) { runUntil(nowNs + delayNs); }

    /** Fires timers until none is armed or {@code maxEvents} have fired; returns how many fired. */
    public long runAll(long maxEvents) {
        long n = 0;
        while (n < maxEvents && runNext(Long.MAX_VALUE)) n++;
        return n;
    }
}
