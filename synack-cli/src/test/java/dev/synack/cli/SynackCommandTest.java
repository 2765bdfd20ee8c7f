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

    /** --gateway and --route are checked before any device is touched: one line each. */
    @Test
    void tunRejectsABadGatewayOrRoute() {
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2/24", "--gateway", "198.18.0", "serve", "echo", "7"),
                "synack tun serve: bad --gateway '198.18.0': expected an IPv4 address, e.g. 198.18.0.1 (see 'synack tun serve --help')");
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2/24", "--gateway", "198.19.0.1", "serve", "echo", "7"),
                "synack tun serve: bad --gateway '198.19.0.1': not a neighbour on 198.18.0.0/24 (--addr) (see 'synack tun serve --help')");
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2/24", "--gateway", "198.18.0.2", "connect", "198.19.0.1", "80"),
                "synack tun connect: bad --gateway '198.18.0.2': not a neighbour on 198.18.0.0/24 (--addr) (see 'synack tun connect --help')");
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2/24", "--route", "198.19.0.0", "connect", "198.19.0.1", "80"),
                "synack tun connect: bad --route '198.19.0.0': expected A.B.C.D/PREFIX, e.g. 198.19.0.0/16 (see 'synack tun connect --help')");
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2/24", "--route", "198.19.0.0/33", "serve", "echo", "7"),
                "synack tun serve: bad --route '198.19.0.0/33': expected A.B.C.D/PREFIX, e.g. 198.19.0.0/16 (see 'synack tun serve --help')");
    }

    @Test
    void tunConnectRejectsABadConnectTimeout() {
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2/24", "connect", "--connect-timeout", "0", "198.18.0.1", "80"),
                "synack tun connect: bad --connect-timeout '0': expected milliseconds above 0 (see 'synack tun connect --help')");
        assertRejected(run("tun", "--dev", "synack0", "--addr", "198.18.0.2/24", "connect", "--connect-timeout", "soon", "198.18.0.1", "80"),
                "synack tun connect: Invalid value for option '--connect-timeout': 'soon' is not an int (see 'synack tun connect --help')");
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
            assertTrue(run.out().startsWith("Usage: synack tun " + sub + " [-hV] --addr=A.B.C.D/P "), run.out());
            // the synopsis up to the positional parameters, unwrapped (picocli may wrap inside an option's label)
            String usage = run.out().substring(0, run.out().indexOf(" PORT")).replaceAll("\\s+", " ").replace(". ", ".");
            for (String option : new String[] {"--dev=NAME", "[--gateway=A.B.C.D]", "[--seed=N]", "[--route=A.B.C.D/P]..."}) {
                assertTrue(usage.contains(option), usage);
            }
            assertEquals(sub.equals("connect"), usage.contains("[--connect-timeout=MS]"), usage);
        }
    }

    /** The device options may also follow the subcommand. */
    @Test
    void tunDeviceOptionsAfterTheSubcommand() {
        assertRejected(run("tun", "serve", "--dev", "synack0", "--addr", "198.18.0.2", "echo", "7"),
                "synack tun serve: bad --addr '198.18.0.2': expected A.B.C.D/PREFIX, e.g. 198.18.0.2/24 (see 'synack tun serve --help')");
    }

    /** synack lab checks its port before it listens (a good port serves until Ctrl-C: the lab's own tests run the server). */
    @Test
    void labBadPortIsOneLine() {
        assertRejected(run("lab", "--port", "70000"), "synack lab: bad --port '70000': expected 0 to 65535 (see 'synack lab --help')");
        assertRejected(run("lab", "--port", "x"), "synack lab: Invalid value for option '--port': 'x' is not an int (see 'synack lab --help')");
    }
}
