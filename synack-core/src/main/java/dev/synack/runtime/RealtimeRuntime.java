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
 * stacks themselves only see the scheduler's time, which this runtime moves forward. It reads the
 * clock for every call, every timer it fires and, through {@link #tick}, every packet a device hands
 * over, so two segments sent at different moments never share a timestamp (RACK orders segments by
 * their send time, Linux's tcp_rack_sent_after, and takes the sequence number only on a tie).
 *
 * <p>Input first: before it fires a timer that is overdue, the runtime drains the input source
 * ({@link #setInput}), as an ACK that has already arrived must cancel or move the retransmission
 * timer it answers before that timer fires.
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
    /** Drains what a device has received (with the lock held); null when there is no device. */
    private Runnable input;
    /** Puts what a device holds back for a burst on the wire (with the lock held); null when nothing is held. */
    private Runnable flush;

    /** Starts the loop thread (a daemon named {@code synack-loop}). */
    public RealtimeRuntime() {
        loop = Thread.ofPlatform().daemon().name("synack-loop").start(this::runLoop);
    }

    @Override
    public VirtualScheduler scheduler() { return scheduler; }

    private long realNowNs() { return System.nanoTime() - originNs; }

    /**
     * With the lock held: drains the input if a timer is overdue, then fires every timer due now, each
     * at a fresh reading of the clock, and leaves the scheduler's time at now.
     */
    private void catchUp() {
        if (input != null && scheduler.nextDeadlineNs() <= realNowNs()) input.run();
        do {
            scheduler.advanceTo(realNowNs());
        } while (scheduler.runNext(scheduler.nowNs()));
    }

    /**
     * Sets the input source: {@code drain} takes what a device has received and hands it to the
     * stacks (calling {@link #tick} before each packet). The runtime runs it, with the lock held,
     * before firing any overdue timer. It must return after a bounded amount of work.
     */
    public void setInput(Runnable drain) {
        lock.lock();
        try {
            input = drain;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the output flush: a device that holds packets back to send a burst in one piece (TCP
     * segmentation offload) writes them when the runtime is about to let go of its lock (at the end of
     * every call and before it waits), so nothing stays held past the instant it was sent in.
     */
    public void setFlush(Runnable flush) {
        lock.lock();
        try {
            this.flush = flush;
        } finally {
            lock.unlock();
        }
    }

    /** With the lock held, before it is let go: the device's held packets go out. */
    private void flush() {
        if (flush != null) flush.run();
    }

    /**
     * Moves the stacks' clock to now without firing timers: a device's reader calls it before each
     * packet it hands over, so each received packet (and what the stack sends in answer) has its own
     * time. Only with exclusive access (inside {@link #call} or the input source).
     */
    public void tick() {
        if (!lock.isHeldByCurrentThread()) throw new IllegalStateException("tick() outside the runtime's lock");
        // At least 1 ns later than the last packet even if the clock reads the same: never a tie.
        scheduler.advanceTo(Math.max(realNowNs(), scheduler.nowNs() + 1));
    }

    private void runLoop() {
        lock.lock();
        try {
            while (running) {
                catchUp();
                long next = scheduler.nextDeadlineNs();
                long now = realNowNs();
                long wait = next == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : next - now;
                if (wait > 0) {
                    flush();
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
            flush();
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
                flush();
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
            flush();
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
