package dev.synack.trace;

import dev.synack.tcp.ConnectionId;
import dev.synack.tcp.SendReason;
import dev.synack.tcp.TcpDropReason;
import dev.synack.tcp.TcpState;
import dev.synack.wire.DropReason;

/**
 * Everything observable that happens in a stack, on one bus: the ladder diagram, the state timeline,
 * pcap export and cwnd plots are readers of these events. Events carry virtual time in nanoseconds
 * and the name of the host they happened on.
 */
public sealed interface TraceEvent {
    /** Virtual time of the event. */
    long timeNs();

    /** The host the event happened on. */
    String host();

    /**
     * An IPv4 packet left ({@code outbound}) or reached the host; {@code bytes} is a copy. A segment TCP
     * sent says why ({@code reason}, with its number {@code reasonN} where the reason counts something);
     * the reason is null for packets that arrived and for what TCP did not send.
     */
    record Packet(long timeNs, String host, boolean outbound, byte[] bytes, SendReason reason, int reasonN) implements TraceEvent {
        /** A packet without a send reason (one that arrived, or one a router made). */
        public Packet(long timeNs, String host, boolean outbound, byte[] bytes) { this(timeNs, host, outbound, bytes, null, 0); }
    }

    /**
     * A received packet was dropped before reaching a connection, with the reason. When it was traced on
     * arrival, {@code bytes} is the very array of that {@link Packet} event (so a reader can pair them).
     */
    record Dropped(long timeNs, String host, DropReason reason, byte[] bytes) implements TraceEvent {}

    /**
     * TCP dropped or ignored a received segment (Linux's kfree_skb with a drop reason), after any answer
     * it sent; {@code bytes} is the very array of the arriving {@link Packet} event (so a reader can
     * pair them).
     */
    record SegmentDropped(long timeNs, String host, TcpDropReason reason, byte[] bytes) implements TraceEvent {}

    /** A connection changed state. */
    record StateChange(long timeNs, String host, ConnectionId conn, TcpState from, TcpState to) implements TraceEvent {}

    /** A connection's timer fired ("rto", "tlp", "probe", "keepalive", "delack", "timewait", ...). */
    record TimerFired(long timeNs, String host, ConnectionId conn, String timer) implements TraceEvent {}

    /**
     * The congestion state after an ACK or a timeout (a point of the cwnd plot): cwnd and ssthresh and
     * what is in flight in segments, the smoothed RTT and the RTO, the peer's window (snd_wnd) and the
     * bytes sent and not yet acknowledged (snd_nxt − snd_una), as Linux's tcp_probe tracepoint and
     * tcp_info report them.
     */
    record CwndSample(long timeNs, String host, ConnectionId conn, int cwnd, int ssthresh, long srttUs,
                      int inFlight, String caState, long rtoUs, int sndWnd, int unackedBytes) implements TraceEvent {}

    /** An application call and what it returned ("connect" → "ECONNREFUSED"), from the socket layer. */
    record AppCall(long timeNs, String host, String process, String call, String result) implements TraceEvent {}
}
