package dev.synack.tcp;

import static dev.synack.testing.TcpTester.PEER_SYN_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * TCP_MAXSEG set before connect/listen (tp->rx_opt.user_mss): the MSS we advertise is
 * tcp_mss_clamp(advmss) = min(MTU − 40, user_mss) (tcp_connect_init, tcp_make_synack), and the peer's
 * MSS is clamped to it on arrival (tcp_parse_options: mss_clamp = min(in_mss, user_mss)), so
 * tcp_sync_mss sends segments of at most user_mss less the options.
 */
class UserMssTest {
    @Test
    void client_advertisesAndSendsAtMostUserMss() {
        var t = new TcpTester();
        var o = new SocketOptions();
        o.userMss = 1100;
        var c = t.connect(o);
        t.expect(0, "S 0:0(0) win 64900 <mss 1100,sackOK,TS val 0 ecr 0,nop,wscale 10>");
        t.inject(100, PEER_SYN_ACK);
        t.expect(100, ". 1:1(0) ack 1 win 64 <nop,nop,TS val 100 ecr 1000>");
        assertEquals(1088, c.mss()); // 1100 less the timestamps option
        t.at(200, () -> assertEquals(2000, c.send(new byte[2000], 0, 2000)));
        t.expect(200, ". 1:1089(1088) ack 1 win 64 <nop,nop,TS val 200 ecr 1000>");
        t.expect(200, "P. 1089:2001(912) ack 1 win 64 <nop,nop,TS val 200 ecr 1000>");
    }

    @Test
    void server_synAckCarriesUserMss_peerMssClamped() {
        var t = new TcpTester();
        var o = new SocketOptions();
        o.userMss = 1100;
        TcpListener l = t.listen(o, 128);
        t.inject(0, "S 0:0(0) win 32792 <mss 1300,nop,wscale 7>");
        t.expect(0, "S. 0:0(0) ack 1 win 64900 <mss 1100,nop,wscale 10>");
        t.inject(100, ". 1:1(0) ack 1 win 257");
        TcpConnection c = l.accept();
        assertEquals(1100, c.mss());
        assertEquals(1100, c.info().advmss());
    }
}
