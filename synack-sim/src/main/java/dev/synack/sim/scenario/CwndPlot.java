package dev.synack.sim.scenario;

import dev.synack.trace.TraceEvent;
import java.util.List;
import java.util.Locale;

/**
 * A small hand-written SVG plot of cwnd and ssthresh (in segments) over time, from a connection's
 * {@link TraceEvent.CwndSample}s: cwnd as a blue step line, ssthresh as a dashed orange one (left
 * out while it is "infinite", i.e. before the first reduction), with axes and a few ticks.
 */
final class CwndPlot {
    private CwndPlot() {}

    static final int W = 800, H = 400, LEFT = 60, RIGHT = 20, TOP = 30, BOTTOM = 40;
    /** ssthresh at or above this is Linux's TCP_INFINITE_SSTHRESH for the plot's purposes. */
    static final int INFINITE = 0x7fff_0000;

    /** The SVG text for {@code samples} (one connection's, in order), times from {@code startNs}. */
    static String svg(String title, List<TraceEvent.CwndSample> samples, long startNs) {
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append("<text x=\"").append(W / 2).append("\" y=\"18\" text-anchor=\"middle\">").append(escape(title)).append("</text>\n");
        if (samples.isEmpty()) return sb.append("</svg>\n").toString();
        double tMax = Math.max(1e-9, (samples.getLast().timeNs() - startNs) / 1e9);
        int yMax = 1;
        for (TraceEvent.CwndSample s : samples) {
            yMax = Math.max(yMax, s.cwnd());
            if (s.ssthresh() < INFINITE) yMax = Math.max(yMax, s.ssthresh());
        }
        yMax = niceCeil(yMax);
        double tTop = niceCeil(tMax);
        int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        // axes and ticks
        sb.append(line(LEFT, TOP, LEFT, TOP + ph)).append(line(LEFT, TOP + ph, LEFT + pw, TOP + ph));
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5.0, y = TOP + ph - ph * i / 5.0;
            sb.append(line(LEFT - 4, y, LEFT, y)).append(text(LEFT - 8, y + 4, "end", fmt(v)));
            double t = tTop * i / 5.0, x = LEFT + pw * i / 5.0;
            sb.append(line(x, TOP + ph, x, TOP + ph + 4)).append(text(x, TOP + ph + 18, "middle", fmt(t)));
        }
        sb.append(text(LEFT + pw / 2.0, H - 6, "middle", "time (s)"));
        sb.append(text(14, TOP + ph / 2.0, "middle", "segments"));
        // series
        StringBuilder cw = new StringBuilder(), ss = new StringBuilder();
        boolean ssOpen = false;
        for (TraceEvent.CwndSample s : samples) {
            double x = LEFT + pw * ((s.timeNs() - startNs) / 1e9) / tTop;
            double y = TOP + ph - ph * (double) s.cwnd() / yMax;
            if (cw.isEmpty()) cw.append('M').append(f(x)).append(' ').append(f(y));
            else cw.append(" H").append(f(x)).append(" V").append(f(y)); // a step: cwnd holds until the next sample
            if (s.ssthresh() < INFINITE) {
                double sy = TOP + ph - ph * (double) Math.min(s.ssthresh(), yMax) / yMax;
                ss.append(ssOpen ? " L" : " M").append(f(x)).append(' ').append(f(sy));
                ssOpen = true;
            }
        }
        sb.append("<path d=\"").append(cw).append("\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n");
        if (!ss.isEmpty()) {
            sb.append("<path d=\"").append(ss.toString().trim()).append("\" fill=\"none\" stroke=\"#ff7f0e\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>\n");
        }
        sb.append(text(LEFT + pw - 90, TOP + 14, "start", "cwnd")).append(line(LEFT + pw - 120, TOP + 10, LEFT + pw - 95, TOP + 10)
                .replace("black", "#1f77b4"));
        sb.append(text(LEFT + pw - 90, TOP + 30, "start", "ssthresh")).append(line(LEFT + pw - 120, TOP + 26, LEFT + pw - 95, TOP + 26)
                .replace("black", "#ff7f0e"));
        return sb.append("</svg>\n").toString();
    }

    private static int niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (int m : new int[] {1, 2, 5, 10}) if (m * p >= v) return (int) Math.max(1, Math.ceil(m * p));
        return (int) Math.ceil(v);
    }

    private static String line(double x1, double y1, double x2, double y2) {
        return "<line x1=\"" + f(x1) + "\" y1=\"" + f(y1) + "\" x2=\"" + f(x2) + "\" y2=\"" + f(y2) + "\" stroke=\"black\"/>\n";
    }

    private static String text(double x, double y, String anchor, String s) {
        return "<text x=\"" + f(x) + "\" y=\"" + f(y) + "\" text-anchor=\"" + anchor + "\">" + escape(s) + "</text>\n";
    }

    private static String f(double v) { return String.format(Locale.ROOT, "%.1f", v); }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }
}
