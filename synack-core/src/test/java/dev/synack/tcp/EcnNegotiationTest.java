package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * ECN negotiation (RFC 3168 §6.1.1) as Linux 6.18 does it (include/net/tcp_ecn.h: tcp_ecn_send_syn,
 * tcp_ecn_rcv_synack, tcp_ecn_clear_syn, tcp_ecn_make_synack; tcp_input.c: tcp_ecn_create_request):
 * with tcp_ecn = 1 a host asks with ECE and CWR on its SYN; with 1 or 2 it answers an ECN-setup SYN
 * with ECE on its SYN-ACK. Every expectation here was measured on the kernel of this machine with
 * packetdrill (Linux 6.18, scripts a1-a7 under tools-build/scripts/ecn/).
 */
class EcnNegotiationTest {
    /** The script's ECN-setup SYN to a listener, as a1-server-negotiate.pkt sends it (no timestamps). */
    static final String ECN_SYN = "SEW 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>";

    static TcpTester server(int tcpEcn) {
        var t = new TcpTester(c -> c.tcpEcn = tcpEcn);
        t.listen();
        return t;
    }

    // ---- the client (tcp_ecn 1) -----------------------------------------------------------------

    /**
     * tcp_ecn 1: the SYN asks (SEW), the SYN-ACK agrees (SE.), and data goes out ECT(0) while the ACK
     * does not (packetdrill's ecn/ecn-uses-ect0.pkt, which Linux 6.18 passes).
     */
    @Test
    void client_asksAndSendsEct0() {
        var t = new TcpTester(c -> c.tcpEcn = 1);
        var c = t.connect();
        t.expect(0, "[noecn] SEW 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
        t.inject(100, "SE. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(100, "[noecn] . 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        assertEquals(TcpInfo.OPT_ECN, c.info().options() & (TcpInfo.OPT_ECN | TcpInfo.OPT_ECN_SEEN));
        t.at(110, () -> c.send(new byte[1000], 0, 1000));
        t.expect(110, "[ect0] P. 1:1001(1000) ack 1");
    }

    /** The peer does not agree (S.): no ECN, data Not-ECT (tcp_ecn_rcv_synack). */
    @Test
    void client_plainSynAck_noEcn() {
        var t = new TcpTester(c -> c.tcpEcn = 1);
        var c = t.connect();
        t.expect(0, "SEW 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
        t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(100, ". 1:1(0) ack 1");
        assertEquals(0, c.info().options() & TcpInfo.OPT_ECN);
        t.at(110, () -> c.send(new byte[1000], 0, 1000));
        t.expect(110, "[noecn] P. 1:1001(1000) ack 1");
    }

    /**
     * A SYN-ACK with ECE and CWR is no ECN-setup SYN-ACK in RFC 3168 (§6.1.1: "not ... both"): ECN off.
     * Linux 6.18 differs here: tcp_ecn_rcv_synack reads CWR as Accurate ECN feedback and goes to AccECN
     * mode even with tcp_ecn 1 (measured: the ACK leaves as {@code W.}, data with AE and ECE set).
     * synack does not model AccECN.
     */
    @Test
    void client_synAckWithCwr_noEcn() {
        var t = new TcpTester(c -> c.tcpEcn = 1);
        var c = t.connect();
        t.expect(0, "SEW 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
        t.inject(100, "SEW. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(100, ". 1:1(0) ack 1");
        t.at(110, () -> c.send(new byte[1000], 0, 1000));
        t.expect(110, "[noecn] P. 1:1001(1000) ack 1");
    }

    /**
     * tcp_ecn_fallback 1 (RFC 3168 §6.1.1.1; tcp_ecn_clear_syn): the retransmitted SYNs go without ECE
     * and CWR; an ECN-setup SYN-ACK still turns ECN on, and the SYN's timeout (tcp_enter_loss) left a
     * CWR queued for the first data. Measured (a2-client-syn-retrans.pkt): SEW, S at +1 s, S at +2 s;
     * after SE. the first data is {@code [ect0] PW.}, the next {@code [ect0] P.}.
     */
    @Test
    void client_retransmittedSynFallsBack_andFirstDataCarriesCwr() {
        var t = new TcpTester(c -> c.tcpEcn = 1);
        var c = t.connect();
        t.expect(0, "SEW 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
        t.expect(1000, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 10>");
        t.expect(2000, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 2000 ecr 0,nop,wscale 10>");
        t.inject(2010, "SE. 0:0(0) ack 1 win 32767 <mss 1000,nop,wscale 6,nop,nop,sackOK>");
        t.expect(2010, ". 1:1(0) ack 1");
        assertEquals(TcpInfo.OPT_ECN, c.info().options() & TcpInfo.OPT_ECN);
        t.at(2010, () -> c.send(new byte[1000], 0, 1000));
        t.expect(2010, "[ect0] PW. 1:1001(1000) ack 1");
        t.inject(2020, ". 1:1(0) ack 1001 win 257");
        t.at(2020, () -> c.send(new byte[1000], 0, 1000));
        t.expect(2020, "[ect0] P. 1001:2001(1000) ack 1");
    }

    /** tcp_ecn_fallback 0: every SYN asks (measured, a3-client-nofallback.pkt: SEW, SEW; S. then no ECN). */
    @Test
    void client_noFallback_everySynAsks() {
        var t = new TcpTester(c -> {
            c.tcpEcn = 1;
            c.tcpEcnFallback = false;
        });
        var c = t.connect();
        t.expect(0, "SEW 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
        t.expect(1000, "SEW 0:0(0) win 64240 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 10>");
        t.inject(1010, "S. 0:0(0) ack 1 win 32767 <mss 1000,nop,wscale 6,nop,nop,sackOK>");
        t.expect(1010, ". 1:1(0) ack 1");
        t.at(1010, () -> c.send(new byte[1000], 0, 1000));
        t.expect(1010, "[noecn] P. 1:1001(1000) ack 1");
    }

    /**
     * Simultaneous open (tcp_ecn_rcv_syn, tcp_ecn_send_synack): ECN stays on when the peer's SYN asks
     * too, and our SYN-ACK then carries ECE but not CWR. Measured (a8, a9-simultaneous-open*.pkt): the
     * peer's SEW is answered SE. and data is ECT(0), tcpi_options 14; a plain S is answered S., no ECN.
     */
    @Test
    void client_simultaneousOpen() {
        for (boolean peerAsks : new boolean[] {true, false}) {
            var t = new TcpTester(c -> c.tcpEcn = 1);
            var c = t.connect();
            t.expect(0, "SEW 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
            t.inject(10, (peerAsks ? "SEW" : "S") + " 0:0(0) win 32767 <mss 1000,nop,wscale 6,nop,nop,sackOK>");
            t.expect(10, (peerAsks ? "SE." : "S.") + " 0:0(0) ack 1");
            t.inject(20, ". 1:1(0) ack 1 win 257");
            assertEquals(peerAsks ? TcpInfo.OPT_ECN : 0, c.info().options() & TcpInfo.OPT_ECN);
            t.at(20, () -> c.send(new byte[1000], 0, 1000));
            t.expect(20, (peerAsks ? "[ect0]" : "[noecn]") + " P. 1:1001(1000) ack 1");
        }
    }

    /** tcp_ecn 2 (the default) and 0: the SYN does not ask. */
    @Test
    void client_tcpEcn2and0_doNotAsk() {
        for (int v : new int[] {2, 0}) {
            var t = new TcpTester(c -> c.tcpEcn = v);
            t.connect();
            t.expect(0, "[noecn] S 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
        }
    }

    // ---- the server ------------------------------------------------------------------------------

    /**
     * tcp_ecn 2: an ECN-setup SYN is answered SE. (tcp_ecn_make_synack), and so are the SYN-ACK's
     * retransmissions (measured, a1-server-negotiate.pkt: SE. at 0, 1 and 3 s); once established, data
     * is ECT(0) and tcpi_options has TCPI_OPT_ECN (measured: 14 = SACK, wscale and ECN).
     */
    @Test
    void server_tcpEcn2_agrees() {
        var t = server(2);
        TcpListener l = (TcpListener) t.stack.listeners().getFirst();
        t.inject(0, ECN_SYN);
        t.expect(0, "[noecn] SE. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 10>");
        t.expect(1000, "[noecn] SE. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 10>");
        t.expect(3000, "[noecn] SE. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 10>");
        t.inject(3100, ". 1:1(0) ack 1 win 320");
        TcpConnection c = l.accept();
        assertEquals(TcpInfo.OPT_SACK | TcpInfo.OPT_WSCALE | TcpInfo.OPT_ECN, c.info().options());
        t.at(3100, () -> c.send(new byte[1000], 0, 1000));
        t.expect(3100, "[ect0] P. 1:1001(1000) ack 1");
    }

    /** tcp_ecn 1 on a server agrees as 2 does (measured, a5-server-ecn1.pkt). */
    @Test
    void server_tcpEcn1_agrees() {
        var t = server(1);
        t.inject(0, ECN_SYN);
        t.expect(0, "SE. 0:0(0) ack 1");
    }

    /**
     * Refused, measured on Linux 6.18 (a5-server-*.pkt): tcp_ecn 0; a SYN with ECE only or CWR only
     * (RFC 3168 §6.1.1 wants both); an ECN-setup SYN that is itself ECT(0) or CE
     * (tcp_ecn_create_request's {@code !ect}). Each is answered S. and the connection has no ECN.
     */
    @Test
    void server_refuses() {
        String[][] cases = {{"0", ECN_SYN}, {"2", "SE 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>"},
                {"2", "SW 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>"}, {"2", "[ect0] " + ECN_SYN},
                {"2", "[ce] " + ECN_SYN}};
        for (String[] k : cases) {
            var t = server(Integer.parseInt(k[0]));
            TcpListener l = (TcpListener) t.stack.listeners().getFirst();
            t.inject(0, k[1]);
            t.expect(0, "S. 0:0(0) ack 1");
            t.inject(100, ". 1:1(0) ack 1 win 320");
            TcpConnection c = l.accept();
            assertEquals(0, c.info().options() & TcpInfo.OPT_ECN, k[1]);
            t.at(100, () -> c.send(new byte[1000], 0, 1000));
            t.expect(100, "[noecn] P. 1:1001(1000) ack 1");
        }
    }

    /**
     * SYN cookies carry ECN in the TSval (TS_OPT_ECN, cookie_init_timestamp and cookie_ecn_ok), so only
     * with timestamps (tcp_conn_request: "if (!tmp_opt.tstamp_ok) inet_rsk(req)->ecn_ok = 0").
     * Measured (a6, a7 with tcp_syncookies 2): with TS the cookie SYN-ACK is SE. and data is ECT(0),
     * tcpi_options 15; without TS it is S. and data Not-ECT.
     */
    @Test
    void server_cookies_carryEcnOnlyWithTimestamps() {
        var t = new TcpTester(c -> {
            c.tcpEcn = 2;
            c.tcpSyncookies = 2;
        });
        TcpListener l = t.listen();
        t.inject(0, "SEW 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>");
        var synAck = t.expect(0, "SE. 0:0(0) ack 1 <...>");
        int tsVal = ((dev.synack.wire.TcpOption.Timestamps) synAck.options().get(2)).val();
        assertEquals(SynCookies.TS_OPT_ECN | SynCookies.TS_OPT_SACK | 7, tsVal & 0x3F, "the options in the cookie's TSval");
        t.inject(100, ". 1:1(0) ack 1 win 320 <nop,nop,TS val 200 ecr " + Integer.toUnsignedString(tsVal) + ">");
        TcpConnection c = l.accept();
        assertEquals(15, c.info().options());
        t.at(100, () -> c.send(new byte[1000], 0, 1000));
        // The cookie's MSS is 536 (msstab), 524 with timestamps: Linux's one TSO skb is two packets here.
        t.expect(100, "[ect0] . 1:525(524) ack 1");
        t.expect(100, "[ect0] P. 525:1001(476) ack 1");

        var u = new TcpTester(cfg -> {
            cfg.tcpEcn = 2;
            cfg.tcpSyncookies = 2;
        });
        TcpListener ul = u.listen();
        u.inject(0, ECN_SYN);
        u.expect(0, "S. 0:0(0) ack 1 <mss 1460>");
        u.inject(100, ". 1:1(0) ack 1 win 320");
        TcpConnection uc = ul.accept();
        assertEquals(0, uc.info().options() & TcpInfo.OPT_ECN);
    }

    /** Linux 6.18's Accurate ECN values (tcp_ecn 3..5) are refused rather than run as something else. */
    @Test
    void accurateEcnValuesAreRefused() {
        TcpConfig cfg = new TcpConfig();
        for (String v : new String[] {"3", "4", "5"}) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> cfg.set("net.ipv4.tcp_ecn", v));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("Accurate ECN"), e.getMessage());
        }
        cfg.set("tcp_ecn", "1");
        cfg.set("tcp_ecn_fallback", "0");
        assertEquals("1", cfg.get("tcp_ecn"));
        assertEquals("0", cfg.get("tcp_ecn_fallback"));
        assertEquals("2", new TcpConfig().get("tcp_ecn"));
        assertEquals("1", new TcpConfig().get("tcp_ecn_fallback"));
    }
}
