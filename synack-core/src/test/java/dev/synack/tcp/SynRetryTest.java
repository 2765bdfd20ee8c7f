package dev.synack.tcp;

import static dev.synack.testing.TcpTester.PEER_SYN;
import static dev.synack.testing.TcpTester.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * SYN and SYN-ACK retransmission as Linux 6.18 times them (net/ipv4/tcp_timer.c
 * {@code tcp_retransmit_timer}, {@code tcp_write_timeout}; net/ipv4/inet_connection_sock.c
 * {@code reqsk_timer_handler}). RFC 6298 §5.5 doubles the RTO on every timeout; Linux 6.18 first
 * keeps it at the initial 1 s for {@code tcp_syn_linear_timeouts} (4) retransmissions of a SYN.
 */
class SynRetryTest {
    /**
     * Defaults: tcp_syn_retries 6, tcp_syn_linear_timeouts 4, initial RTO 1 s. tcp_retransmit_timer
     * keeps icsk_rto at 1 s while icsk_retransmits ≤ 4 (total_rto ≤ linear timeouts), then doubles it;
     * tcp_write_timeout gives up when icsk_retransmits ≥ syn_retries + linear_timeouts = 10.
     * Retransmissions at 1, 2, 3, 4, 5 (RTO 1 s), then 7, 11, 19, 35, 67 (RTO 2, 4, 8, 16, 32 s);
     * the 11th expiry at 67 + 64 = 131 s ends the attempt with ETIMEDOUT and no RST.
     */
    @Test
    void linux618_defaults_tenRetransmissions_thenEtimedoutAt131s() {
        var t = new TcpTester();
        var c = t.connect();
        for (long s : new long[] {0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67}) t.expect(s * 1000, syn(s * 1000));
        t.expectNothing(130_999);
        assertEquals(TcpState.SYN_SENT, c.state());
        assertNull(c.pendingError());
        t.expectNothing(131_000);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(Errno.ETIMEDOUT, c.pendingError());
        t.expectNothing(400_000);
        assertEquals(1, t.stack.counters().get(dev.synack.stats.Counter.TcpAttemptFails));
    }

    /**
     * tcp_syn_linear_timeouts 0 restores the RFC 6298 doubling: SYNs at 0, 1, 3, 7, 15, 31, 63 s
     * (six retransmissions = tcp_syn_retries), ETIMEDOUT at 63 + 64 = 127 s.
     */
    @Test
    void noLinearTimeouts_exponentialBackoff_etimedoutAt127s() {
        var t = new TcpTester(cfg -> cfg.set("tcp_syn_linear_timeouts", "0"));
        var c = t.connect();
        for (long s : new long[] {0, 1, 3, 7, 15, 31, 63}) t.expect(s * 1000, syn(s * 1000));
        t.expectNothing(126_999);
        assertEquals(TcpState.SYN_SENT, c.state());
        t.expectNothing(127_000);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(Errno.ETIMEDOUT, c.pendingError());
    }

    @Nested
    class SynCnt {
        /**
         * TCP_SYNCNT (icsk_syn_retries) replaces tcp_syn_retries in tcp_write_timeout, for the count
         * (the linear timeouts add to it: 2 + 4 = 6 retransmissions) and for the time model
         * (tcp_model_timeout(2) from 1 s = 7 s since the first SYN). The time comes first: SYNs at 0,
         * 1, 2, 3, 4, 5 s and ETIMEDOUT at the expiry at 7 s. Measured on Linux 6.18 with
         * tcp_syn_retries 2 (the oracle's recording syn-timeout/tcp_syn_retries=2): six SYNs 1.0 s
         * apart, connect() failing 7.1 s after the first.
         */
        @Test
        void synCnt2_overridesSysctl_timeModelEndsItAt7s() {
            var t = new TcpTester(cfg -> cfg.set("tcp_syn_retries", "6"));
            var o = new SocketOptions();
            o.synCnt = 2;
            var c = t.connect(o);
            for (long s : new long[] {0, 1, 2, 3, 4, 5}) t.expect(s * 1000, syn(s * 1000));
            t.expectNothing(6_999);
            assertEquals(TcpState.SYN_SENT, c.state());
            t.expectNothing(7_000);
            assertEquals(Errno.ETIMEDOUT, c.pendingError());
        }

        /**
         * tcp_syn_retries 3: the count ends it (3 + 4 = 7 retransmissions, at 1, 2, 3, 4, 5, 7, 11 s)
         * at the expiry at 19 s, before the 15 s model would have mattered at the next check. Measured
         * on Linux 6.18 (recording syn-timeout/tcp_syn_retries=3 run live): eight SYNs, ETIMEDOUT 19.5 s
         * after the first.
         */
        @Test
        void sysctlSynRetries3_countEndsItAt19s() {
            var t = new TcpTester(cfg -> cfg.set("tcp_syn_retries", "3"));
            var c = t.connect();
            for (long s : new long[] {0, 1, 2, 3, 4, 5, 7, 11}) t.expect(s * 1000, syn(s * 1000));
            t.expectNothing(18_999);
            assertEquals(TcpState.SYN_SENT, c.state());
            t.expectNothing(19_000);
            assertEquals(Errno.ETIMEDOUT, c.pendingError());
        }

        /** tcp_syn_retries 1 and no linear timeouts: SYN at 0 and 1 s, ETIMEDOUT at 3 s. */
        @Test
        void sysctlSynRetries1() {
            var t = new TcpTester(cfg -> {
                cfg.set("tcp_syn_retries", "1");
                cfg.set("tcp_syn_linear_timeouts", "0");
            });
            var c = t.connect();
            t.expect(0, syn(0));
            t.expect(1000, syn(1000));
            t.expectNothing(2999);
            assertEquals(TcpState.SYN_SENT, c.state());
            t.expectNothing(3000);
            assertEquals(Errno.ETIMEDOUT, c.pendingError());
        }
    }

    /**
     * Passive open: a request that gets no final ACK has its SYN-ACK retransmitted by
     * reqsk_timer_handler with the RTO doubling from 1 s (no linear timeouts for SYN-ACKs), up to
     * tcp_synack_retries = 5: at 1, 3, 7, 15, 31 s; at 63 s the request is dropped silently.
     */
    @Test
    void synAck_retransmittedFiveTimes_thenDroppedSilently() {
        var t = new TcpTester();
        var l = t.listen();
        t.inject(0, PEER_SYN);
        for (long s : new long[] {0, 1, 3, 7, 15, 31}) {
            t.expect(s * 1000, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val " + s * 1000 + " ecr 1000,nop,wscale 10>");
        }
        t.expectNothing(62_999);
        assertEquals(1, l.synQueueLength());
        t.expectNothing(63_000);
        assertEquals(0, l.synQueueLength());
        assertEquals(0, t.stack.connections().size());
        t.expectNothing(200_000);
        assertNull(l.accept());
    }
}
