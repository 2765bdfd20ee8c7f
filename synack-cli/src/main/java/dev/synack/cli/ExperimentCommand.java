package dev.synack.cli;

import dev.synack.sim.experiment.Experiment;
import dev.synack.sim.experiment.ExperimentKnob;
import dev.synack.sim.experiment.Result;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
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
        subcommands = {FloodCommand.class, StarCommand.class},
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
        Map<ExperimentKnob, String> given = new EnumMap<>(ExperimentKnob.class);
        given.put(ExperimentKnob.RATE, rate);
        given.put(ExperimentKnob.RTT, String.valueOf(rttMs));
        given.put(ExperimentKnob.QUEUE, queue);
        given.put(ExperimentKnob.LOSS, String.valueOf(loss));
        given.put(ExperimentKnob.REORDER, String.valueOf(reorder));
        given.put(ExperimentKnob.SYSCTL, String.join(" ", sysctls));
        given.put(ExperimentKnob.FLOWS, String.valueOf(flows));
        given.put(ExperimentKnob.CC, cc);
        given.put(ExperimentKnob.DURATION, String.valueOf(durationS));
        given.put(ExperimentKnob.SEED, String.valueOf(seed.seed()));
        given.put(ExperimentKnob.SAMPLE, String.valueOf(sampleMs));
        given.put(ExperimentKnob.AQM, aqm);
        given.put(ExperimentKnob.ECN, ecn ? "on" : "off");
        Experiment e = ExperimentKnob.parse(given, this::bad);
        OutputFile.check(spec, "--tsv", tsv);
        OutputFile.check(spec, "--svg", svg);
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
}
