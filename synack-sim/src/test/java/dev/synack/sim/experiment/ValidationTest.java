package dev.synack.sim.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.tcp.cc.Cwnd;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The congestion control validated against its models, in virtual time: slow start (RFC 5681 §3.1
 * with Linux's per-segment counting; packetdrill's slow_start/slow-start-ack-per-1pkt.pkt), the Mathis
 * throughput model for Reno, CUBIC's window function (RFC 9438 §4.2) and fairness of ten CUBIC flows.
 * Each test prints what it measured.
 */
class ValidationTest {
    /**
     * Slow start: cwnd doubles every round trip (Linux tcp_slow_start: +1 per segment acknowledged),
     * from the initial 10 (RFC 6928): plateaus of 10, 20, 40, 80, 160 segments, one per RTT. 100 ms
     * RTT, 100 Mbit/s so a round's segments are spread over a few ms, a queue that never overflows.
     */
    @Test
    void slowStart_cwndDoublesEveryRoundTrip() {
        Result r = new Experiment(100_000_000, 100, 10_000, 0, 1, "reno", 0.75, 7, 1500, 1, 0).run();
        FlowTrace t = r.flows().getFirst().trace();
        List<Integer> plateaus = new ArrayList<>();
        int run = 0;
        for (int i = 1; i < t.size(); i++) {
            run = t.cwnd(i) == t.cwnd(i - 1) ? run + 1 : 0;
            if (run == 50) plateaus.add(t.cwnd(i)); // held for 50 ms of a 100 ms round trip
        }
        System.out.println("slow start plateaus: " + plateaus);
        assertEquals(List.of(10, 20, 40, 80, 160), plateaus.subList(0, 5));
    }

    /**
     * Mathis et al. (1997): a Reno flow with random loss p gets (MSS/RTT)·√(3/2)/√p. Linux counts
     * growth per segment acknowledged, so delayed ACKs do not halve it and C = √(3/2) holds. RTT
     * 20 ms, MSS 1448, no bottleneck rate (loss alone limits the flow); within 25%.
     */
    @Test
    void mathis_renoGoodputMatchesModel() {
        double[][] cases = {{0.0001, 120}, {0.001, 60}, {0.01, 60}};
        StringBuilder report = new StringBuilder();
        List<String> failures = new ArrayList<>();
        for (double[] c : cases) {
            double p = c[0];
            Experiment e = new Experiment(0, 20, 0, p, 1, "newreno", c[1], 11, 1500, 20, 0);
            Result r = e.run();
            double model = e.mss() * 8 / 0.020 * Math.sqrt(1.5) / Math.sqrt(p);
            // The steady state: after the first 10% of the run (slow start and the first recovery).
            long from = r.durationNs() / 10;
            double measured = r.goodputBps(0, from, r.durationNs());
            double ratio = measured / model;
            report.append(String.format(Locale.ROOT, "p=%s: goodput %.2f Mbit/s, model %.2f Mbit/s, ratio %.3f (%d retransmits, %.2f s CPU)%n",
                    p, measured / 1e6, model / 1e6, ratio, r.flows().getFirst().retransmits(), r.cpuNs() / 1e9));
            if (Math.abs(ratio - 1) > 0.25) failures.add("p=" + p + " ratio " + ratio);
        }
        System.out.print("Mathis:\n" + report);
        assertTrue(failures.isEmpty(), failures + "\n" + report);
    }

    /**
     * CUBIC after one loss (RFC 9438 §4.2, tcp_cubic.c): from β·W_max the window follows
     * W(t) = C·(t − K)³ + W_max with C = 0.4, β = 0.7, K = ∛(W_max·(1 − β)/C), t from the start of
     * the congestion-avoidance epoch (Linux adds the minimum RTT to t: bictcp_update). One forced drop
     * during slow start sets W_max; RTT 100 ms keeps the flow in CUBIC's own region (the Reno-friendly
     * estimate stays below W(t)); no bottleneck rate, so nothing else is lost. Within 10%.
     */
    @Test
    void cubic_windowFollowsCubicFunctionAfterLoss() {
        Experiment e = new Experiment(0, 100, 0, 0, 1, "cubic", 16, 3, 1500, 1, 660);
        Result r = e.run();
        FlowTrace t = r.flows().getFirst().trace();
        int loss = -1;
        for (int i = 0; i < t.size(); i++) {
            if (t.ssthresh(i) != Cwnd.INFINITE_SSTHRESH) {
                loss = i;
                break;
            }
        }
        assertTrue(loss > 0, "no loss");
        int ssthresh = t.ssthresh(loss);
        double wmax = 0;
        for (int i = 0; i < loss; i++) wmax = Math.max(wmax, t.cwnd(i));
        // Recovery ends when cwnd = ssthresh (tcp_end_cwnd_reduction); the epoch starts on the next ACK.
        int start = loss;
        while (start < t.size() && t.cwnd(start) < ssthresh) start++;
        while (start < t.size() && t.cwnd(start) == ssthresh) start++;
        double epoch = t.timeNs(start - 1) / 1e9;
        double k = Math.cbrt(wmax * (1 - 0.7) / 0.4);
        double rtt = 0.100, worst = 0;
        String worstAt = "";
        for (int i = start; i < t.size(); i++) {
            double s = t.timeNs(i) / 1e9 - epoch;
            if (s < rtt || s > 2 * k) continue;
            double w = 0.4 * Math.pow(s + rtt - k, 3) + wmax;
            double err = Math.abs(t.cwnd(i) - w) / w;
            if (err > worst) {
                worst = err;
                worstAt = String.format(Locale.ROOT, "t=%.3f s: cwnd %d, W(t) %.1f", s, t.cwnd(i), w);
            }
        }
        System.out.printf(Locale.ROOT, "CUBIC: W_max %.0f, ssthresh %d (β·W_max = %.1f), K %.3f s, largest deviation %.2f%% at %s%n",
                wmax, ssthresh, 0.7 * wmax, k, 100 * worst, worstAt);
        assertEquals(Math.floor(wmax * 717 / 1024), ssthresh, 1);
        assertTrue(worst <= 0.10, "largest deviation " + worst + " at " + worstAt);
    }

    /**
     * Ten CUBIC flows through a 100 Mbit/s, 40 ms RTT bottleneck with a one-BDP drop-tail queue for
     * 60 virtual seconds share it fairly (Jain's index ≥ 0.95) and keep it busy (≥ 90% of the payload
     * capacity).
     */
    @Test
    void fairness_tenCubicFlowsShareTheBottleneck() {
        Result r = Experiment.of(100_000_000, 40, 0, 0, 10, "cubic", 60, 1).run();
        System.out.print("fairness:\n" + r.summary());
        assertTrue(r.jainIndex() >= 0.95, "Jain's index " + r.jainIndex());
        assertTrue(r.utilisation() >= 0.90, "utilisation " + r.utilisation());
    }

    /**
     * Loss recovery resends what was lost and little else. One CUBIC flow, 100 Mbit/s, 20 ms, a BDP
     * queue, 20 virtual seconds: every segment the full queue dropped is retransmitted once (the
     * receiver keeps all out-of-order data, RACK marks only what is lost). With 1% of the packets
     * reordered (they skip the 10 ms one-way delay, netem's "reorder"), RACK learns the reordering
     * degree (tcp_check_sack_reordering) and widens its window on D-SACKs, so spurious
     * retransmissions stay under 5% of the drops and the link stays busy.
     */
    @Test
    void lossRecovery_resendsWhatWasLost_evenWithReordering() {
        Experiment e = Experiment.of(100_000_000, 20, 0, 0, 1, "cubic", 20, 1);
        Result clean = e.run();
        Result reordered = e.withReorder(0.01).run();
        System.out.print("loss recovery:\n" + clean.summary() + reordered.summary());
        Result.FlowResult c = clean.flows().getFirst(), r = reordered.flows().getFirst();
        assertTrue(c.retransmits() - clean.queueDrops() <= clean.queueDrops() / 100,
                c.retransmits() + " retransmits for " + clean.queueDrops() + " drops");
        assertTrue(r.reordering() > 3, "reordering degree " + r.reordering());
        assertTrue(r.retransmits() - reordered.queueDrops() <= reordered.queueDrops() / 20,
                r.retransmits() + " retransmits for " + reordered.queueDrops() + " drops");
        assertTrue(clean.utilisation() >= 0.95 && reordered.utilisation() >= 0.95,
                "utilisation " + clean.utilisation() + ", " + reordered.utilisation());
    }
}
