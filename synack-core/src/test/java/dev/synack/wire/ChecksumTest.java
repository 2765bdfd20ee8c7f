package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    @Test
    void rfc1071Example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (after the carry); checksum is ~ddf2.
        byte[] b = Ref.hex("00 01 f2 03 f4 f5 f6 f7");
        assertEquals(0xddf2, 0xFFFF - Checksum.compute(b, 0, b.length));
        assertEquals(0x220d, Checksum.compute(b, 0, b.length));
    }

    @Test
    void oddLengthPadsWithZero() {
        byte[] b = Ref.hex("01 02 03");
        assertEquals(Ref.checksum(b), Checksum.compute(b, 0, 3));
        // 0x0102 + 0x0300 = 0x0402
        assertEquals(~0x0402 & 0xFFFF, Checksum.compute(b, 0, 3));
    }

    @Test
    void matchesReferenceOnRandomBuffersAndOffsets() {
        Random r = new Random(42);
        for (int n = 0; n < 2000; n++) {
            int len = r.nextInt(200);
            int off = r.nextInt(7);
            byte[] b = new byte[off + len + r.nextInt(5)];
            r.nextBytes(b);
            byte[] slice = java.util.Arrays.copyOfRange(b, off, off + len);
            assertEquals(Ref.checksum(slice), Checksum.compute(b, off, len), "len " + len + " off " + off);
        }
    }

    @Test
    void evenPiecesChainLikeOneBuffer() {
        byte[] b = new byte[101];
        new Random(7).nextBytes(b);
        long acc = Checksum.add(0, b, 0, 10);
        acc = Checksum.add(acc, b, 10, 6);
        acc = Checksum.add(acc, b, 16, 85);
        assertEquals(Checksum.compute(b, 0, 101), Checksum.finish(acc));
    }

    @Test
    void allOnesAndZeros() {
        assertEquals(0xFFFF, Checksum.compute(new byte[4], 0, 4));
        byte[] ff = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        assertEquals(0, Checksum.compute(ff, 0, 4));
        assertEquals(0xFFFF, Checksum.finish(0));
    }

    @Test
    void largeBufferDoesNotOverflow() {
        byte[] b = new byte[65535];
        java.util.Arrays.fill(b, (byte) 0xFF);
        assertEquals(Ref.checksum(b), Checksum.compute(b, 0, b.length));
    }

    @Test
    void pseudoHeaderMatchesBytes() {
        int src = Ipv4.parse("198.18.0.1");
        int dst = Ipv4.parse("203.0.113.250");
        byte[] ph = Ref.hex("c6 12 00 01 cb 00 71 fa 00 06 05 dc");
        assertEquals(Ref.checksum(ph), Checksum.finish(Checksum.pseudoHeader(src, dst, 6, 1500)));
        assertEquals(Checksum.finish(Checksum.add(0, ph, 0, ph.length)),
                Checksum.finish(Checksum.add16(Checksum.pseudoHeader(src, dst, 6, 0), 1500)));
    }
}
