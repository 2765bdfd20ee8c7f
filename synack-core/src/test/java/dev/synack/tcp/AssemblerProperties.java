package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Random receive sequences against a model: a {@link BitSet} of received byte offsets relative to a base
 * sequence number chosen near the 2^32 wrap, so that most runs cross it.
 */
class AssemblerProperties {

    sealed interface Op permits Add, InOrder {}
    /** Out-of-order data {@code [rcvNxt + gap, rcvNxt + gap + len)}. */
    record Add(int gap, int len) implements Op {}
    /** {@code len} in-order bytes arrive at RCV.NXT, then {@code advance} runs. */
    record InOrder(int len) implements Op {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> add = Combinators.combine(
                Arbitraries.integers().between(0, 120), Arbitraries.integers().between(1, 40)).as(Add::new);
        Arbitrary<Op> inOrder = Arbitraries.integers().between(0, 30).map(InOrder::new);
        return Arbitraries.frequencyOf(
                        Tuple.of(4, add), Tuple.of(1, inOrder))
                .list().ofMaxSize(80);
    }

    @Provide
    Arbitrary<Integer> bases() {
        // within a few thousand bytes below 2^32, or anywhere
        return Arbitraries.oneOf(Arbitraries.integers().between(-3000, 0), Arbitraries.integers());
    }

    @Property(tries = 1000)
    void matchesTheBitSetModel(
            @ForAll("bases") int base, @ForAll @IntRange(min = 1, max = 6) int maxRanges, @ForAll("ops") List<Op> ops) {
        var asm = new Assembler(maxRanges);
        var received = new BitSet(); // bit i = byte base + i is held out of order
        int rcv = 0; // RCV.NXT - base
        for (Op op : ops) {
            switch (op) {
                case Add(int gap, int len) -> {
                    int from = rcv + gap, to = from + len;
                    boolean touches = received.get(Math.max(0, from - 1), to + 1).cardinality() > 0;
                    boolean fits = touches || runs(received).size() < maxRanges;
                    assertEquals(fits, asm.add(base + from, base + to), op.toString());
                    if (fits) {
                        received.set(from, to);
                        // the first SACK block holds the data just added
                        int[] s = new int[maxRanges], e = new int[maxRanges];
                        int n = asm.sackBlocks(s, e, Math.min(4, maxRanges));
                        assertTrue(n >= 1);
                        assertTrue(Seq.le(s[0], base + from) && Seq.le(base + to, e[0]), "first block " + op);
                        checkBlocks(asm, s, e, n);
                        assertTrue(asm.contains(base + from, base + to));
                    }
                }
                case InOrder(int len) -> {
                    rcv += len;
                    int expect = rcv;
                    if (received.get(rcv)) {
                        expect = received.nextClearBit(rcv);
                    }
                    received.clear(0, expect);
                    assertEquals(base + expect, asm.advance(base + rcv), op.toString());
                    rcv = expect;
                }
            }
            List<int[]> runs = runs(received);
            assertEquals(runs.size(), asm.rangeCount());
            for (int i = 0; i < runs.size(); i++) {
                assertEquals(base + runs.get(i)[0], asm.startAt(i), "start " + i);
                assertEquals(base + runs.get(i)[1], asm.endAt(i), "end " + i);
            }
            assertEquals(received.cardinality(), asm.bytes());
            assertEquals(runs.isEmpty(), asm.isEmpty());
            if (!runs.isEmpty()) assertEquals(base + runs.getFirst()[0], asm.firstStart());
        }
    }

    /** SACK blocks are distinct ranges of the map. */
    private static void checkBlocks(Assembler asm, int[] s, int[] e, int n) {
        var seen = new HashSet<Long>();
        for (int k = 0; k < n; k++) {
            boolean isRange = false;
            for (int i = 0; i < asm.rangeCount(); i++) {
                isRange |= asm.startAt(i) == s[k] && asm.endAt(i) == e[k];
            }
            assertTrue(isRange, "block " + k + " is a range");
            assertTrue(seen.add(((long) s[k] << 32) | (e[k] & 0xFFFF_FFFFL)), "block " + k + " repeated");
        }
    }

    /** The maximal runs of set bits, as [from, to). */
    private static List<int[]> runs(BitSet bits) {
        var runs = new ArrayList<int[]>();
        for (int from = bits.nextSetBit(0); from >= 0; ) {
            int to = bits.nextClearBit(from);
            runs.add(new int[] {from, to});
            from = bits.nextSetBit(to);
        }
        return runs;
    }
}
