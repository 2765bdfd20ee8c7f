package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * tcp_fin (net/ipv4/tcp_input.c): "It _is_ possible, that we have something out-of-order _after_ FIN ...
 * For now drop them": the out-of-order queue is purged and the SACK state reset (tcp_sack_reset), so
 * no later segment SACKs what lay above the FIN and no byte of it is ever read. tcp_data_queue takes
 * the FIN before it looks at the out-of-order queue, so data adjacent to the FIN is dropped as well.
 *
 * <p>Measured on Linux 6.18 with packetdrill (client active open, SACK and timestamps): the peer sends
 * {@code P. 21:31(10)} (or {@code P. 11:21(10)}), answered at once with {@code ack 1, sack 21:31}; then
 * {@code FP. 1:11(10)}: the socket is in CLOSE_WAIT and ACKs 41–45 ms later with {@code ack 12} and no
 * SACK block; read() returns 10 bytes, then 0; our data {@code P. 1:6(5) ack 12} and FIN carry no SACK
 * block either.
 */
class FinPurgesOfoTest {
    final TcpTester t = new TcpTester();
    final TcpConnection c = t.establishedClient();

    @Test
    void outOfOrderDataAboveTheFin_isPurged() {
        t.inject(110, "P. 21:31(10) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(110, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 110 ecr 1000,nop,nop,sack 21:31>");
        finAndAfter();
    }

    @Test
    void outOfOrderDataAdjacentToTheFin_isPurged() {
        t.inject(110, "P. 11:21(10) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(110, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 110 ecr 1000,nop,nop,sack 11:21>");
        finAndAfter();
    }

    private void finAndAfter() {
        t.inject(120, "FP. 1:11(10) ack 1 win 512 <nop,nop,TS val 1020 ecr 110>");
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        t.expectNothing(159);
        t.expect(160, ". 1:1(0) ack 12 win 63 <nop,nop,TS val 160 ecr 1020>");
        byte[] buf = new byte[100];
        assertEquals(10, c.receive(buf, 0, 100));
        assertEquals(0, c.receive(buf, 0, 100));
        t.at(170, () -> assertEquals(5, c.send(new byte[5], 0, 5)));
        t.expect(170, "P. 1:6(5) ack 12 win 63 <nop,nop,TS val 170 ecr 1020>");
        t.inject(180, ". 12:12(0) ack 6 win 512 <nop,nop,TS val 1030 ecr 170>");
        c.close();
        t.expect(180, "F. 6:6(0) ack 12 win 63 <nop,nop,TS val 180 ecr 1030>");
        t.inject(190, ". 12:12(0) ack 7 win 512 <nop,nop,TS val 1040 ecr 180>");
        assertEquals(TcpState.CLOSE, c.state());
    }
}
