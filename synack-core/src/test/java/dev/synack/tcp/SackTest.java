package dev.synack.tcp;

import static dev.synack.testing.TcpTester.MSS;
import static dev.synack.testing.TcpTester.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * The SACK receiver (RFC 2018 §4: the first block reports the most recently received segment;
 * Linux tcp_sack_new_ofo_skb keeps selective_acks most recent first), D-SACK (RFC 2883 §4: a
 * duplicate is reported in the first block; Linux tcp_dsack_set, tcp_send_dupack) and window scaling
 * (RFC 7323 §2.3: the window field is shifted by our scale, 10 here; the peer's field by its scale, 7).
 */
class SackTest {
    static String seg(long start, int len, long ms) {
        return ". " + start + ":" + (start + len) + "(" + len + ") ack 1 win 502 <nop,nop,TS val " + (1000 + ms) + " ecr 100>";
    }

    /** Three out-of-order segments with holes between: each ACK lists the newest block first. */
    @Test
    void sackBlocks_mostRecentFirst() {
        var t = new TcpTester();
        t.establishedClient();
        long a = seq(1), b = seq(3), d = seq(5);
        t.inject(200, seg(a, MSS, 200));
        t.expect(200, ". 1:1(0) ack 1 <nop,nop,TS val 200 ecr 1000,nop,nop,sack " + a + ":" + (a + MSS) + ">");
        t.inject(210, seg(d, MSS, 210));
        t.expect(210, ". 1:1(0) ack 1 <nop,nop,TS val 210 ecr 1000,nop,nop,sack " + d + ":" + (d + MSS) + " " + a + ":" + (a + MSS) + ">");
        t.inject(220, seg(b, MSS, 220));
        t.expect(220, ". 1:1(0) ack 1 <nop,nop,TS val 220 ecr 1000,nop,nop,sack " + b + ":" + (b + MSS) + " " + d + ":"
                + (d + MSS) + " " + a + ":" + (a + MSS) + ">");
    }

    /** A retransmission of data already received: ACK at once with a D-SACK block for it. */
    @Test
    void duplicateOldData_dsackFirst() {
        var t = new TcpTester();
        t.establishedClient();
        t.inject(200, seg(1, 100, 200));
        t.expect(200, ". 1:1(0) ack 101 <nop,nop,TS val 200 ecr 1200>");
        t.inject(300, seg(1, 100, 300));
        t.expect(300, ". 1:1(0) ack 101 <nop,nop,TS val 300 ecr 1300,nop,nop,sack 1:101>");
        assertEquals(1, t.stack.counters().get(dev.synack.stats.Counter.TcpExtTCPDSACKOldSent));
    }

    /** A duplicate of out-of-order data: the D-SACK block first, then the SACK block that covers it. */
    @Test
    void duplicateOfoData_dsackThenSack() {
        var t = new TcpTester();
        t.establishedClient();
        long a = seq(1);
        t.inject(200, seg(a, MSS, 200));
        t.expect(200, ". 1:1(0) ack 1 <nop,nop,TS val 200 ecr 1000,nop,nop,sack " + a + ":" + (a + MSS) + ">");
        t.inject(250, seg(a, MSS, 250));
        t.expect(250, ". 1:1(0) ack 1 <nop,nop,TS val 250 ecr 1000,nop,nop,sack " + a + ":" + (a + MSS) + " " + a + ":" + (a + MSS) + ">");
    }

    /** Our window field is the window >> 10; the peer's field is shifted << 7 to get its window. */
    @Test
    void windowScaling_bothDirections() {
        var t = new TcpTester();
        var c = t.establishedClient();
        assertEquals(65535, c.info().sndWnd()); // RFC 7323 §2.2: the SYN-ACK's window is not scaled
        assertEquals(10, c.info().rcvWscale());
        assertEquals(7, c.info().sndWscale());
        t.inject(200, ". 1:1(0) ack 1 win 3 <nop,nop,TS val 1200 ecr 100>");
        assertEquals(3 << 7, c.info().sndWnd());
        // 384 bytes of window: a 1000-byte write does not go as a small segment (tcp_snd_wnd_test, SWS
        // avoidance RFC 9293 §3.8.6.2.1); it waits for the persist timer (RTO 300 ms), which sends
        // what fits.
        t.at(210, () -> c.send(new byte[1000], 0, 1000));
        t.expectNothing(509);
        t.expect(510, "P. 1:385(384) ack 1 win 63 <nop,nop,TS val 510 ecr 1200>");
    }

    /**
     * Linux keeps out-of-order segments until their memory passes the receive buffer
     * (tcp_data_queue_ofo → tcp_try_rmem_schedule), not up to a number of holes: forty separate
     * segments with a hole before each are all kept (no TCPOFODrop), and filling the holes delivers
     * everything.
     */
    @Test
    void manyHoles_allOutOfOrderSegmentsKept() {
        var t = new TcpTester();
        var c = t.establishedClient();
        for (int k = 0; k < 40; k++) {
            t.inject(200 + k, seg(1 + (2L * k + 1) * 100, 100, 200 + k));
            t.drain(200 + k);
        }
        assertEquals(0, t.stack.counters().get(dev.synack.stats.Counter.TcpExtTCPOFODrop));
        java.util.List<dev.synack.wire.TcpSegment> acks = new java.util.ArrayList<>();
        for (int k = 0; k < 40; k++) {
            t.inject(300 + k, seg(1 + 2L * k * 100, 100, 300 + k));
            acks.addAll(t.drain(300 + k));
        }
        assertEquals(". 1:1(0) ack 8001", t.relative(acks.getLast()).substring(0, ". 1:1(0) ack 8001".length()));
        assertEquals(8000, c.readable());
    }
}
