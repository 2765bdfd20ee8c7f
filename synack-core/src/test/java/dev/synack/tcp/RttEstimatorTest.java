package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RttEstimatorTest {
    static final long SEC = 1_000_000, MS = 1_000;

    static RttEstimator linuxDefaults() { return new RttEstimator(1 * SEC, 200 * MS, 120 * SEC); }

    @Test
    void beforeAnySample() {
        var e = linuxDefaults();
        assertFalse(e.hasSample());
        assertEquals(1 * SEC, e.rtoUs());
        assertEquals(0, e.srttUs());
        assertEquals(0, e.rttvarUs());
        assertEquals(0, e.mdevUs());
        assertEquals(Long.MAX_VALUE, e.minRttUs());
        assertEquals(0, e.latestRttUs());
    }

    @Test
    void firstSampleOf100ms() {
        var e = linuxDefaults();
        e.sample(100 * MS, 0, 1000);
        assertTrue(e.hasSample());
        assertEquals(100 * MS, e.srttUs());
        assertEquals(200 * MS, e.rttvarUs()); // max(2 * 100 ms, rto_min)
        assertEquals(50 * MS, e.mdevUs()); // RFC 6298 (2.2): RTTVAR = R/2
        assertEquals(300 * MS, e.rtoUs());
        assertEquals(100 * MS, e.minRttUs());
        assertEquals(100 * MS, e.latestRttUs());
    }

    @Test
    void firstSampleAboveRtoMinGivesThreeRtt() {
        var e = linuxDefaults();
        e.sample(300 * MS, 0, 1000);
        assertEquals(600 * MS, e.rttvarUs());
        assertEquals(900 * MS, e.rtoUs());
    }

    @Test
    void constantRttConvergesToRttPlusRtoMin() {
        var e = linuxDefaults();
        int una = 0, nxt = 10_000;
        for (int i = 0; i < 1000; i++) {
            e.sample(20 * MS, una, nxt);
            // every other sample ends a window of data
            una += 5_000;
            nxt += 5_000;
        }
        assertEquals(20 * MS, e.srttUs());
        assertEquals(0, e.mdevUs());
        assertEquals(200 * MS, e.rttvarUs());
        assertEquals(220 * MS, e.rtoUs()); // not RFC 6298's max(1 s, ...)
    }

    @Test
    void rttvarDecaysOncePerWindowTowardsRtoMin() {
        var e = linuxDefaults();
        int una = 0, nxt = 10_000;
        e.sample(300 * MS, una, nxt); // rttvar 600 ms
        for (int i = 0; i < 500; i++) {
            una = nxt; // each sample ends a window
            nxt += 10_000;
            e.sample(20 * MS, una, nxt);
        }
        assertEquals(20 * MS, e.srttUs());
        // rttvar -= (rttvar - 200 ms) >> 2 stops when the difference is below 4 µs
        assertTrue(e.rttvarUs() >= 200 * MS && e.rttvarUs() < 200 * MS + 4, "rttvar " + e.rttvarUs());
        assertTrue(e.rtoUs() >= 220 * MS && e.rtoUs() < 220 * MS + 4);
    }

    @Test
    void noDecayWithinOneWindow() {
        var e = linuxDefaults();
        e.sample(300 * MS, 0, 10_000);
        long last = e.rttvarUs();
        assertEquals(600 * MS, last);
        for (int i = 0; i < 100; i++) {
            e.sample(20 * MS, 5_000, 20_000); // SND.UNA never passes rtt_seq: rttvar may only rise
            assertTrue(e.rttvarUs() >= last);
            last = e.rttvarUs();
        }
        // It did rise: after the drop from 300 to 20 ms, |err| exceeds mdev for a while and mdev still grows
        // by the finer gain (|err| - mdev) / 8, which lifts rttvar within the window.
        assertTrue(last > 600 * MS);
    }

    /**
     * Step by step against the Linux formulas, with the values worked out by hand (µs; rto_min 200 000).
     * Notation: S = srtt_us (×8), D = mdev_us (×4), X = mdev_max_us, V = rttvar_us.
     */
    @Test
    void handComputedSequence() {
        var e = linuxDefaults();

        // 1) first sample m = 100000, SND.NXT 2000:
        //    S = 8m = 800000, D = 2m = 200000, V = max(D, 200000) = 200000, X = V, rtt_seq = 2000.
        //    RTO = 100000 + 200000.
        e.sample(100_000, 1000, 2000);
        check(e, 100_000, 200_000, 50_000, 300_000);

        // 2) m = 500000, SND.UNA 1500 (not after rtt_seq 2000):
        //    err = 500000 - 100000 = 400000; S = 800000 + 400000 = 1200000 -> srtt 150000.
        //    err >= 0: D += 400000 - 200000/4 = 350000 -> 550000 > X -> X = 550000 > V -> V = 550000.
        //    RTO = 150000 + 550000 = 700000.
        e.sample(500_000, 1500, 3000);
        check(e, 150_000, 550_000, 137_500, 700_000);

        // 3) m = 60000, SND.UNA 2500 (after rtt_seq 2000: the window ends), SND.NXT 4000:
        //    err = 60000 - 150000 = -90000; S = 1110000 -> srtt 138750.
        //    err < 0: step = 90000 - 550000/4 = 90000 - 137500 = -47500 (not > 0, no >>3) -> D = 502500.
        //    D <= X (550000). Window end: X (550000) is not < V (550000): V stays; rtt_seq = 4000, X = 200000.
        //    RTO = 138750 + 550000 = 688750.
        e.sample(60_000, 2500, 4000);
        check(e, 138_750, 550_000, 125_625, 688_750);

        // 4) m = 60000, SND.UNA 4500 (after 4000: window ends), SND.NXT 5000:
        //    err = 60000 - 138750 = -78750; S = 1110000 - 78750 = 1031250 -> srtt 128906.
        //    step = 78750 - 502500/4 = 78750 - 125625 = -46875 -> D = 455625 > X (200000) -> X = 455625 (< V).
        //    Window end: X < V: V -= (550000 - 455625) >> 2 = 94375 >> 2 = 23593 -> V = 526407.
        //    rtt_seq = 5000, X = 200000. RTO = 128906 + 526407 = 655313.
        e.sample(60_000, 4500, 5000);
        check(e, 128_906, 526_407, 113_906, 655_313);

        // 5) m = 10000, SND.UNA 5000 (not after 5000), SND.NXT 5500:
        //    err = 10000 - 128906 = -118906; S = 1031250 - 118906 = 912344 -> srtt 114043.
        //    step = 118906 - 455625/4 = 118906 - 113906 = 5000 > 0 -> the Eifel-like finer gain: 5000 >> 3 = 625.
        //    D = 456250 > X (200000) -> X = 456250 (< V). No window end. RTO = 114043 + 526407 = 640450.
        e.sample(10_000, 5000, 5500);
        check(e, 114_043, 526_407, 114_062, 640_450);

        // 6) m = 10000, SND.UNA 5600 (after 5000: window ends), SND.NXT 6000:
        //    err = 10000 - 114043 = -104043; S = 912344 - 104043 = 808301 -> srtt 101037.
        //    step = 104043 - 456250/4 = 104043 - 114062 = -10019 -> D = 446231 <= X (456250).
        //    Window end: V -= (526407 - 456250) >> 2 = 70157 >> 2 = 17539 -> V = 508868; X = 200000.
        //    RTO = 101037 + 508868 = 609905.
        e.sample(10_000, 5600, 6000);
        check(e, 101_037, 508_868, 111_557, 609_905);

        assertEquals(10_000, e.minRttUs());
        assertEquals(10_000, e.latestRttUs());
    }

    private static void check(RttEstimator e, long srtt, long rttvar, long mdev, long rto) {
        assertEquals(srtt, e.srttUs(), "srtt");
        assertEquals(rttvar, e.rttvarUs(), "rttvar");
        assertEquals(mdev, e.mdevUs(), "mdev");
        assertEquals(rto, e.rtoUs(), "rto");
    }

    /**
     * The hand-computed sequence again, with every sequence number shifted so that it crosses 2^32 (and,
     * separately, the signed-int boundary 2^31): the window ends must fall on the same samples.
     */
    @Test
    void windowEndComparesSequenceNumbersAcrossTheWrap() {
        long[] rtts = {100_000, 500_000, 60_000, 60_000, 10_000, 10_000};
        int[] unas = {1000, 1500, 2500, 4500, 5000, 5600};
        int[] nxts = {2000, 3000, 4000, 5000, 5500, 6000};
        long[] rtos = {300_000, 700_000, 688_750, 655_313, 640_450, 609_905};
        for (int shift : new int[] {0, -3000, Integer.MAX_VALUE - 3000, Integer.MIN_VALUE - 3000}) {
            var e = linuxDefaults();
            for (int i = 0; i < rtts.length; i++) {
                e.sample(rtts[i], unas[i] + shift, nxts[i] + shift);
                assertEquals(rtos[i], e.rtoUs(), "shift " + shift + " sample " + i);
            }
        }
    }

    @Test
    void rtoIsCappedAtMax() {
        var e = linuxDefaults();
        e.sample(100 * SEC, 0, 1);
        assertEquals(100 * SEC, e.srttUs());
        assertEquals(120 * SEC, e.rtoUs());
    }

    @Test
    void zeroAndNegativeSamples() {
        var e = linuxDefaults();
        e.sample(-1, 0, 1); // "no sample", as Linux ignores seq_rtt_us < 0
        assertFalse(e.hasSample());
        e.sample(0, 0, 1);
        assertTrue(e.hasSample());
        assertEquals(0, e.srttUs()); // Linux keeps srtt_us (×8) at least 1, i.e. 1/8 µs
        assertEquals(200 * MS, e.rtoUs());
        assertEquals(0, e.minRttUs());
    }

    @Test
    void resetForgetsEverything() {
        var e = linuxDefaults();
        e.sample(100 * MS, 0, 1000);
        e.reset();
        assertFalse(e.hasSample());
        assertEquals(1 * SEC, e.rtoUs());
        assertEquals(0, e.srttUs());
        assertEquals(Long.MAX_VALUE, e.minRttUs());
        e.sample(40 * MS, 0, 1000);
        assertEquals(240 * MS, e.rtoUs()); // a first sample again: 40 + max(80, 200)
    }

    @Test
    void badBounds() {
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(1 * SEC, 300 * MS, 200 * MS));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(0, 200 * MS, 120 * SEC));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(200 * SEC, 200 * MS, 120 * SEC));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(1 * SEC, -1, 120 * SEC));
    }

    /** Whatever the samples: rttvar >= rto_min, and srtt + rto_min <= RTO <= 120 s (short of the cap). */
    @Property(tries = 1000)
    void rtoBounds(@ForAll @Size(min = 1, max = 50) java.util.List<@LongRange(min = 0, max = 300_000_000) Long> rtts) {
        var e = linuxDefaults();
        int una = 0, nxt = 0;
        for (long rtt : rtts) {
            nxt += 3000;
            e.sample(rtt, una, nxt);
            una += 2000;
            assertTrue(e.rttvarUs() >= 200 * MS);
            assertTrue(e.rtoUs() <= 120 * SEC);
            assertEquals(Math.min(120 * SEC, e.srttUs() + e.rttvarUs()), e.rtoUs());
            assertTrue(e.rtoUs() >= Math.min(120 * SEC, e.srttUs() + 200 * MS));
            assertTrue(e.minRttUs() <= e.latestRttUs());
        }
    }
}
