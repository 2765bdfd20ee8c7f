package dev.synack.sim.scenario;

import dev.synack.sim.Network;
import dev.synack.socket.ErrnoCarrier;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Decoded;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
}
