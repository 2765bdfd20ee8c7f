package dev.synack.tcp;

import static dev.synack.testing.TcpTester.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The retransmission timer: RFC 6298 with Linux's bounds (net/ipv4/tcp_input.c tcp_rtt_estimator,
 * tcp_set_rto; net/ipv4/tcp_timer.c tcp_retransmit_timer, tcp_write_timeout), the tail loss probe
 * of RFC 8985 §7 (tcp_output.c tcp_schedule_loss_probe, tcp_send_loss_probe) and the give-up rules
 * (tcp_retries2, TCP_USER_TIMEOUT).
 *
 * <p>Every test starts from {@link TcpTester#establishedClient()}: SYN at 0, SYN-ACK at 100 ms, so the
 * first RTT sample is 100 ms. tcp_rtt_estimator: srtt = 100 ms, mdev = 50 ms, rttvar =
 * max(mdev·4/4.., tcp_rto_min) = 200 ms; RTO = srtt + rttvar = 300 ms (RFC 6298 §2.2 would give
 * 100 + 4·50 = 300 ms too, then round up to 1 s per §2.4 — Linux has no 1 s floor).
 */
class RetransmissionTest {
    static byte[] bytes(int n) { return new byte[n]; }

    /**
     * The first RTT sample sets RTO = srtt + max(2·sample, 200 ms) = 100 + 200 = 300 ms
     * (tcp_rtt_estimator, tcp_set_rto); tcp_info reports tcpi_rttvar as mdev_us >> 2 = 50 ms.
     */
    @Test
    void firstSample_rtoIsSrttPlus200ms() {
        var t = new TcpTester();
        var c = t.establishedClient();
        TcpInfo i = c.info();
        assertEquals(100_000, i.rttUs());
        assertEquals(50_000, i.rttvarUs());
        assertEquals(300_000, i.rtoUs());
    }

    /**
     * Linux keeps the RTO in jiffies (tcp_set_rto): after a 1 ms handshake RTT, srtt + rttvar = 201 ms
     * becomes 51 ticks at HZ=250, 204 ms. Measured on Linux 6.18 with packetdrill, SACK off (no loss
     * probe): tcpi_rto 204000 after the handshake, the RTO 204 ms after the send (the kernel's timer
     * fired 206 ms after it, on a tick), tcpi_rto 408000 after it. The second RTO, 408 ms later here,
     * came 420–440 ms later on Linux: its timer wheel rounds a timer that long up to 32 ms.
     */
    @Test
    void rtoIsRoundedUpToJiffies() {
        var t = new TcpTester(cfg -> cfg.tcpSack = false);
        var c = t.connect();
        t.expect(0, "S 0:0(0) win 64240 <mss 1460,nop,nop,TS val 0 ecr 0,nop,wscale 10>");
        t.inject(1, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(1, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 1 ecr 1000>");
        assertEquals(204_000, c.info().rtoUs());
        t.at(2, () -> assertEquals(100, c.send(bytes(100), 0, 100)));
        t.expect(2, "P. 1:101(100) ack 1 <nop,nop,TS val 2 ecr 1000>");
        t.expectNothing(205);
        t.expect(206, "P. 1:101(100) ack 1 <nop,nop,TS val 206 ecr 1000>");
        assertEquals(408_000, c.info().rtoUs());
        t.expect(614, "P. 1:101(100) ack 1 <nop,nop,TS val 614 ecr 1000>");
    }

    /**
     * One segment lost, SACK negotiated. Sent at 200 ms. tcp_schedule_loss_probe: 2·srtt + rto_min
     * (one segment in flight) = 400 ms, but no later than the RTO (300 ms from the send) → probe at
     * 500 ms: the last segment again. tcp_rearm_rto after the probe: 300 ms from the probe (the head
     * was just resent) → RTO at 800 ms; then the RTO doubles: 600 ms → 1400, 1200 → 2600, 2400 → 5000.
     */
    @Test
    void lostSegment_tlpThenRtoDoubling() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> assertEquals(1000, c.send(bytes(1000), 0, 1000)));
        t.expect(200, "P. 1:1001(1000) ack 1 <nop,nop,TS val 200 ecr 1000>");
        t.expect(500, "P. 1:1001(1000) ack 1 <nop,nop,TS val 500 ecr 1000>"); // TLP
        assertEquals(1, t.stack.counters().get(dev.synack.stats.Counter.TcpExtTCPLossProbes));
        t.expect(800, "P. 1:1001(1000) ack 1 <nop,nop,TS val 800 ecr 1000>"); // RTO 1
        assertEquals(600_000, c.info().rtoUs());
        assertEquals(1, c.info().sndCwnd());
        t.expect(1400, "P. 1:1001(1000) ack 1 <nop,nop,TS val 1400 ecr 1000>");
        t.expect(2600, "P. 1:1001(1000) ack 1 <nop,nop,TS val 2600 ecr 1000>");
        t.expect(5000, "P. 1:1001(1000) ack 1 <nop,nop,TS val 5000 ecr 1000>");
        assertEquals(4800_000, c.info().rtoUs());
        assertEquals(4, c.info().backoff());
        // The ACK finally comes, echoing the last transmission: a valid sample (RFC 7323 §4.1).
        t.inject(5100, ". 1:1(0) ack 1001 win 502 <nop,nop,TS val 6000 ecr 5000>");
        t.expectNothing(20_000);
        assertEquals(0, c.info().backoff());
        assertEquals(0, c.unacked());
    }

    /** Without SACK there is no tail loss probe (tcp_schedule_loss_probe needs tcp_is_sack): RTO at 300 ms. */
    @Test
    void withoutSack_noTlp_rtoAfter300ms() {
        var t = new TcpTester();
        var c = t.connect();
        t.expect(0, SYN);
        t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        t.at(200, () -> c.send(bytes(1000), 0, 1000));
        t.expect(200, "P. 1:1001(1000) ack 1 <nop,nop,TS val 200 ecr 1000>");
        t.expect(500, "P. 1:1001(1000) ack 1 <nop,nop,TS val 500 ecr 1000>");
        t.expect(1100, "P. 1:1001(1000) ack 1 <nop,nop,TS val 1100 ecr 1000>");
        assertEquals(0, t.stack.counters().get(dev.synack.stats.Counter.TcpExtTCPLossProbes));
    }

    /**
     * Karn's rule (RFC 6298 §3): without timestamps an ACK of a retransmitted segment gives no RTT
     * sample (tcp_clean_rtx_queue skips FLAG_RETRANS_DATA_ACKED skbs), so the backed-off RTO stays
     * (tcp_set_rto is not called). Handshake without TS: RTO 300 ms; data at 200 ms; TLP at 500 ms;
     * RTO at 800 ms → RTO 600 ms; the ACK at 850 ms (50 ms after — a sample would give srtt ≈ 94 ms
     * and an RTO of ≈ 290 ms) leaves it at 600 ms.
     */
    @Test
    void karn_noSampleFromRetransmission_withoutTimestamps() {
        var t = new TcpTester(cfg -> cfg.set("tcp_timestamps", "0"));
        var c = t.connect();
        t.expect(0, "S 0:0(0) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 10>");
        t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>");
        t.expect(100, ". 1:1(0) ack 1 win 63");
        assertEquals(300_000, c.info().rtoUs());
        t.at(200, () -> c.send(bytes(1000), 0, 1000));
        t.expect(200, "P. 1:1001(1000) ack 1 <>");
        t.expect(500, "P. 1:1001(1000) ack 1 <>"); // TLP
        t.expect(800, "P. 1:1001(1000) ack 1 <>"); // RTO
        assertEquals(600_000, c.info().rtoUs());
        t.inject(850, ". 1:1(0) ack 1001 win 502");
        assertEquals(600_000, c.info().rtoUs());
        assertEquals(100_000, c.info().rttUs());
        // New data, ACKed without retransmission after 20 ms: a sample at last.
        t.at(1000, () -> c.send(bytes(100), 0, 100));
        t.expect(1000, "P. 1001:1101(100) ack 1 <>");
        t.inject(1020, ". 1:1(0) ack 1101 win 502");
        // tcp_rtt_estimator: srtt = 100 + (20 − 100)/8 = 90 ms. The error 80 ms is below srtt, so
        // mdev (×4) moves by ((80 − 200/4) >> 3) = 3.75 ms (the Eifel-like finer gain): 203.75 ms, which
        // exceeds mdev_max (200 ms) and so becomes rttvar. RTO = 90 + 203.75 = 293.75 ms, kept in
        // jiffies: 74 ticks, 296 ms (tcp_set_rto).
        assertEquals(90_000, c.info().rttUs());
        assertEquals(296_000, c.info().rtoUs());
    }

    /**
     * The RTO is capped at TCP_RTO_MAX = 120 s (tcp_rto_max_ms): 0.3 s doubled: 0.6, 1.2, ..., 76.8,
     * then 120 s instead of 153.6 s.
     */
    @Test
    void rtoCappedAt120s() {
        var t = new TcpTester(cfg -> cfg.set("tcp_sack", "0"));
        var c = t.establishedClientWithoutSack();
        t.at(200, () -> c.send(bytes(10), 0, 10));
        long at = 200;
        long rto = 300;
        t.expect(at, "P. 1:11(10) ack 1");
        for (int i = 0; i < 12; i++) {
            at += rto;
            t.expect(at, "P. 1:11(10) ack 1");
            rto = Math.min(rto * 2, 120_000);
        }
        assertEquals(120_000_000, c.info().rtoUs());
    }

    /**
     * tcp_retries2 = 15 (tcp_write_timeout → retransmits_timed_out): the connection gives up at the
     * first timer expiry at which tcp_model_timeout(15, TCP_RTO_MIN) = 924.6 s have passed since the
     * first RTO retransmission (tp->retrans_stamp; the TLP does not set it).
     *
     * <p>Data at 200 ms, TLP at 500 ms, first RTO retransmission at 0.8 s, then gaps 0.6, 1.2, 2.4, 4.8,
     * 9.6, 19.2, 38.4, 76.8 s, then 120 s: retransmissions at 0.8 + {0, 0.6, 1.8, 4.2, 9, 18.6, 37.8,
     * 76.2, 153, 273, 393, 513, 633, 753, 873} s. The next expiry, 0.8 + 993 s = 993.8 s, is past
     * 0.8 + 924.6 s: ETIMEDOUT then, with no RST (tcp_write_err → tcp_done).
     */
    @Test
    void retries2_givesUpAtFirstExpiryAfter924_6s() {
        assertEquals(924_600_000, TcpConnection.modelTimeoutUs(15, 200_000));
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> c.send(bytes(10), 0, 10));
        t.expect(200, "P. 1:11(10) ack 1");
        t.expect(500, "P. 1:11(10) ack 1");
        long[] rel = {0, 600, 1800, 4200, 9000, 18_600, 37_800, 76_200, 153_000, 273_000, 393_000, 513_000,
            633_000, 753_000, 873_000};
        for (long r : rel) t.expect(800 + r, "P. 1:11(10) ack 1");
        t.expectNothing(993_799);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertNull(c.pendingError());
        t.expectNothing(993_800);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(Errno.ETIMEDOUT, c.pendingError());
    }

    @Nested
    class UserTimeout {
        /**
         * TCP_USER_TIMEOUT 3000 ms: tcp_retransmit_timer arms the next RTO with
         * tcp_clamp_rto_to_user_timeout, so the timer fires exactly when 3 s have passed since the
         * first retransmission (retrans_stamp = 0.8 s), and tcp_write_timeout gives up then. RTO
         * retransmissions at 0.8, 1.4, 2.6 s; the 2.4 s RTO is clamped to the 1.2 s left → ETIMEDOUT
         * at 3.8 s.
         */
        @Test
        void userTimeout3s_etimedout3sAfterFirstRetransmission() {
            var t = new TcpTester();
            var o = new SocketOptions();
            o.userTimeoutMs = 3000;
            var c = t.establishedClient(o);
            t.at(200, () -> c.send(bytes(10), 0, 10));
            t.expect(200, "P. 1:11(10) ack 1");
            t.expect(500, "P. 1:11(10) ack 1"); // TLP
            t.expect(800, "P. 1:11(10) ack 1");
            t.expect(1400, "P. 1:11(10) ack 1");
            t.expect(2600, "P. 1:11(10) ack 1");
            t.expectNothing(3799);
            assertEquals(TcpState.ESTABLISHED, c.state());
            t.expectNothing(3800);
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(Errno.ETIMEDOUT, c.pendingError());
        }
    }
}
