package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** SipHash-2-4 against its authors' published vectors; the two-word form against the byte form. */
class SipHashTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The reference key 00..0f and message 00..n-1 of the SipHash authors' vectors.h (tags as little-endian bytes). */
    @Test
    void matchesThePublishedVectors() {
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i++) key[i] = (byte) i;
        long k0 = SipHash.le64(key, 0, 8), k1 = SipHash.le64(key, 8, 8);
        String[] tags = {"310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785",
                "b7877127e09427cf", "8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab",
                "6224939a79f5f593", "b0e4a90bdf82009e"};
        byte[] m = new byte[16];
        for (int i = 0; i < 16; i++) m[i] = (byte) i;
        for (int n = 0; n < tags.length; n++) {
            long tag = SipHash.hash24(k0, k1, m, 0, n);
            assertEquals(tags[n], HEX.formatHex(le(tag)), "length " + n);
        }
        // The paper's Appendix A example: 15 bytes 00..0e.
        assertEquals(0xa129ca6149be45e5L, SipHash.hash24(k0, k1, m, 0, 15));
    }

    /** The 16-byte form Linux's ISN and port hashes use (siphash_2u64) is the byte form of the same 16 bytes. */
    @Test
    void twoWordsAreSixteenBytes() {
        byte[] m = new byte[16];
        for (int i = 0; i < 16; i++) m[i] = (byte) (0x30 + 7 * i);
        var h = new SipHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
        assertEquals(h.hash(m, 0, 16), h.hash(SipHash.le64(m, 0, 8), SipHash.le64(m, 8, 8)));
    }

    /** A tag's bytes as the reference implementation writes them (little-endian). */
    private static byte[] le(long x) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (x >>> (8 * i));
        return b;
    }
}
