package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * The receiver's estimate of the peer's segment size (icsk_ack.rcv_mss, tcpi_rcv_mss): Linux starts low
 * (tcp_initialize_rcv_mss: min(advmss, mss_cache, rcv_wnd / 2, TCP_MSS_DEFAULT), at least TCP_MIN_MSS)
 * and tcp_measure_rcv_mss learns from a segment of at least rcv_mss (rcv_mss = min(len, advmss)) or from
 * two equal smaller ones in a row (last_seg_size) that are at least TCP_MSS_DEFAULT + 20 bytes with
 * their header, or TCP_MIN_MSS + 20 without FIN, URG, SYN or PSH (TCP_REMNANT).
 *
 * <p>Measured on Linux 6.18 with packetdrill (client active open, MSS 1460 both ways, SACK and
 * timestamps; tcpi_rcv_mss printed after each step): 536 after the handshake; 536 after {@code P.
 * 1:201(200)}; 536 after {@code . 201:501(300)}; 300 after a second {@code . 501:801(300)}; 1000 after
 * {@code P. 801:1801(1000)}; still 1000 after two {@code P.} segments of 300. Each data segment was
 * ACKed at once (quick-ACK mode). With SO_RCVBUF 1024 (rcv_wnd 1152, no window scaling) it is 536 too.
 */
class RcvMssTest {
    final TcpTester t = new TcpTester();
    final TcpConnection c = t.establishedClient();

    @Test
    void rcvMssStartsAtTheDefaultAndLearnsFromTwoEqualSegments() {
        assertEquals(536, c.info().rcvMss());
        t.inject(110, "P. 1:201(200) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(110, ". 1:1(0) ack 201 <nop,nop,TS val 110 ecr 1010>");
        assertEquals(536, c.info().rcvMss());
        t.inject(120, ". 201:501(300) ack 1 win 512 <nop,nop,TS val 1020 ecr 110>");
        t.expect(120, ". 1:1(0) ack 501 <nop,nop,TS val 120 ecr 1020>");
        assertEquals(536, c.info().rcvMss());
        t.inject(130, ". 501:801(300) ack 1 win 512 <nop,nop,TS val 1030 ecr 120>");
        t.expect(130, ". 1:1(0) ack 801 <nop,nop,TS val 130 ecr 1030>");
        assertEquals(300, c.info().rcvMss());
        t.inject(140, "P. 801:1801(1000) ack 1 win 512 <nop,nop,TS val 1040 ecr 130>");
        t.expect(140, ". 1:1(0) ack 1801 <nop,nop,TS val 140 ecr 1040>");
        assertEquals(1000, c.info().rcvMss());
        t.inject(150, "P. 1801:2101(300) ack 1 win 512 <nop,nop,TS val 1050 ecr 140>");
        t.expect(150, ". 1:1(0) ack 2101 <nop,nop,TS val 150 ecr 1050>");
        t.inject(160, "P. 2101:2401(300) ack 1 win 512 <nop,nop,TS val 1060 ecr 150>");
        t.expect(160, ". 1:1(0) ack 2401 <nop,nop,TS val 160 ecr 1060>");
        assertEquals(1000, c.info().rcvMss());
    }
}
