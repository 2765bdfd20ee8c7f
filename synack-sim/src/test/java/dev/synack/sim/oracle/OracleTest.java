package dev.synack.sim.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.sim.scenario.Knobs;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The oracle's pieces that need no kernel: timelines, their text, the differ, and the recordings in the repository. */
class OracleTest {
    @Test
    void timelineSurvivesItsText() throws Exception {
        Timeline t = Oracle.inLab(Stories.find("refused").orElseThrow(), Knobs.defaults());
        Timeline back = Timeline.fromJsonLines(new StringReader(t.toJsonLines()));
        assertEquals(t.header(), back.header());
        assertEquals(t.segments().stream().map(Timeline.Segment::line).toList(), back.segments().stream().map(Timeline.Segment::line).toList());
        assertEquals(List.of("client > S 0:0(0) win 64240 <mss 1460,sackOK,TS val ecr 0,nop,wscale 10>", "client < R. 0:0(0) ack 1 win 0"),
                t.segments().stream().map(Timeline.Segment::line).toList());
        assertEquals(List.of("client connect() → ConnectException: Connection refused"), t.calls().stream().map(Timeline.App::line).toList());
    }

    @Test
    void aBadRecordingLineIsNamed() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Timeline.fromJsonLines(new StringReader("{\"source\":\"x\"}\n{\"t\":1,\"type\":\"segment\"}\n")));
        assertEquals("line 2: no \"flags\"", e.getMessage());
    }

    /**
     * Times are compared as gaps within the timer wheel's granularity at HZ 250 (kernel/time/timer.c):
     * one jiffy below 63 jiffies, 8 jiffies (32 ms) from 252 ms, 64 (256 ms) from 2.016 s; each plus a
     * jiffy and 1 ms.
     */
    @Test
    void toleranceFollowsTheTimerWheel() {
        assertEquals(9_000_000L, Differ.tolerance(20_000_000L));
        assertEquals(37_000_000L, Differ.tolerance(880_000_000L));
        assertEquals(261_000_000L, Differ.tolerance(7_000_000_000L));
        assertEquals(2_053_000_000L, Differ.tolerance(64_000_000_000L));
    }

    @Test
    void differNamesTheFirstSegmentThatDiffers() {
        Timeline.Builder a = new Timeline.Builder(), b = new Timeline.Builder();
        a.call(120_000_000L, "client", "connect()", "ok");
        b.call(120_000_000L, "client", "connect()", "ok");
        Timeline linux = new Timeline(Map.of("source", "Linux test"), a.build().events());
        assertTrue(Differ.compare(linux, b.build()).agrees());
        b.call(300_000_000L, "client", "read()", "returned 5");
        Differ.Report r = Differ.compare(linux, b.build());
        assertFalse(r.agrees());
        assertEquals("call 2", r.differences().getFirst().where());
        assertEquals("(no such call)", r.differences().getFirst().linux());
    }

    /** Every recording in the repository reads back, names its kernel and the command that made it, and belongs to a grid point. */
    @Test
    void recordingsReadBack() {
        int found = 0;
        for (OracleStory s : Stories.all()) {
            for (Knobs k : s.grid()) {
                var rec = Recordings.find(s.name(), k);
                if (rec.isEmpty()) continue;
                found++;
                assertTrue(rec.get().header().get("source").startsWith("Linux "), rec.get().header().toString());
                assertTrue(rec.get().header().containsKey("command"));
                assertFalse(rec.get().events().isEmpty());
            }
        }
        assertTrue(found > 0, "no recordings under " + Recordings.ROOT);
    }
}
