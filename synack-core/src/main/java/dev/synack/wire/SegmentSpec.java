package dev.synack.wire;

import java.util.List;

/**
 * One TCP segment as text gives it, in packetdrill's syntax ({@link SegmentText} parses and prints it):
 * {@code [ect0] P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 1 ecr 2>}. The numbers are those of the
 * text, usually relative to an initial sequence number; which one is the caller's business (the test
 * DSL, the packetdrill runner and the lab each relate them to their own ISNs).
 *
 * <p>A part the text leaves out is null: an expectation then does not check it, an injected segment
 * takes a default. Which default is the caller's (packetdrill's ack 0 with the ACK flag, window
 * 65535, no options).
 *
 * @param ecn the IP ECN field written in brackets before the flags, or null
 * @param flags the TCP flag bits, 0..255
 * @param seq the start sequence number as written (it may be negative or above 2^31; only its low 32
 *     bits go on the wire)
 * @param length payload bytes, 0..65535 ({@code seq:end(length)}, with end = seq + length modulo 2^32)
 * @param ack the acknowledgment number, 0..4294967295, or null when not written
 * @param window the window field, 0..65535, or null when not written
 * @param urgent the urgent pointer, 0..65535, or null when not written
 * @param options the options in order; {@code <>} is an empty list; null when the text has no option
 *     part, or has {@code <...>}
 * @param anyOptions whether the text has {@code <...>}: whatever options (unchecked); then
 *     {@code options} is null
 */
public record SegmentSpec(Ecn ecn, int flags, long seq, int length, Long ack, Integer window, Integer urgent,
                          List<TcpOption> options, boolean anyOptions) {

    /** The IP ECN field as packetdrill writes it: {@code [noecn]}, {@code [ect0]}, {@code [ect1]}, {@code [ce]}, {@code [ect01]}. */
    public enum Ecn {
        /** Not ECN-capable (00). */
        NOECN,
        /** ECT(0) (10). */
        ECT0,
        /** ECT(1) (01). */
        ECT1,
        /** Congestion experienced (11). */
        CE,
        /** Either ECT codepoint (a pattern, for expected packets). */
        ECT01;

        /** The codepoint in the two low bits of the IP TOS byte: NOECN, ECT1, ECT0 or CE. */
        public static Ecn of(int bits) {
            return switch (bits & 3) {
                case 0 -> NOECN;
                case 1 -> ECT1;
                case 2 -> ECT0;
                default -> CE;
            };
        }

        /** The name as written, e.g. {@code ect0}. */
        @Override
        public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** Checks ranges and copies the options. */
    public SegmentSpec {
        check("flags", flags, 0xFF);
        check("length", length, 0xFFFF);
        if (ack != null && (ack < 0 || ack > 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException("ack must be in 0..4294967295: " + ack);
        }
        if (window != null) check("window", window, 0xFFFF);
        if (urgent != null) check("urgent pointer", urgent, 0xFFFF);
        if (anyOptions && options != null) throw new IllegalArgumentException("<...> with options " + options);
        if (options != null) options = List.copyOf(options);
    }

    /**
     * A segment as a host sent it, for printing: no ECN field and no urgent pointer; options written
     * only when there are some.
     *
     * @param ack the ack, or null for a segment without ACK
     */
    public static SegmentSpec of(int flags, long seq, int length, Long ack, Integer window, List<TcpOption> options) {
        return new SegmentSpec(null, flags, seq, length, ack, window, null,
                options == null || options.isEmpty() ? null : options, false);
    }

    /** The options written, or none (also for {@code <...>}): what an injected segment carries. */
    public List<TcpOption> optionsOrNone() { return options == null ? List.of() : options; }

    /** This segment with another ECN field. */
    public SegmentSpec withEcn(Ecn ecn) {
        return new SegmentSpec(ecn, flags, seq, length, ack, window, urgent, options, anyOptions);
    }

    /** This segment with another ack. */
    public SegmentSpec withAck(Long ack) {
        return new SegmentSpec(ecn, flags, seq, length, ack, window, urgent, options, anyOptions);
    }

    /** The text in packetdrill's form ({@link SegmentText.Style#PACKETDRILL}). */
    @Override
    public String toString() { return SegmentText.format(this, SegmentText.Style.PACKETDRILL); }

    private static void check(String what, int v, int hi) {
        if (v < 0 || v > hi) throw new IllegalArgumentException(what + " must be in 0.." + hi + ": " + v);
    }
}
