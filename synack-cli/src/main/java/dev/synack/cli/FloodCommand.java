package dev.synack.cli;

import dev.synack.sim.experiment.SynFlood;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack experiment flood}: a SYN flood against a listener with legitimate clients connecting
 * meanwhile ({@link SynFlood}), once per tcp_syncookies setting asked for (by default with cookies, 1,
 * and without, 0). Exit status 0; 2 on bad input (one line on stderr, nothing run).
 */
@Command(name = "flood",
        description = {"A SYN flood in virtual time: spoofed SYNs from random sources in 198.18.0.0/15 at a given rate, and legitimate",
                "clients connecting meanwhile. Prints the clients' success rate within one RTT + a jiffy, their connect latency,",
                "the SYN queue, the server's cookie counters and the heap used, for each tcp_syncookies setting."})
final class FloodCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--syn-rate", paramLabel = "N", description = "Spoofed SYNs per second, 0 to 10000000 (default 100000).")
    private int synRate = 100_000;

    @Option(names = "--clients", paramLabel = "N", description = "Legitimate connects spread over the flood, 1 to 20000 (default 200).")
    private int clients = 200;

    @Option(names = "--duration", paramLabel = "S", description = "Virtual seconds of flood, up to 60 (default 3); one more second follows.")
    private double durationS = 3;

    @Option(names = "--rtt", paramLabel = "MS", description = "Round-trip time between the clients and the server in ms (default 20).")
    private int rttMs = 20;

    @Option(names = "--backlog", paramLabel = "N", description = "The server's listen() backlog, 0 to 65535 (default 128).")
    private int backlog = 128;

    @Option(names = "--syncookies", paramLabel = "V[,V...]", split = ",",
            description = "The server's tcp_syncookies, each 0, 1 or 2; one run per value (default 1,0).")
    private List<Integer> syncookies = new ArrayList<>(List.of(1, 0));

    @Mixin
    private SeedOption seed;

    FloodCommand(Console console) {
        this.out = console.out();
    }

    private ParameterException bad(String problem) { return new ParameterException(spec.commandLine(), problem); }

    @Override
    public Integer call() {
        if (synRate < 0 || synRate > 10_000_000) throw bad("bad --syn-rate '" + synRate + "': expected 0 to 10000000");
        if (clients < 1 || clients > 20_000) throw bad("bad --clients '" + clients + "': expected 1 to 20000");
        if (!(durationS > 0 && durationS <= 60)) throw bad("bad --duration '" + durationS + "': expected 0 < S ≤ 60");
        if (rttMs < 1 || rttMs > 10_000) throw bad("bad --rtt '" + rttMs + "': expected 1 to 10000 ms");
        if (backlog < 0 || backlog > 65_535) throw bad("bad --backlog '" + backlog + "': expected 0 to 65535");
        for (int v : syncookies) if (v < 0 || v > 2) throw bad("bad --syncookies '" + v + "': expected 0, 1 or 2");
        boolean first = true;
        for (int v : syncookies) {
            if (!first) out.println();
            first = false;
            out.print(new SynFlood(synRate, clients, durationS, rttMs, backlog, v, seed.seed()).run().summary());
        }
        return 0;
    }
}
