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
 * A bulk transfer in steady state allocates nothing per segment: the send and receive paths, the
 * retransmit queue, the timers and the in-memory link reuse their storage. This is the property the
 * benchmark's "bytes allocated/segment" figure shows; here it is kept by a test (an allocation count
 * on this thread, not a time: deterministic, whatever the machine's speed). Any object made per
 * segment would cost at least 16 bytes a segment; the bound is 1.
 */
class SteadyStateAllocationTest {
    private static final int A = Ipv4.parse("198.18.0.1"), B = Ipv4.parse("198.18.0.2");

    @Test
    void bulkTransferAllocatesNothingPerSegment() throws ErrnoException {
        var sched = new VirtualScheduler();
        TcpConfig ca = new TcpConfig(), cb = new TcpConfig();
        for (TcpConfig c : new TcpConfig[] {ca, cb}) {
            c.tcpRmem = new int[] {4096, 4 << 20, 33554432};
            c.tcpWmem = new int[] {4096, 4 << 20, 33554432};
        }
        Stack a = new Stack("a", sched, ca, 1), b = new Stack("b", sched, cb, 2);
        a.addInterface("eth0", A, 24, 1500, new MemoryLink(sched, b, 0, 3));
        b.addInterface("eth0", B, 24, 1500, new MemoryLink(sched, a, 0, 4));
        SocketOptions o = new SocketOptions();
        TcpListener listener = b.listen(b.bind(0, 80, o), 16);
        TcpConnection client = a.connect(null, B, 80, o), server;
        while ((server = listener.accept()) == null) assertTrue(sched.runNext(Long.MAX_VALUE), "handshake");

        byte[] chunk = new byte[1 << 20], sink = new byte[1 << 20];
        long warm = 256L << 20, measured = 64L << 20;
        assertEquals(warm, transfer(sched, client, server, chunk, sink, warm)); // buffers, queues and heaps at their size
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long segments0 = a.counters().get(Counter.TcpOutSegs);
        long before = threads.getCurrentThreadAllocatedBytes();
        assertEquals(measured, transfer(sched, client, server, chunk, sink, measured));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        long segments = a.counters().get(Counter.TcpOutSegs) - segments0;
        assertTrue(segments > measured / 1448, "segments of one MSS each: " + segments);
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
