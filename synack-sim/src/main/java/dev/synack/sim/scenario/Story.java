package dev.synack.sim.scenario;

import dev.synack.sim.Network;
import dev.synack.socket.ErrnoCarrier;
import dev.synack.tcp.TcpState;
import dev.synack.trace.TraceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Helpers scenarios share for telling their story: virtual time (units and text), what the
 * application saw ({@link Notes}, {@link #describe}), and the connection states in the trace. The
 * TCP segments the hosts sent and received are {@link SegmentLog}'s, the two-host network is {@link Lab}.
 */
public final class Story {
    private Story() {}

    /** A millisecond and a second of virtual time, in ns. */
    static final long MS = 1_000_000L, S = 1_000_000_000L;

    /** "ConnectException: Connection refused (ECONNREFUSED)" — the exception as a Java developer sees it. */
    public static String describe(Throwable t) {
        String errno = t instanceof ErrnoCarrier c && c.errno() != null ? " (" + c.errno().name() + ")" : "";
        return t.getClass().getSimpleName().replace("Synack", "") + ": " + t.getMessage() + errno;
    }

    /** Virtual time as "1.234 s" or "20.000 ms". */
    public static String time(long ns) {
        if (ns >= S) return String.format(Locale.ROOT, "%.3f s", ns / 1e9);
        return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
    }

    /** Each time as {@link #time}. */
    static List<String> times(List<Long> ns) { return ns.stream().map(Story::time).toList(); }

    /** Virtual time as "0.220 s", in seconds whatever its size (ms precision). */
    static String seconds(long ns) {
        return String.format(Locale.ROOT, "%.3f s", ns / 1e9);
    }

    /** Times given in ms, each as {@link #seconds}. */
    static List<String> secondsOfMs(List<Long> ms) {
        return ms.stream().map(m -> seconds(m * MS)).toList();
    }

    /** TCP_RTO_MAX: the longest a backed-off retransmission or probe timer waits (include/net/tcp.h). */
    static final long RTO_MAX_NS = 120 * S;

    /**
     * Whether each gap is twice the one before, capped at TCP_RTO_MAX (within 1 ms): "doubling", or the
     * gaps in ms. A rule the catalogue states for every backed-off TCP timer (RFC 6298 §5.5,
     * tcp_retransmit_timer, tcp_probe_timer), checked on what synack did rather than on times derived
     * from synack's own RTO; when exactly Linux's timers fire is what the recorded Linux runs judge.
     */
    static String backoff(List<Long> gapsNs) {
        for (int i = 1; i < gapsNs.size(); i++) {
            long want = Math.min(2 * gapsNs.get(i - 1), RTO_MAX_NS);
            if (Math.abs(gapsNs.get(i) - want) > MS) {
                return "gaps " + gapsNs.stream().map(g -> String.format(Locale.ROOT, "%.1f", g / 1e6)).toList() + " ms";
            }
        }
        return "doubling";
    }

    /** The gaps between successive times. */
    static List<Long> gaps(List<Long> timesNs) {
        List<Long> out = new java.util.ArrayList<>();
        for (int i = 1; i < timesNs.size(); i++) out.add(timesNs.get(i) - timesNs.get(i - 1));
        return out;
    }

    /**
     * tcp_model_timeout for TCP_RTO_MIN (200 ms) and TCP_RTO_MAX (120 s), as the catalogue states
     * Linux's rule: (2^(n+1)−1)·0.2 s for n ≤ 9, else 204.6 s + (n−9)·120 s (net/ipv4/tcp_timer.c).
     */
    static long modelTimeoutNs(int retries2) {
        int thresh = 9; // ilog2(TCP_RTO_MAX / TCP_RTO_MIN) = ilog2(600)
        if (retries2 <= thresh) return ((2L << retries2) - 1) * 200 * MS;
        return ((2L << thresh) - 1) * 200 * MS + (retries2 - thresh) * RTO_MAX_NS;
    }

    /** In a simulated process: sleeps until {@code atNs} of virtual time (at once if it has passed). */
    static void sleepUntil(Network net, long atNs) {
        long d = atNs - net.nowNs();
        if (d <= 0) return;
        net.runtime().sleep(d);
    }

    // ---- states --------------------------------------------------------------------------------

    /** The states of {@code host}'s connection with local port {@code localPort}, as "CLOSE→SYN_SENT→...". */
    static String states(Network net, String host, int localPort) {
        return states(net, host, localPort, 0, Long.MAX_VALUE);
    }

    /** {@link #states(Network, String, int)} of the changes in [{@code fromNs}, {@code untilNs}). */
    static String states(Network net, String host, int localPort, long fromNs, long untilNs) {
        StringBuilder sb = new StringBuilder();
        for (TraceEvent.StateChange sc : net.trace().events(TraceEvent.StateChange.class)) {
            if (!sc.host().equals(host) || sc.conn().localPort() != localPort) continue;
            if (sc.timeNs() < fromNs || sc.timeNs() >= untilNs) continue;
            if (sb.isEmpty()) sb.append(sc.from());
            sb.append("→").append(sc.to());
        }
        return sb.toString();
    }

    /** The connection states of {@code host}, one string per connection, in order of first appearance. */
    static List<String> statesByConnection(Network net, String host) {
        // A connection that closed and opens again on the same four-tuple (a reconnect from the same
        // ephemeral port) is a new connection.
        Map<Object, StringBuilder> open = new HashMap<>();
        List<StringBuilder> all = new ArrayList<>();
        for (TraceEvent.StateChange sc : net.trace().events(TraceEvent.StateChange.class)) {
            if (!sc.host().equals(host)) continue;
            StringBuilder sb = open.get(sc.conn());
            if (sb == null || sc.from() == TcpState.CLOSE && sb.toString().endsWith("CLOSE")) {
                sb = new StringBuilder(sc.from().toString());
                open.put(sc.conn(), sb);
                all.add(sb);
            }
            sb.append("→").append(sc.to());
        }
        return all.stream().map(StringBuilder::toString).toList();
    }

    /** When (from {@code startNs}) {@code host} first entered {@code state}, as {@link #time}; "never" if it did not. */
    static String entered(Network net, String host, TcpState state, long startNs) {
        for (TraceEvent.StateChange sc : net.trace().events(TraceEvent.StateChange.class)) {
            if (sc.host().equals(host) && sc.to() == state && sc.timeNs() >= startNs) return time(sc.timeNs() - startNs);
        }
        return "never";
    }

    // ---- what the application saw ----------------------------------------------------------------

    /** A socket call, for {@link Notes#call}. */
    @FunctionalInterface
    interface Call {
        Object run() throws Exception;
    }

    /**
     * What the processes of a story saw, by key, with the virtual time (from the story's start) at
     * which they saw it. Written by simulated processes, read after the run.
     */
    static final class Notes {
        private final Network net;
        private final long startNs;
        private final Map<String, String> what = new LinkedHashMap<>();
        private final Map<String, Long> when = new HashMap<>();

        Notes(Network net, long startNs) {
            this.net = net;
            this.startNs = startNs;
        }

        /** Notes {@code value} under {@code key}, now. */
        void put(String key, Object value) {
            what.put(key, String.valueOf(value));
            when.put(key, net.nowNs() - startNs);
        }

        /** Runs {@code call} and notes "returned V" / "ok" or the exception ({@link #describe}); true if it did not throw. */
        boolean call(String key, Call call) {
            try {
                Object v = call.run();
                put(key, v == null ? "ok" : "returned " + v);
                return true;
            } catch (Exception e) {
                put(key, describe(e));
                return false;
            }
        }

        /** What was noted under {@code key}, or "(not reached)". */
        String get(String key) { return what.getOrDefault(key, "(not reached)"); }

        /** When {@code key} was noted, as {@link Story#time}, or "(not reached)". */
        String at(String key) {
            Long t = when.get(key);
            return t == null ? "(not reached)" : time(t);
        }

        /** When {@code key} was noted, in ns from the start, or -1. */
        long ns(String key) { return when.getOrDefault(key, -1L); }
    }
}
