package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * TCP's memory across the host: tcp_mem's pressure and hard limits (__sk_mem_raise_allocated in
 * net/core/sock.c, tcp_enter_memory_pressure, tcp_try_rmem_schedule's prune loop) and
 * tcp_max_orphans (tcp_check_oom in __tcp_close). Read from source, not measured: both sysctls are
 * host-wide on Linux, not per network namespace, so a measurement would disturb the machine.
 */
class TcpMemoryTest {
    private static long count(TcpTester t, Counter k) { return t.stack.counters().get(k); }

    private static String ofo(int i) {
        return "P. " + (1 + 1000 * i) + ":" + (1001 + 1000 * i) + "(1000) ack 1 win 502 <nop,nop,TS val " + (1000 + i) + " ecr 100>";
    }

    @Test
    void overTheHardLimit_outOfOrderDataIsDropped_andInOrderDataPrunesIt() {
        // tcp_mem 1 2 3 pages; each 1000-byte segment (aggregated receive: 1104 bytes of truesize).
        var t = new TcpTester(cfg -> cfg.tcpMem = new long[] {1, 2, 3});
        var c = t.establishedClient();
        TcpMemory mem = t.stack.tcpMemory();
        for (int i = 1; i <= 7; i++) {
            t.inject(200 + i, ofo(i));
            assertEquals(". 1:1(0) ack 1", t.drainText(200 + i).getFirst().substring(0, 14));
        }
        // 7 · 1104 = 7728 bytes: 2 pages, above tcp_mem[0] (no pressure yet below tcp_mem[1]).
        assertEquals(2, mem.allocatedPages());
        assertFalse(mem.underPressure());
        // The 8th needs a 3rd page: above tcp_mem[1] (pressure, counted once); within tcp_mem[2], but this
        // socket holds more than tcp_rmem[0] and more than its fair share (3 pages for 1 socket is not
        // under tcp_mem[2] = 3): refused. tcp_prune_queue finds the buffer itself fine; nothing to prune
        // below a segment that lands last: TCPOFODrop, no ACK.
        t.inject(208, ofo(8));
        t.expectDrop(TcpDropReason.PROTO_MEM);
        t.expectNothing(210);
        assertTrue(mem.underPressure());
        assertEquals(1, count(t, Counter.TcpExtTCPMemoryPressures));
        assertEquals(1, count(t, Counter.TcpExtTCPOFODrop));
        assertEquals(1, count(t, Counter.TcpExtPruneCalled));
        assertEquals(0, count(t, Counter.TcpExtRcvPruned));

        // In-order data: still refused while out-of-order data holds the pages, so that is pruned from the
        // top, an eighth of sk_rcvbuf (16384) at a time — all seven — until the charge fits; pressure
        // ends below tcp_mem[0]; the ACK reports no SACK block (tcp_sack_reset).
        t.inject(220, "P. 1:1001(1000) ack 1 win 502 <nop,nop,TS val 1020 ecr 100>");
        assertEquals(". 1:1(0) ack 1001", t.drainText(220).getFirst().substring(0, 17));
        assertEquals(1, count(t, Counter.TcpExtTCPOFODrop));
        assertEquals(1, count(t, Counter.TcpExtOfoPruned));
        assertEquals(1000, c.readable());
        assertEquals(1, mem.allocatedPages());
        assertFalse(mem.underPressure());

        // Reading gives the page back.
        c.receive(new byte[1000], 0, 1000);
        assertEquals(0, mem.allocatedPages());
    }

    @Test
    void underPressure_theWindowIsHeldToFourSegments() {
        // tcp_mem 0 0 huge: any charge is above the pressure limit, none above the hard one.
        var t = new TcpTester(cfg -> cfg.tcpMem = new long[] {0, 0, 1L << 40});
        var c = t.establishedClient();
        int advmss = 1448;
        for (int i = 0; i < 40; i++) {
            t.inject(200 + i, ofo(i));
            t.drain(200 + i);
        }
        assertTrue(t.stack.tcpMemory().underPressure());
        // tcp_adjust_rcv_ssthresh (from __tcp_select_window once less than half the buffer is free).
        assertTrue(c.t.rcvSsthresh <= 4 * advmss, "rcv_ssthresh " + c.t.rcvSsthresh);
        assertEquals(1, count(t, Counter.TcpExtTCPMemoryPressures));
    }

    @Test
    void closeWithTooManyOrphans_resetsTheConnection() {
        // tcp_max_orphans 0: the socket being closed is one orphan too many ("too many orphaned sockets").
        var t = new TcpTester(cfg -> cfg.tcpMaxOrphans = 0);
        var c = t.establishedClient();
        c.close();
        // __tcp_close sends the FIN (tcp_send_fin) before it checks, then resets.
        t.expect(100, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        t.expect(100, "R. 2:2(0) ack 1 win 63");
        t.expectReason(SendReason.RST_ABORT_ON_MEMORY);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(1, count(t, Counter.TcpExtTCPAbortOnMemory));
        assertEquals(0, t.stack.tcpMemory().orphans());
    }

    @Test
    void closeWithinTheOrphanLimit_sendsItsFin_andCountsTheOrphanUntilItIsGone() {
        var t = new TcpTester(cfg -> cfg.tcpMaxOrphans = 1);
        var c = t.establishedClient();
        c.close();
        t.expect(100, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        assertEquals(1, t.stack.tcpMemory().orphans());
        t.inject(150, "F. 1:1(0) ack 2 win 502 <nop,nop,TS val 1050 ecr 100>");
        t.expect(150, ". 2:2(0) ack 2 win 63 <nop,nop,TS val 150 ecr 1050>");
        assertEquals(TcpState.TIME_WAIT, c.state());
        assertEquals(0, t.stack.tcpMemory().orphans());
        assertEquals(0, count(t, Counter.TcpExtTCPAbortOnMemory));
    }

    @Test
    void sendQueueOverTheHardLimit_theWriterWaitsForAcks() {
        // tcp_mem 1 2 3 pages. The first chunk of a write to an empty queue is forced (tcp_stream_alloc_skb's
        // sk_forced_mem_schedule): 31856 bytes (the size goal: half the peer's 65535) in 8 pages, over
        // tcp_mem[2]; the next chunk is refused (sk_wmem_schedule), so the write takes no more.
        var t = new TcpTester(cfg -> cfg.tcpMem = new long[] {1, 2, 3});
        var c = t.establishedClient();
        TcpMemory mem = t.stack.tcpMemory();
        t.at(100, () -> assertEquals(31856, c.send(new byte[40000], 0, 40000)));
        assertEquals(8, mem.allocatedPages());
        assertTrue(mem.underPressure());
        t.drain(100);
        // The first flight (ten segments) acknowledged: three pages go back (sk_mem_reclaim)...
        t.inject(150, ". 1:1(0) ack 14481 win 2000 <nop,nop,TS val 1050 ecr 100>");
        t.drain(150);
        assertEquals(5, mem.allocatedPages());
        // ...and everything: the pages go back, pressure ends below tcp_mem[0], the writer may go on.
        t.inject(200, ". 1:1(0) ack 31857 win 2000 <nop,nop,TS val 1100 ecr 150>");
        t.drain(200);
        assertEquals(0, mem.allocatedPages());
        assertFalse(mem.underPressure());
        t.at(210, () -> assertEquals(8144, c.send(new byte[8144], 0, 8144)));
    }

    @Test
    void orphanTimerWithTooManyOrphans_resetsTheConnection() {
        // Closed within the limit (one orphan, tcp_max_orphans 1): the FIN goes. The limit is then lowered
        // to 0; when the unanswered FIN's RTO fires, tcp_write_timeout's tcp_out_of_resources finds one
        // orphan too many and, the FIN being recent, resets the connection.
        var t = new TcpTester(cfg -> cfg.tcpMaxOrphans = 1);
        var c = t.establishedClient();
        c.close();
        t.expect(100, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        t.config.tcpMaxOrphans = 0;
        java.util.List<String> out = new java.util.ArrayList<>();
        for (long ms = 110; ms <= 2000 && c.state() != TcpState.CLOSE; ms += 10) out.addAll(t.drainText(ms));
        // The tail loss probe at 400 ms resends the FIN (tcp_send_loss_probe does not check); the RTO at
        // 700 ms finds the orphan one too many.
        assertEquals(java.util.List.of("F. 1:1(0) ack 1 win 63 <nop,nop,TS val 400 ecr 1000>",
                "R. 2:2(0) ack 1 win 63 <nop,nop,TS val 700 ecr 1000>"), out);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(1, count(t, Counter.TcpExtTCPAbortOnMemory));
        assertEquals(0, t.stack.tcpMemory().orphans());
    }
}
