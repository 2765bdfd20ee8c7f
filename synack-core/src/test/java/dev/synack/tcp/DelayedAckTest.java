package dev.synack.tcp;

import static dev.synack.testing.TcpTester.MSS;
import static dev.synack.testing.TcpTester.range;
import static dev.synack.testing.TcpTester.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Delayed ACKs (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3) as Linux decides them: tcp_event_data_recv
 * starts quick-ACK mode on the first data with icsk_ack.quick = min(rcv_wnd / (2·rcv_mss), 16)
 * (tcp_incr_quickack); __tcp_ack_snd_check ACKs at once in quick-ACK mode, when more than one
 * full segment (rcv_mss) is unacknowledged and the window's right edge would advance, or when an
 * immediate ACK is due (out-of-order data); otherwise tcp_send_delayed_ack arms the 40 ms
 * (TCP_DELACK_MIN = ato) timer. A read of the data (tcp_cleanup_rbuf) sends the owed ACK when the
 * segments were small (ICSK_ACK_PUSHED).
 *
 * <p>The peer's segments arrive 50 ms apart (or together): the gap is not below ato (40 ms) and not
 * above the RTO (300 ms), so tcp_event_data_recv neither shrinks nor grows ato and does not re-enter
 * quick-ACK mode. The application reads everything as it arrives, so the window keeps opening.
 */
class DelayedAckTest {
    final byte[] sink = new byte[1 << 20];

    /** Injects full segment {@code i} (bytes 1 + i·1448 ...) at {@code ms} and reads it. */
    void segment(TcpTester t, TcpConnection c, long ms, int i) {
        t.inject(ms, ". " + range(i) + " ack 1 win 502 <nop,nop,TS val " + (1000 + ms) + " ecr 100>");
        assertEquals(MSS, c.receive(sink, 0, sink.length));
    }

    static String ackOf(long ms, int segments) {
        return ". 1:1(0) ack " + seq(segments) + " <nop,nop,TS val " + ms + " ecr " + (1000 + ms) + ">";
    }

    /** Sixteen quick ACKs, one per segment, then the 17th segment's ACK waits 40 ms. */
    TcpConnection afterQuickAcks(TcpTester t) {
        var c = t.establishedClient();
        for (int i = 0; i < 16; i++) {
            long ms = 200 + 50L * i;
            segment(t, c, ms, i);
            t.expect(ms, ackOf(ms, i + 1));
        }
        return c;
    }

    /** TCP_QUICKACK 1 with a delayed ACK owed sends it at once (__tcp_sock_set_quickack → tcp_cleanup_rbuf). */
    @Test
    void delayedAckOwed_tcpQuickAckSet_acksAtOnce() {
        var t = new TcpTester();
        var c = afterQuickAcks(t);
        segment(t, c, 1000, 16);
        t.expectNothing(1010);
        c.setQuickAck(true);
        t.expect(1010, ". 1:1(0) ack " + seq(17) + " <nop,nop,TS val 1010 ecr 2000>");
        t.expectNothing(1100);
    }

    @Test
    void quickAcks_thenOneSegmentDelayed40ms() {
        var t = new TcpTester();
        var c = afterQuickAcks(t);
        segment(t, c, 1000, 16);
        t.expectNothing(1039);
        t.expect(1040, ". 1:1(0) ack " + seq(17) + " <nop,nop,TS val 1040 ecr 2000>");
        assertEquals(1, t.stack.counters().get(dev.synack.stats.Counter.TcpExtDelayedACKs));
    }

    /**
     * Two full segments unacknowledged and a window that opens: ACK at once (no timer). The ato now
     * follows the gaps: the delayed ACK at 1040 ms "missed" (tcp_delack_timer_handler) and doubled
     * ato to 80 ms; the 100 ms gap to 1100 leaves it; the back-to-back segment (gap 0 ≤ 20 ms) makes
     * it 80/2 + 20 = 60 ms; the next segment 50 ms later (gap below ato) makes it 60/2 + 50 = 80 ms,
     * which tcp_send_delayed_ack bounds by SRTT (100 ms): its ACK comes 80 ms later, at 1230 ms.
     */
    @Test
    void twoFullSegments_ackedAtOnce() {
        var t = new TcpTester();
        var c = afterQuickAcks(t);
        segment(t, c, 1000, 16);
        t.expect(1040, ". 1:1(0) ack " + seq(17) + " <nop,nop,TS val 1040 ecr 2000>");
        segment(t, c, 1100, 17);
        segment(t, c, 1100, 18);
        t.expect(1100, ackOf(1100, 19));
        segment(t, c, 1150, 19);
        t.expectNothing(1229);
        t.expect(1230, ". 1:1(0) ack " + seq(20) + " <nop,nop,TS val 1230 ecr 2150>");
    }

    /**
     * A small segment after quick-ACK mode: the ACK is delayed, but the reader's read of it sends
     * the ACK at once (tcp_cleanup_rbuf: ICSK_ACK_PUSHED, not ping-pong, receive queue drained).
     */
    @Test
    void readOfSmallSegment_sendsAck() {
        var t = new TcpTester();
        var c = afterQuickAcks(t);
        long s = seq(16);
        t.inject(1000, "P. " + s + ":" + (s + 100) + "(100) ack 1 win 502 <nop,nop,TS val 2000 ecr 100>");
        t.expectNothing(1010);
        t.at(1010, () -> assertEquals(100, c.receive(sink, 0, sink.length)));
        t.expect(1010, ". 1:1(0) ack " + (s + 100) + " <nop,nop,TS val 1010 ecr 2000>");
        t.expectNothing(2000);
    }

    /** Without a read, the small segment's ACK comes after 40 ms. */
    @Test
    void smallSegment_unread_delayed40ms() {
        var t = new TcpTester();
        afterQuickAcks(t);
        long s = seq(16);
        t.inject(1000, "P. " + s + ":" + (s + 100) + "(100) ack 1 win 502 <nop,nop,TS val 2000 ecr 100>");
        t.expectNothing(1039);
        t.expect(1040, ". 1:1(0) ack " + (s + 100) + " <nop,nop,TS val 1040 ecr 2000>");
    }

    /**
     * Out-of-order data is ACKed at once with a SACK block (tcp_data_queue_ofo → ICSK_ACK_NOW), even
     * after quick-ACK mode; filling the hole is ACKed at once too (tcp_ofo_queue). The duplicate ACK
     * echoes the timestamp of the last in-order segment (RFC 7323 §4.3: ts_recent is not updated from
     * a segment beyond RCV.WUP).
     */
    @Test
    void outOfOrder_ackedAtOnceWithSack() {
        var t = new TcpTester();
        var c = afterQuickAcks(t);
        t.inject(1000, ". " + range(17) + " ack 1 win 502 <nop,nop,TS val 2000 ecr 100>");
        t.expect(1000, ". 1:1(0) ack " + seq(16) + " <nop,nop,TS val 1000 ecr 1950,nop,nop,sack " + seq(17) + ":" + seq(18) + ">");
        t.inject(1050, ". " + range(16) + " ack 1 win 502 <nop,nop,TS val 2050 ecr 100>");
        t.expect(1050, ". 1:1(0) ack " + seq(18) + " <nop,nop,TS val 1050 ecr 2050>");
        assertEquals(2 * MSS, c.receive(sink, 0, sink.length));
    }

    /**
     * A gap longer than the RTO (300 ms) between data segments puts the receiver back in quick-ACK
     * mode (tcp_event_data_recv: "sender failed to restart window"): the segment after a 500 ms pause
     * is ACKed at once.
     */
    @Test
    void longGap_reentersQuickAck() {
        var t = new TcpTester();
        var c = afterQuickAcks(t);
        segment(t, c, 1000, 16);
        t.expect(1040, ". 1:1(0) ack " + seq(17) + " <nop,nop,TS val 1040 ecr 2000>");
        segment(t, c, 1500, 17);
        t.expect(1500, ackOf(1500, 18));
    }
}
