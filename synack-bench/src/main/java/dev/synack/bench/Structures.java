package dev.synack.bench;

import dev.synack.link.Link;
import dev.synack.stack.Stack;
import dev.synack.stats.Counter;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.time.VirtualScheduler;
import dev.synack.wire.IpPacket;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * What a peer can make the stack's data structures cost: one stack under test, a scripted peer that
 * writes raw segments into {@link Stack#receive} (built before the clock starts, so only the stack is
 * measured), and what the stack sends captured and thrown away. Three workloads:
 *
 * <ul>
 *   <li>{@code ofo}: a receiver given 32,000 one-byte segments with a one-byte hole below each,
 *       highest first (each lands below every range held), then the same 32,000 again (duplicates:
 *       the D-SACK path); every segment is answered at once with SACK blocks;
 *   <li>{@code sack}: a sender (MSS 64) with 60,000 segments in flight, then a peer SACKing every other
 *       one, highest first, one new block per ACK plus the three before it as a receiver would repeat them;
 *   <li>{@code conns}: 200,000 connect()s (SYN_SENT, 17 destination ports × 12,000 ephemeral ports), a
 *       segment looked up for each, then all closed.
 * </ul>
 *
 * Times are this thread's CPU time (the honest figure on a shared machine; wall time is printed too);
 * allocation is this thread's, per segment (or call). Run: {@code Bench ofo sack conns} (or
 * {@code structures}; {@code conns:N} for another number of connections).
 */
final class Structures {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    static final int US = Ipv4.parse("198.18.0.1"), PEER = Ipv4.parse("198.18.0.2");

    private Structures() {}

    /** One stack, its captured output (the last packet sent) and a clock. */
    private static final class Rig implements Link {
        final VirtualScheduler sched = new VirtualScheduler();
        final Stack s;
        final byte[] last = new byte[70000];
        int lastLen;
        long sent;

        Rig(TcpConfig cfg) {
            s = new Stack("under-test", sched, cfg, 1);
            s.addInterface("eth0", US, 24, 1500, this);
        }

        @Override
        public void transmit(byte[] p, int off, int len) {
            System.arraycopy(p, off, last, 0, len);
            lastLen = len;
            sent++;
        }

        /** The TCP segment of the last packet sent. */
        TcpSegment lastTcp() {
            IpPacket ip = ((dev.synack.wire.Decoded.Ok<IpPacket>) IpPacket.decode(last, 0, lastLen)).value();
            byte[] t = ip.payload();
            return ((dev.synack.wire.Decoded.Ok<TcpSegment>) TcpSegment.decode(t, 0, t.length)).value();
        }

        void receive(byte[] packet) { s.receive(packet, 0, packet.length); }
    }

    private static byte[] packet(int sport, int dport, int seq, int ack, int flags, int window, List<TcpOption> opts,
                                 byte[] payload) {
        TcpSegment seg = new TcpSegment(sport, dport, seq, ack, flags, window, opts, payload);
        byte[] tcp = new byte[seg.encodedLength()];
        seg.encode(tcp, 0, PEER, US);
        return new IpPacket(PEER, US, 6, 64, tcp).encode(1);
    }

    private static TcpConfig config() {
        TcpConfig c = new TcpConfig();
        c.tcpRmem = new int[] {4096, 4 << 20, 33554432};
        c.tcpWmem = new int[] {4096, 16 << 20, 33554432};
        c.tcpCongestionControl = "reno"; // no HyStart: slow start runs up to 60,000 segments
        c.somaxconn = 65535;
        return c;
    }

    private static final List<TcpOption> SYN_OPTS = List.of(new TcpOption.Mss(64), new TcpOption.SackPermitted(),
            new TcpOption.Nop(), new TcpOption.WindowScale(9));

    /** (a) A receiver with 32,000 one-byte holes. */
    static void ofo(int holes) {
        Rig r = new Rig(config());
        TcpListener l;
        try {
            l = r.s.listen(r.s.bind(0, 80, new SocketOptions()), 16);
        } catch (ErrnoException e) {
            throw new IllegalStateException(e);
        }
        int iss = 1000;
        r.receive(packet(40000, 80, iss, 0, TcpHeader.SYN, 65535,
                List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Nop(), new TcpOption.WindowScale(7)),
                new byte[0]));
        int serverIss = r.lastTcp().seq();
        r.receive(packet(40000, 80, iss + 1, serverIss + 1, TcpHeader.ACK, 65535, List.of(), new byte[0]));
        TcpConnection c = l.accept();
        if (c == null) throw new IllegalStateException("no connection");
        // Segment k carries byte 2k+1 (relative); byte 2k stays a hole. Highest first.
        byte[][] segs = new byte[holes][];
        for (int k = 0; k < holes; k++) {
            int seq = iss + 1 + 2 * (holes - 1 - k) + 1;
            segs[k] = packet(40000, 80, seq, serverIss + 1, TcpHeader.ACK, 65535, List.of(), new byte[] {1});
        }
        long sent0 = r.sent;
        measure("ofo: insert, %,d one-byte holes, highest first".formatted(holes), segs, r);
        measure("ofo: duplicates at %,d holes (D-SACK)".formatted(holes), segs, r);
        System.out.printf("    (%d segments answered; the last ACK: %s)%n", r.sent - sent0, r.lastTcp());
    }

    /** (b) A sender with {@code inFlight} segments of 64 bytes out, SACKed every other one, highest first. */
    static void sack(int inFlight) {
        sack(inFlight, true);
        sack(inFlight, false);
    }

    /**
     * Highest first, every SACK below the highest one looks like reordering: nothing is marked lost and
     * RACK's reordering timer is re-armed by every ACK. Lowest first, each ACK shows one more hole lost:
     * RACK marks it and it is retransmitted as cwnd allows.
     */
    static void sack(int inFlight, boolean highestFirst) {
        TcpConfig cfg = config();
        Rig r = new Rig(cfg);
        TcpConnection c;
        try {
            c = r.s.connect(null, PEER, 80, new SocketOptions());
        } catch (ErrnoException e) {
            throw new IllegalStateException(e);
        }
        TcpSegment syn = r.lastTcp();
        int sport = syn.srcPort(), iss = syn.seq();
        int peerIss = 5000;
        r.sched.advance(10_000_000);
        r.receive(packet(80, sport, peerIss, iss + 1, TcpHeader.SYN | TcpHeader.ACK, 65535, SYN_OPTS, new byte[0]));
        int mss = c.mss();
        byte[] chunk = new byte[1 << 20];
        // Slow start: ACK everything each round trip (one ACK per two segments) until inFlight segments are out.
        int una = iss + 1;
        long written = 0;
        for (int round = 0; round < 40; round++) {
            // The application writes only what ends with `inFlight` segments out once cwnd allows.
            int room;
            while ((room = (int) Math.min(chunk.length, (long) (una - iss - 1) + (long) inFlight * mss - written)) > 0) {
                int n = c.send(chunk, 0, room);
                if (n <= 0) break;
                written += n;
            }
            int out = c.info().unacked();
            int nxt = una + out * mss;
            if (out >= inFlight) break;
            r.sched.advance(10_000_000);
            for (int a = una + 2 * mss; a - nxt <= 0; a += 2 * mss) {
                r.receive(packet(80, sport, peerIss + 1, a, TcpHeader.ACK, 65535, List.of(), new byte[0]));
                una = a;
            }
            if (una != nxt) {
                r.receive(packet(80, sport, peerIss + 1, nxt, TcpHeader.ACK, 65535, List.of(), new byte[0]));
                una = nxt;
            }
        }
        int out = c.info().unacked();
        // The adversary: SACK every other segment of those in flight, the highest first.
        int n = out / 2;
        byte[][] acks = new byte[n][];
        for (int k = 0; k < n; k++) {
            List<TcpOption.SackBlock> blocks = new ArrayList<>();
            for (int b = 0; b < 4 && k - b >= 0; b++) {
                // the segments from una: out-1, out-3, ... (highest first) or 1, 3, ... (lowest first)
                int sgi = highestFirst ? out - 1 - 2 * (k - b) : 1 + 2 * (k - b);
                blocks.add(new TcpOption.SackBlock(una + sgi * mss, una + (sgi + 1) * mss));
            }
            acks[k] = packet(80, sport, peerIss + 1, una, TcpHeader.ACK, 65535,
                    List.of(new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.Sack(blocks)), new byte[0]);
        }
        r.sched.advance(10_000_000);
        System.out.printf("sack: %,d segments of %d bytes in flight, cwnd %d%n", out, mss, c.info().sndCwnd());
        // The first ACKs make the scoreboard's indexes (once per connection: ~9 bytes per queue slot for
        // each index, when the first segment is SACKed, and when the first is lost); the rest is the
        // attack's steady state.
        int first = 8;
        for (int k = 0; k < first; k++) r.receive(acks[k]);
        measure("sack: every other SACKed, " + (highestFirst ? "highest" : "lowest") + " first (per ACK)",
                java.util.Arrays.copyOfRange(acks, first, acks.length), r);
        System.out.printf("    (retransmitted %,d; %s)%n", r.s.counters().get(Counter.TcpRetransSegs), c.info().ca());
    }

    /** (c) {@code n} connect()s, a lookup of each, and their removal. */
    static void conns(int n) {
        TcpConfig cfg = config();
        Rig r = new Rig(cfg);
        TcpConnection[] cs = new TcpConnection[n];
        // 12,000 ports per destination: fewer than the even ports of ip_local_port_range (14,116), which
        // connect() tries first (__inet_hash_connect), so every connect() finds a port at once; beyond
        // them, Linux and synack both walk every even port before an odd one.
        int perPort = 12_000;
        SocketOptions o = new SocketOptions();
        long t0 = THREADS.getCurrentThreadCpuTime(), a0 = THREADS.getCurrentThreadAllocatedBytes();
        long tLast = 0;
        int lastFrom = n - 10_000;
        for (int i = 0; i < n; i++) {
            if (i == lastFrom) {
                tLast = THREADS.getCurrentThreadCpuTime();
            }
            try {
                cs[i] = r.s.connect(null, PEER, 80 + i / perPort, o);
            } catch (ErrnoException e) {
                throw new IllegalStateException("connect " + i, e);
            }
        }
        long t1 = THREADS.getCurrentThreadCpuTime(), a1 = THREADS.getCurrentThreadAllocatedBytes();
        System.out.printf("conns: connect()        %8.2f µs CPU each (all %,d), %8.2f µs each for the last 10,000 (%d destinations, up to %,d ports of each taken); %.0f bytes allocated each%n",
                (t1 - t0) / 1e3 / n, n, (t1 - tLast) / 1e3 / 10_000, (n + perPort - 1) / perPort, perPort, (double) (a1 - a0) / n);
        // A lookup per connection: a segment whose ACK does not match the SYN (SYN_SENT answers with RST).
        byte[][] segs = new byte[n][];
        for (int i = 0; i < n; i++) {
            segs[i] = packet(80 + i / perPort, cs[i].localPort(), 1, 12345, TcpHeader.ACK, 65535, List.of(), new byte[0]);
        }
        measure("conns: lookup (segment to one of %,d)".formatted(n), segs, r);
        long t2 = THREADS.getCurrentThreadCpuTime(), a2 = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = n - 1; i >= 0; i -= 2) cs[i].abort(); // half, from the newest: the table still holds the rest
        long t3 = THREADS.getCurrentThreadCpuTime(), a3 = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i += 2) cs[i].abort();
        System.out.printf("conns: remove (abort)   %8.2f µs CPU each (the newest half of %,d, every other one), %.0f bytes allocated each; %d left%n",
                (t3 - t2) / 1e3 / (n / 2), n, (double) (a3 - a2) / (n / 2), r.s.connections().size());
    }

    /** Hands each packet to the stack once; prints time and allocation per packet. */
    private static void measure(String name, byte[][] packets, Rig r) {
        long a0 = THREADS.getCurrentThreadAllocatedBytes();
        long c0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (byte[] p : packets) r.receive(p);
        long ns = System.nanoTime() - t0;
        long cpu = THREADS.getCurrentThreadCpuTime() - c0;
        long alloc = THREADS.getCurrentThreadAllocatedBytes() - a0;
        System.out.printf("%-58s %8.2f µs CPU per segment  (%,d segments, %.2f s wall, %.2f s CPU; %.1f bytes allocated per segment)%n",
                name, cpu / 1e3 / packets.length, packets.length, ns / 1e9, cpu / 1e9, (double) alloc / packets.length);
    }
}
