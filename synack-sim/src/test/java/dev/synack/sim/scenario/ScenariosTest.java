package dev.synack.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each scenario against Linux 6.18 (../shared/SCENARIOS.md): every check matches, and the key values
 * are asserted here as well, so a wrong "linux" column in a Check cannot hide a bug.
 */
class ScenariosTest {
    static Outcome run(String name, Knobs k) { return ScenarioRuns.run(name, k); }

    static Outcome run(String name) { return ScenarioRuns.run(name); }

    static String synack(Outcome o, String what) { return ScenarioRuns.synack(o, what); }

    static Knobs rtt(int ms) { return Knobs.defaults().withRttMs(ms); }

    /** RFC 9293 §3.5; Linux's SYN/SYN-ACK windows and options; connect() after 1 RTT, accept() after 1.5. */
    @Test
    void handshake() {
        Outcome o = run("handshake");
        assertEquals("connect() ok", o.appSaw());
        assertEquals(20_000_000, o.atNs());
        assertEquals("30.000 ms", synack(o, "accept() returned at (1.5 RTT)"));
        assertEquals(List.of("client S 0:0(0) win 64240 <mss 1460,sackOK,TS val ecr 0,nop,wscale 10>",
                "server S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val ecr,nop,wscale 10>", "client . 1:1(0) ack 1").toString(),
                synack(o, "segments"));
        assertEquals("CLOSE→SYN_SENT→ESTABLISHED", synack(o, "client states"));
        assertEquals("LISTEN→SYN_RECV→ESTABLISHED", synack(o, "server states"));
        assertEquals("1448", synack(o, "MSS in use (tcpi_snd_mss)"));
    }

    @Test
    void handshakeFollowsTheRttKnob() {
        Outcome o = run("handshake", rtt(80));
        assertEquals(80_000_000, o.atNs());
        assertEquals("[0.000 ms, 40.000 ms, 80.000 ms]", synack(o, "segment times"));
    }

    /** Seq advances by the payload, ACK = next byte expected; quick-ACK mode on the first data (tcp_incr_quickack). */
    @Test
    void transfer() {
        Outcome o = run("transfer");
        assertEquals("client read returned 100 bytes", o.appSaw());
        assertEquals(20_000_000, o.atNs());
        // PSH ends each TSO packet of two segments (Linux 6.18's recording of this story: P. 1449:2897).
        assertEquals(List.of("client . 1:1449(1448) ack 1 at 0.000 ms", "client P. 1449:2897(1448) ack 1 at 0.000 ms",
                "client P. 2897:4001(1104) ack 1 at 0.000 ms", "server . 1:1(0) ack 1449 at 10.000 ms",
                "server . 1:1(0) ack 2897 at 10.000 ms", "server . 1:1(0) ack 4001 at 10.000 ms",
                "server P. 1:101(100) ack 4001 at 10.000 ms", "client . 4001:4001(0) ack 101 at 20.000 ms").toString(),
                synack(o, "segments"));
    }

    /** RFC 9293 Figure 12; TIME_WAIT lasts TCP_TIMEWAIT_LEN (60 s); read() = EOF at the FIN. */
    @Test
    void close() {
        Outcome o = run("close");
        assertEquals("server read() returned -1", o.appSaw());
        assertEquals(10_000_000, o.atNs());
        assertEquals("[client F. 1:1(0) ack 1, server F. 1:1(0) ack 2, client . 2:2(0) ack 2]", synack(o, "segments"));
        assertEquals("CLOSE→SYN_SENT→ESTABLISHED→FIN_WAIT1→FIN_WAIT2→TIME_WAIT→CLOSE", synack(o, "client states"));
        assertEquals("60.020 s", synack(o, "client CLOSE at (TIME_WAIT + 60 s)"));
        assertEquals("LISTEN→SYN_RECV→ESTABLISHED→CLOSE_WAIT→LAST_ACK→CLOSE", synack(o, "server states"));
    }

    /** RFC 9293 Figure 13: FIN_WAIT1 → CLOSING → TIME_WAIT on both sides. */
    @Test
    void simultaneousClose() {
        Outcome o = run("simultaneous-close");
        assertEquals("CLOSE→SYN_SENT→ESTABLISHED→FIN_WAIT1→CLOSING→TIME_WAIT→CLOSE", synack(o, "client states"));
        assertEquals("LISTEN→SYN_RECV→ESTABLISHED→FIN_WAIT1→CLOSING→TIME_WAIT→CLOSE", synack(o, "server states"));
        assertEquals("[client F. 1:1(0) ack 1 at 0.000 ms, client . 2:2(0) ack 2 at 10.000 ms]", synack(o, "client segments"));
        assertEquals("60.020 s 60.020 s", synack(o, "CLOSE at (TIME_WAIT + 60 s), both"));
    }

    /** RFC 9293 §3.6: after shutdown(SHUT_WR) the client still reads and ACKs in FIN_WAIT2. */
    @Test
    void halfClose() {
        Outcome o = run("half-close");
        assertEquals("client read returned 5000 bytes then EOF", o.appSaw());
        assertEquals(20_000_000, o.atNs());
        assertEquals("returned 100 bytes then EOF", synack(o, "server read"));
        assertEquals("client . 102:102(0) ack 5002", synack(o, "client's last ACK (answer + FIN)"));
        assertEquals("true", synack(o, "client ACKs the answer in FIN_WAIT2"));
        assertEquals("CLOSE→SYN_SENT→ESTABLISHED→FIN_WAIT1→FIN_WAIT2→TIME_WAIT", synack(o, "client states"));
    }

    /** RFC 9293 §3.10.7.4: the TIME_WAIT side ACKs the retransmitted FIN and restarts 2MSL; EADDRINUSE without SO_REUSEADDR. */
    @Test
    void timeWait() {
        Outcome o = run("time-wait");
        assertEquals("BindException: Address already in use (EADDRINUSE)", o.appSaw());
        assertEquals("ok", synack(o, "bind(:80) with SO_REUSEADDR"));
        assertEquals("[server F. 1:1(0) ack 1 at 0.000 ms, client F. 1:1(0) ack 2 at 10.000 ms, server . 2:2(0) ack 2 at 20.000 ms (lost), "
                + "client F. 1:1(0) ack 2 at 230.000 ms (RTO), server . 2:2(0) ack 2 at 240.000 ms]", synack(o, "segments"));
        assertEquals("60.240 s", synack(o, "server CLOSE (60 s after the second ACK)"));
    }

    /** tcp_fin_timeout: the orphaned FIN_WAIT2 socket goes 60 s after the ACK of its FIN; then data draws a RST. */
    @Test
    void orphan() {
        Outcome o = run("orphan");
        assertEquals("server write SocketException: Broken pipe (EPIPE)", o.appSaw());
        assertEquals("60.024 s", synack(o, "client CLOSE (tcp_fin_timeout 60 s later)"));
        assertEquals("CLOSE→SYN_SENT→ESTABLISHED→FIN_WAIT1→FIN_WAIT2→CLOSE", synack(o, "client states"));
        assertTrue(synack(o, "segments").endsWith("server P. 1:101(100) ack 2 at 70.000 s, client R 2:2(0) at 70.010 s]"), synack(o, "segments"));
    }

    /** RFC 9293 §3.10.7.1: RST,ACK to a SYN for a closed port; ECONNREFUSED after 1 RTT; tcp_poll's bits. */
    @Test
    void refused() {
        Outcome o = run("refused");
        assertEquals("ConnectException: Connection refused (ECONNREFUSED)", o.appSaw());
        assertEquals(20_000_000, o.atNs());
        assertEquals("returned POLLOUT|POLLERR|POLLHUP", synack(o, "poll(POLLOUT)"));
        assertEquals("returned ECONNREFUSED", synack(o, "SO_ERROR"));
        assertEquals("1.020 s", synack(o, "poll returned at (1 RTT)"));
        assertTrue(synack(o, "segments").startsWith("[client S 0:0(0) at 0.000 ms, server R. 0:0(0) ack 1 at 10.000 ms"));
    }

    /**
     * Cable unplugged: connect() fails at once with ENETUNREACH and sends nothing; an open connection
     * whose interface goes down at 1 s accepts the write, keeps the data unsent and dies with ETIMEDOUT
     * when tcp_retries2 probes (from +220 ms, doubling to 120 s) have failed, 945 s after the write.
     */
    @Test
    void noRoute() {
        Outcome o = run("no-route");
        assertEquals("SocketException: Network is unreachable (ENETUNREACH)", o.appSaw());
        assertEquals(0, o.atNs());
        assertEquals("[]", synack(o, "(a) segments sent by that connect()"));
        assertEquals("ok", synack(o, "(b) interface down under an open connection: write()"));
        assertEquals("SocketException: Connection timed out (ETIMEDOUT)", synack(o, "(b) read() then"));
        assertEquals("true", synack(o, "(b) read() fails 924.600 s or more after the write (tcp_retries2 15 failed probes)"));
        assertEquals("[]", synack(o, "(b) segments on the wire after the interface went down"));
        assertEquals("ConnectException: Connection timed out (ETIMEDOUT)", synack(o, "(c) cable pulled on a LAN: connect()"));
        assertEquals("true", synack(o, "(c) connect() gave up after its SYN retries, not when ARP did (3 s)"));
        assertTrue(o.matchesLinux(), o.checks().toString());
    }

    /** tcp_syn_retries 6 + tcp_syn_linear_timeouts 4: SYNs at 0..5, 7, 11, 19, 35, 67 s; ETIMEDOUT at 131 s. */
    @Test
    void synTimeout() {
        Outcome o = run("syn-timeout");
        assertEquals("ConnectException: Connection timed out (ETIMEDOUT)", o.appSaw());
        assertEquals(131_000_000_000L, o.atNs());
        assertEquals("[0.000 ms, 1.000 s, 2.000 s, 3.000 s, 4.000 s, 5.000 s, 7.000 s, 11.000 s, 19.000 s, 35.000 s, 67.000 s]",
                synack(o, "SYN times"));
    }

    /** tcp_syn_linear_timeouts 0 (classic doubling): SYNs at 0, 1, 3, 7, 15, 31, 63 s; ETIMEDOUT at 127 s. */
    @Test
    void synTimeoutClassic() {
        Outcome o = run("syn-timeout", Knobs.defaults().withSynLinearTimeouts(0));
        assertEquals(127_000_000_000L, o.atNs());
        assertEquals("[0.000 ms, 1.000 s, 3.000 s, 7.000 s, 15.000 s, 31.000 s, 63.000 s]", synack(o, "SYN times"));
    }

    /** tcp_v4_err in SYN_SENT: icmp_err_convert's errno, at once. */
    @Test
    void icmpUnreachable() {
        Outcome o = run("icmp-unreachable");
        assertEquals("NoRouteToHostException: No route to host (EHOSTUNREACH)", synack(o, "connect(), host unreachable"));
        assertEquals("NoRouteToHostException: No route to host (EHOSTUNREACH)", synack(o, "connect(), admin prohibited"));
        assertEquals("SocketException: Network is unreachable (ENETUNREACH)", synack(o, "connect(), net unreachable"));
        assertEquals("ConnectException: Connection refused (ECONNREFUSED)", synack(o, "connect(), port unreachable"));
        assertEquals("20.000 ms", synack(o, "when, host unreachable (1 RTT)"));
        assertEquals("3.020 s", synack(o, "when, port unreachable (1 RTT)"));
    }

    /** neigh_invalidate → arp_error_report: EHOSTUNREACH 3 s after the SYN to an absent on-link host. */
    @Test
    void noSuchHost() {
        Outcome o = run("no-such-host");
        assertEquals("NoRouteToHostException: No route to host (EHOSTUNREACH)", o.appSaw());
        assertEquals(3_000_000_000L, o.atNs());
        assertEquals("[0.000 ms, 1.000 s, 2.000 s]", synack(o, "SYNs sent (held by ARP)"));
        assertEquals("0", synack(o, "packets on the wire"));
    }

    @Test
    void sameSeedSameOutcome() {
        for (Scenario s : Scenarios.all()) {
            Outcome a = s.run(Knobs.defaults()), b = s.run(Knobs.defaults());
            assertEquals(a.checks(), b.checks(), s.name());
            assertEquals(a.network().trace().all().size(), b.network().trace().all().size(), s.name());
        }
    }
}
