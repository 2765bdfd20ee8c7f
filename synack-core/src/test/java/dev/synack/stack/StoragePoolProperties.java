package dev.synack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link StoragePool} against a list: kept arrays in the order given back, a take returns the last one
 * of its exact length, a give is refused for an array above the size bound or when the pool would hold
 * more than its bound.
 */
class StoragePoolProperties {

    /** A positive length: take one of that length; a negative one: give back a new array of -length. */
    @Provide
    Arbitrary<List<Integer>> ops() {
        return Arbitraries.oneOf(Arbitraries.of(1, 2, 3, 8, 40), Arbitraries.of(-1, -2, -3, -8, -40)).list().ofMaxSize(80);
    }

    @Property(tries = 1000)
    void behavesLikeAList(@ForAll("ops") List<Integer> ops, @ForAll @IntRange(min = 0, max = 100) int limit,
                          @ForAll @IntRange(min = 0, max = 50) int maxArray) {
        var pool = new StoragePool(maxArray, limit);
        List<byte[]> model = new ArrayList<>();
        for (int op : ops) {
            if (op > 0) {
                byte[] want = null;
                for (int i = model.size() - 1; i >= 0; i--) {
                    if (model.get(i).length == op) {
                        want = model.remove(i);
                        break;
                    }
                }
                assertSame(want, pool.take(op));
            } else {
                byte[] a = new byte[-op];
                long held = model.stream().mapToLong(x -> x.length).sum();
                if (a.length <= maxArray && held + a.length <= limit) model.add(a);
                pool.give(a);
            }
            long held = model.stream().mapToLong(x -> x.length).sum();
            assertEquals(held, pool.pooledBytes());
            assertTrue(pool.pooledBytes() <= limit);
        }
    }
}
