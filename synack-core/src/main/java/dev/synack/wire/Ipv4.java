package dev.synack.wire;

import static dev.synack.wire.Bytes.*;

/**
 * The IPv4 header (RFC 791 §3.1), read and written in place.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options                    |    Padding    |
 * </pre>
 *
 * <p>Accessors take the offset of the header in {@code b} and assume {@link #validate} has passed (or at
 * least that 20 bytes are there).
 */
public final class Ipv4 {
    private Ipv4() {}

    /** Length of a header without options, in bytes. */
    public static final int HEADER_LEN = 20;
    /** Protocol number of ICMP (RFC 792). */
    public static final int PROTO_ICMP = 1;
    /** Protocol number of TCP (RFC 9293). */
    public static final int PROTO_TCP = 6;
    /** Linux's default TTL (sysctl net.ipv4.ip_default_ttl). */
    public static final int DEFAULT_TTL = 64;

    /** The ECN field, the two low bits of the TOS byte (RFC 3168 §5; Linux INET_ECN_MASK). */
    public static final int ECN_MASK = 3;
    /** ECN codepoints (RFC 3168 §5): Not-ECT, ECT(1), ECT(0) and CE, as Linux's INET_ECN_* values. */
    public static final int NOT_ECT = 0, ECT_1 = 1, ECT_0 = 2, CE = 3;

    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int OFFSET_MASK = 0x1FFF;

    /** The version field (4 for IPv4). */
    public static int version(byte[] b, int off) { return (b[off] & 0xFF) >>> 4; }

    /** The IHL field: header length in 32-bit words. */
    public static int ihl(byte[] b, int off) { return b[off] & 0x0F; }

    /** Header length in bytes (IHL * 4); the payload starts here, after any IP options. */
    public static int headerLength(byte[] b, int off) { return (b[off] & 0x0F) << 2; }

    /** The type-of-service / DSCP+ECN byte (RFC 2474, RFC 3168). */
    public static int tos(byte[] b, int off) { return b[off + 1] & 0xFF; }

    /** The ECN field (RFC 3168 §5): {@link #NOT_ECT}, {@link #ECT_1}, {@link #ECT_0} or {@link #CE}. */
    public static int ecn(byte[] b, int off) { return b[off + 1] & ECN_MASK; }

    /**
     * Sets the ECN field of a header in place to {@code ecn} and updates the header checksum
     * incrementally (RFC 1624), as a router's AQM marks CE (Linux INET_ECN_set_ce → IP_ECN_set_ce).
     */
    public static void setEcn(byte[] b, int off, int ecn) {
        int oldWord = u16(b, off);
        int newWord = (oldWord & ~ECN_MASK) | (ecn & ECN_MASK);
        if (newWord == oldWord) return;
        b[off + 1] = (byte) newWord;
        // HC' = ~(~HC + ~m + m')  (RFC 1624 eqn. 3)
        int sum = (~checksum(b, off) & 0xFFFF) + (~oldWord & 0xFFFF) + newWord;
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        put16(b, off + 10, ~sum & 0xFFFF);
    }

    /** Total length of the datagram in bytes, header included. */
    public static int totalLength(byte[] b, int off) { return u16(b, off + 2); }

    /** The identification field. */
    public static int identification(byte[] b, int off) { return u16(b, off + 4); }

    /** Whether the Don't Fragment flag is set. */
    public static boolean dontFragment(byte[] b, int off) { return (u16(b, off + 6) & FLAG_DF) != 0; }

    /** Whether the More Fragments flag is set. */
    public static boolean moreFragments(byte[] b, int off) { return (u16(b, off + 6) & FLAG_MF) != 0; }

    /** The fragment offset field as on the wire, in units of 8 bytes (RFC 791 §3.1). */
    public static int fragmentOffset(byte[] b, int off) { return u16(b, off + 6) & OFFSET_MASK; }

    /** Time to live. */
    public static int ttl(byte[] b, int off) { return b[off + 8] & 0xFF; }

    /** The protocol of the payload ({@link #PROTO_TCP}, {@link #PROTO_ICMP}, ...). */
    public static int protocol(byte[] b, int off) { return b[off + 9] & 0xFF; }

    /** The header checksum field. */
    public static int checksum(byte[] b, int off) { return u16(b, off + 10); }

    /** Source address. */
    public static int src(byte[] b, int off) { return i32(b, off + 12); }

    /** Destination address. */
    public static int dst(byte[] b, int off) { return i32(b, off + 16); }

    /**
     * Checks a received datagram of {@code len} bytes at {@code off} in the order Linux's ip_rcv_core
     * (net/ipv4/ip_input.c) does: at least 20 bytes; version 4; IHL ≥ 5 and within {@code len}; header
     * checksum; total length not beyond {@code len} and not below IHL*4; then no fragment. Bytes beyond the
     * total length are link padding and ignored. IP options are allowed; the payload starts at
     * {@link #headerLength}.
     *
     * @return {@code null} when the datagram is acceptable, else why it must be dropped
     */
    public static DropReason validate(byte[] b, int off, int len) {
        if (len < HEADER_LEN) return DropReason.TRUNCATED;
        if (version(b, off) != 4) return DropReason.BAD_IP_VERSION;
        int hl = headerLength(b, off);
        if (hl < HEADER_LEN || hl > len) return DropReason.BAD_IP_HEADER_LENGTH;
        if (Checksum.compute(b, off, hl) != 0) return DropReason.BAD_IP_CHECKSUM;
        int total = totalLength(b, off);
        if (total > len) return DropReason.TRUNCATED;
        if (total < hl) return DropReason.BAD_IP_TOTAL_LENGTH;
        if ((u16(b, off + 6) & (FLAG_MF | OFFSET_MASK)) != 0) return DropReason.IP_FRAGMENT;
        return null;
    }

    /**
     * Writes a 20-byte header without options: TOS 0, DF set, fragment offset 0, and a correct checksum.
     *
     * @param payloadLen the bytes that follow the header (total length is 20 + payloadLen)
     * @return 20, the bytes written
     * @throws IllegalArgumentException if the total length would exceed 65535
     */
    public static int write(byte[] b, int off, int src, int dst, int protocol, int ttl, int id, int payloadLen) {
        return write(b, off, src, dst, protocol, ttl, id, payloadLen, 0);
    }

    /**
     * As {@link #write(byte[], int, int, int, int, int, int, int)}, with the TOS byte {@code tos} (DSCP
     * and the ECN field: e.g. {@link #ECT_0} for an ECN-capable TCP segment).
     */
    public static int write(byte[] b, int off, int src, int dst, int protocol, int ttl, int id, int payloadLen, int tos) {
        if (payloadLen < 0 || payloadLen > 0xFFFF - HEADER_LEN) {
            throw new IllegalArgumentException("IPv4 payload length out of range: " + payloadLen);
        }
        b[off] = 0x45;
        b[off + 1] = (byte) tos;
        put16(b, off + 2, HEADER_LEN + payloadLen);
        put16(b, off + 4, id);
        put16(b, off + 6, FLAG_DF);
        b[off + 8] = (byte) ttl;
        b[off + 9] = (byte) protocol;
        put16(b, off + 10, 0);
        put32(b, off + 12, src);
        put32(b, off + 16, dst);
        put16(b, off + 10, Checksum.compute(b, off, HEADER_LEN));
        return HEADER_LEN;
    }

    /** Dotted-quad text of an address, e.g. {@code "198.18.0.1"}. */
    public static String format(int addr) {
        return (addr >>> 24) + "." + ((addr >>> 16) & 0xFF) + "." + ((addr >>> 8) & 0xFF) + "." + (addr & 0xFF);
    }

    /**
     * Parses dotted-quad text: exactly four decimal octets 0..255 without signs, spaces or leading zeros
     * (a leading zero means octal to inet_aton, so it is refused as ambiguous).
     *
     * @throws IllegalArgumentException on any other text; this is for configuration, not packets
     */
    public static int parse(String dotted) {
        if (dotted == null) throw new IllegalArgumentException("IPv4 address is null");
        int addr = 0;
        int octets = 0;
        int i = 0;
        int n = dotted.length();
        while (true) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 4 && dotted.charAt(i) >= '0' && dotted.charAt(i) <= '9') {
                value = value * 10 + (dotted.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3) throw bad(dotted, "expected 1 to 3 decimal digits at index " + start);
            if (digits > 1 && dotted.charAt(start) == '0') throw bad(dotted, "leading zero in octet " + (octets + 1));
            if (value > 255) throw bad(dotted, "octet " + (octets + 1) + " is " + value + ", above 255");
            addr = (addr << 8) | value;
            octets++;
            if (octets == 4) {
                if (i != n) throw bad(dotted, "unexpected text after the fourth octet");
                return addr;
            }
            if (i >= n || dotted.charAt(i) != '.') throw bad(dotted, "expected '.' at index " + i);
            i++;
        }
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("not an IPv4 address \"" + text + "\": " + why);
    }
}
