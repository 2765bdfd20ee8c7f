package dev.synack.sim.scenario;

import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.socket.ErrnoCarrier;
import dev.synack.tcp.TcpState;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Decoded;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Helpers scenarios share: describing what an application saw, and reading the trace. */
public final class Story {
    private Story() {}

    /** "ConnectException: Connection refused (ECONNREFUSED)" — the exception as a Java developer sees it. */
    public static String describe(Throwable t) {
        String errno = t instanceof ErrnoCarrier c && c.errno() != null ? " (" + c.errno().name() + ")" : "";
        return t.getClass().getSimpleName().replace("Synack", "") + ": " + t.getMessage() + errno;
    }

    /** Virtual time as "1.234 s" or "20.000 ms". */
    public static String time(long ns) {
        if (ns >= 1_000_000_000L) return String.format(Locale.ROOT, "%.3f s", ns / 1e9);
        return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
    }

    /** The TCP segments sent on the network, in order, as "host FLAGS" (e.g. "client S", "server R."). */
    public static List<String> segments(Network net) {
        List<String> out = new ArrayList<>();
        for (TraceEvent.Packet p : net.trace().events(TraceEvent.Packet.class)) {
            if (!p.outbound() || Ipv4.protocol(p.bytes(), 0) != Ipv4.PROTO_TCP) continue;
            int hl = Ipv4.headerLength(p.bytes(), 0);
            if (TcpSegment.decode(p.bytes(), hl, p.bytes().length - hl) instanceof Decoded.Ok<TcpSegment>(TcpSegment s)) {
                out.add(p.host() + " " + TcpHeader.flagsToString(s.flags()));
            }
        }
        return out;
    }

    /** Times (from {@code startNs}) at which {@code host} sent segments with exactly these flags. */
    public static List<Long> sendTimes(Network net, String host, int flags, long startNs) {
        List<Long> out = new ArrayList<>();
        for (TraceEvent.Packet p : net.trace().events(TraceEvent.Packet.class)) {
            if (!p.outbound() || !p.host().equals(host) || Ipv4.protocol(p.bytes(), 0) != Ipv4.PROTO_TCP) continue;
            int hl = Ipv4.headerLength(p.bytes(), 0);
            if (TcpHeader.flags(p.bytes(), hl) == flags) out.add(p.timeNs() - startNs);
        }
        return out;
    }

    /** The states a host's connections passed through, as "CLOSE→SYN_SENT→..." (first connection only). */
    public static String states(Network net, String host) {
        StringBuilder sb = new StringBuilder();
        for (TraceEvent.StateChange sc : net.trace().events(TraceEvent.StateChange.class)) {
            if (!sc.host().equals(host)) continue;
            if (sb.isEmpty()) sb.append(sc.from());
            sb.append("→").append(sc.to());
        }
        return sb.toString();
    }

    // ---- building ------------------------------------------------------------------------------

    /**
     * The usual lab: "client" 198.18.0.1 and "server" 198.18.0.2 on one point-to-point link whose
     * delay is half the RTT each way, with the knobs' loss, and the knobs' sysctls
     * (tcp_syn_retries, tcp_syn_linear_timeouts, tcp_retries2) on both hosts.
     *
     * @param net the network
     * @param client the client host
     * @param server the server host
     * @param rttMs the round-trip time of the path
     */
    public record Lab(Network net, Host client, Host server, int rttMs) {
        /** The RTT in ns. */
        public long rttNs() { return rttMs * 1_000_000L; }
    }

    /** The usual lab (see {@link Lab}) with the knobs' RTT, or {@code defaultRttMs}. */
    public static Lab pair(Knobs k, int defaultRttMs) {
        Network net = network(k);
        int rtt = k.rttOr(defaultRttMs);
        Host client = net.host("client", "198.18.0.1/24");
        Host server = net.host("server", "198.18.0.2/24");
        net.link(client, server, link(k, rtt));
        return new Lab(net, client, server, rtt);
    }

    /** A network with the knobs' seed and sysctls, before any host is made. */
    public static Network network(Knobs k) {
        Network net = new Network(k.seed());
        if (k.synRetries() != null) net.config().set("tcp_syn_retries", String.valueOf(k.synRetries()));
        if (k.synLinearTimeouts() != null) net.config().set("tcp_syn_linear_timeouts", String.valueOf(k.synLinearTimeouts()));
        if (k.retries2() != null) net.config().set("tcp_retries2", String.valueOf(k.retries2()));
        return net;
    }

    /** A link spec with half of {@code rttMs} each way and the knobs' loss. */
    public static LinkSpec link(Knobs k, int rttMs) {
        return LinkSpec.builder().delay(java.time.Duration.ofNanos(rttMs * 500_000L)).loss(k.loss() == null ? 0 : k.loss()).build();
    }

    /** In a simulated process: sleeps until {@code atNs} of virtual time (at once if it has passed). */
    public static void sleepUntil(Network net, long atNs) {
        long d = atNs - net.nowNs();
        if (d <= 0) return;
        net.runtime().sleep(d);
    }

    /** Milliseconds as nanoseconds. */
    public static long ms(long ms) { return ms * 1_000_000L; }

    /** Seconds as nanoseconds. */
    public static long s(long s) { return s * 1_000_000_000L; }

    // ---- the wire ------------------------------------------------------------------------------

    /**
     * One TCP segment as it left its sender, with sequence numbers relative to each direction's
     * initial sequence number (absolute when that direction has sent no SYN, as for a RST answering a
     * SYN).
     *
     * @param timeNs when it left, from the story's start
     * @param host the sender
     * @param flags the flags ("S.", "F.", "R")
     * @param seq relative sequence number
     * @param ack relative acknowledgment number, or -1 without ACK
     * @param len payload length
     * @param win the window field
     * @param options the options, timestamp values elided ("TS val ecr 0" keeps a zero echo)
     */
    public record Seg(long timeNs, String host, String flags, long seq, long ack, int len, int win, String options) {
        /** "client P. 1:1001(1000) ack 1": packetdrill's form without the window and options. */
        public String brief() {
            return host + " " + flags + " " + seq + ":" + (seq + len) + "(" + len + ")" + (ack >= 0 ? " ack " + ack : "");
        }

        /** {@link #brief()} with the window and the options. */
        public String full() { return brief() + " win " + win + (options.isEmpty() ? "" : " <" + options + ">"); }

        /** Whether the flags are exactly {@code f} (as TcpHeader.flagsToString prints them). */
        public boolean is(String f) { return flags.equals(f); }
    }

    private record Dir(int src, int sport, int dst, int dport) {}

    /** The TCP segments sent on the network from {@code startNs} on (ISNs are learnt from the whole trace). */
    public static List<Seg> wire(Network net, long startNs) {
        List<Seg> out = new ArrayList<>();
        Map<Dir, Integer> isn = new HashMap<>(); // looked up only
        for (TraceEvent.Packet p : net.trace().events(TraceEvent.Packet.class)) {
            byte[] b = p.bytes();
            if (!p.outbound() || Ipv4.protocol(b, 0) != Ipv4.PROTO_TCP) continue;
            int hl = Ipv4.headerLength(b, 0);
            int total = Math.min(Ipv4.totalLength(b, 0), b.length);
            if (!(TcpSegment.decode(b, hl, total - hl) instanceof Decoded.Ok<TcpSegment>(TcpSegment s))) continue;
            Dir d = new Dir(Ipv4.src(b, 0), s.srcPort(), Ipv4.dst(b, 0), s.dstPort());
            Dir r = new Dir(d.dst, d.dport, d.src, d.sport);
            if ((s.flags() & TcpHeader.SYN) != 0) {
                isn.put(d, s.seq());
                if ((s.flags() & TcpHeader.ACK) == 0) isn.remove(r); // a new incarnation of the 4-tuple
            }
            if (p.timeNs() < startNs) continue;
            Integer base = isn.get(d), rbase = isn.get(r);
            long seq = base == null ? s.seq() & 0xFFFFFFFFL : (s.seq() - base) & 0xFFFFFFFFL;
            long ack = (s.flags() & TcpHeader.ACK) == 0 ? -1
                    : rbase == null ? s.ack() & 0xFFFFFFFFL : (s.ack() - rbase) & 0xFFFFFFFFL;
            String opts = s.options().isEmpty() ? "" : String.join(",", s.options().stream().map(TcpOption::toString).toList())
                    .replaceAll("TS val \\d+ ecr 0\\b", "TS val ecr 0").replaceAll("TS val \\d+ ecr \\d+", "TS val ecr");
            out.add(new Seg(p.timeNs() - startNs, p.host(), TcpHeader.flagsToString(s.flags()), seq, ack,
                    s.payload().length, s.window(), opts));
        }
        return out;
    }

    /** {@link Seg#brief()} of every segment from {@code startNs} on. */
    public static List<String> briefs(Network net, long startNs) {
        return wire(net, startNs).stream().map(Seg::brief).toList();
    }

    /** The times, as {@link #time}, of the segments {@code host} sent with flags {@code flags}. */
    public static List<String> times(List<Seg> segs, String host, String flags) {
        return segs.stream().filter(g -> g.host().equals(host) && g.is(flags)).map(g -> time(g.timeNs())).toList();
    }

    /** Each time as {@link #time}. */
    public static List<String> times(List<Long> ns) { return ns.stream().map(Story::time).toList(); }

    // ---- states --------------------------------------------------------------------------------

    /** The states of {@code host}'s connection with local port {@code localPort}, as "CLOSE→SYN_SENT→...". */
    public static String states(Network net, String host, int localPort) {
        return states(net, host, localPort, 0, Long.MAX_VALUE);
    }

    /** {@link #states(Network, String, int)} of the changes in [{@code fromNs}, {@code untilNs}). */
    public static String states(Network net, String host, int localPort, long fromNs, long untilNs) {
        StringBuilder sb = new StringBuilder();
        for (TraceEvent.StateChange sc : net.trace().events(TraceEvent.StateChange.class)) {
            if (!sc.host().equals(host) || sc.conn().localPort() != localPort) continue;
            if (sc.timeNs() < fromNs || sc.timeNs() >= untilNs) continue;
            if (sb.isEmpty()) sb.append(sc.from());
            sb.append("→").append(sc.to());
        }
        return sb.toString();
    }

    /** When (from {@code startNs}) {@code host} first entered {@code state}, as {@link #time}; "never" if it did not. */
    public static String entered(Network net, String host, TcpState state, long startNs) {
        for (TraceEvent.StateChange sc : net.trace().events(TraceEvent.StateChange.class)) {
            if (sc.host().equals(host) && sc.to() == state && sc.timeNs() >= startNs) return time(sc.timeNs() - startNs);
        }
        return "never";
    }

    // ---- what the application saw ----------------------------------------------------------------

    /** A socket call, for {@link Notes#call}. */
    @FunctionalInterface
    public interface Call {
        Object run() throws Exception;
    }

    /**
     * What the processes of a story saw, by key, with the virtual time (from the story's start) at
     * which they saw it. Written by simulated processes, read after the run.
     */
    public static final class Notes {
        private final Network net;
        private final long startNs;
        private final Map<String, String> what = new java.util.LinkedHashMap<>();
        private final Map<String, Long> when = new HashMap<>();

        public Notes(Network net, long startNs) {
            this.net = net;
            this.startNs = startNs;
        }

        public long startNs() { return startNs; }

        /** Notes {@code value} under {@code key}, now. */
        public void put(String key, Object value) {
            what.put(key, String.valueOf(value));
            when.put(key, net.nowNs() - startNs);
        }

        /** Runs {@code call} and notes "returned V" / "ok" or the exception ({@link #describe}); true if it did not throw. */
        public boolean call(String key, Call call) {
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
        public String get(String key) { return what.getOrDefault(key, "(not reached)"); }

        /** When {@code key} was noted, as {@link Story#time}, or "(not reached)". */
        public String at(String key) {
            Long t = when.get(key);
            return t == null ? "(not reached)" : time(t);
        }

        /** When {@code key} was noted, in ns from the start, or -1. */
        public long ns(String key) { return when.getOrDefault(key, -1L); }
    }
}
