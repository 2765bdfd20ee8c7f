package dev.synack.cli;

import dev.synack.tun.TunBench;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack bench tun}: synack over TUN against gVisor's netstack over TUN and the kernel over veth,
 * alternately in one run (needs root).
 */
@Command(name = "tun",
        description = {"Throughput both ways and 1-byte round trips, kernel↔synack over TUN, against gVisor's netstack over TUN",
                "(its peer program, when present: " + NetstackAnchor.WHERE + ")",
                "and kernel↔kernel over veth, alternately in one run (root). Each sitting, then medians and ratios."})
final class BenchTunCommand implements Callable<Integer> {
    private final Console console;

    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "S", description = "seconds per figure (default ${DEFAULT-VALUE})", defaultValue = "3")
    double seconds;

    @Option(names = "--mtu", paramLabel = "MTU", split = ",", description = "MTUs (default 1500,65000)", defaultValue = "1500,65000")
    List<Integer> mtus;

    @Option(names = "--sittings", paramLabel = "N", description = "Runs of each side per MTU, alternating (default ${DEFAULT-VALUE}).", defaultValue = "3")
    int sittings;

    @Option(names = "--netstack", paramLabel = "PATH", description = "gVisor's netstack peer program (default: ${TMPDIR:-/tmp}/gv/gvpeer, or built from " + NetstackAnchor.WHERE + ").")
    Path netstack;

    @Option(names = "--offload", paramLabel = "MODE", description = "synack's device offloads (IFF_VNET_HDR, TSO and checksum offload): auto (where they help: MTU ≤ 32807, as synack tun), on, off, or both, alternating (default ${DEFAULT-VALUE}).", defaultValue = "auto")
    String offload;

    @Option(names = "--no-anchor", description = "Without the netstack anchor (veth still runs).")
    boolean noAnchor;

    BenchTunCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        if (!(seconds > 0 && seconds <= 600)) throw new ParameterException(spec.commandLine(), "bad --seconds: 0 < S ≤ 600");
        for (int m : mtus) {
            if (m < 576 || m > 65535) throw new ParameterException(spec.commandLine(), "bad --mtu " + m + ": 576 to 65535");
        }
        if (sittings < 1 || sittings > 20) throw new ParameterException(spec.commandLine(), "bad --sittings: 1 ≤ N ≤ 20");
        TunBench.Modes modes = switch (offload) {
            case "auto" -> TunBench.Modes.AUTO;
            case "off" -> TunBench.Modes.PLAIN;
            case "on" -> TunBench.Modes.OFFLOAD;
            case "both" -> TunBench.Modes.BOTH;
            default -> throw new ParameterException(spec.commandLine(), "bad --offload " + offload + ": auto, on, off or both");
        };
        Path program = null;
        if (!noAnchor) {
            NetstackAnchor.Found found = NetstackAnchor.find(netstack, console.out());
            if (found.program() != null) {
                program = found.program();
                console.out().println("anchor: gVisor netstack peer " + program);
            } else {
                console.out().println("anchor: none — " + found.why() + "; synack and veth only");
            }
        }
        return TunBench.run(console.out(), mtus, seconds, sittings, program, modes);
    }
}
