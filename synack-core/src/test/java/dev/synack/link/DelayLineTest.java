package dev.synack.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.time.VirtualScheduler;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delay line both links share: delivery order and times, pooling, the FIFO/sorted switch. */
class DelayLineTest {
    private final VirtualScheduler sched = new VirtualScheduler();
    /** "id@ns" per delivered frame, the id being the packet's first byte. */
    private final List<String> got = new ArrayList<>();
    private final DelayLine<DelayLine.Frame> line =
            new DelayLine<>(sched, DelayLine.Frame::new, f -> got.add(f.data()[0] + "@" + sched.nowNs()));

    private void send(int id, long dueNs) {
        DelayLine.Frame f = line.obtain();
        f.copy(new byte[] {(byte) id}, 0, 1);
        line.send(f, dueNs);
    }

    @Test
    void deliversByDueTimeThenByOrderSent() {
        send(1, 300);
        send(2, 100); // out of order: sorted from here
        send(3, 300); // same due time as 1, sent after it
        send(4, 200);
        assertEquals(4, line.inFlight());
        sched.runAll(100);
        assertEquals(List.of("2@100", "4@200", "1@300", "3@300"), got);
        assertEquals(0, line.inFlight());
    }

    @Test
    void backToTheFifoOnceTheSortedFramesDrained() {
        send(1, 100);
        send(2, 50);
        sched.runAll(100);
        send(3, 1000);
        send(4, 1000);
        send(5, 1100);
        sched.runAll(100);
        assertEquals(List.of("2@50", "1@100", "3@1000", "4@1000", "5@1100"), got);
    }

    /** A line whose receiver sends the next id on the same line (a frame bounced back). */
    private DelayLine<DelayLine.Frame> bouncing;
    private final List<String> bounced = new ArrayList<>();

    @Test
    void aFrameSentFromTheReceiverIsDeliveredInItsTurn() {
        bouncing = new DelayLine<>(sched, DelayLine.Frame::new, f -> {
            int id = f.data()[0];
            bounced.add(id + "@" + sched.nowNs());
            if (id < 3) {
                DelayLine.Frame g = bouncing.obtain();
                g.copy(new byte[] {(byte) (id + 1)}, 0, 1);
                bouncing.send(g, sched.nowNs() + 10);
            }
        });
        DelayLine.Frame f = bouncing.obtain();
        f.copy(new byte[] {1}, 0, 1);
        bouncing.send(f, 5);
        sched.runAll(100);
        assertEquals(List.of("1@5", "2@15", "3@25"), bounced);
    }

    @Test
    void framesSentBehindOthersDuringADeliveryKeepTheTimerForTheHead() {
        // While frame 1 is delivered (the timer firing, disarmed), its receiver queues two frames behind
        // frame 2: the line must still wake up for frame 2, then for them.
        bouncing = new DelayLine<>(sched, DelayLine.Frame::new, f -> {
            int id = f.data()[0];
            bounced.add(id + "@" + sched.nowNs());
            if (id == 1) {
                for (int next : new int[] {10, 11}) {
                    DelayLine.Frame g = bouncing.obtain();
                    g.copy(new byte[] {(byte) next}, 0, 1);
                    bouncing.send(g, sched.nowNs() + 10 * (next - 9));
                }
            }
        });
        for (int id : new int[] {1, 2}) {
            DelayLine.Frame f = bouncing.obtain();
            f.copy(new byte[] {(byte) id}, 0, 1);
            bouncing.send(f, 5 + 3 * (id - 1));
        }
        sched.runAll(100);
        assertEquals(List.of("1@5", "2@8", "10@15", "11@25"), bounced);
    }

    @Test
    void framesArePooledAndGrowForLongPackets() {
        DelayLine.Frame f = line.obtain();
        byte[] big = new byte[5000];
        big[0] = 9;
        big[4999] = 7;
        f.copy(big, 0, big.length);
        assertEquals(5000, f.length());
        assertTrue(f.data().length >= 5000);
        line.send(f, 10);
        sched.runAll(10);
        DelayLine.Frame again = line.obtain();
        assertSame(f, again, "a delivered frame goes back to the pool");
        assertEquals(7, again.data()[4999], "with its grown storage");
    }

    @Test
    void exchangeTakesTheCallersArrayAndGivesBackTheFramesStorage() {
        DelayLine.Frame f = line.obtain();
        byte[] before = f.data();
        byte[] packet = {4, 5, 6};
        assertSame(before, f.exchange(packet, 2));
        assertSame(packet, f.data());
        assertEquals(2, f.length());
        f.copy(new byte[] {1, 2}, 0, 2);
        assertArrayEquals(new byte[] {1, 2, 6}, packet, "copy writes into the storage it holds");
    }

    @Test
    void noAllocationPerPacketInSteadyState() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] count = new long[1];
        DelayLine<DelayLine.Frame> l = new DelayLine<>(sched, DelayLine.Frame::new, f -> count[0] += f.length());
        byte[] packet = new byte[1500];
        Runnable burst = () -> {
            for (int i = 0; i < 10_000; i++) {
                DelayLine.Frame f = l.obtain();
                f.copy(packet, 0, packet.length);
                // every 7th packet jumps the queue: both the FIFO and the sorted path run
                l.send(f, sched.nowNs() + (i % 7 == 0 ? 500 : 1000));
                if (i % 100 == 99) sched.runUntil(sched.nowNs() + 100);
            }
            sched.runAll(Long.MAX_VALUE);
        };
        for (int i = 0; i < 20; i++) burst.run(); // warm up: pool, queues and heap at their size
        long before = threads.getCurrentThreadAllocatedBytes();
        burst.run();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(21L * 10_000 * 1500, count[0]);
        assertTrue(allocated < 10_000, allocated + " bytes allocated for 10 000 packets");
    }
}
