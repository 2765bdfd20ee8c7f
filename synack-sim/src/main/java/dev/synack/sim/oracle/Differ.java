package dev.synack.sim.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares synack's timeline of a story with Linux's, event by event, as packetdrill reports a
 * mismatch: the application calls and their results exactly; the client's segments exactly (flags,
 * relative numbers, length, window, options but timestamp values), those it sent and those it
 * received each in their order; and times within Linux's timer granularity.
 *
 * <p>Times are compared as gaps, each event's time since the one before it in the same list, because
 * every Linux timer fires on a jiffy and long ones are rounded up to the timer wheel's level
 * granularity (kernel/time/timer.c: LVL_CLK_SHIFT 3, LVL_BITS 6; at HZ = 250 one jiffy is 4 ms, and a
 * timeout from 252 ms on is rounded to 32 ms, from 2.016 s to 256 ms, from 16.13 s to 2.048 s, from
 * 129 s to 16.4 s). A gap agrees when it is within that granularity plus one jiffy and a millisecond
 * of the path's own jitter. Absolute times would accumulate the rounding of every earlier timer.
 */
public final class Differ {
    private Differ() {}

    /** One difference: where, what Linux did, what synack did, and whether only the time differs. */
    public record Difference(String where, String linux, String synack, boolean timing) {
        Difference(String where, String linux, String synack) { this(where, linux, synack, false); }

        @Override
        public String toString() { return where + "\n      Linux:  " + linux + "\n      synack: " + synack; }
    }

    /**
     * The result of a comparison.
     *
     * @param against what synack was compared with (the recording's header, or the live kernel)
     * @param segments how many segments were compared
     * @param calls how many application calls were compared
     * @param differences every difference, in order
     */
    public record Report(String against, int segments, int calls, List<Difference> differences) {
        public boolean agrees() { return differences.isEmpty(); }

        /** The differences in what happened (calls, results, segments), not only in when. */
        public List<Difference> content() { return differences.stream().filter(d -> !d.timing()).toList(); }

        /** The report for a terminal. */
        public String text() {
            StringBuilder sb = new StringBuilder("compared with " + against + ": ");
            sb.append(calls).append(" application calls, ").append(segments).append(" segments on the client's interface: ");
            if (agrees()) return sb.append("no difference (times within Linux's timer granularity)").toString();
            sb.append(differences.size()).append(differences.size() == 1 ? " difference" : " differences");
            for (Difference d : differences) sb.append("\n  ").append(d);
            return sb.toString();
        }
    }

    /** Compares {@code synack} with {@code linux}. */
    public static Report compare(Timeline linux, Timeline synack) {
        List<Difference> out = new ArrayList<>();
        List<Timeline.App> lc = linux.calls(), sc = synack.calls();
        compareCalls(lc, sc, out);
        List<Timeline.Segment> ls = linux.segments(), ss = synack.segments();
        // Each direction in its own order: which of two segments crossing on the wire within a fraction
        // of a millisecond the client's interface saw first is the relay's timing, not TCP's.
        compareSegments(ls.stream().filter(Timeline.Segment::outbound).toList(), ss.stream().filter(Timeline.Segment::outbound).toList(), "sent", out);
        compareSegments(ls.stream().filter(x -> !x.outbound()).toList(), ss.stream().filter(x -> !x.outbound()).toList(), "received", out);
        return new Report(describe(linux), Math.max(ls.size(), ss.size()), Math.max(lc.size(), sc.size()), out);
    }

    /** "Linux 6.18.44 (recorded 2026-12-05 by `...`)" from a timeline's header. */
    static String describe(Timeline t) {
        String s = t.header().getOrDefault("source", "an unnamed timeline");
        String when = t.header().get("recorded");
        String cmd = t.header().get("command");
        if (when != null) s += ", recorded " + when;
        if (cmd != null) s += " by `" + cmd + "`";
        return s;
    }

    private static void compareCalls(List<Timeline.App> l, List<Timeline.App> s, List<Difference> out) {
        long lPrev = 0, sPrev = 0;
        for (int i = 0; i < Math.max(l.size(), s.size()); i++) {
            Timeline.App a = i < l.size() ? l.get(i) : null, b = i < s.size() ? s.get(i) : null;
            String where = "call " + (i + 1);
            if (a == null || b == null || !a.line().equals(b.line())) {
                out.add(new Difference(where, a == null ? "(no such call)" : at(a.tNs()) + a.line(),
                        b == null ? "(no such call)" : at(b.tNs()) + b.line()));
                if (a == null || b == null || !a.call().equals(b.call())) return; // the stories went apart
            } else if (!timesAgree(a.tNs() - lPrev, b.tNs() - sPrev)) {
                out.add(new Difference(where + ", " + a.line() + ": time since the call before beyond ±" + ms(tolerance(a.tNs() - lPrev)),
                        at(a.tNs()) + "(+" + ms(a.tNs() - lPrev) + ")", at(b.tNs()) + "(+" + ms(b.tNs() - sPrev) + ")", true));
            }
            if (a != null) lPrev = a.tNs();
            if (b != null) sPrev = b.tNs();
        }
    }

    private static void compareSegments(List<Timeline.Segment> l, List<Timeline.Segment> s, String dir, List<Difference> out) {
        long lPrev = 0, sPrev = 0;
        for (int i = 0; i < Math.max(l.size(), s.size()); i++) {
            Timeline.Segment a = i < l.size() ? l.get(i) : null, b = i < s.size() ? s.get(i) : null;
            String where = "segment " + dir + " " + (i + 1);
            if (a == null || b == null) {
                out.add(new Difference(where, a == null ? "(none: " + l.size() + " segments in all)" : at(a.tNs()) + a.line(),
                        b == null ? "(none: " + s.size() + " segments in all)" : at(b.tNs()) + b.line()));
                return;
            }
            if (!a.line().equals(b.line())) {
                out.add(new Difference(where, at(a.tNs()) + a.line(), at(b.tNs()) + b.line()));
                if (a.flags() != b.flags() || a.outbound() != b.outbound()) return; // out of step from here on
            } else if (!timesAgree(a.tNs() - lPrev, b.tNs() - sPrev)) {
                out.add(new Difference(where + ", " + a.line() + ": time since the segment before beyond ±" + ms(tolerance(a.tNs() - lPrev)),
                        at(a.tNs()) + "(+" + ms(a.tNs() - lPrev) + ")", at(b.tNs()) + "(+" + ms(b.tNs() - sPrev) + ")", true));
            }
            lPrev = a.tNs();
            sPrev = b.tNs();
        }
    }

    static final long JIFFY_NS = 4_000_000L; // HZ = 250 on the machines the recordings come from

    /** Whether two gaps agree: within {@link #tolerance} of Linux's gap. */
    static boolean timesAgree(long linuxGapNs, long synackGapNs) {
        return Math.abs(linuxGapNs - synackGapNs) <= tolerance(linuxGapNs);
    }

    /** The timer wheel's granularity for a timeout of {@code gapNs}, plus one jiffy and 1 ms of jitter. */
    static long tolerance(long gapNs) {
        long jiffies = Math.max(0, gapNs) / JIFFY_NS;
        long granularity = 1; // level n holds timeouts from 63·8^(n−1) jiffies (LVL_START), rounded to 8^n
        while (jiffies >= 63 * granularity && granularity < 4096) granularity *= 8;
        return granularity * JIFFY_NS + JIFFY_NS + 1_000_000L;
    }

    private static String at(long ns) { return String.format(Locale.ROOT, "%9.3f s  ", ns / 1e9); }

    private static String ms(long ns) { return String.format(Locale.ROOT, "%.1f ms", ns / 1e6); }
}
