package dev.synack.tcp;

import static dev.synack.testing.TcpTester.PEER_SYN_ACK;
import static dev.synack.testing.TcpTester.SYN;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * How Linux 6.18 cuts what it sends into TSO packets and where it puts PSH (tcp_write_xmit with
 * tcp_tso_segs → tcp_tso_autosize, tcp_cwnd_test, tcp_mss_split_point and tso_fragment in
 * net/ipv4/tcp_output.c; tcp_update_pacing_rate in net/ipv4/tcp_input.c), measured with the real
 * packetdrill against the kernel, client side, the socket on CUBIC (setsockopt TCP_CONGESTION: a
 * namespace's default here is bbr), peer window 65535 with wscale 7, MSS 1448 with timestamps.
 * synack sends MSS-sized segments; a packet shows as its segments, PSH on the last one's (as GSO cuts
 * it).
 */
class TsoPacketTest {
    /** A client whose handshake took {@code rttMs}; the time is then {@code rttMs}. */
    private static TcpConnection client(TcpTester t, long rttMs) {
        TcpConnection c = t.connect();
        t.expect(0, SYN);
        t.inject(rttMs, PEER_SYN_ACK);
        t.drain(rttMs);
        return c;
    }

    private static void write(TcpTester t, TcpConnection c, long ms, int n) {
        t.at(ms, () -> c.send(new byte[n], 0, n));
    }

    /**
     * tcp_tso_autosize at 20 ms: the pacing rate (1448 × 10 / 20 ms × 200 %, about 1.4 MB/s) gives
     * 1414 bytes per ms, less than a segment, so tcp_min_tso_segs (2) decides; every packet of two
     * segments carries PSH, and so does the write's last segment. Measured: write(4000) leaves as
     * `P. 1:2897(2896)` then `P. 2897:4001(1104)`.
     */
    @Test
    void twentyMs_write4000_packetsOfTwoSegments() {
        var t = new TcpTester();
        var c = client(t, 20);
        write(t, c, 20, 4000);
        t.expect(20, ". 1:1449(1448) ack 1");
        t.expect(20, "P. 1449:2897(1448) ack 1");
        t.expect(20, "P. 2897:4001(1104) ack 1");
        t.expectNothing(39);
    }

    /** Measured: write(8000) leaves as `P.` 2896, `P.` 2896, `P.` 2208 (1448 + 760). */
    @Test
    void twentyMs_write8000_threePackets() {
        var t = new TcpTester();
        var c = client(t, 20);
        write(t, c, 20, 8000);
        t.expect(20, ". 1:1449(1448) ack 1");
        t.expect(20, "P. 1449:2897(1448) ack 1");
        t.expect(20, ". 2897:4345(1448) ack 1");
        t.expect(20, "P. 4345:5793(1448) ack 1");
        t.expect(20, ". 5793:7241(1448) ack 1");
        t.expect(20, "P. 7241:8001(760) ack 1");
        t.expectNothing(39);
    }

    /**
     * The packets are cut when sent, not when written: write(40000) goes as five `P.` packets of 2896
     * (cwnd 10); after tcp_min_tso_segs was raised to 10 and an ACK of all ten segments (cwnd 20,
     * tcp_cwnd_test's half cwnd 10), the rest of the same skb leaves in 14480-byte packets. Measured so.
     */
    @Test
    void minTsoSegs_decidesWhenSent() {
        TcpConfig[] cfg = new TcpConfig[1];
        var t = new TcpTester(x -> cfg[0] = x);
        var c = client(t, 20);
        write(t, c, 20, 40_000);
        for (int i = 0; i < 10; i++) t.expect(20, (i % 2 == 1 ? "P. " : ". ") + TcpTester.range(i) + " ack 1");
        t.expectNothing(39);
        cfg[0].set("tcp_min_tso_segs", "10");
        t.inject(40, ". 1:1(0) ack " + (1 + 10 * TcpTester.MSS) + " win 1000 <nop,nop,TS val 1040 ecr 20>");
        for (int i = 10; i < 20; i++) t.expect(40, (i == 19 ? "P. " : ". ") + TcpTester.range(i) + " ack 1");
        for (int i = 20; i < 27; i++) t.expect(40, ". " + TcpTester.range(i) + " ack 1");
        t.expect(40, "P. 39097:40001(904) ack 1"); // the write's end closes the second packet
    }

    /**
     * tcp_cwnd_test: a packet takes at most half cwnd ("ensure we have at least 2 GSO packets in
     * flight"), however large tcp_tso_autosize allows it. Measured on Linux 6.18 by packetdrill's
     * slow_start/slow-start-after-idle.pkt (tcp_min_tso_segs 10, cwnd 10, a 26000-byte write at MSS
     * 1000): `P. 1:5001(5000)`, `P. 5001:10001(5000)`.
     */
    @Test
    void halfCwndPerPacket() {
        var t = new TcpTester(x -> x.set("tcp_min_tso_segs", "10"));
        var c = client(t, 20);
        write(t, c, 20, 40_000);
        for (int i = 0; i < 10; i++) t.expect(20, (i % 5 == 4 ? "P. " : ". ") + TcpTester.range(i) + " ack 1");
        t.expectNothing(39);
    }

    /**
     * On a short path tcp_tso_autosize adds gso_max_size >> (min_rtt_us >> tcp_tso_rtt_log): at 2 ms
     * 8192 bytes to the pacing rate's 14140, 15 segments, so a 4000-byte write is one packet, PSH on
     * its end only. Measured by the oracle's transfer story over TUN (GSO) on Linux 6.18.44: one skb at
     * 2 and 5 ms, two-segment packets at 10 and 50 ms.
     */
    @Test
    void shortPath_oneWriteOnePacket() {
        var t = new TcpTester();
        var c = client(t, 2);
        write(t, c, 2, 4000);
        t.expect(2, ". 1:1449(1448) ack 1");
        t.expect(2, ". 1449:2897(1448) ack 1");
        t.expect(2, "P. 2897:4001(1104) ack 1");
    }

    /**
     * A packet of one segment carries PSH only if its skb has it (a write's end): measured,
     * send(1000, MSG_MORE) at MSS 1000 leaves as `. 1:1001(1000)`; and a 10000-byte write at cwnd 7
     * after recovery as `P.` 2000 three times and then `.` 1000, its tail held by cwnd (packetdrill's
     * prr-ss-30pkt-lost1_4 with expectations per packet). Here cwnd 3: half cwnd is one segment.
     */
    @Test
    void oneSegmentPackets_noPshMidWrite() {
        var t = new TcpTester(x -> x.initCwnd = 3);
        var c = client(t, 20);
        write(t, c, 20, 10_000);
        t.expect(20, ". " + TcpTester.range(0) + " ack 1");
        t.expect(20, ". " + TcpTester.range(1) + " ack 1");
        t.expect(20, ". " + TcpTester.range(2) + " ack 1");
        t.expectNothing(39);
    }
}
