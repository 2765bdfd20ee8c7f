package dev.synack.wire;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A TCP segment as a value (RFC 9293 §3.1), for tests, traces and pcap; the hot path reads headers in place
 * with {@link TcpHeader}. Sequence and acknowledgment numbers have an unsigned meaning; callers may also
 * put relative numbers here for display.
 *
 * <p>{@code toString()} is packetdrill syntax, e.g.
 * {@code S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 10>} or
 * {@code P. 1:101(100) ack 1 win 502 <nop,nop,TS val 5 ecr 4>}.
 *
 * @param srcPort source port, 0..65535
 * @param dstPort destination port, 0..65535
 * @param seq sequence number
 * @param ack acknowledgment number (meaningful with {@link TcpHeader#ACK})
 * @param flags the eight flag bits, 0..255
 * @param window window field as on the wire (unscaled), 0..65535
 * @param options options in wire order; they must encode to at most 40 bytes
 * @param payload the data (copied in and out)
 */
public record TcpSegment(int srcPort, int dstPort, int seq, int ack, int flags, int window,
                         List<TcpOption> options, byte[] payload) {

    /** Checks ranges, copies the options list and the payload. */
    public TcpSegment {
        checkRange("srcPort", srcPort, 0xFFFF);
        checkRange("dstPort", dstPort, 0xFFFF);
        checkRange("flags", flags, 0xFF);
        checkRange("window", window, 0xFFFF);
        options = List.copyOf(options);
        payload = Objects.requireNonNull(payload, "payload").clone();
        int optLen = TcpOption.encodedLength(options);
        if (optLen > TcpHeader.MAX_OPTIONS_LEN) {
            throw new IllegalArgumentException("TCP options take " + optLen + " bytes, more than 40: " + options);
        }
    }

    /**
     * Decodes the {@code len}-byte segment at {@code off}; the payload runs from the data offset to
     * {@code len}. The checksum is not checked (the caller validated with {@link TcpHeader#validate}).
     *
     * @return the segment, or TRUNCATED (under 20 bytes), BAD_TCP_OFFSET or BAD_TCP_OPTION
     */
    public static Decoded<TcpSegment> decode(byte[] b, int off, int len) {
        if (len < TcpHeader.HEADER_LEN) return Decoded.malformed(DropReason.TRUNCATED);
        int doff = TcpHeader.dataOffset(b, off);
        if (doff < TcpHeader.HEADER_LEN || doff > len) return Decoded.malformed(DropReason.BAD_TCP_OFFSET);
        Decoded<List<TcpOption>> opts =
                TcpOption.decodeAll(b, off + TcpHeader.HEADER_LEN, doff - TcpHeader.HEADER_LEN);
        return switch (opts) {
            case Decoded.Malformed<List<TcpOption>> m -> Decoded.malformed(m.reason());
            case Decoded.Ok<List<TcpOption>> ok -> Decoded.ok(new TcpSegment(
                    TcpHeader.srcPort(b, off), TcpHeader.dstPort(b, off),
                    TcpHeader.seq(b, off), TcpHeader.ack(b, off),
                    TcpHeader.flags(b, off), TcpHeader.window(b, off),
                    ok.value(), Arrays.copyOfRange(b, off + doff, off + len)));
        };
    }

    /** The payload (a copy). */
    @Override
    public byte[] payload() { return payload.clone(); }

    /** Payload length in bytes. */
    public int payloadLength() { return payload.length; }

    /** Whether every bit of {@code flag} is set, e.g. {@code has(TcpHeader.SYN)}. */
    public boolean has(int flag) { return (flags & flag) == flag; }

    /** Option bytes rounded up to a multiple of 4. */
    private int paddedOptionsLength() { return (TcpOption.encodedLength(options) + 3) & ~3; }

    /** Bytes {@link #encode} writes: 20, plus options padded to 4, plus payload. */
    public int encodedLength() { return TcpHeader.HEADER_LEN + paddedOptionsLength() + payload.length; }

    /** Sequence space the segment takes (RFC 9293 §3.4): payload length, plus 1 for SYN, plus 1 for FIN. */
    public int seqLength() {
        return payload.length + ((flags & TcpHeader.SYN) != 0 ? 1 : 0) + ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
    }

    /**
     * Writes header, options, payload and checksum (with the pseudo-header of the two addresses). Options
     * whose length is not a multiple of 4 are padded with zero bytes (EOL), which decode as a trailing
     * {@link TcpOption.Eol}. Urgent pointer and reserved bits are 0.
     *
     * @return bytes written, {@link #encodedLength()}
     */
    public int encode(byte[] b, int off, int srcAddr, int dstAddr) {
        int padded = paddedOptionsLength();
        int hl = TcpHeader.writeHeader(b, off, srcPort, dstPort, seq, ack, flags, window, padded);
        int n = TcpOption.encodeAll(options, b, off + TcpHeader.HEADER_LEN);
        Arrays.fill(b, off + TcpHeader.HEADER_LEN + n, off + hl, (byte) 0);
        System.arraycopy(payload, 0, b, off + hl, payload.length);
        int len = hl + payload.length;
        TcpHeader.writeChecksum(b, off, len, srcAddr, dstAddr);
        return len;
    }

    /** Equal when all fields and the payload bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TcpSegment s && s.srcPort == srcPort && s.dstPort == dstPort && s.seq == seq
                && s.ack == ack && s.flags == flags && s.window == window && s.options.equals(options)
                && Arrays.equals(s.payload, payload);
    }

    /** Hash over all fields and the payload bytes. */
    @Override
    public int hashCode() {
        return Objects.hash(srcPort, dstPort, seq, ack, flags, window, options) * 31 + Arrays.hashCode(payload);
    }

    /**
     * Packetdrill text, {@link SegmentText#format(TcpSegment)}: {@code flags seq:seq+len(len) [ack N] win W
     * [<options>]}, numbers unsigned, {@code -} for no flags.
     */
    @Override
    public String toString() { return SegmentText.format(this); }

    private static void checkRange(String what, int v, int hi) {
        if (v < 0 || v > hi) throw new IllegalArgumentException(what + " must be in 0.." + hi + ": " + v);
    }
}
