package dev.synack.sim.scenario;

import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
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
import java.util.function.Predicate;

/**
 * Helpers for the second half of the scenarios: a two-host network built from the knobs, and the
 * TCP segments on the wire with sequence numbers relative to each direction's ISN (as packetdrill and
 * tcpdump print them), so checks can name seq/ack/window exactly.
 */
final class Wire {
    private Wire() {}

    static final long MS = 1_000_000L, S = 1_000_000_000L;

    /** A client and a server joined by one link of {@code rttMs}/2 each way (and the knobs' loss). */
    record Pair(Network net, Host client, Host server, int rttMs, Network.Wire wire) {
        static Pair of(Knobs k, int defaultRttMs) { return of(k, defaultRttMs, LinkSpec.builder()); }

        static Pair of(Knobs k, int defaultRttMs, LinkSpec.Builder spec) {
            Network net = new Network(k.seed());
            int rtt = k.rttOr(defaultRttMs);
            Host client = net.host("client", "198.18.0.1/24");
            Host server = net.host("server", "198.18.0.2/24");
            spec.delay(java.time.Duration.ofNanos(rtt * 500_000L)).loss(k.loss() == null ? 0 : k.loss());
            Network.Wire w = net.link(client, server, spec.build());
            return new Pair(net, client, server, rtt, w);
        }
    }

    /**
     * One TCP segment that left a host: relative seq/ack (from the first SYN of each direction of its
     * four-tuple; raw when no SYN was seen), flags, the window as on the wire, payload length, SACK blocks
     * (relative to the receiver's peer ISN).
     */
    record Seg(long tNs, String host, boolean outbound, TcpSegment s, long seq, long ack, int len, List<long[]> sack) {
        int flags() { return s.flags(); }

        boolean is(int flags) { return s.flags() == flags; }

        boolean has(int flag) { return s.has(flag); }

        String flagText() { return TcpHeader.flagsToString(s.flags()); }

        int win() { return s.window(); }

        /** "0.220 s client P. 1:101(100) ack 1 win 502" (tcpdump's relative numbers). */
        String text(long startNs) {
            return at(tNs - startNs) + " " + brief();
        }

        /** "client P. 1:101(100) ack 1 win 502". */
        String brief() {
            StringBuilder sb = new StringBuilder(host).append(' ').append(flagText()).append(' ')
                    .append(seq).append(':').append(seq + len).append('(').append(len).append(')');
            if (s.has(TcpHeader.ACK)) sb.append(" ack ").append(ack);
            sb.append(" win ").append(s.window());
            if (!sack.isEmpty()) {
                sb.append(" sack");
                for (long[] b : sack) sb.append(' ').append(b[0]).append(':').append(b[1]);
            }
            return sb.toString();
        }
    }

    /** Every TCP segment that left a host (not a router), in order. */
    static List<Seg> segs(Network net) { return segs(net, true); }

    /**
     * Every TCP segment that left a host ({@code outbound} true), reached one (false), or both (null),
     * in the trace's order.
     */
    static List<Seg> segs(Network net, Boolean outbound) {
        List<Seg> out = new ArrayList<>();
        Map<String, Integer> isn = new HashMap<>();
        for (TraceEvent.Packet p : net.trace().events(TraceEvent.Packet.class)) {
            byte[] b = p.bytes();
            if (Ipv4.protocol(b, 0) != Ipv4.PROTO_TCP) continue;
            if (!(net.node(p.host()) instanceof Host)) continue;
            int hl = Ipv4.headerLength(b, 0);
            if (!(TcpSegment.decode(b, hl, Ipv4.totalLength(b, 0) - hl) instanceof Decoded.Ok<TcpSegment>(TcpSegment s))) continue;
            int src = Ipv4.src(b, 0), dst = Ipv4.dst(b, 0);
            String fwd = src + ":" + s.srcPort() + ">" + dst + ":" + s.dstPort();
            String back = dst + ":" + s.dstPort() + ">" + src + ":" + s.srcPort();
            if (s.has(TcpHeader.SYN) && p.outbound()) {
                // A new SYN from the same four-tuple after a connection ended is a new connection.
                if (!s.has(TcpHeader.ACK) || !isn.containsKey(fwd)) isn.putIfAbsent(fwd, s.seq());
                if (!s.has(TcpHeader.ACK) && isn.get(fwd) != s.seq()) {
                    isn.put(fwd, s.seq());
                    isn.remove(back);
                }
            }
            long seq = rel(s.seq(), isn.get(fwd));
            long ack = rel(s.ack(), isn.get(back));
            List<long[]> sack = new ArrayList<>();
            for (TcpOption o : s.options()) {
                if (o instanceof TcpOption.Sack(List<TcpOption.SackBlock> blocks)) {
                    for (TcpOption.SackBlock bl : blocks) sack.add(new long[] {rel(bl.start(), isn.get(back)), rel(bl.end(), isn.get(back))});
                }
            }
            if (outbound == null || p.outbound() == outbound) {
                out.add(new Seg(p.timeNs(), p.host(), p.outbound(), s, seq, ack, s.payloadLength(), sack));
            }
        }
        return out;
    }

    private static long rel(int v, Integer base) {
        return base == null ? Integer.toUnsignedLong(v) : Integer.toUnsignedLong(v - base);
    }

    /** The segments of {@code host} that match. */
    static List<Seg> from(List<Seg> segs, String host, Predicate<Seg> p) {
        return segs.stream().filter(s -> s.host().equals(host) && p.test(s)).toList();
    }

    /** The times of segments, from {@code startNs}, as text ("0.220 s"). */
    static List<String> times(List<Seg> segs, long startNs) {
        return segs.stream().map(s -> at(s.tNs() - startNs)).toList();
    }

    /** A time as "0.220 s" (ms precision): the form every check of a time uses. */
    static String at(long ns) {
        return String.format(Locale.ROOT, "%.3f s", ns / 1e9);
    }

    /** Times in ms as text, the form {@link #times} gives. */
    static List<String> atMs(List<Long> ms) {
        return ms.stream().map(m -> at(m * MS)).toList();
    }

    /** The connection states of {@code host}, one string per connection, in order of first appearance. */
    static List<String> statesByConnection(Network net, String host) {
        // A connection that closed and opens again on the same four-tuple (a reconnect from the same
        // ephemeral port) is a new connection.
        Map<Object, StringBuilder> open = new java.util.HashMap<>();
        List<StringBuilder> all = new ArrayList<>();
        for (TraceEvent.StateChange sc : net.trace().events(TraceEvent.StateChange.class)) {
            if (!sc.host().equals(host)) continue;
            StringBuilder sb = open.get(sc.conn());
            if (sb == null || sc.from() == dev.synack.tcp.TcpState.CLOSE && sb.toString().endsWith("CLOSE")) {
                sb = new StringBuilder(sc.from().toString());
                open.put(sc.conn(), sb);
                all.add(sb);
            }
            sb.append("→").append(sc.to());
        }
        return all.stream().map(StringBuilder::toString).toList();
    }

    /**
     * Linux's SYN times (tcp_timer.c tcp_retransmit_timer with tcp_syn_linear_timeouts): the first
     * {@code linear} retries 1 s (TCP_TIMEOUT_INIT) apart, then the timeout doubles. Returns the SYN
     * times in ms before {@code untilMs} (the retry limit is far beyond what these scenarios wait).
     */
    static List<Long> synTimes(int linear, long untilMs) {
        List<Long> t = new ArrayList<>();
        long now = 0, rto = 1000;
        for (int i = 0; now < untilMs; i++) {
            t.add(now);
            if (i > linear) rto = Math.min(rto * 2, 120_000);
            now += rto;
        }
        return t;
    }
}
