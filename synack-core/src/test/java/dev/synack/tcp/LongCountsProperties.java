package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link LongCounts} (the demux's port counts) against a {@link HashMap} of counts. */
class LongCountsProperties {

    /** A key to count up (positive) or down (negative, when present), or 0 for clear. */
    @Provide
    Arbitrary<List<Long>> ops() {
        // few distinct keys, so they collide, grow the table and are deleted from the middle of probe runs
        return Arbitraries.longs().between(-60, 60).map(k -> k * 0x1_0000_0001L).list().ofMaxSize(600);
    }

    @Property(tries = 300)
    void countsAsAMap(@ForAll("ops") List<Long> ops) {
        LongCounts counts = new LongCounts();
        Map<Long, Integer> model = new HashMap<>();
        for (long op : ops) {
            if (op == 0) {
                counts.clear();
                model.clear();
            } else if (op > 0) {
                counts.increment(op);
                model.merge(op, 1, Integer::sum);
            } else if (model.containsKey(-op)) {
                counts.decrement(-op);
                model.computeIfPresent(-op, (k, v) -> v == 1 ? null : v - 1);
            }
            for (long k = -60; k <= 60; k++) {
                long key = k * 0x1_0000_0001L;
                assertEquals(model.getOrDefault(key, 0), counts.get(key), "key " + key);
            }
        }
    }
}
