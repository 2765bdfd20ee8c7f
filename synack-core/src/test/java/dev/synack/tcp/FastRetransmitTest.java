package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static dev.synack.testing.TcpTester.MSS;
import static dev.synack.testing.TcpTester.ack;
import static dev.synack.testing.TcpTester.range;

import dev.synack.tcp.cc.Cwnd;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Fast retransmit and recovery (RFC 5681 §3.2, RFC 6675; Linux tcp_fastretrans_alert,
 * tcp_time_to_recover: more than tp->reordering = 3 duplicate ACKs, or with SACK sacked_out + 1 > 3),
 * Reno's ssthresh = max(cwnd/2, 2) (tcp_reno_ssthresh), PRR in between (RFC 6937, tcp_cwnd_reduction)
 * and cwnd = ssthresh when recovery ends (tcp_end_cwnd_reduction); slow start (RFC 5681 §3.1,
 * tcp_slow_start: cwnd grows by one per segment ACKed from the initial 10, RFC 6928).
 *
 * <p>Ten full segments go at 200 ms (cwnd 10) and the first is lost. With SACK, the three SACKs arrive
 * within 2 ms: Linux's RACK (not modelled) agrees, since with three segments SACKed its reordering
 * window is 0.
 */
class FastRetransmitTest {
    @Test
    void sack_threeSackedSegments_retransmitHole_thenCwndIsSsthresh() {
        var t = new TcpTester(cfg -> cfg.set("tcp_congestion_control", "reno"));
        var c = t.establishedClient();
        t.sendBurst(c, 200, 10);
        t.inject(300, ack(300, 0, 200, 1, 2));
        t.inject(301, ack(301, 0, 200, 1, 3));
        t.expectNothing(301);
        t.inject(302, ack(302, 0, 200, 1, 4));
        t.expect(302, ". 1:1449(1448) ack 1");
        TcpInfo i = c.info();
        assertEquals(CaState.RECOVERY, i.ca());
        assertEquals(5, i.sndSsthresh());
        // PRR: delivered 1, in flight 10 − 3 SACKed − 1 lost = 6 > ssthresh: sndcnt = ⌈5·1/10⌉ = 1.
        assertEquals(7, i.sndCwnd());
        // The rest is SACKed (PRR has no new data to send); then the cumulative ACK ends recovery,
        // delivering one segment: tcp_end_cwnd_reduction sets cwnd = ssthresh = 5, and Reno's
        // additive increase (cwnd_cnt reset at recovery entry, 1 delivered < 5) leaves it there.
        for (int k = 4; k <= 9; k++) t.inject(300 + k, ack(300 + k, 0, 200, 1, k + 1));
        t.inject(400, ack(400, 10, 302));
        assertEquals(CaState.OPEN, c.info().ca());
        assertEquals(5, c.info().sndCwnd());
        assertEquals(5, c.info().sndSsthresh());
        t.expectNothing(2000);
    }

    @Test
    void noSack_threeDupAcks_fastRetransmit() {
        var t = new TcpTester(cfg -> {
            cfg.set("tcp_sack", "0");
            cfg.set("tcp_congestion_control", "reno");
        });
        var c = t.establishedClientWithoutSack();
        // A window update first (the SYN-ACK's 65535 was unscaled), so the ACKs below are pure duplicates.
        t.inject(150, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1150 ecr 100>");
        t.sendBurst(c, 200, 10);
        t.inject(300, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.inject(301, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1301 ecr 200>");
        t.expectNothing(301);
        t.inject(302, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1302 ecr 200>");
        t.expect(302, ". 1:1449(1448) ack 1");
        assertEquals(CaState.RECOVERY, c.info().ca());
        assertEquals(5, c.info().sndSsthresh());
        // Not checked here: when everything is ACKed, Linux's tcp_try_undo_recovery keeps a Reno
        // connection in Recovery until something above high_seq is ACKed (RFC 6582); not modelled yet.
    }

    /** Slow start: each ACK of one segment raises cwnd by one and releases two segments. */
    @Test
    void slowStart_cwndGrowsByOnePerSegmentAcked() {
        var t = new TcpTester(cfg -> cfg.set("tcp_congestion_control", "reno"));
        var o = new SocketOptions();
        o.sndBuf = 1 << 20;
        var c = t.establishedClient(o);
        int total = 30 * MSS;
        t.at(200, () -> assertEquals(total, c.send(new byte[total], 0, total)));
        t.expectBurst(200, 0, 10);
        assertEquals(10, c.info().sndCwnd());
        int next = 10;
        for (int k = 1; k <= 5; k++) {
            long ms = 300 + k;
            t.inject(ms, ack(ms, k, 200));
            assertEquals(10 + k, c.info().sndCwnd());
            t.expectBurst(ms, next, 2);
            next += 2;
        }
        assertEquals(Cwnd.INFINITE_SSTHRESH, c.info().sndSsthresh());
    }

    /**
     * "newreno" (an alias of Linux's "reno", whose recovery is RFC 6582's): without SACK, segments 1
     * and 2 are lost; three duplicate ACKs retransmit segment 1; the ACK for it is partial (below
     * high_seq), so segment 2 is retransmitted at once, and recovery lasts until everything sent before
     * it is acknowledged (RFC 6582 §3.2 steps 3 and 4).
     */
    @Test
    void newReno_noSack_partialAckRetransmitsNextHole() {
        var t = new TcpTester(cfg -> {
            cfg.set("tcp_sack", "0");
            cfg.set("tcp_congestion_control", "newreno");
        });
        var c = t.establishedClientWithoutSack();
        t.inject(150, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1150 ecr 100>");
        assertEquals("newreno", c.info().congestion());
        t.sendBurst(c, 200, 10);
        for (int k = 0; k < 8; k++) {
            long ms = 300 + k;
            t.inject(ms, ack(ms, 0, 200));
            if (k == 2) t.expect(ms, ". 1:1449(1448) ack 1");
        }
        assertEquals(CaState.RECOVERY, c.info().ca());
        assertEquals(5, c.info().sndSsthresh());
        t.inject(400, ". 1:1(0) ack 1449 win 502 <nop,nop,TS val 1400 ecr 302>");
        t.expect(400, ". 1449:2897(1448) ack 1");
        assertEquals(CaState.RECOVERY, c.info().ca());
        // Everything acknowledged: nothing left to send. (Linux's Reno then holds Recovery until an ACK
        // above high_seq, tcp_try_undo_recovery; not modelled: see noSack_threeDupAcks_fastRetransmit.)
        t.inject(500, ". 1:1(0) ack 14481 win 502 <nop,nop,TS val 1500 ecr 400>");
        t.expectNothing(2000);
    }

    /**
     * PRR counts new data sent during recovery (Linux tcp_write_xmit: prr_out += sent_pkts while
     * tcp_in_cwnd_reduction; RFC 6937 §3 "prr_out ... data sent"): with cwnd 20 and segment 11 lost,
     * ssthresh is 10 and in flight stays above it, so sending follows ⌈ssthresh·prr_delivered/
     * prior_cwnd⌉ − prr_out: two new segments in Disorder, the retransmission on the 3rd SACK, new
     * segments on the 5th and 7th, and nothing in between.
     */
    @Test
    void prr_newDataSentInRecoveryCounts() {
        var t = new TcpTester(cfg -> cfg.set("tcp_congestion_control", "reno"));
        var o = new SocketOptions();
        o.sndBuf = 1 << 20;
        var c = t.establishedClient(o);
        int total = 40 * MSS;
        t.at(200, () -> assertEquals(total, c.send(new byte[total], 0, total)));
        t.expectBurst(200, 0, 10);
        t.inject(300, ack(300, 10, 200));
        t.expectBurst(300, 10, 20);
        assertEquals(20, c.info().sndCwnd());
        for (int k = 1; k <= 8; k++) {
            long ms = 400 + k;
            t.inject(ms, ack(ms, 10, 300, 11, 11 + k));
            if (k == 1) t.expect(ms, ". " + range(30) + " ack 1"); // Disorder: the SACKed segment left the network
            // The skb that tso_fragment left at the first flight's cut (14481) took the write's bytes up to
            // the size goal, 46337, and filled past half the peer's window since the last PSH: forced_push
            // marked it (tcp_sendmsg_locked), so its last segment goes with PSH.
            if (k == 2) t.expect(ms, "P. " + range(31) + " ack 1");
            if (k == 3) t.expect(ms, ". " + range(10) + " ack 1"); // recovery: ⌈10·1/20⌉ − 0 = 1
            if (k == 5) t.expect(ms, ". " + range(32) + " ack 1"); // ⌈10·3/20⌉ − 1 = 1
            if (k == 7) t.expect(ms, ". " + range(33) + " ack 1"); // ⌈10·5/20⌉ − 2 = 1
            t.expectNothing(ms);
        }
        assertEquals(CaState.RECOVERY, c.info().ca());
        assertEquals(10, c.info().sndSsthresh());
    }
}
