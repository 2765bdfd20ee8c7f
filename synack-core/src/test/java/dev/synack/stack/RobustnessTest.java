package dev.synack.stack;

import static dev.synack.testing.TcpTester.PEER_SYN_ACK;
import static dev.synack.testing.TcpTester.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.stats.Counter;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpListener;
import dev.synack.testing.TcpTester;
import dev.synack.wire.Checksum;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Bad input is counted and dropped, never thrown: malformed IPv4 and TCP headers, IP fragments and
 * random bytes, injected into a listener and into an established connection, move exactly the counter
 * Linux bumps (nstat names), and cause no exception, no packet out and no change of state.
 */
class RobustnessTest {
    /** The time at which bad packets arrive, after the fixtures' handshake (100 ms). */
    static final long AT_MS = 200;

    /** One host under test, with either an established client connection or a listener. */
    static final class Target {
        final TcpTester t = new TcpTester();
        TcpConnection conn;
        TcpListener listener;
        /** A valid packet from the peer for this target: an in-window pure ACK, or a SYN to the listener. */
        byte[] valid;

        static Target established() {
            Target x = new Target();
            x.conn = x.t.connect();
            TcpSegment syn = x.t.expect(0, SYN);
            x.t.inject(100, PEER_SYN_ACK);
            x.t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
            x.valid = TcpTester.packet(new TcpSegment(TcpTester.SERVER_PORT, x.t.localPort, TcpTester.REMOTE_ISN + 1,
                    syn.seq() + 1, TcpHeader.ACK, 502, List.of(new TcpOption.Nop(), new TcpOption.Nop(),
                    new TcpOption.Timestamps(1100, 100)), new byte[0]));
            return x;
        }

        static Target listening() {
            Target x = new Target();
            x.listener = x.t.listen();
            x.valid = TcpTester.packet(new TcpSegment(TcpTester.CLIENT_PORT, TcpTester.SERVER_PORT, TcpTester.REMOTE_ISN,
                    0, TcpHeader.SYN, 65535, List.of(new TcpOption.Mss(1460)), new byte[0]));
            return x;
        }

        private Object state() {
            if (conn != null) return conn.info();
            return List.of(listener.synQueueLength(), listener.acceptQueueLength(), t.stack.connections().size());
        }

        private Map<Counter, Long> counters() {
            Map<Counter, Long> m = new EnumMap<>(Counter.class);
            for (Counter c : Counter.values()) m.put(c, t.stack.counters().get(c));
            return m;
        }

        /**
         * Injects {@code packet} at {@link #AT_MS} and checks: no exception, nothing sent then or in the next
         * second, state unchanged, and exactly the {@code expected} counters moved by one (IpInReceives
         * always counts the arrival).
         */
        void injectAndCheckDropped(byte[] packet, Counter... expected) {
            t.runUntil(AT_MS);
            Object before = state();
            Map<Counter, Long> countersBefore = counters();
            t.injectRaw(AT_MS, packet);
            Object after = state();
            assertEquals(before, after, "state changed");
            assertEquals(0, t.pending(), "a packet was sent");
            Map<Counter, Long> moved = new EnumMap<>(Counter.class);
            counters().forEach((c, v) -> {
                long d = v - countersBefore.get(c);
                if (d != 0) moved.put(c, d);
            });
            Map<Counter, Long> want = new EnumMap<>(Counter.class);
            want.put(Counter.IpInReceives, 1L);
            // ip_rcv_core counts the ECN field (all of these are Not-ECT) once version and IHL check out.
            if (packet.length >= 20 && (packet[0] & 0xF0) == 0x40 && (packet[0] & 0x0F) >= 5) want.put(Counter.IpExtInNoECTPkts, 1L);
            for (Counter c : expected) want.put(c, 1L);
            assertEquals(want, moved, "counters");
            t.expectNothing(AT_MS + 1000);
            if (conn != null) assertEquals(dev.synack.tcp.TcpState.ESTABLISHED, conn.state());
        }
    }

    static Target[] targets() { return new Target[] {Target.established(), Target.listening()}; }

    /** Rewrites the IPv4 header checksum after an edit of the header. */
    static byte[] fixIpChecksum(byte[] p) {
        p[10] = 0;
        p[11] = 0;
        int c = Checksum.compute(p, 0, Ipv4.headerLength(p, 0));
        p[10] = (byte) (c >>> 8);
        p[11] = (byte) c;
        return p;
    }

    /** Rewrites the TCP checksum after an edit of the segment. */
    static byte[] fixTcpChecksum(byte[] p) {
        int hl = Ipv4.headerLength(p, 0);
        TcpHeader.writeChecksum(p, hl, Ipv4.totalLength(p, 0) - hl, Ipv4.src(p, 0), Ipv4.dst(p, 0));
        return p;
    }

    void check(UnaryOperator<byte[]> corrupt, Counter... counters) {
        for (Target x : targets()) x.injectAndCheckDropped(corrupt.apply(x.valid.clone()), counters);
    }

    @Test
    void validPackets_areTakenByBothTargets() {
        // The control: the uncorrupted packets are good (the SYN is answered, the ACK is accepted).
        Target e = Target.established();
        e.t.injectRaw(AT_MS, e.valid);
        assertEquals(1, e.t.stack.counters().get(Counter.TcpInSegs) - 1);
        Target l = Target.listening();
        l.t.injectRaw(AT_MS, l.valid);
        assertEquals(1, l.t.pending(), "SYN-ACK");
    }

    /** ip_rcv_core: a buffer shorter than the IPv4 total length (the packet lost its tail). */
    @Test
    void truncatedPacket_countsInTruncatedPkts() {
        check(p -> Arrays.copyOf(p, p.length - 7), Counter.IpExtInTruncatedPkts);
    }

    /** A buffer shorter than any IPv4 header. */
    @Test
    void runtPacket_countsInTruncatedPkts() {
        check(p -> Arrays.copyOf(p, 12), Counter.IpExtInTruncatedPkts);
    }

    /** ip_rcv_core: an IP total length beyond the buffer (oversized) is truncated input. */
    @Test
    void totalLengthBeyondTheBuffer_countsInTruncatedPkts() {
        check(p -> {
            p[2] = (byte) 0x05;
            p[3] = (byte) 0xDC; // 1500
            return fixIpChecksum(p);
        }, Counter.IpExtInTruncatedPkts);
    }

    /** ip_rcv_core: a bad header checksum (RFC 791 §3.1). */
    @Test
    void badIpChecksum_countsInHdrErrors() {
        check(p -> {
            p[11] ^= 0x01;
            return p;
        }, Counter.IpInHdrErrors);
    }

    /** RFC 791 §3.1: version not 4, IHL below 5. */
    @Test
    void badIpVersionOrHeaderLength_countsInHdrErrors() {
        check(p -> {
            p[0] = 0x65;
            return fixIpChecksum(p);
        }, Counter.IpInHdrErrors);
        check(p -> {
            p[0] = 0x44;
            return p;
        }, Counter.IpInHdrErrors);
    }

    /** tcp_v4_rcv: a bad TCP checksum counts in TcpInCsumErrors and TcpInErrs. */
    @Test
    void badTcpChecksum_countsInCsumErrorsAndInErrs() {
        check(p -> {
            p[p.length - 1] ^= 0x40;
            return p;
        }, Counter.TcpInCsumErrors, Counter.TcpInErrs);
    }

    /** tcp_v4_rcv: a data offset below 5 words (RFC 9293 §3.1). */
    @Test
    void tcpDataOffsetBelow20_countsInErrs() {
        check(p -> {
            p[20 + 12] = (byte) 0x40; // 16 bytes
            return fixTcpChecksum(p);
        }, Counter.TcpInErrs);
    }

    /** A data offset reaching past the segment (Linux discards it silently; synack counts it in TcpInErrs). */
    @Test
    void tcpDataOffsetBeyondTheSegment_countsInErrs() {
        check(p -> {
            p[20 + 12] = (byte) 0xF0; // 60 bytes, the segment has fewer
            return fixTcpChecksum(p);
        }, Counter.TcpInErrs);
    }

    /**
     * Bad options are not bad segments: Linux tcp_parse_options stops at an option whose length byte is
     * below 2 or runs past the header, keeps what it read, and counts nothing. So the established target's
     * pure ACK, its timestamps option made malformed, is still taken as an ACK of nothing new (its window
     * is learnt), with no error counted and no reply.
     */
    @Test
    void malformedOption_stopsTheParse_segmentStillTaken_noCounterNoReply() {
        Target x = Target.established();
        byte[] p = x.valid.clone();
        p[20 + 20] = 8; // the first option was a NOP; now kind 8 (TS) with a length byte of 1
        p[20 + 21] = 1;
        x.t.runUntil(AT_MS);
        x.t.injectRaw(AT_MS, fixTcpChecksum(p));
        assertEquals(0, x.t.pending());
        assertEquals(0, x.t.stack.counters().get(Counter.TcpInErrs));
        assertEquals(2, x.t.stack.counters().get(Counter.TcpInSegs));
        assertEquals(502 << 7, x.conn.info().sndWnd());
        assertEquals(dev.synack.tcp.TcpState.ESTABLISHED, x.conn.state());
        x.t.expectNothing(AT_MS + 1000);
    }

    /** RFC 791 §3.2: fragments are not reassembled (yet), they count as failed reassemblies. */
    @Test
    void ipFragments_countInReasmFails() {
        check(p -> {
            p[6] = 0x20; // MF
            return fixIpChecksum(p);
        }, Counter.IpReasmFails);
        check(p -> {
            p[6] = 0;
            p[7] = 0x10; // offset 128 bytes
            return fixIpChecksum(p);
        }, Counter.IpReasmFails);
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(120);
    }

    /** Random bytes: never an exception, never a packet out, never a change of state. */
    @Property(tries = 1000)
    void randomBytes_areDroppedQuietly(@ForAll("garbage") byte[] bytes) {
        for (Target x : targets()) {
            x.t.runUntil(AT_MS);
            Object before = x.state();
            x.t.injectRaw(AT_MS, bytes);
            assertEquals(before, x.state());
            assertEquals(0, x.t.pending());
        }
    }

    @Provide
    Arbitrary<int[]> mutations() {
        return Arbitraries.integers().between(0, 10_000).array(int[].class).ofSize(2);
    }

    /**
     * One byte of a valid packet changed to any other value: the IPv4 or TCP checksum (RFC 1071) catches
     * every single-byte change, so the packet is dropped and counted, whichever byte it was.
     */
    @Property(tries = 1000)
    void oneChangedByte_isDroppedAndCounted(@ForAll("mutations") int[] m) {
        for (Target x : targets()) {
            byte[] p = x.valid.clone();
            int i = m[0] % p.length;
            p[i] = (byte) (p[i] + 1 + m[1] % 255);
            x.t.runUntil(AT_MS);
            Object before = x.state();
            long errors = errors(x);
            x.t.injectRaw(AT_MS, p);
            assertEquals(before, x.state(), "byte " + i);
            assertEquals(0, x.t.pending(), "byte " + i);
            assertEquals(errors + 1, errors(x), "byte " + i);
        }
    }

    private static long errors(Target x) {
        var c = x.t.stack.counters();
        return c.get(Counter.IpInHdrErrors) + c.get(Counter.IpExtInTruncatedPkts) + c.get(Counter.IpReasmFails)
                + c.get(Counter.TcpInErrs) + c.get(Counter.IpInAddrErrors) + c.get(Counter.IpInUnknownProtos);
    }
}
