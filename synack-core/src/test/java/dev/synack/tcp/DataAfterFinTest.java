package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Data after the peer's FIN (tcp_rcv_state_process, step 7, net/ipv4/tcp_input.c). In CLOSE_WAIT, CLOSING
 * and LAST_ACK a segment at or above RCV.NXT is ignored; an older one falls through to FIN_WAIT's test:
 * with RCV_SHUTDOWN set (tcp_fin set it), a segment whose data (end_seq − FIN) runs past RCV.NXT draws
 * TCPAbortOnData, tcp_reset and tcp_v4_send_reset. Linux never delivers a byte after EOF.
 *
 * <p>Measured on Linux 6.18 with packetdrill (client active open, SACK and timestamps; the peer sends
 * {@code FP. 1:6(5)}, the application reads 5 bytes and EOF, then the peer sends {@code FP. 6:102(96)}
 * starting at the FIN's sequence number): the FIN is ACKed 43 ms later ({@code ack 7}, delayed: tcp_fin
 * enters ping-pong mode); the second segment is answered at once with {@code R 1:1(0) win 0} (SEQ =
 * SEG.ACK, no ACK bit), the socket is CLOSED, and read() returns 0 (SOCK_DONE was set by the FIN).
 */
class DataAfterFinTest {
    final TcpTester t = new TcpTester();
    final TcpConnection c = t.establishedClient();

    @Test
    void dataPastTheConsumedFin_inCloseWait_resets() {
        t.inject(110, "FP. 1:6(5) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        t.expect(150, ". 1:1(0) ack 7 win 63 <nop,nop,TS val 150 ecr 1010>");
        byte[] buf = new byte[200];
        assertEquals(5, c.receive(buf, 0, 200));
        assertEquals(0, c.receive(buf, 0, 200));
        t.inject(200, "FP. 6:102(96) ack 1 win 512 <nop,nop,TS val 1020 ecr 150>");
        t.expect(200, "R 1:1(0) win 0");
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(0, c.receive(buf, 0, 200));
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPAbortOnData));
        t.expectNothing(10_000);
    }

    /** The FIN alone again (old data and the same FIN) is a retransmission: ACKed at once, no reset. */
    @Test
    void retransmittedFin_inCloseWait_isAcked() {
        t.inject(110, "FP. 1:6(5) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(150, ". 1:1(0) ack 7 win 63 <nop,nop,TS val 150 ecr 1010>");
        t.inject(200, "FP. 1:6(5) ack 1 win 512 <nop,nop,TS val 1020 ecr 150>");
        t.expect(200, ". 1:1(0) ack 7 win 63 <nop,nop,TS val 200 ecr 1020,nop,nop,sack 1:6>");
        assertEquals(TcpState.CLOSE_WAIT, c.state());
    }
}
