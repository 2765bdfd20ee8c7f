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
        // per 100 ms against rcvq_space 14600 (TCP_INIT_CWND · advmss) grows the buffer, the window clamp
        // follows it (tcp_rcv_space_adjust), and each round the window follows rcv_ssthresh
        // (tcp_grow_window, two advmss of 1448 per segment) at the aggregated segments' ratio (232/256:
        // TcpConfig.rxPerSegmentTruesize false), the clamp following the grown buffer. These values are
        // synack's model of those rules; the growth per round is not yet measured on Linux.
        assertEquals(List.of(115, 341, 1023, 3068, 9202, 27604), w);
    }

    @Test
    void soRcvbufLocksTheBuffer() {
        var o = new SocketOptions();
        o.rcvBuf = 131072;
        // SO_RCVBUF locks the buffer (SOCK_RCVBUF_LOCK): DRS never grows it, so every round ends on the
        // same window (synack's model of the rule; not yet measured on Linux). The lock also makes the
        // buffer's full space (65536) the window clamp the scale is chosen for (tcp_openreq_init_rwin,
        // tcp_select_initial_window): wscale 1, so the field is 58668 (117336 bytes).
        assertEquals(List.of(58668, 58668, 58668, 58668, 58668, 58668), rounds(o, 6));
    }

    /**
     * The window a receiver offers as the first segments arrive, one buffer per segment (a TUN device:
     * TcpConfig.rxPerSegmentTruesize), measured on Linux 6.18 over TUN with the data left unread (ss -tm
     * showed skmem r 1280, 3584, 5888, 10496): tcp_init_buffer_space clamps the window to the full space
     * less one segment (65536 − 1448: 63); a 200-byte segment (below rcv_mss) and a 1000-byte one (ratio
     * 1000/2304 of truesize, clamp below the window already offered) leave it at 63; the first
     * 1448-byte segment (ratio 1448/2304 = 160/256) lifts the clamp and tcp_grow_window adds two segments
     * of rcv_ssthresh each time: 66, then 69 and 72.
     */
    @Test
    void perSegmentTruesize_firstWindowsAsLinuxOverTun() {
        var t = new TcpTester(cfg -> cfg.rxPerSegmentTruesize = true);
        t.establishedClient();
        t.inject(200, "P. 1:201(200) ack 1 win 64 <nop,nop,TS val 1200 ecr 100>");
        t.expect(200, ". 1:1(0) ack 201 win 63 <nop,nop,TS val 200 ecr 1200>");
        t.inject(500, "P. 201:1201(1000) ack 1 win 64 <nop,nop,TS val 1500 ecr 200>");
        t.expect(500, ". 1:1(0) ack 1201 win 63 <nop,nop,TS val 500 ecr 1500>");
        t.inject(800, "P. 1201:2649(1448) ack 1 win 64 <nop,nop,TS val 1800 ecr 500>");
        t.expect(800, ". 1:1(0) ack 2649 win 66 <nop,nop,TS val 800 ecr 1800>");
        t.inject(1100, ". 2649:4097(1448) ack 1 win 64 <nop,nop,TS val 2100 ecr 800>");
        t.expect(1100, ". 1:1(0) ack 4097 win 69 <nop,nop,TS val 1100 ecr 2100>");
        t.inject(1100, "P. 4097:5545(1448) ack 1 win 64 <nop,nop,TS val 2100 ecr 800>");
        t.expect(1100, ". 1:1(0) ack 5545 win 72 <nop,nop,TS val 1100 ecr 2100>");
    }
}
