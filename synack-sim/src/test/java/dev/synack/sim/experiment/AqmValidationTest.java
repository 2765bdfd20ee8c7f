package dev.synack.sim.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.sim.Aqm;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * ECN with an AQM at the bottleneck, validated: one CUBIC flow through a marking FQ-CoDel (Linux's
 * default qdisc, RFC 8290) loses nothing — every congestion signal is a CE mark the sender answers
 * with one reduction (RFC 3168 §6.1.2) — and keeps the link nearly full with a queue of a few ms,
 * where the same flow into Linux's 1000-packet drop-tail FIFO (txqueuelen) fills the buffer,
 * hundreds of ms deep, and recovers from losses. The same flow's packets through drop-tail are those
 * it sent before ECN and AQMs existed ({@link PacketDigestTest}). Each case prints its figures.
 */
class AqmValidationTest {
    /** One CUBIC flow, RTT 40 ms, a queue of 1000 packets for drop-tail (and RED's limit), 10 s. */
    static Experiment flow(long rateBps, Aqm aqm, boolean ecn) {
        return new Experiment(rateBps, 40, 1000, 0, 1, "cubic", 10, 1, 1500, 0, 0).withAqm(aqm).withEcn(ecn);
    }

    /** Utilisation of the second half of the run (after slow start): goodput over the payload capacity. */
    static double steadyUtilisation(Result r) {
        return r.totalGoodputBps(r.durationNs() / 2, r.durationNs()) / r.spec().capacityBps();
    }

    static String figures(String name, Result r) {
        return String.format(Locale.ROOT, "%-16s utilisation %.1f%% (second half %.1f%%), queue delay %.2f ms (second half; per packet %.2f ms, max %.1f ms), drops %d, CE marks %d, retransmits %d",
                name, 100 * r.utilisation(), 100 * steadyUtilisation(r), r.queue().meanDelayNs() / 1e6, r.queue().meanSojournNs() / 1e6,
                r.queue().maxSojournNs() / 1e6, r.congestionDrops(), r.queue().ceMarks(), r.flows().getFirst().retransmits());
    }

    /**
     * At 20 and 100 Mbit/s: FQ-CoDel with ECN drops nothing, the sender retransmits nothing, the link
     * is at least 90 % used after slow start and the standing queue stays under twice CoDel's 5 ms
     * target; drop-tail's standing queue is over 50 ms and it drops.
     */
    @Test
    void fqCodelWithEcn_noLossFullLinkShortQueue() {
        StringBuilder report = new StringBuilder();
        for (long rate : new long[] {20_000_000, 100_000_000}) {
            Result dropTail = flow(rate, Aqm.DROP_TAIL, false).run();
            Result fq = flow(rate, Aqm.fqCodel(true), true).run();
            report.append(rate / 1_000_000).append(" Mbit/s\n  ").append(figures("drop-tail", dropTail)).append("\n  ")
                    .append(figures("fq_codel + ECN", fq)).append('\n');
            assertEquals(0, fq.congestionDrops(), report.toString());
            assertEquals(0, fq.flows().getFirst().retransmits(), report.toString());
            assertTrue(fq.queue().ceMarks() > 0, report.toString());
            assertTrue(steadyUtilisation(fq) >= 0.90, report.toString());
            assertTrue(fq.queue().meanDelayNs() < 10_000_000, report.toString());
            assertTrue(dropTail.queue().meanDelayNs() > 50_000_000 && dropTail.congestionDrops() > 0, report.toString());
        }
        System.out.print("AQM validation:\n" + report);
    }

    /**
     * Every AQM at 20 Mbit/s, with and without ECN: with ECN, CoDel and FQ-CoDel signal by CE marks only
     * (no drop, no retransmission); without it they drop, and the flow retransmits what they dropped.
     * RED with ECN marks instead of dropping too. Printed for the record (README's table).
     */
    @Test
    void everyAqm_marksWithEcn_dropsWithout() {
        StringBuilder report = new StringBuilder();
        for (String name : new String[] {"red", "codel", "fq_codel"}) {
            Result marking = flow(20_000_000, Aqm.of(name, 20_000_000, 1000, true), true).run();
            Aqm plain = name.equals("fq_codel") ? new Aqm.FqCodel(1024, 5_000_000, 100_000_000, 10240, 1514, false, Long.MAX_VALUE)
                    : Aqm.of(name, 20_000_000, 1000, false);
            Result dropping = flow(20_000_000, plain, false).run();
            report.append("  ").append(figures(name + " + ECN", marking)).append("\n  ").append(figures(name, dropping)).append('\n');
            assertEquals(0, marking.congestionDrops(), report.toString());
            assertEquals(0, marking.flows().getFirst().retransmits(), report.toString());
            assertTrue(marking.queue().ceMarks() > 0, report.toString());
            assertEquals(0, dropping.queue().ceMarks(), report.toString());
            assertTrue(dropping.congestionDrops() > 0, report.toString());
            assertEquals(dropping.congestionDrops(), dropping.flows().getFirst().retransmits(), report.toString());
        }
        System.out.print("AQMs at 20 Mbit/s, RTT 40 ms, one CUBIC flow, 10 s:\n" + report);
    }

    /** Same seed, same run: the AQMs draw only from the link's seeded source. */
    @Test
    void sameSeedSameAqmRun() {
        for (Aqm a : new Aqm[] {Aqm.red(20_000_000, 1000, true), Aqm.fqCodel(true)}) {
            assertEquals(PacketDigestTest.digest(flow(20_000_000, a, true).withAlgorithm("cubic")),
                    PacketDigestTest.digest(flow(20_000_000, a, true)));
        }
    }
}
