package dev.synack.sim.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.sim.plot.LinePlot;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The experiment's bookkeeping: BDP and queue, Jain's index, determinism, TSV, the plot's ticks. */
class ExperimentTest {
    @Test
    void bdpAndQueue() {
        Experiment e = Experiment.of(100_000_000, 40, 0, 0, 10, "cubic", 1, 1);
        assertEquals(333, e.bdpPackets()); // 100e6 · 0.040 / (8 · 1500)
        assertEquals(333, e.queue());
        assertEquals(1448, e.mss());
        assertEquals(100e6 * 1448 / 1500, e.capacityBps(), 1e-6);
        assertEquals(50, Experiment.of(100_000_000, 40, 50, 0, 1, "reno", 1, 1).queue());
        assertThrows(IllegalArgumentException.class, () -> Experiment.of(1, 40, 0, 0, 1, "vegas", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Experiment.of(1, 40, 0, 1.0, 1, "reno", 1, 1));
    }

    @Test
    void jainIndexOfEqualAndUnequalShares() {
        Experiment e = Experiment.of(10_000_000, 20, 0, 0, 2, "reno", 1, 1);
        Result equal = new Result(e, List.of(flow(0, 1000), flow(1, 1000)), 0, 0, 0, 0, 0, 1, 1);
        Result unequal = new Result(e, List.of(flow(0, 3000), flow(1, 1000)), 0, 0, 0, 0, 0, 1, 1);
        assertEquals(1.0, equal.jainIndex(), 1e-12);
        assertEquals(16.0 / 20.0, unequal.jainIndex(), 1e-12); // (3+1)² / (2·(9+1))
    }

    private static Result.FlowResult flow(int i, long bytes) { return new Result.FlowResult(i, "10.1.0.1", bytes, 0, new FlowTrace()); }

    /** Same seed, same everything: goodputs and samples are equal, TSV byte for byte. */
    @Test
    void sameSeedSameResults() throws IOException {
        Experiment e = Experiment.of(20_000_000, 20, 0, 0.001, 3, "cubic", 2, 5);
        Result a = e.run(), b = e.run();
        for (int i = 0; i < 3; i++) assertEquals(a.flows().get(i).bytesReceived(), b.flows().get(i).bytesReceived());
        StringWriter ta = new StringWriter(), tb = new StringWriter();
        a.writeTsv(ta);
        b.writeTsv(tb);
        assertEquals(ta.toString(), tb.toString());
        assertEquals(a.cwndPlot().svg(), b.cwndPlot().svg());
        assertTrue(a.randomLosses() > 0 && a.totalGoodputBps() > 0);
    }

    /** Sysctls reach every host: without timestamps the MSS is 1460, not 1448, so the flow moves more bytes. */
    @Test
    void sysctlsApplyToEveryHost() {
        Experiment e = Experiment.of(10_000_000, 20, 0, 0, 1, "cubic", 2, 5);
        long with = e.run().flows().getFirst().bytesReceived();
        long without = e.withSysctls(List.of("tcp_timestamps=0")).run().flows().getFirst().bytesReceived();
        assertTrue(without > with, without + " vs " + with);
        assertThrows(IllegalArgumentException.class, () -> e.withSysctls(List.of("tcp_nonsense=1")));
        assertThrows(IllegalArgumentException.class, () -> e.withSysctls(List.of("tcp_frto")));
    }

    @Test
    void ticksAreOneTwoFiveTimesAPowerOfTen() {
        assertArrayEquals(new double[] {0, 10, 20, 30, 40, 50, 60}, LinePlot.ticks(0, 60), 1e-9);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, LinePlot.ticks(0, 1), 1e-9);
        assertArrayEquals(new double[] {0, 50, 100, 150, 200, 250}, LinePlot.ticks(0, 237), 1e-9);
    }
}
