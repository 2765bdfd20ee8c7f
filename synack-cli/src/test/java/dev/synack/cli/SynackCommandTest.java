package dev.synack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
}
