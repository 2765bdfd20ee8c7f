package dev.synack.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The second half of SCENARIOS.md, each run with its defaults (or the knob of its variant): every
 * check must match Linux, and the key figures are asserted again as literals here, so that a wrong
 * "linux" column (computed by the scenario itself) cannot hide a bug.
 */
class SecondHalfScenariosTest {
    private static Outcome run(String name, Knobs k) { return ScenarioRuns.run(name, k); }

    private static Outcome run(String name) { return ScenarioRuns.run(name); }

    private static String saw(Outcome o, String what) { return ScenarioRuns.saw(o, what); }

    /** tcp_syn_linear_timeouts 4: SYNs 1 s apart, then doubling; SO_SNDTIMEO bounds connect (inet_wait_for_connect). */
    @Test
    void connectTimeout() {
        Outcome o = run("connect-timeout");
        assertEquals("[connect = EINPROGRESS, poll = 0 revents 0, SO_ERROR = 0, close = 0]", saw(o, "(a) calls"));
        assertEquals("3.000 s", saw(o, "(a) poll returns at"));
        assertEquals("SYN_SENT", saw(o, "(a) state after poll"));
        assertEquals("[0.000 s, 1.000 s, 2.000 s, 3.000 s, 4.000 s, 5.000 s, 7.000 s]", saw(o, "(a) SYN times"));
        assertEquals("[connect = EINPROGRESS, connect = EALREADY, close = 0]", saw(o, "(b) calls"));
        assertEquals("3.000 s", saw(o, "(b) first connect fails at"));
        assertEquals("6.000 s", saw(o, "(b) second connect fails at"));
        assertEquals("[0.000 s, 1.000 s, 2.000 s, 3.000 s, 4.000 s, 5.000 s, 7.000 s]", saw(o, "(b) SYN times"));
        assertEquals("SocketTimeoutException: Connect timed out (EINPROGRESS)", saw(o, "(c) connect(addr, 3000)"));
        assertEquals("3.000 s", saw(o, "(c) fails at"));
        assertEquals("[0.000 s, 1.000 s, 2.000 s]", saw(o, "(c) SYN times"));
    }

    /** Zero-window probes: tcp_probe0_when doubling to TCP_RTO_MAX, ACKs rate-limited (tcp_invalid_ratelimit). */
    @Test
    void serverFrozen() {
        Outcome o = run("server-frozen");
        assertEquals("SocketTimeoutException: Read timed out (EAGAIN)", saw(o, "recv() with setSoTimeout"));
        assertEquals("3.020 s", saw(o, "recv() fails at"));
        assertEquals("ESTABLISHED", saw(o, "state after the timeout"));
        String text = o.appSaw();
        List<String> probes = List.of(text.substring(text.indexOf("probes at [") + 11, text.indexOf(']', text.indexOf("probes at ["))).split(", "));
        assertEquals(11, probes.size(), probes.toString());
        double last = Double.parseDouble(probes.get(10).replace(" s", "")), before = Double.parseDouble(probes.get(9).replace(" s", ""));
        assertEquals(120.020, last - before, 1e-6, "capped at TCP_RTO_MAX, + the RTT for the answer");
        assertEquals("doubling", saw(o, "probes back off"));
        assertEquals("0", saw(o, "answers to probes less than 500 ms apart"));
        assertEquals("400.000 s", saw(o, "window update at the thaw"));
        assertEquals("400.010 s", saw(o, "the transfer resumes"));
        assertEquals(String.valueOf(100 + ServerFrozen.BULK), saw(o, "bytes the server read"));
    }

    /** tcp_close: FIN, then RST on data (TCPAbortOnData), EPIPE from CLOSE_WAIT's reset; RST with unread data. */
    @Test
    void serverKilled() {
        Outcome o = run("server-killed");
        assertEquals("[read = -1 (EOF), write(5) = ok, write(5): SocketException: Broken pipe (EPIPE), "
                + "connect: ConnectException: Connection refused (ECONNREFUSED)]", saw(o, "client calls"));
        assertEquals("1.010 s", saw(o, "recv() = 0 at"));
        assertEquals("[1.000 s server F., 1.010 s client P., 1.020 s server R seq=2 (= the data's ACK), 1.110 s client S, 1.120 s server R.]",
                saw(o, "segments after the kill"));
        assertEquals("[read: SocketException: Connection reset (ECONNRESET), write(5): SocketException: Broken pipe (EPIPE)]",
                saw(o, "unread data: client calls"));
        assertEquals("[1.000 s server R. (no FIN)]", saw(o, "unread data: segments after the kill"));
    }

    /** SIGTERM ignored, SIGKILL after the 2 s grace: the connection ends as in server-killed, then. */
    @Test
    void hostShutdown() {
        Outcome o = run("host-shutdown");
        assertEquals("3.010 s", saw(o, "recv() = 0 at"));
        assertEquals("[3.000 s server F., 3.010 s client P., 3.020 s server R seq=2 (= the data's ACK), 3.110 s client S, 3.120 s server R.]",
                saw(o, "segments after the kill"));
        assertEquals("[3.000 s server R. (no FIN)]", saw(o, "unread data: segments after the kill"));
    }

    /** tcp_retries2 15: TLP, 15 RTO retransmissions, ETIMEDOUT 924.6 s after the first at the next expiry. */
    @Test
    void hostCrash() {
        Outcome o = run("host-crash");
        assertEquals("[read: SocketException: Connection timed out (ETIMEDOUT), write: SocketException: Broken pipe (EPIPE)]",
                saw(o, "client calls"));
        assertEquals("doubling", saw(o, "RTO retransmissions back off"));
        assertEquals("true", saw(o, "ETIMEDOUT at the first expiry 924.600 s or more"));
        // synack's run (Linux's is judged by its recording): send 2.000, TLP 2.220, RTOs from 2.440
        // doubling (220 ms) to 120 s; 2.440 + 944.84 = 947.280
        assertEquals(947_280_000_000L, o.atNs());
        assertEquals("[2.000 s, 2.220 s, 2.440 s, 2.880 s, 3.760 s, 5.520 s, 9.040 s, 16.080 s, 30.160 s, 58.320 s, 114.640 s, "
                + "227.280 s, 347.280 s, 467.280 s, 587.280 s, 707.280 s, 827.280 s]", dataTimes(o).toString());
        assertEquals("[]", saw(o, "segments from the client after the crash"));
        assertTrue(o.checksPass(), o.checks().toString());
    }

    /** The times of the client's 100-byte data segments. */
    private static List<String> dataTimes(Outcome o) {
        return SegmentLog.times(SegmentLog.from(SegmentLog.sent(o.network()), "client", s -> s.len() == 100), 0);
    }

    @Test
    void hostCrashWithSoTimeout() {
        Outcome o = run("host-crash", Knobs.defaults().withSoTimeoutMs(3000));
        assertEquals(947_280_000_000L, o.atNs());
        Check c = o.checks().stream().filter(x -> x.what().startsWith("SocketTimeoutException every 3000 ms")).findFirst().orElseThrow();
        assertEquals(315, c.synack().split(",").length); // at 5, 8, ..., 947 s
        assertTrue(c.ok(), c.toString());
    }

    @Test
    void hostCrashWithUserTimeout() {
        Outcome o = run("host-crash", Knobs.defaults().withUserTimeoutMs(3000));
        assertEquals(5_440_000_000L, o.atNs()); // first RTO retransmission at 2.440 s + 3 s
        assertEquals("3.000 s", saw(o, "ETIMEDOUT this long after the first RTO retransmission"));
        assertEquals("[2.000 s, 2.220 s, 2.440 s, 2.880 s, 3.760 s]", dataTimes(o).toString());
        assertTrue(o.checksPass(), o.checks().toString());
    }

    @Test
    void hostCrashWithKeepalive() {
        Outcome o = run("host-crash", Knobs.defaults().withKeepalive(2, 1, 3));
        assertEquals("[2.000 s, 3.000 s, 4.000 s]", saw(o, "keepalive probes"));
        assertEquals("[5.000 s R.]", saw(o, "RST,ACK at"));
        assertEquals("5.000 s", saw(o, "ETIMEDOUT at"));
        assertEquals("[read: SocketException: Connection timed out (ETIMEDOUT), write: SocketException: Broken pipe (EPIPE)]",
                saw(o, "client calls"));
    }

    /** RFC 9293 §3.10.7.1: <SEQ=SEG.ACK><CTL=RST> from the rebooted host. */
    @Test
    void hostReboot() {
        Outcome o = run("host-reboot");
        assertEquals("[read: SocketException: Connection reset (ECONNRESET), write: SocketException: Broken pipe (EPIPE)]",
                saw(o, "client calls"));
        assertEquals("2.020 s", saw(o, "recv() fails at"));
        assertEquals("[2.000 s client P. 1:101(100) ack 1, 2.010 s server R 1:1(0) (no ACK flag)]", saw(o, "segments after the reboot"));
    }

    /** TLP then RTO; Karn (no timestamps): the doubled RTO stays; with timestamps the TSecr sample resets it. */
    @Test
    void retransmitTimeout() {
        Outcome o = run("retransmit-timeout");
        // the last run (with timestamps) is the outcome's network: B at 3 s, TLP at +220 ms, RTO at +220 ms
        assertEquals("[3.000 s, 3.220 s, 3.440 s]", SegmentLog.times(SegmentLog.from(SegmentLog.sent(o.network()), "client",
                s -> s.len() == 100 && s.seq() == 101), 0).toString());
        assertEquals("440", saw(o, "no timestamps: RTO after"));
        assertEquals("440", saw(o, "no timestamps: B's RTO retransmission"));
        assertEquals("220", saw(o, "timestamps: RTO after"));
        assertEquals("220", saw(o, "timestamps: B's RTO retransmission"));
        assertTrue(o.checksPass(), o.checks().toString());
    }

    /** Third duplicate ACK with SACK → retransmission at 1 RTT, no RTO. */
    @Test
    void fastRetransmit() {
        Outcome o = run("fast-retransmit");
        assertEquals("1.020 s", saw(o, "retransmission at"));
        assertEquals("3", saw(o, "duplicate ACKs received before"));
        assertEquals("0", saw(o, "RTO expiries"));
    }

    @Test
    void flowControl() {
        Outcome o = run("flow-control");
        assertEquals("1.000 s", saw(o, "window update when the reader first reads"));
        assertEquals("1.010 s", saw(o, "sending resumes"));
        assertEquals("[]", saw(o, "other data segments smaller than the MSS"));
        assertEquals("[]", saw(o, "no data while the window is 0"));
    }

    /** CUBIC: IW10, slow start, β = 717/1024 on loss, recovery without RTO; the SVG is written. */
    @Test
    void congestion() throws Exception {
        Outcome o = run("congestion");
        assertEquals("10", saw(o, "initial cwnd"));
        assertEquals("[20, 40]", saw(o, "slow start"));
        assertEquals("0", saw(o, "no RTO"));
        String svgPath = o.appSaw().substring(o.appSaw().indexOf("plot: ") + 6).trim();
        String svg = Files.readString(Path.of(svgPath));
        assertTrue(svg.startsWith("<svg") && svg.contains("stroke-dasharray"), svg.substring(0, Math.min(200, svg.length())));
        Files.deleteIfExists(Path.of(svgPath));
        assertTrue(Congestion.trace(o).lines().anyMatch(l -> l.contains("RECOVERY")));
    }

    @Test
    void fiveTuple() {
        Outcome o = run("five-tuple");
        assertEquals("[8080]", saw(o, "local port of every accepted connection"));
        assertEquals("6", saw(o, "distinct remote address:port pairs"));
        assertEquals("[6, 6]", saw(o, "ss: ESTAB rows"));
    }

    /** Same seed, same packets. */
    @Test
    void deterministic() {
        for (String name : List.of("fast-retransmit", "host-reboot")) {
            Outcome a = Scenarios.find(name).orElseThrow().run(Knobs.defaults()), b = Scenarios.find(name).orElseThrow().run(Knobs.defaults());
            assertEquals(dev.synack.sim.Ladder.render(a.network()), dev.synack.sim.Ladder.render(b.network()));
        }
    }
}
