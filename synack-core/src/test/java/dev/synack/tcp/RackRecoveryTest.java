package dev.synack.tcp;

import static dev.synack.testing.TcpTester.MSS;
import static dev.synack.testing.TcpTester.ack;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Loss marking at the start of fast recovery and the first PRR step as Linux 6.18 does them:
 * tcp_rack_detect_loss with reordering window 0 (tcp_rack_reo_wnd: sacked_out ≥ tp->reordering, no
 * reordering seen) marks lost every hole sent before the latest-sent SACKed segment, not only those
 * with three SACKed segments above (RFC 6675 IsLost); tcp_cwnd_reduction's slow-start reduction bound
 * adds its extra segment only when SND.UNA advanced and nothing was newly marked lost, so a SACK
 * entering recovery releases exactly the one fast retransmission. Packetdrill
 * sack/sack-shift-sacked-2-6-8-3-9-nofack.pkt and fast_recovery/prr-ss-30pkt-lost1_4.pkt.
 */
class RackRecoveryTest {
    /** Ten segments at 200 ms; SACKs for segments 2, then 2 and 6, then 2, 6 and 8 at 300–302 ms. */
    static TcpConnection sacks2_6_8(TcpTester t) {
        var c = t.establishedClient();
        t.sendBurst(c, 200, 10);
        t.inject(300, ack(300, 0, 200, 2, 3));
        t.inject(301, ack(301, 0, 200, 2, 3, 6, 7));
        t.expectNothing(301);
        t.inject(302, ack(302, 0, 200, 2, 3, 6, 7, 8, 9));
        return c;
    }

    @Test
    void sacks2_6_8_markSixHolesLost_andRetransmitOne() {
        var t = new TcpTester();
        var c = sacks2_6_8(t);
        // Three SACKed: Recovery. All ten went at 200 ms, so every hole below segment 8 is lost:
        // 0, 1, 3, 4, 5, 7 (RFC 6675 alone would mark 0 and 1).
        t.expect(302, ". 1:1449(1448) ack 1");
        TcpInfo i = c.info();
        assertEquals(CaState.RECOVERY, i.ca());
        assertEquals(6, i.lost());
        assertEquals(3, i.sacked());
        // In flight 10 − 3 − 6 = 1 < ssthresh 7 (CUBIC: 10·0.7): sndcnt = max(1 − 0, 1) = 1, no +1
        // (SND.UNA did not advance): one retransmission, not two.
        assertEquals(1, i.retrans());
        t.expectNothing(303);
        // The next SACK delivers one more: one more retransmission, the next lost hole.
        t.inject(310, ack(310, 0, 200, 2, 3, 6, 7, 8, 10));
        t.expect(310, ". 1449:2897(1448) ack 1");
        t.expectNothing(311);
    }

    /**
     * A lost retransmission (tcp_rack_detect_loss → tcp_mark_skb_lost clears TCPCB_SACKED_RETRANS): once a
     * segment sent after the retransmission is SACKed — a retransmitted or new one whose RTT is at least
     * min_rtt (tcp_rack_advance) — the retransmission is lost too and goes again. New data sent in
     * Recovery counts in prr_out (tcp_write_xmit).
     */
    @Test
    void lostRetransmission_isSentAgain() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> assertEquals(20 * MSS, c.send(new byte[20 * MSS], 0, 20 * MSS)));
        t.drain(200); // ten segments (cwnd 10)
        var sent = new java.util.ArrayList<dev.synack.wire.TcpSegment>();
        for (int k = 1; k <= 9; k++) {
            // SACKs of 1..k: limited transmit, then (from the third) Recovery with its retransmission
            // of segment 0 at 302 and PRR's new segments.
            t.inject(299 + k, ack(299 + k, 0, 200, 1, k + 1));
            sent.addAll(t.drain(299 + k));
        }
        var retransmitted = sent.stream().filter(x -> Integer.toUnsignedLong(x.seq()) < Integer.toUnsignedLong(sent.get(0).seq())).toList();
        assertEquals(1, retransmitted.size(), "segment 0 retransmitted once: " + sent);
        int highest = sent.getLast().seq() + sent.getLast().payload().length;
        long hi = t.relativeSeq(highest);
        // Everything sent after the retransmission (at 303 ms and later) is SACKed 100 ms later; the
        // retransmission of segment 0 went at 302, before them, and is still not delivered: lost
        // again, and retransmitted at once.
        t.inject(404, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1404 ecr 304,nop,nop,sack "
                + (1 + MSS) + ":" + hi + ">");
        t.expect(404, ". 1:1449(1448) ack 1");
    }

    /**
     * With tcp_recovery = 0 (no RACK), Linux before RACK: recovery on the duplicate threshold
     * (sacked_out + 1 > reordering) and RFC 6675's IsLost: only holes with three SACKed segments above
     * them are lost, segments 0 and 1 here, not 3, 4, 5 and 7.
     */
    @Test
    void withoutRack_rfc6675IsLost_marksOnlyHolesBelowThreeSacks() {
        var t = new TcpTester(cfg -> cfg.set("tcp_recovery", "0"));
        var c = sacks2_6_8(t);
        t.expect(302, ". 1:1449(1448) ack 1");
        TcpInfo i = c.info();
        assertEquals(CaState.RECOVERY, i.ca());
        assertEquals(2, i.lost());
        assertEquals(1, i.retrans());
        t.expectNothing(303);
    }
}
