package dev.synack.link;

import static org.junit.jupiter.api.Assertions.*;

import dev.synack.time.VirtualScheduler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory wire: delivery order and times, impairments reproducible from the seed. */
class MemoryLinkTest {
    private final VirtualScheduler sched = new VirtualScheduler();
    /** "id@ns" for each delivered packet, the id being the packet's first byte. */
    private final List<String> got = new ArrayList<>();
    private final PacketSink recorder = (b, off, len) -> got.add((b[off] & 0xFF) + "@" + sched.nowNs());

    private static void send(MemoryLink link, int id) {
        byte[] p = new byte[3000];
        p[0] = (byte) id;
        link.transmit(p, 0, id % 2 == 0 ? 40 : 3000);
    }

    @Test
    void deliversInOrderAfterTheDelayAndCopies() {
        MemoryLink link = new MemoryLink(sched, recorder, 1000, 1);
        byte[] p = {7};
        link.transmit(p, 0, 1);
        p[0] = 8; // the link copied: the packet in flight keeps 7
        sched.advance(500);
        link.transmit(p, 0, 1);
        sched.runAll(100);
        assertEquals(List.of("7@1000", "8@1500"), got);
        assertEquals(2, link.delivered());
    }

    private static final long DROPPED_SEED_99 = 56;
    private static final int DELIVERED_SEED_99 = 183;
    private static final List<String> FIRST_SEED_99 =
            List.of("2@1200", "2@1200", "5@1500", "6@1600", "7@1700", "9@1900", "9@1900", "10@2000");

    @Test
    void lossAndDuplicationAreTheSameForTheSameSeed() {
        List<List<String>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            VirtualScheduler s = new VirtualScheduler();
            List<String> seen = new ArrayList<>();
            MemoryLink l = new MemoryLink(s, (b, off, len) -> seen.add((b[off] & 0xFF) + "@" + s.nowNs()), 1000, 99)
                    .loss(0.3).duplicate(0.3);
            for (int i = 0; i < 200; i++) {
                send(l, i);
                s.advance(100);
            }
            s.runAll(10_000);
            runs.add(seen);
            assertEquals(seen.size(), l.delivered());
            assertEquals(DROPPED_SEED_99, l.dropped());
        }
        assertEquals(runs.get(0), runs.get(1));
        // Pinned: the same seed gives these packets (the draws are loss, then duplication, per packet).
        assertEquals(FIRST_SEED_99, runs.get(0).subList(0, 8));
        assertEquals(DELIVERED_SEED_99, runs.get(0).size());
        // Without reordering, packets arrive in the order sent, a duplicate right after its original.
        List<Integer> ids = runs.get(0).stream().map(x -> Integer.parseInt(x.substring(0, x.indexOf('@')))).toList();
        for (int i = 1; i < ids.size(); i++) assertTrue(ids.get(i) >= ids.get(i - 1), "order at " + i + ": " + ids);
    }

    @Test
    void reorderingTurnedOnAndOffMidFlightKeepsDueTimeOrder() {
        MemoryLink link = new MemoryLink(sched, recorder, 1000, 5);
        send(link, 1); // FIFO, due 1000
        sched.advance(100);
        send(link, 2); // FIFO, due 1100
        link.reorder(1.0, 5000);
        sched.advance(100);
        send(link, 3); // delayed by 1..5000 more: due 1201..6200, after 1 and 2
        link.reorder(0, 0);
        sched.advance(100);
        send(link, 4); // due 1300: frames are still sorted by due time
        sched.runAll(100);
        assertEquals(4, got.size());
        assertEquals(List.of("1@1000", "2@1100"), got.subList(0, 2));
        long t3 = Long.parseLong(got.stream().filter(x -> x.startsWith("3@")).findFirst().orElseThrow().substring(2));
        assertTrue(t3 >= 1201 && t3 <= 6200, "3 at " + t3);
        assertEquals(t3 < 1300 ? List.of("3@" + t3, "4@1300") : List.of("4@1300", "3@" + t3), got.subList(2, 4));
        // and back on the FIFO path once the sorted frames have drained
        send(link, 5);
        sched.runAll(100);
        assertEquals("5@" + (sched.nowNs()), got.get(4));
    }
}
