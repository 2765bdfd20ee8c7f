package dev.synack.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.time.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The real-time runtime's clock and order: each packet a device hands over has its own time (issue 16:
 * a batch of packets sharing one timestamp let RACK take new data for sent after a retransmission),
 * and input that has arrived is processed before an overdue timer fires.
 */
class RealtimeRuntimeTest {

    /** Packets of one batch, each after tick(), see strictly increasing times (no ties). */
    @Test
    void everyPacketOfABatchHasItsOwnTime() {
        try (RealtimeRuntime rt = new RealtimeRuntime()) {
            long[] seen = new long[64];
            rt.execute(() -> {
                for (int i = 0; i < seen.length; i++) {
                    rt.tick();
                    seen[i] = rt.scheduler().nowNs();
                }
            });
            for (int i = 1; i < seen.length; i++) assertTrue(seen[i] > seen[i - 1], "packet " + i + ": " + seen[i] + " after " + seen[i - 1]);
        }
    }

    @Test
    void tickNeedsTheLock() {
        try (RealtimeRuntime rt = new RealtimeRuntime()) {
            assertThrows(IllegalStateException.class, rt::tick);
        }
    }

    /**
     * An "ACK" waiting at the device when the retransmission timer falls due is handed over first and
     * cancels the timer, which therefore never fires.
     */
    @Test
    void inputIsDrainedBeforeAnOverdueTimerFires() throws InterruptedException {
        try (RealtimeRuntime rt = new RealtimeRuntime()) {
            List<String> events = new ArrayList<>();
            AtomicBoolean ackWaiting = new AtomicBoolean();
            Timer rto = Timer.of(() -> events.add("timer"));
            rt.setInput(() -> {
                if (ackWaiting.getAndSet(false)) {
                    rt.tick();
                    events.add("ack");
                    rt.scheduler().cancel(rto);
                }
            });
            rt.execute(() -> rt.scheduler().scheduleIn(rto, 20_000_000));
            ackWaiting.set(true); // arrives before the deadline; nobody reads it until the timer is due
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (rt.call(() -> events.isEmpty()) && System.nanoTime() < deadline) Thread.sleep(5);
            Thread.sleep(40); // past the deadline: the timer would have fired by now
            assertEquals(List.of("ack"), rt.call(() -> List.copyOf(events)));
            assertFalse(rt.call(rto::isArmed));
        }
    }

    /** A timer fires at the time it runs, never before its deadline, and time never moves back. */
    @Test
    void timersFireAtTheTimeTheyRun() throws InterruptedException {
        try (RealtimeRuntime rt = new RealtimeRuntime()) {
            long[] firedAt = {-1};
            long[] due = new long[1];
            Timer t = Timer.of(() -> firedAt[0] = rt.scheduler().nowNs());
            rt.execute(() -> {
                due[0] = rt.scheduler().nowNs() + 1_000_000;
                rt.scheduler().schedule(t, due[0]);
            });
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (rt.call(() -> firedAt[0] < 0) && System.nanoTime() < deadline) Thread.sleep(2);
            assertTrue(firedAt[0] >= due[0], firedAt[0] + " < " + due[0]);
            assertTrue(rt.call(() -> rt.scheduler().nowNs()) >= firedAt[0]);
        }
    }
}
