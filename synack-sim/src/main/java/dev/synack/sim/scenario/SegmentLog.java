package dev.synack.sim.scenario;

import dev.synack.sim.Host;
import dev.synack.sim.Network;
import dev.synack.sim.SeqSpaces;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Decoded;
import dev.synack.wire.Ipv4;
import dev.synack.wire.SegmentSpec;
import dev.synack.wire.SegmentText;
import dev.synack.wire.SegmentText.Style;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The log of the TCP segments the hosts sent and received, read off a network's trace, with sequence
 * numbers relative to each direction's ISN (as packetdrill and tcpdump print them), so checks can name
 * seq/ack/window exactly.
 */
final class SegmentLog {
    private SegmentLog() {}

    /**
     * One TCP segment that left a host (or reached one): relative seq/ack (from the SYN of each
     * direction of its four-tuple; raw when no SYN was seen, as for a RST answering a SYN), the
     * payload length, and the SACK blocks (relative to the receiver's peer ISN).
     *
     * @param tNs when, from the start the segments were read from
     * @param host the host that sent it ({@code outbound}) or received it
     * @param outbound whether {@code host} sent it
     * @param s the segment as decoded
     * @param seq relative sequence number
     * @param ack relative acknowledgment number (meaningful with ACK)
     * @param len payload length
     * @param sack the SACK blocks, relative
     */
    record Seg(long tNs, String host, boolean outbound, TcpSegment s, long seq, long ack, int len, List<long[]> sack) {
        int flags() { return s.flags(); }

        /** Whether the flags are exactly {@code flags}. */
        boolean is(int flags) { return s.flags() == flags; }

        boolean has(int flag) { return s.has(flag); }

        /** The flags as tcpdump prints them ("S.", "F.", "R"). */
        String flagText() { return TcpHeader.flagsToString(s.flags()); }

        int win() { return s.window(); }

        /** "client P. 1:101(100) ack 1": packetdrill's form without the window and options. */
        String brief() { return host + " " + SegmentText.format(spec(null, null), Style.RELATIVE); }

        /** The segment with relative numbers, the window and the options given. */
        private SegmentSpec spec(Integer window, List<TcpOption> options) {
            return SegmentSpec.of(s.flags(), seq, len, has(TcpHeader.ACK) ? ack : null, window, options);
        }

        /** "client P. 1:101(100) ack 1 at 20.000 ms": {@link #brief()} and when, as {@link Story#time}. */
        String briefAt() { return brief() + " at " + Story.time(tNs); }

        /** "client P. 1:101(100) ack 1 win 502 sack 1449:2897": {@link #brief()} with the window and the SACK blocks. */
        String withWindow() {
            String text = host + " " + SegmentText.format(spec(win(), null), Style.RELATIVE);
            if (sack.isEmpty()) return text;
            return text + " " + SegmentText.option(new TcpOption.Sack(sack.stream()
                    .map(b -> new TcpOption.SackBlock((int) b[0], (int) b[1])).toList()));
        }

        /** "0.220 s client P. 1:101(100) ack 1 win 502": {@link #withWindow()} after the time, as {@link Story#seconds}. */
        String text() { return Story.seconds(tNs) + " " + withWindow(); }

        /**
         * "client S 0:0(0) win 64240 <mss 1460,sackOK,TS val ecr 0,nop,wscale 10>": {@link #brief()} with
         * the window and the options, timestamp values elided ("TS val ecr 0" keeps a zero echo).
         */
        String withOptions() { return host + " " + SegmentText.format(spec(win(), s.options()), Style.RELATIVE_NO_TS_VALUES); }
    }

    /** Every TCP segment that left a host (not a router), in order. */
    static List<Seg> sent(Network net) { return read(net, true, 0); }

    /** The segments that left a host from {@code startNs} on, with times from {@code startNs} (ISNs are learnt from the whole trace). */
    static List<Seg> sent(Network net, long startNs) { return read(net, true, startNs); }

    /** Every TCP segment that left a host or reached one, in the trace's order. */
    static List<Seg> sentAndReceived(Network net) { return read(net, null, 0); }

    /**
     * The TCP segments that left a host ({@code outbound} true), reached one (false), or both (null),
     * from {@code startNs} on, in the trace's order.
     */
    private static List<Seg> read(Network net, Boolean outbound, long startNs) {
        List<Seg> out = new ArrayList<>();
        SeqSpaces spaces = new SeqSpaces();
        for (TraceEvent.Packet p : net.trace().events(TraceEvent.Packet.class)) {
            byte[] b = p.bytes();
            if (Ipv4.protocol(b, 0) != Ipv4.PROTO_TCP) continue;
            if (!(net.node(p.host()) instanceof Host)) continue;
            int hl = Ipv4.headerLength(b, 0);
            int total = Math.min(Ipv4.totalLength(b, 0), b.length);
            if (!(TcpSegment.decode(b, hl, total - hl) instanceof Decoded.Ok<TcpSegment>(TcpSegment s))) continue;
            int src = Ipv4.src(b, 0), dst = Ipv4.dst(b, 0);
            if (p.outbound()) spaces.learn(src, dst, s); // each packet is traced twice: learn from the sender's copy
            if (p.timeNs() < startNs || outbound != null && p.outbound() != outbound) continue;
            long seq = spaces.seq(src, dst, s);
            long ack = spaces.reverse(src, dst, s, s.ack());
            List<long[]> sack = new ArrayList<>();
            for (TcpOption o : s.options()) {
                if (o instanceof TcpOption.Sack(List<TcpOption.SackBlock> blocks)) {
                    for (TcpOption.SackBlock bl : blocks) sack.add(new long[] {spaces.reverse(src, dst, s, bl.start()), spaces.reverse(src, dst, s, bl.end())});
                }
            }
            out.add(new Seg(p.timeNs() - startNs, p.host(), p.outbound(), s, seq, ack, s.payloadLength(), sack));
        }
        return out;
    }

    /** The segments of {@code host} that match. */
    static List<Seg> from(List<Seg> segs, String host, Predicate<Seg> p) {
        return segs.stream().filter(s -> s.host().equals(host) && p.test(s)).toList();
    }

    /** The times of segments, from {@code startNs}, as {@link Story#seconds} ("0.220 s"). */
    static List<String> times(List<Seg> segs, long startNs) {
        return segs.stream().map(s -> Story.seconds(s.tNs() - startNs)).toList();
    }
}
