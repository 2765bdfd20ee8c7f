package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.sim.plot.LinePlot;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.trace.TraceEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Congestion control: a bulk flow through a 10 Mbit/s bottleneck with a 20-packet drop-tail queue
 * (RTT 40 ms: a BDP of about 34 segments, so the path holds about 54). CUBIC, Linux's default: cwnd
 * starts at 10 (IW10, RFC 6928) and grows by one segment per segment ACKed in slow start (it doubles
 * per RTT, tcp_slow_start); HyStart (tcp_cubic.c hystart_update) may end slow start before any loss
 * when the RTT rises with the queue — the outcome says whether it did; the queue overflows, SACKed
 * segments mark the losses, fast recovery (PRR, RFC 6937) repairs them without an RTO, and
 * ssthresh = max(cwnd·717/1024, 2) (bictcp_recalc_ssthresh: β ≈ 0.7; Reno's would be 0.5); then
 * the window grows again along CUBIC's curve. The trace of cwnd/ssthresh is printed and an SVG
 * plot is written to a temporary file named in the outcome (and in {@link Outcome#plot()}).
 */
final class Congestion implements Scenario {
    /** ssthresh at or above this is Linux's TCP_INFINITE_SSTHRESH (no reduction yet) for the plot and trace. */
    static final int INFINITE_SSTHRESH = 0x7fff_0000;
    static final int MSS = 1448;
    static final long RATE_BPS = 10_000_000;
    static final int QUEUE = 20, TOTAL = 4 << 20;

    @Override
    public String name() { return "congestion"; }

    @Override
    public String situation() { return "slow start, avoidance, loss, recovery"; }

    @Override
    public String linux() {
        return "cwnd starts at 10 and doubles per RTT (HyStart may end slow start early); on loss CUBIC sets "
                + "ssthresh = cwnd·0.7, fast recovery, then cwnd grows again";
    }

    @Override
    public Outcome run(Knobs k) {
        LinkSpec.Builder bottleneck = LinkSpec.builder().rate(RATE_BPS).queue(QUEUE);
        Lab p = Lab.of(k, 40, bottleneck);
        Network net = p.net();
        net.trace().keepCwndSamples(true);
        p.cable().backward().setSpec(p.cable().forward().spec().toBuilder().rate(0).build()); // ACKs are not rate-limited
        long[] received = {0};
        int[] initialCwnd = {0};
        p.server().spawn("sink", () -> {
            TcpServerSocket ss = new TcpServerSocket(p.server().kernel(), 80);
            InputStream in = ss.accept().getInputStream();
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) received[0] += n;
        });
        p.client().spawn("bulk", () -> {
            TcpSocket s = new TcpSocket(p.client().kernel());
            s.connect(new java.net.InetSocketAddress(p.server().inetAddress(), 80));
            initialCwnd[0] = s.tcpInfo().sndCwnd();
            s.getOutputStream().write(new byte[TOTAL]);
            s.close();
        });
        net.runUntilDone(120_000);

        List<TraceEvent.CwndSample> samples = net.trace().events(TraceEvent.CwndSample.class).stream()
                .filter(c -> c.host().equals("client")).toList();
        long start = samples.isEmpty() ? 0 : samples.getFirst().timeNs();
        // Slow start: cwnd = 10 + segments ACKed, until the first reduction or HyStart.
        int firstReduction = -1;
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i).ssthresh() < INFINITE_SSTHRESH) {
                firstReduction = i;
                break;
            }
        }
        TraceEvent.CwndSample atReduction = firstReduction < 0 ? null : samples.get(firstReduction);
        TraceEvent.CwndSample before = firstReduction <= 0 ? null : samples.get(firstReduction - 1);
        boolean hystart = atReduction != null && !atReduction.caState().equals("RECOVERY") && !atReduction.caState().equals("LOSS");
        TraceEvent.CwndSample firstRecovery = samples.stream().filter(c -> c.caState().equals("RECOVERY")).findFirst().orElse(null);
        int idx = firstRecovery == null ? -1 : samples.indexOf(firstRecovery);
        int cwndBeforeLoss = idx <= 0 ? -1 : samples.get(idx - 1).cwnd();
        long rtos = net.trace().events(TraceEvent.TimerFired.class).stream().filter(t -> t.host().equals("client") && t.timer().equals("rto")).count();
        int maxAfter = 0;
        TraceEvent.CwndSample recoveryEnd = null;
        for (int i = Math.max(0, idx); idx >= 0 && i < samples.size(); i++) {
            if (recoveryEnd == null && !samples.get(i).caState().equals("RECOVERY")) recoveryEnd = samples.get(i);
            if (recoveryEnd != null) maxAfter = Math.max(maxAfter, samples.get(i).cwnd());
        }
        // Doubling per RTT: the cwnd after the ACKs of the first 10 and of the next 20 segments.
        List<Integer> rounds = new ArrayList<>();
        for (TraceEvent.CwndSample c : samples) {
            if (c.ssthresh() < INFINITE_SSTHRESH) break;
            if (c.cwnd() == 20 || c.cwnd() == 40) if (!rounds.contains(c.cwnd())) rounds.add(c.cwnd());
        }

        Path svg;
        try {
            svg = Files.createTempFile("synack-congestion-", ".svg");
            plot("CUBIC through a 10 Mbit/s bottleneck, 20-packet queue, RTT " + p.rttText(), samples, start).write(svg);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("initial cwnd (IW10)", 10, initialCwnd[0]));
        checks.add(Check.of("slow start: cwnd reaches 20, then 40 (+1 per segment ACKed: doubling per RTT)", List.of(20, 40), rounds));
        checks.add(Check.of("a loss enters fast recovery", true, firstRecovery != null));
        checks.add(Check.of("ssthresh on loss = max(cwnd·717/1024, 2) (CUBIC β ≈ 0.7)",
                Math.max(cwndBeforeLoss * 717 / 1024, 2), firstRecovery == null ? -1 : firstRecovery.ssthresh()));
        checks.add(Check.of("no RTO (fast recovery repairs the losses)", 0, rtos));
        // After a recovery ends (cwnd = ssthresh, tcp_end_cwnd_reduction), CUBIC grows the window again;
        // with cwnd above the path's capacity a later loss may come before it passes the old ssthresh,
        // so the check is growth after the last recovery that has samples after it.
        int lastExitCwnd = -1, grownAfter = -1;
        for (int i = 1; i < samples.size(); i++) {
            boolean exit = samples.get(i - 1).caState().equals("RECOVERY") && samples.get(i).caState().equals("OPEN");
            if (exit) {
                lastExitCwnd = samples.get(i).cwnd();
                grownAfter = lastExitCwnd;
            } else if (lastExitCwnd >= 0 && !samples.get(i).caState().equals("RECOVERY")) {
                grownAfter = Math.max(grownAfter, samples.get(i).cwnd());
            } else if (samples.get(i).caState().equals("RECOVERY") && grownAfter > lastExitCwnd) {
                break; // it grew before the next loss
            }
        }
        checks.add(Check.of("cwnd grows again after a recovery (CUBIC)", true, lastExitCwnd >= 0 && grownAfter > lastExitCwnd));
        checks.add(Check.of("bytes delivered", TOTAL, received[0]));
        String text = String.format(Locale.ROOT, "%s; first loss at cwnd %d → ssthresh %d at %s; peak after recovery %d; %d cwnd samples; plot: %s",
                hystart ? "HyStart ended slow start at cwnd " + before.cwnd() + " (ssthresh " + atReduction.ssthresh() + ") at "
                        + Story.seconds(atReduction.timeNs() - start) + " before any loss" : "slow start ended by loss",
                cwndBeforeLoss, firstRecovery == null ? -1 : firstRecovery.ssthresh(),
                firstRecovery == null ? "-" : Story.seconds(firstRecovery.timeNs() - start), maxAfter, samples.size(), svg);
        return new Outcome(name(), net, text, firstRecovery == null ? -1 : firstRecovery.timeNs(), checks, svg);
    }

    /** The cwnd/ssthresh trace as text: one line per change ("0.123 s cwnd 20 ssthresh - OPEN"). */
    static String trace(Outcome o) {
        StringBuilder sb = new StringBuilder();
        List<TraceEvent.CwndSample> samples = o.network().trace().events(TraceEvent.CwndSample.class).stream()
                .filter(c -> c.host().equals("client")).toList();
        long start = samples.isEmpty() ? 0 : samples.getFirst().timeNs();
        int lastCwnd = -1, lastSs = -1;
        for (TraceEvent.CwndSample c : samples) {
            if (c.cwnd() == lastCwnd && c.ssthresh() == lastSs) continue;
            lastCwnd = c.cwnd();
            lastSs = c.ssthresh();
            sb.append(String.format(Locale.ROOT, "%s cwnd %d ssthresh %s %s%n", Story.seconds(c.timeNs() - start), c.cwnd(),
                    c.ssthresh() >= INFINITE_SSTHRESH ? "-" : String.valueOf(c.ssthresh()), c.caState()));
        }
        return sb.toString();
    }

    /**
     * cwnd as a step line and ssthresh dashed (left out while "infinite", before the first
     * reduction), in segments, over time from {@code startNs}.
     */
    static LinePlot plot(String title, List<TraceEvent.CwndSample> samples, long startNs) {
        int n = samples.size(), finite = 0;
        double[] t = new double[n], cw = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = (samples.get(i).timeNs() - startNs) / 1e9;
            cw[i] = samples.get(i).cwnd();
            if (samples.get(i).ssthresh() < INFINITE_SSTHRESH) finite++;
        }
        double[] st = new double[finite], ss = new double[finite];
        for (int i = 0, j = 0; i < n; i++) {
            if (samples.get(i).ssthresh() < INFINITE_SSTHRESH) {
                st[j] = t[i];
                ss[j++] = samples.get(i).ssthresh();
            }
        }
        return new LinePlot(title, "time (s)", "segments").series("cwnd", t, cw, true, false)
                .series("ssthresh", st, ss, false, true);
    }
}
