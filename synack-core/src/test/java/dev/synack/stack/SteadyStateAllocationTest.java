package dev.synack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.link.MemoryLink;
import dev.synack.stats.Counter;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.time.VirtualScheduler;
import dev.synack.wire.Ipv4;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * In steady state a bulk transfer allocates nothing per segment, and a request/response exchange
 * nothing per round trip: the send and receive paths, the retransmit queue, the timers and the
 * in-memory link reuse their storage. This is the property the
 * benchmark's "bytes allocated/segment" figure shows; here it is kept by a test (an allocation count
 * on this thread, not a time: deterministic, whatever the machine's speed). Any object made per
 * segment would cost at least 16 bytes a segment; the bound is 1.
 */
class SteadyStateAllocationTest {
    private static final int A = Ipv4.parse("198.18.0.1"), B = Ipv4.parse("198.18.0.2");

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final VirtualScheduler sched = new VirtualScheduler();
    private Stack a;
    private TcpConnection client, server;

    /** Two stacks joined by zero-delay in-memory links at {@code mtu}, and one connection between them. */
    private void connect(int mtu, boolean noDelay) throws ErrnoException {
        TcpConfig ca = new TcpConfig(), cb = new TcpConfig();
        for (TcpConfig c : new TcpConfig[] {ca, cb}) {
            c.tcpRmem = new int[] {4096, 4 << 20, 33554432};
            c.tcpWmem = new int[] {4096, 4 << 20, 33554432};
        }
        a = new Stack("a", sched, ca, 1);
        Stack b = new Stack("b", sched, cb, 2);
        a.addInterface("eth0", A, 24, mtu, new MemoryLink(sched, b, 0, 3));
        b.addInterface("eth0", B, 24, mtu, new MemoryLink(sched, a, 0, 4));
        SocketOptions o = new SocketOptions();
        o.noDelay = noDelay;
        TcpListener listener = b.listen(b.bind(0, 80, o), 16);
        client = a.connect(null, B, 80, o);
        while ((server = listener.accept()) == null) assertTrue(sched.runNext(Long.MAX_VALUE), "handshake");
    }

    @Test
    void bulkTransferAllocatesNothingPerSegment() throws ErrnoException {
        connect(1500, false);
        assertBulkAllocatesNothing(256L << 20, 64L << 20, 1448);
    }

    /** The same with 64 KB segments (the benchmark's second figure). */
    @Test
    void bulkTransferOf64KSegmentsAllocatesNothingPerSegment() throws ErrnoException {
        connect(65535, false);
        assertBulkAllocatesNothing(512L << 20, 256L << 20, 65483);
    }

    /**
     * A 1-byte request and its 1-byte response, over and over: each write starts a new skb, whose
     * start mark the send path kept for ever until marks SND.NXT had passed were dropped (31.5 bytes
     * allocated per round trip, the ring of marks doubling).
     */
    @Test
    void requestResponseAllocatesNothingPerRoundTrip() throws ErrnoException {
        connect(1500, true);
        byte[] one = new byte[1], sink = new byte[1];
        for (int i = 0; i < 50_000; i++) roundTrip(one, sink);
        int n = 100_000;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) roundTrip(one, sink);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < n, allocated + " bytes allocated for " + n + " round trips");
    }

    private void roundTrip(byte[] one, byte[] sink) {
        assertEquals(1, client.send(one, 0, 1));
        while (server.receive(sink, 0, 1) != 1) assertTrue(sched.runNext(Long.MAX_VALUE), "request");
        assertEquals(1, server.send(one, 0, 1));
        while (client.receive(sink, 0, 1) != 1) assertTrue(sched.runNext(Long.MAX_VALUE), "response");
    }

    private void assertBulkAllocatesNothing(long warm, long measured, int mss) {
        byte[] chunk = new byte[1 << 20], sink = new byte[1 << 20];
        assertEquals(warm, transfer(sched, client, server, chunk, sink, warm)); // buffers, queues and heaps at their size
        long segments0 = a.counters().get(Counter.TcpOutSegs);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        assertEquals(measured, transfer(sched, client, server, chunk, sink, measured));
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long segments = a.counters().get(Counter.TcpOutSegs) - segments0;
        assertTrue(segments > measured / mss, "segments of one MSS each: " + segments);
        assertTrue(allocated < segments, allocated + " bytes allocated for " + segments + " segments");
    }

    private static long transfer(VirtualScheduler sched, TcpConnection client, TcpConnection server, byte[] chunk, byte[] sink, long bytes) {
        long sent = 0, got = 0;
        while (got < bytes) {
            if (sent < bytes) {
                int n = client.send(chunk, 0, (int) Math.min(chunk.length, bytes - sent));
                if (n > 0) sent += n;
            }
            int r;
            while ((r = server.receive(sink, 0, sink.length)) > 0) got += r;
            if (!sched.runNext(Long.MAX_VALUE) && got < bytes && sent >= bytes && client.unacked() == 0) throw new IllegalStateException("stalled");
        }
        return got;
    }
}
