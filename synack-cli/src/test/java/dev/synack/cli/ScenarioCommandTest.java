package dev.synack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.cli.SynackCommandTest.Run;
import dev.synack.sim.scenario.Scenario;
import dev.synack.sim.scenario.Scenarios;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code synack scenario} and {@code synack demo}, in-process. */
class ScenarioCommandTest {
    @TempDir
    Path dir;

    @Test
    void listPrintsEveryScenarioWithItsSituation() {
        Run run = SynackCommandTest.run("scenario", "--list");
        assertEquals(0, run.status());
        assertEquals("", run.err());
        String[] lines = run.out().split("\\R");
        assertEquals(Scenarios.all().size(), lines.length);
        for (int i = 0; i < lines.length; i++) {
            Scenario s = Scenarios.all().get(i);
            assertEquals(s.name() + "  " + s.situation(), lines[i]);
        }
        assertTrue(run.out().startsWith("handshake  3-way handshake"), run.out());
    }

    @Test
    void unknownScenarioIsOneLineWithTheValidNamesAndWritesNothing() {
        Path pcap = dir.resolve("x.pcap");
        Run run = SynackCommandTest.run("scenario", "bogus", "--pcap", pcap.toString());
        SynackCommandTest.assertRejected(run, "synack scenario: unknown scenario 'bogus'; one of "
                + String.join(", ", Scenarios.names()) + " (see 'synack scenario --help')");
        assertTrue(run.err().contains("refused"), run.err());
        assertFalse(Files.exists(pcap));
    }

    /** A folder as --pcap is bad input, found before the run (it was a stack trace and status 1 after running the scenario). */
    @Test
    void pcapThatIsAFolderIsOneLineAndRunsNothing() {
        SynackCommandTest.assertRejected(SynackCommandTest.run("scenario", "refused", "--pcap", dir.toString()),
                "synack scenario: bad --pcap '" + dir + "': a folder, not a file (see 'synack scenario --help')");
    }

    @Test
    void pcapInAMissingFolderIsOneLine() {
        Path pcap = Path.of("no", "such", "dir", "x.pcap");
        SynackCommandTest.assertRejected(SynackCommandTest.run("scenario", "refused", "--pcap", pcap.toString()),
                "synack scenario: bad --pcap '" + pcap + "': no such folder " + pcap.getParent() + " (see 'synack scenario --help')");
    }

    @Test
    void malformedRttIsStatus2() {
        Path pcap = dir.resolve("x.pcap");
        Run run = SynackCommandTest.run("scenario", "refused", "--rtt", "fast", "--pcap", pcap.toString());
        assertEquals(2, run.status());
        assertEquals("", run.out());
        assertEquals(1, run.err().split("\\R").length, run.err());
        assertTrue(run.err().startsWith("synack scenario: ") && run.err().contains("--rtt"), run.err());
        assertFalse(Files.exists(pcap));
    }

    @Test
    void outOfRangeRttIsStatus2() {
        SynackCommandTest.assertRejected(SynackCommandTest.run("scenario", "refused", "--rtt", "0"),
                "synack scenario: bad --rtt '0': expected 0.01 to 60000 ms (up to three decimals) (see 'synack scenario --help')");
    }

    @Test
    void malformedKeepaliveIsStatus2() {
        SynackCommandTest.assertRejected(SynackCommandTest.run("scenario", "refused", "--keepalive", "2,1"),
                "synack scenario: bad --keepalive '2,1': expected IDLE,INTVL,CNT, three positive integers, e.g. 2,1,3 (see 'synack scenario --help')");
    }

    /** Each knob's bad value: one line naming the option, the value and what it takes; status 2; nothing run. */
    @Test
    void everyBadKnobIsOneLineNamingIt() {
        String[][] cases = {
            {"--rtt", "60001", "bad --rtt '60001': expected 0.01 to 60000 ms (up to three decimals)"},
            {"--loss", "1.5", "bad --loss '1.5': expected 0 to 1"},
            {"--loss", "NaN", "bad --loss 'NaN': expected 0 to 1"},
            {"--keepalive", "0,1,3", "bad --keepalive '0,1,3': expected IDLE,INTVL,CNT, three positive integers, e.g. 2,1,3"},
            {"--keepalive", "a,b,c", "bad --keepalive 'a,b,c': expected IDLE,INTVL,CNT, three positive integers, e.g. 2,1,3"},
            {"--so-timeout", "-1", "bad --so-timeout '-1': expected 0 or more"},
            {"--user-timeout", "-5", "bad --user-timeout '-5': expected 0 or more"},
            {"--connect-timeout", "-1", "bad --connect-timeout '-1': expected 0 or more"},
            {"--syn-retries", "0", "bad --syn-retries '0': expected 1 to 127"},
            {"--syn-retries", "128", "bad --syn-retries '128': expected 1 to 127"},
            {"--syn-linear-timeouts", "11", "bad --syn-linear-timeouts '11': expected 0 to 10"},
            {"--retries2", "256", "bad --retries2 '256': expected 0 to 255"},
            {"--retries2", "x", "bad --retries2 'x': expected 0 to 255"},
            {"--seed", "x", "bad --seed 'x': expected an integer"},
        };
        for (String[] c : cases) {
            SynackCommandTest.assertRejected(SynackCommandTest.run("scenario", "refused", c[0], c[1]),
                    "synack scenario: " + c[2] + " (see 'synack scenario --help')");
        }
        // The first bad option in the order of the knobs is the one named.
        SynackCommandTest.assertRejected(SynackCommandTest.run("scenario", "refused", "--retries2", "999", "--rtt", "0", "--format", "xml"),
                "synack scenario: bad --rtt '0': expected 0.01 to 60000 ms (up to three decimals) (see 'synack scenario --help')");
        SynackCommandTest.assertRejected(SynackCommandTest.run("scenario", "refused", "--sysctl", "tcp_sack=0"),
                "synack scenario: unknown option '--sysctl' (see 'synack scenario --help')");
        SynackCommandTest.assertRejected(SynackCommandTest.run("scenario", "--list", "refused"),
                "synack scenario: --list takes no scenario name (see 'synack scenario --help')");
    }

    /** The knobs reach the scenario by name: tcp_syn_linear_timeouts 0 gives classic doubling, ETIMEDOUT at 127 s. */
    @Test
    void sysctlKnobsReachTheScenario() {
        Run run = SynackCommandTest.run("scenario", "syn-timeout", "--syn-linear-timeouts", "0", "--seed", "7");
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("✓ when: Linux 127.000 s"), run.out());
    }

    @Test
    void refusedWritesAReadablePcapAndMatchesLinux() throws IOException {
        Path pcap = dir.resolve("x.pcap");
        Run run = SynackCommandTest.run("scenario", "refused", "--pcap", pcap.toString());
        assertEquals(0, run.status(), run.out() + run.err());
        byte[] b = Files.readAllBytes(pcap);
        // pcap global header, magic 0xa1b2c3d4 big-endian (microsecond timestamps), then 4 records.
        assertArrayEquals(new byte[] {(byte) 0xa1, (byte) 0xb2, (byte) 0xc3, (byte) 0xd4}, Arrays.copyOf(b, 4));
        assertTrue(b.length > 24 + 4 * 16, "header and four packets: " + b.length);
        assertTrue(run.out().contains("ConnectException: Connection refused (ECONNREFUSED) at 20.000 ms"), run.out());
        assertTrue(run.out().contains("✓ connect(): Linux ConnectException: Connection refused (ECONNREFUSED)"), run.out());
        assertTrue(run.out().endsWith("matches Linux" + System.lineSeparator()) || run.out().endsWith("matches Linux\n"), run.out());
    }

    /** A name ending in .pcapng writes pcapng (a Section Header Block) with each packet's reason as its comment. */
    @Test
    void pcapngByItsName() throws IOException {
        Path pcapng = dir.resolve("x.pcapng");
        Run run = SynackCommandTest.run("scenario", "refused", "--pcap", pcapng.toString());
        assertEquals(0, run.status(), run.out() + run.err());
        byte[] b = Files.readAllBytes(pcapng);
        assertArrayEquals(new byte[] {0x0a, 0x0d, 0x0d, 0x0a}, Arrays.copyOf(b, 4));
        String text = new String(b, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("SYN: connect() opens the connection (tcp_connect) [SYN]"), text);
        assertTrue(text.contains("RST: no socket (RFC 9293 §3.10.7.1) [RST_NO_SOCKET]"), text);
    }

    @Test
    void rttKnobMovesTheExpectedTime() {
        Run run = SynackCommandTest.run("scenario", "refused", "--rtt", "50");
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("✓ when: Linux 50.000 ms"), run.out());
    }

    @Test
    void jsonHasTheEventsAndTheOutcome() {
        Run run = SynackCommandTest.run("scenario", "refused", "--format", "json");
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().startsWith("{\"scenario\":\"refused\",\"nodes\":[\"client\",\"server\"],\"events\":["), run.out());
        assertTrue(run.out().contains("\"type\":\"packet\""), run.out());
        assertTrue(run.out().contains("\"outcome\":{\"appSaw\":\"ConnectException: Connection refused (ECONNREFUSED)\",\"atNs\":20000000,\"matchesLinux\":true"), run.out());
    }

    /**
     * The congestion scenario's ladder (some 6,500 lines, one per ACK) is cut to its first and last lines by
     * default, --full prints it whole; its plot's file is named on a line of its own; json is not cut.
     */
    @Test
    void congestionIsShortByDefaultAndNamesItsPlot() throws IOException {
        Run run = SynackCommandTest.run("scenario", "congestion");
        assertEquals(0, run.status(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.size() < ScenarioCommand.HEAD + ScenarioCommand.TAIL + 20, "lines " + lines.size());
        String cut = lines.get(ScenarioCommand.HEAD);
        assertTrue(cut.matches("    … \\d+ more lines \\(to \\d+\\.\\d{3} s\\) left out; --full prints them"), cut);
        List<String> plot = lines.stream().filter(l -> l.startsWith("plot (cwnd and ssthresh over time, SVG): ")).toList();
        assertEquals(1, plot.size(), run.out());
        Path svg = Path.of(plot.getFirst().substring(plot.getFirst().indexOf(": ") + 2));
        assertTrue(Files.readString(svg).startsWith("<svg"), svg.toString());
        Files.delete(svg);

        Run full = SynackCommandTest.run("scenario", "congestion", "--full");
        assertEquals(0, full.status(), full.err());
        List<String> all = full.out().lines().toList();
        assertTrue(all.size() > ScenarioCommand.LONG, "lines " + all.size());
        assertTrue(all.stream().noneMatch(l -> l.contains("left out; --full")));
        int omitted = Integer.parseInt(cut.strip().split(" ")[1]);
        assertEquals(all.size(), lines.size() - 1 + omitted, "the cut line stands for the lines left out");
        assertEquals(lines.subList(0, ScenarioCommand.HEAD), all.subList(0, ScenarioCommand.HEAD));

        Run json = SynackCommandTest.run("scenario", "congestion", "--format", "json");
        assertEquals(0, json.status(), json.err());
        assertTrue(json.out().startsWith("{\"scenario\":\"congestion\",\"nodes\":[\"client\",\"server\"],\"events\":["), json.out().substring(0, 100));
        assertFalse(json.out().contains("left out") || json.out().contains("plot (cwnd"));
        Files.deleteIfExists(Path.of(json.out().replaceAll("(?s).*plot: ([^ \"]+\\.svg).*", "$1")));
        Files.deleteIfExists(Path.of(full.out().replaceAll("(?s).*\nplot \\(cwnd and ssthresh over time, SVG\\): (\\S+)\n.*", "$1")));
    }

    /** A short ladder is printed whole (the cut is only for long ones). */
    @Test
    void shortLaddersAreNotCut() {
        Run run = SynackCommandTest.run("scenario", "refused");
        assertFalse(run.out().contains("left out"), run.out());
        assertFalse(run.out().contains("plot ("), run.out());
    }

    @Test
    void badFormatIsStatus2() {
        SynackCommandTest.assertRejected(SynackCommandTest.run("scenario", "refused", "--format", "xml"),
                "synack scenario: bad --format 'xml': expected text or json (see 'synack scenario --help')");
    }

    @Test
    void demoReplaysEveryScenarioInATable() {
        Run run = SynackCommandTest.run("demo");
        String[] lines = run.out().split("\\R");
        assertTrue(lines[0].startsWith("scenario ") && lines[0].endsWith("| matches Linux | Linux run"), lines[0]);
        for (String name : Scenarios.names()) {
            assertTrue(Arrays.stream(lines).anyMatch(l -> l.startsWith(name + " ")
                    && l.matches(".*\\| yes +\\| (agrees|differs \\(\\d+\\)|no recording|no story)")), name + "\n" + run.out());
        }
        // The exit status is 1 exactly when a recorded Linux run differs (the checks all pass).
        assertEquals(run.out().contains("| differs (") ? 1 : 0, run.status(), run.out());
        assertTrue(lines[lines.length - 1].matches("demo took \\d+\\.\\d\\d s of wall time"), lines[lines.length - 1]);
    }

    /**
     * The table fits 120 columns; a scenario whose outcome has no one moment shows '—', not "0.000 ms"; a hint
     * under the table says how to see cut cells whole; --wide shows them whole.
     */
    @Test
    void demoFits120ColumnsShowsNoFakeTimeAndOffersTheWholeCells() {
        Run run = SynackCommandTest.run("demo");
        assertEquals("", run.err());
        List<String> lines = run.out().lines().toList();
        List<String> table = lines.subList(0, Scenarios.names().size() + 2);
        for (String l : table) assertTrue(l.length() <= 120, l.length() + ": " + l);
        for (String name : List.of("retransmit-timeout", "five-tuple")) {
            String row = table.stream().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow();
            assertTrue(row.matches(".* \\| — +\\| yes +\\| (agrees|differs \\(\\d+\\)|no recording)"), row);
        }
        String refused = table.stream().filter(l -> l.startsWith("refused ")).findFirst().orElseThrow();
        assertTrue(refused.matches(".* \\| 20\\.000 ms +\\| yes +\\| agrees"), refused);
        assertTrue(table.stream().anyMatch(l -> l.contains("…")), run.out());
        assertTrue(lines.contains("cells cut with …: 'synack demo --wide' shows them whole; 'synack scenario NAME' tells the full story"),
                run.out());

        Run wide = SynackCommandTest.run("demo", "--wide");
        assertEquals("", wide.err());
        assertFalse(wide.out().contains("…"), wide.out());
        assertTrue(wide.out().contains("| read: SocketException: Connection timed out (ETIMEDOUT), write: SocketException: "), wide.out());
        for (String f : List.of(run.out(), wide.out())) {
            String plot = f.replaceAll("(?s).*plot: (/[^ ]+\\.svg).*", "$1");
            if (plot.startsWith("/")) new java.io.File(plot).delete();
        }
    }
}
