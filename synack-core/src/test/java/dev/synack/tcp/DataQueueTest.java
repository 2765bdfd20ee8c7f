package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * tcp_data_queue's cases for a segment whose data we already have (net/ipv4/tcp_input.c). Linux counts
 * a FIN in the segment's end_seq: old data carrying a new FIN is a "partial packet", not an old one, so
 * the FIN is taken. Every test starts from {@link TcpTester#establishedClient()}: at 100 ms,
 * RCV.NXT = 1, TS.Recent = 1000.
 *
 * <p>Measured on Linux 6.18 with packetdrill (client active open, SACK and timestamps, the peer sends
 * {@code P. 1:11(10)}, then {@code FP. 1:11(10)}, the retransmission of a lost ACK's flight that
 * collapses data and FIN): the first segment is ACKed at once ({@code ack 11}); the second one
 * 40.4–44.9 ms later with one pure ACK, {@code ack 12}, no D-SACK block (tcp_fin resets the SACK
 * state, tcp_sack_reset), and the socket is in CLOSE_WAIT: read() returns the 10 bytes, then 0. Without
 * the FIN the same duplicate draws an immediate ACK with a D-SACK block {@code sack 1:11}.
 */
class DataQueueTest {
    final TcpTester t = new TcpTester();
    final TcpConnection c = t.establishedClient();

    /** Old data with a new FIN: the FIN is queued, CLOSE_WAIT, a delayed ACK of the FIN without D-SACK. */
    @Test
    void oldDataWithNewFin_takesTheFin() {
        t.inject(110, "P. 1:11(10) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(110, ". 1:1(0) ack 11 win 63 <nop,nop,TS val 110 ecr 1010>");
        t.inject(120, "FP. 1:11(10) ack 1 win 512 <nop,nop,TS val 1020 ecr 110>");
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        t.expectNothing(159);
        t.expect(160, ". 1:1(0) ack 12 win 63 <nop,nop,TS val 160 ecr 1020>");
        byte[] buf = new byte[100];
        assertEquals(10, c.receive(buf, 0, 100));
        assertEquals(0, c.receive(buf, 0, 100));
        t.expectNothing(10_000);
    }

    /** The same duplicate without a FIN: D-SACKed and ACKed at once (RFC 2883 §4.1.1). */
    @Test
    void oldDataWithoutFin_dsackedAtOnce() {
        t.inject(110, "P. 1:11(10) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(110, ". 1:1(0) ack 11 win 63 <nop,nop,TS val 110 ecr 1010>");
        t.inject(120, "P. 1:11(10) ack 1 win 512 <nop,nop,TS val 1020 ecr 110>");
        t.expect(120, ". 1:1(0) ack 11 win 63 <nop,nop,TS val 120 ecr 1020,nop,nop,sack 1:11>");
        assertEquals(TcpState.ESTABLISHED, c.state());
    }
}
