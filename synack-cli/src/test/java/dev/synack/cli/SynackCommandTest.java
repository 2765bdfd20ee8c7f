package dev.synack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class SynackCommandTest {
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status;
        try (var o = new PrintStream(out, true, StandardCharsets.UTF_8);
                var e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = SynackCommand.commandLine(o, e).execute(args);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every command of the tree as the words that name it ("bench", "sim"), depth first, the top-level command first. */
    static List<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        walk(SynackCommand.commandLine(System.out, System.err), List.of(), out);
        return out;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(path);
            p.add(name);
            walk(sub, List.copyOf(p), out);
        });
    }

    /**
     * The arguments that run the command named by {@code path} with {@code args}: each command on the
     * way gets its required options with a placeholder value (e.g. {@code tun --dev x --addr x serve}),
     * since picocli checks them before it reaches the subcommand.
     */
    static String[] line(List<String> path, String... args) {
        List<String> words = new ArrayList<>();
        CommandLine cl = SynackCommand.commandLine(System.out, System.err);
        for (String name : path) {
            for (OptionSpec o : cl.getCommandSpec().requiredArgs().stream()
                    .filter(OptionSpec.class::isInstance).map(OptionSpec.class::cast).toList()) {
                words.add(o.longestName());
                words.add("x");
            }
            words.add(name);
            cl = cl.getSubcommands().get(name);
        }
        words.addAll(List.of(args));
        return words.toArray(String[]::new);
    }

    static void assertRejected(Run run, String line) {
        assertEquals(2, run.status());
        assertEquals(line + System.lineSeparator(), run.err());
        assertEquals("", run.out());
    }

    @Test
    void unknownOptionIsOneLineAndStatus2() {
        assertRejected(run("--bogus"), "synack: unknown option '--bogus' (see 'synack --help')");
    }

    @Test
    void unknownCommandIsOneLineAndStatus2() {
        assertRejected(run("bogus"), "synack: unknown command 'bogus' (see 'synack --help')");
    }

    @Test
    void unknownOptionOfSubcommandNamesTheSubcommand() {
        assertRejected(run("demo", "--bogus"), "synack demo: unknown option '--bogus' (see 'synack demo --help')");
    }

    @Test
    void missingCommandIsOneLineAndStatus2() {
        assertRejected(run(), "synack: missing command (see 'synack --help')");
    }

    @Test
    void helpSucceeds() {
        Run run = run("--help");
        assertEquals(0, run.status());
        assertTrue(run.out().startsWith("Usage: synack"), run.out());
        assertEquals("", run.err());
    }

    @Test
    void versionIsTheProjectVersion() {
        Run run = run("--version");
        assertEquals(0, run.status());
        assertTrue(run.out().matches("synack \\d+\\.\\d+\\.\\d+\\S*\\R"), run.out());
    }

    /** Every command lists -V, --version in its help and prints the version with it (they printed an empty line). */
    @Test
    void everyCommandPrintsTheVersion() {
        String version = run("--version").out();
        for (List<String> path : commands()) {
            if (path.equals(List.of("help"))) continue; // picocli's help command has -h only
            for (String flag : List.of("--version", "-V")) {
                Run run = run(line(path, flag));
                assertEquals(0, run.status(), path + " " + flag + ": " + run.err());
                assertEquals(version, run.out(), path + " " + flag);
                assertEquals("", run.err(), path + " " + flag);
            }
        }
    }

    @Test
    void tunRejectsABadAddressBeforeTouchingAnyDevice() {
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2", "serve", "echo", "7"),
                "synack tun serve: bad --addr '198.18.0.2': expected A.B.C.D/PREFIX, e.g. 198.18.0.2/24 (see 'synack tun serve --help')");
    }

    @Test
    void tunRejectsAnUnknownServerKind() {
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2/24", "serve", "chargen", "19"),
                "synack tun serve: bad KIND 'chargen': expected echo, discard or http (see 'synack tun serve --help')");
    }

    @Test
    void tunConnectRejectsABadPort() {
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2/24", "connect", "198.18.0.1", "0"),
                "synack tun connect: bad port '0': expected 1 to 65535 (see 'synack tun connect --help')");
    }

    @Test
    void tunNeedsItsDevice() {
        assertRejected(run("tun", "--addr", "198.18.0.2/24", "connect", "198.18.0.1", "80"),
                "synack tun: Missing required option: '--dev=NAME' (see 'synack tun --help')");
    }
}
