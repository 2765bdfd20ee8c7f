package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The Fast Open server (RFC 7413 §4.2, Linux 6.18's tcp_try_fastopen, tcp_fastopen_create_child), segment
 * by segment: the cookie, the child that takes the SYN's data before the handshake ends, its queue.
 */
class FastOpenServerTest {
    private static final String KEY = "a0bf63f7-ed803d81-cd641d30-cebc4a90";
    /** The cookie of a SYN from the tester's peer to its host under {@link #KEY}. */
    private static final String COOKIE = HexFormat.of().formatHex(
            FastOpen.cookie(FastOpen.parseKey(KEY), 0, TcpTester.REMOTE, TcpTester.LOCAL));

    private static TcpTester tester() {
        return new TcpTester(c -> {
            c.tcpFastopen = FastOpen.TFO_CLIENT_ENABLE | FastOpen.TFO_SERVER_ENABLE;
            c.tcpFastopenKey = FastOpen.parseKey(KEY);
        });
    }

    private static TcpListener fastOpenListener(TcpTester t, int qlen) {
        SocketOptions o = new SocketOptions();
        o.fastOpenQlen = qlen; // setsockopt(TCP_FASTOPEN, qlen)
        return t.listen(o, 128);
    }

    /** RFC 7413 §4.1.2: a cookie request (an empty option) gets the cookie; the SYN's data is not taken. */
    @Test
    void cookieRequestGetsTheCookieAndTheDataIsNotAcked() {
        var t = tester();
        var l = fastOpenListener(t, 5);
        t.inject(0, "S 0:10(10) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO,nop,nop>");
        t.expect(0, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 10,FO " + COOKIE + ",nop,nop>");
        assertNull(l.accept(), "no child before the third ACK");
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPFastOpenCookieReqd));
    }

    /**
     * RFC 7413 §4.2.2: a valid cookie makes the child at once: the SYN-ACK acknowledges the data and has no
     * option, accept() returns the child in SYN_RECV with the data readable, and it may send before the
     * third ACK (Linux: tcp_fastopen_create_child, TCPI_OPT_SYN_DATA, TCPFastOpenPassive).
     */
    @Test
    void validCookieChildTakesTheDataBeforeTheThirdAck() {
        var t = tester();
        var l = fastOpenListener(t, 5);
        t.inject(0, "S 0:10(10) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO " + COOKIE + ",nop,nop>");
        t.expect(0, "S. 0:0(0) ack 11 win 65160 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 10>");
        TcpConnection c = l.accept();
        assertNotNull(c);
        assertEquals(TcpState.SYN_RECV, c.state());
        assertTrue((c.info().options() & TcpInfo.OPT_SYN_DATA) != 0);
        assertEquals(10, c.receive(new byte[100], 0, 100));
        t.at(10, () -> assertEquals(100, c.send(new byte[100], 0, 100)));
        t.expect(10, "P. 1:101(100) ack 11 win 64 <nop,nop,TS val 10 ecr 1000>");
        t.inject(20, ". 11:11(0) ack 101 win 502 <nop,nop,TS val 1020 ecr 10>");
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPFastOpenPassive));
    }

    /** tcp_fastopen_cookie_gen_check: a wrong cookie gets the right one back, and only the SYN is acknowledged. */
    @Test
    void wrongCookieIsAnsweredWithTheRightOne() {
        var t = tester();
        var l = fastOpenListener(t, 5);
        t.inject(0, "S 0:10(10) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO 0011223344556677,nop,nop>");
        t.expect(0, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 10,FO " + COOKIE + ",nop,nop>");
        assertNull(l.accept());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPFastOpenPassiveFail));
    }

    /** Linux answers in the form the SYN used: the experimental option (kind 254, magic F989) gets FOEXP. */
    @Test
    void experimentalFormIsAnsweredInKind() {
        var t = tester();
        fastOpenListener(t, 5);
        t.inject(0, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FOEXP>");
        t.expect(0, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 10,FOEXP " + COOKIE + ">");
    }

    /** A listener without a Fast Open queue (no TCP_FASTOPEN, no TFO_SERVER_WO_SOCKOPT1) ignores the option. */
    @Test
    void listenerWithoutQueueIgnoresFastOpen() {
        var t = tester();
        t.listen();
        t.inject(0, "S 0:10(10) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO " + COOKIE + ",nop,nop>");
        t.expect(0, TcpTester.SYN_ACK);
    }

    /**
     * tcp_check_req for a Fast Open child: a RST before the handshake ends resets it, but it stays in the
     * accept queue — the reader gets the SYN's data, then ECONNRESET.
     */
    @Test
    void resetChildKeepsItsDataForTheReader() {
        var t = tester();
        var l = fastOpenListener(t, 5);
        t.inject(0, "S 0:10(10) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO " + COOKIE + ",nop,nop>");
        t.expect(0, "S. 0:0(0) ack 11 win 65160 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 10>");
        t.inject(10, "R. 11:11(0) ack 1 win 502");
        TcpConnection c = l.accept();
        assertNotNull(c);
        assertEquals(10, c.receive(new byte[100], 0, 100));
        assertEquals(-Errno.ECONNRESET.number(), c.receive(new byte[100], 0, 100));
    }

    /**
     * tcp_fastopen_queue_check: with a queue of one, a second valid-cookie SYN while the first child's
     * handshake is open is a plain SYN (only the SYN acknowledged, no option) and counts
     * TCPFastOpenListenOverflow.
     */
    @Test
    void fullQueueFallsBackToAPlainHandshake() {
        var t = tester();
        fastOpenListener(t, 1);
        t.inject(0, "S 0:10(10) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO " + COOKIE + ",nop,nop>");
        t.expect(0, "S. 0:0(0) ack 11 win 65160 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 10>");
        t.newPeer(40001);
        t.inject(10, "S 0:10(10) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO " + COOKIE + ",nop,nop>");
        t.expect(10, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 10 ecr 1000,nop,wscale 10>");
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPFastOpenListenOverflow));
    }

    /** tcp_parse_fastopen_option: an odd-length cookie is ignored (the SYN is a plain one), never an error. */
    @Test
    void oddLengthOptionIsIgnored() {
        var t = tester();
        fastOpenListener(t, 5);
        t.inject(0, "S 0:10(10) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7,FO 001122,nop>");
        t.expect(0, TcpTester.SYN_ACK);
    }
}
