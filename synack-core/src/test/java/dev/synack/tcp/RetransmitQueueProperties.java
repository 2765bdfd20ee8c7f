package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.stats.Counter;
import dev.synack.stats.Counters;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The retransmission queue's indexes against plain scans of the queue: RACK's candidates in the order
 * they were sent, the entries waiting for a retransmission, the next entry not SACKed; and RACK's loss
 * check against the linear walk it replaced (same marks, same counters, same reordering timeout).
 */
class RetransmitQueueProperties {

    /** One step: {@code kind} picks the operation, {@code a} the entry (modulo the size), {@code b} a time or cause. */
    record Op(int kind, int a, int b) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 11),
                Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 5)).as(Op::new);
        return Arbitraries.frequencyOf(Tuple.of(1, op)).list().ofMaxSize(400);
    }

    @Property(tries = 1000)
    void indexesAndRackMatchScans(@ForAll("ops") List<Op> ops) {
        RetransmitQueue q = new RetransmitQueue(), ref = new RetransmitQueue();
        Rack rack = new Rack(), refRack = new Rack();
        Counters stats = new Counters(), refStats = new Counters();
        long now = 1_000_000;
        int nxt = -5000; // crosses 0, and with large steps the 2^31 halves
        for (Op op : ops) {
            RetransmitQueue[] both = {q, ref};
            int n = q.size();
            int i = n == 0 ? 0 : op.a() % n;
            switch (op.kind()) {
                case 0, 1, 2 -> { // new data, sometimes at the same instant as the last
                    int len = 1 + op.b() * 100;
                    for (RetransmitQueue x : both) x.add(nxt, nxt + len, op.b() == 5 ? RetransmitQueue.F_PSH : 0, now);
                    nxt += len;
                    if (op.a() % 3 != 0) now += op.a();
                }
                case 3 -> { if (n > 0) for (RetransmitQueue x : both) x.setBit(i, RetransmitQueue.SACKED); }
                case 4 -> { if (n > 0) for (RetransmitQueue x : both) x.markLost(i, RetransmitQueue.LOST_BY_RACK); }
                case 5 -> { // retransmit one waiting entry, or any entry
                    if (n > 0) {
                        now += 1 + op.a();
                        for (RetransmitQueue x : both) x.retransmitted(i, now);
                    }
                }
                case 6 -> { if (n > 0) for (RetransmitQueue x : both) x.probed(i, now); }
                case 7 -> { if (n > 0 && op.b() < 2) for (RetransmitQueue x : both) x.removeFirst(); }
                case 8 -> { // clear a mark (undo clears LOST, reneging SACKED, a D-SACK RETRANS)
                    int bit = op.b() % 3 == 0 ? RetransmitQueue.LOST : op.b() % 3 == 1 ? RetransmitQueue.SACKED : RetransmitQueue.RETRANS;
                    if (n > 0) for (RetransmitQueue x : both) x.clearBit(i, bit);
                }
                case 9 -> { // a delivery advances RACK
                    if (n > 0) {
                        now += op.a() * 10L;
                        boolean ever = q.has(i, RetransmitQueue.EVER_RETRANS);
                        rack.advance(ever, q.end(i), q.sentNs(i), now, 0);
                        refRack.advance(ever, ref.end(i), ref.sentNs(i), now, 0);
                    }
                }
                case 10 -> { // RACK's loss check: indexed against the linear walk
                    long reo = op.b() * 3000L;
                    int marks = ref.lostMarks;
                    long timeout = linearDetectLoss(refRack, ref, now, reo, refStats);
                    assertEquals(timeout, rack.detectLoss(q, now, reo, stats, RetransmitQueue.LOST_BY_RACK), "timeout");
                    Statistics.label("RACK check").collect(ref.lostMarks > marks ? "marks" : "no marks", timeout > 0 ? "timeout" : "no timeout");
                    assertEquals(refStats.get(Counter.TcpExtTCPLostRetransmit), stats.get(Counter.TcpExtTCPLostRetransmit));
                }
                default -> { if (op.b() == 0) for (RetransmitQueue x : both) x.clear(); }
            }
            check(q, ref);
        }
    }

    /** Both queues hold the same, and q's indexes agree with scans of it. */
    private static void check(RetransmitQueue q, RetransmitQueue ref) {
        assertEquals(ref.toString(), q.toString());
        assertEquals(ref.lostMarks, q.lostMarks);
        int n = q.size();
        // RACK's candidates in (time, end) order.
        List<Integer> expect = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int b = q.bits(i);
            if ((b & RetransmitQueue.SACKED) == 0 && !((b & RetransmitQueue.LOST) != 0 && (b & RetransmitQueue.RETRANS) == 0)) expect.add(i);
        }
        expect.sort((x, y) -> q.sentNs(x) != q.sentNs(y) ? Long.compare(q.sentNs(x), q.sentNs(y)) : Integer.compare(q.end(x) - q.end(y), 0));
        List<Integer> got = new ArrayList<>();
        for (int i = q.firstByTime(); i >= 0; i = q.nextByTime(i)) got.add(i);
        assertEquals(expect, got, "by time");
        // Waiting for a retransmission, in sequence order.
        expect.clear();
        for (int i = 0; i < n; i++) {
            int b = q.bits(i);
            if ((b & (RetransmitQueue.LOST | RetransmitQueue.RETRANS | RetransmitQueue.SACKED)) == RetransmitQueue.LOST) expect.add(i);
        }
        got.clear();
        for (int i = q.firstPending(); i >= 0; i = q.nextPending(i)) got.add(i);
        assertEquals(expect, got, "pending");
        // Next not SACKed, from every index.
        for (int i = n; i >= 0; i--) {
            int e = i;
            while (e < n && q.has(e, RetransmitQueue.SACKED)) e++;
            assertEquals(e, q.nextUnsacked(i), "next unsacked from " + i);
        }
    }

    /** tcp_rack_detect_loss as synack walked it before the index: the queue in sequence order. */
    private static long linearDetectLoss(Rack rack, RetransmitQueue rtx, long nowNs, long reoWndUs, Counters stats) {
        long xmitNs = rack.xmitNsForTest(), rttUs = rack.rttUs();
        int endSeq = rack.endSeqForTest();
        if (xmitNs < 0) return 0;
        long timeout = 0;
        for (int i = 0; i < rtx.size(); i++) {
            int bits = rtx.bits(i);
            if ((bits & RetransmitQueue.SACKED) != 0) continue;
            if ((bits & RetransmitQueue.LOST) != 0 && (bits & RetransmitQueue.RETRANS) == 0) continue;
            long sent = rtx.sentNs(i);
            if (!Rack.sentAfter(xmitNs, sent, endSeq, rtx.end(i))) {
                if ((bits & RetransmitQueue.EVER_RETRANS) == 0) break;
                continue;
            }
            long remaining = rttUs + reoWndUs - (nowNs - sent) / 1000;
            if (remaining <= 0) {
                if (rtx.markLost(i, RetransmitQueue.LOST_BY_RACK)) stats.inc(Counter.TcpExtTCPLostRetransmit);
            } else {
                timeout = Math.max(timeout, remaining);
            }
        }
        return timeout;
    }
}
