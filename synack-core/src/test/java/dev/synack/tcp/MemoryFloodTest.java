package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The figure behind docs/SECURITY.md's memory row: N connections to one listener whose peers each fill
 * the window with out-of-order data above a hole they never fill (60 segments of 1000 bytes, no
 * timestamps), the application reading nothing. What the host holds: tcp_memory_allocated (pages of
 * receive truesize) and the buffer storage the connections allocated (counted through the stack's
 * allocator). Bounded by N and the socket buffers alone with tcp_mem at this machine's default (2.2 GB),
 * flat at tcp_mem[2] with tcp_mem set to 64 128 256 pages (1 MB): past it a connection's out-of-order
 * data is refused (over the hard limit even sk_rmem_schedule's tcp_rmem[0] guarantee does not hold) and
 * dropped (TCPOFODrop). Measured here: 10, 20, 40 connections hold 170, 340, 680 pages and 1.27, 2.54,
 * 5.08 MB of buffer storage with the default; 170, 256, 256 pages and 1.27, 1.91, 1.91 MB bounded.
 * Deterministic: virtual time, no wall clock, no heap measurement.
 */
class MemoryFloodTest {
    record Figure(int connections, long pages, long storage, long ofoDrops) {}

    static Figure flood(int n, long[] tcpMem) {
        var t = new TcpTester(cfg -> {
            if (tcpMem != null) cfg.tcpMem = tcpMem;
            cfg.tcpTimestamps = 0;
        });
        long[] storage = {0};
        t.stack.setAllocator(size -> {
            storage[0] += size;
            return new byte[size];
        });
        TcpListener l = t.listen(new SocketOptions(), 128);
        List<TcpConnection> open = new ArrayList<>();
        long ms = 0;
        for (int k = 0; k < n; k++) {
            t.newPeer(40000 + k);
            t.inject(ms, "S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>");
            t.drain(ms);
            t.inject(ms, ". 1:1(0) ack 1 win 502");
            open.add(l.accept());
            for (int i = 1; i <= 60; i++) {
                t.inject(ms, ". " + (1 + 1000 * i) + ":" + (1001 + 1000 * i) + "(1000) ack 1 win 502");
                t.drain(ms);
            }
            ms++;
        }
        assertEquals(n, open.size());
        assertEquals(0, t.stack.counters().get(Counter.SynackInInternalErrors));
        return new Figure(n, t.stack.tcpMemory().allocatedPages(), storage[0], t.stack.counters().get(Counter.TcpExtTCPOFODrop));
    }

    @Test
    void outOfOrderFlood_heldMemoryGrowsWithN_unlessTcpMemBoundsIt() {
        List<Figure> dflt = new ArrayList<>(), bounded = new ArrayList<>();
        for (int n : new int[] {10, 20, 40}) {
            dflt.add(flood(n, null));
            bounded.add(flood(n, new long[] {64, 128, 256}));
        }
        System.out.println("out-of-order flood, default tcp_mem: " + dflt);
        System.out.println("out-of-order flood, tcp_mem 64 128 256: " + bounded);
        // Default: every segment is held (60 · 1104 bytes of truesize, 17 pages a connection).
        for (Figure f : dflt) {
            assertEquals(0, f.ofoDrops());
            assertEquals(17L * f.connections(), f.pages());
        }
        assertEquals(4 * dflt.getFirst().storage(), dflt.getLast().storage());
        // Bounded: never above tcp_mem[2] (over it even the tcp_rmem[0] guarantee is refused), and the
        // storage is flat from 20 to 40 connections (1908736 bytes, against 5079040 unbounded).
        for (Figure f : bounded) assertTrue(f.pages() <= 256, f.toString());
        assertEquals(bounded.get(1).storage(), bounded.getLast().storage());
        assertTrue(bounded.getLast().storage() < dflt.getLast().storage() / 2, bounded + " vs " + dflt);
    }
}
