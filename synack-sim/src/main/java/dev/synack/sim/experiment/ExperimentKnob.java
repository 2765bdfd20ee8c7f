package dev.synack.sim.experiment;

import dev.synack.sim.Aqm;
import dev.synack.tcp.cc.CongestionControl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The options of a congestion experiment as text comes in — {@code synack experiment --rate 100M} or
 * the lab's experiments page ({@code rate=100M}) — with their one validation and their one error
 * message each ({@code bad --rtt '0': expected 1 to 10000 ms}).
 */
public enum ExperimentKnob {
    RATE("--rate", "100M"),
    RTT("--rtt", "40"),
    QUEUE("--queue", "BDP"),
    LOSS("--loss", "0"),
    REORDER("--reorder", "0"),
    SYSCTL("--sysctl", ""),
    FLOWS("--flows", "1"),
    CC("--cc", "cubic"),
    DURATION("--duration", "60"),
    SEED("--seed", "1"),
    SAMPLE("--sample", "0"),
    AQM("--aqm", "droptail"),
    ECN("--ecn", "off");

    private final String option, defaultValue;

    ExperimentKnob(String option, String defaultValue) {
        this.option = option;
        this.defaultValue = defaultValue;
    }

    /** The command line's option, e.g. {@code --rate}. */
    public String option() { return option; }

    /** The option without its dashes: the page's field and URL parameter. */
    public String key() { return option.substring(2); }

    /**
     * The value when none is given ({@code --sysctl}: none, several are separated by spaces;
     * {@code --ecn}: off, a flag on the command line, {@code on} or {@code off} as text).
     */
    public String defaultValue() { return defaultValue; }

    /** The knob whose {@link #key()} is {@code key}, if any. */
    public static Optional<ExperimentKnob> byKey(String key) {
        return Arrays.stream(values()).filter(k -> k.key().equals(key)).findFirst();
    }

    /**
     * The experiment the options describe (the others at their defaults), checked in the order of this
     * enum. {@code --sysctl} takes NAME=VALUE settings separated by spaces.
     *
     * @param bad makes the exception thrown for a bad value from its one-line message
     */
    public static Experiment parse(Map<ExperimentKnob, String> given, Function<String, ? extends RuntimeException> bad) {
        Function<ExperimentKnob, String> v = k -> given.getOrDefault(k, k.defaultValue).strip();
        long rateBps = parseRate(v.apply(RATE), bad);
        int rttMs = parseInt(v.apply(RTT), 1, 10_000, "bad --rtt '%s': expected 1 to 10000 ms", bad);
        String queue = v.apply(QUEUE);
        int queuePackets = queue.equalsIgnoreCase("BDP") ? 0
                : parseInt(queue, 1, 1_000_000, "bad --queue '%s': expected BDP or 1 to 1000000 packets", bad);
        double loss = parseProbability(v.apply(LOSS), "bad --loss '%s': expected 0 ≤ P < 1", bad);
        double reorder = parseProbability(v.apply(REORDER), "bad --reorder '%s': expected 0 ≤ P < 1", bad);
        List<String> sysctls = new ArrayList<>();
        for (String s : v.apply(SYSCTL).split("\\s+")) if (!s.isEmpty()) sysctls.add(s);
        int flows = parseInt(v.apply(FLOWS), 1, 200, "bad --flows '%s': expected 1 to 200", bad);
        String cc = v.apply(CC);
        if (!CongestionControl.names().contains(cc)) {
            throw bad.apply("bad --cc '" + cc + "': one of " + String.join(", ", CongestionControl.names()));
        }
        double durationS = parseDouble(v.apply(DURATION), "bad --duration '%s': expected 0 < S ≤ 3600", bad);
        if (!(durationS > 0 && durationS <= 3600)) throw bad.apply(String.format("bad --duration '%s': expected 0 < S ≤ 3600", v.apply(DURATION)));
        long seed;
        try {
            seed = Long.parseLong(v.apply(SEED));
        } catch (NumberFormatException e) {
            throw bad.apply("bad --seed '" + v.apply(SEED) + "': expected an integer");
        }
        double sampleMs = parseDouble(v.apply(SAMPLE), "bad --sample '%s': expected 0 to 60000 ms", bad);
        if (!(sampleMs >= 0 && sampleMs <= 60_000)) throw bad.apply(String.format("bad --sample '%s': expected 0 to 60000 ms", v.apply(SAMPLE)));
        if (rateBps == 0 && queuePackets == 0 && loss == 0) {
            throw bad.apply("an unlimited --rate needs --loss > 0 (nothing else would limit the flows)");
        }
        Experiment e;
        try {
            e = new Experiment(rateBps, rttMs, queuePackets, loss, flows, cc, durationS, seed, 1500, sampleMs, 0, reorder, sysctls);
        } catch (IllegalArgumentException ex) {
            throw bad.apply("bad --sysctl: " + ex.getMessage());
        }
        boolean ecn = switch (v.apply(ECN).toLowerCase(Locale.ROOT)) {
            case "on", "true", "1", "yes" -> true;
            case "off", "false", "0", "no", "" -> false;
            default -> throw bad.apply("bad --ecn '" + v.apply(ECN) + "': expected on or off");
        };
        String aqm = v.apply(AQM);
        try {
            return e.withAqm(Aqm.of(aqm, rateBps, e.queue(), ecn)).withEcn(ecn);
        } catch (IllegalArgumentException ex) {
            throw bad.apply("bad --aqm '" + aqm + "': " + ex.getMessage());
        }
    }

    /** "100M" → 100_000_000; k, M, G are powers of 1000 (as tc and iperf count bits). */
    public static long parseRate(String text, Function<String, ? extends RuntimeException> bad) {
        String t = text.strip();
        long mult = 1;
        if (!t.isEmpty()) {
            switch (Character.toUpperCase(t.charAt(t.length() - 1))) {
                case 'K' -> mult = 1_000L;
                case 'M' -> mult = 1_000_000L;
                case 'G' -> mult = 1_000_000_000L;
                default -> mult = 1;
            }
            if (mult > 1) t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v >= 0) || v * mult > 100e9 || !t.matches("[0-9.]+")) throw new NumberFormatException();
            long bps = Math.round(v * mult);
            if (bps > 0 && bps < 10_000) throw new NumberFormatException();
            return bps;
        } catch (NumberFormatException e) {
            throw bad.apply(String.format(Locale.ROOT, "bad --rate '%s': expected bits/s such as 100M, 1G or 500k (10k to 100G, or 0)", text));
        }
    }

    private static int parseInt(String s, int lo, int hi, String message, Function<String, ? extends RuntimeException> bad) {
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw bad.apply(String.format(message, s));
        }
        if (v < lo || v > hi) throw bad.apply(String.format(message, s));
        return v;
    }

    private static double parseProbability(String s, String message, Function<String, ? extends RuntimeException> bad) {
        double p = parseDouble(s, message, bad);
        if (!(p >= 0 && p < 1)) throw bad.apply(String.format(message, s));
        return p;
    }

    private static double parseDouble(String s, String message, Function<String, ? extends RuntimeException> bad) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw bad.apply(String.format(message, s));
        }
    }
}
