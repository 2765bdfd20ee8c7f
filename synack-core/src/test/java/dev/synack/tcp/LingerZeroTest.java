package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * close() with SO_LINGER {on, 0}: tcp_close → tcp_disconnect (net/ipv4/tcp.c) always ends the connection
 * at once, but sends a RST only where tcp_need_reset says — ESTABLISHED, CLOSE_WAIT, FIN_WAIT1,
 * FIN_WAIT2, SYN_RECV — or in CLOSING/LAST_ACK with data never sent.
 */
class LingerZeroTest {
    static SocketOptions lingerZero() {
        var o = new SocketOptions();
        o.linger = true;
        o.lingerSec = 0;
        return o;
    }

    @Test
    void lastAck_closeWithLingerZero_endsSilently() {
        var t = new TcpTester();
        var c = t.establishedClient(lingerZero());
        t.inject(200, "F. 1:1(0) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
        t.at(200, () -> assertEquals(0, c.shutdownOutput()));
        t.expect(200, "F. 1:1(0) ack 2 win 63 <nop,nop,TS val 200 ecr 1200>");
        assertEquals(TcpState.LAST_ACK, c.state());
        t.at(220, c::close);
        t.runUntil(220);
        assertEquals(TcpState.CLOSE, c.state());
        t.expectNothing(10_000);
    }

    @Test
    void finWait2_closeWithLingerZero_sendsRst() {
        var t = new TcpTester();
        var c = t.establishedClient(lingerZero());
        t.at(200, () -> assertEquals(0, c.shutdownOutput()));
        t.expect(200, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
        t.inject(300, ". 1:1(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
        assertEquals(TcpState.FIN_WAIT2, c.state());
        t.at(310, c::close);
        t.expect(310, "R. 2:2(0) ack 1 win 63 <nop,nop,TS val 310 ecr 1300>");
        assertEquals(TcpState.CLOSE, c.state());
    }
}
