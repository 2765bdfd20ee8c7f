package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ECN on an established connection (RFC 3168 §6.1.2 to §6.1.6) as Linux 6.18 runs it: ECT(0) on new
 * data only (tcp_ecn_send), the receiver's ECE echo from a CE mark until CWR (tcp_data_ecn_check,
 * tcp_ecn_accept_cwr), the sender's one reduction per window (tcp_enter_cwr, PRR in
 * tcp_cwnd_reduction) and CWR on the first new data after each reduction (tcp_ecn_queue_cwr). Every
 * expectation was measured on Linux 6.18 with packetdrill (scripts b1-b4 under
 * tools-build/scripts/ecn/, CUBIC set with TCP_CONGESTION) and is quoted in each test.
 *
 * <p>The host is the server of an ECN connection the script opened with an ECN-setup SYN of MSS 1000,
 * no timestamps, window scale 7 (so segments are 1000 bytes and carry no options).
 */
class EcnDataTest {
    /** An established server connection with ECN (tcp_ecn 2, the default), accepted at 100 ms. */
    static TcpConnection ecnServer(TcpTester t) {
        TcpListener l = t.listen();
        t.inject(0, "SEW 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>");
        t.expect(0, "SE. 0:0(0) ack 1");
        t.inject(100, ". 1:1(0) ack 1 win 320");
        TcpConnection c = l.accept();
        assertEquals(TcpInfo.OPT_ECN, c.info().options() & TcpInfo.OPT_ECN);
        return c;
    }

    // ---- the receiver ------------------------------------------------------------------------------

    /**
     * b2-receiver.pkt, measured on Linux 6.18: after a request and its reply the connection delays its
     * ACKs (ACK of 101:201 after 41 ms); a pure ACK marked CE draws nothing; data marked CE is ACKed at
     * once with ECE, and so is the next segment (tcp_enter_quickack_mode(sk, 2)); a pure ACK with CWR
     * ends the echo without an ACK of its own, and the next data is ACKed without ECE; out-of-order data
     * marked CE is echoed in the duplicate ACK and in the ACK that fills the hole; data with CWR is ACKed
     * at once (tcp_ecn_accept_cwr); Not-ECT data after ECT was seen is ACKed at once too ("probably a
     * retransmit"); tcpi_options then has ECN and ECN_SEEN (30). Every ACK is Not-ECT.
     */
    @Test
    void receiver_echoesCeUntilCwr() {
        var t = new TcpTester();
        var c = ecnServer(t);
        t.inject(110, "[ect0] P. 1:101(100) ack 1 win 320");
        t.expect(110, "[noecn] . 1:1(0) ack 101");
        t.at(120, () -> c.send(new byte[100], 0, 100));
        t.expect(120, "[ect0] P. 1:101(100) ack 101");
        t.inject(130, "[ect0] P. 101:201(100) ack 101 win 320");
        t.expect(170, "[noecn] . 101:101(0) ack 201"); // Linux: 41 ms later (its delayed-ACK timer ticks at HZ=250)
        t.inject(180, "[ce] . 201:201(0) ack 101 win 320");
        t.inject(190, "[ce] P. 201:301(100) ack 101 win 320");
        t.expect(190, "[noecn] E. 101:101(0) ack 301");
        t.expectReason(SendReason.QUICK_ACK); // tcp_enter_quickack_mode(sk, 2), out of ping-pong mode
        t.inject(200, "[ect0] P. 301:401(100) ack 101 win 320");
        t.expect(200, "[noecn] E. 101:101(0) ack 401");
        t.expectReason(SendReason.QUICK_ACK);
        t.inject(210, "[ect0] W. 401:401(0) ack 101 win 320");
        t.inject(220, "[ect0] P. 401:501(100) ack 101 win 320");
        t.expect(220, "[noecn] . 101:101(0) ack 501");
        t.inject(230, "[ce] P. 601:701(100) ack 101 win 320");
        t.expect(230, "[noecn] E. 101:101(0) ack 501 <nop,nop,sack 601:701>");
        t.inject(240, "[ect0] P. 501:601(100) ack 101 win 320");
        t.expect(240, "[noecn] E. 101:101(0) ack 701");
        t.inject(250, "[ect0] PW. 701:801(100) ack 101 win 320");
        t.expect(250, "[noecn] . 101:101(0) ack 801");
        t.inject(260, "[noecn] P. 801:901(100) ack 101 win 320");
        t.expect(260, "[noecn] . 101:101(0) ack 901");
        assertEquals(TcpInfo.OPT_SACK | TcpInfo.OPT_WSCALE | TcpInfo.OPT_ECN | TcpInfo.OPT_ECN_SEEN, c.info().options());
        String ss = dev.synack.socket.SocketStats.ss(t.stack);
        assertTrue(ss.contains("\t ecn ecnseen cubic wscale:"), ss); // ss -i: "ts sack ecn ecnseen cubic ..."
    }

    /**
     * a1-server-negotiate.pkt, measured: while the echo lasts our own data carries ECE too
     * ({@code [ect0] PE.}); {@code PW.} ends it and is ACKed at once without ECE.
     */
    @Test
    void receiver_echoesOnItsDataToo() {
        var t = new TcpTester();
        var c = ecnServer(t);
        t.inject(110, "[ce] P. 1:101(100) ack 1 win 320");
        t.expect(110, "E. 1:1(0) ack 101");
        t.at(120, () -> c.send(new byte[100], 0, 100));
        t.expect(120, "[ect0] PE. 1:101(100) ack 101");
        t.inject(130, "[ect0] PW. 101:201(100) ack 101 win 320");
        t.expect(130, "[noecn] . 101:101(0) ack 201");
        t.expectReason(SendReason.ACK_CWR);
    }

    // ---- the sender ----------------------------------------------------------------------------------

    /**
     * b1-sender-cwr.pkt, measured on Linux 6.18 (CUBIC): 10 segments out, cwnd 10; the first ACK with
     * ECE puts cwnd into CWR (tcp_enter_cwr: ssthresh 7) and PRR keeps cwnd at 10, so one new segment
     * leaves, with CWR ({@code [ect0] W.}); a second ECE in the same window changes no ssthresh; cwnd
     * falls to 7 as the window drains, CWR is held while the ACK is at the recovery point (SND.NXT when
     * CWR began: 10001) and ends with the ACK above it (Open, cwnd 7). tcpi_delivered_ce counts the two
     * segments the ECE ACKs delivered; tcpi_delivered also the SYN (2, 3, 4, ... 11, 12).
     */
    @Test
    void sender_reducesOncePerWindow_andSendsCwr() {
        var t = new TcpTester(cfg -> cfg.initCwnd = 10);
        var c = ecnServer(t);
        t.at(100, () -> c.send(new byte[20_000], 0, 20_000));
        for (int i = 0; i < 10; i++) t.expect(100, "[ect0] " + (i % 2 == 1 ? "P." : ".") + " " + (1 + 1000 * i) + ":" + (1001 + 1000 * i) + "(1000) ack 1");
        t.inject(200, "[ect0] E. 1:1(0) ack 1001 win 320");
        t.expect(200, "[ect0] W. 10001:11001(1000) ack 1");
        check(c, CaState.CWR, 10, 7, 1, 2);
        t.inject(200, "[ect0] E. 1:1(0) ack 2001 win 320");
        t.expect(200, "[ect0] . 11001:12001(1000) ack 1"); // Linux defers this one to the next ACK (TSO)
        check(c, CaState.CWR, 10, 7, 2, 3);
        t.inject(200, "[ect0] . 1:1(0) ack 3001 win 320");
        check(c, CaState.CWR, 10, 7, 2, 4);
        List<String> sent = new ArrayList<>(t.drainText(200));
        for (int a = 4; a <= 10; a++) {
            t.inject(200, "[ect0] . 1:1(0) ack " + (a * 1000 + 1) + " win 320");
            sent.addAll(t.drainText(200));
        }
        check(c, CaState.CWR, 7, 7, 2, 11);
        t.inject(200, "[ect0] . 1:1(0) ack 11001 win 320");
        check(c, CaState.OPEN, 7, 7, 2, 12);
        sent.addAll(t.drainText(200));
        // What PRR let out meanwhile is ECT(0), and none carries CWR again; as on Linux, data up to 18001
        // has left by the end (Linux sends 11001:13001 on the ACK of 3001 as one TSO skb, where synack
        // sent 11001 on the ACK of 2001 already).
        assertEquals(6, sent.size(), sent.toString());
        assertTrue(sent.getLast().contains(" 17001:18001(1000)"), sent.toString());
        for (String s : sent) assertTrue(s.startsWith("[ect0] .") && !s.contains("W"), s);
        assertEquals(2, t.stack.counters().get(Counter.TcpExtTCPDeliveredCE));
        String ss = dev.synack.socket.SocketStats.ss(t.stack);
        assertTrue(ss.contains("\t ecn cubic ") && ss.contains(" delivered_ce:2 "), ss);
    }

    private static void check(TcpConnection c, CaState ca, int cwnd, int ssthresh, long deliveredCe, long delivered) {
        TcpInfo i = c.info();
        assertEquals(ca, i.ca(), "ca_state");
        assertEquals(cwnd, i.sndCwnd(), "cwnd");
        assertEquals(ssthresh, i.sndSsthresh(), "ssthresh");
        assertEquals(deliveredCe, i.deliveredCe(), "delivered_ce");
        assertEquals(delivered, i.delivered(), "delivered");
    }

    /**
     * b3-sender-loss.pkt, measured: SACKs of 1001:4001 start fast recovery; the retransmission of 1:1001
     * is Not-ECT (RFC 3168 §6.1.5), limited transmit's new data before it is ECT(0) without CWR, and the
     * first new data after recovery began carries CWR ({@code [ect0] P.W}, the TSO skb 12001:14001); a
     * FIN alone is Not-ECT.
     */
    @Test
    void sender_retransmissionIsNotEct_newDataAfterRecoveryCarriesCwr() {
        var t = new TcpTester(cfg -> cfg.initCwnd = 10);
        var c = ecnServer(t);
        t.at(100, () -> c.send(new byte[16_000], 0, 16_000));
        for (int i = 0; i < 10; i++) t.expect(100, "[ect0] " + (i % 2 == 1 ? "P." : ".") + " " + (1 + 1000 * i) + ":" + (1001 + 1000 * i) + "(1000) ack 1");
        t.inject(200, "[ect0] . 1:1(0) ack 1 win 320 <sack 1001:2001,nop,nop>");
        t.expect(200, "[ect0] . 10001:11001(1000) ack 1");
        t.inject(200, "[ect0] . 1:1(0) ack 1 win 320 <sack 1001:3001,nop,nop>");
        t.expect(200, "[ect0] . 11001:12001(1000) ack 1");
        t.inject(200, "[ect0] . 1:1(0) ack 1 win 320 <sack 1001:4001,nop,nop>");
        t.expect(200, "[noecn] . 1:1001(1000) ack 1");
        t.inject(200, "[ect0] . 1:1(0) ack 1001 win 320 <sack 1001:4001,nop,nop>");
        // PRR allows one segment here; Linux holds it for the next ACK (TSO deferral, tcp_tso_should_defer,
        // which synack does not model) and sends it then as a 2000-byte TSO skb with CWR.
        t.expect(200, "[ect0] W. 12001:13001(1000) ack 1");
        t.inject(200, "[ect0] . 1:1(0) ack 10001 win 320");
        // A TSO packet of two segments (PSH on its last), then the write's last segment alone (PSH).
        t.expect(200, "[ect0] . 13001:14001(1000) ack 1");
        t.expect(200, "[ect0] P. 14001:15001(1000) ack 1");
        t.expect(200, "[ect0] P. 15001:16001(1000) ack 1");
        t.inject(200, "[ect0] . 1:1(0) ack 16001 win 320");
        t.at(200, c::close);
        t.expect(200, "[noecn] F. 16001:16001(0) ack 1");
    }

    /**
     * tcp_fastretrans_alert's step A and tcp_enter_recovery(sk, ece_ack): a recovery that an ACK with
     * ECE starts keeps no prior ssthresh, so a D-SACK proving the retransmission spurious undoes nothing
     * — congestion was reported after all. Measured (c1, c2-recovery-*.pkt): with ECE, Recovery with
     * cwnd 7 and ssthresh 7, then Open with cwnd 8 and ssthresh 7 after the D-SACK; without ECE, the same
     * recovery ends undone: Open, cwnd 18, ssthresh back to infinite.
     */
    @Test
    void sender_recoveryStartedWithEce_isNotUndone() {
        for (boolean ece : new boolean[] {true, false}) {
            var t = new TcpTester(cfg -> cfg.initCwnd = 10);
            var c = ecnServer(t);
            t.at(100, () -> c.send(new byte[10_000], 0, 10_000));
            for (int i = 0; i < 10; i++) t.expect(100, "[ect0] " + (i % 2 == 1 ? "P." : ".") + " " + (1 + 1000 * i) + ":" + (1001 + 1000 * i) + "(1000) ack 1");
            t.inject(200, "[ect0] . 1:1(0) ack 1 win 320 <sack 1001:2001,nop,nop>");
            t.inject(200, "[ect0] . 1:1(0) ack 1 win 320 <sack 1001:3001,nop,nop>");
            t.inject(200, "[ect0] " + (ece ? "E." : ".") + " 1:1(0) ack 1 win 320 <sack 1001:4001,nop,nop>");
            t.expect(200, "[noecn] . 1:1001(1000) ack 1");
            assertEquals(CaState.RECOVERY, c.info().ca());
            assertEquals(7, c.info().sndCwnd());
            assertEquals(7, c.info().sndSsthresh());
            t.inject(210, "[ect0] . 1:1(0) ack 10001 win 320 <sack 1:1001,nop,nop>");
            TcpInfo i = c.info();
            assertEquals(CaState.OPEN, i.ca(), "ece " + ece);
            assertEquals(ece ? 8 : 18, i.sndCwnd(), "ece " + ece);
            assertEquals(ece ? 7 : dev.synack.tcp.cc.Cwnd.INFINITE_SSTHRESH, i.sndSsthresh(), "ece " + ece);
        }
    }

    /**
     * b4-sender-rto.pkt, measured: the loss probe that resends the only segment and the RTO's
     * retransmissions are Not-ECT; the first new data after the RTO carries CWR (tcp_enter_loss queues
     * it); zero-window probes are Not-ECT; data after the window opens is ECT(0) without CWR.
     */
    @Test
    void sender_probesAndRetransmissionsAreNotEct_newDataAfterRtoCarriesCwr() {
        var t = new TcpTester();
        var c = ecnServer(t);
        t.at(100, () -> c.send(new byte[1000], 0, 1000));
        t.expect(100, "[ect0] P. 1:1001(1000) ack 1");
        List<String> resent = t.drainText(1599); // Linux: the probe at +323 ms, RTOs at +643 and +1283 ms
        assertTrue(resent.size() >= 2, resent.toString());
        for (String r : resent) assertTrue(r.startsWith("P. 1:1001(1000) ack 1"), r); // Not-ECT: no [ect0]
        t.inject(1600, "[ect0] . 1:1(0) ack 1001 win 320");
        t.at(1610, () -> c.send(new byte[1000], 0, 1000));
        t.expect(1610, "[ect0] PW. 1001:2001(1000) ack 1");
        t.inject(1620, "[ect0] . 1:1(0) ack 2001 win 0");
        t.at(1630, () -> c.send(new byte[1000], 0, 1000));
        List<String> probes = t.drainText(2630); // Linux: at +207 and +815 ms, ". 2000:2000(0) ack 1"
        assertTrue(probes.size() >= 2, probes.toString());
        for (String p : probes) assertTrue(p.startsWith(". 2000:2000(0) ack 1"), p); // Not-ECT
        t.inject(2630, "[ect0] . 1:1(0) ack 2001 win 320");
        t.expect(2630, "[ect0] P. 2001:3001(1000) ack 1");
    }
}
