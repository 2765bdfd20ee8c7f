package dev.synack.wire;

import static dev.synack.wire.Bytes.*;

/**
 * ICMP for IPv4 (RFC 792), as far as a TCP stack needs it: destination unreachable messages, sent and
 * received, and the original datagram they quote.
 *
 * <pre>
 * |     Type      |     Code      |          Checksum             |
 * |           unused (0)          |   Next-Hop MTU (RFC 1191)     |
 * |      Internet Header + 64 bits of Original Data Datagram      |
 * </pre>
 *
 * <p>Offsets {@code off} are those of the ICMP header (the IP payload).
 */
public final class Icmp {
    private Icmp() {}

    /** Length of the ICMP header in bytes. */
    public static final int HEADER_LEN = 8;
    /** Bytes of the original payload quoted after its IP header (RFC 792: "64 bits of Data Datagram"). */
    public static final int QUOTED_PAYLOAD_LEN = 8;

    /** Type: echo reply (RFC 792). */
    public static final int TYPE_ECHO_REPLY = 0;
    /** Type: destination unreachable (RFC 792). */
    public static final int TYPE_DEST_UNREACH = 3;
    /** Type: echo request (RFC 792). */
    public static final int TYPE_ECHO_REQUEST = 8;
    /** Type: time exceeded (RFC 792). */
    public static final int TYPE_TIME_EXCEEDED = 11;

    /** Code: net unreachable. */
    public static final int NET_UNREACH = 0;
    /** Code: host unreachable. */
    public static final int HOST_UNREACH = 1;
    /** Code: protocol unreachable. */
    public static final int PROTO_UNREACH = 2;
    /** Code: port unreachable. */
    public static final int PORT_UNREACH = 3;
    /** Code: fragmentation needed and DF set; bytes 6..7 carry the next-hop MTU (RFC 1191 §4). */
    public static final int FRAG_NEEDED = 4;
    /** Code: destination network administratively prohibited (RFC 1122 §3.2.2.1). */
    public static final int NET_PROHIBITED = 9;
    /** Code: destination host administratively prohibited (RFC 1122 §3.2.2.1). */
    public static final int HOST_PROHIBITED = 10;
    /** Code: communication administratively prohibited (RFC 1812 §5.2.7.1). */
    public static final int ADMIN_PROHIBITED = 13;

    /** The type field. */
    public static int type(byte[] b, int off) { return b[off] & 0xFF; }

    /** The code field. */
    public static int code(byte[] b, int off) { return b[off + 1] & 0xFF; }

    /** The checksum field. */
    public static int checksum(byte[] b, int off) { return u16(b, off + 2); }

    /** Next-hop MTU of a "fragmentation needed" message (RFC 1191 §4); 0 from routers predating it. */
    public static int nextHopMtu(byte[] b, int off) { return u16(b, off + 6); }

    /**
     * Checks an ICMP message of {@code len} bytes: at least the 8-byte header, then the checksum over the
     * whole message (RFC 792).
     *
     * @return {@code null} when fine, else BAD_ICMP or BAD_ICMP_CHECKSUM
     */
    public static DropReason validate(byte[] b, int off, int len) {
        if (len < HEADER_LEN) return DropReason.BAD_ICMP;
        if (Checksum.compute(b, off, len) != 0) return DropReason.BAD_ICMP_CHECKSUM;
        return null;
    }

    /** Bytes {@link #writeDestUnreachable} quotes of an original datagram: its IP header plus 8, at most origLen. */
    public static int quoteLength(byte[] original, int origOff, int origLen) {
        if (origLen <= 0) return 0;
        return Math.min(origLen, Ipv4.headerLength(original, origOff) + QUOTED_PAYLOAD_LEN);
    }

    /**
     * Writes a destination unreachable message quoting the original datagram's IP header (options included)
     * and the first 8 bytes of its payload (RFC 792; RFC 1812 §4.3.2.3 allows more, and Linux quotes up to
     * 576 bytes in all, but header + 8 is all a receiver needs to find the connection).
     *
     * @param code one of the codes above
     * @param nextHopMtu the MTU for {@link #FRAG_NEEDED}, else 0
     * @return bytes written: {@code 8 + quoteLength(original, origOff, origLen)}
     */
    public static int writeDestUnreachable(byte[] b, int off, int code, int nextHopMtu,
                                           byte[] original, int origOff, int origLen) {
        int q = quoteLength(original, origOff, origLen);
        b[off] = TYPE_DEST_UNREACH;
        b[off + 1] = (byte) code;
        put16(b, off + 2, 0);
        put16(b, off + 4, 0);
        put16(b, off + 6, nextHopMtu);
        System.arraycopy(original, origOff, b, off + HEADER_LEN, q);
        int len = HEADER_LEN + q;
        put16(b, off + 2, Checksum.compute(b, off, len));
        return len;
    }

    /**
     * Checks that the {@code len}-byte ICMP error at {@code off} quotes an IPv4 header (version 4, IHL ≥ 5)
     * and at least 8 bytes of its payload, as Linux's icmp_unreach and icmp_socket_deliver require before
     * looking up the socket. The quoted checksum and lengths are not checked: the quote is truncated.
     *
     * @return {@code null} when the {@code quoted*} accessors may be used, else BAD_ICMP_QUOTE
     */
    public static DropReason validateQuote(byte[] b, int off, int len) {
        int q = off + HEADER_LEN;
        int qlen = len - HEADER_LEN;
        if (qlen < Ipv4.HEADER_LEN) return DropReason.BAD_ICMP_QUOTE;
        if (Ipv4.version(b, q) != 4) return DropReason.BAD_ICMP_QUOTE;
        int hl = Ipv4.headerLength(b, q);
        if (hl < Ipv4.HEADER_LEN || qlen < hl + QUOTED_PAYLOAD_LEN) return DropReason.BAD_ICMP_QUOTE;
        return null;
    }

    /** Source address of the quoted datagram (us, for an error about a packet we sent). */
    public static int quotedSrc(byte[] b, int off) { return Ipv4.src(b, off + HEADER_LEN); }

    /** Destination address of the quoted datagram. */
    public static int quotedDst(byte[] b, int off) { return Ipv4.dst(b, off + HEADER_LEN); }

    /** Protocol of the quoted datagram. */
    public static int quotedProtocol(byte[] b, int off) { return Ipv4.protocol(b, off + HEADER_LEN); }

    /** Offset in {@code b} of the quoted datagram's payload (after its IP header and options). */
    public static int quotedPayloadOffset(byte[] b, int off) {
        return off + HEADER_LEN + Ipv4.headerLength(b, off + HEADER_LEN);
    }

    /** Source port of the quoted TCP (or UDP) header. */
    public static int quotedSrcPort(byte[] b, int off) { return u16(b, quotedPayloadOffset(b, off)); }

    /** Destination port of the quoted TCP (or UDP) header. */
    public static int quotedDstPort(byte[] b, int off) { return u16(b, quotedPayloadOffset(b, off) + 2); }

    /** Sequence number of the quoted TCP header (Linux tcp_v4_err checks it lies in snd_una..snd_nxt). */
    public static int quotedTcpSeq(byte[] b, int off) { return i32(b, quotedPayloadOffset(b, off) + 4); }
}
