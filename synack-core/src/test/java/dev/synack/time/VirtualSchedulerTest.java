package dev.synack.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** advanceTo: time moves on without firing; timers it leaves overdue fire in order at the current time. */
class VirtualSchedulerTest {

    @Test
    void advanceToLeavesTimersOverdueAndTheyFireAtTheCurrentTime() {
        VirtualScheduler s = new VirtualScheduler();
        List<Long> fired = new ArrayList<>();
        Timer a = new Timer() {
            @Override
            protected void fire(long nowNs) { fired.add(nowNs); }
        };
        Timer b = new Timer() {
            @Override
            protected void fire(long nowNs) { fired.add(-nowNs); }
        };
        s.schedule(a, 100);
        s.schedule(b, 200);
        s.advanceTo(500);
        assertEquals(500, s.nowNs());
        assertTrue(fired.isEmpty());
        s.advanceTo(300); // never back
        assertEquals(500, s.nowNs());
        assertTrue(s.runNext(s.nowNs()));
        assertTrue(s.runNext(s.nowNs()));
        assertFalse(s.runNext(s.nowNs()));
        assertEquals(List.of(500L, -500L), fired);
        assertEquals(500, s.nowNs());
    }
}
