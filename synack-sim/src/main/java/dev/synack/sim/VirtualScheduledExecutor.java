package dev.synack.sim;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.runtime.VirtualRuntime.Proc;
import dev.synack.runtime.WaitList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ScheduledExecutorService} in virtual time ({@link Host#executor}): each task is a simulated
 * process of its host that sleeps its delay in virtual time, then runs; periodic tasks loop in their
 * process. Hand it to code under test that schedules retries, heartbeats or timeouts, and they happen
 * at virtual instants, deterministically.
 *
 * <p>As ScheduledThreadPoolExecutor: a task's exception is kept in its future (it does not fail the
 * process) and ends a periodic task; after {@link #shutdown()} delayed one-shot tasks still run and
 * periodic ones stop; {@code get()} and {@link #awaitTermination} block in virtual time, from a
 * simulated process or the thread driving the simulation. Differences: a crash of the host kills the
 * running tasks (their futures are cancelled) and tasks submitted while it is down are rejected;
 * {@code cancel(false)} of a task that is waiting for its time also ends its process.
 */
public final class VirtualScheduledExecutor extends AbstractExecutorService implements ScheduledExecutorService {
    private final Host host;
    private final String name;
    private final VirtualRuntime rt;
    private final List<Task<?>> tasks = new ArrayList<>();
    private final WaitList terminationWaiters = new WaitList();
    private int counter;
    private boolean shutdown;

    VirtualScheduledExecutor(Host host, String name) {
        this.host = host;
        this.name = name;
        this.rt = host.network.runtime();
    }

    // ---- the task ------------------------------------------------------------------------------

    private final class Task<V> implements RunnableScheduledFuture<V> {
        private final Callable<V> callable;
        /** 0 one-shot, > 0 fixed rate, < 0 fixed delay (ns). */
        private final long periodNs;
        private long timeNs;
        private final WaitList waiters = new WaitList();
        private Proc proc;
        private boolean running, done, cancelled;
        private V result;
        private Throwable failure;

        Task(Callable<V> callable, long timeNs, long periodNs) {
            this.callable = callable;
            this.timeNs = timeNs;
            this.periodNs = periodNs;
        }

        void body() throws Exception {
            try {
                while (true) {
                    long wait = timeNs - rt.nowNs();
                    if (wait > 0) rt.sleep(wait);
                    if (done) return;
                    running = true;
                    V v;
                    try {
                        v = callable.call();
                    } catch (VirtualRuntime.Killed k) {
                        throw k;
                    } catch (Throwable t) {
                        running = false;
                        finish(null, t, false);
                        return;
                    }
                    running = false;
                    if (periodNs == 0 || done) {
                        finish(v, null, false);
                        return;
                    }
                    if (shutdown) {
                        finish(null, null, true);
                        return;
                    }
                    timeNs = periodNs > 0 ? timeNs + periodNs : rt.nowNs() - periodNs;
                }
            } catch (VirtualRuntime.Killed k) {
                finish(null, null, true); // the host crashed or the task was cancelled while waiting
                throw k;
            }
        }

        private void finish(V v, Throwable t, boolean cancel) {
            if (done) return;
            done = true;
            result = v;
            failure = t;
            cancelled = cancel;
            waiters.wakeAll();
            terminationWaiters.wakeAll();
        }

        @Override
        public void run() {
            // Executed by its own process; a direct call (as a RunnableFuture) runs it here and now.
            if (done) return;
            try {
                finish(callable.call(), null, false);
            } catch (Exception e) {
                finish(null, e, false);
            }
        }

        @Override
        public boolean isPeriodic() { return periodNs != 0; }

        @Override
        public long getDelay(TimeUnit unit) { return unit.convert(timeNs - rt.nowNs(), TimeUnit.NANOSECONDS); }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done) return false;
            boolean kill = !running || mayInterruptIfRunning;
            finish(null, null, true);
            if (kill && proc != null && proc != rt.currentProcess()) proc.kill();
            return true;
        }

        @Override
        public boolean isCancelled() { return cancelled; }

        @Override
        public boolean isDone() { return done; }

        @Override
        public V get() throws InterruptedException, ExecutionException {
            rt.await(waiters, () -> done, Long.MAX_VALUE);
            return report();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            if (!rt.await(waiters, () -> done, unit.toNanos(timeout))) throw new TimeoutException();
            return report();
        }

        private V report() throws ExecutionException {
            if (cancelled) throw new CancellationException();
            if (failure != null) throw new ExecutionException(failure);
            return result;
        }

        @Override
        public String toString() { return "Task[" + (proc == null ? "?" : proc.name()) + (done ? " done" : "") + "]"; }
    }

    private <V> Task<V> submitTask(Callable<V> c, long delayNs, long periodNs) {
        Objects.requireNonNull(c);
        if (shutdown) throw new RejectedExecutionException(name + " is shut down");
        if (!host.isUp()) throw new RejectedExecutionException(host.name() + " is down");
        Task<V> t = new Task<>(c, rt.nowNs() + Math.max(0, delayNs), periodNs);
        tasks.add(t);
        t.proc = host.spawn(name + "-" + ++counter, t::body);
        return t;
    }

    // ---- ScheduledExecutorService --------------------------------------------------------------

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return submitTask(Executors.callable(command), unit.toNanos(delay), 0);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return submitTask(callable, unit.toNanos(delay), 0);
    }

    /** {@link #schedule(Runnable, long, TimeUnit)} with a Duration. */
    public ScheduledFuture<?> schedule(Runnable command, Duration delay) {
        return submitTask(Executors.callable(command), delay.toNanos(), 0);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        if (period <= 0) throw new IllegalArgumentException("period <= 0");
        return submitTask(Executors.callable(command), unit.toNanos(initialDelay), unit.toNanos(period));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        if (delay <= 0) throw new IllegalArgumentException("delay <= 0");
        return submitTask(Executors.callable(command), unit.toNanos(initialDelay), -unit.toNanos(delay));
    }

    @Override
    public void execute(Runnable command) { submitTask(Executors.callable(command), 0, 0); }

    @Override
    public Future<?> submit(Runnable task) { return submitTask(Executors.callable(task), 0, 0); }

    @Override
    public <T> Future<T> submit(Runnable task, T result) { return submitTask(Executors.callable(task, result), 0, 0); }

    @Override
    public <T> Future<T> submit(Callable<T> task) { return submitTask(task, 0, 0); }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> callables) throws InterruptedException {
        List<Future<T>> out = new ArrayList<>();
        for (Callable<T> c : callables) out.add(submitTask(c, 0, 0));
        for (Future<T> f : out) rt.await(((Task<?>) f).waiters, f::isDone, Long.MAX_VALUE);
        return out;
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> callables, long timeout, TimeUnit unit)
            throws InterruptedException {
        long deadline = rt.nowNs() + unit.toNanos(timeout);
        List<Future<T>> out = new ArrayList<>();
        for (Callable<T> c : callables) out.add(submitTask(c, 0, 0));
        for (Future<T> f : out) {
            if (!rt.await(((Task<?>) f).waiters, f::isDone, Math.max(0, deadline - rt.nowNs()))) break;
        }
        for (Future<T> f : out) f.cancel(true);
        return out;
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> callables) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(callables, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> callables, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (callables.isEmpty()) throw new IllegalArgumentException("no tasks");
        List<Task<T>> fs = new ArrayList<>();
        for (Callable<T> c : callables) fs.add(submitTask(c, 0, 0));
        WaitList any = terminationWaiters;
        try {
            boolean ok = rt.await(any, () -> fs.stream().anyMatch(f -> f.done && f.failure == null && !f.cancelled)
                    || fs.stream().allMatch(f -> f.done), timeout == Long.MAX_VALUE ? Long.MAX_VALUE : unit.toNanos(timeout));
            if (!ok) throw new TimeoutException();
            for (Task<T> f : fs) if (f.done && f.failure == null && !f.cancelled) return f.result;
            throw new ExecutionException(fs.getLast().failure);
        } finally {
            for (Task<T> f : fs) f.cancel(true);
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
        for (Task<?> t : List.copyOf(tasks)) if (t.isPeriodic() && !t.running) t.cancel(false);
        terminationWaiters.wakeAll();
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> notStarted = new ArrayList<>();
        for (Task<?> t : List.copyOf(tasks)) {
            if (!t.done && !t.running) notStarted.add(t);
            t.cancel(true);
        }
        terminationWaiters.wakeAll();
        return notStarted;
    }

    @Override
    public boolean isShutdown() { return shutdown; }

    @Override
    public boolean isTerminated() {
        if (!shutdown) return false;
        for (Task<?> t : tasks) if (!t.done) return false;
        return true;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return rt.await(terminationWaiters, this::isTerminated, unit.toNanos(timeout));
    }

    @Override
    public String toString() { return "VirtualScheduledExecutor[" + host.name() + "/" + name + "]"; }
}
