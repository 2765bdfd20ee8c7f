package dev.synack.cli;

import static dev.synack.cli.SynackCommandTest.assertRejected;
import static dev.synack.cli.SynackCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.cli.SynackCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code synack packetdrill}, in-process, on a script of SCENARIOS.md's "refused". */
class PacketdrillCommandTest {
    private static final String REFUSED = """
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0...0.100 connect(3, ..., ...) = -1 ECONNREFUSED (Connection refused)
            +0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 10>
            +.1 < R. 0:0(0) ack 1 win 0
            +0 close(3) = 0
            """;

    @TempDir
    Path dir;

    @Test
    void aPassingScriptIsStatus0() throws IOException {
        Path pkt = Files.writeString(dir.resolve("refused.pkt"), REFUSED);
        Run run = run("packetdrill", pkt.toString());
        assertEquals(0, run.status(), run.out() + run.err());
        assertEquals("PASS " + pkt + "\n1 passed, 0 failed\n", run.out());
        assertEquals("", run.err());
    }

    @Test
    void aFailingScriptIsStatus1() throws IOException {
        Path pkt = Files.writeString(dir.resolve("wrong.pkt"), REFUSED.replace("ECONNREFUSED (Connection refused)", "ETIMEDOUT (Connection timed out)"));
        Run run = run("packetdrill", dir.toString());
        assertEquals(1, run.status(), run.out() + run.err());
        assertTrue(run.out().startsWith("FAIL " + pkt + ":2: "), run.out());
        assertTrue(run.out().endsWith("0 passed, 1 failed\n"), run.out());
    }

    @Test
    void badInputIsOneLine() throws IOException {
        assertRejected(run("packetdrill"), "synack packetdrill: Missing required parameter: 'FILE|DIR' (see 'synack packetdrill --help')");
        Path missing = dir.resolve("no-such.pkt");
        assertRejected(run("packetdrill", missing.toString()),
                "synack packetdrill: no such file or folder: " + missing + " (see 'synack packetdrill --help')");
        assertRejected(run("packetdrill", dir.toString()), "synack packetdrill: no .pkt scripts in [" + dir + "] (see 'synack packetdrill --help')");
        Path pkt = Files.writeString(dir.resolve("refused.pkt"), REFUSED);
        assertRejected(run("packetdrill", "--tolerance_usecs", "-1", pkt.toString()),
                "synack packetdrill: bad --tolerance_usecs: 0 ≤ US ≤ 10000000 (see 'synack packetdrill --help')");
        assertRejected(run("packetdrill", "--tolerance_usecs", "lots", pkt.toString()),
                "synack packetdrill: Invalid value for option '--tolerance_usecs': 'lots' is not a long (see 'synack packetdrill --help')");
    }
}
