package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * The ACK that ends CLOSING or LAST_ACK ends the segment too: tcp_rcv_state_process (net/ipv4/tcp_input.c),
 * step 5, calls tcp_time_wait (CLOSING) or tcp_done (LAST_ACK) once snd_una reaches write_seq and then
 * {@code goto consume}: the segment's text is never looked at, so data it carries is neither queued nor
 * ACKed nor answered with a reset. (RFC 9293 §3.10.7.4's seventh step would ignore it as well: text after
 * the peer's FIN.)
 *
 * <p>Found by the fuzzer (synack fuzz --seed 13 --episode 1193): a forged FIN put the peer's FIN at the
 * sequence number where the real peer then sent 204 bytes; the ACK of our FIN arrived with them, synack
 * went to TIME_WAIT and then queued 203 bytes after the end of stream, which read() returned.
 *
 * <p>Measured on Linux 6.18 with packetdrill (server, shutdown(SHUT_WR) after accept): {@code > F. 1:1(0)
 * ack 1}, {@code < F. 1:1(0) ack 1} (CLOSING), {@code > . 2:2(0) ack 2}, then {@code < P. 1:205(204) ack 2}:
 * nothing is sent, read() returns 0, and 300 ms later {@code < . 205:205(0) ack 2} draws the TIME_WAIT
 * socket's {@code > . 2:2(0) ack 2}: RCV.NXT stayed 2.
 */
class AckEndsClosingTest {
    final TcpTester t = new TcpTester();
    final TcpConnection c = t.establishedClient();
    final byte[] buf = new byte[1000];

    @Test
    void dataWithTheAckThatEndsClosing_isConsumed() {
        t.at(110, () -> assertEquals(0, c.shutdownOutput()));
        t.expect(110, "F. 1:1(0) ack 1 <nop,nop,TS val 110 ecr 1000>");
        t.inject(110, "F. 1:1(0) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(110, ". 2:2(0) ack 2 <nop,nop,TS val 110 ecr 1010>");
        assertEquals(TcpState.CLOSING, c.state());
        t.inject(210, "P. 1:205(204) ack 2 win 512 <nop,nop,TS val 1020 ecr 110>");
        assertEquals(TcpState.TIME_WAIT, c.state());
        t.expectNothing(510);
        assertEquals(0, c.receive(buf, 0, buf.length));
        t.inject(510, ". 205:205(0) ack 2 win 512 <nop,nop,TS val 1030 ecr 110>");
        t.expect(510, ". 2:2(0) ack 2 <nop,nop,TS val 510 ecr 1020>");
    }

    /**
     * LAST_ACK: the ACK of our FIN closes the socket; the data with it draws no ACK and no reset. Measured
     * on Linux 6.18 with packetdrill (server; the peer's FIN, our ACK, shutdown(SHUT_WR), {@code > F. 1:1(0)
     * ack 2}, then {@code < P. 2:206(204) ack 2}): nothing is sent, read() returns 0, and a later segment
     * finds no socket ({@code > R 2:2(0) win 0}).
     */
    @Test
    void dataWithTheAckThatEndsLastAck_isConsumed() {
        t.inject(110, "F. 1:1(0) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(114, ". 1:1(0) ack 2 <nop,nop,TS val 114 ecr 1010>");
        t.at(120, () -> assertEquals(0, c.shutdownOutput()));
        t.expect(120, "F. 1:1(0) ack 2 <nop,nop,TS val 120 ecr 1010>");
        assertEquals(TcpState.LAST_ACK, c.state());
        t.inject(130, "P. 1:205(204) ack 2 win 512 <nop,nop,TS val 1020 ecr 120>");
        assertEquals(TcpState.CLOSE, c.state());
        t.expectNothing(1_000);
        assertEquals(0, c.receive(buf, 0, buf.length));
    }
}
