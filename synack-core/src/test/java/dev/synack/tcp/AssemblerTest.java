package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AssemblerTest {

    /** The ranges in sequence order, flattened as start, end, start, end, ... */
    static int[] ranges(Assembler a) {
        int[] r = new int[2 * a.rangeCount()];
        for (int i = 0; i < a.rangeCount(); i++) {
            r[2 * i] = a.startAt(i);
            r[2 * i + 1] = a.endAt(i);
        }
        return r;
    }

    /** The SACK blocks (at most 4), flattened as left, right, left, right, ... */
    static int[] sack(Assembler a) {
        int[] s = new int[4];
        int[] e = new int[4];
        int n = a.sackBlocks(s, e, 4);
        int[] r = new int[2 * n];
        for (int i = 0; i < n; i++) {
            r[2 * i] = s[i];
            r[2 * i + 1] = e[i];
        }
        return r;
    }

    /**
     * RFC 2018 §5 ("Examples"): the left window edge is 5000 and the sender sends 8 segments of 500 bytes.
     * A tiny receiver: in-order data advances RCV.NXT (then the assembler), other data goes to the assembler.
     */
    @Nested
    class Rfc2018Examples {
        final Assembler asm = new Assembler(32);
        int rcvNxt = 5000;

        void receive(int seq) {
            if (seq == rcvNxt) {
                rcvNxt = asm.advance(seq + 500);
            } else {
                assertTrue(asm.add(seq, seq + 500));
            }
        }

        @Test
        void case1_lastFourDropped() {
            for (int seq = 5000; seq < 7000; seq += 500) {
                receive(seq);
                assertArrayEquals(new int[0], sack(asm)); // a normal ACK, no SACK option
            }
            assertEquals(7000, rcvNxt);
        }

        @Test
        void case2_firstSegmentDropped() {
            // Triggering  ACK   Left   Right
            //   5500      5000  5500   6000
            //   ...
            //   8500      5000  5500   9000
            for (int seq = 5500; seq <= 8500; seq += 500) {
                receive(seq);
                assertEquals(5000, rcvNxt);
                assertArrayEquals(new int[] {5500, seq + 500}, sack(asm), "after " + seq);
            }
            assertEquals(3500, asm.bytes());
        }

        @Test
        void case3_evenSegmentsDropped_thenCase4_thenSecondSegment() {
            receive(5000);
            assertEquals(5500, rcvNxt);
            assertArrayEquals(new int[0], sack(asm));
            // 5500 lost
            receive(6000);
            assertEquals(5500, rcvNxt);
            assertArrayEquals(new int[] {6000, 6500}, sack(asm));
            // 6500 lost
            receive(7000);
            assertEquals(5500, rcvNxt);
            assertArrayEquals(new int[] {7000, 7500, 6000, 6500}, sack(asm));
            // 7500 lost
            receive(8000);
            assertEquals(5500, rcvNxt);
            assertArrayEquals(new int[] {8000, 8500, 7000, 7500, 6000, 6500}, sack(asm));
            // 8500 lost

            // "Suppose at this point, the 4th packet is received out of order."
            receive(6500);
            assertEquals(5500, rcvNxt);
            assertArrayEquals(new int[] {6000, 7500, 8000, 8500}, sack(asm));

            // "Suppose at this point, the 2nd segment is received."
            receive(5500);
            assertEquals(7500, rcvNxt);
            assertArrayEquals(new int[] {8000, 8500}, sack(asm));
        }
    }

    @Test
    void mergesOverlapAndAdjacency() {
        var a = new Assembler(8);
        assertTrue(a.add(100, 200));
        assertTrue(a.add(300, 400));
        assertTrue(a.add(500, 600));
        assertArrayEquals(new int[] {100, 200, 300, 400, 500, 600}, ranges(a));
        assertTrue(a.add(200, 300)); // adjacent on both sides: 100..400
        assertArrayEquals(new int[] {100, 400, 500, 600}, ranges(a));
        assertTrue(a.add(150, 550)); // overlaps both
        assertArrayEquals(new int[] {100, 600}, ranges(a));
        assertTrue(a.add(120, 130)); // inside
        assertArrayEquals(new int[] {100, 600}, ranges(a));
        assertTrue(a.add(50, 700)); // covers
        assertArrayEquals(new int[] {50, 700}, ranges(a));
        assertTrue(a.add(700, 701)); // adjacent at the right
        assertTrue(a.add(49, 50)); // adjacent at the left
        assertArrayEquals(new int[] {49, 701}, ranges(a));
        assertEquals(652, a.bytes());
        assertEquals(49, a.firstStart());
    }

    @Test
    void insertsInSequenceOrderAndTracksRecency() {
        var a = new Assembler(8);
        a.add(500, 600);
        a.add(100, 200);
        a.add(300, 400);
        assertArrayEquals(new int[] {100, 200, 300, 400, 500, 600}, ranges(a));
        assertArrayEquals(new int[] {300, 400, 100, 200, 500, 600}, sack(a));
        a.add(550, 560); // inside the oldest range: it becomes the newest
        assertArrayEquals(new int[] {500, 600, 300, 400, 100, 200}, sack(a));
        a.add(400, 450); // extends the middle range
        assertArrayEquals(new int[] {300, 450, 500, 600, 100, 200}, sack(a));
    }

    @Test
    void sackBlocksRespectsMax() {
        var a = new Assembler(8);
        for (int i = 0; i < 6; i++) a.add(1000 * i, 1000 * i + 10);
        int[] s = new int[4];
        int[] e = new int[4];
        assertEquals(3, a.sackBlocks(s, e, 3));
        assertArrayEquals(new int[] {5000, 4000, 3000, 0}, s);
        assertEquals(4, a.sackBlocks(s, e, 4));
        assertArrayEquals(new int[] {5010, 4010, 3010, 2010}, e);
        assertEquals(0, a.sackBlocks(s, e, 0));
        assertThrows(IllegalArgumentException.class, () -> a.sackBlocks(s, e, 5));
        assertThrows(IllegalArgumentException.class, () -> a.sackBlocks(s, new int[2], 3));
    }

    @Test
    void wrapsAround2To32() {
        var a = new Assembler(8);
        int base = -1000; // 2^32 - 1000
        assertTrue(a.add(base + 1500, base + 1600)); // 500..600 after the wrap
        assertTrue(a.add(base + 100, base + 200)); // before the wrap
        assertTrue(a.add(base + 900, base + 1100)); // straddles 0
        assertArrayEquals(new int[] {base + 100, base + 200, -100, 100, 500, 600}, ranges(a));
        assertTrue(a.add(base + 200, base + 1500)); // fills both holes
        assertArrayEquals(new int[] {base + 100, 600}, ranges(a));
        assertEquals(1500, a.bytes());
        assertTrue(a.contains(-1, 1));
        assertEquals(600, a.advance(base + 50 + 50));
        assertTrue(a.isEmpty());
    }

    @Test
    void refusesANewRangeBeyondMaxRanges() {
        var a = new Assembler(3);
        assertTrue(a.add(100, 110));
        assertTrue(a.add(200, 210));
        assertTrue(a.add(300, 310));
        assertFalse(a.add(400, 410));
        assertFalse(a.add(150, 160));
        assertArrayEquals(new int[] {100, 110, 200, 210, 300, 310}, ranges(a));
        assertArrayEquals(new int[] {300, 310, 200, 210, 100, 110}, sack(a)); // refusal changed no recency
        assertTrue(a.add(310, 320)); // adjacent: still fits
        assertTrue(a.add(110, 200)); // joins two: frees a slot
        assertEquals(2, a.rangeCount());
        assertTrue(a.add(400, 410));
        assertArrayEquals(new int[] {100, 210, 300, 320, 400, 410}, ranges(a));
    }

    @Test
    void growsBeyondItsFirstCapacityUpToMaxRanges() {
        var a = new Assembler(100);
        for (int i = 0; i < 100; i++) assertTrue(a.add(i * 20, i * 20 + 10));
        assertEquals(100, a.rangeCount());
        assertFalse(a.add(5000, 5010));
        assertEquals(100, a.maxRanges());
        assertEquals(20 * 99, a.startAt(99));
        assertEquals(10, a.advance(0));
        assertEquals(99, a.rangeCount());
    }

    @Test
    void advanceConsumesTheContiguousRun() {
        var a = new Assembler(8);
        a.add(100, 200);
        a.add(300, 400);
        a.add(500, 600);
        assertEquals(50, a.advance(50)); // before the first range
        assertEquals(3, a.rangeCount());
        assertEquals(200, a.advance(100)); // exactly at its start
        assertArrayEquals(new int[] {300, 400, 500, 600}, ranges(a));
        assertEquals(400, a.advance(350)); // in the middle of a range
        assertArrayEquals(new int[] {500, 600}, ranges(a));
        assertEquals(700, a.advance(700)); // past everything: ranges dropped
        assertTrue(a.isEmpty());
        assertEquals(0, a.bytes());

        a.add(100, 200);
        a.add(300, 400);
        assertEquals(200, a.advance(200)); // ends exactly at rcvNxt: dropped, no advance
        assertArrayEquals(new int[] {300, 400}, ranges(a));
        assertEquals(400, a.advance(250 + 50));
        assertEquals(5, new Assembler(1).advance(5));
    }

    @Test
    void containsForDsack() {
        var a = new Assembler(8);
        a.add(100, 200);
        a.add(300, 400);
        assertTrue(a.contains(100, 200));
        assertTrue(a.contains(150, 160));
        assertTrue(a.contains(399, 400));
        assertTrue(a.contains(250, 250));
        assertFalse(a.contains(150, 250));
        assertFalse(a.contains(200, 300));
        assertFalse(a.contains(90, 110));
        assertFalse(a.contains(390, 401));
        assertFalse(a.contains(500, 600));
    }

    @Test
    void emptyAndInvalid() {
        var a = new Assembler(2);
        assertTrue(a.isEmpty());
        assertEquals(2, a.maxRanges());
        assertThrows(NoSuchElementException.class, a::firstStart);
        assertThrows(IndexOutOfBoundsException.class, () -> a.startAt(0));
        assertTrue(a.add(10, 10)); // empty: nothing recorded
        assertTrue(a.isEmpty());
        assertThrows(IllegalArgumentException.class, () -> a.add(10, 9));
        assertThrows(IllegalArgumentException.class, () -> new Assembler(0));
        a.add(10, 20);
        a.clear();
        assertTrue(a.isEmpty());
        assertEquals(0, sack(a).length);
        assertEquals("Assembler[]", a.toString());
        a.add(-1, 1);
        assertEquals("Assembler[4294967295-1]", a.toString());
        assertEquals(Arrays.toString(new int[] {-1, 1}), Arrays.toString(ranges(a)));
    }

    @Nested
    class Pruning {
        @Test
        void trimHighest_removesFromTheTopRangeDown() {
            Assembler a = new Assembler(8);
            a.add(100, 200);
            a.add(300, 400);
            assertEquals(40, a.trimHighest(40));
            assertArrayEquals(new int[] {100, 200, 300, 360}, ranges(a));
            assertEquals(60, a.trimHighest(1000)); // never past the highest range
            assertArrayEquals(new int[] {100, 200}, ranges(a));
            assertEquals(100, a.trimHighest(100));
            assertTrue(a.isEmpty());
            assertEquals(0, a.trimHighest(10));
            assertThrows(IllegalArgumentException.class, () -> a.trimHighest(-1));
        }

        @Test
        void resetSack_keepsTheRanges_butReportsOnlyWhatArrivesAfter() {
            Assembler a = new Assembler(8);
            a.add(100, 200);
            a.add(300, 400);
            a.add(500, 600);
            a.resetSack();
            assertEquals(3, a.rangeCount());
            assertArrayEquals(new int[0], sack(a));
            a.add(700, 800);
            a.add(300, 350); // inside a known range: extends nothing, but it is the newest block
            assertArrayEquals(new int[] {300, 400, 700, 800}, sack(a));
        }
    }
}
