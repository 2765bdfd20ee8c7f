package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/**
 * The scoreboard's counters across SACK reneging. tcp_sacktag_one (net/ipv4/tcp_input.c) clears a
 * segment's TCPCB_LOST and TCPCB_SACKED_RETRANS when it is SACKed (lost_out and retrans_out drop with
 * them); tcp_timeout_mark_lost on reneging clears TCPCB_SACKED_ACKED and tcp_mark_skb_lost marks the
 * segment lost afresh (lost_out += 1, no TCPLostRetransmit since no retransmission is in flight). Before,
 * synack kept LOST and RETRANS on a SACKed segment while uncounting them, so un-SACKing left them
 * uncounted and the segment's removal drove lost_out and retrans_out to −1.
 */
class SackRenegingCountersTest {
    @Test
    void lostRetransmittedSegment_sackedThenReneged_countersStayTrue() {
        RetransmitQueue q = new RetransmitQueue();
        q.add(1, 1449, 0, 0);
        q.add(1449, 2897, 0, 0);
        q.markLost(0, RetransmitQueue.LOST_BY_RTO);
        q.retransmitted(0, 1);
        assertEquals(1, q.lostOut);
        assertEquals(1, q.retransOut);
        q.setBit(0, RetransmitQueue.SACKED); // the retransmission is SACKed
        assertEquals(0, q.lostOut);
        assertEquals(0, q.retransOut);
        q.clearBit(0, RetransmitQueue.SACKED); // tcp_timeout_mark_lost: the receiver reneged
        assertFalse(q.markLost(0, RetransmitQueue.LOST_BY_RTO), "no retransmission was in flight to be lost");
        assertEquals(1, q.lostOut);
        assertEquals(0, q.retransOut);
        q.removeFirst(); // finally cumulatively ACKed
        q.removeFirst();
        assertEquals(0, q.lostOut);
        assertEquals(0, q.retransOut);
        assertEquals(0, q.sackedOut);
    }
}
