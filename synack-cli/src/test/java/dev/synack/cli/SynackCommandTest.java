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

    /** The device options are tun's and its subcommands' (picocli's inherited scope): the message names the subcommand. */
    @Test
    void tunNeedsItsDevice() {
        assertRejected(run("tun", "--addr", "198.18.0.2/24", "connect", "198.18.0.1", "80"),
                "synack tun connect: Missing required option: '--dev=NAME' (see 'synack tun connect --help')");
        assertRejected(run("tun"), "synack tun: Missing required options: '--dev=NAME', '--addr=A.B.C.D/P' (see 'synack tun --help')");
    }

    /** 'synack tun serve --help' shows serve's help (it was "Missing required options" for tun's --dev and --addr). */
    @Test
    void tunSubcommandHelpNeedsNoDevice() {
        for (String sub : new String[] {"serve", "connect"}) {
            Run run = run("tun", sub, "--help");
            assertEquals(0, run.status(), run.err());
            assertEquals("", run.err());
            assertTrue(run.out().startsWith("Usage: synack tun " + sub + " [-hV] --addr=A.B.C.D/P --dev=NAME [--seed=N] "), run.out());
        }
    }

    /** The device options may also follow the subcommand. */
    @Test
    void tunDeviceOptionsAfterTheSubcommand() {
        assertRejected(run("tun", "serve", "--dev", "synack0", "--addr", "198.18.0.2", "echo", "7"),
                "synack tun serve: bad --addr '198.18.0.2': expected A.B.C.D/PREFIX, e.g. 198.18.0.2/24 (see 'synack tun serve --help')");
    }
}
