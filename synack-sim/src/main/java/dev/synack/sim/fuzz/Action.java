package dev.synack.sim.fuzz;

import dev.synack.wire.Ipv4;
import dev.synack.wire.SegmentText;
import dev.synack.wire.TcpSegment;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One step of a fuzzing episode, as a value: an {@link Episode} runs a list of them, so a failing
 * episode can be replayed and minimised (actions dropped while the failure stays) without the random
 * draws that made it. Sides: 0 is host a (the client), 1 is host b (the listener).
 */
public sealed interface Action {
    /** Hands the {@code index}-th packet waiting on the wire towards {@code to} to that host (mod the queue's size). */
    record Deliver(int to, int index) implements Action {}

    /** As {@link Deliver}, but a copy stays on the wire: the network duplicated it. */
    record Duplicate(int to, int index) implements Action {}

    /** The network loses the {@code index}-th packet waiting towards {@code to}. */
    record Lose(int to, int index) implements Action {}

    /** Virtual time moves on by {@code ns}: timers fire. */
    record Advance(long ns) implements Action {}

    /** An application call on side {@code side}'s {@code conn}-th connection (mod their count). */
    record App(int side, int conn, Op op, int n) implements Action {}

    /** A packet the fuzzer made (a mutated copy of real traffic, a forged SYN, an ICMP error) given to host {@code to}. */
    record Inject(int to, byte[] packet, String how) implements Action {
        @Override
        public String toString() { return "Inject[to=" + "ab".charAt(to) + ", " + how + ": " + describe(packet) + "]"; }
    }

    /** The application calls. */
    enum Op { SEND, READ, SHUTDOWN, CLOSE, ABORT, CONNECT, ACCEPT }

    /** A packet as text: TCP in packetdrill's syntax with addresses, ICMP by type and code, else hex. */
    static String describe(byte[] p) {
        String hex = HexFormat.of().formatHex(p);
        if (p.length < Ipv4.HEADER_LEN || Ipv4.version(p, 0) != 4) return "bytes " + hex;
        int hl = Ipv4.headerLength(p, 0);
        String addrs = Ipv4.format(Ipv4.src(p, 0)) + " > " + Ipv4.format(Ipv4.dst(p, 0));
        if (Ipv4.protocol(p, 0) == Ipv4.PROTO_TCP && hl >= Ipv4.HEADER_LEN && hl <= p.length) {
            int end = Math.min(p.length, Math.max(hl, Ipv4.totalLength(p, 0)));
            TcpSegment s = TcpSegment.decode(p, hl, end - hl).orNull();
            if (s != null) return addrs + " " + s.srcPort() + ">" + s.dstPort() + " " + SegmentText.format(s) + " (bytes " + hex + ")";
        }
        if (Ipv4.protocol(p, 0) == Ipv4.PROTO_ICMP && hl + 2 <= p.length) {
            return String.format(Locale.ROOT, "%s icmp type %d code %d (bytes %s)", addrs, p[hl] & 0xFF, p[hl + 1] & 0xFF, hex);
        }
        return addrs + " bytes " + hex;
    }
}
