package dev.synack.tcp;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * TCP_CORK and MSG_MORE as Linux 6.18 runs them (net/ipv4/tcp.c: __tcp_sock_set_cork,
 * __tcp_sock_set_nodelay, tcp_push; tcp_output.c: tcp_nagle_test, tcp_nagle_check with
 * TCP_NAGLE_CORK, tcp_check_probe_timer, tcp_write_wakeup). Corked partial segments wait; full ones
 * go; un-corking or TCP_NODELAY pushes; MSG_MORE corks one call and leaves its end without PSH.
 * Measured on Linux 6.18 with packetdrill (nagle/sendmsg_msg_more.pkt, nagle/sockopt_cork_nodelay.pkt
 * and a script of our own: corked data with nothing in flight leaves with PSH after max(RTO, 200 ms),
 * the zero-window probe timer, and again after each ACK). The RTT is 100 ms (establishedClient).
 */
class CorkTest {
    static void write(TcpConnection c, int n) { c.send(new byte[n], 0, n); }

    static void writeMore(TcpConnection c, int n) { c.send(new byte[n], 0, n, TcpConnection.MSG_MORE); }

    static void cork(TcpConnection c, boolean on) {
        c.options.cork = on;
        c.nagleChanged(!on);
    }

    /** Corked small writes wait; un-corking sends them as one segment with PSH. */
    @Test
    void uncork_pushes() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> cork(c, true));
        t.at(200, () -> write(c, 40));
        t.at(250, () -> write(c, 40));
        t.expectNothing(259);
        t.at(260, () -> cork(c, false));
        t.expect(260, "P. 1:81(80) ack 1");
    }

    /** A full segment leaves while corked; the partial rest waits. */
    @Test
    void fullSegmentLeavesWhileCorked() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> cork(c, true));
        t.at(200, () -> write(c, 1500));
        t.expect(200, ". 1:1449(1448) ack 1");
        t.expectNothing(299);
    }

    /**
     * No cork time limit of its own: with nothing in flight the probe timer (max(RTO, 200 ms), here
     * 100 ms + 200 ms) sends the corked data with PSH (tcp_write_wakeup).
     */
    @Test
    void corkedDataLeavesOnTheProbeTimer() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> cork(c, true));
        t.at(200, () -> write(c, 40));
        t.expectNothing(499);
        t.expect(500, "P. 1:41(40) ack 1");
    }

    /** TCP_NODELAY while corked pushes (TCP_NAGLE_PUSH); the next write starts a new skb and is corked. */
    @Test
    void noDelayPushesCorkedData() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> cork(c, true));
        t.at(200, () -> write(c, 20));
        t.at(210, () -> {
            c.options.noDelay = true;
            c.nagleChanged(true);
        });
        t.expect(210, "P. 1:21(20) ack 1");
        t.inject(310, ". 1:1(0) ack 21 win 502 <nop,nop,TS val 1310 ecr 210>");
        t.at(310, () -> write(c, 20));
        t.expectNothing(359);
        t.at(360, () -> cork(c, false));
        t.expect(360, "P. 21:41(20) ack 1");
    }

    /**
     * MSG_MORE overrides TCP_NODELAY for its call and marks no PSH; full segments go, the rest waits
     * until an ACK pushes it with the socket's own setting (TCP_NODELAY), still without PSH. The two
     * full segments leave as one TSO packet, and a packet of two segments carries PSH all the same:
     * measured on Linux 6.18 (packetdrill, CUBIC, MSS 1000), send(3000, MSG_MORE) leaves as
     * `P. 1:2001(2000)` and send(2000, MSG_MORE) too, while send(1000, MSG_MORE) leaves as
     * `. 1:1001(1000)`.
     */
    @Test
    void msgMore_corksTheCallOnly() {
        var t = new TcpTester();
        var o = new SocketOptions();
        o.noDelay = true;
        var c = t.establishedClient(o);
        t.at(200, () -> writeMore(c, 3000));
        t.expect(200, ". 1:1449(1448) ack 1");
        t.expect(200, "P. 1449:2897(1448) ack 1");
        t.expectNothing(299);
        t.inject(300, ". 1:1(0) ack 1449 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.expect(300, ". 2897:3001(104) ack 1");
    }

    /** A write without MSG_MORE after MSG_MORE ones sends everything with PSH. */
    @Test
    void writeAfterMsgMore_flushes() {
        var t = new TcpTester();
        var o = new SocketOptions();
        o.noDelay = true;
        var c = t.establishedClient(o);
        t.at(200, () -> writeMore(c, 20));
        t.expectNothing(249);
        t.at(250, () -> write(c, 20));
        t.expect(250, "P. 1:41(40) ack 1");
    }

    /**
     * MSG_EOR: no segment crosses the record's end (the skb's eor bit), and the small segment that ends
     * it goes although more data follows (a non-last skb is not held by Nagle; the partial tail is,
     * Minshall's check seeing the small segment unacknowledged).
     */
    @Test
    void msgEor_endsTheSegment() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> {
            c.send(new byte[400], 0, 400, TcpConnection.MSG_EOR | TcpConnection.MSG_MORE);
            write(c, 2000);
        });
        t.expect(200, ". 1:401(400) ack 1");
        t.expect(200, ". 401:1849(1448) ack 1");
        t.expectNothing(299);
        t.inject(300, ". 1:1(0) ack 401 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.expect(300, "P. 1849:2401(552) ack 1");
    }

    /**
     * A write that adds to the unsent tail skb clears the PSH an earlier write put there
     * (tcp_sendmsg_locked: "if (!copied) TCP_SKB_CB(skb)->tcp_flags &= ~TCPHDR_PSH").
     */
    @Test
    void appendingToTheTailSkbClearsItsPsh() {
        var t = new TcpTester();
        var o = new SocketOptions();
        o.noDelay = true;
        var c = t.establishedClient(o);
        t.at(200, () -> cork(c, true));
        t.at(200, () -> write(c, 100));
        t.at(200, () -> write(c, 100));
        t.at(210, () -> cork(c, false));
        t.expect(210, "P. 1:201(200) ack 1");
        t.at(220, () -> cork(c, true));
        t.at(220, () -> write(c, 1000));
        t.at(220, () -> write(c, 1000));
        t.expect(220, ". 201:1649(1448) ack 1");
        t.at(230, () -> cork(c, false));
        t.expect(230, "P. 1649:2201(552) ack 1");
    }

    /**
     * TCP_NOTSENT_LOWAT (tcp_stream_memory_free): a write starts no new skb once the unsent bytes reach
     * the limit (one skb may pass it: bytes join the tail skb unchecked), and POLLOUT waits until twice
     * the unsent bytes are below it. Measured on Linux 6.18 by notsent_lowat/notsent-lowat-setsockopt.pkt.
     */
    @Test
    void notsentLowat_limitsWhatAWriteQueues() {
        var t = new TcpTester();
        var o = new SocketOptions();
        o.notsentLowat = 4000;
        var c = t.establishedClient(o);
        int[] took = new int[1];
        t.at(200, () -> took[0] = c.send(new byte[100_000], 0, 100_000));
        t.expectBurst(200, 0, 10, false); // cwnd 10, in TSO packets of two segments, each with PSH
        t.at(201, () -> {
            int unsent = took[0] - 10 * 1448; // cwnd 10 segments left, the rest waits
            org.junit.jupiter.api.Assertions.assertTrue(unsent >= 4000 && took[0] < 100_000, "took " + took[0]);
            org.junit.jupiter.api.Assertions.assertFalse(c.belowNotsentLowat());
            org.junit.jupiter.api.Assertions.assertFalse(c.writable());
        });
    }
}
