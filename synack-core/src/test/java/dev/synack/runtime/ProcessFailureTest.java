package dev.synack.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** runUntil, runFor and runUntilDone report a simulated process's failure the same way, once. */
class ProcessFailureTest {
    private static final long MS = 1_000_000L;

    @Test
    void runForRethrowsAProcessFailureOnceAsRunUntilDoneDoes() {
        for (boolean untilDone : new boolean[] {false, true}) {
            VirtualRuntime rt = new VirtualRuntime();
            IOException boom = new IOException("boom");
            rt.spawn("worker", () -> {
                rt.sleep(100 * MS);
                throw boom;
            });
            rt.spawn("other", () -> rt.sleep(10_000 * MS));
            Runnable run = untilDone ? () -> rt.runUntilDone(1_000 * MS) : () -> rt.runFor(1_000 * MS);
            IllegalStateException e = assertThrows(IllegalStateException.class, run::run);
            assertEquals("process worker failed: java.io.IOException: boom", e.getMessage());
            assertSame(boom, e.getCause());
            run.run(); // reported once: the next call goes on
            assertTrue(rt.takeUnreportedFailures().isEmpty());
        }
    }

    @Test
    void aFailureNoRunCallSawIsHandedOverOnce() throws Exception {
        VirtualRuntime rt = new VirtualRuntime();
        rt.spawn("worker", () -> {
            throw new IllegalArgumentException("bad");
        });
        rt.sleep(10 * MS); // the driver's own blocking call runs the process but does not throw its failure
        var failed = rt.takeUnreportedFailures();
        assertEquals(1, failed.size());
        assertEquals("bad", failed.getFirst().failure().getMessage());
        assertTrue(rt.takeUnreportedFailures().isEmpty());
    }

    @Test
    void aKilledProcessIsNoFailure() {
        VirtualRuntime rt = new VirtualRuntime();
        var p = rt.spawn("victim", () -> rt.sleep(1_000 * MS));
        rt.runFor(10 * MS);
        p.kill();
        rt.runFor(10 * MS);
        assertTrue(p.isDone());
        assertTrue(rt.takeUnreportedFailures().isEmpty());
    }
}
