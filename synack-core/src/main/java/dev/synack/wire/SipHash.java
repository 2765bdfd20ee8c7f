package dev.synack.wire;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012), the keyed hash Linux
 * uses for the values it puts on the wire from secrets: ISNs, timestamp offsets and port offsets
 * (net/core/secure_seq.c), SYN cookies (net/ipv4/syncookies.c) and Fast Open cookies
 * (net/ipv4/tcp_fastopen.c). Written from the paper; checked against its reference vectors
 * (SipHashTest). The message is read as little-endian 64-bit words, and the tag is the reference
 * implementation's output read as a little-endian number.
 */
public final class SipHash {
    private final long k0, k1;

    /** A hash under the 128-bit key ({@code k0}, {@code k1}), each half a little-endian word. */
    public SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** The tag of the 16-byte message whose little-endian words are {@code m0} and {@code m1}. */
    public long hash(long m0, long m1) {
        long[] v = init(k0, k1);
        compress(v, m0);
        compress(v, m1);
        return finish(v, 16L << 56); // length 16 bytes in the last block
    }

    /** The tag of {@code len} bytes of {@code m} from {@code off}. */
    public long hash(byte[] m, int off, int len) { return hash24(k0, k1, m, off, len); }

    /** The tag of {@code len} bytes of {@code m} from {@code off} under the key ({@code k0}, {@code k1}). */
    public static long hash24(long k0, long k1, byte[] m, int off, int len) {
        long[] v = init(k0, k1);
        int end = off + len - (len % 8);
        for (int i = off; i < end; i += 8) compress(v, le64(m, i, 8));
        return finish(v, ((long) (len & 0xFF)) << 56 | le64(m, end, len % 8));
    }

    /** {@code n} (0..8) bytes at {@code off} as a little-endian number. */
    public static long le64(byte[] b, int off, int n) {
        long x = 0;
        for (int i = n - 1; i >= 0; i--) x = x << 8 | (b[off + i] & 0xFFL);
        return x;
    }

    private static long[] init(long k0, long k1) {
        return new long[] {0x736f6d6570736575L ^ k0, 0x646f72616e646f6dL ^ k1, 0x6c7967656e657261L ^ k0, 0x7465646279746573L ^ k1};
    }

    private static long finish(long[] v, long lastBlock) {
        compress(v, lastBlock);
        v[2] ^= 0xFF;
        for (int i = 0; i < 4; i++) round(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void compress(long[] v, long m) {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    }

    private static void round(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13) ^ v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16) ^ v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21) ^ v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17) ^ v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }
}
