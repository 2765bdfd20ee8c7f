package dev.synack.cli;

import dev.synack.packetdrill.Report;
import dev.synack.packetdrill.Result;
import dev.synack.packetdrill.Runner;
import dev.synack.linux.KernelPacketdrill;
import dev.synack.linux.LinuxWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code synack packetdrill}: plays packetdrill scripts against a simulated synack host (see docs/PACKETDRILL.md). */
@Command(name = "packetdrill",
        description = {"Play packetdrill scripts against a simulated synack host in virtual time.",
                "Prints PASS or FAIL per script (with the first mismatch: line, expected and actual packet),",
                "the failures grouped by reason, and 'N passed, N failed'. Exit status 0 when all pass, 1 otherwise.",
                "With --against-linux (root): each script also played by the real packetdrill against this machine's",
                "kernel, and synack judged by what Linux did: both pass, or both stop at the same line with the same",
                "packet, is agreement. Exit status 0 when every script agrees, 1 otherwise."})
final class PacketdrillCommand implements Callable<Integer> {
    private final Console console;

    @Spec
    private CommandSpec spec;

    @Option(names = "--tolerance_usecs", paramLabel = "US",
            description = "Timing tolerance for outbound packets and returning calls, as packetdrill's option (default 4000; a script's own option wins).")
    private Long toleranceUs;

    @Option(names = "--against-linux", description = "Also play each script with the real packetdrill against this machine's kernel (root) and compare.")
    private boolean againstLinux;

    @Option(names = "--packetdrill", paramLabel = "PATH",
            description = "The packetdrill binary for --against-linux (default: $PACKETDRILL, else packetdrill on the PATH; build it from google/packetdrill).")
    private Path packetdrill;

    @Parameters(paramLabel = "FILE|DIR", arity = "1..*", description = "Script files (.pkt) or folders searched for them.")
    private List<Path> paths;

    PacketdrillCommand(Console console) {
        this.console = console;
    }

    private ParameterException bad(String problem) { return new ParameterException(spec.commandLine(), problem); }

    @Override
    public Integer call() {
        for (Path p : paths) {
            if (!Files.exists(p)) throw bad("no such file or folder: " + p);
        }
        var scripts = Report.scripts(paths);
        if (scripts.isEmpty()) throw bad("no .pkt scripts in " + paths);
        if (toleranceUs != null && (toleranceUs < 0 || toleranceUs > 10_000_000)) throw bad("bad --tolerance_usecs: 0 ≤ US ≤ 10000000");
        var options = toleranceUs == null ? List.<String>of() : List.of("--tolerance_usecs=" + toleranceUs);
        if (againstLinux) return againstLinux(scripts, options);
        if (packetdrill != null) throw bad("--packetdrill is for --against-linux");
        var results = Report.run(scripts, options, console.out());
        return results.stream().allMatch(Result::passed) ? 0 : 1;
    }

    private int againstLinux(List<Path> scripts, List<String> options) {
        String why = LinuxWorld.unavailable();
        if (why != null) throw bad("--against-linux needs this machine's kernel in a network namespace: " + why);
        KernelPacketdrill linux = KernelPacketdrill.find(packetdrill).orElseThrow(() -> bad(packetdrill != null
                ? "no packetdrill executable at " + packetdrill
                : "no packetdrill: give --packetdrill PATH or set PACKETDRILL (build it from google/packetdrill, gtests/net/packetdrill)"));
        var out = console.out();
        out.println("Linux: " + linux.binary() + " on this machine's kernel, a network namespace per script");
        int agree = 0;
        for (Path script : scripts) {
            Result synack = Runner.run(script, options);
            KernelPacketdrill.Run kernel;
            try {
                kernel = linux.run(script, options, 120);
            } catch (java.io.IOException e) {
                out.println("ERROR " + script + ": " + e.getMessage());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            PacketdrillVerdict v = PacketdrillVerdict.of(synack, kernel);
            if (v.agrees()) agree++;
            out.println((v.agrees() ? "AGREE  " : "DIFFER ") + script + ": " + v.text());
        }
        out.println(agree + " of " + scripts.size() + " scripts agree with Linux");
        return agree == scripts.size() ? 0 : 1;
    }
}
