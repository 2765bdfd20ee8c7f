package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.testing.TcpTester;
import dev.synack.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SO_RCVBUF on an open connection (sock_setsockopt → sk_rcvbuf and SOCK_RCVBUF_LOCK): the windows
 * offered afterwards follow the new buffer, and a window already offered is never taken back
 * (RFC 9293 §3.8.6, tcp_select_window aligns the old right edge up to the scale).
 */
class RcvBufOptionTest {
    /** The windows of the ACKs for 40 back-to-back 1000-byte segments nobody reads, and the bytes taken. */
    private record Run(List<Integer> wins, int taken) {}

    private static Run run(int rcvBuf) {
        var t = new TcpTester();
        var c = t.establishedClient();
        if (rcvBuf > 0) {
            c.options.rcvBuf = rcvBuf;
            c.optionsChanged();
        }
        List<Integer> wins = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long at = 200 + i;
            t.inject(at, "P. " + (1 + 1000 * i) + ":" + (1001 + 1000 * i) + "(1000) ack 1 win 502 <nop,nop,TS val " + (1000 + at) + " ecr 100>");
            for (TcpSegment s : t.drain(at)) wins.add(s.window());
        }
        return new Run(wins, c.readable());
    }

    @Test
    void established_soRcvbufLowered_windowClosesAsDataArrives_withoutShrinking() {
        Run r = run(8192);
        List<Integer> wins = r.wins();
        // The first ACK keeps the handshake's right edge: 64512 − 1000 aligned up to 1024 = 63 << 10.
        assertEquals(63, wins.getFirst());
        // The window never reopens or moves its right edge back (nothing is read)...
        for (int i = 1; i < wins.size(); i++) assertTrue(wins.get(i) <= wins.get(i - 1), wins.toString());
        // ...and the small buffer takes no more than it holds: the rest is dropped (TcpExtTCPRcvQDrop),
        // as Linux drops what tcp_try_rmem_schedule cannot charge.
        assertTrue(r.taken() <= 8192, "taken " + r.taken());
    }

    @Test
    void established_soRcvbufRaised_windowStaysOpenWhereTheDefaultBufferCloses() {
        Run big = run(1 << 20), dflt = run(0);
        assertEquals(40_000, big.taken());
        assertTrue(big.wins().getLast() > dflt.wins().getLast(), "1 MB " + big + " vs default " + dflt);
    }
}
