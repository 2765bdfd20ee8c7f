package dev.synack.sim;

import dev.synack.tcp.SendReason;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Decoded;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import dev.synack.wire.SegmentSpec;
import dev.synack.wire.SegmentText;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Renders a network's trace for people: a ladder diagram in text, one line per event, and the same
 * events as JSON.
 *
 * <pre>
 *    0.000  client ──► server  S    seq=0 len=0 win=64240 &lt;mss 1460,sackOK,TS,wscale 7&gt;   [syn]
 *    0.000  client: CLOSE → SYN_SENT
 *    0.010  client ◄── server  S.   seq=0 ack=1 len=0 win=65160 &lt;...&gt;   [syn-ack]
 *    0.012  client ──✗ server  P.   seq=1 ack=1 len=100 win=502   ✗ lost on link
 * </pre>
 *
 * <p>Nodes keep their columns in creation order: the earlier node is always on the left and the arrow
 * points the way the packet went. Packets are shown when they leave their sender; sequence numbers are
 * relative to each direction's initial sequence number (as Wireshark and tcpdump without -S show them),
 * and windows are the raw header field; a segment TCP sent ends with the short tag of its
 * {@link SendReason} in brackets. State changes, timers that fired, drops (on the link, by the receiving
 * stack's IP layer, or by TCP with its {@link dev.synack.tcp.TcpDropReason}), faults, and the
 * application's calls and results (from the socket layer) come in line with the packets.
 *
 * <p>In JSON, a packet TCP sent has {@code "reason":{"code":...,"text":...,"n":...}} ({@code n} only
 * where the reason counts something) and a packet that arrived and was dropped has
 * {@code "drop":{"code":...,"text":...}}; codes are the enum constants' names and stay stable.
 */
public final class Ladder {
    private final Map<String, Integer> order = new HashMap<>();
    private final IntFunction<String> names;
    private final Map<Dir, Integer> isn = new HashMap<>(); // only looked up, never iterated
    private final int width;
    /** The drop of each arriving packet that was dropped, by its event's bytes (the same array). */
    private final Map<byte[], TraceEvent> drops = new IdentityHashMap<>();
    /** For JSON: the packets sent and not yet seen arriving or dropped, by content, with their ids. */
    private final Map<Sent, java.util.ArrayDeque<Integer>> inFlight = new HashMap<>();
    /** For JSON: the id of the send a packet of this content last matched (a duplicate, or a drop after its arrival). */
    private final Map<Sent, Integer> lastMatched = new HashMap<>();
    private int nextId;

    private Ladder(Network net) {
        int i = 0, w = 6;
        for (Node n : net.nodes()) {
            order.put(n.name(), i++);
            w = Math.max(w, n.name().length());
        }
        this.names = net::nameOf;
        this.width = w;
        for (SimEvent e : net.trace().all()) {
            switch (e) {
                case SimEvent.Stack(TraceEvent.Dropped d) -> drops.putIfAbsent(d.bytes(), d);
                case SimEvent.Stack(TraceEvent.SegmentDropped d) -> drops.putIfAbsent(d.bytes(), d);
                default -> {
                }
            }
        }
    }

    /**
     * The drop of an arriving packet ({@code bytes} of its {@link TraceEvent.Packet}) as JSON
     * {@code {"code":...,"text":...}}, or null when it was not dropped.
     */
    private String dropJson(byte[] bytes) {
        return switch (drops.get(bytes)) {
            case TraceEvent.Dropped d -> codeText(d.reason().code(), d.reason().description());
            case TraceEvent.SegmentDropped d -> codeText(d.reason().code(), d.reason().text());
            case null, default -> null;
        };
    }

    private static String codeText(String code, String text) {
        return "{\"code\":" + Json.string(code) + ",\"text\":" + Json.string(text) + "}";
    }

    /** Why TCP sent {@code p} as JSON {@code {"code":...,"text":...,"n":...}}, or null when no reason was given. */
    static String reasonJson(TraceEvent.Packet p) {
        SendReason r = p.reason();
        if (r == null) return null;
        String ct = codeText(r.code(), r.text(p.reasonN()));
        return r.hasNumber() ? ct.substring(0, ct.length() - 1) + ",\"n\":" + p.reasonN() + "}" : ct;
    }

    /** The ladder of everything in {@code net}'s trace so far. */
    public static String render(Network net) {
        Ladder l = new Ladder(net);
        StringBuilder sb = new StringBuilder();
        for (SimEvent e : net.trace().all()) l.line(e, sb);
        return sb.toString();
    }

    /** The same events as a JSON array, one object per line. */
    public static String json(Network net) {
        Ladder l = new Ladder(net);
        StringBuilder sb = new StringBuilder("[\n");
        boolean first = true;
        for (SimEvent e : net.trace().all()) {
            String o = l.jsonObject(e);
            if (o == null) continue;
            if (!first) sb.append(",\n");
            sb.append(o);
            first = false;
        }
        return sb.append("\n]\n").toString();
    }

    // ---- text ----------------------------------------------------------------------------------

    private void line(SimEvent e, StringBuilder sb) {
        String t = String.format("%9.3f  ", e.timeNs() / 1e9);
        switch (e) {
            case SimEvent.Stack(TraceEvent.Packet p) when p.outbound() -> {
                Pkt k = parse(p.bytes(), true);
                sb.append(t).append(arrow(p.host(), k.dst, "──►", "◄──")).append("  ").append(k.text);
                if (p.reason() != null) sb.append("   [").append(p.reason().tag(p.reasonN())).append(']');
                sb.append('\n');
            }
            case SimEvent.Stack(TraceEvent.Packet p) -> {
                // Arrivals are implied by the send; shown only when dropped, or when a queue on the way
                // marked them Congestion Experienced (TCP never sends CE itself).
                if (p.bytes().length >= Ipv4.HEADER_LEN && Ipv4.ecn(p.bytes(), 0) == Ipv4.CE) {
                    Pkt k = parse(p.bytes(), false);
                    sb.append(t).append(p.host()).append(": ⚑ CE-marked on the way (").append(k.text.strip())
                            .append(" from ").append(names.apply(k.src)).append(")\n");
                }
            }
            case SimEvent.Stack(TraceEvent.Dropped d) -> {
                Pkt k = parse(d.bytes(), false);
                sb.append(t).append(d.host()).append(": ✗ ").append(dropText(d)).append(" (").append(k.text.strip())
                        .append(" from ").append(names.apply(k.src)).append(")\n");
            }
            case SimEvent.Stack(TraceEvent.SegmentDropped d) -> {
                Pkt k = parse(d.bytes(), false);
                sb.append(t).append(d.host()).append(": ✗ ").append(d.reason().tag()).append(" (").append(k.text.strip())
                        .append(" from ").append(names.apply(k.src)).append(")\n");
            }
            case SimEvent.Stack(TraceEvent.StateChange s) ->
                    sb.append(t).append(s.host()).append(": ").append(s.from()).append(" → ").append(s.to())
                            .append("   [:").append(s.conn().localPort()).append(" ↔ ").append(names.apply(s.conn().remoteAddr()))
                            .append(':').append(s.conn().remotePort()).append("]\n");
            case SimEvent.Stack(TraceEvent.TimerFired f) ->
                    sb.append(t).append(f.host()).append(": ⏱ ").append(f.timer()).append(" timer fired   [:")
                            .append(f.conn().localPort()).append("]\n");
            case SimEvent.Stack(TraceEvent.CwndSample c) ->
                    sb.append(t).append(c.host()).append(": cwnd=").append(c.cwnd()).append(" ssthresh=").append(c.ssthresh())
                            .append(" srtt=").append(c.srttUs()).append("us ").append(c.caState()).append('\n');
            case SimEvent.Stack(TraceEvent.AppCall a) ->
                    sb.append(t).append(a.host()).append('/').append(a.process()).append(": ").append(a.call())
                            .append(" → ").append(a.result()).append('\n');
            case SimEvent.NetworkDrop w -> {
                Pkt k = parse(w.bytes(), false);
                String to = w.to() != null ? w.to() : names.apply(k.dst);
                sb.append(t).append(arrow(w.host(), k.dst, "──✗", "✗──")).append("  ").append(k.text)
                        .append("   ✗ ").append(w.fate().text()).append(w.to() == null ? "" : " (" + w.link() + ")");
                if (w.to() != null && !to.equals(names.apply(k.dst))) sb.append(" at ").append(to);
                sb.append('\n');
            }
            case SimEvent.Fault f -> sb.append(t).append("⚡ ").append(f.host()).append(": ").append(f.fault()).append('\n');
        }
    }

    private String arrow(String sender, int dstAddr, String right, String left) {
        String receiver = names.apply(dstAddr);
        int a = order.getOrDefault(sender, Integer.MAX_VALUE), b = order.getOrDefault(receiver, Integer.MAX_VALUE);
        String l = a <= b ? sender : receiver, r = a <= b ? receiver : sender;
        return pad(l) + " " + (a <= b ? right : left) + " " + pad(r);
    }

    private String pad(String s) { return s.length() >= width ? s : s + " ".repeat(width - s.length()); }

    private static String dropText(TraceEvent.Dropped d) {
        return switch (d.reason()) {
            case BAD_TCP_CHECKSUM, BAD_ICMP_CHECKSUM, BAD_IP_CHECKSUM -> "checksum";
            default -> d.reason().name().toLowerCase();
        };
    }

    // ---- packets -------------------------------------------------------------------------------

    private record Pkt(int src, int dst, String text, String flags, long seq, long ack, int len, int win, int proto,
                       Raw raw) {
        Pkt(int src, int dst, String text, String flags, long seq, long ack, int len, int win, int proto) {
            this(src, dst, text, flags, seq, ack, len, win, proto, null);
        }
    }

    /** A TCP segment's fields as on the wire, for JSON: ports, absolute numbers, every option, and the IP header's TTL and id. */
    private record Raw(int sport, int dport, long seq, long ack, String options, int ttl, int ipId) {}

    /** Parses a packet for display; {@code learn} sets initial sequence numbers (packets as sent). */
    private Pkt parse(byte[] b, boolean learn) {
        if (b.length < Ipv4.HEADER_LEN || Ipv4.validate(b, 0, b.length) != null) {
            return new Pkt(b.length >= 20 ? Ipv4.src(b, 0) : 0, b.length >= 20 ? Ipv4.dst(b, 0) : 0,
                    "(" + b.length + " bytes, bad IP header)", "", -1, -1, 0, 0, -1);
        }
        int src = Ipv4.src(b, 0), dst = Ipv4.dst(b, 0), hl = Ipv4.headerLength(b, 0);
        int total = Math.min(Ipv4.totalLength(b, 0), b.length);
        int proto = Ipv4.protocol(b, 0);
        if (proto == Ipv4.PROTO_ICMP && total - hl >= Icmp.HEADER_LEN) {
            int type = Icmp.type(b, hl), code = Icmp.code(b, hl);
            String what = type == Icmp.TYPE_DEST_UNREACH ? "unreachable " + unreachName(code)
                    : type == Icmp.TYPE_TIME_EXCEEDED ? "time exceeded" : "type " + type + " code " + code;
            String about = "";
            if (type == Icmp.TYPE_DEST_UNREACH || type == Icmp.TYPE_TIME_EXCEEDED) {
                if (Icmp.validateQuote(b, hl, total - hl) == null && Icmp.quotedProtocol(b, hl) == Ipv4.PROTO_TCP) {
                    about = " for " + names.apply(Icmp.quotedDst(b, hl)) + ":" + Icmp.quotedDstPort(b, hl);
                }
            }
            return new Pkt(src, dst, "ICMP " + what + about, "", -1, -1, total - hl, 0, proto);
        }
        if (proto != Ipv4.PROTO_TCP || total - hl < TcpHeader.HEADER_LEN) {
            return new Pkt(src, dst, "proto " + proto + " len=" + (total - hl), "", -1, -1, total - hl, 0, proto);
        }
        int t = hl;
        int sport = TcpHeader.srcPort(b, t), dport = TcpHeader.dstPort(b, t);
        int flags = TcpHeader.flags(b, t), seq = TcpHeader.seq(b, t), ack = TcpHeader.ack(b, t);
        int doff = Math.max(TcpHeader.HEADER_LEN, Math.min(TcpHeader.dataOffset(b, t), total - hl));
        int len = total - hl - doff;
        Dir dir = new Dir(src, sport, dst, dport), rev = new Dir(dst, dport, src, sport);
        if (learn) {
            Integer known = isn.get(dir);
            if ((flags & TcpHeader.SYN) != 0 && (known == null || known != seq)) {
                isn.put(dir, seq);
                if ((flags & TcpHeader.ACK) == 0) isn.remove(rev); // a new incarnation of the 4-tuple
            } else if (known == null) {
                isn.put(dir, seq);
            }
        }
        Integer base = isn.get(dir), rbase = isn.get(rev);
        long rseq = base == null ? seq & 0xFFFFFFFFL : (seq - base) & 0xFFFFFFFFL;
        long rack = rbase == null ? ack & 0xFFFFFFFFL : (ack - rbase) & 0xFFFFFFFFL;
        // What the receiving stack would take from the options (TcpOptions, as Linux parses them): on a
        // SYN the negotiated ones in a fixed order, and the SACK blocks relative to the peer's ISN.
        List<TcpOption> shown = new ArrayList<>();
        if (doff > TcpHeader.HEADER_LEN) {
            TcpOptions o = new TcpOptions();
            o.parse(b, t + TcpHeader.HEADER_LEN, doff - TcpHeader.HEADER_LEN);
            if ((flags & TcpHeader.SYN) != 0) {
                if (o.mss() > 0) shown.add(new TcpOption.Mss(o.mss()));
                if (o.sackPermitted()) shown.add(new TcpOption.SackPermitted());
                if (o.hasTimestamps()) shown.add(new TcpOption.Timestamps(o.tsVal(), o.tsEcr()));
                if (o.windowScale() >= 0) shown.add(new TcpOption.WindowScale(o.windowScale()));
            }
            int peerIsn = rbase == null ? 0 : rbase;
            List<TcpOption.SackBlock> blocks = new ArrayList<>();
            for (int i = 0; i < o.sackBlockCount(); i++) {
                blocks.add(new TcpOption.SackBlock(o.sackStart(i) - peerIsn, o.sackEnd(i) - peerIsn));
            }
            if (!blocks.isEmpty()) shown.add(new TcpOption.Sack(blocks));
        }
        SegmentSpec spec = SegmentSpec.of(flags, rseq, len, (flags & TcpHeader.ACK) != 0 ? rack : null,
                TcpHeader.window(b, t), shown);
        int ecn = Ipv4.ecn(b, 0);
        if (ecn != Ipv4.NOT_ECT) spec = spec.withEcn(SegmentSpec.Ecn.of(ecn)); // [ect0], [ce]: only when set
        String text = SegmentText.format(spec, SegmentText.Style.LADDER);
        String fl = TcpHeader.flagsToString(flags);
        String options = switch (TcpOption.decodeAll(b, t + TcpHeader.HEADER_LEN, doff - TcpHeader.HEADER_LEN)) {
            case Decoded.Ok<List<TcpOption>> ok -> SegmentText.options(ok.value());
            case Decoded.Malformed<List<TcpOption>> m -> "(malformed: " + m.reason().name().toLowerCase() + ")";
        };
        Raw raw = new Raw(sport, dport, seq & 0xFFFFFFFFL, ack & 0xFFFFFFFFL, options, Ipv4.ttl(b, 0), Ipv4.identification(b, 0));
        return new Pkt(src, dst, text, fl, rseq, (flags & TcpHeader.ACK) != 0 ? rack : -1, len, TcpHeader.window(b, t), proto, raw);
    }

    /** One direction of a connection. */
    private record Dir(int src, int srcPort, int dst, int dstPort) {}

    private static String unreachName(int code) {
        return switch (code) {
            case Icmp.NET_UNREACH -> "net";
            case Icmp.HOST_UNREACH -> "host";
            case Icmp.PROTO_UNREACH -> "protocol";
            case Icmp.PORT_UNREACH -> "port";
            case Icmp.FRAG_NEEDED -> "frag-needed";
            case Icmp.NET_PROHIBITED -> "net-prohibited";
            case Icmp.HOST_PROHIBITED -> "host-prohibited";
            case Icmp.ADMIN_PROHIBITED -> "admin-prohibited";
            default -> "code " + code;
        };
    }

    // ---- JSON ----------------------------------------------------------------------------------

    private String jsonObject(SimEvent e) {
        StringBuilder sb = new StringBuilder("{\"t\":").append(String.format("%.9f", e.timeNs() / 1e9));
        switch (e) {
            case SimEvent.Stack(TraceEvent.Packet p) -> {
                Pkt k = parse(p.bytes(), p.outbound());
                sb.append(",\"type\":\"packet\",\"host\":").append(Json.string(p.host()))
                        .append(",\"dir\":\"").append(p.outbound() ? "out" : "in").append('"');
                sb.append(p.outbound() ? ",\"id\":" + sent(p.bytes()) : of(p.bytes(), true));
                packetFields(sb, k);
                String why = p.outbound() ? reasonJson(p) : dropJson(p.bytes());
                if (why != null) sb.append(p.outbound() ? ",\"reason\":" : ",\"drop\":").append(why);
            }
            case SimEvent.Stack(TraceEvent.Dropped d) -> {
                Pkt k = parse(d.bytes(), false);
                sb.append(",\"type\":\"drop\",\"host\":").append(Json.string(d.host())).append(",\"reason\":").append(Json.string(d.reason().name()));
                sb.append(of(d.bytes(), false));
                packetFields(sb, k);
                sb.append(",\"drop\":").append(codeText(d.reason().code(), d.reason().description()));
            }
            case SimEvent.Stack(TraceEvent.SegmentDropped d) -> {
                return null; // on the arriving packet's event, as "drop"
            }
            case SimEvent.Stack(TraceEvent.StateChange s) ->
                    sb.append(",\"type\":\"state\",\"host\":").append(Json.string(s.host())).append(",\"conn\":").append(Json.string(s.conn().toString()))
                            .append(",\"from\":").append(Json.string(s.from().name())).append(",\"to\":").append(Json.string(s.to().name()));
            case SimEvent.Stack(TraceEvent.TimerFired f) ->
                    sb.append(",\"type\":\"timer\",\"host\":").append(Json.string(f.host())).append(",\"conn\":").append(Json.string(f.conn().toString()))
                            .append(",\"timer\":").append(Json.string(f.timer()));
            case SimEvent.Stack(TraceEvent.CwndSample c) ->
                    sb.append(",\"type\":\"cwnd\",\"host\":").append(Json.string(c.host())).append(",\"conn\":").append(Json.string(c.conn().toString()))
                            .append(",\"cwnd\":").append(c.cwnd()).append(",\"ssthresh\":").append(c.ssthresh())
                            .append(",\"srtt_us\":").append(c.srttUs()).append(",\"in_flight\":").append(c.inFlight())
                            .append(",\"ca_state\":").append(Json.string(c.caState()))
                            .append(",\"rto_us\":").append(c.rtoUs()).append(",\"snd_wnd\":").append(c.sndWnd())
                            .append(",\"unacked\":").append(c.unackedBytes());
            case SimEvent.Stack(TraceEvent.AppCall a) ->
                    sb.append(",\"type\":\"app\",\"host\":").append(Json.string(a.host())).append(",\"process\":").append(Json.string(a.process()))
                            .append(",\"call\":").append(Json.string(a.call())).append(",\"result\":").append(Json.string(a.result()));
            case SimEvent.NetworkDrop w -> {
                Pkt k = parse(w.bytes(), false);
                sb.append(",\"type\":\"wire\",\"host\":").append(Json.string(w.host())).append(",\"to\":").append(w.to() == null ? "null" : Json.string(w.to()))
                        .append(",\"link\":").append(Json.string(w.link())).append(",\"fate\":").append(Json.string(w.fate().name()));
                sb.append(of(w.bytes(), true));
                packetFields(sb, k);
            }
            case SimEvent.Fault f ->
                    sb.append(",\"type\":\"fault\",\"host\":").append(Json.string(f.host())).append(",\"fault\":").append(Json.string(f.fault()));
        }
        return sb.append('}').toString();
    }

    private void packetFields(StringBuilder sb, Pkt k) {
        sb.append(",\"src\":").append(Json.string(names.apply(k.src))).append(",\"dst\":").append(Json.string(names.apply(k.dst)));
        if (k.proto == Ipv4.PROTO_TCP) {
            sb.append(",\"flags\":").append(Json.string(k.flags)).append(",\"seq\":").append(k.seq);
            if (k.ack >= 0) sb.append(",\"ack\":").append(k.ack);
            sb.append(",\"len\":").append(k.len).append(",\"win\":").append(k.win);
        }
        sb.append(",\"summary\":").append(Json.string(k.text.strip()));
        if (k.raw != null) {
            Raw r = k.raw;
            sb.append(",\"sport\":").append(r.sport).append(",\"dport\":").append(r.dport)
                    .append(",\"abs_seq\":").append(r.seq).append(",\"abs_ack\":").append(r.ack)
                    .append(",\"options\":").append(Json.string(r.options))
                    .append(",\"ttl\":").append(r.ttl).append(",\"ip_id\":").append(r.ipId);
        }
    }

    /**
     * A packet's content without what routers change on the way (the TTL and the IP header checksum),
     * so that its arrival or its drop matches its send.
     */
    private record Sent(byte[] b) {
        static Sent of(byte[] bytes) {
            byte[] c = bytes.clone();
            if (c.length >= Ipv4.HEADER_LEN) {
                c[8] = 0;
                c[10] = 0;
                c[11] = 0;
            }
            return new Sent(c);
        }

        @Override
        public boolean equals(Object o) { return o instanceof Sent s && java.util.Arrays.equals(b, s.b); }

        @Override
        public int hashCode() { return java.util.Arrays.hashCode(b); }
    }

    /** A packet leaves its sender: its id, which its arrival and its drop name as {@code "of"}. */
    private int sent(byte[] bytes) {
        int id = nextId++;
        inFlight.computeIfAbsent(Sent.of(bytes), x -> new java.util.ArrayDeque<>()).add(id);
        return id;
    }

    /**
     * {@code ,"of":ID} for a packet that arrived ({@code arrival}: the oldest send of that content not
     * yet arrived) or was dropped after its arrival (the send it last matched); empty when no send matches
     * (a packet altered on the way, or sent by a node that is not traced).
     */
    private String of(byte[] bytes, boolean arrival) {
        Sent key = Sent.of(bytes);
        Integer id = null;
        if (arrival) {
            var q = inFlight.get(key);
            if (q != null) id = q.poll();
        }
        if (id == null) id = lastMatched.get(key);
        if (id == null) return "";
        lastMatched.put(key, id);
        return ",\"of\":" + id;
    }

    /** For tests: the names of every node in creation order. */
    static List<String> names(Network net) {
        return net.nodes().stream().map(Node::name).toList();
    }
}
