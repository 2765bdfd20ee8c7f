package dev.synack.tcp;

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
    static final int MSS = 1448;

    static String sack(long ms, int... idx) {
        StringBuilder b = new StringBuilder(". 1:1(0) ack 1 win 502 <nop,nop,TS val " + (1000 + ms) + " ecr 200,nop,nop,sack");
        for (int i : idx) b.append(' ').append(1 + (long) i * MSS).append(':').append(1 + (long) (i + 1) * MSS);
        return b.append('>').toString();
    }

    @Test
    void sacks2_6_8_markSixHolesLost_andRetransmitOne() {
        var t = new TcpTester();
        var c = t.establishedClient();
        FastRetransmitTest.sendTen(t, c);
        t.inject(300, sack(300, 2));
        t.inject(301, sack(301, 2, 6));
        t.expectNothing(301);
        t.inject(302, sack(302, 2, 6, 8));
        // Three SACKed: Recovery. All ten went at 200 ms, so every hole below segment 8 is lost:
        // 0, 1, 3, 4, 5, 7 (RFC 6675 alone would mark 0 and 1).
        t.expect(302, ". 1:1449(1448) ack 1");
        TcpInfo i = c.info();
        assertEquals(3, i.caState());
        assertEquals(6, i.lost());
        assertEquals(3, i.sacked());
        // In flight 10 − 3 − 6 = 1 < ssthresh 7 (CUBIC: 10·0.7): sndcnt = max(1 − 0, 1) = 1, no +1
        // (SND.UNA did not advance): one retransmission, not two.
        assertEquals(1, i.retrans());
        t.expectNothing(303);
        // The next SACK delivers one more: one more retransmission, the next lost hole.
        t.inject(310, sack(310, 2, 6).replace(">", " " + (1 + 8 * MSS) + ":" + (1 + 10 * MSS) + ">"));
        t.expect(310, ". 1449:2897(1448) ack 1");
        t.expectNothing(311);
    }
}
