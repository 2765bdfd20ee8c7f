package dev.synack.sim.scenario;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Each knob of a scenario run as text comes in — an option of {@code synack scenario} ({@code --rtt 50})
 * or a field of the lab's page ({@code rtt=50}) — with its one validation and its one error message,
 * so the command line and the page reject the same values in the same words:
 * {@code bad --rtt '0': expected 0.01 to 60000 ms (up to three decimals)}.
 */
public enum Knob {
    SEED("--seed", "N", "The network's seed (default 1)."),
    RTT("--rtt", "MS", "Round-trip time of the path in ms (0.01 to 60000; fractions such as 0.05 allowed)."),
    LOSS("--loss", "P", "Random loss on the path, 0 to 1."),
    KEEPALIVE("--keepalive", "IDLE,INTVL,CNT", "TCP_KEEPIDLE, TCP_KEEPINTVL (s), TCP_KEEPCNT."),
    SO_TIMEOUT("--so-timeout", "MS", "setSoTimeout (SO_RCVTIMEO) in ms."),
    USER_TIMEOUT("--user-timeout", "MS", "TCP_USER_TIMEOUT in ms."),
    CONNECT_TIMEOUT("--connect-timeout", "MS", "connect(addr, timeout) in ms."),
    SYN_RETRIES("--syn-retries", "N", "tcp_syn_retries (1 to 127)."),
    SYN_LINEAR_TIMEOUTS("--syn-linear-timeouts", "N", "tcp_syn_linear_timeouts (0 to 10)."),
    RETRIES2("--retries2", "N", "tcp_retries2 (0 to 255).");

    private final String option, label, description;

    Knob(String option, String label, String description) {
        this.option = option;
        this.label = label;
        this.description = description;
    }

    /** The command line's option, e.g. {@code --so-timeout}. */
    public String option() { return option; }

    /** The option's value as the help shows it, e.g. {@code MS}. */
    public String label() { return label; }

    /** One line of help (English). */
    public String description() { return description; }

    /** The option without its dashes, e.g. {@code so-timeout}: the page's field and URL parameter. */
    public String key() { return option.substring(2); }

    /** The knob whose {@link #key()} is {@code key}, if any. */
    public static Optional<Knob> byKey(String key) {
        return Arrays.stream(values()).filter(k -> k.key().equals(key)).findFirst();
    }

    /**
     * {@code knobs} with this knob set to {@code value}, given as text.
     *
     * @throws IllegalArgumentException for a value out of range or not a number, with the message the
     *     command line prints, e.g. {@code bad --rtt '0': expected 0.01 to 60000 ms (up to three decimals)}
     */
    public Knobs apply(Knobs knobs, String value) {
        return switch (this) {
            case SEED -> knobs.withSeed(parseLong(value, "expected an integer"));
            case RTT -> {
                // ms with up to three decimals (µs), e.g. 0.05 for a path like a veth pair's
                long us;
                try {
                    us = new java.math.BigDecimal(value.strip()).movePointRight(3).longValueExact();
                } catch (NumberFormatException | ArithmeticException e) {
                    throw bad(value, "expected 0.01 to 60000 ms (up to three decimals)");
                }
                if (us < Knobs.MIN_RTT_US || us > 60_000_000L) throw bad(value, "expected 0.01 to 60000 ms (up to three decimals)");
                yield knobs.withRttUs(us);
            }
            case LOSS -> {
                double p;
                try {
                    p = Double.parseDouble(value.strip());
                } catch (NumberFormatException e) {
                    p = Double.NaN;
                }
                if (!(p >= 0 && p <= 1)) throw bad(value, "expected 0 to 1");
                yield knobs.withLoss(p);
            }
            case KEEPALIVE -> {
                String[] p = value.split(",", -1);
                String expected = "expected IDLE,INTVL,CNT, three positive integers, e.g. 2,1,3";
                int[] v = new int[3];
                try {
                    if (p.length != 3) throw new NumberFormatException();
                    for (int i = 0; i < 3; i++) v[i] = Integer.parseInt(p[i].strip());
                } catch (NumberFormatException e) {
                    throw bad(value, expected);
                }
                if (v[0] < 1 || v[1] < 1 || v[2] < 1) throw bad(value, expected);
                yield knobs.withKeepalive(v[0], v[1], v[2]);
            }
            case SO_TIMEOUT -> knobs.withSoTimeoutMs(atLeastZero(value));
            case USER_TIMEOUT -> knobs.withUserTimeoutMs(atLeastZero(value));
            case CONNECT_TIMEOUT -> knobs.withConnectTimeoutMs(atLeastZero(value));
            case SYN_RETRIES -> knobs.withSynRetries(range(value, 1, 127, ""));
            case SYN_LINEAR_TIMEOUTS -> knobs.withSynLinearTimeouts(range(value, 0, 10, ""));
            case RETRIES2 -> knobs.withRetries2(range(value, 0, 255, ""));
        };
    }

    /**
     * The knobs given as text, the others at the scenario's default. They are checked in the order of
     * this enum, whatever the map's order, so the first bad one named is always the same.
     *
     * @throws IllegalArgumentException for the first bad value, as {@link #apply}
     */
    public static Knobs parse(Map<Knob, String> values) {
        Knobs k = Knobs.defaults();
        for (Knob knob : values()) {
            String v = values.get(knob);
            if (v != null) k = knob.apply(k, v);
        }
        return k;
    }

    private IllegalArgumentException bad(String value, String expected) {
        return new IllegalArgumentException("bad " + option + " '" + value + "': " + expected);
    }

    private int range(String value, int lo, int hi, String unit) {
        String expected = "expected " + lo + " to " + hi + unit;
        int v = parseInt(value, expected);
        if (v < lo || v > hi) throw bad(value, expected);
        return v;
    }

    private int atLeastZero(String value) {
        int v = parseInt(value, "expected 0 or more");
        if (v < 0) throw bad(value, "expected 0 or more");
        return v;
    }

    private int parseInt(String value, String expected) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw bad(value, expected);
        }
    }

    private long parseLong(String value, String expected) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw bad(value, expected);
        }
    }
}
