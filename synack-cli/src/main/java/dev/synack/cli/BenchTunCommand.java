package dev.synack.cli;

import dev.synack.tun.TunBench;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code synack bench tun}: synack over TUN against the kernel over veth (needs root). */
@Command(name = "tun",
        description = "Throughput and 1-byte round trips, kernel↔synack over TUN vs kernel↔kernel over veth (root).")
final class BenchTunCommand implements Callable<Integer> {
    private final Console console;

    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "S", description = "seconds per figure (default ${DEFAULT-VALUE})", defaultValue = "3")
    double seconds;

    @Option(names = "--mtu", paramLabel = "MTU", split = ",", description = "MTUs (default 1500,65000)", defaultValue = "1500,65000")
    List<Integer> mtus;

    BenchTunCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        if (!(seconds > 0 && seconds <= 600)) throw new ParameterException(spec.commandLine(), "bad --seconds: 0 < S ≤ 600");
        for (int m : mtus) {
            if (m < 576 || m > 65535) throw new ParameterException(spec.commandLine(), "bad --mtu " + m + ": 576 to 65535");
        }
        return TunBench.run(console.out(), mtus, seconds);
    }
}
