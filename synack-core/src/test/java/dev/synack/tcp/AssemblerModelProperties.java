package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * The tree-backed {@link Assembler} against the plain sorted-array {@link ReferenceAssembler} it replaced:
 * the same answer to every call (what is added or refused, the new RCV.NXT, every SACK block in order,
 * duplicates, the byte count, every range), so the segments a receiver sends cannot have changed.
 */
class AssemblerModelProperties {

    sealed interface Op permits Add, InOrder, Contains, Clear, Trim, ResetSack {}
    /** Out-of-order data {@code [rcvNxt + gap, rcvNxt + gap + len)}. */
    record Add(int gap, int len) implements Op {}
    /** RCV.NXT moves on by {@code len}, then {@code advance} runs. */
    record InOrder(int len) implements Op {}
    /** {@code contains(rcvNxt + gap, rcvNxt + gap + len)}. */
    record Contains(int gap, int len) implements Op {}
    record Clear() implements Op {}
    /** {@code trimHighest(bytes)} (the memory branch's prune). */
    record Trim(int bytes) implements Op {}
    record ResetSack() implements Op {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> add = Combinators.combine(
                Arbitraries.integers().between(0, 400), Arbitraries.integers().between(0, 12)).as(Add::new);
        Arbitrary<Op> inOrder = Arbitraries.integers().between(0, 40).map(InOrder::new);
        Arbitrary<Op> contains = Combinators.combine(
                Arbitraries.integers().between(0, 400), Arbitraries.integers().between(0, 12)).as(Contains::new);
        Arbitrary<Op> trim = Arbitraries.integers().between(0, 15).map(Trim::new);
        return Arbitraries.frequencyOf(Tuple.of(12, add), Tuple.of(2, inOrder), Tuple.of(4, contains),
                        Tuple.of(1, Arbitraries.just(new Clear())), Tuple.of(2, trim),
                        Tuple.of(1, Arbitraries.just(new ResetSack())))
                .list().ofMaxSize(300);
    }

    @Provide
    Arbitrary<Integer> bases() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-3000, 0), Arbitraries.integers());
    }

    @Property(tries = 500)
    void answersAsTheArrayVersion(@ForAll("bases") int base, @ForAll @IntRange(min = 1, max = 80) int maxRanges,
                                  @ForAll("ops") List<Op> ops) {
        var tree = new Assembler(maxRanges);
        var ref = new ReferenceAssembler(maxRanges);
        int rcv = base;
        for (Op op : ops) {
            switch (op) {
                case Add(int gap, int len) ->
                        assertEquals(ref.add(rcv + gap, rcv + gap + len), tree.add(rcv + gap, rcv + gap + len), op.toString());
                case InOrder(int len) -> {
                    rcv += len;
                    int next = ref.advance(rcv);
                    assertEquals(next, tree.advance(rcv), op.toString());
                    rcv = next;
                }
                case Contains(int gap, int len) ->
                        assertEquals(ref.contains(rcv + gap, rcv + gap + len), tree.contains(rcv + gap, rcv + gap + len), op.toString());
                case Clear() -> {
                    ref.clear();
                    tree.clear();
                }
                case Trim(int bytes) -> assertEquals(ref.trimHighest(bytes), tree.trimHighest(bytes), op.toString());
                case ResetSack() -> {
                    ref.resetSack();
                    tree.resetSack();
                }
            }
            assertSame(ref, tree);
        }
    }

    private static void assertSame(ReferenceAssembler ref, Assembler tree) {
        assertEquals(ref.rangeCount(), tree.rangeCount());
        assertEquals(ref.bytes(), tree.bytes());
        assertEquals(ref.isEmpty(), tree.isEmpty());
        for (int max = 0; max <= 4; max++) {
            int[] rs = new int[4], re = new int[4], ts = new int[4], te = new int[4];
            assertEquals(ref.sackBlocks(rs, re, max), tree.sackBlocks(ts, te, max));
            assertArrayEquals(rs, ts, "SACK starts");
            assertArrayEquals(re, te, "SACK ends");
        }
        for (int i = 0; i < ref.rangeCount(); i++) {
            assertEquals(ref.startAt(i), tree.startAt(i), "start " + i);
            assertEquals(ref.endAt(i), tree.endAt(i), "end " + i);
        }
        if (!ref.isEmpty()) assertEquals(ref.firstStart(), tree.firstStart());
        assertEquals(ref.toString().replace("ReferenceAssembler", "Assembler"), tree.toString());
    }
}
