package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    static final int MSS = 1448;

    static void sendTen(TcpTester t, TcpConnection c) {
        t.at(200, () -> assertEquals(10 * MSS, c.send(new byte[10 * MSS], 0, 10 * MSS)));
        for (int i = 0; i < 10; i++) {
            long s = 1 + (long) i * MSS;
            t.expect(200, (i == 9 ? "P. " : ". ") + s + ":" + (s + MSS) + "(" + MSS + ") ack 1");
        }
    }

    static String sackAck(long ms, int lastSacked) {
        return ". 1:1(0) ack 1 win 502 <nop,nop,TS val " + (1000 + ms) + " ecr 200,nop,nop,sack "
                + (1 + MSS) + ":" + (1 + (long) (lastSacked + 1) * MSS) + ">";
    }

    @Test
    void sack_threeSackedSegments_retransmitHole_thenCwndIsSsthresh() {
        var t = new TcpTester(cfg -> cfg.set("tcp_congestion_control", "reno"));
        var c = t.establishedClient();
        sendTen(t, c);
        t.inject(300, sackAck(300, 1));
        t.inject(301, sackAck(301, 2));
        t.expectNothing(301);
        t.inject(302, sackAck(302, 3));
        t.expect(302, ". 1:1449(1448) ack 1");
        TcpInfo i = c.info();
        assertEquals(3, i.caState()); // Recovery
        assertEquals(5, i.sndSsthresh());
        // PRR: delivered 1, in flight 10 − 3 SACKed − 1 lost = 6 > ssthresh: sndcnt = ⌈5·1/10⌉ = 1.
        assertEquals(7, i.sndCwnd());
        // The rest is SACKed (PRR has no new data to send); then the cumulative ACK ends recovery,
        // delivering one segment: tcp_end_cwnd_reduction sets cwnd = ssthresh = 5, and Reno's
        // additive increase (cwnd_cnt reset at recovery entry, 1 delivered < 5) leaves it there.
        for (int k = 4; k <= 9; k++) t.inject(300 + k, sackAck(300 + k, k));
        t.inject(400, ". 1:1(0) ack " + (1 + 10 * MSS) + " win 502 <nop,nop,TS val 1400 ecr 302>");
        assertEquals(0, c.info().caState());
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
        var c = t.connect();
        t.expect(0, "S 0:0(0) win 64240 <mss 1460,nop,nop,TS val 0 ecr 0,nop,wscale 10>");
        t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        // A window update first (the SYN-ACK's 65535 was unscaled), so the ACKs below are pure duplicates.
        t.inject(150, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1150 ecr 100>");
        sendTen(t, c);
        t.inject(300, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.inject(301, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1301 ecr 200>");
        t.expectNothing(301);
        t.inject(302, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1302 ecr 200>");
        t.expect(302, ". 1:1449(1448) ack 1");
        assertEquals(3, c.info().caState());
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
        // The tail of a burst cut short by cwnd carries PSH, as Linux's TSO skb does.
        for (int i = 0; i < 10; i++) t.expect(200, (i == 9 ? "P. " : ". ") + (1 + i * MSS) + ":" + (1 + (i + 1) * MSS) + "(" + MSS + ") ack 1");
        assertEquals(10, c.info().sndCwnd());
        int next = 10;
        for (int k = 1; k <= 5; k++) {
            long ms = 300 + k;
            t.inject(ms, ". 1:1(0) ack " + (1 + k * MSS) + " win 502 <nop,nop,TS val " + (1000 + ms) + " ecr 200>");
            assertEquals(10 + k, c.info().sndCwnd());
            for (int j = 0; j < 2; j++, next++) {
                t.expect(ms, (j == 1 ? "P. " : ". ") + (1 + next * MSS) + ":" + (1 + (next + 1) * MSS) + "(" + MSS + ") ack 1");
            }
        }
        assertEquals(Cwnd.INFINITE_SSTHRESH, c.info().sndSsthresh());
    }
}
