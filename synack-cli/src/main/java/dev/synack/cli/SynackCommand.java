package dev.synack.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code synack} command line.
 *
 * <p>Exit status: 0 on success; 2 on bad input (unknown command or option, malformed value), after
 * printing exactly one line to stderr that names the problem.
 */
@Command(
        name = "synack",
        mixinStandardHelpOptions = true,
        versionProvider = SynackCommand.Version.class,
        description = "A Linux-faithful TCP/IP stack in pure Java, with a deterministic network lab.",
        subcommands = CommandLine.HelpCommand.class)
public final class SynackCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    public SynackCommand(PrintStream out) {
        this.out = out;
    }

    static void main(String[] args) {
        System.exit(commandLine(System.out, System.err).execute(args));
    }

    /** The configured command line, printing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new SynackCommand(out));
        cl.getSubcommands().get("bench").addSubcommand(new BenchSim(out)); // before setOut/setErr, like the others
        return cl.addSubcommand(new ScenarioCommand(out))
                .addSubcommand(new ExperimentCommand(out))
                .addSubcommand(new TunCommand(out, System.in)) // before setOut/setErr, which reach existing subcommands only
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setParameterExceptionHandler(SynackCommand::rejectInput);
    }

    /** {@code synack} alone: a command is required. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = {"Replay every scenario of the lab with the default knobs: a table of what the application saw,",
                    "when, and whether it matches Linux, then the wall time. Exit status 0 when all match, 1 otherwise."})
    int demo() {
        return Demo.run(out);
    }

    @Command(name = "packetdrill", mixinStandardHelpOptions = true,
            description = {"Play packetdrill scripts against a simulated synack host in virtual time.",
                    "Prints PASS or FAIL per script (with the first mismatch: line, expected and actual packet),",
                    "the failures grouped by reason, and 'N passed, N failed'. Exit status 0 when all pass, 1 otherwise."})
    int packetdrill(
            @CommandLine.Option(names = "--tolerance_usecs", paramLabel = "US",
                    description = "Timing tolerance for outbound packets and returning calls, as packetdrill's option (default 4000; a script's own option wins).")
            Long toleranceUs,
            @CommandLine.Parameters(paramLabel = "FILE|DIR", arity = "1..*",
                    description = "Script files (.pkt) or folders searched for them.") java.util.List<java.nio.file.Path> paths) {
        for (java.nio.file.Path p : paths) {
            if (!java.nio.file.Files.exists(p)) {
                throw new ParameterException(spec.commandLine().getSubcommands().get("packetdrill"),
                        "no such file or folder: " + p);
            }
        }
        var scripts = dev.synack.packetdrill.Report.scripts(paths);
        if (scripts.isEmpty()) {
            throw new ParameterException(spec.commandLine().getSubcommands().get("packetdrill"),
                    "no .pkt scripts in " + paths);
        }
        if (toleranceUs != null && (toleranceUs < 0 || toleranceUs > 10_000_000)) {
            throw new ParameterException(spec.commandLine().getSubcommands().get("packetdrill"),
                    "bad --tolerance_usecs: 0 ≤ US ≤ 10000000");
        }
        var options = toleranceUs == null ? java.util.List.<String>of() : java.util.List.of("--tolerance_usecs=" + toleranceUs);
        var results = dev.synack.packetdrill.Report.run(scripts, options, out);
        return results.stream().allMatch(dev.synack.packetdrill.Result::passed) ? 0 : 1;
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
            subcommands = BenchTun.class)
    int bench() {
        throw new ParameterException(spec.commandLine().getSubcommands().get("bench"), "missing benchmark (sim, tun)");
    }

    /** Bad input: one line on stderr, naming the problem; nothing on stdout. */
    static int rejectInput(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String problem = switch (ex) {
            case UnmatchedArgumentException u when u.isUnknownOption() ->
                    "unknown option '" + u.getUnmatched().getFirst() + "'";
            case UnmatchedArgumentException u when !cmd.getSubcommands().isEmpty() ->
                    "unknown command '" + u.getUnmatched().getFirst() + "'";
            case UnmatchedArgumentException u -> "unexpected argument '" + u.getUnmatched().getFirst() + "'";
            default -> String.valueOf(ex.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
        };
        PrintWriter err = cmd.getErr();
        err.println(name + ": " + problem + " (see '" + name + " --help')");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The project version, filtered into {@code version.properties} at build time. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            var props = new Properties();
            try (InputStream in = SynackCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) props.load(in);
            }
            return new String[] {"synack " + props.getProperty("version", "unknown")};
        }
    }
}
