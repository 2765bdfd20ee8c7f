package dev.synack.sim.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart written as a self-contained SVG file a person can read in a browser: a title, both
 * axes with "nice" ticks (1, 2 or 5 × 10ⁿ) and labels, a light grid, one polyline per series in a
 * distinct colour, and a legend. Hand-written SVG, no dependencies; the same input gives the same
 * bytes.
 *
 * <pre>{@code
 * new LinePlot("cwnd", "time (s)", "segments")
 *     .series("flow 0", times, cwnds)
 *     .write(Path.of("cwnd.svg"));
 * }</pre>
 */
public final class LinePlot {
    /**
     * One line: a name for the legend and its points (same length).
     *
     * @param step drawn as steps (each value holds until the next point: a window sampled on change)
     * @param dashed drawn dashed
     */
    public record Series(String name, double[] x, double[] y, boolean step, boolean dashed) {
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException("x and y differ in length");
        }
    }

    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
    };
    private static final int WIDTH = 960, HEIGHT = 520;
    private static final int LEFT = 80, RIGHT = 220, TOP = 50, BOTTOM = 60;
    /** Points per series beyond which a series is thinned (every k-th point, plus the last) to keep files small. */
    private static final int MAX_POINTS = 4000;

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();

    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a series; returns this plot. */
    public LinePlot series(String name, double[] x, double[] y) {
        series.add(new Series(name, x, y, false, false));
        return this;
    }

    /** Adds a series drawn as steps and/or dashed; returns this plot. */
    public LinePlot series(String name, double[] x, double[] y, boolean step, boolean dashed) {
        series.add(new Series(name, x, y, step, dashed));
        return this;
    }

    public List<Series> series() { return List.copyOf(series); }

    /** Writes the SVG to {@code path}. */
    public void write(Path path) throws IOException { Files.writeString(path, svg(), StandardCharsets.UTF_8); }

    /** The SVG document. */
    public String svg() {
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                xMin = Math.min(xMin, s.x[i]);
                xMax = Math.max(xMax, s.x[i]);
                yMax = Math.max(yMax, s.y[i]);
            }
        }
        if (xMin == Double.POSITIVE_INFINITY) {
            xMin = 0;
            xMax = 1;
            yMax = 1;
        }
        if (xMax <= xMin) xMax = xMin + 1;
        double yMin = 0;
        if (yMax <= yMin) yMax = yMin + 1;
        double[] xt = ticks(xMin, xMax), yt = ticks(yMin, yMax);
        xMin = Math.min(xMin, xt[0]);
        xMax = Math.max(xMax, xt[xt.length - 1]);
        yMax = Math.max(yMax, yt[yt.length - 1]);
        int pw = WIDTH - LEFT - RIGHT, ph = HEIGHT - TOP - BOTTOM;
        final double x0 = xMin, x1 = xMax, y1 = yMax;
        java.util.function.DoubleUnaryOperator px = v -> LEFT + (v - x0) / (x1 - x0) * pw;
        java.util.function.DoubleUnaryOperator py = v -> TOP + ph - (v - yMin) / (y1 - yMin) * ph;

        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append("<text x=\"").append(WIDTH / 2).append("\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">")
                .append(esc(title)).append("</text>\n");
        // grid and ticks
        b.append("<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        for (double t : xt) line(b, px.applyAsDouble(t), TOP, px.applyAsDouble(t), TOP + ph);
        for (double t : yt) line(b, LEFT, py.applyAsDouble(t), LEFT + pw, py.applyAsDouble(t));
        b.append("</g>\n<g stroke=\"black\" stroke-width=\"1\">\n");
        line(b, LEFT, TOP + ph, LEFT + pw, TOP + ph);
        line(b, LEFT, TOP, LEFT, TOP + ph);
        for (double t : xt) line(b, px.applyAsDouble(t), TOP + ph, px.applyAsDouble(t), TOP + ph + 5);
        for (double t : yt) line(b, LEFT - 5, py.applyAsDouble(t), LEFT, py.applyAsDouble(t));
        b.append("</g>\n<g fill=\"black\">\n");
        for (double t : xt) {
            b.append("<text x=\"").append(f(px.applyAsDouble(t))).append("\" y=\"").append(TOP + ph + 20)
                    .append("\" text-anchor=\"middle\">").append(label(t, xt)).append("</text>\n");
        }
        for (double t : yt) {
            b.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(f(py.applyAsDouble(t) + 4))
                    .append("\" text-anchor=\"end\">").append(label(t, yt)).append("</text>\n");
        }
        b.append("<text x=\"").append(LEFT + pw / 2).append("\" y=\"").append(HEIGHT - 15)
                .append("\" text-anchor=\"middle\">").append(esc(xLabel)).append("</text>\n");
        b.append("<text transform=\"translate(20,").append(TOP + ph / 2).append(") rotate(-90)\" text-anchor=\"middle\">")
                .append(esc(yLabel)).append("</text>\n</g>\n");
        // series
        for (int s = 0; s < series.size(); s++) {
            Series sr = series.get(s);
            String colour = COLOURS[s % COLOURS.length];
            String dash = sr.dashed || s >= COLOURS.length ? " stroke-dasharray=\"6 3\"" : "";
            b.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\"").append(dash)
                    .append(" points=\"");
            int n = sr.x.length;
            int step = Math.max(1, (n + MAX_POINTS - 1) / MAX_POINTS);
            double prevY = Double.NaN;
            for (int i = 0; i < n; i += step) {
                double x = px.applyAsDouble(sr.x[i]), y = py.applyAsDouble(sr.y[i]);
                if (sr.step && !Double.isNaN(prevY)) point(b, x, prevY);
                point(b, x, y);
                prevY = y;
            }
            if (n > 0 && (n - 1) % step != 0) {
                double x = px.applyAsDouble(sr.x[n - 1]), y = py.applyAsDouble(sr.y[n - 1]);
                if (sr.step) point(b, x, prevY);
                point(b, x, y);
            }
            b.append("\"/>\n");
            // legend
            int ly = TOP + 10 + s * 18;
            int lx = LEFT + pw + 15;
            b.append("<line x1=\"").append(lx).append("\" y1=\"").append(ly).append("\" x2=\"").append(lx + 24)
                    .append("\" y2=\"").append(ly).append("\" stroke=\"").append(colour).append("\" stroke-width=\"2\"")
                    .append(dash).append("/>\n");
            b.append("<text x=\"").append(lx + 30).append("\" y=\"").append(ly + 4).append("\">").append(esc(sr.name))
                    .append("</text>\n");
        }
        b.append("</svg>\n");
        return b.toString();
    }

    /** Ticks at multiples of 1, 2 or 5 × 10ⁿ covering [lo, hi], about four to seven of them. */
    public static double[] ticks(double lo, double hi) {
        double span = hi - lo;
        double raw = span / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * mag >= raw) {
                step = m * mag;
                break;
            }
        }
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = start + i * step;
        return t;
    }

    private static String label(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static void line(StringBuilder b, double x1, double y1, double x2, double y2) {
        b.append("<line x1=\"").append(f(x1)).append("\" y1=\"").append(f(y1)).append("\" x2=\"").append(f(x2))
                .append("\" y2=\"").append(f(y2)).append("\"/>\n");
    }

    private static void point(StringBuilder b, double x, double y) { b.append(f(x)).append(',').append(f(y)).append(' '); }

    private static String f(double v) { return String.format(Locale.ROOT, "%.1f", v); }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
