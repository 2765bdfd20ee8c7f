package dev.synack.cli;

import dev.synack.sim.Aqm;
import dev.synack.sim.experiment.Experiment;
import dev.synack.sim.experiment.Result;
import dev.synack.tcp.cc.CongestionControl;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack experiment}: bulk flows over a dumbbell bottleneck in virtual time; prints per-flow
 * goodput, utilisation and Jain's index, and writes the per-flow trace as TSV and an SVG plot. Exit
 * status 0; 2 on bad input (one line on stderr; nothing run, nothing written).
 */
@Command(name = "experiment",
        subcommands = {FloodCommand.class},
        description = {"Run bulk TCP flows through a bottleneck (rate, RTT, queue or AQM, random loss, reordering, ECN) in virtual time.",
                "Prints each flow's goodput, the link's utilisation and Jain's fairness index; --tsv writes the per-flow trace",
                "(time, cwnd, ssthresh, srtt, bytes acked, retransmits), --svg a plot of cwnd over time."})
final class ExperimentCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--rate", paramLabel = "RATE", description = "Bottleneck rate in bit/s, with k, M or G (default 100M); 0 = unlimited.")
    private String rate = "100M";

    @Option(names = "--rtt", paramLabel = "MS", description = "Round-trip propagation delay in ms (default 40).")
    private int rttMs = 40;

    @Option(names = "--queue", paramLabel = "BDP|N", description = "Drop-tail queue: BDP (one bandwidth-delay product, default) or N packets; RED's limit with --aqm red.")
    private String queue = "BDP";

    @Option(names = "--aqm", paramLabel = "AQM", description = "The bottleneck's queue discipline: droptail (default), red, codel or fq_codel (Linux's defaults; fq_codel marks CE, red and codel only with --ecn).")
    private String aqm = "droptail";

    @Option(names = "--ecn", description = "Every host asks for ECN (tcp_ecn=1): data goes ECT(0), and red and codel mark CE instead of dropping.")
    private boolean ecn;

    @Option(names = "--loss", paramLabel = "P", description = "Random loss of data packets at the bottleneck, 0 ≤ P < 1 (default 0).")
    private double loss;

    @Option(names = "--reorder", paramLabel = "P", description = "Probability a data packet skips the bottleneck's delay and arrives early (netem's reorder), 0 ≤ P < 1 (default 0).")
    private double reorder;

    @Option(names = "--sysctl", paramLabel = "NAME=VALUE", description = "A sysctl for every host, as Linux names it (e.g. tcp_recovery=0, tcp_frto=0, tcp_reordering=10); repeatable.")
    private java.util.List<String> sysctls = new java.util.ArrayList<>();

    @Option(names = "--flows", paramLabel = "N", description = "Number of bulk flows, 1 to 200 (default 1).")
    private int flows = 1;

    @Option(names = "--cc", paramLabel = "ALG", description = "Congestion control (default cubic).")
    private String cc = "cubic";

    @Option(names = "--duration", paramLabel = "S", description = "Virtual seconds, up to 3600 (default 60).")
    private double durationS = 60;

    @Mixin
    private SeedOption seed;

    @Option(names = "--sample", paramLabel = "MS", description = "Interval between samples in ms (default: one RTT).")
    private double sampleMs;

    @Option(names = "--tsv", paramLabel = "FILE", description = "Write the per-flow samples as TSV.")
    private Path tsv;

    @Option(names = "--svg", paramLabel = "FILE", description = "Write a plot of every flow's cwnd over time (SVG).")
    private Path svg;

    ExperimentCommand(Console console) {
        this.out = console.out();
    }

    private ParameterException bad(String problem) { return new ParameterException(spec.commandLine(), problem); }

    @Override
    public Integer call() {
        long rateBps = parseRate(rate);
        if (rttMs < 1 || rttMs > 10_000) throw bad("bad --rtt '" + rttMs + "': expected 1 to 10000 ms");
        int queuePackets;
        if (queue.equalsIgnoreCase("BDP")) {
            queuePackets = 0;
        } else {
            try {
                queuePackets = Integer.parseInt(queue);
            } catch (NumberFormatException e) {
                queuePackets = -1;
            }
            if (queuePackets < 1 || queuePackets > 1_000_000) throw bad("bad --queue '" + queue + "': expected BDP or 1 to 1000000 packets");
        }
        if (!(loss >= 0 && loss < 1)) throw bad("bad --loss '" + loss + "': expected 0 ≤ P < 1");
        if (!(reorder >= 0 && reorder < 1)) throw bad("bad --reorder '" + reorder + "': expected 0 ≤ P < 1");
        if (flows < 1 || flows > 200) throw bad("bad --flows '" + flows + "': expected 1 to 200");
        if (!CongestionControl.names().contains(cc)) {
            throw bad("bad --cc '" + cc + "': one of " + String.join(", ", CongestionControl.names()));
        }
        if (!(durationS > 0 && durationS <= 3600)) throw bad("bad --duration '" + durationS + "': expected 0 < S ≤ 3600");
        if (!(sampleMs >= 0 && sampleMs <= 60_000)) throw bad("bad --sample '" + sampleMs + "': expected 0 to 60000 ms");
        if (rateBps == 0 && queue.equalsIgnoreCase("BDP") && loss == 0) {
            throw bad("an unlimited --rate needs --loss > 0 (nothing else would limit the flows)");
        }
        OutputFile.check(spec, "--tsv", tsv);
        OutputFile.check(spec, "--svg", svg);
        Experiment e;
        try {
            e = new Experiment(rateBps, rttMs, queuePackets, loss, flows, cc, durationS, seed.seed(), 1500, sampleMs, 0, reorder, sysctls);
        } catch (IllegalArgumentException ex) {
            throw bad("bad --sysctl: " + ex.getMessage());
        }
        Aqm q;
        try {
            q = Aqm.of(aqm, rateBps, e.queue(), ecn);
            e = e.withAqm(q).withEcn(ecn);
        } catch (IllegalArgumentException ex) {
            throw bad("bad --aqm '" + aqm + "': " + ex.getMessage());
        }
        Result r = e.run();
        out.print(r.summary());
        if (tsv != null) {
            OutputFile.write(spec, "--tsv", tsv, r::writeTsv);
            out.println("tsv: " + tsv);
        }
        if (svg != null) {
            OutputFile.write(spec, "--svg", svg, r::writeSvg);
            out.println("plot: " + svg);
        }
        return 0;
    }

    /** "100M" → 100_000_000; k, M, G are powers of 1000 (as tc and iperf count bits). */
    private long parseRate(String text) {
        String t = text.strip();
        long mult = 1;
        if (!t.isEmpty()) {
            switch (Character.toUpperCase(t.charAt(t.length() - 1))) {
                case 'K' -> mult = 1_000L;
                case 'M' -> mult = 1_000_000L;
                case 'G' -> mult = 1_000_000_000L;
                default -> mult = 1;
            }
            if (mult > 1) t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v >= 0) || v * mult > 100e9 || !t.matches("[0-9.]+")) throw new NumberFormatException();
            long bps = Math.round(v * mult);
            if (bps > 0 && bps < 10_000) throw new NumberFormatException();
            return bps;
        } catch (NumberFormatException e) {
            throw bad(String.format(Locale.ROOT, "bad --rate '%s': expected bits/s such as 100M, 1G or 500k (10k to 100G, or 0)", text));
        }
    }
}
