package dev.synack.cli;

import static dev.synack.cli.SynackCommandTest.assertRejected;
import static dev.synack.cli.SynackCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.cli.SynackCommandTest.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The command tree as registered: every command is reachable, answers --help, -h and --version, and
 * rejects an unknown option or argument with one line on stderr and status 2.
 */
class CommandTreeTest {
    /** Every command of the tree as the words that name it ("bench", "sim"), depth first, in the order the help lists them. */
    static List<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        walk(SynackCommand.commandLine(System.out, System.err), List.of(), out);
        return out;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(path);
        cl.getSubcommands().forEach((name, sub) -> walk(sub, Stream.concat(path.stream(), Stream.of(name)).toList(), out));
    }

    /**
     * The arguments that run the command named by {@code path} with {@code args}: each command on the
     * way, and the command itself, gets its required options with a placeholder value (e.g.
     * {@code tun --dev x --addr x serve}), since picocli checks a command's before it reaches a subcommand.
     */
    static String[] line(List<String> path, String... args) {
        List<String> words = new ArrayList<>();
        CommandLine cl = SynackCommand.commandLine(System.out, System.err);
        for (int i = 0; ; i++) {
            for (var arg : cl.getCommandSpec().requiredArgs()) {
                if (arg instanceof OptionSpec o) words.addAll(List.of(o.longestName(), "x"));
            }
            if (i == path.size()) break;
            words.add(path.get(i));
            cl = cl.getSubcommands().get(path.get(i));
        }
        words.addAll(List.of(args));
        return words.toArray(String[]::new);
    }

    private static String name(List<String> path) { return String.join(" ", Stream.concat(Stream.of("synack"), path.stream()).toList()); }

    @Test
    void theTreeHasEveryCommandInHelpOrder() {
        assertEquals(List.of(List.of(), List.of("help"), List.of("bench"), List.of("bench", "tun"), List.of("bench", "sim"),
                List.of("demo"), List.of("lab"), List.of("packetdrill"), List.of("scenario"), List.of("experiment"), List.of("experiment", "flood"), List.of("experiment", "star"),
                List.of("fuzz"), List.of("oracle"), List.of("oracle", "record"), List.of("oracle", "diff"), List.of("oracle", "verify"),
                List.of("tun"), List.of("tun", "serve"), List.of("tun", "connect")), commands());
    }

    @Test
    void everyCommandAnswersHelp() {
        for (List<String> path : commands()) {
            Run help = run(line(path, "--help"));
            assertEquals(0, help.status(), path + ": " + help.err());
            assertEquals("", help.err(), path.toString());
            assertTrue(help.out().contains("Usage: " + name(path) + " ["), path + "\n" + help.out());
            assertTrue(help.out().contains("  -h, --help "), path + "\n" + help.out());
            if (!path.equals(List.of("help"))) assertTrue(help.out().contains("  -V, --version "), path + "\n" + help.out());
            assertEquals(help, run(line(path, "-h")), path + " -h");
        }
    }

    /** {@code synack help NAME} shows NAME's help, and each top-level command is listed in {@code synack --help}. */
    @Test
    void helpNameIsTheCommandsHelp() {
        String top = run("--help").out();
        for (List<String> path : commands()) {
            if (path.size() != 1) continue;
            assertEquals(run(path.getFirst(), "--help"), run("help", path.getFirst()), path.toString());
            assertTrue(top.contains("\n  " + path.getFirst() + " "), path + "\n" + top);
        }
        assertEquals(run("--help"), run("help"));
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

    /** An unknown option, with the command's required parameters present (else picocli names the missing one first). */
    @Test
    void everyCommandRejectsAnUnknownOption() {
        for (List<String> path : commands()) {
            if (path.equals(List.of("help"))) continue; // picocli's help command takes any word as a command name
            List<String> args = new ArrayList<>(List.of("--bogus"));
            CommandLine cl = SynackCommand.commandLine(System.out, System.err);
            for (String name : path) cl = cl.getSubcommands().get(name);
            for (var arg : cl.getCommandSpec().requiredArgs()) {
                if (arg instanceof PositionalParamSpec) args.add("x");
            }
            String n = name(path);
            assertRejected(run(line(path, args.toArray(String[]::new))), n + ": unknown option '--bogus' (see '" + n + " --help')");
        }
        assertRejected(run("packetdrill", "--bogus"), "synack packetdrill: Missing required parameter: 'FILE|DIR' (see 'synack packetdrill --help')");
    }

    /** A word where no argument is expected: an unknown command for a command with subcommands, else an unexpected argument. */
    @Test
    void everyCommandWithoutPositionalsRejectsAStrayWord() {
        assertRejected(run("bogus"), "synack: unknown command 'bogus' (see 'synack --help')");
        assertRejected(run("bench", "bogus"), "synack bench: unknown command 'bogus' (see 'synack bench --help')");
        assertRejected(run("tun", "--dev", "x", "--addr", "x", "bogus"), "synack tun: unknown command 'bogus' (see 'synack tun --help')");
        for (String[] leaf : new String[][] {{"demo"}, {"bench", "sim"}, {"bench", "tun"}, {"fuzz"}}) {
            String n = name(List.of(leaf));
            assertRejected(run(line(List.of(leaf), "extra")), n + ": unexpected argument 'extra' (see '" + n + " --help')");
        }
        assertRejected(run("scenario", "refused", "extra"), "synack scenario: unexpected argument 'extra' (see 'synack scenario --help')");
    }

    /** A command with subcommands needs one: one line naming the choices. */
    @Test
    void aMissingSubcommandIsOneLine() {
        assertRejected(run(), "synack: missing command (see 'synack --help')");
        assertRejected(run("bench"), "synack bench: missing benchmark (sim, tun) (see 'synack bench --help')");
        assertRejected(run("tun", "--dev", "x", "--addr", "x"), "synack tun: missing command (serve or connect) (see 'synack tun --help')");
    }

    @Test
    void helpForAnUnknownCommandIsOneLine() {
        Run run = run("help", "bogus");
        assertEquals(2, run.status());
        assertEquals("", run.out());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("synack: ") && run.err().contains("'bogus'"), run.err());
    }
}
