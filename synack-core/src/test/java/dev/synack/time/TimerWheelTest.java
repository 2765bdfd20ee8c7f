package dev.synack.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Linux's timer wheel (kernel/time/timer.c) against timer expiries recorded on Linux 6.18 at HZ 250 —
 * the oracle's recordings in synack-sim (oracle/linux/host-crash/default.jsonl, syn-timeout/default.jsonl):
 * the gaps between a timer's consecutive expiries when each expiry re-arms it, as TCP's retransmission
 * timer does. The expected values are the kernel's, not this class's.
 */
class TimerWheelTest {
    static final long TICK = 4_000_000L;

    /** The gaps, in jiffies, of a timer re-armed at each expiry with the next timeout (jiffies), starting on a tick. */
    static List<Long> gaps(TimerWheel w, long startJiffies, long... timeouts) {
        List<Long> gaps = new ArrayList<>();
        long now = w.timeOf(startJiffies);
        for (long timeout : timeouts) {
            long fire = w.expiryNs(now, timeout * TICK);
            assertEquals(0, (fire - w.timeOf(0)) % TICK, "fires on a tick");
            gaps.add((fire - now) / TICK);
            now = fire;
        }
        return gaps;
    }

    /**
     * A silent host, RTO 56 jiffies doubling up to 120 s (30000 jiffies): Linux's gaps were 57, 114, 232,
     * 457, 935, 1856, 3648, 7296, 14848, 29184, 30208, 30208, ... Three of them depend on where the
     * jiffies counter stood (114, 935, 7296); the others are the same whatever the phase, and the wheel
     * gives exactly those for every counter value. (457 then 935: the expiry due 456 jiffies on was seen
     * a tick late, and the next one came on time, 936 jiffies after it was due — 457 + 935 = 456 + 936.)
     */
    @Test
    void retransmissionGapsOfASilentHostAsLinux() {
        long[] rtos = {56, 112, 224, 448, 896, 1792, 3584, 7168, 14336, 28672, 30000, 30000, 30000};
        boolean recordedPhaseSeen = false;
        for (long start = 0; start < 4096; start++) {
            List<Long> g = gaps(new TimerWheel(TICK, 1_000_000, 0), 1_000_000 + start, rtos);
            assertEquals(57L, g.get(0), "level 0: one jiffy late");
            assertTrue(g.get(1) >= 113 && g.get(1) <= 120, "level 1 (8 jiffies): " + g);
            assertEquals(232L, g.get(2), "aligned on 8 after a level-1 expiry: " + g);
            assertEquals(456L, g.get(3), g.toString());
            assertTrue(g.get(4) >= 897 && g.get(4) <= 960, "level 2 (64 jiffies): " + g);
            assertEquals(List.of(1856L, 3648L), g.subList(5, 7));
            assertTrue(g.get(7) >= 7169 && g.get(7) <= 7680, "level 3 (512 jiffies): " + g);
            assertEquals(List.of(14848L, 29184L, 30208L, 30208L, 30208L), g.subList(8, 13));
            recordedPhaseSeen |= g.get(1) == 114 && g.get(4) == 936 && g.get(7) == 7296;
        }
        assertTrue(recordedPhaseSeen, "some counter value gives the recorded 114, 935 and 7296");
    }

    /**
     * An unanswered SYN (tcp_syn_linear_timeouts 4, then doubling from 1 s; tcp_syn_retries 6): Linux
     * resent it after 1013.1, 1024.1, 1023.9, 1024.0, 1024.0, 2016.0, 4224.0, 8192.0, 16128.0 and 33024.0 ms
     * and connect() failed 65536.3 ms after the last SYN (syn-timeout/default.jsonl). The first SYN left
     * 0.74 of a tick after a tick (1013.1 ms = 254 jiffies − 0.74); the wheel with that phase gives the
     * rest to the recording's 0.1 ms.
     */
    @Test
    void synRetransmissionsAsLinux() {
        long[] timeouts = {250, 250, 250, 250, 250, 500, 1000, 2000, 4000, 8000, 16000};
        double[] recordedMs = {1013.056, 1024.094, 1023.914, 1023.970, 1024.028, 2015.997, 4223.996, 8192.004, 16128.006, 33024.028, 65536.311};
        int matches = 0;
        for (long counter = 0; counter < 4096; counter++) {
            var w = new TimerWheel(TICK, counter, 0);
            long first = TICK * 74 / 100; // the SYN left 0.74 of a tick after a tick
            long now = first;
            boolean all = true;
            for (int i = 0; i < timeouts.length; i++) {
                long fire = w.expiryNs(now, timeouts[i] * TICK);
                all &= Math.abs((fire - now) / 1e6 - recordedMs[i]) < 0.4 + (i == 0 ? 0.2 : 0);
                now = fire;
            }
            if (all) matches++;
        }
        // The counter's value modulo 4096 decides the level-2 and level-3 roundings: some values match
        // the recording in every gap; the first gap alone fixes it modulo 8 (one value in eight).
        assertTrue(matches > 0, "no counter value reproduces Linux's SYN gaps");
    }

    @Test
    void levelsAndTheirGranularity() {
        var w = new TimerWheel(TICK, 0, 0);
        // from a tick, the bucket expiry of a timeout: +1 below 63 jiffies, then rounded up to 8, 64, 512
        assertEquals(51 * TICK, w.expiryNs(0, 50 * TICK));
        assertEquals(63 * TICK, w.expiryNs(0, 62 * TICK));
        assertEquals(64 * TICK, w.expiryNs(0, 63 * TICK));
        assertEquals(512 * TICK, w.expiryNs(0, 504 * TICK));
        assertEquals(15360 * TICK, w.expiryNs(0, 15000 * TICK)); // TIME_WAIT's 60 s: 61.44 s from this tick
        // a timeout is whole jiffies, rounded up
        assertEquals(2 * TICK, w.expiryNs(0, 1));
        assertEquals(1 * TICK, w.expiryNs(0, 0));
        // mid-tick: counted from the tick the counter last passed
        assertEquals(51 * TICK, w.expiryNs(TICK / 2, 50 * TICK));
    }

    @Test
    void seededWheelsAreDeterministicAndDiffer() {
        assertEquals(TimerWheel.hz250(7).toString(), TimerWheel.hz250(7).toString());
        assertTrue(!TimerWheel.hz250(7).toString().equals(TimerWheel.hz250(8).toString()));
        var w = TimerWheel.hz250(7);
        long t = 123_456_789L;
        assertTrue(w.expiryNs(t, 200_000_000L) >= t + 200_000_000L, "never early");
        assertThrows(IllegalArgumentException.class, () -> new TimerWheel(TICK, 0, TICK));
    }
}
