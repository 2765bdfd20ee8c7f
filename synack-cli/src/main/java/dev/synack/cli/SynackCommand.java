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
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code synack} command line.
 *
 * <p>Every command is a class annotated with {@code @Command} and listed in its parent's
 * {@code subcommands} (this class for the top-level commands, {@link BenchCommand} and
 * {@link TunCommand} for theirs); picocli makes each through {@link Console#factory()}, which hands it
 * the streams. Adding a command is writing its class and adding it to its parent's list; it inherits
 * -h/--help and -V/--version from here, and takes the options it shares with other commands as
 * mixins ({@link SeedOption}) or model transformers ({@link ScenarioKnobs}).
 *
 * <p>Exit status: 0 on success; 2 on bad input (unknown command or option, malformed value), after
 * printing exactly one line to stderr that names the problem.
 */
@Command(
        name = "synack",
        // -h/--help and -V/--version, and the version they print, for this command and every subcommand.
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = SynackCommand.Version.class,
        description = "A Linux-faithful TCP/IP stack in pure Java, with a deterministic network lab.",
        subcommands = {
            CommandLine.HelpCommand.class,
            BenchCommand.class,
            DemoCommand.class,
            LabCommand.class,
            PacketdrillCommand.class,
            ScenarioCommand.class,
            ExperimentCommand.class,
            FuzzCommand.class,
            OracleCommand.class,
            TunCommand.class,
        })
public final class SynackCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    static void main(String[] args) {
        System.exit(commandLine(System.out, System.err).execute(args));
    }

    /** The configured command line, printing to {@code out} and {@code err}; {@code tun connect} reads System.in. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        return commandLine(new Console(out, err, System.in));
    }

    /** The configured command line on {@code console}'s streams. */
    static CommandLine commandLine(Console console) {
        return new CommandLine(SynackCommand.class, console.factory())
                .setOut(new PrintWriter(console.out(), true))
                .setErr(new PrintWriter(console.err(), true))
                .setParameterExceptionHandler(SynackCommand::rejectInput);
    }

    /** {@code synack} alone: a command is required. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command");
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
