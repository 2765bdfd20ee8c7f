package dev.synack.runtime;

import dev.synack.time.VirtualScheduler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A runtime in real time: one loop thread keeps a scheduler level with the monotonic clock, firing
 * timers as they fall due, and any thread may call into the stacks. Exclusive access is a lock held
 * by the loop while it fires timers and by a caller for the length of its call, so the stacks still
 * see one thread at a time.
 *
 * <p>This is the one place in synack-core that reads the wall clock ({@link System#nanoTime()}): the
 * stacks themselves only see the scheduler's time, which this loop moves forward.
 */
public final class RealtimeRuntime implements Runtime, AutoCloseable {
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final long originNs = System.nanoTime();
    private final Thread loop;
    private volatile boolean running = true;
    /**
     * When the loop thread will wake by itself (scheduler time; guarded by the lock). A call signals
     * the loop only when it left a timer due earlier than that: a device reader delivering packets, or
     * an application reading and writing, does not wake the loop once per call.
     */
    private long loopWakeNs = Long.MIN_VALUE;

    /** Starts the loop thread (a daemon named {@code synack-loop}). */
    public RealtimeRuntime() {
        loop = Thread.ofPlatform().daemon().name("synack-loop").start(this::runLoop);
    }

    @Override
    public VirtualScheduler scheduler() { return scheduler; }

    private long realNowNs() { return System.nanoTime() - originNs; }

    private void catchUp() { scheduler.runUntil(realNowNs()); }

    private void runLoop() {
        lock.lock();
        try {
            while (running) {
                catchUp();
                long next = scheduler.nextDeadlineNs();
                long now = realNowNs();
                long wait = next == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : next - now;
                if (wait > 0) {
                    loopWakeNs = now + wait;
                    changed.awaitNanos(wait);
                    loopWakeNs = Long.MIN_VALUE;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T> T call(Supplier<T> op) {
        lock.lock();
        try {
            catchUp();
            return op.get();
        } finally {
            wakeLoopIfNeeded();
            lock.unlock();
        }
    }

    /** Runs {@code op} with exclusive access (e.g. a packet from a device reader thread). */
    public void execute(Runnable op) {
        call(() -> {
            op.run();
            return null;
        });
    }

    /** With the lock held: signals the loop if a timer is now due before the loop's own wake-up. */
    private void wakeLoopIfNeeded() {
        if (scheduler.nextDeadlineNs() < loopWakeNs) changed.signal();
    }

    @Override
    public boolean await(WaitList waitList, BooleanSupplier ready, long timeoutNs) throws InterruptedException {
        lock.lock();
        Condition mine = lock.newCondition();
        Runnable waker = mine::signalAll;
        try {
            catchUp();
            if (ready.getAsBoolean()) return true;
            long deadline = timeoutNs == Long.MAX_VALUE ? Long.MAX_VALUE : realNowNs() + timeoutNs;
            if (waitList != null) waitList.add(waker);
            while (true) {
                wakeLoopIfNeeded();
                if (deadline == Long.MAX_VALUE) mine.await();
                else {
                    long left = deadline - realNowNs();
                    if (left <= 0) {
                        catchUp();
                        return ready.getAsBoolean();
                    }
                    mine.awaitNanos(left);
                }
                catchUp();
                if (ready.getAsBoolean()) return true;
            }
        } finally {
            if (waitList != null) waitList.remove(waker);
            lock.unlock();
        }
    }

    @Override
    public void sleep(long durationNs) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(durationNs);
    }

    @Override
    public void close() {
        running = false;
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
        try {
            loop.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
