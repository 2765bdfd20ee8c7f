package dev.synack.runtime;

import dev.synack.time.Timer;
import dev.synack.time.VirtualScheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Deterministic runtime in virtual time: plain blocking Java code runs as simulated processes, one at
 * a time.
 *
 * <p>Each process is a virtual thread, but only the holder of the baton runs. The driver (the thread
 * that calls {@link #runUntil} or blocks in a socket call outside any process) hands the baton to the
 * runnable processes in a fixed order — the order in which they became runnable — and takes it back
 * when the process parks in a synack call or a simulated sleep; then it fires timers up to the next
 * wake-up. No two threads ever run at once, so the seed decides the order of everything, and virtual
 * time moves only when every process is parked.
 *
 * <p>A process that blocks on something synack does not know (a JDK socket, Thread.sleep, a lock held
 * by another process) never returns the baton; after {@link #STUCK_TIMEOUT_MS} of wall time the driver
 * fails with that process's stack trace rather than hanging.
 */
public final class VirtualRuntime implements Runtime {
    /** Wall-clock time a process may run without parking before it is reported stuck. */
    public static final long STUCK_TIMEOUT_MS = 20_000;

    private final VirtualScheduler scheduler;
    private final ArrayDeque<Proc> runnable = new ArrayDeque<>();
    private final List<Proc> procs = new ArrayList<>();
    private final Semaphore driverBaton = new Semaphore(0);
    private volatile Proc current;
    private volatile Thread driver;
    /** The thread that made the runtime (a test's own thread): it may use the sockets and drive the simulation. */
    private final Thread home = Thread.currentThread();

    /** A runtime over a new virtual scheduler whose time starts at 0. */
    public VirtualRuntime() { this(new VirtualScheduler()); }

    /** A runtime over {@code scheduler}. */
    public VirtualRuntime(VirtualScheduler scheduler) { this.scheduler = scheduler; }

    @Override
    public VirtualScheduler scheduler() { return scheduler; }

    /** A simulated process body: plain blocking code. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** Thrown inside a killed process to unwind it; never caught by synack. */
    public static final class Killed extends Error {
        Killed(String name) { super("process " + name + " was killed", null, false, false); }
    }

    /** A simulated process. */
    public final class Proc {
        private final String name;
        private final Thread thread;
        private final Semaphore baton = new Semaphore(0);
        private final Runnable waker = this::wake;
        private final List<Runnable> onExit = new ArrayList<>();
        private boolean queued, parked, done, frozen, wokenWhileFrozen, killed, reported;
        private Throwable failure;

        private Proc(String name, Body body) {
            this.name = name;
            this.thread = Thread.ofVirtual().name("sim-" + name).unstarted(() -> {
                baton.acquireUninterruptibly();
                try {
                    if (!killed) body.run();
                } catch (Killed k) {
                    // unwound
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done = true;
                    driverBaton.release();
                }
            });
        }

        public String name() { return name; }

        public boolean isDone() { return done; }

        /** What the process threw, or null. */
        public Throwable failure() { return failure; }

        public boolean isFrozen() { return frozen; }

        public boolean isKilled() { return killed; }

        /** Registers an action run (by the driver) when the process is killed: the kernel closing its files. */
        public void onKill(Runnable action) { onExit.add(action); }

        private void wake() {
            if (done || !parked || queued) return;
            if (frozen) {
                wokenWhileFrozen = true;
                return;
            }
            queued = true;
            runnable.add(this);
        }

        /** SIGSTOP: the process runs no more until thawed; the kernel under it goes on. */
        public void freeze() { frozen = true; }

        /** SIGCONT. */
        public void thaw() {
            frozen = false;
            if (wokenWhileFrozen) {
                wokenWhileFrozen = false;
                wake();
            }
        }

        /**
         * SIGKILL: the kill actions run at once (the kernel closes the process's sockets), then the
         * process's code is unwound without running further.
         */
        public void kill() {
            if (done || killed) return;
            killed = true;
            for (Runnable r : List.copyOf(onExit)) r.run();
            if (parked && !queued) {
                queued = true;
                runnable.add(this);
            }
        }

        @Override
        public String toString() { return name + (done ? " (done)" : parked ? " (parked)" : ""); }
    }

    /** Starts a process; it runs when the driver next hands out the baton. */
    public Proc spawn(String name, Body body) {
        Proc p = new Proc(name, body);
        procs.add(p);
        p.thread.start();
        p.parked = true;
        p.queued = true;
        runnable.add(p);
        return p;
    }

    /** Every process started, in order. */
    public List<Proc> processes() { return List.copyOf(procs); }

    /** The process running on this thread, or null when called from the driver. */
    public Proc currentProcess() {
        Proc p = current;
        return p != null && p.thread == Thread.currentThread() ? p : null;
    }

    /**
     * Whether the calling thread belongs to this runtime: one of its simulated processes, the thread that
     * made the runtime (a test's own thread), or the thread driving it now. Any other thread — a library's
     * own selector or event-loop thread — runs outside virtual time: the runtime cannot park it, and
     * letting it into the stacks would race the processes. Layers that a library's threads reach (the
     * java.nio channels of {@code dev.synack.nio}) refuse such a thread at once with this check.
     */
    public boolean ownsCurrentThread() {
        Thread t = Thread.currentThread();
        return currentProcess() != null || t == home || t == driver;
    }

    /** The current process's name; the thread's for the driver. */
    @Override
    public String callerName() {
        Proc p = currentProcess();
        return p != null ? p.name() : Thread.currentThread().getName();
    }

    /** {@link Proc#onKill} for the current process; nothing for the driver, which is never killed. */
    @Override
    public void onCallerKilled(Runnable action) {
        Proc p = currentProcess();
        if (p != null) p.onKill(action);
    }

    /**
     * Runs processes and timers until virtual time {@code deadlineNs}; time ends at the deadline. Rethrows
     * the first process failure not reported yet (see {@link #runUntilDone}).
     */
    public void runUntil(long deadlineNs) {
        enterDriver();
        try {
            while (true) {
                if (runOneProcess()) continue;
                if (!scheduler.runNext(deadlineNs)) break;
            }
            scheduler.runUntil(deadlineNs);
            while (runOneProcess()) {
                // processes woken at exactly the deadline
            }
        } finally {
            exitDriver();
        }
        throwUnreportedFailure();
    }

    /** Runs for {@code durationNs} of virtual time. */
    public void runFor(long durationNs) { runUntil(scheduler.nowNs() + durationNs); }

    /**
     * Runs until every process is done or {@code limitNs} of virtual time passes; rethrows the first
     * process failure not reported yet.
     *
     * <p>{@link #runUntil}, {@link #runFor} and this method report a process failure the same way: an
     * exception (other than being killed) that escaped a process's body is rethrown once, by the first
     * of them to return after it, as an IllegalStateException "process NAME failed: ..." with the
     * failure as its cause; the simulation stops at that call's end, so the next call goes on from
     * there. A socket call of the driving thread does not throw a process's failure;
     * {@link #takeUnreportedFailures} hands over what no run call reported (a test framework's last
     * check).
     */
    public void runUntilDone(long limitNs) {
        long end = scheduler.nowNs() + limitNs;
        enterDriver();
        try {
            while (!allDone()) {
                if (runOneProcess()) continue;
                if (!scheduler.runNext(end)) break;
            }
        } finally {
            exitDriver();
        }
        throwUnreportedFailure();
    }

    private void throwUnreportedFailure() {
        for (Proc p : procs) {
            if (p.failure != null && !p.reported) {
                p.reported = true;
                throw new IllegalStateException("process " + p.name + " failed: " + p.failure, p.failure);
            }
        }
    }

    /** The processes whose failure no run call has reported yet, in start order; they count as reported now. */
    public List<Proc> takeUnreportedFailures() {
        List<Proc> out = new ArrayList<>();
        for (Proc p : procs) {
            if (p.failure != null && !p.reported) {
                p.reported = true;
                out.add(p);
            }
        }
        return out;
    }

    private boolean allDone() {
        for (Proc p : procs) if (!p.done) return false;
        return true;
    }

    private void enterDriver() {
        if (currentProcess() != null) throw new IllegalStateException("a simulated process cannot drive the simulation");
        Thread t = Thread.currentThread();
        if (driver != null && driver != t) throw new IllegalStateException("the simulation is driven by " + driver + ", not " + t);
        driver = t;
    }

    private void exitDriver() { driver = null; }

    /** Hands the baton to the next runnable process and waits for it back. */
    private boolean runOneProcess() {
        Proc p = runnable.poll();
        if (p == null) return false;
        p.queued = false;
        if (p.done) return true;
        if (p.frozen && !p.killed) {
            p.wokenWhileFrozen = true;
            return true;
        }
        p.parked = false;
        current = p;
        p.baton.release();
        try {
            if (!driverBaton.tryAcquire(STUCK_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                StringBuilder sb = new StringBuilder("process '" + p.name + "' ran " + STUCK_TIMEOUT_MS
                        + " ms of wall time without parking: it blocks on something synack does not control "
                        + "(Thread.sleep, a JDK socket, a lock held by another process?)");
                for (StackTraceElement e : p.thread.getStackTrace()) sb.append("\n\tat ").append(e);
                throw new IllegalStateException(sb.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while process " + p.name + " ran", e);
        } finally {
            current = null;
        }
        return true;
    }

    /** Parks the current process, giving the baton back to the driver, until it is woken. */
    private void park(Proc p) {
        p.parked = true;
        driverBaton.release();
        p.baton.acquireUninterruptibly();
        if (p.killed) throw new Killed(p.name);
    }

    @Override
    public <T> T call(Supplier<T> op) {
        Proc p = currentProcess();
        if (p == null) {
            Thread t = Thread.currentThread();
            if (driver != null && driver != t) {
                throw new IllegalStateException("thread " + t.getName() + " is not a simulated process of this runtime;"
                        + " only processes (spawn) and the driving thread may use its sockets");
            }
        }
        return op.get();
    }

    @Override
    public boolean await(WaitList waitList, BooleanSupplier ready, long timeoutNs) {
        long deadline = timeoutNs == Long.MAX_VALUE ? Long.MAX_VALUE : scheduler.nowNs() + timeoutNs;
        Proc p = currentProcess();
        if (p == null) return driverAwait(ready, deadline);
        if (p.killed) throw new Killed(p.name);
        if (ready.getAsBoolean()) return true;
        Timer timer = deadline == Long.MAX_VALUE ? null : Timer.of(p.waker);
        if (timer != null) scheduler.schedule(timer, deadline);
        if (waitList != null) waitList.add(p.waker);
        try {
            while (true) {
                park(p);
                if (ready.getAsBoolean()) return true;
                if (scheduler.nowNs() >= deadline) return false;
            }
        } finally {
            if (waitList != null) waitList.remove(p.waker);
            if (timer != null) scheduler.cancel(timer);
        }
    }

    /** The driving thread waits by running the simulation itself. */
    private boolean driverAwait(BooleanSupplier ready, long deadline) {
        enterDriver();
        try {
            while (true) {
                if (ready.getAsBoolean()) return true;
                if (runOneProcess()) continue;
                if (scheduler.nowNs() >= deadline) return false;
                if (!scheduler.runNext(deadline)) {
                    if (deadline == Long.MAX_VALUE) {
                        throw new IllegalStateException("deadlock: waiting forever with no process runnable and no "
                                + "event pending at " + scheduler.nowNs() / 1e9 + " s; processes: " + procs);
                    }
                    scheduler.runUntil(deadline);
                }
            }
        } finally {
            exitDriver();
        }
    }

    @Override
    public void sleep(long durationNs) {
        long deadline = scheduler.nowNs() + durationNs;
        await(null, () -> scheduler.nowNs() >= deadline, durationNs);
    }
}
