package dev.synack.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4), on plain {@code int}s.
 *
 * <p>A sequence number is an unsigned 32-bit value held in an {@code int}; two numbers compare by the
 * sign of their difference, which is right while they are less than 2^31 apart (as gVisor's
 * {@code seqnum} and Linux's {@code before()/after()} in include/net/tcp.h do).
 */
public final class Seq {
    private Seq() {}

    /** {@code a < b} modulo 2^32. Linux: {@code before(a, b)}. */
    public static boolean lt(int a, int b) { return a - b < 0; }

    /** {@code a <= b} modulo 2^32. */
    public static boolean le(int a, int b) { return a - b <= 0; }

    /** {@code a > b} modulo 2^32. Linux: {@code after(a, b)}. */
    public static boolean gt(int a, int b) { return a - b > 0; }

    /** {@code a >= b} modulo 2^32. */
    public static boolean ge(int a, int b) { return a - b >= 0; }

    /** {@code lo <= x < hi} modulo 2^32 (an empty range when {@code lo == hi}). */
    public static boolean inRange(int x, int lo, int hi) { return x - lo >= 0 && x - hi < 0; }

    /** {@code lo <= x <= hi} modulo 2^32. Linux: {@code between(x, lo, hi)}. */
    public static boolean between(int x, int lo, int hi) { return hi - lo >= x - lo; }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) { return gt(a, b) ? a : b; }

    /** The earlier of two sequence numbers. */
    public static int min(int a, int b) { return lt(a, b) ? a : b; }

    /** The distance from {@code from} to {@code to} as a signed int ({@code to - from}). */
    public static int diff(int to, int from) { return to - from; }

    /** The unsigned value, for printing. */
    public static long unsigned(int seq) { return seq & 0xFFFF_FFFFL; }
}
