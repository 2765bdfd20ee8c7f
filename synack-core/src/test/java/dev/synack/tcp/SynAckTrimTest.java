package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import dev.synack.wire.TcpSegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SYN-ACK retries under load (reqsk_timer_handler, net/ipv4/inet_connection_sock.c): while the SYN
 * queue is more than half full (qlen · 2 &gt; max(8, backlog)), a request that times out gets fewer
 * retries the fewer young (never retransmitted) requests there are, down to 2.
 *
 * <p>Measured on Linux 6.18.44: a listener (backlog 8, tcp_syncookies 0) in one network namespace, SYNs
 * from six spoofed ports of another, never answered, SYN-ACKs captured with tshark. All six are resent
 * at 1.03 and 3.04 s (the queue is over half full, but a second timeout is below the trimmed limit of
 * 2); at 7.14 s two of them expire — which drops the queue to four, no longer over half full — and the
 * other four are resent at 7.14, 15.33 and 31.46 s (the full schedule). With four SYNs (not over half)
 * all get the full schedule: 1.00, 3.02, 7.18, 15.37, 31.50 s. (A raw socket in the second namespace
 * sends the SYNs from 10.9.0.2, an address nobody owns there, with a static neighbour entry on the
 * listener's side so its SYN-ACKs go out; 40 s captured.) Linux fires the timers of one timer-wheel bucket last
 * armed first, so its two that expire are the last two SYNs; synack fires ties in arming order, so
 * here they are the first two: the same segments at the same times, to other ports.
 */
class SynAckTrimTest {
    private static long sentAt(List<TcpSegment> got, int port) {
        return got.stream().filter(s -> s.dstPort() == port).count();
    }

    private static int[] run(int syns, long... times) {
        var t = new TcpTester(cfg -> {
            cfg.tcpSyncookies = 0;
            cfg.tcpTimestamps = 0;
        });
        TcpListener l = t.listen(new SocketOptions(), 8);
        for (int i = 0; i < syns; i++) {
            t.newPeer(20_000 + i);
            t.inject(0, "S 0:0(0) win 65535 <mss 1460>");
            t.expect(0, "S. 0:0(0) ack 1 win 64240 <mss 1460>");
        }
        int[] perPort = new int[syns];
        long before = 0;
        for (long at : times) {
            assertEquals(List.of(), t.drain(at - 1), "before " + at); // nothing in between
            List<TcpSegment> got = t.drain(at);
            for (int i = 0; i < syns; i++) perPort[i] += (int) sentAt(got, 20_000 + i);
            before = at;
        }
        assertEquals(List.of(), t.drain(before + 100_000));
        assertEquals(0, l.synQueueLength());
        return perPort;
    }

    @Test
    void queueOverHalfFull_oldRequestsGetTwoRetries_untilItIsNoLonger() {
        int[] resent = run(6, 1000, 3000, 7000, 15000, 31000);
        // Two expire at 7 s after two retries; the four left (queue no longer over half full) get all five.
        assertEquals(List.of(2, 2, 5, 5, 5, 5), java.util.Arrays.stream(resent).boxed().toList());
    }

    @Test
    void queueHalfFullOrLess_everyRequestGetsTheFullSchedule() {
        int[] resent = run(4, 1000, 3000, 7000, 15000, 31000);
        assertEquals(List.of(5, 5, 5, 5), java.util.Arrays.stream(resent).boxed().toList());
    }
}
