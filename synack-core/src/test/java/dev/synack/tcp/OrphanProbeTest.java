package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * An orphan whose peer answers every zero-window probe (issue 13, defect d). Linux 6.18's
 * tcp_probe_timer keeps a socket alive while the peer answers (every ACK clears icsk_probes_out), but
 * not an orphan: alive = inet_csk_rto_backoff(icsk, TCP_RTO_MAX) &lt; TCP_RTO_MAX, and a dead orphan
 * is aborted once icsk_backoff ≥ tcp_orphan_retries(sk, alive) (0 for the default sysctl) — the ACKs
 * do not reset icsk_backoff (tcp_ack_probe only re-arms the timer). The abort is tcp_write_err:
 * ETIMEDOUT, TCPAbortOnTimeout, no RST.
 *
 * <p>Setup ({@link PersistTest#closedWindowWithData}): RTO 300 ms, 1000 bytes waiting on a closed
 * window; close() at 300 ms orphans the socket with the FIN queued behind the data (FIN_WAIT1).
 */
class OrphanProbeTest {
    /**
     * Probes at 0.5 s and then each 100 ms answer + min(300 ms << backoff, 120 s): the 9th probe leaves
     * with backoff 8 (300 ms << 8 = 76.8 s, alive); it raises backoff to 9, and 300 ms << 9 = 153.6 s
     * ≥ 120 s, so the next expiry (120 s after the 9th answer) finds the orphan dead: aborted there.
     */
    @Test
    void answeredProbes_orphanAbortedWhenBackoffReachesRtoMax() {
        var t = new TcpTester();
        var c = PersistTest.closedWindowWithData(t);
        t.at(300, c::close);
        assertEquals(TcpState.FIN_WAIT1, c.state());
        long at = 500, ecr = 1150;
        for (int i = 1; i <= 9; i++) {
            PersistTest.expectProbe(t, at, ecr);
            long answer = at + 100;
            t.inject(answer, ". 1:1(0) ack 1 win 0 <nop,nop,TS val " + (answer + 1000) + " ecr " + at + ">");
            ecr = answer + 1000;
            at = answer + Math.min(300L << i, 120_000);
        }
        assertEquals(9, c.info().backoff());
        assertEquals(274_400, at); // the 9th answer at 154.4 s, + 120 s
        t.expectNothing(at - 1);
        assertEquals(TcpState.FIN_WAIT1, c.state());
        t.expectNothing(at);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPAbortOnTimeout));
        assertEquals(9, t.stack.counters().get(Counter.TcpExtTCPWinProbe));
        t.expectNothing(at + 1_000_000);
    }

    /** Not orphaned, the same answered probes go on (RFC 1122 §4.2.2.17), backoff capped at tcp_retries2. */
    @Test
    void answeredProbes_notOrphan_live() {
        var t = new TcpTester();
        var c = PersistTest.closedWindowWithData(t);
        long at = 500, ecr = 1150;
        for (int i = 1; i <= 20; i++) {
            PersistTest.expectProbe(t, at, ecr);
            long answer = at + 100;
            t.inject(answer, ". 1:1(0) ack 1 win 0 <nop,nop,TS val " + (answer + 1000) + " ecr " + at + ">");
            ecr = answer + 1000;
            at = answer + Math.min(300L << i, 120_000);
        }
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(15, c.info().backoff()); // tcp_send_probe0: backoff++ only below tcp_retries2
    }

    /**
     * With tcp_orphan_retries = 3 a dead orphan still gets probes until icsk_backoff reaches 3; alive,
     * it gets 3 unanswered ones. Unanswered here: probes at 0.5, 1.1, 2.3 s (gaps 0.6, 1.2), the
     * fourth expiry at 4.7 s finds icsk_probes_out = 3 ≥ 3: aborted.
     */
    @Test
    void unansweredProbes_orphanRetriesSysctl() {
        var t = new TcpTester(cfg -> cfg.tcpOrphanRetries = 3);
        var c = PersistTest.closedWindowWithData(t);
        t.at(300, c::close);
        PersistTest.expectProbe(t, 500, 1150);
        PersistTest.expectProbe(t, 1100, 1150);
        PersistTest.expectProbe(t, 2300, 1150);
        t.expectNothing(4699);
        assertEquals(TcpState.FIN_WAIT1, c.state());
        t.expectNothing(4700);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPAbortOnTimeout));
    }
}
