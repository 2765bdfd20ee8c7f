package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Zero-window probing (RFC 9293 §3.8.6.1; RFC 1122 §4.2.2.17) as Linux does it: tcp_check_probe_timer
 * arms ICSK_TIME_PROBE0 at tcp_probe0_base = max(RTO, TCP_RTO_MIN) when data waits on a closed window
 * with nothing in flight; tcp_probe_timer → tcp_send_probe0 → tcp_write_wakeup sends
 * tcp_xmit_probe_skb (SEQ = SND.UNA − 1, no data) and re-arms at tcp_probe0_when =
 * min(base << ++backoff, TCP_RTO_MAX). An ACK of a probe clears icsk_probes_out (tcp_ack), and
 * tcp_ack_probe re-arms the timer from the ACK's arrival with the current backoff, or stops it when
 * the window opens, after which tcp_data_snd_check sends at once. Only unanswered probes count
 * toward tcp_retries2.
 *
 * <p>Setup: {@link TcpTester#establishedClient()} (RTO 300 ms), the peer closes its window at 150 ms,
 * the application writes 1000 bytes at 200 ms: the first probe is due at 200 + 300 = 500 ms.
 */
class PersistTest {
    static TcpConnection closedWindowWithData(TcpTester t) {
        var c = t.establishedClient();
        t.inject(150, ". 1:1(0) ack 1 win 0 <nop,nop,TS val 1150 ecr 100>");
        t.at(200, () -> assertEquals(1000, c.send(new byte[1000], 0, 1000)));
        assertEquals("persist", c.info().timer());
        return c;
    }

    static void expectProbe(TcpTester t, long ms, long ecr) {
        t.expect(ms, ". 0:0(0) ack 1 win 63 <nop,nop,TS val " + ms + " ecr " + ecr + ">");
    }

    /**
     * Unanswered probes: gaps 0.6, 1.2, 2.4, ... s doubling from 300 ms, capped at 120 s: probes at
     * 0.5, 1.1, 2.3, 4.7, 9.5, 19.1, 38.3, 76.7, 153.5, then every 120 s to 873.5 s (15 probes =
     * tcp_retries2); the 16th expiry, at 993.5 s, finds icsk_probes_out ≥ 15: ETIMEDOUT, no RST.
     */
    @Test
    void unansweredProbes_backOffTo120s_thenEtimedout() {
        var t = new TcpTester();
        var c = closedWindowWithData(t);
        t.expectNothing(499);
        long at = 500, gap = 600;
        for (int i = 0; i < 15; i++) {
            expectProbe(t, at, 1150);
            at += gap;
            gap = Math.min(gap * 2, 120_000);
        }
        assertEquals(993_500, at);
        assertEquals(15, c.info().probes());
        t.expectNothing(993_499);
        assertEquals(TcpState.ESTABLISHED, c.state());
        t.expectNothing(993_500);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(Errno.ETIMEDOUT, c.pendingError());
        assertEquals(15, t.stack.counters().get(Counter.TcpExtTCPWinProbe));
    }

    /**
     * Each probe answered 100 ms later with the window still closed: tcp_ack_probe re-arms the timer
     * from the answer with the backoff reached (probe at 0.5 s, answer 0.6 → next probe 0.6 + 0.6 =
     * 1.2 s; answer 1.3 → 1.3 + 1.2 = 2.5 s; ...), gaps capped at 120 s. Thirty probes, far past
     * tcp_retries2, and the connection lives; then a window update at once releases the data.
     */
    @Test
    void answeredProbes_neverKill_windowUpdateSendsAtOnce() {
        var t = new TcpTester();
        var c = closedWindowWithData(t);
        long at = 500;
        long ecr = 1150;
        for (int i = 1; i <= 30; i++) {
            expectProbe(t, at, ecr);
            long answer = at + 100;
            t.inject(answer, ". 1:1(0) ack 1 win 0 <nop,nop,TS val " + (answer + 1000) + " ecr " + at + ">");
            assertEquals(0, c.info().probes());
            ecr = answer + 1000;
            at = answer + Math.min(300L << Math.min(i, 15), 120_000);
        }
        assertEquals(TcpState.ESTABLISHED, c.state());
        long open = at - 50_000;
        t.inject(open, ". 1:1(0) ack 1 win 502 <nop,nop,TS val " + (open + 1000) + " ecr " + (at - 120_000) + ">");
        t.expect(open, "P. 1:1001(1000) ack 1 <nop,nop,TS val " + open + " ecr " + (open + 1000) + ">");
        assertEquals("on", c.info().timer());
        assertNull(c.pendingError());
    }

    /** A window that opens too little for the waiting segment (tcp_snd_wnd_test) keeps the probes going. */
    @Test
    void windowUpdateTooSmall_probesContinue() {
        var t = new TcpTester();
        var c = closedWindowWithData(t);
        expectProbe(t, 500, 1150);
        // win 1 << 7 = 128 bytes: the 1000-byte segment does not fit. tcp_ack_probe re-arms: 600 + 600.
        t.inject(600, ". 1:1(0) ack 1 win 1 <nop,nop,TS val 1600 ecr 500>");
        // tcp_write_wakeup then sends what the window takes (128 bytes) as the probe.
        t.expect(1200, "P. 1:129(128) ack 1 <nop,nop,TS val 1200 ecr 1600>");
        assertEquals(TcpState.ESTABLISHED, c.state());
    }
}
