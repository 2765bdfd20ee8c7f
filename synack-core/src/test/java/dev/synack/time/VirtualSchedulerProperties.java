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
                    int best = -1;
                    for (int i = 0; i < n; i++) {
                        if (armed[i] && (best < 0 || due[i] < due[best] || (due[i] == due[best] && order[i] < order[best]))) best = i;
                    }
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
}
