package dev.synack.packetdrill;

import dev.synack.packetdrill.Event.PacketEvent;
import dev.synack.stack.Stack;
import dev.synack.wire.Checksum;
import dev.synack.wire.Decoded;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import dev.synack.wire.SegmentSpec;
import dev.synack.wire.SegmentSpec.Ecn;
import dev.synack.wire.SegmentText;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The script's packets and the host's, translated and matched (packetdrill's run_packet.c). The
 * script's side is the runner's remote address, the host its local one; injected packets go from port
 * 40000 to the host's 8080, or, once the host connects, from 8080 to the port it connected from.
 *
 * <p>Inbound ({@link #inject}): seq as written (the script's ISN is its own); ack and SACK blocks
 * relative to the host's ISN, learnt from its SYN or SYN-ACK; a TS ecr mapped back to the TS val the
 * host sent for that script value; window 65535 when not written; the ECN field when written.
 *
 * <p>Outbound ({@link #expect}): the host's packets as its tun0 sees them ({@link #capture}), in
 * offload mode merged into the TSO segment they would have been (see docs/PACKETDRILL.md); matched in
 * order against the script's: flags, seq (relative to the host's ISN), length, ack, window and ECN when
 * written, options in order unless {@code <...>}. The first TS val maps to the script's; later ones are
 * checked only with {@code --tcp_ts_tick_usecs}. The first difference is the failure, with both
 * packets in script syntax ({@link SegmentText}).
 */
final class Packets {
    /** A packet the host sent: when, the segment, and the IP TOS byte (its ECN bits). */
    private record Captured(long timeNs, TcpSegment seg, int tos) {}

    private final Stack stack;
    private final Timeline timeline;
    private final Commands.HostSetup setup;
    private final long tsTickUs;
    private final ArrayDeque<Captured> out = new ArrayDeque<>();
    /** Script TS val → the TS val the host sent where the script has it. */
    private final Map<Integer, Integer> tsValMap = new HashMap<>();
    private Integer localIsn;
    /**
     * packetdrill's socket.script.local_isn: the seq of the script's outbound SYN or SYN-ACK (the host's
     * SYN is matched whatever its seq, and maps that number to the host's ISN for later SYNs' ACKs).
     */
    private int scriptLocalIsn;
    /**
     * packetdrill's remote_isn: the seq of the script's last SYN (or SYN-ACK). Inbound non-SYN seq
     * numbers and the host's non-SYN ACKs are relative to it (remote_seq_script_to_live_offset).
     */
    private int remoteIsn;
    private Integer firstScriptTsVal;
    private Integer firstActualTsVal;
    private int localPort = Runner.LOCAL_PORT;
    private int remotePort = Runner.SCRIPT_CLIENT_PORT;

    /**
     * @param setup the host's set-up by the script's commands (offload on or off)
     * @param tsTickUs {@code --tcp_ts_tick_usecs}: the host's TS clock, for checking TS vals (0: not checked)
     */
    /** The host's address and the script side's. */
    private final int local, remote;

    Packets(Stack stack, Timeline timeline, Commands.HostSetup setup, long tsTickUs, int local, int remote) {
        this.local = local;
        this.remote = remote;
        this.stack = stack;
        this.timeline = timeline;
        this.setup = setup;
        this.tsTickUs = tsTickUs;
    }

    /** The host connects: its packets come from {@code localPort} and go to 8080. */
    void connecting(int localPort) {
        this.localPort = localPort;
        this.remotePort = Runner.LOCAL_PORT;
        listening = false;
    }

    /**
     * A listen() succeeded: as packetdrill's handle_listen_for_script_packet, the next inbound packet
     * starts a new connection to the listener, from a new port of the script's side (the first from
     * {@link Runner#SCRIPT_CLIENT_PORT}), and its seq is that connection's remote ISN.
     */
    void listening() {
        listening = true;
        localPort = Runner.LOCAL_PORT;
    }

    /** Whether the next inbound packet starts a connection to a listener (see {@link #listening()}). */
    private boolean listening;
    /** How many connections the script's side started: each after the first takes the next port. */
    private int passiveConnections;

    /** tun0's sink: a packet the host sent. */
    void capture(byte[] b, int off, int len) {
        if (Ipv4.protocol(b, off) != Ipv4.PROTO_TCP) return;
        int ihl = Ipv4.headerLength(b, off);
        Decoded<TcpSegment> d = TcpSegment.decode(b, off + ihl, Ipv4.totalLength(b, off) - ihl);
        if (d instanceof Decoded.Ok<TcpSegment>(TcpSegment seg)) {
            // packetdrill's live.local_isn: each new connection's SYN or SYN-ACK.
            if (seg.has(TcpHeader.SYN)) localIsn = seg.seq();
            out.add(new Captured(timeline.nowNs(), seg, Ipv4.tos(b, off)));
        }
    }

    /** Injects the script's inbound packet {@code e} into the host. */
    void inject(PacketEvent e) throws Failure {
        SegmentSpec p = e.packet();
        if (p.anyOptions()) throw Failure.at(e, "script", "an inbound packet cannot have <...> options", null, null);
        boolean syn = (p.flags() & TcpHeader.SYN) != 0;
        if (listening) {
            listening = false;
            remotePort = Runner.SCRIPT_CLIENT_PORT + passiveConnections++;
            remoteIsn = (int) p.seq();
        }
        if (syn) remoteIsn = (int) p.seq();
        // run_packet.c: a SYN's seq is as written, later ones add the remote ISN; a SYN-ACK's ack maps the
        // script's local ISN to the host's, a later ACK adds the host's ISN.
        int seqOffset = syn ? 0 : remoteIsn;
        int ackOffset = localIsn == null ? 0 : syn ? localIsn - scriptLocalIsn : localIsn;
        List<TcpOption> opts = new ArrayList<>();
        for (TcpOption o : p.optionsOrNone()) {
            switch (o) {
                case TcpOption.Sack(List<TcpOption.SackBlock> blocks) -> opts.add(new TcpOption.Sack(blocks.stream()
                        .map(b -> new TcpOption.SackBlock(b.start() + ackOffset, b.end() + ackOffset)).toList()));
                case TcpOption.Timestamps(int val, int ecr) -> opts.add(new TcpOption.Timestamps(val, liveEcr(ecr)));
                default -> opts.add(o);
            }
        }
        int ack = (p.flags() & TcpHeader.ACK) != 0 && p.ack() != null ? (int) (p.ack() + ackOffset) : 0;
        TcpSegment seg = new TcpSegment(remotePort, localPort, (int) p.seq() + seqOffset, ack, p.flags(),
                p.window() == null ? 65535 : p.window(), opts, new byte[p.length()]);
        int len = seg.encodedLength();
        byte[] b = new byte[20 + len];
        seg.encode(b, 20, remote, local);
        Ipv4.write(b, 0, remote, local, Ipv4.PROTO_TCP, 64, 1, len);
        if (p.ecn() != null) {
            b[1] = (byte) ecnBits(p.ecn());
            b[10] = 0;
            b[11] = 0;
            int sum = Checksum.compute(b, 0, 20);
            b[10] = (byte) (sum >> 8);
            b[11] = (byte) sum;
        }
        stack.receive(b, 0, b.length);
    }

    /**
     * Injects the script's inbound ICMP message {@code e}: from the script's side to the host, quoting an
     * IPv4 header from the host to the script's side and the first 8 bytes of a TCP header of the
     * connection under test, whose seq is the script's mapped as an outbound seq (packetdrill's
     * new_icmp_packet and map_inbound_icmp_tcp_packet: local_seq_script_to_live_offset).
     */
    void injectIcmp(Event.IcmpEvent e) {
        int quoteLen = Ipv4.HEADER_LEN + 8;
        int icmpLen = Icmp.HEADER_LEN + quoteLen;
        byte[] b = new byte[Ipv4.HEADER_LEN + icmpLen];
        int i = Ipv4.HEADER_LEN;
        b[i] = (byte) e.type();
        b[i + 1] = (byte) e.code();
        if (e.mtu() >= 0) {
            b[i + 6] = (byte) (e.mtu() >> 8);
            b[i + 7] = (byte) e.mtu();
        }
        int q = i + Icmp.HEADER_LEN;
        // The quoted datagram's header: packetdrill's set_ip_header (TOS, ID and TTL 0) with the total
        // length of a segment of quotedLen bytes; its checksum as a real header's (Linux does not check it).
        Ipv4.write(b, q, local, remote, Ipv4.PROTO_TCP, 0, 0, TcpHeader.HEADER_LEN + e.quotedLen());
        int t = q + Ipv4.HEADER_LEN;
        int offset = localIsn == null ? 0 : localIsn - scriptLocalIsn;
        int seq = (int) e.quotedSeq() + offset;
        b[t] = (byte) (localPort >> 8);
        b[t + 1] = (byte) localPort;
        b[t + 2] = (byte) (remotePort >> 8);
        b[t + 3] = (byte) remotePort;
        b[t + 4] = (byte) (seq >>> 24);
        b[t + 5] = (byte) (seq >>> 16);
        b[t + 6] = (byte) (seq >>> 8);
        b[t + 7] = (byte) seq;
        int sum = Checksum.compute(b, i, icmpLen);
        b[i + 2] = (byte) (sum >> 8);
        b[i + 3] = (byte) sum;
        Ipv4.write(b, 0, remote, local, Ipv4.PROTO_ICMP, 64, 1, icmpLen);
        stack.receive(b, 0, b.length);
    }

    private int liveEcr(int scriptEcr) {
        Integer live = tsValMap.get(scriptEcr);
        if (live != null) return live;
        if (firstScriptTsVal != null) return scriptEcr - firstScriptTsVal + firstActualTsVal;
        return scriptEcr;
    }

    /** The IP header's ECN bits for a script's field ([ect01], a pattern, as 0). */
    private static int ecnBits(Ecn ecn) {
        return switch (ecn) {
            case ECT0 -> 2;
            case ECT1 -> 1;
            case CE -> 3;
            case NOECN, ECT01 -> 0;
        };
    }

    /**
     * The host must send the script's outbound packet {@code e} between {@code startUs} and
     * {@code endUs} (± the tolerance): waits for the next packet the host sends and compares; the
     * first difference fails the script.
     */
    void expect(PacketEvent e, long startUs, long endUs) throws Failure {
        long toleranceUs = timeline.toleranceUs();
        // A '*' time ends "never" (Long.MAX_VALUE / 4 µs): in ns that would overflow, so it saturates.
        long deadlineNs = endUs >= Long.MAX_VALUE / 4000 ? Long.MAX_VALUE / 4 : (endUs + toleranceUs) * 1000;
        if (!timeline.runUntil(deadlineNs, this::dropForeign)) {
            timeline.jumpTo(deadlineNs);
            throw Failure.at(e, "packet: missing", "expected outbound packet at " + EventTime.secs(startUs)
                    + " s, but nothing was sent by " + EventTime.secs(endUs + toleranceUs) + " s",
                    e.packet().toString(), null);
        }
        Captured c = takeCoalesced();
        c = aggregate(e, c, deadlineNs);
        long atUs = c.timeNs / 1000;
        String actual = describe(c.seg, c.tos);
        String mismatch = compare(e.packet(), c);
        if (mismatch != null) {
            throw Failure.at(e, "packet: " + mismatch.split(":")[0], "outbound packet " + mismatch + " (sent at "
                    + EventTime.secs(atUs) + " s)", e.packet().toString(), actual);
        }
        if (e.time().kind() != EventTime.Kind.ANY && (atUs < startUs - toleranceUs || atUs > endUs + toleranceUs)) {
            throw Failure.at(e, "timing", "expected outbound packet at " + EventTime.secs(startUs)
                    + (endUs != startUs ? "~" + EventTime.secs(endUs) : "") + " s but it was sent at "
                    + EventTime.secs(atUs) + " s; tolerance " + EventTime.secs(toleranceUs) + " s",
                    e.packet().toString(), actual + " @" + EventTime.secs(atUs));
        }
    }

    /**
     * Drops captured packets of other connections than the one under test, as packetdrill's
     * sniff_outbound_live_packet does (find_socket_for_live_packet: a packet whose 4-tuple is not the
     * socket under test's is freed unseen, e.g. the FIN of a socket the script closed before starting
     * another connection).
     *
     * @return whether a packet of the connection under test waits
     */
    private boolean dropForeign() {
        while (!out.isEmpty() && (out.peek().seg.srcPort() != localPort || out.peek().seg.dstPort() != remotePort)) out.poll();
        return !out.isEmpty();
    }

    /**
     * The next captured packet; in offload mode, merged with the packets the host sent at the same
     * instant right behind it that a TSO/GSO segment would have carried (see docs/PACKETDRILL.md).
     */
    private Captured takeCoalesced() {
        Captured c = out.poll();
        if (!setup.offload) return c;
        TcpSegment s = c.seg;
        while (!out.isEmpty()) {
            Captured n = out.peek();
            TcpSegment t = n.seg;
            int merged = s.payloadLength() + t.payloadLength();
            boolean ok = n.timeNs == c.timeNs && s.payloadLength() > 0 && t.payloadLength() > 0
                    && (s.flags() & (TcpHeader.PSH | TcpHeader.FIN | TcpHeader.SYN | TcpHeader.RST)) == 0
                    && (t.flags() & ~(TcpHeader.PSH | TcpHeader.FIN)) == (s.flags() & ~TcpHeader.CWR)
                    && t.seq() == s.seq() + s.payloadLength() && t.ack() == s.ack() && t.window() == s.window()
                    && t.options().equals(s.options()) && n.tos == c.tos && merged <= 65535 - 40 - 40;
            if (!ok) break;
            out.poll();
            byte[] payload = new byte[merged];
            System.arraycopy(s.payload(), 0, payload, 0, s.payloadLength());
            System.arraycopy(t.payload(), 0, payload, s.payloadLength(), t.payloadLength());
            // A TSO skb with CWR (SKB_GSO_TCP_ECN) has it on its first segment only once cut up: the
            // first one's CWR stands for the whole.
            s = new TcpSegment(s.srcPort(), s.dstPort(), s.seq(), s.ack(), t.flags() | (s.flags() & TcpHeader.CWR), s.window(),
                    s.options(), payload);
        }
        return new Captured(c.timeNs, s, c.tos);
    }

    /**
     * packetdrill's TSO/GSO aggregation (run_packet.c, sniff_outbound_live_packet's loop with
     * verify_packet_fragments and aggregate_packets; off only with --strict_segments, which the runner
     * does not take): while the packets taken carry less payload than the script's packet, the next
     * packet of the connection joins them. A joining packet must follow in sequence with the same ack,
     * window and flags but PSH, FIN and CWR, and every one but the last must be as long as the one
     * before it. The whole has the first one's sequence number and CWR, the last one's other flags and
     * time. So a script's `P. 1:10001(10000)` matches Linux's `P.` 5000 + `P.` 5000 (the two TSO
     * packets of a burst cut at half cwnd by tcp_cwnd_test) as real packetdrill's does.
     */
    private Captured aggregate(PacketEvent e, Captured first, long deadlineNs) throws Failure {
        SegmentSpec p = e.packet();
        Captured c = first;
        int lastLen = c.seg.payloadLength();
        while (c.seg.payloadLength() > 0 && c.seg.payloadLength() < p.length()
                && (c.seg.flags() & (TcpHeader.SYN | TcpHeader.RST)) == 0) {
            if (!timeline.runUntil(deadlineNs, this::dropForeign)) break;
            Captured n = takeCoalesced();
            TcpSegment s = c.seg, t = n.seg;
            int mask = ~(TcpHeader.PSH | TcpHeader.FIN | TcpHeader.CWR);
            int len = t.payloadLength();
            boolean fits = t.seq() == s.seq() + s.payloadLength() && t.ack() == s.ack() && t.window() == s.window()
                    && (t.flags() & mask) == (s.flags() & mask) && len > 0;
            boolean lastOne = len >= p.length() - s.payloadLength();
            if (!fits || !lastOne && len != lastLen) {
                throw Failure.at(e, "packet: fragment", "outbound packet " + describe(t, n.tos) + " does not continue the "
                        + s.payloadLength() + " bytes before it as one TSO packet (packetdrill's aggregation)",
                        p.toString(), describe(s, c.tos));
            }
            byte[] payload = new byte[s.payloadLength() + len];
            System.arraycopy(s.payload(), 0, payload, 0, s.payloadLength());
            System.arraycopy(t.payload(), 0, payload, s.payloadLength(), len);
            s = new TcpSegment(s.srcPort(), s.dstPort(), s.seq(), s.ack(), (t.flags() & ~TcpHeader.CWR) | (s.flags() & TcpHeader.CWR),
                    s.window(), t.options(), payload);
            c = new Captured(n.timeNs, s, n.tos);
            lastLen = len;
        }
        return c;
    }

    private int isn() { return localIsn == null ? 0 : localIsn; }

    /** The captured packet in script syntax (relative seq, script TS val). */
    private String describe(TcpSegment s, int tos) {
        List<TcpOption> shown = new ArrayList<>();
        for (TcpOption o : s.options()) {
            if (o instanceof TcpOption.Timestamps(int val, int ecr) && firstActualTsVal != null) {
                shown.add(new TcpOption.Timestamps(val - firstActualTsVal + firstScriptTsVal, ecr));
            } else if (o instanceof TcpOption.Sack(List<TcpOption.SackBlock> blocks)) { // in the script's space
                shown.add(new TcpOption.Sack(blocks.stream()
                        .map(b -> new TcpOption.SackBlock(b.start() - remoteIsn, b.end() - remoteIsn)).toList()));
            } else {
                shown.add(o);
            }
        }
        boolean syn = s.has(TcpHeader.SYN);
        return new SegmentSpec((tos & 3) != 0 ? Ecn.of(tos) : null, s.flags(), (s.seq() - isn() + (syn ? scriptLocalIsn : 0)) & 0xFFFF_FFFFL,
                s.payloadLength(), s.has(TcpHeader.ACK) ? (s.ack() - (syn ? 0 : remoteIsn)) & 0xFFFF_FFFFL : null, s.window(), null,
                shown.isEmpty() ? null : shown, false).toString();
    }

    /** Null when {@code c} is the packet {@code p} describes; else "field: details". */
    private String compare(SegmentSpec p, Captured c) {
        TcpSegment s = c.seg;
        if (s.flags() != p.flags()) {
            return "flags: expected " + name(p.flags()) + " but got " + name(s.flags());
        }
        boolean syn = s.has(TcpHeader.SYN);
        // The host's SYN or SYN-ACK defines the mapping (packetdrill's script.local_isn = its seq).
        if (syn) scriptLocalIsn = (int) p.seq();
        long rel = (s.seq() - isn() + (syn ? scriptLocalIsn : 0)) & 0xFFFF_FFFFL;
        if (rel != (p.seq() & 0xFFFF_FFFFL)) return "seq: expected " + p.seq() + " but got " + rel;
        if (s.payloadLength() != p.length()) {
            return "length: expected " + p.length() + " bytes but got " + s.payloadLength();
        }
        if (s.has(TcpHeader.ACK)) {
            long ack = (s.ack() - (syn ? 0 : remoteIsn)) & 0xFFFF_FFFFL;
            if (p.ack() != null && ack != (p.ack() & 0xFFFF_FFFFL)) return "ack: expected " + p.ack() + " but got " + ack;
        }
        if (p.window() != null && s.window() != p.window()) {
            return "window: expected " + p.window() + " but got " + s.window();
        }
        if (p.ecn() != null) {
            int want = ecnBits(p.ecn()), got = c.tos & 3;
            boolean ok = p.ecn() == Ecn.ECT01 ? (got == 1 || got == 2) : want == got;
            if (!ok) return "ecn: expected " + p.ecn() + " but got " + got;
        }
        if (!p.anyOptions()) {
            String m = compareOptions(p.optionsOrNone(), s.options());
            if (m != null) return m;
        } else {
            learnTs(null, s.options());
        }
        return null;
    }

    private static String name(int flags) { return SegmentText.flags(flags); }

    private void learnTs(TcpOption.Timestamps script, List<TcpOption> actual) {
        for (TcpOption o : actual) {
            if (o instanceof TcpOption.Timestamps(int val, int ecr) && script != null) {
                tsValMap.put(script.val(), val);
                if (firstScriptTsVal == null) {
                    firstScriptTsVal = script.val();
                    firstActualTsVal = val;
                }
            }
        }
    }

    private String compareOptions(List<TcpOption> want, List<TcpOption> got) {
        if (want.size() != got.size()) return "options: expected <" + SegmentText.options(want) + ">";
        TcpOption.Timestamps scriptTs = null;
        for (int k = 0; k < want.size(); k++) {
            TcpOption w = want.get(k), g = got.get(k);
            if (w.getClass() != g.getClass()) return "options: expected <" + SegmentText.options(want) + ">";
            switch (w) {
                case TcpOption.Timestamps ts -> {
                    scriptTs = ts;
                    int val = ((TcpOption.Timestamps) g).val();
                    if (tsTickUs > 0 && firstActualTsVal != null) {
                        long mapped = (val - firstActualTsVal + firstScriptTsVal) & 0xFFFF_FFFFL;
                        long diff = Math.abs((int) (mapped - (ts.val() & 0xFFFF_FFFFL)));
                        if (diff * tsTickUs > timeline.toleranceUs()) {
                            return "TS val: expected " + Integer.toUnsignedString(ts.val()) + " but got " + mapped;
                        }
                    }
                }
                case TcpOption.Sack sack -> {
                    // SACK blocks the host sends are in the script's space less the remote ISN (run_packet.c).
                    TcpOption.Sack shifted = new TcpOption.Sack(((TcpOption.Sack) g).blocks().stream()
                            .map(b -> new TcpOption.SackBlock(b.start() - remoteIsn, b.end() - remoteIsn)).toList());
                    if (!sack.equals(shifted)) return "options: expected " + sack + " but got " + shifted;
                }
                default -> {
                    if (!w.equals(g)) return "options: expected " + w + " but got " + g;
                }
            }
        }
        if (scriptTs != null) learnTs(scriptTs, got);
        return null;
    }
}
