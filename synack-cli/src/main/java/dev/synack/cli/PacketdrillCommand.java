package dev.synack.cli;

import dev.synack.packetdrill.Report;
import dev.synack.packetdrill.Result;
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
                "the failures grouped by reason, and 'N passed, N failed'. Exit status 0 when all pass, 1 otherwise."})
final class PacketdrillCommand implements Callable<Integer> {
    private final Console console;

    @Spec
    private CommandSpec spec;

    @Option(names = "--tolerance_usecs", paramLabel = "US",
            description = "Timing tolerance for outbound packets and returning calls, as packetdrill's option (default 4000; a script's own option wins).")
    private Long toleranceUs;

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
        var results = Report.run(scripts, options, console.out());
        return results.stream().allMatch(Result::passed) ? 0 : 1;
    }
}
