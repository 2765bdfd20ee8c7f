package dev.synack.tcp;

import static dev.synack.testing.TcpTester.PEER_SYN_ACK;
import static dev.synack.testing.TcpTester.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/** Engine bugs found by {@code TransferProperties}, each pinned at the segment level. */
class TransferRegressionTest {

    /**
     * shutdown(SHUT_WR) in SYN_SENT: inet_shutdown → tcp_disconnect (net/ipv4/af_inet.c, tcp.c) stops the
     * attempt with nothing on the wire and sk_err = ECONNRESET; the late SYN-ACK then finds no
     * connection and is answered with a RST.
     */
    @Test
    void shutdownInSynSent_disconnects_withEconnreset() {
        var t = new TcpTester();
        var c = t.connect();
        t.expect(0, SYN);
        t.at(50, () -> assertEquals(0, c.shutdownOutput()));
        t.expectNothing(99);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(Errno.ECONNRESET, c.takeError());
        t.inject(100, PEER_SYN_ACK);
        t.expect(100, "R 1:1(0)");
    }

    /**
     * RFC 5961 §4 / Linux __tcp_oow_rate_limited: the first out-of-window segment is always answered
     * (last_oow_ack_time starts at "never"); only a second within tcp_invalid_ratelimit (500 ms) is not.
     * A zero-window probe (SEQ = RCV.NXT − 1) is such a segment, so the window reopens through it.
     */
    @Test
    void firstOutOfWindowSegment_isAnswered_secondWithin500ms_isNot() {
        var t = new TcpTester();
        t.establishedClient();
        t.inject(200, ". 0:0(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 100>");
        t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
        t.inject(300, ". 0:0(0) ack 1 win 502 <nop,nop,TS val 1200 ecr 200>");
        t.expectNothing(600);
        t.inject(700, ". 0:0(0) ack 1 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.expect(700, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 700 ecr 1000>");
    }

    /**
     * tcp_send_probe0: when the persist timer finds room in a small window it sends data (tcp_write_wakeup);
     * that data is then under the retransmission timer, so its loss is repaired by an RTO (here 300 ms:
     * SRTT 100 ms + the 200 ms floor of RTTVAR) instead of stalling forever.
     */
    @Test
    void persistTimerSendsData_thenTheRtoRetransmitsIt() {
        var t = new TcpTester();
        var c = t.establishedClient();
        // A window of 1 << 7 = 128 bytes: a 1000-byte segment does not fit (tcp_snd_wnd_test).
        t.inject(110, ". 1:1(0) ack 1 win 1 <nop,nop,TS val 1010 ecr 100>");
        t.at(120, () -> assertEquals(1000, c.send(new byte[1000], 0, 1000)));
        t.expect(420, "P. 1:129(128) ack 1 <...>");
        t.expect(720, "P. 1:129(128) ack 1 <...>");
    }
}
