package dev.synack.cli;

import dev.synack.sim.experiment.ExperimentKnob;
import dev.synack.sim.experiment.Star;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack experiment star}: many short flows from one server to clients over a star ({@link Star}),
 * ns-3's anchor workload S5; prints flow-completion times and the run's cost as {@code key=value}
 * lines. Exit status 0; 2 on bad input (one line on stderr, nothing run).
 */
@Command(name = "star",
        description = {"Short flows over a star in virtual time: a server (1 Gbit/s, 1 ms) and clients (100 Mbit/s, 5 ms each, queues of 100",
                "packets) behind one hub; flow k starts at k·spread/flows, the server sends it BYTES to client k mod N and closes.",
                "Prints the flow-completion times (min, median, mean, p90, p99, max) and the run's events, wall and CPU time and heap,",
                "as key=value lines like ns-3's anchor program 'star'."})
final class StarCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--clients", paramLabel = "N", description = "Client hosts, 1 to 1000 (default 100).")
    private int clients = 100;

    @Option(names = "--flows", paramLabel = "N", description = "Transfers, 1 to 100000 (default 1000).")
    private int flows = 1000;

    @Option(names = "--bytes", paramLabel = "N", description = "Bytes per transfer (default 102400).")
    private long bytes = 100 * 1024;

    @Option(names = "--spread", paramLabel = "S", description = "The flows start evenly over S virtual seconds (default 10).")
    private double spreadS = 10;

    @Option(names = "--server-rate", paramLabel = "RATE", description = "The server link's rate in bit/s, with k, M or G (default 1G).")
    private String serverRate = "1G";

    @Option(names = "--cc", paramLabel = "ALG", description = "Congestion control (default newreno, as ns-3's anchor).")
    private String cc = "newreno";

    @Option(names = "--max-time", paramLabel = "S", description = "Virtual-time cap in seconds (default 120).")
    private double maxTimeS = 120;

    @Mixin
    private SeedOption seed;

    StarCommand(Console console) {
        this.out = console.out();
    }

    private ParameterException bad(String problem) { return new ParameterException(spec.commandLine(), problem); }

    @Override
    public Integer call() {
        long rate = ExperimentKnob.parseRate(serverRate, m -> new ParameterException(spec.commandLine(), m.replace("--rate", "--server-rate")));
        if (rate == 0) throw bad("bad --server-rate '0': the server's link needs a rate");
        if (clients < 1 || clients > 1000) throw bad("bad --clients '" + clients + "': expected 1 to 1000");
        if (flows < 1 || flows > 100_000) throw bad("bad --flows '" + flows + "': expected 1 to 100000");
        if (bytes < 1 || bytes > (1L << 30)) throw bad("bad --bytes '" + bytes + "': expected 1 to 1073741824");
        if (!(spreadS >= 0 && spreadS <= 3600)) throw bad("bad --spread '" + spreadS + "': expected 0 to 3600 s");
        if (!(maxTimeS > 0 && maxTimeS <= 3600)) throw bad("bad --max-time '" + maxTimeS + "': expected 0 < S ≤ 3600");
        Star star;
        try {
            star = new Star(clients, flows, bytes, spreadS, rate, cc, maxTimeS, seed.seed());
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage()); // the congestion control's name, or flows per client
        }
        out.print(star.run().summary());
        return 0;
    }
}
