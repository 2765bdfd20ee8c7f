package dev.synack.tcp;

import static dev.synack.testing.TcpTester.MSS;
import static dev.synack.testing.TcpTester.ack;
import static dev.synack.testing.TcpTester.range;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * RFC 3042 limited transmit without SACK, as Linux does it: each duplicate ACK counts one segment as
 * having left (tcp_add_reno_sack raises sacked_out), so tcp_packets_in_flight drops by one and a new
 * segment fits cwnd. When a cumulative ACK then covers k segments, one of them fills the hole and the
 * others were already counted by the duplicates (tcp_remove_reno_sacks: delivered = max(k − sacked_out, 1)),
 * so slow start grows cwnd by one, not by k. Packetdrill limited_transmit/limited-transmit-no-sack.pkt.
 */
class LimitedTransmitTest {
    @Test
    void noSack_twoDupAcksSendTwoNewSegments_thenTheAckOfThreeGrowsCwndByOne() {
        var t = new TcpTester(cfg -> cfg.set("tcp_sack", "0"));
        var c = t.establishedClientWithoutSack();
        t.inject(150, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1150 ecr 100>");
        t.at(200, () -> assertEquals(15 * MSS, c.send(new byte[15 * MSS], 0, 15 * MSS)));
        t.expectBurst(200, 0, 10);
        t.inject(300, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.expect(300, ". " + range(10) + " ack 1");
        t.inject(301, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1301 ecr 200>");
        t.expect(301, ". " + range(11) + " ack 1");
        assertEquals(CaState.DISORDER, c.info().ca());
        assertEquals(10, c.info().sndCwnd());
        // Three segments ACKed: delivered max(3 − 2, 1) = 1, cwnd 11; in flight 12 − 3 = 9: two more.
        t.inject(302, ack(302, 3, 200));
        t.expectBurst(302, 12, 2);
        assertEquals(11, c.info().sndCwnd());
        assertEquals(CaState.OPEN, c.info().ca());
        t.expectNothing(303);
    }
}
