package dev.synack.packetdrill;

import dev.synack.packetdrill.Event.Direction;
import dev.synack.packetdrill.Event.PacketEvent;
import dev.synack.packetdrill.Event.SyscallEvent;
import dev.synack.time.VirtualScheduler;
import java.util.function.BooleanSupplier;

/**
 * A script's clock (packetdrill's run.c): when each event happens, and the one loop that moves the
 * host's virtual time, waking a blocked system call on the way.
 *
 * <p>Times: a relative time counts from the moment the previous event finished, except that
 * consecutive inbound packets count from each other's script time; {@code *} is now, with no end.
 * The first timed event must be at 0.
 *
 * <p>The loop: one {@link #step} runs the scheduler to its next timer, or to the blocked call's wake
 * time (a poll() timeout) when that comes first, never past a limit. {@link #advanceTo} (before an
 * event), {@link #runUntil} (while an outbound packet is awaited) and {@link #finishBlocked} (before
 * the next system call) step with it; each retries the blocked call after every step, so it returns at
 * the first instant it can, as the kernel would wake it.
 */
final class Timeline {
    /**
     * An event's times, in µs of virtual time.
     *
     * @param startUs when it happens (the start of a range)
     * @param endUs the end of a range ({@code startUs} otherwise; far away for {@code *})
     * @param offsetUs what a relative time counted from (0 for an absolute one)
     */
    record Slot(long startUs, long endUs, long offsetUs) {
        /** When system call {@code s} must return: the end of {@code ...} (moved with a relative start), else its start. */
        long returnByUs(SyscallEvent s) {
            if (!s.blocking()) return startUs;
            return s.time().kind() == EventTime.Kind.RELATIVE ? s.endUs() + offsetUs : s.endUs();
        }
    }

    /** A system call that has not returned yet (see {@link Syscalls}): the loop retries it after every step. */
    interface BlockedCall {
        /** When its poll() timeout ends it, in ns, or {@link Long#MAX_VALUE}. */
        long wakeNs();

        /** When the script says it returns, in µs. */
        long endUs();

        /** Tries it again now; whether it returned (its result and time then checked). */
        boolean retry() throws Failure;

        /** The failure when its time (and the tolerance) is over and it still blocks. */
        Failure stillBlocked();
    }

    private final VirtualScheduler sched;
    private final long toleranceUs;
    private Event last;
    private long lastTimeUs;
    private BlockedCall blocked;

    Timeline(VirtualScheduler sched, long toleranceUs) {
        this.sched = sched;
        this.toleranceUs = toleranceUs;
    }

    /** How far an outbound packet or a returning call may be from its time ({@code --tolerance_usecs}). */
    long toleranceUs() { return toleranceUs; }

    long nowNs() { return sched.nowNs(); }

    long nowUs() { return sched.nowNs() / 1000; }

    /** The last event played, or null before the first. */
    Event last() { return last; }

    // ---- event times --------------------------------------------------------------------------------

    /** The times of timed event {@code e}, which comes after {@link #last()}. */
    Slot slot(Event e) throws Failure {
        long offset = 0;
        if (e.time().isRelative()) {
            offset = inbound(last) && inbound(e) ? lastTimeUs : nowUs();
        }
        long start = e.time().startUs() + offset;
        long end = e.time().endUs() + offset;
        if (e.time().kind() == EventTime.Kind.ANY) {
            start = nowUs();
            end = Long.MAX_VALUE / 4;
        }
        if (last == null && start != 0) throw Failure.at(e, "script", "first event should be at time 0", null, null);
        return new Slot(start, end, offset);
    }

    /** Timed event {@code e} has been played. */
    void played(Event e, Slot s) {
        last = e;
        lastTimeUs = s.startUs();
    }

    /** Untimed event {@code e} (the init or cleanup command) has been played. */
    void played(Event e) { last = e; }

    private static boolean inbound(Event e) {
        return e instanceof PacketEvent p && p.direction() == Direction.IN || e instanceof Event.IcmpEvent;
    }

    // ---- the blocked call ---------------------------------------------------------------------------

    /** A system call blocks: retries it at once, and after every step from now on until it returns. */
    void block(BlockedCall call) throws Failure {
        blocked = call;
        retryBlocked();
    }

    /** Whether a system call is blocked. */
    boolean blocked() { return blocked != null; }

    /** Retries the blocked call, if any (after the host changed: a step, an injected packet). */
    void retryBlocked() throws Failure {
        if (blocked != null && blocked.retry()) blocked = null;
    }

    // ---- the loop -----------------------------------------------------------------------------------

    /**
     * One step of virtual time, never past {@code limitNs}: to the blocked call's wake time when that
     * comes before the next timer, else the next timer.
     *
     * @return false when nothing is due by {@code limitNs} (nothing ran)
     */
    private boolean step(long limitNs) {
        long wake = blocked == null ? Long.MAX_VALUE : blocked.wakeNs();
        long next = sched.nextDeadlineNs();
        if (wake > sched.nowNs() && wake <= limitNs && (next < 0 || wake < next)) {
            sched.runUntil(wake);
            return true;
        }
        return sched.runNext(limitNs);
    }

    /**
     * Steps until {@code done} holds, retrying the blocked call before every step.
     *
     * @return true when {@code done} holds; false when nothing was due by {@code limitNs} first
     */
    boolean runUntil(long limitNs, BooleanSupplier done) throws Failure {
        while (!done.getAsBoolean()) {
            retryBlocked();
            if (!step(limitNs)) return false;
        }
        return true;
    }

    /** Runs the host until {@code us}, the time of the next event; the blocked call is retried at the end too. */
    void advanceTo(long us) throws Failure {
        long limit = us * 1000;
        runUntil(limit, () -> false);
        if (sched.nowNs() < limit) sched.runUntil(limit);
        retryBlocked();
    }

    /** Moves the clock to {@code ns} (nothing is due before it). */
    void jumpTo(long ns) { sched.runUntil(ns); }

    /**
     * Before the next system call: runs the host until the blocked call returns, stepping first and
     * retrying after each step; fails when its time and the tolerance are over and it still blocks.
     */
    void finishBlocked() throws Failure {
        while (blocked != null) {
            long limit = (blocked.endUs() + toleranceUs) * 1000;
            if (!step(limit)) {
                sched.runUntil(limit);
                retryBlocked();
                if (blocked != null) {
                    Failure f = blocked.stillBlocked();
                    blocked = null;
                    throw f;
                }
                return;
            }
            retryBlocked();
        }
    }
}
