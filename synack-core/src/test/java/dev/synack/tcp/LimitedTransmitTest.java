package dev.synack.tcp;

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
    static final int MSS = 1448;

    static String seg(String flags, int from, int n) {
        long s = 1 + (long) from * MSS;
        return flags + " " + s + ":" + (s + (long) n * MSS) + "(" + n * MSS + ") ack 1";
    }

    @Test
    void noSack_twoDupAcksSendTwoNewSegments_thenTheAckOfThreeGrowsCwndByOne() {
        var t = new TcpTester(cfg -> cfg.set("tcp_sack", "0"));
        var c = t.connect();
        t.expect(0, "S 0:0(0) win 64240 <mss 1460,nop,nop,TS val 0 ecr 0,nop,wscale 10>");
        t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        t.inject(150, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1150 ecr 100>");
        t.at(200, () -> assertEquals(15 * MSS, c.send(new byte[15 * MSS], 0, 15 * MSS)));
        for (int i = 0; i < 10; i++) t.expect(200, seg(i == 9 ? "P." : ".", i, 1));
        t.inject(300, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.expect(300, seg(".", 10, 1));
        t.inject(301, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1301 ecr 200>");
        t.expect(301, seg(".", 11, 1));
        assertEquals(CaState.DISORDER, c.info().ca());
        assertEquals(10, c.info().sndCwnd());
        // Three segments ACKed: delivered max(3 − 2, 1) = 1, cwnd 11; in flight 12 − 3 = 9: two more.
        t.inject(302, ". 1:1(0) ack " + (1 + 3 * MSS) + " win 502 <nop,nop,TS val 1302 ecr 200>");
        t.expect(302, seg(".", 12, 1));
        t.expect(302, seg("P.", 13, 1));
        assertEquals(11, c.info().sndCwnd());
        assertEquals(CaState.OPEN, c.info().ca());
        t.expectNothing(303);
    }
}
