package dev.synack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.cli.SynackCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code synack experiment} and {@code synack bench sim}, in-process. */
class ExperimentCommandTest {
    @TempDir
    Path dir;

    @Test
    void twoFlowsWriteTsvAndSvg() throws IOException {
        Path tsv = dir.resolve("t.tsv"), svg = dir.resolve("p.svg");
        Run run = SynackCommandTest.run("experiment", "--rate", "10M", "--rtt", "20", "--queue", "BDP", "--flows", "2",
                "--cc", "reno", "--duration", "2", "--seed", "3", "--tsv", tsv.toString(), "--svg", svg.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        assertTrue(run.out().startsWith("2 × reno, rate 10.00 Mbit/s, RTT 20 ms, queue 17 packets (BDP 17), loss 0.0, 2 s virtual, seed 3\n"),
                run.out());
        assertTrue(run.out().contains("  flow 1: goodput "), run.out());
        assertTrue(run.out().contains("Jain's index "), run.out());
        assertTrue(run.out().endsWith("tsv: " + tsv + "\nplot: " + svg + "\n"), run.out());
        List<String> lines = Files.readAllLines(tsv);
        assertEquals("flow\ttime_s\tcwnd\tssthresh\tsrtt_ms\tbytes_acked\tretransmits", lines.getFirst());
        // Samples every RTT (20 ms) from the handshake on, for each flow: about 2 × 100 lines.
        assertTrue(lines.size() > 190 && lines.size() <= 201, "lines " + lines.size());
        assertTrue(lines.get(1).matches("0\t0\\.\\d{6}\t10\t\t\\d+\\.\\d{3}\t0\t0"), lines.get(1));
        String plot = Files.readString(svg);
        assertTrue(plot.startsWith("<svg") && plot.contains("<polyline") && plot.contains("flow 1 ("), plot.substring(0, 200));
        assertTrue(plot.contains(">time (s)</text>") && plot.contains(">cwnd (segments)</text>"));
    }

    /** With --reorder each flow's line adds the reordering degree its sender learned and the reductions undone. */
    @Test
    void reorderShowsLearnedReordering() {
        Run run = SynackCommandTest.run("experiment", "--rate", "10M", "--rtt", "20", "--reorder", "0.05", "--duration", "3");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("1 × cubic, rate 10.00 Mbit/s, RTT 20 ms, queue 17 packets (BDP 17), loss 0.0, reorder 0.05, 3 s virtual"),
                run.out());
        assertTrue(run.out().matches("(?s).*  flow 0: goodput [0-9.]+ Mbit/s, \\d+ bytes, \\d+ retransmits, reordering degree \\d+, \\d+ reductions undone\n.*"),
                run.out());
    }

    /** --sysctl applies to every host: without RACK (tcp_recovery=0) the header says so. */
    @Test
    void sysctlIsAppliedAndShown() {
        Run run = SynackCommandTest.run("experiment", "--rate", "10M", "--rtt", "20", "--duration", "2",
                "--sysctl", "tcp_recovery=0", "--sysctl", "net.ipv4.tcp_frto=0");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("\nsysctls: tcp_recovery=0 net.ipv4.tcp_frto=0\n"), run.out());
    }

    /** --aqm fq_codel --ecn: the hosts ask for ECN, the bottleneck marks CE; the header and the bottleneck line say so. */
    @Test
    void aqmAndEcnAreAppliedAndShown() {
        Run run = SynackCommandTest.run("experiment", "--rate", "10M", "--rtt", "20", "--duration", "3", "--aqm", "fq_codel", "--ecn");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("1 × cubic, rate 10.00 Mbit/s, RTT 20 ms, fq_codel marking CE (BDP 17 packets), loss 0.0, ECN, 3 s virtual"),
                run.out());
        assertTrue(run.out().matches("(?s).*\\nbottleneck: \\d+ packets, 0 queue drops, 0 random losses, fq_codel: 0 drops, [1-9]\\d* CE marks; queue delay .*"),
                run.out());
        Run plain = SynackCommandTest.run("experiment", "--rate", "10M", "--rtt", "20", "--duration", "3", "--aqm", "codel");
        assertEquals(0, plain.status(), plain.err());
        assertTrue(plain.out().contains(", codel (BDP 17 packets), loss 0.0, 3 s virtual"), plain.out());
    }

    @Test
    void badInputIsOneLineStatus2AndWritesNothing() {
        Path tsv = dir.resolve("t.tsv");
        String[][] cases = {
            {"--rate", "fast"}, {"--rate", "-5M"}, {"--queue", "lots"}, {"--queue", "0"}, {"--loss", "1"}, {"--reorder", "1"}, {"--reorder", "-0.1"}, {"--sysctl", "tcp_nonsense=1"}, {"--sysctl", "tcp_frto=9"},
            {"--sysctl", "tcp_recovery"},
            {"--flows", "0"}, {"--cc", "vegas"}, {"--duration", "0"}, {"--rtt", "0"}, {"--aqm", "sfq"},
            {"--rate", "0", "--loss", "0.01", "--aqm", "fq_codel"},
            {"--svg", dir.resolve("no/such/dir/p.svg").toString()},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 3];
            args[0] = "experiment";
            System.arraycopy(c, 0, args, 1, c.length);
            args[c.length + 1] = "--tsv";
            args[c.length + 2] = tsv.toString();
            Run run = SynackCommandTest.run(args);
            assertEquals(2, run.status(), String.join(" ", c) + ": " + run.err());
            assertEquals("", run.out());
            assertEquals(1, run.err().split("\\R").length, run.err());
            assertTrue(run.err().startsWith("synack experiment: "), run.err());
            assertFalse(Files.exists(tsv), String.join(" ", c));
        }
        SynackCommandTest.assertRejected(SynackCommandTest.run("experiment", "--cc", "vegas"),
                "synack experiment: bad --cc 'vegas': one of reno, newreno, cubic (see 'synack experiment --help')");
    }

    @Test
    void floodPrintsBothSettings() {
        Run run = SynackCommandTest.run("experiment", "flood", "--syn-rate", "5000", "--clients", "10", "--duration", "0.5",
                "--backlog", "8");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("tcp_syncookies=1"), run.out());
        assertTrue(run.out().contains("legitimate: 10/10 accepted within RTT + jiffy (24 ms): 100.0 %"), run.out());
        assertTrue(run.out().contains("tcp_syncookies=0"), run.out());
        assertTrue(run.out().contains("SYN queue: max 9"), run.out());
    }

    @Test
    void floodBadInputIsOneLine() {
        String[][] cases = {{"--syn-rate", "-1"}, {"--clients", "0"}, {"--duration", "0"}, {"--rtt", "0"}, {"--backlog", "-1"},
            {"--syncookies", "3"}, {"--syncookies", "x"}};
        for (String[] c : cases) {
            String[] args = new String[c.length + 2];
            args[0] = "experiment";
            args[1] = "flood";
            System.arraycopy(c, 0, args, 2, c.length);
            Run run = SynackCommandTest.run(args);
            assertEquals(2, run.status(), String.join(" ", c) + ": " + run.err());
            assertEquals("", run.out());
            assertEquals(1, run.err().split("\\R").length, run.err());
            assertTrue(run.err().startsWith("synack experiment flood: "), run.err());
        }
    }

    @Test
    void benchSimPrintsTheAnchorWorkloads() {
        Run run = SynackCommandTest.run("bench", "sim", "--duration", "1", "--sittings", "1", "--no-anchor");
        assertEquals(0, run.status(), run.err());
        String[] lines = run.out().split("\\R");
        assertTrue(lines[0].startsWith("workload") && lines[0].contains("wall s") && lines[0].contains("memory"), lines[0]);
        assertTrue(lines[1].startsWith("S1 1 flow, 100M, 20 ms") && lines[1].contains("synack") && lines[1].contains("Mbit/s"), run.out());
        // Under each workload, the simulator's work and its cost per event and per packet hop.
        assertTrue(lines[2].contains("M events") && lines[2].contains("ns per packet hop"), run.out());
        assertTrue(lines[3].startsWith("S4 10 flows, 100M, 44 ms"), run.out());
        assertTrue(lines[5].startsWith("S5 star, 1000 flows") && lines[5].contains("47.18 ms FCT"), run.out());
        assertTrue(lines[6].contains("0.31 M events"), run.out()); // the star's run is the same whatever --duration says
    }

    /** Without ns-3's programs the command says why and goes on with synack alone. */
    @Test
    void benchSimSaysWhyTheAnchorIsMissing() {
        Run run = SynackCommandTest.run("bench", "sim", "--duration", "1", "--sittings", "1", "--ns3", "/nonexistent");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("anchor: none — no bulk, dumbbell and star programs in /nonexistent; synack alone"), run.out());
    }

    @Test
    void benchSimBadWarmupIsOneLine() {
        SynackCommandTest.assertRejected(SynackCommandTest.run("bench", "sim", "--warmup", "-1"),
                "synack bench sim: bad --warmup: 0 ≤ S ≤ 600 (see 'synack bench sim --help')");
    }

    /** synack bench tun checks its options before it needs root or a TUN device. */
    @Test
    void benchTunBadOptionsAreOneLine() {
        SynackCommandTest.assertRejected(SynackCommandTest.run("bench", "tun", "--seconds", "0"),
                "synack bench tun: bad --seconds: 0 < S ≤ 600 (see 'synack bench tun --help')");
        SynackCommandTest.assertRejected(SynackCommandTest.run("bench", "tun", "--mtu", "1500,100"),
                "synack bench tun: bad --mtu 100: 576 to 65535 (see 'synack bench tun --help')");
        SynackCommandTest.assertRejected(SynackCommandTest.run("bench", "tun", "--sittings", "0"),
                "synack bench tun: bad --sittings: 1 ≤ N ≤ 20 (see 'synack bench tun --help')");
        SynackCommandTest.assertRejected(SynackCommandTest.run("bench", "tun", "--offload", "maybe"),
                "synack bench tun: bad --offload maybe: auto, on, off or both (see 'synack bench tun --help')");
    }

    /** The netstack anchor is found at a given path or said missing in one line (no device needed). */
    @Test
    void netstackAnchorSaysWhyItIsMissing() {
        var found = NetstackAnchor.find(java.nio.file.Path.of("/nonexistent/gvpeer"), System.out);
        assertEquals(null, found.program());
        assertEquals("no gvpeer program at /nonexistent/gvpeer", found.why());
        var sh = NetstackAnchor.find(java.nio.file.Path.of("/bin/sh"), System.out);
        assertEquals(java.nio.file.Path.of("/bin/sh"), sh.program());
    }

    @Test
    void benchWithoutWorkloadNamesBoth() {
        SynackCommandTest.assertRejected(SynackCommandTest.run("bench"),
                "synack bench: missing benchmark (sim, tun) (see 'synack bench --help')");
    }
}
