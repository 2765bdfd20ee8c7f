package dev.synack.sim.fuzz;

import dev.synack.wire.Checksum;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Makes hostile packets out of real ones: a TCP segment a host really sent, with its sequence and
 * acknowledgment numbers moved to and around the window's edges, any flag combination, options valid,
 * truncated, duplicated or oversized (adversarial SACK blocks, old timestamps, window scale 255), a
 * payload of another length, a wrong data offset, IP header fields and checksums; forged SYNs for a
 * listener; ICMP errors quoting a real segment. Checksums are right unless a mutation says otherwise,
 * so most of what it makes reaches TCP.
 *
 * <p>Payload bytes are never random: a byte at sequence number {@code s} is always {@link #at(int)
 * at(s)}, the byte every writer of a fuzzed connection puts there, so a receiver that delivers a forged
 * segment's bytes at their sequence number still delivers the right stream, and a wrong, duplicated or
 * reordered byte is a bug (unless a mutation broke the checksum, which TCP must catch).
 */
public final class Mutator {
    private Mutator() {}

    /** The stream's byte at sequence number {@code seq}: what every writer and every forged segment puts there. */
    public static byte at(int seq) {
        int x = seq * 0x9E3779B1;
        x ^= x >>> 15;
        x *= 0x85EBCA77;
        x ^= x >>> 13;
        x *= 0xC2B2AE3D;
        return (byte) (x ^ x >>> 16);
    }

    /** A fuzzer's router, not a martian: the source of some ICMP errors and forged SYNs come from this /24. */
    static final int NET = Ipv4.parse("198.18.0.0"), ROUTER = Ipv4.parse("198.18.0.254");

    /** A delta to a sequence or acknowledgment number, aimed at the edges a window and the 32-bit space have. */
    static int delta(SplittableRandom r, int window, int mss) {
        return switch (r.nextInt(16)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> mss;
            case 4 -> -mss;
            case 5 -> window;
            case 6 -> window + 1;
            case 7 -> window - 1;
            case 8 -> -window;
            case 9 -> 65_535 + r.nextInt(3) - 1;
            case 10 -> 1 << 30;
            case 11 -> Integer.MIN_VALUE + r.nextInt(3) - 1;
            case 12 -> r.nextInt(-4 * mss, 4 * mss + 1);
            case 13 -> r.nextInt(-Math.max(1, window) * 2, Math.max(1, window) * 2 + 1);
            case 14 -> (r.nextBoolean() ? 1 : -1) * (mss * (2 + r.nextInt(40)));
            default -> r.nextInt();
        };
    }

    /** A real TCP packet's fields, parsed from its bytes (20-byte IP header first). */
    record Tcp(int src, int dst, int tos, int sport, int dport, int seq, int ack, int flags, int window,
               byte[] options, int payloadLen, int tsVal, int tsEcr, boolean hasTs) {
        static Tcp parse(byte[] p) {
            int hl = Ipv4.headerLength(p, 0);
            int total = Ipv4.totalLength(p, 0);
            int doff = TcpHeader.dataOffset(p, hl);
            byte[] opts = Arrays.copyOfRange(p, hl + TcpHeader.HEADER_LEN, hl + doff);
            int tsVal = 0, tsEcr = 0;
            boolean ts = false;
            for (int i = 0; i < opts.length; ) {
                int kind = opts[i] & 0xFF;
                if (kind == 0) break;
                if (kind == 1) { i++; continue; }
                if (i + 1 >= opts.length) break;
                int len = opts[i + 1] & 0xFF;
                if (len < 2 || i + len > opts.length) break;
                if (kind == 8 && len == 10) {
                    ts = true;
                    tsVal = i32(opts, i + 2);
                    tsEcr = i32(opts, i + 6);
                }
                i += len;
            }
            return new Tcp(Ipv4.src(p, 0), Ipv4.dst(p, 0), Ipv4.tos(p, 0), TcpHeader.srcPort(p, hl), TcpHeader.dstPort(p, hl),
                    TcpHeader.seq(p, hl), TcpHeader.ack(p, hl), TcpHeader.flags(p, hl), TcpHeader.window(p, hl), opts,
                    total - hl - doff, tsVal, tsEcr, ts);
        }
    }

    /**
     * A mutated copy of the real TCP packet {@code p}; {@code how} receives a short account of what was
     * changed. One to four mutations, then the checksums are made right, then perhaps broken.
     */
    static byte[] mutateTcp(SplittableRandom r, byte[] p, StringBuilder how) {
        Tcp t = Tcp.parse(p);
        int mss = 1 + r.nextInt(1460);
        int window = Math.max(1, t.window << (r.nextBoolean() ? 0 : r.nextInt(15)));
        int src = t.src, dst = t.dst, tos = t.tos, ttl = Ipv4.DEFAULT_TTL, sport = t.sport, dport = t.dport;
        int seq = t.seq, ack = t.ack, flags = t.flags, win = t.window, payloadLen = t.payloadLen;
        byte[] opts = t.options;
        int mutations = 1 + r.nextInt(r.nextInt(4) + 1);
        for (int m = 0; m < mutations; m++) {
            switch (r.nextInt(12)) {
                case 0, 1 -> {
                    int d = delta(r, window, mss);
                    seq += d;
                    how.append("seq").append(sign(d)).append(' ');
                }
                case 2, 3 -> {
                    int d = delta(r, window, mss);
                    ack += d;
                    how.append("ack").append(sign(d)).append(' ');
                }
                case 4, 5 -> {
                    flags = switch (r.nextInt(4)) {
                        case 0 -> r.nextInt(256) & (r.nextBoolean() ? 0xFF : ~TcpHeader.RST); // RST at RCV.NXT ends the episode's fun
                        case 1 -> flags ^ (1 << r.nextInt(8));
                        case 2 -> INTERESTING_FLAGS[r.nextInt(INTERESTING_FLAGS.length)];
                        default -> flags | INTERESTING_FLAGS[r.nextInt(INTERESTING_FLAGS.length)];
                    };
                    how.append("flags=").append(TcpHeader.flagsToString(flags)).append(' ');
                }
                case 6 -> {
                    win = switch (r.nextInt(5)) {
                        case 0 -> 0;
                        case 1 -> 1;
                        case 2 -> 65_535;
                        case 3 -> Math.max(0, win + r.nextInt(-100, 101)) & 0xFFFF;
                        default -> r.nextInt(65_536);
                    };
                    how.append("win=").append(win).append(' ');
                }
                case 7, 8 -> {
                    opts = r.nextInt(8) == 0 ? new byte[0] : options(r, t, seq, ack, window, mss);
                    how.append("options(").append(opts.length).append(") ");
                }
                case 9 -> {
                    payloadLen = switch (r.nextInt(7)) {
                        case 0 -> 0;
                        case 1 -> 1;
                        case 2 -> mss;
                        case 3 -> mss + 1;
                        case 4 -> r.nextInt(1461);
                        case 5 -> Math.max(0, payloadLen + r.nextInt(-3, 4));
                        default -> 1460 + r.nextInt(2000);
                    };
                    how.append("len=").append(payloadLen).append(' ');
                }
                case 10 -> {
                    tos = (tos & ~Ipv4.ECN_MASK) | r.nextInt(4);
                    if (r.nextInt(4) == 0) tos = r.nextInt(256);
                    how.append("tos=").append(tos).append(' ');
                }
                default -> {
                    switch (r.nextInt(4)) {
                        case 0 -> sport = r.nextBoolean() ? sport + 1 & 0xFFFF : r.nextInt(65_536);
                        case 1 -> dport = r.nextBoolean() ? dport + 1 & 0xFFFF : r.nextInt(65_536);
                        case 2 -> src = NET | (1 + r.nextInt(254));
                        default -> {
                            int x = src;
                            src = dst;
                            dst = x; // reflected: our own address as the source
                        }
                    }
                    how.append("addr/port ");
                }
            }
        }
        byte[] out = tcp(src, dst, tos, ttl, sport, dport, seq, ack, flags, win, opts, payloadLen);
        if (r.nextInt(6) == 0) out = breakPacket(r, out, how);
        return out;
    }

    /** Flag combinations worth trying as a whole. */
    private static final int[] INTERESTING_FLAGS = {
        TcpHeader.SYN, TcpHeader.SYN | TcpHeader.ACK, TcpHeader.RST, TcpHeader.RST | TcpHeader.ACK, TcpHeader.FIN,
        TcpHeader.FIN | TcpHeader.ACK, TcpHeader.SYN | TcpHeader.FIN, TcpHeader.SYN | TcpHeader.RST, 0, 0xFF,
        TcpHeader.ACK, TcpHeader.PSH | TcpHeader.ACK, TcpHeader.ECE | TcpHeader.CWR | TcpHeader.SYN,
        TcpHeader.FIN | TcpHeader.RST | TcpHeader.ACK, TcpHeader.URG | TcpHeader.ACK, TcpHeader.ECE | TcpHeader.ACK,
        TcpHeader.CWR | TcpHeader.ACK};

    private static String sign(int d) { return d >= 0 ? "+" + d : Integer.toString(d); }

    /** An options area: 1–6 options, valid or not, padded to a multiple of 4, at most 40 bytes. */
    static byte[] options(SplittableRandom r, Tcp t, int seq, int ack, int window, int mss) {
        byte[] o = new byte[128];
        int n = 0;
        int count = 1 + r.nextInt(6);
        int lastStart = -1, lastLen = 0;
        for (int k = 0; k < count && n < 40; k++) {
            int start = n;
            switch (r.nextInt(12)) {
                case 0 -> { // MSS
                    o[n++] = 2;
                    o[n++] = 4;
                    n = put16(o, n, switch (r.nextInt(5)) {
                        case 0 -> 0;
                        case 1 -> 1;
                        case 2 -> 536;
                        case 3 -> 65_535;
                        default -> r.nextInt(65_536);
                    });
                }
                case 1 -> { // window scale, legal or not (RFC 7323 §2.3: above 14 is used as 14)
                    o[n++] = 3;
                    o[n++] = 3;
                    o[n++] = (byte) (r.nextBoolean() ? r.nextInt(16) : r.nextInt(256));
                }
                case 2 -> { // SACK permitted
                    o[n++] = 4;
                    o[n++] = 2;
                }
                case 3, 4 -> { // timestamps: old, current, new, wrapped
                    o[n++] = 8;
                    o[n++] = 10;
                    int val = t.hasTs ? t.tsVal : r.nextInt();
                    val += switch (r.nextInt(6)) {
                        case 0 -> 0;
                        case 1 -> 1;
                        case 2 -> -1 - r.nextInt(1000);
                        case 3 -> Integer.MIN_VALUE;
                        case 4 -> r.nextInt(1 << 20);
                        default -> r.nextInt();
                    };
                    n = put32(o, n, val);
                    n = put32(o, n, r.nextInt(3) == 0 ? r.nextInt() : t.tsEcr + r.nextInt(-2, 3));
                }
                case 5, 6, 7 -> { // SACK blocks: around ACK, reversed, D-SACK below it, huge, overlapping
                    int blocks = 1 + r.nextInt(4);
                    o[n++] = 5;
                    o[n++] = (byte) (2 + 8 * blocks);
                    int base = ack;
                    for (int b = 0; b < blocks; b++) {
                        int start0 = base + delta(r, window, mss);
                        int len = switch (r.nextInt(6)) {
                            case 0 -> 0;
                            case 1 -> 1;
                            case 2 -> mss;
                            case 3 -> -mss;
                            case 4 -> window;
                            default -> r.nextInt(1, 20) * mss;
                        };
                        if (r.nextInt(4) == 0) base = start0 + len; // adjacent next block
                        n = put32(o, n, start0);
                        n = put32(o, n, start0 + len);
                    }
                }
                case 8 -> o[n++] = 1; // NOP
                case 9 -> o[n++] = 0; // EOL
                case 10 -> { // unknown kind with a body
                    int len = 2 + r.nextInt(8);
                    o[n++] = (byte) (9 + r.nextInt(247));
                    o[n++] = (byte) len;
                    for (int i = 2; i < len; i++) o[n++] = (byte) r.nextInt(256);
                }
                default -> { // malformed: a length of 0 or 1, past the end, or wrong for the kind
                    int kind = new int[] {2, 3, 4, 5, 8, 30, 34}[r.nextInt(7)];
                    o[n++] = (byte) kind;
                    o[n++] = (byte) switch (r.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> 1;
                        case 2 -> 40 + r.nextInt(200);
                        default -> 2 + r.nextInt(12);
                    };
                    int body = r.nextInt(8);
                    for (int i = 0; i < body; i++) o[n++] = (byte) r.nextInt(256);
                }
            }
            if (r.nextInt(8) == 0 && lastStart >= 0 && n + lastLen <= o.length) { // a duplicated option
                System.arraycopy(o, lastStart, o, n, lastLen);
                n += lastLen;
            }
            lastStart = start;
            lastLen = n - start;
        }
        n = Math.min(n, 40);
        while ((n & 3) != 0) o[n++] = 1;
        return Arrays.copyOf(o, n);
    }

    /**
     * A whole TCP/IPv4 packet with right checksums; the payload is the stream's bytes at its sequence
     * numbers (a SYN's data starts after the SYN).
     */
    static byte[] tcp(int src, int dst, int tos, int ttl, int sport, int dport, int seq, int ack, int flags, int win,
                      byte[] opts, int payloadLen) {
        int optLen = Math.min(opts.length, 40) & ~3;
        payloadLen = Math.min(payloadLen, 0xFFFF - Ipv4.HEADER_LEN - TcpHeader.HEADER_LEN - optLen);
        int tcpLen = TcpHeader.HEADER_LEN + optLen + payloadLen;
        byte[] b = new byte[Ipv4.HEADER_LEN + tcpLen];
        Ipv4.write(b, 0, src, dst, Ipv4.PROTO_TCP, ttl, 0, tcpLen, tos);
        int t = Ipv4.HEADER_LEN;
        TcpHeader.writeHeader(b, t, sport & 0xFFFF, dport & 0xFFFF, seq, ack, flags & 0xFF, win & 0xFFFF, optLen);
        System.arraycopy(opts, 0, b, t + TcpHeader.HEADER_LEN, optLen);
        int p = t + TcpHeader.HEADER_LEN + optLen;
        int first = seq + ((flags & TcpHeader.SYN) != 0 ? 1 : 0);
        for (int i = 0; i < payloadLen; i++) b[p + i] = at(first + i);
        TcpHeader.writeChecksum(b, t, tcpLen, src, dst);
        return b;
    }

    /**
     * Breaks what the IP and TCP layers must check: version, IHL, total length, fragments, TTL, the
     * protocol, the data offset, the checksums, or the packet's length (truncated, or link padding).
     * Where the bytes no longer match their checksum a receiver must drop them; where the checksum was
     * recomputed over a broken header it must parse them safely.
     */
    static byte[] breakPacket(SplittableRandom r, byte[] b, StringBuilder how) {
        int hl = Ipv4.HEADER_LEN;
        switch (r.nextInt(10)) {
            case 0 -> {
                b[0] = (byte) (r.nextInt(16) << 4 | (b[0] & 0x0F));
                how.append("!version ");
            }
            case 1 -> {
                b[0] = (byte) (b[0] & 0xF0 | r.nextInt(16));
                how.append("!ihl ");
            }
            case 2 -> {
                int total = Ipv4.totalLength(b, 0) + r.nextInt(-30, 31);
                put16(b, 2, Math.max(0, total) & 0xFFFF);
                how.append("!totlen ");
            }
            case 3 -> {
                put16(b, 6, r.nextInt(65_536));
                how.append("!frag ");
            }
            case 4 -> {
                b[9] = (byte) r.nextInt(256);
                how.append("!proto ");
            }
            case 5 -> {
                if (b.length > hl + TcpHeader.HEADER_LEN) {
                    b[hl + 12] = (byte) (r.nextInt(16) << 4 | (b[hl + 12] & 0x0F));
                    // what now lies after the data offset is payload: the stream's bytes, so a receiver
                    // that takes the segment still gets the right ones
                    // (a data offset below 20 leaves the header alone: the receiver drops the segment)
                    int seq = TcpHeader.seq(b, hl) + ((TcpHeader.flags(b, hl) & TcpHeader.SYN) != 0 ? 1 : 0);
                    int doff = TcpHeader.dataOffset(b, hl);
                    for (int i = hl + doff; doff >= TcpHeader.HEADER_LEN && i < b.length; i++) b[i] = at(seq + i - hl - doff);
                    TcpHeader.writeChecksum(b, hl, b.length - hl, Ipv4.src(b, 0), Ipv4.dst(b, 0));
                }
                how.append("!doff ");
            }
            case 6 -> {
                if (b.length > hl + 17) b[hl + 16 + r.nextInt(2)] ^= (byte) (1 + r.nextInt(255));
                how.append("!tcpcsum ");
                return b; // the IP checksum stays right
            }
            case 7 -> {
                b[10] ^= (byte) (1 + r.nextInt(255));
                how.append("!ipcsum ");
                return b;
            }
            case 8 -> {
                how.append("!truncated ");
                return Arrays.copyOf(b, r.nextInt(b.length));
            }
            default -> {
                how.append("!padded ");
                return Arrays.copyOf(b, b.length + 1 + r.nextInt(40));
            }
        }
        fixIpChecksum(b);
        return b;
    }

    private static void fixIpChecksum(byte[] b) {
        int hl = Ipv4.headerLength(b, 0);
        if (hl < Ipv4.HEADER_LEN || hl > b.length) return;
        put16(b, 10, 0);
        put16(b, 10, Checksum.compute(b, 0, hl));
    }

    /** A SYN from a spoofed client of the /24 with its own options: what fills a listener's queues. */
    static byte[] forgedSyn(SplittableRandom r, int dst, int dport) {
        Tcp none = new Tcp(0, 0, 0, 0, 0, 0, 0, 0, 0, new byte[0], 0, r.nextInt(), 0, false);
        byte[] opts = r.nextInt(3) == 0 ? options(r, none, 0, 0, 65_535, 1460) : new byte[] {
            2, 4, 5, (byte) 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
        int src = NET | (3 + r.nextInt(250));
        int flags = r.nextInt(8) == 0 ? TcpHeader.SYN | TcpHeader.ECE | TcpHeader.CWR : TcpHeader.SYN;
        return tcp(src, dst, 0, Ipv4.DEFAULT_TTL, 1024 + r.nextInt(64_000), dport, r.nextInt(), 0, flags,
                r.nextInt(65_536), opts, r.nextInt(10) == 0 ? r.nextInt(100) : 0);
    }

    /**
     * An ICMP error for the sender of {@code p}, quoting it (its IP header and 8 bytes, as routers do, or
     * less, or all of it), from the peer or a router: destination unreachable with any code (RFC 792;
     * Linux's icmp_err_convert), time exceeded, or another type; the quoted sequence number moved
     * sometimes (tcp_v4_err checks it against the window).
     */
    static byte[] icmpFor(SplittableRandom r, byte[] p, StringBuilder how) {
        int src = r.nextBoolean() ? Ipv4.dst(p, 0) : ROUTER;
        int dst = Ipv4.src(p, 0);
        byte[] q = p.clone();
        int qhl = Ipv4.headerLength(q, 0);
        if (r.nextInt(3) == 0 && q.length >= qhl + 8) {
            int d = delta(r, 65_535, 1460);
            put32(q, qhl + 4, TcpHeader.seq(q, qhl) + d);
            how.append("quoted seq").append(sign(d)).append(' ');
        }
        int qlen = switch (r.nextInt(6)) {
            case 0 -> q.length;
            case 1 -> r.nextInt(q.length + 1);
            default -> Math.min(q.length, qhl + 8);
        };
        int type = switch (r.nextInt(8)) {
            case 0 -> Icmp.TYPE_TIME_EXCEEDED;
            case 1 -> r.nextInt(256);
            default -> Icmp.TYPE_DEST_UNREACH;
        };
        int code = r.nextInt(4) == 0 ? r.nextInt(256) : r.nextInt(16);
        how.append("icmp ").append(type).append('/').append(code).append(" quoting ").append(qlen).append(" bytes ");
        byte[] b = new byte[Ipv4.HEADER_LEN + Icmp.HEADER_LEN + qlen];
        Ipv4.write(b, 0, src, dst, Ipv4.PROTO_ICMP, Ipv4.DEFAULT_TTL, 0, Icmp.HEADER_LEN + qlen);
        int i = Ipv4.HEADER_LEN;
        b[i] = (byte) type;
        b[i + 1] = (byte) code;
        if (code == Icmp.FRAG_NEEDED) put16(b, i + 6, r.nextInt(65_536));
        System.arraycopy(q, 0, b, i + Icmp.HEADER_LEN, qlen);
        put16(b, i + 2, Checksum.compute(b, i, Icmp.HEADER_LEN + qlen));
        if (r.nextInt(10) == 0) {
            b[i + 2] ^= 0x40;
            how.append("!icmpcsum ");
        }
        return b;
    }

    private static int i32(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    private static int put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
        return off + 2;
    }

    private static int put32(byte[] b, int off, int v) {
        put16(b, off, v >>> 16);
        return put16(b, off + 2, v);
    }
}
