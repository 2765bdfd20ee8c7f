package dev.synack.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Timers fire by (deadline, arming order) whatever mix of arming, re-arming (earlier or later) and
 * cancelling came before: the scheduler against a naive model that scans for the smallest key.
 */
class VirtualSchedulerProperties {

    @Property(tries = 500)
    void firesInDeadlineThenArmingOrder(@ForAll @Size(max = 200) List<@IntRange(max = 99_999) Integer> ops) {
        int n = 12;
        VirtualScheduler s = new VirtualScheduler();
        List<Integer> fired = new ArrayList<>();
        Timer[] timers = new Timer[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            timers[i] = Timer.of(() -> fired.add(id));
        }
        long[] due = new long[n], order = new long[n];
        boolean[] armed = new boolean[n];
        long nextOrder = 0;
        List<Integer> expected = new ArrayList<>();
        for (int op : ops) {
            int t = op % n, kind = (op / n) % 4;
            long when = s.nowNs() + (op / 48) % 50; // few distinct deadlines: many ties
            switch (kind) {
                case 0, 1 -> { // arm or re-arm
                    s.schedule(timers[t], when);
                    due[t] = when;
                    order[t] = nextOrder++;
                    armed[t] = true;
                }
                case 2 -> {
                    s.cancel(timers[t]);
                    armed[t] = false;
                }
                default -> { // fire the next one
                    int best = modelNext(armed, due, order);
                    if (best >= 0) {
                        armed[best] = false;
                        expected.add(best);
                    }
                    s.runNext(Long.MAX_VALUE);
                }
            }
            for (int i = 0; i < n; i++) {
                assertEquals(armed[i], timers[i].isArmed(), "timer " + i);
                if (armed[i]) assertEquals(due[i], timers[i].deadlineNs());
            }
            assertEquals(expected, fired);
        }
    }

    /**
     * The same with many timers, many of them armed for now (the due-now FIFO), time moved on by
     * advanceTo (overdue timers), and long runs of cancels (the heap's rebuild, the FIFO's compaction):
     * which timers are armed, their deadlines, how many, the next deadline and the firing order all
     * match the naive model after every step.
     */
    @Property(tries = 200)
    void manyTimersCancelledAndDueNowMatchTheModel(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3000) int steps) {
        // Uniform draws from the seed: jqwik's own lists favour small values, which would keep every
        // timer due now and never cancel enough to rebuild the heap.
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int n = 150;
        VirtualScheduler s = new VirtualScheduler();
        List<Integer> fired = new ArrayList<>();
        List<Long> firedAt = new ArrayList<>();
        Timer[] timers = new Timer[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            timers[i] = new Timer() {
                @Override
                protected void fire(long nowNs) {
                    fired.add(id);
                    firedAt.add(nowNs);
                }
            };
        }
        long[] due = new long[n], order = new long[n];
        boolean[] armed = new boolean[n];
        long nextOrder = 0;
        List<Integer> expected = new ArrayList<>();
        List<Long> expectedAt = new ArrayList<>();
        for (int j = 0; j < steps; j++) {
            int op = random.nextInt(1_000_000);
            int t = op % n, kind = (op / n) % 8;
            // Phases of 300 steps: arming without firing (a full heap, a long FIFO), then cancelling
            // instead of arming (disarmed timers pile up), then the plain mix.
            int phase = (j / 300) % 3;
            if (phase == 0 && kind >= 5) kind = 0;
            if (phase == 1 && kind <= 2) kind = 3;
            long delta = (op / (n * 8)) % 40;
            long when = s.nowNs() + (delta < 15 ? 0 : delta - 15); // many due now
            switch (kind) {
                case 0, 1, 2 -> { // arm or re-arm, maybe for a moment already past (clamped to now)
                    long asked = delta % 7 == 0 ? when - 3 : when;
                    s.schedule(timers[t], asked);
                    due[t] = Math.max(asked, s.nowNs());
                    order[t] = nextOrder++;
                    armed[t] = true;
                }
                case 3, 4 -> {
                    s.cancel(timers[t]);
                    armed[t] = false;
                }
                case 5 -> s.advanceTo(s.nowNs() + delta % 5); // overdue timers, never fired by this
                default -> { // fire the next one
                    int best = modelNext(armed, due, order);
                    if (best >= 0) {
                        armed[best] = false;
                        expected.add(best);
                        expectedAt.add(Math.max(due[best], s.nowNs()));
                    }
                    assertEquals(best >= 0, s.runNext(Long.MAX_VALUE));
                }
            }
            int count = 0;
            long next = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                assertEquals(armed[i], timers[i].isArmed(), "timer " + i);
                if (armed[i]) {
                    assertEquals(due[i], timers[i].deadlineNs());
                    count++;
                    next = Math.min(next, due[i]);
                }
            }
            assertEquals(count, s.pending());
            assertEquals(next, s.nextDeadlineNs());
        }
        assertEquals(expected, fired);
        assertEquals(expectedAt, firedAt);
    }

    /** The model's next timer: the armed one with the earliest deadline, the first armed among equals; -1 if none. */
    private static int modelNext(boolean[] armed, long[] due, long[] order) {
        int best = -1;
        for (int i = 0; i < armed.length; i++) {
            if (armed[i] && (best < 0 || due[i] < due[best] || (due[i] == due[best] && order[i] < order[best]))) best = i;
        }
        return best;
    }
}
