package dev.synack.tcp;

import static dev.synack.testing.TcpTester.MSS;
import static dev.synack.testing.TcpTester.PEER_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.testing.TcpTester;
import dev.synack.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Receive buffer auto-tuning as Linux's dynamic right-sizing (tcp_rcv_space_adjust with the receiver RTT
 * from tcp_rcv_rtt_measure_ts): a reader that drains at once lets the buffer, and so the window, grow
 * round by round past what tcp_rmem[1] = 131072 allows (118784 bytes at scaling ratio 232/256, a
 * window of 116 in units of 1024); with SO_RCVBUF set (SOCK_RCVBUF_LOCK) it never does.
 *
 * <p>The peer (RTT 100 ms) sends each round, at 200 + 100·k ms, as much as our last window allows, in
 * full segments echoing our last TSval; the application reads every segment as it arrives.
 */
class ReceiveBufferTuningTest {
    /** Runs the rounds and returns the last window (unscaled units) advertised in each. */
    static List<Integer> rounds(SocketOptions o, int rounds) {
        var t = new TcpTester();
        var c = establishedServer(t, o);
        byte[] sink = new byte[1 << 20];
        long seq = 1;
        int window = 63; // 65160 >> 10, the window our SYN-ACK offered
        int ecr = 0;
        List<Integer> windows = new ArrayList<>();
        for (int k = 0; k < rounds; k++) {
            long ms = 200 + 100L * k;
            int bytes = window << 10;
            int segs = Math.max(1, bytes / MSS);
            List<TcpSegment> acks = new ArrayList<>(t.drain(ms));
            for (int i = 0; i < segs; i++, seq += MSS) {
                t.inject(ms, "P. " + seq + ":" + (seq + MSS) + "(" + MSS + ") ack 1 win 502 <nop,nop,TS val "
                        + (1000 + ms) + " ecr " + ecr + ">");
                int n = c.receive(sink, 0, sink.length);
                assertEquals(MSS, n);
                acks.addAll(t.drain(ms));
            }
            acks.addAll(t.drain(ms + 50));
            assertTrue(!acks.isEmpty(), "round " + k + " drew ACKs");
            TcpSegment last = acks.getLast();
            assertEquals(seq, Integer.toUnsignedLong(last.ack() - TcpTester.REMOTE_ISN), "all data ACKed");
            window = last.window();
            for (var opt : last.options()) {
                if (opt instanceof dev.synack.wire.TcpOption.Timestamps ts) ecr = ts.val();
            }
            windows.add(window);
        }
        return windows;
    }

    static TcpConnection establishedServer(TcpTester t, SocketOptions o) {
        TcpListener l = t.listen(o, 128);
        t.inject(0, PEER_SYN);
        assertEquals(1, t.drain(0).size()); // the SYN-ACK
        t.inject(100, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 0>");
        return l.accept();
    }

    @Test
    void fastReader_windowGrowsPastTheInitialBuffer() {
        List<Integer> w = rounds(new SocketOptions(), 6);
        // Round 0 has no receiver RTT yet (its segments echo TSval 0); from round 1 the reader's ~64 KB
        // per 100 ms against rcvq_space 14600 (TCP_INIT_CWND · advmss) grows the buffer to about 1.35 MB,
        // and each round the window follows rcv_ssthresh (tcp_grow_window) up to the clamp,
        // 65535 << 10 bounded by tcp_win_from_space(tcp_rmem[2]) = 16384 units.
        assertEquals(List.of(115, 343, 1033, 3115, 9394, 16384), w);
    }

    @Test
    void soRcvbufLocksTheBuffer() {
        var o = new SocketOptions();
        o.rcvBuf = 131072;
        assertEquals(List.of(115, 115, 115, 115, 115, 115), rounds(o, 6));
    }
}
