package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * The send buffer as Linux sizes and fills it: tcp_init_buffer_space → tcp_sndbuf_expand at
 * establishment (net/ipv4/tcp_input.c) unless SO_SNDBUF locked it; tcp_sendmsg_locked appending to the
 * tail skb up to tcp_xmit_size_goal and starting a new skb only below sk_sndbuf (sk_stream_memory_free);
 * writers woken by sk_stream_write_space only when the free space is at least half of what is queued
 * (__sk_stream_is_writeable); tcp_check_space → tcp_new_space growing the buffer when an ACK arrives
 * for a writer that ran out of room and the congestion window is not full.
 */
class SendBufferTest {
    /** tcp_sndbuf_expand: 2 × max(cwnd, TCP_INIT_CWND) × (roundup_pow_of_two(1460 + 320 + 320) + 256) = 87040. */
    @Test
    void establishment_expandsSndbufTo87040() {
        var t = new TcpTester();
        var c = t.establishedClient();
        assertEquals(87040, c.sendBufferCapacity());
    }

    /** SOCK_SNDBUF_LOCK: a buffer the application sized is never expanded. */
    @Test
    void soSndbuf_locksTheSize() {
        var t = new TcpTester();
        var o = new SocketOptions();
        o.sndBuf = 8192;
        var c = t.establishedClient(o);
        assertEquals(8192, c.sendBufferCapacity());
    }

    /** The connection of packetdrill's blocking/blocking-write.pkt: peer MSS 1000, window 50000, no options. */
    private static TcpConnection server(TcpTester t) {
        TcpListener l = t.listen();
        t.inject(0, "S 0:0(0) win 50000 <mss 1000,nop,wscale 0>");
        t.expect(0, "S. 0:0(0) ack 1 win 64240 <mss 1460,nop,wscale 10>");
        t.inject(100, ". 1:1(0) ack 1 win 50000");
        return l.accept();
    }

    /**
     * The host sends segments {@code from} to {@code to − 1} of 1000 bytes (the peer's MSS) at {@code ms},
     * in TSO packets of two segments, each with PSH on its last (Linux 6.18 at a 100 ms RTT:
     * tcp_tso_autosize's tcp_min_tso_segs floor; see {@link TcpTester#expectBurst}), the last segment
     * with PSH too (the end of a PSH skb).
     */
    private static void expectSegments(TcpTester t, long ms, int from, int to) {
        for (int i = from; i < to; i++) t.expect(ms, ((i - from) % 2 == 1 || i == to - 1 ? "P." : ".") + " " + (1 + 1000 * i) + ":" + (1001 + 1000 * i) + "(1000) ack 1 win 63");
    }

    /**
     * SO_SNDBUF 21000 → sk_sndbuf 42000. A 61000-byte write: the first 25000-byte skb (size goal = half
     * the peer's 50000 window) is pushed at once (10 segments, the initial cwnd), its unsent 15000 are
     * topped up to 25000 and one more skb is started below sk_sndbuf: 60000 bytes taken, past sk_sndbuf
     * by most of an skb. The ACK of 30001 leaves 30000 queued (free 12000 < 15000): still not writable;
     * the ACK of 36001 leaves 25000 (free 17000 ≥ 12500): writable.
     */
    @Test
    void writeOverfillsByOneSkb_writableOnlyWhenFreeIsHalfTheQueue() {
        var t = new TcpTester();
        var c = server(t);
        c.options.sndBuf = 42000;
        c.optionsChanged();
        t.at(100, () -> assertEquals(60000, c.send(new byte[61000], 0, 61000)));
        expectSegments(t, 100, 0, 10);
        assertFalse(c.writable());
        t.inject(200, ". 1:1(0) ack 10001 win 50000");
        expectSegments(t, 200, 10, 30);
        assertFalse(c.writable());
        t.inject(300, ". 1:1(0) ack 30001 win 50000");
        // The skb 10001:35001 (the first one's unsent rest, filled to the size goal 25000) filled past
        // half the peer's window since the last PSH: forced_push marked it; packets do not cross it.
        expectSegments(t, 300, 30, 35);
        expectSegments(t, 300, 35, 60);
        assertFalse(c.writable());
        t.inject(400, ". 1:1(0) ack 36001 win 50000");
        assertTrue(c.writable());
        assertEquals(42000, c.sendBufferCapacity());
    }

    /**
     * tcp_new_space: after the writer ran out of room, an ACK that leaves the congestion window not full
     * (all queued data in flight) expands the buffer: per_mss for MSS 1000 is
     * roundup_pow_of_two(1000 + 640) + 256 = 2304, so 46080 at establishment (cwnd 10) and
     * 2 × 40 × 2304 = 184320 once cwnd is 40 with 30 segments in flight; while the window is full (cwnd
     * 20, 20 in flight) it stays.
     */
    @Test
    void ackAfterNoSpace_notCwndLimited_expands() {
        var t = new TcpTester();
        var c = server(t);
        assertEquals(46080, c.sendBufferCapacity());
        t.at(100, () -> assertEquals(60000, c.send(new byte[200000], 0, 200000)));
        expectSegments(t, 100, 0, 10);
        t.inject(200, ". 1:1(0) ack 10001 win 50000");
        expectSegments(t, 200, 10, 30);
        assertEquals(46080, c.sendBufferCapacity());
        t.inject(300, ". 1:1(0) ack 30001 win 50000");
        // The skb 10001:35001 (the first one's unsent rest, filled to the size goal 25000) filled past
        // half the peer's window since the last PSH: forced_push marked it; packets do not cross it.
        expectSegments(t, 300, 30, 35);
        expectSegments(t, 300, 35, 60);
        assertEquals(184320, c.sendBufferCapacity());
        assertTrue(c.writable());
    }
}
