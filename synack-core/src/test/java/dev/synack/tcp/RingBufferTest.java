package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RingBufferTest {

    private static byte[] seq(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (from + i);
        return b;
    }

    @Test
    void emptyRing() {
        var r = new RingBuffer(7);
        assertEquals(7, r.capacity());
        assertEquals(0, r.length());
        assertEquals(7, r.free());
        assertEquals(0, r.read(new byte[4], 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new RingBuffer(0));
        assertThrows(IllegalArgumentException.class, () -> new RingBuffer(-3));
    }

    @Test
    void writeStopsAtCapacity() {
        var r = new RingBuffer(5);
        assertEquals(5, r.write(seq(0, 8), 0, 8));
        assertEquals(0, r.free());
        assertEquals(0, r.write(seq(0, 1), 0, 1));
        byte[] out = new byte[8];
        assertEquals(5, r.read(out, 0, 8));
        assertArrayEquals(seq(0, 5), Arrays.copyOf(out, 5));
    }

    /** For a small non-power-of-two capacity, start the content at every physical position and every size. */
    @Test
    void wrapAroundAtEveryHeadPosition() {
        int cap = 7;
        for (int start = 0; start < cap; start++) {
            for (int n = 0; n <= cap; n++) {
                var r = new RingBuffer(cap);
                // move the head to physical position `start`
                r.write(new byte[start], 0, start);
                r.discard(start);
                assertEquals(n, r.write(seq(10, n), 0, n));
                assertEquals(n, r.length());
                // every peek window
                for (int off = 0; off <= n; off++) {
                    for (int len = 0; off + len <= n; len++) {
                        byte[] got = new byte[len + 2];
                        r.peek(off, got, 1, len);
                        assertArrayEquals(seq(10 + off, len), Arrays.copyOfRange(got, 1, 1 + len),
                                "start=" + start + " n=" + n + " off=" + off + " len=" + len);
                    }
                }
                // read in two parts across the wrap point
                int half = n / 2;
                byte[] a = new byte[half];
                assertEquals(half, r.read(a, 0, half));
                assertArrayEquals(seq(10, half), a);
                byte[] b = new byte[cap];
                assertEquals(n - half, r.read(b, 0, cap));
                assertArrayEquals(seq(10 + half, n - half), Arrays.copyOf(b, n - half));
                assertEquals(0, r.length());
            }
        }
    }

    @Test
    void peekOutsideCommittedDataIsACallerBug() {
        var r = new RingBuffer(8);
        r.write(seq(0, 4), 0, 4);
        byte[] d = new byte[8];
        assertThrows(IllegalArgumentException.class, () -> r.peek(2, d, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> r.peek(-1, d, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> r.peek(0, d, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> r.peek(Integer.MAX_VALUE, d, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> r.peek(0, d, 6, 4));
        r.peek(1, d, 0, 3);
        assertArrayEquals(seq(1, 3), Arrays.copyOf(d, 3));
    }

    /** Segments 3, 2, 1 arrive before segment 0; each is committed once the hole before it is filled. */
    @Test
    void writeAtAndCommitBuildDataOutOfOrder() {
        int cap = 10;
        for (int start = 0; start < cap; start++) {
            var r = new RingBuffer(cap);
            r.write(new byte[start], 0, start);
            r.discard(start);
            byte[] data = seq(40, 8);
            // out of order: [6,8), [4,6), [2,4) beyond the tail (RCV.NXT = 0)
            assertEquals(2, r.writeAt(6, data, 6, 2));
            assertEquals(2, r.writeAt(4, data, 4, 2));
            assertEquals(2, r.writeAt(2, data, 2, 2));
            assertEquals(0, r.length());
            // in-order [0,2) arrives: write it, then commit the 6 bytes now contiguous
            assertEquals(2, r.write(data, 0, 2));
            r.commit(6);
            assertEquals(8, r.length());
            byte[] out = new byte[8];
            assertEquals(8, r.read(out, 0, 8));
            assertArrayEquals(data, out, "start=" + start);
        }
    }

    @Test
    void writeAtSurvivesReadsAndIsBoundedByCapacity() {
        var r = new RingBuffer(6);
        r.write(seq(0, 3), 0, 3);
        // 3 free; offset 1 leaves room for 2
        assertEquals(2, r.writeAt(1, seq(100, 5), 0, 5));
        assertEquals(0, r.writeAt(3, seq(0, 1), 0, 1));
        assertEquals(0, r.writeAt(9, seq(0, 1), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> r.writeAt(-1, new byte[1], 0, 1));
        // reading the head must not move the out-of-order bytes, even when the ring empties
        byte[] out = new byte[3];
        r.read(out, 0, 3);
        assertEquals(0, r.length());
        r.write(seq(50, 1), 0, 1); // the missing byte at offset 0 arrives
        r.commit(2);
        byte[] all = new byte[3];
        r.peek(0, all, 0, 3);
        assertArrayEquals(new byte[] {50, 100, 101}, all);
        assertThrows(IllegalArgumentException.class, () -> r.commit(4));
        assertThrows(IllegalArgumentException.class, () -> r.commit(-1));
    }

    @Test
    void discardBounds() {
        var r = new RingBuffer(4);
        r.write(seq(0, 3), 0, 3);
        assertThrows(IllegalArgumentException.class, () -> r.discard(4));
        assertThrows(IllegalArgumentException.class, () -> r.discard(-1));
        r.discard(2);
        assertEquals(1, r.length());
        byte[] one = new byte[1];
        r.read(one, 0, 1);
        assertEquals(2, one[0]);
    }

    @Test
    void resizeKeepsContentAcrossTheWrap() {
        var r = new RingBuffer(5);
        r.write(seq(0, 4), 0, 4);
        r.discard(3);
        r.write(seq(4, 3), 0, 3); // content 3..6, wrapped
        r.writeAt(0, seq(20, 1), 0, 1); // one uncommitted byte after the tail
        r.resize(9);
        assertEquals(9, r.capacity());
        assertEquals(4, r.length());
        r.commit(1);
        assertEquals(4, r.write(seq(7, 9), 0, 9));
        byte[] out = new byte[9];
        r.peek(0, out, 0, 9);
        assertArrayEquals(new byte[] {3, 4, 5, 6, 20, 7, 8, 9, 10}, out);

        r.discard(5);
        r.resize(4); // shrink down to exactly length()
        assertEquals(4, r.capacity());
        assertEquals(0, r.free());
        byte[] rest = new byte[4];
        assertEquals(4, r.read(rest, 0, 4));
        assertArrayEquals(seq(7, 4), rest);
    }

    @Test
    void resizeBelowLengthIsRefused() {
        var r = new RingBuffer(8);
        r.write(seq(0, 5), 0, 5);
        assertThrows(IllegalArgumentException.class, () -> r.resize(4));
        assertThrows(IllegalArgumentException.class, () -> r.resize(0));
        r.resize(5);
        assertEquals(5, r.capacity());
        r.resize(5);
        assertEquals(5, r.length());
    }

    @Test
    void outOfRangeArraysThrow() {
        var r = new RingBuffer(4);
        assertThrows(IndexOutOfBoundsException.class, () -> r.write(new byte[2], 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> r.read(new byte[2], 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> r.writeAt(0, new byte[2], -1, 1));
    }
    // ---- lazy storage ----

    @Test
    void storageIsAllocatedOnlyWhenDataArrivesAndGrowsByDoubling() {
        var r = new RingBuffer(131072);
        assertEquals(0, r.allocated());
        assertEquals(131072, r.free());
        assertEquals(0, r.read(new byte[4], 0, 4));
        r.discard(0);
        r.commit(0);
        assertEquals(0, r.allocated(), "no data, no storage");
        assertEquals(1, r.write(seq(9, 1), 0, 1));
        assertEquals(RingBuffer.FIRST_CHUNK, r.allocated());
        assertEquals(RingBuffer.FIRST_CHUNK, r.write(seq(10, RingBuffer.FIRST_CHUNK), 0, RingBuffer.FIRST_CHUNK));
        assertEquals(2 * RingBuffer.FIRST_CHUNK, r.allocated());
        assertEquals(20_000, r.write(new byte[20_000], 0, 20_000));
        assertEquals(20_001 + RingBuffer.FIRST_CHUNK, r.allocated(), "at least what is needed");
        byte[] out = new byte[1 + RingBuffer.FIRST_CHUNK];
        assertEquals(out.length, r.read(out, 0, out.length));
        assertArrayEquals(seq(9, out.length), out);
        // a full-capacity write allocates exactly the capacity, never more
        r.write(new byte[131072], 0, 131072);
        assertEquals(131072, r.allocated());
        assertEquals(0, r.free());
    }

    @Test
    void writeAtBeyondTheAllocatedStorageGrowsIt() {
        var r = new RingBuffer(100, 8);
        r.write(seq(0, 3), 0, 3);
        assertEquals(8, r.allocated());
        assertEquals(10, r.writeAt(40, seq(50, 10), 0, 10)); // logical 43..52 from the head
        assertEquals(53, r.allocated());
        assertEquals(37, r.writeAt(0, seq(3, 40), 0, 37)); // fill the hole 3..39
        assertEquals(3, r.writeAt(37, seq(40, 3), 0, 3));
        r.commit(50);
        byte[] out = new byte[53];
        assertEquals(53, r.read(out, 0, 53));
        for (int i = 0; i < 43; i++) assertEquals((byte) i, out[i], "byte " + i);
        assertArrayEquals(seq(50, 10), Arrays.copyOfRange(out, 43, 53));
        // beyond what the capacity allows nothing is stored (nor allocated)
        assertEquals(0, r.writeAt(100, seq(0, 5), 0, 5));
        assertEquals(53, r.allocated());
    }

    @Test
    void growingWhileTheContentWrapsKeepsEveryByteInPlace() {
        var r = new RingBuffer(64, 8);
        r.write(seq(0, 8), 0, 8);
        r.discard(6); // head at physical 6 of 8
        r.write(seq(8, 5), 0, 5); // committed 6..12: physical 6,7,0,1,2,3,4
        assertEquals(8, r.allocated());
        assertEquals(1, r.writeAt(0, seq(13, 1), 0, 1)); // still within the 8 bytes, wrapped
        assertEquals(4, r.writeAt(3, seq(16, 4), 0, 4)); // logical 10..13: grows, across the wrap
        assertEquals(16, r.allocated());
        assertEquals(2, r.writeAt(1, seq(14, 2), 0, 2));
        r.commit(7);
        byte[] out = new byte[14];
        assertEquals(14, r.read(out, 0, 14));
        assertArrayEquals(seq(6, 14), out);
        assertEquals(0, r.length());
    }

    @Test
    void resizeDoesNotAllocateUntilDataArrives() {
        var r = new RingBuffer(16, 4);
        r.resize(1 << 20);
        assertEquals(1 << 20, r.capacity());
        assertEquals(0, r.allocated());
        r.write(seq(0, 10), 0, 10);
        assertEquals(10, r.allocated());
        r.resize(12); // still room for what is allocated: nothing moves
        assertEquals(10, r.allocated());
        r.discard(4);
        r.resize(8); // shrinking below the storage reallocates to the new capacity
        assertEquals(8, r.allocated());
        byte[] out = new byte[6];
        r.read(out, 0, 6);
        assertArrayEquals(seq(4, 6), out);
    }
}
