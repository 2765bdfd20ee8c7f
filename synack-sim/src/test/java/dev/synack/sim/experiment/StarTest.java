package dev.synack.sim.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The star workload (ns-3's anchor S5): short flows from one server, completion times. */
class StarTest {
    private static Star small(long seed) { return new Star(4, 40, 20 * 1024, 1, 1_000_000_000L, "newreno", 30, seed); }

    /**
     * Flows 25 ms apart never meet, so each takes the same time: the handshake (one base RTT of 12 ms:
     * 1 + 5 ms each way), the first flight of ten segments (IW10) and its ACKs (another RTT), the last
     * five segments' half RTT, and the 100 Mbit/s client link's serialisation of the 20 KiB: 30.660 ms.
     */
    @Test
    void everyFlowCompletesInTwoAndAHalfRoundTrips() {
        Star.Result r = small(1).run();
        assertEquals(40, r.fctsMs().length, r.summary());
        for (double f : r.fctsMs()) assertEquals(30.660352, f, 1e-6, "FCT");
        assertTrue(r.summary().contains("completed=40/40"), r.summary());
        assertTrue(r.endNs() < 2_000_000_000L, "the run ends when the last flow completes");
    }

    @Test
    void theSameSeedGivesTheSameCompletionTimes() {
        assertArrayEquals(small(7).run().fctsMs(), small(7).run().fctsMs());
    }

    @Test
    void percentilesAreNearestRank() {
        var r = new Star.Result(small(1), new double[] {5, 1, 4, 2, 3}, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(1, r.fctPercentileMs(0));
        assertEquals(3, r.fctPercentileMs(0.5));
        assertEquals(5, r.fctPercentileMs(0.99));
        assertEquals(3, r.fctMeanMs());
    }

    @Test
    void badSpecsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Star(0, 1, 1, 1, 1, "newreno", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Star(1, 1, 1, 1, 1, "vegas", 1, 1));
    }
}
