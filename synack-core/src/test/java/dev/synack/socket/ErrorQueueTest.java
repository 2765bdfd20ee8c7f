package dev.synack.socket;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The error queue's rules: order, and the coalescing of zero-copy completions (__msg_zerocopy_callback). */
class ErrorQueueTest {
    final List<String> reports = new ArrayList<>();
    final ErrorQueue q = new ErrorQueue(() -> reports.add("report"));

    @Test
    void consecutiveIdsExtendTheTailRangeAndEachIsReported() {
        q.zerocopyDone(0, true);
        q.zerocopyDone(1, true);
        q.zerocopyDone(2, true);
        assertEquals(1, q.size());
        assertEquals(3, reports.size(), "sk_error_report for every completion, extended or not");
        assertEquals(new ErrorQueue.Message(ExtendedError.zerocopy(0, 2, true), -1, 0), q.poll());
        assertTrue(q.isEmpty());
    }

    @Test
    void aGapStartsANewRange() {
        q.zerocopyDone(0, true);
        q.zerocopyDone(2, true);
        assertEquals(ExtendedError.zerocopy(0, 0, true), q.poll().error());
        assertEquals(ExtendedError.zerocopy(2, 2, true), q.poll().error());
    }

    @Test
    void onlyTheTailIsExtendedNotAcrossATimestamp() {
        q.zerocopyDone(0, true);
        q.add(new ErrorQueue.Message(ExtendedError.timestamp(ExtendedError.SCM_TSTAMP_ACK, 99), 5_000_000, 0));
        q.zerocopyDone(1, true);
        assertEquals(ExtendedError.zerocopy(0, 0, true), q.poll().error());
        assertEquals(ExtendedError.timestamp(2, 99), q.poll().error());
        assertEquals(ExtendedError.zerocopy(1, 1, true), q.poll().error());
    }

    @Test
    void theTailKeepsItsCodeAndIdsWrapAtTwoToThe32() {
        q.zerocopyDone(0xffff_fffeL, false);
        q.zerocopyDone(0xffff_ffffL, true);
        q.zerocopyDone(0, true);
        ExtendedError e = q.poll().error();
        assertEquals(new ExtendedError(0, ExtendedError.ORIGIN_ZEROCOPY, 0, 0, 0xffff_fffeL, 0), e);
        assertTrue(q.isEmpty());
    }

    @Test
    void timestampFields() {
        assertEquals(new ExtendedError(42, 4, 0, 0, 1, 1999), ExtendedError.timestamp(ExtendedError.SCM_TSTAMP_SCHED, 1999));
        assertEquals(new ExtendedError(0, 5, 0, 1, 3, 7), ExtendedError.zerocopy(3, 7, true));
    }
}
