package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * The Fast Open client (RFC 7413 §4.1, Linux 6.18's tcp_send_syn_data, tcp_rcv_fastopen_synack), segment
 * by segment: the cookie request, the cached cookie and MSS, SYN data and what happens to the part the
 * SYN-ACK does not acknowledge.
 */
class FastOpenClientTest {
    static FastOpen.Request data(int n) { return new FastOpen.Request(new byte[n], 0, n); }

    /** A first connect asks for a cookie (an empty option) and gets it into the cache. */
    static void learnCookie(TcpTester t) {
        t.connect(new SocketOptions(), data(0));
        t.expect(0, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10,FO,nop,nop>");
        t.inject(10, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO abcd1234,nop,nop>");
        t.expect(10, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 10 ecr 1000>");
        t.newPeer(TcpTester.SERVER_PORT);
    }

    /**
     * RFC 7413 §4.1.2, tcp_send_syn_data: with a cookie cached the SYN carries data — the MSS less
     * MAX_TCP_OPTION_SPACE (1460 − 40 = 1420 bytes), Linux's room for middleboxes' options — and a SYN-ACK
     * acknowledging it all completes the open with a pure ACK (TCPFastOpenActive, TCPI_OPT_SYN_DATA).
     */
    @Test
    void cachedCookieSendsDataInTheSyn() {
        var t = new TcpTester();
        learnCookie(t);
        FastOpen.Request r = data(2000);
        var c = t.connect(new SocketOptions(), r);
        assertEquals(1420, r.copied());
        t.expect(10, "S 0:1420(1420) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
        t.inject(20, "S. 0:0(0) ack 1421 win 65535 <mss 1460,sackOK,TS val 2000 ecr 10,nop,wscale 7>");
        t.expect(20, ". 1421:1421(0) ack 1 win 63 <nop,nop,TS val 20 ecr 2000>");
        assertTrue((c.info().options() & TcpInfo.OPT_SYN_DATA) != 0);
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPFastOpenActive));
    }

    /**
     * tcp_rcv_fastopen_synack: a SYN-ACK that acknowledges only the SYN leaves the data to be sent again
     * at once (marked lost, tcp_non_congestion_loss_retransmit), with no pure ACK before it
     * (TCPFastOpenActiveFail; no TCPI_OPT_SYN_DATA).
     */
    @Test
    void dataTheSynAckDidNotAcknowledgeGoesAgainAtOnce() {
        var t = new TcpTester();
        learnCookie(t);
        var c = t.connect(new SocketOptions(), data(700));
        t.expect(10, "S 0:700(700) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
        t.inject(20, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 2000 ecr 10,nop,wscale 7>");
        t.expect(20, "P. 1:701(700) ack 1 win 63 <nop,nop,TS val 20 ecr 2000>");
        assertEquals(0, c.info().options() & TcpInfo.OPT_SYN_DATA);
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPFastOpenActiveFail));
    }

    /** tcp_send_syn_data's "fo->cookie.len = -1": a retransmitted SYN carries neither the option nor data. */
    @Test
    void synRetransmissionHasNoDataAndNoOption() {
        var t = new TcpTester();
        learnCookie(t);
        t.connect(new SocketOptions(), data(100));
        t.expect(10, "S 0:100(100) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
        t.expect(1010, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1010 ecr 0,nop,wscale 10>");
    }

    /** The SYN-ACK's MSS is cached and bounds the next SYN's data (tcp_fastopen_cache_set, tcp_fastopen_cache_get). */
    @Test
    void cachedMssBoundsTheSynData() {
        var t = new TcpTester();
        t.connect(new SocketOptions(), data(0));
        t.expect(0, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10,FO,nop,nop>");
        t.inject(10, "S. 0:0(0) ack 1 win 65535 <mss 940,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO abcd1234,nop,nop>");
        t.expect(10, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 10 ecr 1000>");
        t.newPeer(TcpTester.SERVER_PORT);
        FastOpen.Request r = data(2000);
        t.connect(new SocketOptions(), r);
        assertEquals(900, r.copied());
        t.expect(10, "S 0:900(900) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
    }

    /** TFO_CLIENT_NO_COOKIE: data in the first SYN, without any option. */
    @Test
    void noCookieModeSendsDataWithoutTheOption() {
        var t = new TcpTester(c -> c.tcpFastopen = FastOpen.TFO_CLIENT_ENABLE | FastOpen.TFO_CLIENT_NO_COOKIE);
        t.connect(new SocketOptions(), data(10));
        t.expect(0, "S 0:10(10) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
    }

    /**
     * A cookie request answered without a cookie makes the next try use the experimental option
     * (tcp_rcv_fastopen_synack's try_exp = 1, tcp_fastopen_cache_get).
     */
    @Test
    void unansweredRequestTriesTheExperimentalOptionNext() {
        var t = new TcpTester();
        t.connect(new SocketOptions(), data(0));
        t.expect(0, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10,FO,nop,nop>");
        t.inject(10, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(10, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 10 ecr 1000>");
        t.newPeer(TcpTester.SERVER_PORT);
        t.connect(new SocketOptions(), data(0));
        t.expect(10, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FOEXP>");
    }

    /**
     * A simultaneous open whose SYNs both carry data (Linux takes only the peer's ISN: "we don't support
     * that yet"): the SYN-ACK that acknowledges our SYN and its data completes the open, and the data is
     * not sent again (tcp_ack in SYN_RECV, not tcp_rcv_fastopen_synack).
     */
    @Test
    void simultaneousOpenWithSynDataDoesNotResendTheData() {
        var t = new TcpTester(c -> c.tcpTimestamps = 0);
        t.connect(new SocketOptions(), data(0));
        t.expect(0, "S 0:0(0) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 10,FO,nop,nop>");
        t.inject(10, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO abcd1234,nop,nop>");
        t.expect(10, ". 1:1(0) ack 1 win 63");
        t.newPeer(TcpTester.SERVER_PORT);
        var c = t.connect(new SocketOptions(), data(1000));
        t.expect(10, "S 0:1000(1000) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 10,FO abcd1234,nop,nop>");
        t.inject(15, "S 0:500(500) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO 87654321,nop,nop>");
        t.expect(15, "S. 0:0(0) ack 1 win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 10>");
        t.inject(60, "S. 0:0(0) ack 1001 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>");
        t.expect(60, ". 1001:1001(0) ack 1 win 63 <nop,nop,sack 0:1>");
        assertEquals(TcpState.ESTABLISHED, c.state());
        t.expectNothing(2000);
    }

    /**
     * tcp_rcv_fastopen_synack → tcp_fastopen_add_skb: a Fast Open client takes the data a SYN-ACK carries,
     * and the ACK that completes the handshake acknowledges it (fastopen/client/synack-data.pkt's TEST1,
     * which Linux 6.18 passes).
     */
    @Test
    void dataInTheSynAckIsTaken() {
        var t = new TcpTester();
        learnCookie(t);
        var c = t.connect(new SocketOptions(), data(100));
        t.expect(10, "S 0:100(100) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
        t.inject(20, "S. 0:1400(1400) ack 101 win 65535 <mss 1460,sackOK,TS val 2000 ecr 10,nop,wscale 7>");
        t.expect(20, ". 101:101(0) ack 1401 win 63 <nop,nop,TS val 20 ecr 2000>");
        assertEquals(1400, c.readable());
        assertEquals(TcpState.ESTABLISHED, c.state());
    }

    /** tcp_fastopen_add_skb → tcp_fin: a SYN-ACK with data and FIN takes the client to CLOSE_WAIT (TEST2). */
    @Test
    void synAckWithDataAndFinClosesTheReadSide() {
        var t = new TcpTester();
        learnCookie(t);
        var c = t.connect(new SocketOptions(), data(100));
        t.expect(10, "S 0:100(100) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
        t.inject(20, "SF. 0:1400(1400) ack 101 win 65535 <mss 1460,sackOK,TS val 2000 ecr 10,nop,wscale 7>");
        t.expect(20, ". 101:101(0) ack 1402 win 63 <nop,nop,TS val 20 ecr 2000>");
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        assertEquals(1400, c.readable());
    }

    /** A plain client (no Fast Open) leaves a SYN-ACK's data for the peer to send again: measured on Linux 6.18 (ack 1, read EAGAIN). */
    @Test
    void plainClientIgnoresSynAckData() {
        var t = new TcpTester();
        var c = t.connect();
        t.expect(0, TcpTester.SYN);
        t.inject(20, "S. 0:1400(1400) ack 1 win 65535 <mss 1460,sackOK,TS val 2000 ecr 0,nop,wscale 7>");
        t.expect(20, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 20 ecr 2000>");
        assertEquals(0, c.readable());
    }

    /**
     * tcp_rcv_synsent_state_process: a SYN-ACK echoing a TS val never sent is answered with a RST and
     * counted (PAWSActive); the connection stays in SYN_SENT and a good SYN-ACK then completes it (TEST5).
     */
    @Test
    void synAckWithABadTsEcrIsReset() {
        var t = new TcpTester();
        learnCookie(t);
        var c = t.connect(new SocketOptions(), data(100));
        t.expect(10, "S 0:100(100) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
        t.inject(20, "S. 0:100(100) ack 101 win 65535 <mss 1460,sackOK,TS val 2000 ecr 9999,nop,wscale 7>");
        t.expect(20, "R 101:101(0)");
        assertEquals(TcpState.SYN_SENT, c.state());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtPAWSActive));
        t.inject(30, "S. 0:100(100) ack 101 win 65535 <mss 1460,sackOK,TS val 2000 ecr 10,nop,wscale 7>");
        t.expect(30, ". 101:101(0) ack 101 win 63 <nop,nop,TS val 30 ecr 2000>");
        assertEquals(TcpState.ESTABLISHED, c.state());
    }
}
