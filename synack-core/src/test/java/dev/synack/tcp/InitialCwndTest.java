package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Every socket starts with cwnd TCP_INIT_CWND (tcp_init_sock, net/ipv4/tcp.c), before any handshake;
 * tcp_init_transfer sets it again when the connection is established.
 *
 * <p>Found by the fuzzer (an extra invariant, cwnd ≥ 1 in a synchronized state): a simultaneous open
 * closed in SYN_RECV went to FIN_WAIT1 with cwnd 0, as it had never passed tcp_init_transfer.
 *
 * <p>Measured on Linux 6.18 with packetdrill and {@code ss -tin} run from the script: a non-blocking
 * connect's socket in SYN-SENT shows {@code cwnd:10}; after the peer's SYN {@code < S 0:0(0) win 32792
 * <mss 1000,sackOK,nop,nop,nop,wscale 7>} (answered {@code > S. 0:0(0) ack 1 win 64240}) and close(), the socket
 * in FIN-WAIT-1 ({@code > F. 1:1(0) ack 1 win 63}) shows {@code cwnd:10}.
 */
class InitialCwndTest {
    final TcpTester t = new TcpTester();

    @Test
    void synSentHasTheInitialCwnd() {
        TcpConnection c = t.connect();
        t.expect(0, TcpTester.SYN);
        assertEquals(TcpState.SYN_SENT, c.state());
        assertEquals(10, c.info().sndCwnd());
    }

    @Test
    void aSimultaneousOpenClosedInSynRecv_keepsTheInitialCwnd() {
        TcpConnection c = t.connect();
        t.expect(0, TcpTester.SYN);
        t.inject(10, TcpTester.PEER_SYN);
        t.expect(10, "S. 0:0(0) ack 1 win 64240 <mss 1460,sackOK,TS val 10 ecr 1000,nop,wscale 10>");
        assertEquals(TcpState.SYN_RECV, c.state());
        t.at(10, c::close);
        t.expect(10, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 10 ecr 1000>");
        assertEquals(TcpState.FIN_WAIT1, c.state());
        assertEquals(10, c.info().sndCwnd());
    }
}
