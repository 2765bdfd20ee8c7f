package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * SO_KEEPALIVE (RFC 1122 §4.2.3.6) as Linux's tcp_keepalive_timer (net/ipv4/tcp_timer.c) runs it.
 * The timer is armed when the connection is established (tcp_finish_connect, here at 100 ms); when it
 * fires on an idle connection it compares the time since the last segment received
 * (keepalive_time_elapsed) with TCP_KEEPIDLE; a probe is tcp_write_wakeup's tcp_xmit_probe_skb: an
 * ACK with SEQ = SND.UNA − 1 (= SND.NXT − 1 when idle) and no data, which forces an ACK from a live
 * peer. After TCP_KEEPCNT unanswered probes: RST,ACK (tcp_send_active_reset) and ETIMEDOUT
 * (tcp_write_err). Any ACK clears icsk_probes_out (tcp_ack).
 */
class KeepaliveTest {
    static SocketOptions keepalive(int idle, int intvl, int cnt) {
        var o = new SocketOptions();
        o.keepAlive = true;
        o.keepIdleSec = idle;
        o.keepIntvlSec = intvl;
        o.keepCnt = cnt;
        return o;
    }

    static void expectProbe(TcpTester t, long ms) {
        t.expect(ms, ". 0:0(0) ack 1 win 63 <nop,nop,TS val " + ms + " ecr 1000>");
    }

    /**
     * keepIdle 2, keepIntvl 1, keepCnt 3: idle since 100 ms; probes at 2.1, 3.1, 4.1 s (2, 3, 4 s of
     * idleness); at 5.1 s probes_out = 3 ≥ keepCnt: RST,ACK at SND.NXT and ETIMEDOUT.
     */
    @Test
    void unansweredProbes_thenResetAndEtimedout() {
        var t = new TcpTester();
        var c = t.establishedClient(keepalive(2, 1, 3));
        t.expectNothing(2099);
        expectProbe(t, 2100);
        expectProbe(t, 3100);
        expectProbe(t, 4100);
        assertEquals(3, c.info().probes());
        t.expectNothing(5099);
        assertEquals(TcpState.ESTABLISHED, c.state());
        t.expect(5100, "R. 1:1(0) ack 1");
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(Errno.ETIMEDOUT, c.pendingError());
        assertEquals(3, t.stack.counters().get(Counter.TcpExtTCPKeepAlive));
        t.expectNothing(20_000);
    }

    /**
     * keepalive_time_elapsed counts from max(icsk_ack.lrcvtime, rcv_tstamp): an out-of-window segment at
     * 1 s (answered by a duplicate ACK, then dropped) is no activity, so the first probe still goes at 2.1 s.
     */
    @Test
    void outOfWindowSegment_doesNotRestartTheIdleTime() {
        var t = new TcpTester();
        t.establishedClient(keepalive(2, 1, 3));
        t.inject(1000, "P. 1000000:1000010(10) ack 1 win 502 <nop,nop,TS val 2000 ecr 100>");
        t.expect(1000, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 1000 ecr 1000>");
        t.expectNothing(2099);
        expectProbe(t, 2100);
    }

    /**
     * An answer (the peer's ACK at 2.2 s) clears the probe count and restarts the idle time: the
     * timer at 3.1 s finds 0.9 s of idleness and waits the 1.1 s left; probes at 4.2, 5.2, 6.2 s;
     * RST at 7.2 s.
     */
    @Test
    void answeredProbe_resetsCountAndIdleTime() {
        var t = new TcpTester();
        var c = t.establishedClient(keepalive(2, 1, 3));
        expectProbe(t, 2100);
        t.inject(2200, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 3200 ecr 2100>");
        assertEquals(0, c.info().probes());
        t.expectNothing(4199);
        t.expect(4200, ". 0:0(0) ack 1 win 63 <nop,nop,TS val 4200 ecr 3200>");
        t.expect(5200, ". 0:0(0) ack 1 win 63 <nop,nop,TS val 5200 ecr 3200>");
        t.expect(6200, ". 0:0(0) ack 1 win 63 <nop,nop,TS val 6200 ecr 3200>");
        t.expect(7200, "R. 1:1(0) ack 1");
        assertEquals(Errno.ETIMEDOUT, c.pendingError());
    }

    /** Data exchanged resets the idle clock: a read-only peer's data at 1.5 s moves the first probe to 3.5 s. */
    @Test
    void receivedData_postponesProbe() {
        var t = new TcpTester();
        var c = t.establishedClient(keepalive(2, 1, 3));
        t.inject(1500, "P. 1:11(10) ack 1 win 502 <nop,nop,TS val 2500 ecr 100>");
        t.expect(1500, ". 1:1(0) ack 11 win 63 <nop,nop,TS val 1500 ecr 2500>"); // quick ACK
        t.expectNothing(3499);
        t.expect(3500, ". 0:0(0) ack 11 win 63 <nop,nop,TS val 3500 ecr 2500>");
        assertNull(c.pendingError());
    }

    /** Defaults: tcp_keepalive_time 7200 s, tcp_keepalive_intvl 75 s, tcp_keepalive_probes 9. */
    @Test
    void linuxDefaults_7200s_75s_9probes() {
        var t = new TcpTester();
        var o = new SocketOptions();
        o.keepAlive = true;
        var c = t.establishedClient(o);
        t.expectNothing(7_200_099);
        for (int i = 0; i < 9; i++) expectProbe(t, 7_200_100 + i * 75_000L);
        t.expectNothing(7_200_100 + 9 * 75_000L - 1);
        t.expect(7_200_100 + 9 * 75_000L, "R. 1:1(0) ack 1");
        assertEquals(Errno.ETIMEDOUT, c.pendingError());
    }

    /** Without SO_KEEPALIVE an idle connection sends nothing, ever. */
    @Test
    void noKeepalive_silent() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.expectNothing(10_000_000);
        assertEquals(TcpState.ESTABLISHED, c.state());
    }
}
