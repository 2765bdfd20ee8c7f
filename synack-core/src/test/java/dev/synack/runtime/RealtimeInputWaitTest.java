package dev.synack.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.time.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * A thread blocked in {@link RealtimeRuntime#await} waits on the device itself ({@link
 * RealtimeRuntime.InputWait}) while the device's reader keeps away ({@link
 * RealtimeRuntime#awaitInputTurn}): the waiting thread drains what arrives, is woken through the
 * device for anything else (a timer), and the reader takes the device back once that thread is gone.
 * The device here is a queue in memory with a reader thread as TunStack has one.
 */
class RealtimeInputWaitTest {
    /** Upper bound on any wait in these tests; none comes near it unless something is broken. */
    private static final long LIMIT_NS = TimeUnit.SECONDS.toNanos(10);

    /** A queue of packets (numbers) standing for a TUN device, its reader, and what the stack saw. */
    private static final class FakeDevice implements RealtimeRuntime.InputWait, AutoCloseable {
        final RealtimeRuntime rt = new RealtimeRuntime();
        final WaitList waiters = new WaitList();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<Integer> queue = new ArrayDeque<>();
        private boolean woken;
        /** Device waits that ended because of {@link #wakeUp}, and all device waits (guarded by the device's lock). */
        private int wokenReturns, awaits;
        /** Drains by a thread other than the reader (also those that found nothing). */
        volatile int appDrains;
        /** Times the reader has asked for its turn ({@link RealtimeRuntime#awaitInputTurn}). */
        volatile int readerTurns;
        private volatile boolean running = true;
        /** Packets delivered, readable without calling into the runtime (a call may drain the device). */
        volatile int count;
        // Guarded by the runtime's lock: the packets delivered, in order, and which thread drained each.
        final List<Integer> delivered = new ArrayList<>();
        final List<String> drainedBy = new ArrayList<>();
        final Thread reader;

        FakeDevice() {
            rt.setInput(this::drain, this);
            reader = Thread.ofPlatform().daemon().name("fake-reader").start(() -> {
                try {
                    while (running) {
                        readerTurns++;
                        rt.awaitInputTurn();
                        if (awaitReadable()) rt.execute(this::drain);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void push(int packet) {
            lock.lock();
            try {
                queue.add(packet);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private Integer poll() {
            lock.lock();
            try {
                return queue.poll();
            } finally {
                lock.unlock();
            }
        }

        /** The input source: with the runtime's lock held, everything queued, each at its own time. */
        private void drain() {
            if (Thread.currentThread() != reader) appDrains++;
            for (Integer p; (p = poll()) != null; ) {
                rt.tick();
                delivered.add(p);
                drainedBy.add(Thread.currentThread().getName());
                count = delivered.size();
                waiters.wakeAll();
            }
        }

        /** The reader's poll: up to 100 ms for a packet. */
        private boolean awaitReadable() throws InterruptedException {
            lock.lock();
            try {
                long left = TimeUnit.MILLISECONDS.toNanos(100);
                while (queue.isEmpty() && running && left > 0) left = changed.awaitNanos(left);
                return !queue.isEmpty();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void await(long timeoutNs) {
            lock.lock();
            try {
                awaits++;
                long left = timeoutNs;
                while (queue.isEmpty() && !woken && left > 0) left = changed.awaitNanos(left);
                if (woken) wokenReturns++;
                woken = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void wakeUp() {
            lock.lock();
            try {
                woken = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        int wokenReturns() {
            lock.lock();
            try {
                return wokenReturns;
            } finally {
                lock.unlock();
            }
        }

        int awaits() {
            lock.lock();
            try {
                return awaits;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            rt.close();
            wakeUp();
            reader.join(5000);
        }
    }

    /**
     * Request/response: the test pushes a packet, the waiting thread takes it and answers, 200 times.
     * Every packet arrives in order; once the waiting thread has taken one, it drains the rest itself
     * (the reader kept away: its only chance is the first packet, before anyone waits).
     */
    @Test
    void aWaitingThreadDrainsTheDeviceItself() throws Exception {
        try (FakeDevice dev = new FakeDevice()) {
            int rounds = 200;
            java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
            Thread app = Thread.ofPlatform().name("app").start(() -> {
                try {
                    for (int i = 1; i <= rounds; i++) {
                        int want = i;
                        assertTrue(dev.rt.await(dev.waiters, () -> dev.delivered.size() >= want, LIMIT_NS));
                        answered.set(want);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 1; i <= rounds; i++) {
                dev.push(i);
                int want = i;
                long end = System.nanoTime() + LIMIT_NS;
                while (answered.get() < want && System.nanoTime() < end) Thread.onSpinWait();
            }
            app.join(5000);
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= rounds; i++) expected.add(i);
            assertEquals(expected, dev.rt.call(() -> List.copyOf(dev.delivered)));
            List<String> by = dev.rt.call(() -> List.copyOf(dev.drainedBy));
            int first = by.indexOf("app");
            assertTrue(first >= 0, "the waiting thread never drained the device: " + by);
            long byApp = by.stream().filter("app"::equals).count();
            assertTrue(byApp > rounds / 2, byApp + " of " + rounds + " packets drained by the waiting thread: " + by);
        }
    }

    /** A thread waiting on an empty device is woken through the device when a timer makes it ready. */
    @Test
    void aTimerWakesAThreadWaitingOnTheDevice() throws Exception {
        try (FakeDevice dev = new FakeDevice()) {
            boolean[] fired = {false};
            Timer t = Timer.of(() -> {
                fired[0] = true;
                dev.waiters.wakeAll();
            });
            dev.rt.execute(() -> dev.rt.scheduler().scheduleIn(t, TimeUnit.MILLISECONDS.toNanos(50)));
            assertTrue(dev.rt.await(dev.waiters, () -> fired[0], LIMIT_NS));
            assertEquals(1, dev.wokenReturns(), "the device wait ended by its wake-up");
            assertEquals(0, dev.count);
        }
    }

    /** Once the waiting thread has got what it waited for and gone, the reader takes the device back. */
    @Test
    void theReaderTakesOverWhenTheWaiterIsGone() throws Exception {
        try (FakeDevice dev = new FakeDevice()) {
            Thread app = Thread.ofPlatform().name("app").start(() -> {
                try {
                    dev.rt.await(dev.waiters, () -> !dev.delivered.isEmpty(), LIMIT_NS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            dev.push(1);
            app.join(5000);
            assertFalse(app.isAlive());
            // Nobody waits or calls in now: only the reader can take this one.
            dev.push(2);
            long end = System.nanoTime() + LIMIT_NS;
            while (dev.count < 2 && System.nanoTime() < end) Thread.onSpinWait();
            assertEquals(List.of(1, 2), dev.rt.call(() -> List.copyOf(dev.delivered)));
            assertEquals("fake-reader", dev.rt.call(() -> dev.drainedBy.get(1)));
        }
    }

    /**
     * Busy polling: a packet that comes while the waiting thread polls reaches it without the thread
     * ever blocking on the device.
     */
    @Test
    void aBusyPollingThreadTakesThePacketWithoutBlocking() throws Exception {
        try (FakeDevice dev = new FakeDevice()) {
            dev.rt.setBusyPoll(LIMIT_NS);
            boolean[] got = {false};
            Thread app = Thread.ofPlatform().name("app").start(() -> {
                try {
                    got[0] = dev.rt.await(dev.waiters, () -> !dev.delivered.isEmpty(), LIMIT_NS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long end = System.nanoTime() + LIMIT_NS;
            while (dev.appDrains < 3 && System.nanoTime() < end) Thread.onSpinWait(); // it is polling
            // The reader, in its own poll when the app began, asks for its turn again (within 100 ms) and is kept away.
            int turns = dev.readerTurns;
            while (dev.readerTurns == turns && System.nanoTime() < end) Thread.onSpinWait();
            dev.push(1);
            app.join(LIMIT_NS / 1_000_000);
            assertTrue(got[0]);
            assertEquals(List.of("app"), dev.rt.call(() -> List.copyOf(dev.drainedBy)));
            assertEquals(0, dev.awaits(), "blocked on the device");
        }
    }

    /** A wait on the device with nothing arriving ends at its timeout, false. */
    @Test
    void aWaitOnTheDeviceTimesOut() throws Exception {
        try (FakeDevice dev = new FakeDevice()) {
            long t0 = System.nanoTime();
            assertFalse(dev.rt.await(dev.waiters, () -> false, TimeUnit.MILLISECONDS.toNanos(20)));
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** A virtual thread never blocks its carrier on the device: the reader hands it the packet. */
    @Test
    void aVirtualThreadLeavesTheDeviceToTheReader() throws Exception {
        try (FakeDevice dev = new FakeDevice()) {
            boolean[] got = {false};
            Thread app = Thread.ofVirtual().name("virtual-app").start(() -> {
                try {
                    got[0] = dev.rt.await(dev.waiters, () -> !dev.delivered.isEmpty(), LIMIT_NS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            dev.push(1);
            app.join(5000);
            assertTrue(got[0]);
            assertEquals(List.of("fake-reader"), dev.rt.call(() -> List.copyOf(dev.drainedBy)));
        }
    }
}
