package dev.synack.wire;

import static dev.synack.wire.Bytes.*;

/**
 * The TCP header (RFC 9293 §3.1), read and written in place.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * |           Checksum            |         Urgent Pointer        |
 * |                           [Options]                           |
 * </pre>
 *
 * <p>Accessors take the offset of the header and assume {@link #validate} has passed.
 */
public final class TcpHeader {
    private TcpHeader() {}

    /** FIN: no more data from sender. */
    public static final int FIN = 0x01;
    /** SYN: synchronize sequence numbers. */
    public static final int SYN = 0x02;
    /** RST: reset the connection. */
    public static final int RST = 0x04;
    /** PSH: push function. */
    public static final int PSH = 0x08;
    /** ACK: the acknowledgment field is significant. */
    public static final int ACK = 0x10;
    /** URG: the urgent pointer is significant. */
    public static final int URG = 0x20;
    /** ECE: ECN-Echo (RFC 3168 §6.1). */
    public static final int ECE = 0x40;
    /** CWR: congestion window reduced (RFC 3168 §6.1). */
    public static final int CWR = 0x80;

    /** Length of a header without options, in bytes. */
    public static final int HEADER_LEN = 20;
    /** Most option bytes a header can carry (data offset 15 words). */
    public static final int MAX_OPTIONS_LEN = 40;

    /** Source port. */
    public static int srcPort(byte[] b, int off) { return u16(b, off); }

    /** Destination port. */
    public static int dstPort(byte[] b, int off) { return u16(b, off + 2); }

    /** Sequence number (unsigned meaning). */
    public static int seq(byte[] b, int off) { return i32(b, off + 4); }

    /** Acknowledgment number (unsigned meaning). */
    public static int ack(byte[] b, int off) { return i32(b, off + 8); }

    /** Data offset in bytes (the field times 4): header plus options. */
    public static int dataOffset(byte[] b, int off) { return ((b[off + 12] & 0xFF) >>> 4) << 2; }

    /** The eight flag bits (CWR..FIN); the reserved bits of byte 12 are not included. */
    public static int flags(byte[] b, int off) { return b[off + 13] & 0xFF; }

    /** The window field, unscaled. */
    public static int window(byte[] b, int off) { return u16(b, off + 14); }

    /** The checksum field. */
    public static int checksum(byte[] b, int off) { return u16(b, off + 16); }

    /** The urgent pointer field. */
    public static int urgentPointer(byte[] b, int off) { return u16(b, off + 18); }

    /**
     * Checks a received segment of {@code len} bytes in the order Linux's tcp_v4_rcv does: at least 20
     * bytes, data offset ≥ 20 and ≤ {@code len}, then the checksum over pseudo-header and the whole segment
     * (RFC 9293 §3.1). Options are not looked at here; see {@link TcpOptions#parse}.
     *
     * @return {@code null} when the segment is acceptable, else why it must be dropped
     */
    public static DropReason validate(byte[] b, int off, int len, int srcAddr, int dstAddr) {
        if (len < HEADER_LEN) return DropReason.TRUNCATED;
        int doff = dataOffset(b, off);
        if (doff < HEADER_LEN || doff > len) return DropReason.BAD_TCP_OFFSET;
        long acc = Checksum.pseudoHeader(srcAddr, dstAddr, Ipv4.PROTO_TCP, len);
        if (Checksum.finish(Checksum.add(acc, b, off, len)) != 0) return DropReason.BAD_TCP_CHECKSUM;
        return null;
    }

    /**
     * Writes the fixed 20 bytes of a header: data offset {@code 20 + optionsLen}, reserved bits 0, the
     * checksum field zeroed (fill it with {@link #writeChecksum}) and urgent pointer 0. The options follow
     * at {@code off + 20}; write them with {@link TcpOptionWriter}.
     *
     * @return the header length, {@code 20 + optionsLen}
     * @throws IllegalArgumentException if optionsLen is not a multiple of 4 in 0..40
     */
    public static int writeHeader(byte[] b, int off, int srcPort, int dstPort, int seq, int ack, int flags,
                                  int window, int optionsLen) {
        if (optionsLen < 0 || optionsLen > MAX_OPTIONS_LEN || (optionsLen & 3) != 0) {
            throw new IllegalArgumentException("TCP options length must be a multiple of 4 in 0..40: " + optionsLen);
        }
        int hl = HEADER_LEN + optionsLen;
        put16(b, off, srcPort);
        put16(b, off + 2, dstPort);
        put32(b, off + 4, seq);
        put32(b, off + 8, ack);
        b[off + 12] = (byte) ((hl >>> 2) << 4);
        b[off + 13] = (byte) flags;
        put16(b, off + 14, window);
        put16(b, off + 16, 0);
        put16(b, off + 18, 0);
        return hl;
    }

    /**
     * Computes and stores the checksum of the {@code segLen}-byte segment at {@code off} (header, options and
     * payload) with the pseudo-header of the given addresses (RFC 9293 §3.1). The old field value is ignored.
     */
    public static void writeChecksum(byte[] b, int off, int segLen, int srcAddr, int dstAddr) {
        put16(b, off + 16, 0);
        long acc = Checksum.pseudoHeader(srcAddr, dstAddr, Ipv4.PROTO_TCP, segLen);
        put16(b, off + 16, Checksum.finish(Checksum.add(acc, b, off, segLen)));
    }

    /**
     * Flags as packetdrill and tcpdump print them, in their order: {@code F S R P}, then {@code .} for ACK,
     * then {@code U E W}. Examples: SYN → "S", SYN|ACK → "S.", ACK → ".", PSH|ACK → "P.", FIN|ACK → "F.",
     * RST|ACK → "R.". No flags → "" (empty).
     */
    public static String flagsToString(int flags) {
        StringBuilder sb = new StringBuilder(8);
        if ((flags & FIN) != 0) sb.append('F');
        if ((flags & SYN) != 0) sb.append('S');
        if ((flags & RST) != 0) sb.append('R');
        if ((flags & PSH) != 0) sb.append('P');
        if ((flags & ACK) != 0) sb.append('.');
        if ((flags & URG) != 0) sb.append('U');
        if ((flags & ECE) != 0) sb.append('E');
        if ((flags & CWR) != 0) sb.append('W');
        return sb.toString();
    }

    /**
     * Parses flags written as by {@link #flagsToString}; letters may come in any order but not twice.
     * The empty string and {@code "none"} mean no flags.
     *
     * @throws IllegalArgumentException on an unknown or repeated letter
     */
    public static int parseFlags(String s) {
        if (s == null) throw new IllegalArgumentException("TCP flags are null");
        if (s.equals("none")) return 0;
        int flags = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int f = switch (c) {
                case 'F' -> FIN;
                case 'S' -> SYN;
                case 'R' -> RST;
                case 'P' -> PSH;
                case '.' -> ACK;
                case 'U' -> URG;
                case 'E' -> ECE;
                case 'W' -> CWR;
                default -> throw new IllegalArgumentException(
                        "bad TCP flags \"" + s + "\": unknown flag '" + c + "' (expected F S R P . U E W)");
            };
            if ((flags & f) != 0) {
                throw new IllegalArgumentException("bad TCP flags \"" + s + "\": '" + c + "' appears twice");
            }
            flags |= f;
        }
        return flags;
    }
}
