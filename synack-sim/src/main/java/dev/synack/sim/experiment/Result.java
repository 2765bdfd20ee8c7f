package dev.synack.sim.experiment;

import dev.synack.sim.Aqm;
import dev.synack.sim.plot.LinePlot;
import dev.synack.tcp.cc.Cwnd;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What an {@link Experiment} measured: per flow the bytes the receiver read and the samples; for the
 * run the simulator's work (events fired, packets handed to links) and the wall time it took.
 *
 * @param spec the experiment
 * @param flows per-flow results, in flow order
 * @param events timer events fired by the simulation
 * @param packets packets handed to any link (each hop counts)
 * @param bottleneckPackets packets offered to the bottleneck's data direction
 * @param queueDrops packets the bottleneck's full queue dropped
 * @param randomLosses packets the bottleneck's random loss dropped
 * @param wallNs wall-clock time of the simulation loop
 * @param cpuNs CPU time of the simulating thread in the loop (-1 when the JVM cannot tell): on a
 *     loaded machine the honest measure of the simulator's own cost
 * @param queue the bottleneck queue's congestion signals and delays
 */
public record Result(Experiment spec, List<FlowResult> flows, long events, long packets, long bottleneckPackets,
                     long queueDrops, long randomLosses, long wallNs, long cpuNs, Queue queue) {
    /** A result without queue figures. */
    public Result(Experiment spec, List<FlowResult> flows, long events, long packets, long bottleneckPackets,
                  long queueDrops, long randomLosses, long wallNs, long cpuNs) {
        this(spec, flows, events, packets, bottleneckPackets, queueDrops, randomLosses, wallNs, cpuNs, new Queue(0, 0, 0, 0, 0));
    }

    /**
     * The bottleneck's queue (data direction).
     *
     * @param aqmDrops packets its AQM dropped as a congestion signal (RED's marks without ECN, CoDel's
     *     drops), beside the queue drops of a full queue
     * @param ceMarks packets its AQM marked CE instead
     * @param meanSojournNs the mean time a packet waited for the transmitter
     * @param maxSojournNs the longest
     * @param meanDelayNs the queueing delay a packet arriving would see, averaged over the second half of
     *     the run (sampled every ms): the standing queue
     */
    public record Queue(long aqmDrops, long ceMarks, long meanSojournNs, long maxSojournNs, long meanDelayNs) {}

    /** Every packet the bottleneck dropped for congestion: a full queue, or its AQM's choice. */
    public long congestionDrops() { return queueDrops + queue.aqmDrops(); }
    /**
     * One flow's outcome.
     *
     * @param index flow number
     * @param sender the sender's address
     * @param bytesReceived bytes the receiver read in the whole run
     * @param retransmits segments retransmitted (tcpi_total_retrans)
     * @param trace its samples
     * @param reordering the sender's reordering degree at the end (tcpi_reordering)
     * @param undone cwnd reductions the sender undid as spurious (TCPFullUndo, TCPPartialUndo,
     *     TCPDSACKUndo, TCPLossUndo)
     */
    public record FlowResult(int index, String sender, long bytesReceived, int retransmits, FlowTrace trace,
                             int reordering, long undone) {
        /** A flow's result without loss-recovery details. */
        public FlowResult(int index, String sender, long bytesReceived, int retransmits, FlowTrace trace) {
            this(index, sender, bytesReceived, retransmits, trace, 3, 0);
        }
    }

    /** The run's virtual duration in ns. */
    public long durationNs() { return (long) (spec.durationS() * 1e9); }

    /** A flow's goodput over the whole run, bits/s. */
    public double goodputBps(int flow) { return flows.get(flow).bytesReceived * 8e9 / durationNs(); }

    /**
     * A flow's goodput between two instants, bits/s, from the samples of bytes read by the receiver
     * (the nearest samples at or before each instant).
     */
    public double goodputBps(int flow, long fromNs, long toNs) {
        FlowTrace t = flows.get(flow).trace;
        int a = t.indexAt(fromNs), b = t.indexAt(toNs);
        if (b < 0) return 0;
        long bytesA = a < 0 ? 0 : t.bytesReceived(a), tA = a < 0 ? 0 : t.timeNs(a);
        long span = t.timeNs(b) - tA;
        return span <= 0 ? 0 : (t.bytesReceived(b) - bytesA) * 8e9 / span;
    }

    /** Every flow's goodput summed, over the whole run, bits/s. */
    public double totalGoodputBps() {
        double s = 0;
        for (int i = 0; i < flows.size(); i++) s += goodputBps(i);
        return s;
    }

    /** Every flow's goodput summed between two instants, bits/s. */
    public double totalGoodputBps(long fromNs, long toNs) {
        double s = 0;
        for (int i = 0; i < flows.size(); i++) s += goodputBps(i, fromNs, toNs);
        return s;
    }

    /** Jain's fairness index (Σx)² / (n·Σx²) of the flows' goodputs over the whole run: 1 = equal shares. */
    public double jainIndex() {
        double sum = 0, sq = 0;
        for (int i = 0; i < flows.size(); i++) {
            double x = goodputBps(i);
            sum += x;
            sq += x * x;
        }
        return sq == 0 ? 0 : sum * sum / (flows.size() * sq);
    }

    /**
     * The bottleneck's utilisation over the whole run: total goodput over the payload capacity
     * (rate · MSS/MTU, what full-size segments can carry). NaN without a rate.
     */
    public double utilisation() { return spec.rateBps() == 0 ? Double.NaN : totalGoodputBps() / spec.capacityBps(); }

    /** Simulated packets (link hand-offs) per second of wall time. */
    public double packetsPerWallSecond() { return packets * 1e9 / Math.max(wallNs, 1); }

    /** Events fired per second of wall time. */
    public double eventsPerWallSecond() { return events * 1e9 / Math.max(wallNs, 1); }

    /** A few lines for people. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        Experiment e = spec;
        b.append(String.format(Locale.ROOT, "%d × %s, rate %s, RTT %d ms, %s, loss %s%s%s, %s s virtual, seed %d%n",
                e.flows(), e.algorithm(), e.rateBps() == 0 ? "unlimited" : mbps(e.rateBps()), e.rttMs(), queueText(e),
                e.loss(), e.reorder() > 0 ? ", reorder " + e.reorder() : "", e.ecn() ? ", ECN" : "", trim(e.durationS()), e.seed()));
        if (!e.sysctls().isEmpty()) b.append("sysctls: ").append(String.join(" ", e.sysctls())).append(String.format(Locale.ROOT, "%n"));
        for (int i = 0; i < flows.size(); i++) {
            FlowResult f = flows.get(i);
            b.append(String.format(Locale.ROOT, "  flow %d: goodput %s, %d bytes, %d retransmits", i, mbps(goodputBps(i)),
                    f.bytesReceived, f.retransmits));
            if (e.reorder() > 0) {
                b.append(String.format(Locale.ROOT, ", reordering degree %d, %d reductions undone", f.reordering, f.undone));
            }
            b.append(String.format(Locale.ROOT, "%n"));
        }
        b.append(String.format(Locale.ROOT, "total goodput %s", mbps(totalGoodputBps())));
        if (e.rateBps() > 0) {
            b.append(String.format(Locale.ROOT, ", utilisation %.1f%% of %s payload capacity", 100 * utilisation(),
                    mbps(e.capacityBps())));
        }
        b.append(String.format(Locale.ROOT, ", Jain's index %.4f%n", jainIndex()));
        b.append(String.format(Locale.ROOT, "bottleneck: %d packets, %d queue drops, %d random losses", bottleneckPackets,
                queueDrops, randomLosses));
        if (!(e.aqm() instanceof Aqm.DropTail)) {
            b.append(String.format(Locale.ROOT, ", %s: %d drops, %d CE marks", e.aqm().name(), queue.aqmDrops(), queue.ceMarks()));
        }
        if (e.rateBps() > 0) {
            b.append(String.format(Locale.ROOT, "; queue delay %s ms (second half), per packet mean %s ms, max %s ms",
                    ms(queue.meanDelayNs()), ms(queue.meanSojournNs()), ms(queue.maxSojournNs())));
        }
        b.append(String.format(Locale.ROOT, "%n"));
        // A virtual thread's CPU time is not measured (the lab's server runs experiments on one).
        String cpu = cpuNs < 0 ? "" : String.format(Locale.ROOT, " (%.3f s CPU)", cpuNs / 1e9);
        b.append(String.format(Locale.ROOT, "simulator: %.3f s wall%s, %d events (%.0f/s), %d packets (%.0f/s)%n",
                wallNs / 1e9, cpu, events, eventsPerWallSecond(), packets, packetsPerWallSecond()));
        return b.toString();
    }

    static String mbps(double bps) { return String.format(Locale.ROOT, "%.2f Mbit/s", bps / 1e6); }

    private static String ms(long ns) { return String.format(Locale.ROOT, "%.2f", ns / 1e6); }

    /** "queue 100 packets (BDP 33)" for drop-tail, "fq_codel" or "red (ECN)" for an AQM. */
    private static String queueText(Experiment e) {
        if (e.aqm() instanceof Aqm.DropTail) return String.format(Locale.ROOT, "queue %d packets (BDP %d)", e.queue(), e.bdpPackets());
        return String.format(Locale.ROOT, "%s%s (BDP %d packets)", e.aqm().name(), e.aqm().ecn() ? " marking CE" : "", e.bdpPackets());
    }

    private static String trim(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }

    /**
     * Writes the samples as TSV: a header line, then one line per flow and sample:
     * flow, time_s, cwnd, ssthresh (empty while infinite), srtt_ms, bytes_acked, retransmits.
     */
    public void writeTsv(Path path) throws IOException {
        try (Writer w = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            writeTsv(w);
        }
    }

    public void writeTsv(Writer w) throws IOException {
        w.write("flow\ttime_s\tcwnd\tssthresh\tsrtt_ms\tbytes_acked\tretransmits\n");
        StringBuilder b = new StringBuilder(128);
        for (FlowResult f : flows) {
            FlowTrace t = f.trace;
            for (int i = 0; i < t.size(); i++) {
                b.setLength(0);
                b.append(f.index).append('\t').append(String.format(Locale.ROOT, "%.6f", t.timeNs(i) / 1e9)).append('\t')
                        .append(t.cwnd(i)).append('\t');
                if (t.ssthresh(i) != Cwnd.INFINITE_SSTHRESH) b.append(t.ssthresh(i));
                b.append('\t').append(String.format(Locale.ROOT, "%.3f", t.srttUs(i) / 1e3)).append('\t')
                        .append(t.bytesAcked(i)).append('\t').append(t.retransmits(i)).append('\n');
                w.write(b.toString());
            }
        }
    }

    /** The cwnd of every flow over time, as a {@link LinePlot}. */
    public LinePlot cwndPlot() {
        Experiment e = spec;
        LinePlot p = new LinePlot(String.format(Locale.ROOT, "cwnd: %d × %s, %s, RTT %d ms, queue %d, loss %s", e.flows(),
                e.algorithm(), e.rateBps() == 0 ? "unlimited" : mbps(e.rateBps()), e.rttMs(), e.queue(), e.loss()),
                "time (s)", "cwnd (segments)");
        for (FlowResult f : flows) {
            FlowTrace t = f.trace;
            double[] x = new double[t.size()], y = new double[t.size()];
            for (int i = 0; i < t.size(); i++) {
                x[i] = t.timeNs(i) / 1e9;
                y[i] = t.cwnd(i);
            }
            p.series(String.format(Locale.ROOT, "flow %d (%s)", f.index, mbps(goodputBps(f.index))), x, y);
        }
        return p;
    }

    /** Writes {@link #cwndPlot()} as SVG. */
    public void writeSvg(Path path) throws IOException { cwndPlot().write(path); }
}
