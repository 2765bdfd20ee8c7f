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
 *
 * <p>Waiting on the device: with an {@link InputWait} ({@link #setInput(Runnable, InputWait)}), a
 * platform thread that blocks in {@link #await} waits on the device itself, and the device's own
 * reader keeps away ({@link #awaitInputTurn}), so a packet reaches the thread that waits for it with
 * one wake-up, not two (the reader's, then the reader waking that thread). In a request/response
 * exchange the reader stays away as long as that thread keeps coming back to wait.
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
    /** Lets a waiting thread block on the device itself; null when the device has no such wait. */
    private InputWait inputWait;
    /** The thread blocked on the device in {@link #await} now, if any (guarded by the lock). */
    private Thread inputWaiter;
    /** How many times a thread has begun to wait on the device (guarded by the lock): the reader sees whether that goes on. */
    private long inputWaits;
    /** Threads blocked in {@link #await} (guarded by the lock). */
    private int awaiting;
    /**
     * Until when (real time) the device's reader keeps away after a thread that waited on the device
     * found what it waited for (guarded by the lock); see {@link #INPUT_HOLD_NS}.
     */
    private long readerHoldUntilNs = Long.MIN_VALUE;
    /** When the reader, kept away, looks again (guarded by the lock); Long.MIN_VALUE when it is not kept away. */
    private long readerWakeNs = Long.MIN_VALUE;
    /** When the input was last drained (real time; guarded by the lock). */
    private long lastDrainNs;
    /** The reader, kept away, waits on this. */
    private final Condition inputTurn = lock.newCondition();
    /** How long a thread waiting on the device polls it before it blocks ({@link #setBusyPoll}; guarded by the lock). */
    private long busyPollNs;

    /**
     * A device that a waiting thread can block on itself (the runtime's lock let go): {@link #await}
     * returns when input may be waiting, when {@link #wakeUp} is called, or after {@code timeoutNs}.
     */
    public interface InputWait {
        /** Blocks until the device has input, {@link #wakeUp} is called, or {@code timeoutNs} has passed. */
        void await(long timeoutNs);

        /** Makes a blocked {@link #await} return (from any thread; called with the runtime's lock held). */
        void wakeUp();
    }

    /**
     * How long the device's reader keeps away after a thread that waited on the device found what it
     * waited for: that thread most likely waits again within a round trip, and then the reader is not
     * woken by the next packet (nor need it hand the packet over). Like Linux's irq_suspend_timeout
     * (net/core/dev.c, napi_suspend_irqs: the device's interrupt stays off while the application polls,
     * this long at most after it last did), it bounds how late a packet is read if that thread does
     * not come back and does not call in (every call drains the input while the reader keeps away; so
     * does the loop before a timer that is overdue).
     */
    static final long INPUT_HOLD_NS = 1_000_000;
    /**
     * While the reader keeps away, a call into the runtime drains the input when it was last drained
     * longer ago than this: soon enough for what arrives while the thread that waited on the device
     * is busy elsewhere, and no read that finds nothing at each of that thread's calls in between.
     */
    static final long INPUT_DRAIN_GAP_NS = 20_000;
    /** The longest a thread blocks on the device in one go (it then looks at its interrupt status), and the longest the reader keeps away before it looks again. */
    private static final long INPUT_WAIT_MAX_NS = 100_000_000;

    /** Starts the loop thread (a daemon named {@code synack-loop}). */
    public RealtimeRuntime() {
        loop = Thread.ofPlatform().daemon().name("synack-loop").start(this::runLoop);
    }

    @Override
    public VirtualScheduler scheduler() { return scheduler; }

    private long realNowNs() { return System.nanoTime() - originNs; }

    /**
     * With the lock held: drains the input if a timer is overdue, or the calling thread has waited on
     * the device, or the device's reader keeps away ({@link #awaitInputTurn}) and the input was last
     * drained more than {@link #INPUT_DRAIN_GAP_NS} ago; then fires every timer due now, each at a
     * fresh reading of the clock, and leaves the scheduler's time at now.
     */
    private void catchUp() {
        if (input != null) {
            long now = realNowNs();
            boolean waiter = inputWaiter == Thread.currentThread(), held = readerWakeNs != Long.MIN_VALUE;
            if (scheduler.nextDeadlineNs() <= now || waiter || (held && now - lastDrainNs > INPUT_DRAIN_GAP_NS)) {
                lastDrainNs = now;
                long before = scheduler.nowNs();
                input.run();
                // Input kept coming while the thread that waited on the device is busy elsewhere (a
                // stream, not an exchange): the reader takes the device back, to read it meanwhile.
                // (The drain ticks before each packet: it handed something over if the clock moved.)
                if (held && !waiter && inputWaiter == null && scheduler.nowNs() != before) {
                    readerHoldUntilNs = Long.MIN_VALUE;
                    inputTurn.signal();
                }
            }
        }
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
        setInput(drain, null);
    }

    /**
     * As {@link #setInput(Runnable)}; with {@code wait}, a platform thread blocking in {@link #await}
     * blocks on the device itself, and the device's reader calls {@link #awaitInputTurn} before each
     * wait of its own.
     */
    public void setInput(Runnable drain, InputWait wait) {
        lock.lock();
        try {
            input = drain;
            inputWait = wait;
        } finally {
            lock.unlock();
        }
    }

    /**
     * For the device's reader, before it waits for the device: returns at once unless a thread waits
     * on the device in {@link #await}, or one found there what it waited for less than
     * {@link #INPUT_HOLD_NS} ago; else waits until that is over (or the runtime is closed). So a
     * packet wakes one thread, not two. While a thread stays blocked on the device the reader looks again at
     * growing intervals (it need not take over before that thread leaves, which it tells the reader
     * if the reader would look too late).
     */
    public void awaitInputTurn() throws InterruptedException {
        lock.lock();
        try {
            long now = realNowNs(), interval = INPUT_HOLD_NS, seen = -1;
            while (running) {
                long wait;
                if (inputWaiter != null) {
                    interval = inputWaits == seen ? Math.min(2 * interval, INPUT_WAIT_MAX_NS) : INPUT_HOLD_NS;
                    seen = inputWaits;
                    wait = interval;
                } else if (now < readerHoldUntilNs) {
                    wait = readerHoldUntilNs - now;
                } else {
                    return;
                }
                readerWakeNs = now + wait;
                try {
                    inputTurn.awaitNanos(wait);
                } finally {
                    readerWakeNs = Long.MIN_VALUE;
                }
                now = realNowNs();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the busy-poll time, as Linux's SO_BUSY_POLL (net/core/dev.c, napi_busy_loop): a thread
     * about to block on the device ({@link #setInput(Runnable, InputWait)}) first drains it again and
     * again for up to {@code ns}, letting go of the lock between rounds, so a packet that comes within
     * that time reaches it without a wake-up at all; at the cost of a CPU spinning meanwhile. 0 (the
     * default) blocks at once.
     */
    public void setBusyPoll(long ns) {
        if (ns < 0) throw new IllegalArgumentException("busy-poll time " + ns + " ns");
        lock.lock();
        try {
            busyPollNs = ns;
        } finally {
            lock.unlock();
        }
    }

    /**
     * With the lock held, by the thread waiting on the device: drains it and fires due timers again and
     * again, until {@code ready} holds (true) or {@code ns} have passed (false).
     */
    private boolean busyPoll(BooleanSupplier ready, long ns) {
        long end = realNowNs() + ns;
        while (realNowNs() < end) {
            flush();
            wakeLoopIfNeeded();
            lock.unlock();
            try {
                // Threads waiting for the lock get it first; otherwise this one would take it back at once.
                if (lock.hasQueuedThreads()) Thread.yield();
                else Thread.onSpinWait();
            } finally {
                lock.lock();
            }
            catchUp();
            if (ready.getAsBoolean()) return true;
        }
        return false;
    }

    /**
     * With the lock held: a thread stops waiting on the device. If it found what it waited for and no
     * other thread waits, the reader keeps away a while longer, as that thread will likely wait again
     * soon; otherwise the reader takes the device back now.
     */
    private void leaveInput(boolean found) {
        inputWaiter = null;
        long now = realNowNs();
        if (found && awaiting == 0) {
            readerHoldUntilNs = now + INPUT_HOLD_NS;
            // The reader, backed off while this thread waited long, would look too late.
            if (readerWakeNs > readerHoldUntilNs + INPUT_HOLD_NS) inputTurn.signal();
        } else {
            readerHoldUntilNs = Long.MIN_VALUE;
            if (readerWakeNs != Long.MIN_VALUE) inputTurn.signal();
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
        Thread me = Thread.currentThread();
        Condition mine = lock.newCondition();
        // Runs with the lock held; a thread blocked on the device is woken through the device.
        Runnable waker = () -> {
            mine.signalAll();
            if (inputWaiter == me && Thread.currentThread() != me) inputWait.wakeUp();
        };
        boolean counted = false, onDevice = false, found = false;
        try {
            catchUp();
            if (ready.getAsBoolean()) return true;
            long deadline = timeoutNs == Long.MAX_VALUE ? Long.MAX_VALUE : realNowNs() + timeoutNs;
            if (waitList != null) waitList.add(waker);
            awaiting++;
            counted = true;
            while (true) {
                flush();
                wakeLoopIfNeeded();
                long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - realNowNs();
                if (left <= 0) {
                    catchUp();
                    return found = ready.getAsBoolean();
                }
                if (Thread.interrupted()) throw new InterruptedException();
                // A virtual thread never blocks its carrier on the device.
                if (inputWait != null && running && (inputWaiter == null || inputWaiter == me) && !me.isVirtual()) {
                    if (inputWaiter == null) inputWaits++;
                    inputWaiter = me;
                    if (!onDevice && busyPollNs > 0) {
                        onDevice = true;
                        if (busyPoll(ready, Math.min(left, busyPollNs))) return found = true;
                    }
                    onDevice = true;
                    lock.unlock();
                    try {
                        inputWait.await(Math.min(left, INPUT_WAIT_MAX_NS));
                    } finally {
                        lock.lock();
                    }
                } else if (deadline == Long.MAX_VALUE) {
                    mine.await();
                } else {
                    mine.awaitNanos(left);
                }
                catchUp();
                if (ready.getAsBoolean()) return found = true;
            }
        } finally {
            if (counted) awaiting--;
            if (onDevice) leaveInput(found);
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
            inputTurn.signalAll();
            if (inputWaiter != null) inputWait.wakeUp();
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
