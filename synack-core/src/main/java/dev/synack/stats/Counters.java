package dev.synack.stats;

import java.util.LinkedHashMap;
import java.util.Map;

/** One host's counters, like Linux's SNMP MIBs: plain longs, single-threaded. */
public final class Counters {
    private final long[] values = new long[Counter.values().length];

    /** Adds one. */
    public void inc(Counter c) { values[c.ordinal()]++; }

    /** Adds {@code n}. */
    public void add(Counter c, long n) { values[c.ordinal()] += n; }

    /** The current value. */
    public long get(Counter c) { return values[c.ordinal()]; }

    /** Every non-zero counter in declaration order, like {@code nstat -a}. */
    public Map<String, Long> nonZero() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Counter c : Counter.values()) if (values[c.ordinal()] != 0) m.put(c.name(), values[c.ordinal()]);
        return m;
    }

    @Override
    public String toString() { return nonZero().toString(); }
}
