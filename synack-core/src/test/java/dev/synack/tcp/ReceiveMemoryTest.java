package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * The receive queues' memory (tcp_try_rmem_schedule, tcp_prune_queue, tcp_collapse_ofo_queue,
 * tcp_prune_ofo_queue, tcp_clamp_window in net/ipv4/tcp_input.c): each held segment charges its
 * truesize to sk_rmem_alloc; a segment that would take it past sk_rcvbuf (tcp_can_ingest: rmem + len)
 * makes room by collapsing runs, then by dropping out-of-order data from the top — or is dropped.
 *
 * <p>Every figure here was measured on Linux 6.18.44 with packetdrill in a fresh network namespace
 * (TUN, so one buffer per segment: {@link TcpConfig#rxPerSegmentTruesize}), a listener with SO_RCVBUF
 * 8192 (sk_rcvbuf 16384), the peer's MSS 1000 and no timestamps, reading {@code ss -tmi} (skmem r,
 * rcv_ssthresh) and {@code nstat -az} after each segment. The scripts: 100-byte segments at 201, 401,
 * ..., 4001 (twenty, holes between), then 4201 and 4401, then one below ({@code 331:371}), 4401 again
 * and the hole 1:201; or the twenty, then the in-order 1:101 and 101:201; or fifty contiguous ones
 * from 101; or fourteen in-order 500-byte segments 300 ms apart, then 7101:7201 and 7001:7101.
 */
class ReceiveMemoryTest {
    final TcpTester t = new TcpTester(cfg -> {
        cfg.rxPerSegmentTruesize = true;
        cfg.tcpTimestamps = 0;
    });
    TcpConnection c;

    /** The handshake as Linux answered it: a locked 16384-byte buffer, so wscale 0 and window 7300. */
    TcpConnection server() {
        var o = new SocketOptions();
        o.rcvBuf = 16384;
        TcpListener l = t.listen(o, 1);
        t.inject(0, "S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>");
        t.expect(0, "S. 0:0(0) ack 1 win 7300 <mss 1460,nop,nop,sackOK,nop,wscale 0>");
        t.inject(100, ". 1:1(0) ack 1 win 320");
        c = l.accept();
        return c;
    }

    private long count(Counter k) { return t.stack.counters().get(k); }

    /** Twenty 100-byte segments with a hole before each: 832 bytes of truesize each, r16640 (measured). */
    private void twentyWithHoles() {
        server();
        for (int i = 1; i <= 20; i++) {
            int s = 200 * i + 1;
            t.inject(100 + 10 * i, ". " + s + ":" + (s + 100) + "(100) ack 1 win 320");
            String blocks = "";
            for (int k = i; k >= Math.max(1, i - 3); k--) blocks += (k == i ? "" : " ") + (200 * k + 1) + ":" + (200 * k + 101);
            t.expect(100 + 10 * i, ". 1:1(0) ack 1 win 7300 <nop,nop,sack " + blocks + ">");
        }
        assertEquals(16640, c.rmem.rmemAlloc());
        assertEquals(6732, c.t.rcvSsthresh);
    }

    @Test
    void outOfOrderAboveTheRest_overTheBuffer_isDroppedWithoutAnAck() {
        twentyWithHoles();
        // 16640 + 100 > 16384: tcp_prune_queue clamps rcv_ssthresh to 2 · advmss, has nothing to collapse
        // (single small buffers) and may not prune for a segment that would land last: RcvPruned, dropped
        // (TCPOFODrop, SKB_DROP_REASON_PROTO_MEM), no ACK — measured: nothing sent, skmem d1.
        t.inject(320, ". 4201:4301(100) ack 1 win 320");
        t.expectDrop(TcpDropReason.PROTO_MEM);
        t.inject(340, ". 4401:4501(100) ack 1 win 320");
        t.expectDrop(TcpDropReason.PROTO_MEM);
        t.expectNothing(350);
        assertEquals(2920, c.t.rcvSsthresh);
        assertEquals(2, count(Counter.TcpExtPruneCalled));
        assertEquals(2, count(Counter.TcpExtRcvPruned));
        assertEquals(2, count(Counter.TcpExtTCPOFODrop));
        assertEquals(0, count(Counter.TcpExtOfoPruned));

        // A segment below the top prunes from the highest sequence down until an eighth of sk_rcvbuf
        // (2048) is freed: 4001, 3801 and 3601 go (16640 → 14144, then + 832). The SACK state is reset
        // (tcp_sack_reset), so its ACK reports only its own block; the pruned data is never SACKed.
        t.inject(360, ". 331:371(40) ack 1 win 320");
        t.expect(360, ". 1:1(0) ack 1 win 7300 <nop,nop,sack 331:371>");
        assertEquals(14976, c.rmem.rmemAlloc());
        assertEquals(3, count(Counter.TcpExtPruneCalled));
        assertEquals(2, count(Counter.TcpExtRcvPruned));
        assertEquals(1, count(Counter.TcpExtOfoPruned));

        // Now there is room for 4401 again; the hole fills up to 301 (201:301 joins); the older ranges
        // still held (401 ... 3401) are not reported.
        t.inject(370, ". 4401:4501(100) ack 1 win 320");
        t.expect(370, ". 1:1(0) ack 1 win 7300 <nop,nop,sack 4401:4501 331:371>");
        t.inject(380, ". 1:201(200) ack 1 win 320");
        t.expect(380, ". 1:1(0) ack 301 win 7000 <nop,nop,sack 4401:4501 331:371>");
    }

    @Test
    void inOrderData_prunesOutOfOrderDataFromTheTop() {
        twentyWithHoles();
        // In order with out-of-order data queued (the slow path): tcp_try_rmem_schedule prunes the three
        // highest segments (skmem d3, r14976 after queueing) and takes it; the ACK carries no SACK block.
        t.inject(320, ". 1:101(100) ack 1 win 320");
        t.expect(320, ". 1:1(0) ack 101 win 7200");
        assertEquals(14976, c.rmem.rmemAlloc());
        assertEquals(1, count(Counter.TcpExtPruneCalled));
        assertEquals(1, count(Counter.TcpExtOfoPruned));
        assertEquals(0, count(Counter.TcpExtRcvPruned));
        t.inject(340, ". 101:201(100) ack 1 win 320");
        t.expect(340, ". 1:1(0) ack 301 win 7000");
        assertEquals(15808, c.rmem.rmemAlloc());
    }

    @Test
    void contiguousOutOfOrderRun_isCollapsed_andLaterSegmentsFillItsRoom() {
        server();
        long[] rmem = new long[51];
        int[] ssthresh = new int[51];
        for (int i = 1; i <= 50; i++) {
            int s = 100 * i + 1;
            t.inject(100 + 10 * i, ". " + s + ":" + (s + 100) + "(100) ack 1 win 320");
            t.expect(100 + 10 * i, ". 1:1(0) ack 1 win 7300 <nop,nop,sack 101:" + (s + 100) + ">");
            rmem[i] = c.rmem.rmemAlloc();
            ssthresh[i] = c.t.rcvSsthresh;
        }
        // Measured: r16640 after 20; the 21st collapses the twenty into one 4352-byte buffer
        // (TCPRcvCollapsed 20) whose room takes it and the next 16 (3776 bytes of payload in all); from
        // the 38th each costs 832 again: 5184 ... 15168. rcv_ssthresh, clamped to 2920, grows by 200 a
        // segment (3120 after the 21st) up to tcp_space = (16384 − 4352) / 2 = 6016.
        assertEquals(16640, rmem[20]);
        assertEquals(4352, rmem[21]);
        assertEquals(4352, rmem[37]);
        assertEquals(5184, rmem[38]);
        assertEquals(15168, rmem[50]);
        assertEquals(3120, ssthresh[21]);
        assertEquals(6016, ssthresh[36]);
        assertEquals(6016, ssthresh[50]);
        assertEquals(1, count(Counter.TcpExtPruneCalled));
        assertEquals(20, count(Counter.TcpExtTCPRcvCollapsed));
        assertEquals(0, count(Counter.TcpExtTCPOFODrop));
    }

    @Test
    void receiveQueueOverTheBuffer_isCollapsed_andLaterSegmentsFillItsTail() {
        server();
        // Fourteen in-order 500-byte segments nobody reads (1280 bytes of truesize each, below rcv_mss:
        // the scaling ratio stays ½): the fast path takes them all, r17920 past rb16384. ACK windows as
        // measured: 6800, 6432, 5932, ..., 432.
        int[] wins = {6800, 6432, 5932, 5432, 4932, 4432, 3932, 3432, 2932, 2432, 1932, 1432, 932, 432};
        for (int i = 1; i <= 14; i++) {
            int s = (i - 1) * 500 + 1;
            t.inject(100 + 300 * i, "P. " + s + ":" + (s + 500) + "(500) ack 1 win 320");
            assertEquals(java.util.List.of(". 1:1(0) ack " + (s + 500) + " win " + wins[i - 1]), t.drainText(100 + 300 * i + 299));
        }
        assertEquals(17920, c.rmem.rmemAlloc());
        // An out-of-order segment: over sk_rcvbuf, so tcp_prune_queue collapses the receive queue (14
        // buffers into two: 3776 + 3224 bytes, 8704) and it fits; rcv_ssthresh, clamped to 2920, grows
        // to (16384 − 8704) / 2 = 3840 before the segment is charged (r9536).
        t.inject(4600, ". 7101:7201(100) ack 1 win 320");
        t.expect(4600, ". 1:1(0) ack 7001 win 3216 <nop,nop,sack 7101:7201>");
        assertEquals(9536, c.rmem.rmemAlloc());
        assertEquals(3840, c.t.rcvSsthresh);
        assertEquals(1, count(Counter.TcpExtPruneCalled));
        assertEquals(14, count(Counter.TcpExtTCPRcvCollapsed));
        // The hole filled: both segments are copied into the collapsed tail's room (tcp_try_coalesce),
        // their buffers freed: r8704 (measured).
        t.inject(4700, ". 7001:7101(100) ack 1 win 320");
        t.expect(4700, ". 1:1(0) ack 7201 win 3800");
        assertEquals(8704, c.rmem.rmemAlloc());
    }
}
