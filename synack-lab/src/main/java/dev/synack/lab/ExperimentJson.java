package dev.synack.lab;

import dev.synack.sim.Json;
import dev.synack.sim.experiment.Experiment;
import dev.synack.sim.experiment.FlowTrace;
import dev.synack.sim.experiment.Result;
import java.util.Locale;

/**
 * An experiment's result as JSON for the experiments page: the settings, the summary
 * {@code synack experiment} prints, and each flow's goodput with its samples over time (cwnd,
 * ssthresh, and the goodput between two samples), at most {@link #POINTS} per flow.
 */
final class ExperimentJson {
    private ExperimentJson() {}

    /** The most samples sent per flow (a plot has no more pixels than that). */
    static final int POINTS = 1500;

    static String of(Result r) {
        Experiment e = r.spec();
        StringBuilder sb = new StringBuilder("{\"spec\":{");
        sb.append("\"rateBps\":").append(e.rateBps()).append(",\"rttMs\":").append(e.rttMs()).append(",\"queue\":").append(e.queue())
                .append(",\"bdp\":").append(e.bdpPackets()).append(",\"loss\":").append(num(e.loss())).append(",\"flows\":").append(e.flows())
                .append(",\"cc\":").append(Json.string(e.algorithm())).append(",\"durationS\":").append(num(e.durationS()))
                .append(",\"seed\":").append(e.seed()).append('}');
        sb.append(",\"summary\":").append(Json.string(r.summary()));
        sb.append(",\"totalGoodputBps\":").append(num(r.totalGoodputBps()));
        sb.append(",\"utilisation\":").append(e.rateBps() == 0 ? "null" : num(r.utilisation()));
        sb.append(",\"jain\":").append(num(r.jainIndex()));
        sb.append(",\"flows\":[");
        for (int f = 0; f < r.flows().size(); f++) {
            Result.FlowResult fr = r.flows().get(f);
            FlowTrace t = fr.trace();
            if (f > 0) sb.append(',');
            sb.append("\n{\"index\":").append(fr.index()).append(",\"sender\":").append(Json.string(fr.sender()))
                    .append(",\"goodputBps\":").append(num(r.goodputBps(f))).append(",\"bytes\":").append(fr.bytesReceived())
                    .append(",\"retransmits\":").append(fr.retransmits());
            int n = t.size(), step = Math.max(1, (n + POINTS - 1) / POINTS);
            StringBuilder ts = new StringBuilder(), cw = new StringBuilder(), ss = new StringBuilder(), gp = new StringBuilder();
            int prev = -1;
            for (int i = 0; i < n; i += step) {
                if (!ts.isEmpty()) {
                    ts.append(',');
                    cw.append(',');
                    ss.append(',');
                    gp.append(',');
                }
                ts.append(String.format(Locale.ROOT, "%.4f", t.timeNs(i) / 1e9));
                cw.append(t.cwnd(i));
                ss.append(t.ssthresh(i) >= Integer.MAX_VALUE / 2 ? "null" : Integer.toString(t.ssthresh(i)));
                if (prev < 0 || t.timeNs(i) == t.timeNs(prev)) {
                    gp.append("null");
                } else {
                    double bps = (t.bytesReceived(i) - t.bytesReceived(prev)) * 8e9 / (t.timeNs(i) - t.timeNs(prev));
                    gp.append(String.format(Locale.ROOT, "%.3f", bps / 1e6));
                }
                prev = i;
            }
            sb.append(",\"t\":[").append(ts).append("],\"cwnd\":[").append(cw).append("],\"ssthresh\":[").append(ss)
                    .append("],\"goodputMbps\":[").append(gp).append("]}");
        }
        return sb.append("\n]}\n").toString();
    }

    private static String num(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return "null";
        return String.format(Locale.ROOT, "%.6g", d);
    }
}
