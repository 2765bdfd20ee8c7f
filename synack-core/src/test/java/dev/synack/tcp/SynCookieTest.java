package dev.synack.tcp;

import static dev.synack.testing.TcpTester.LOCAL;
import static dev.synack.testing.TcpTester.PEER_SYN;
import static dev.synack.testing.TcpTester.REMOTE;
import static dev.synack.testing.TcpTester.REMOTE_ISN;
import static dev.synack.testing.TcpTester.SERVER_PORT;
import static dev.synack.testing.TcpTester.SYN_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SYN queue's bound and SYN cookies, as Linux 6.18 (tcp_conn_request, tcp_syn_flood_action,
 * net/ipv4/syncookies.c), with what was measured on the machine's Linux 6.18 with packetdrill:
 * listen(fd, 2) queues 3 SYNs and answers the 4th with a cookie (TcpExtTCPReqQFullDoCookies,
 * SyncookiesSent) or, with tcp_syncookies 0, drops it (TCPReqQFullDrop, ListenDrops); the cookie
 * SYN-ACK carries MSS, SACK, timestamps and wscale as a normal one, with the options in TSval's low 6
 * bits (0x17 for wscale 7 + SACK, seen with tcp_timestamps 2); without timestamps it carries the MSS
 * alone; the ACK makes the child directly (PassiveOpens, SyncookiesRecv) with the table's MSS (1400 →
 * 1300); an ACK that does not decode gets a RST (SEQ = SEG.ACK, window 0) and counts SyncookiesFailed.
 */
class SynCookieTest {
    /** The first three peers' SYNs fill a backlog-2 listener's SYN queue (3 = backlog + 1). */
    private static TcpListener fullQueue(TcpTester t) {
        TcpListener l = t.listen(new SocketOptions(), 2);
        for (int i = 1; i <= 3; i++) {
            t.newPeer(40_000 + i);
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
        }
        assertEquals(3, l.synQueueLength());
        return l;
    }

    /** The cookie timestamp at {@code ms} with option bits {@code opts} (cookie_init_timestamp, no offset). */
    private static long cookieTs(long ms, int opts) {
        long ts = (ms >> 6 << 6) | opts;
        return ts > ms ? ts - 64 : ts;
    }

    @Test
    void synQueueBoundIsTheBacklog_withoutCookiesTheNextSynIsDropped() {
        var t = new TcpTester(c -> c.tcpSyncookies = 0);
        TcpListener l = fullQueue(t);
        t.newPeer(40_004);
        t.inject(0, PEER_SYN);
        t.expectNothing(10);
        assertEquals(3, l.synQueueLength());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPReqQFullDrop));
        assertEquals(1, t.stack.counters().get(Counter.TcpExtListenDrops));
        assertEquals(0, t.stack.counters().get(Counter.TcpExtSyncookiesSent));
        assertEquals("Possible SYN flooding on port 0.0.0.0:8080. Dropping request.  Check SNMP counters.",
                l.synFloodWarning());
    }

    @Test
    void fullQueue_cookieSynAck_decodes_andItsAckMakesAnEstablishedChild() {
        var t = new TcpTester();
        TcpListener l = fullQueue(t);
        t.newPeer(40_004);
        t.inject(500, PEER_SYN);
        assertEquals(471, cookieTs(500, 7 | SynCookies.TS_OPT_SACK));
        TcpSegment synAck = t.expect(500, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 471 ecr 1000,nop,wscale 10>");
        // The ISN is the cookie: it decodes to the MSS index of 1460 for this 4-tuple and time.
        assertEquals(3, SynCookies.check(t.stack, synAck.seq(), REMOTE, LOCAL, 40_004, SERVER_PORT, REMOTE_ISN,
                SynCookies.cookieTime(500_000_000L)));
        assertEquals(-1, SynCookies.check(t.stack, synAck.seq(), REMOTE, LOCAL, 40_005, SERVER_PORT, REMOTE_ISN, 0));
        assertEquals(3, l.synQueueLength()); // nothing kept
        assertEquals(1, t.stack.counters().get(Counter.TcpExtSyncookiesSent));
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPReqQFullDoCookies));
        assertEquals(0, t.stack.counters().get(Counter.TcpExtListenDrops));
        assertTrue(l.synFloodWarning().endsWith("Sending cookies.  Check SNMP counters."));

        t.inject(600, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 471>");
        t.expectNothing(600);
        assertEquals(1, t.stack.counters().get(Counter.TcpExtSyncookiesRecv));
        TcpConnection c = l.accept();
        assertNotNull(c);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(40_004, c.remotePort());
        TcpInfo info = c.info();
        assertEquals(TcpInfo.OPT_TIMESTAMPS | TcpInfo.OPT_SACK | TcpInfo.OPT_WSCALE, info.options());
        assertEquals(7, info.sndWscale());
        assertEquals(10, info.rcvWscale());
        assertEquals(1448, info.sndMss());
        assertEquals(502 << 7, info.sndWnd());
        // The child sends at once.
        t.at(700, () -> assertEquals(10, c.send(new byte[10], 0, 10)));
        t.expect(700, "P. 1:11(10) ack 1 win 63 <nop,nop,TS val 700 ecr 1100>");
        t.inject(800, ". 1:1(0) ack 11 win 502 <nop,nop,TS val 1200 ecr 700>");
        assertEquals(0, c.info().unacked());
    }

    @Test
    void forgedAck_syncookiesFailed_andReset() {
        var t = new TcpTester();
        TcpListener l = fullQueue(t);
        t.newPeer(40_004);
        t.inject(500, PEER_SYN);
        t.expect(500, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 471 ecr 1000,nop,wscale 10>");
        t.inject(600, ". 1:1(0) ack 1001 win 502 <nop,nop,TS val 1100 ecr 471>");
        t.expect(600, "R 1001:1001(0) win 0");
        assertEquals(1, t.stack.counters().get(Counter.TcpExtSyncookiesFailed));
        assertEquals(0, t.stack.counters().get(Counter.TcpExtSyncookiesRecv));
        assertNull(l.accept());
    }

    /**
     * A cookie is valid while the minute counter moved at most once (check_tcp_syn_cookie: diff &lt;
     * MAX_SYNCOOKIE_AGE): sent at 1 s (count 0), its ACK at 119 s (count 1) makes the child; one sent
     * at 1 s and answered at 200 s (count 3) fails, while the overflow is still recent (another cookie at
     * 150 s). tcp_syncookies 2, so that every SYN gets a cookie.
     */
    @Test
    void cookieAge() {
        var t = new TcpTester(c -> c.tcpSyncookies = 2);
        TcpListener l = t.listen();
        t.newPeer(40_001);
        t.inject(1000, PEER_SYN);
        t.expect(1000, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 983 ecr 1000,nop,wscale 10>");
        t.newPeer(40_002);
        t.inject(1000, PEER_SYN);
        int old = t.expect(1000, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 983 ecr 1000,nop,wscale 10>").seq();
        t.newPeer(40_004);
        t.inject(1000, PEER_SYN);
        int cookie = t.expect(1000, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 983 ecr 1000,nop,wscale 10>").seq();
        t.newPeer(40_001);
        t.inject(119_000, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 2000 ecr 983>"); // relative to 40_004's ISN: fails
        t.expect(119_000, "R 1:1(0) win 0");
        assertEquals(1, t.stack.counters().get(Counter.TcpExtSyncookiesFailed));
        t.injectRaw(119_000, ack(40_002, old + 1, 983));
        assertEquals(TcpState.ESTABLISHED, l.accept().state());
        t.newPeer(40_003);
        t.inject(150_000, PEER_SYN);
        t.expect(150_000, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 149975 ecr 1000,nop,wscale 10>");
        t.injectRaw(200_000, ack(40_004, cookie + 1, 983));
        TcpSegment rst = t.drain(200_000).getFirst();
        assertEquals(TcpHeader.RST, rst.flags());
        assertEquals(cookie + 1, rst.seq());
        assertEquals(2, t.stack.counters().get(Counter.TcpExtSyncookiesFailed));
        assertNull(l.accept());
    }

    /** The script's ACK (SEQ 1, window 502, TS val 2000) from {@code port}, acknowledging {@code ack}. */
    private static byte[] ack(int port, int ack, int ecr) {
        return TcpTester.packet(new TcpSegment(port, SERVER_PORT, REMOTE_ISN + 1, ack, TcpHeader.ACK, 502,
                List.of(new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.Timestamps(2000, ecr)), new byte[0]));
    }

    /**
     * Without timestamps the cookie can carry no options: the SYN-ACK has the MSS alone (tcp_conn_request
     * clears the options), and the child has no SACK, no window scaling, and the table's MSS: 1400 → 1300.
     * tcp_syncookies 2 sends cookies for every SYN and counts TCPReqQFullDoCookies, but never warns.
     */
    @Test
    void alwaysCookies_withoutTimestamps_mssFromTheTable() {
        var t = new TcpTester(c -> c.tcpSyncookies = 2);
        TcpListener l = t.listen();
        t.inject(0, "S 0:0(0) win 65535 <mss 1400,nop,wscale 7,sackOK,nop,nop>");
        t.expect(0, "S. 0:0(0) ack 1 win 64240 <mss 1460>");
        assertEquals(0, l.synQueueLength());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPReqQFullDoCookies));
        assertNull(l.synFloodWarning());
        t.inject(100, ". 1:1(0) ack 1 win 65535");
        TcpConnection c = l.accept();
        assertNotNull(c);
        TcpInfo info = c.info();
        assertEquals(0, info.options());
        assertEquals(1300, info.sndMss());
        assertEquals(1, t.stack.counters().get(Counter.TcpPassiveOpens));
    }

    /** The TSval's low bits: wscale 3 without SACK → 3; SACK without wscale → 0xf | 0x10. */
    @Test
    void timestampsEncodeWscaleAndSack() {
        var t = new TcpTester(c -> c.tcpSyncookies = 2);
        TcpListener l = t.listen();
        t.inject(1000, "S 0:0(0) win 65535 <mss 1460,nop,nop,TS val 1000 ecr 0,nop,wscale 3>");
        t.expect(1000, "S. 0:0(0) ack 1 win 65160 <mss 1460,nop,nop,TS val 963 ecr 1000,nop,wscale 10>");
        t.inject(1100, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 963>");
        TcpInfo info = l.accept().info();
        assertEquals(TcpInfo.OPT_TIMESTAMPS | TcpInfo.OPT_WSCALE, info.options());
        assertEquals(3, info.sndWscale());

        t.newPeer(40_001);
        t.inject(2000, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0>");
        assertEquals(1951, cookieTs(2000, 0x1f));
        t.expect(2000, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 1951 ecr 1000>");
        t.inject(2100, ". 1:1(0) ack 1 win 65535 <nop,nop,TS val 1100 ecr 1951>");
        info = l.accept().info();
        assertEquals(TcpInfo.OPT_TIMESTAMPS | TcpInfo.OPT_SACK, info.options());
        assertEquals(0, info.sndWscale());
    }

    /** Data riding on the cookie's ACK goes to the child (tcp_child_process), which acknowledges it. */
    @Test
    void dataOnTheCookieAck_isDelivered() {
        var t = new TcpTester(c -> c.tcpSyncookies = 2);
        TcpListener l = t.listen();
        t.inject(1000, PEER_SYN);
        t.expect(1000, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 983 ecr 1000,nop,wscale 10>");
        t.inject(1100, "P. 1:101(100) ack 1 win 502 <nop,nop,TS val 1100 ecr 983>");
        TcpConnection c = l.accept();
        assertNotNull(c);
        assertEquals(100, c.readable());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtSyncookiesRecv));
    }
}
