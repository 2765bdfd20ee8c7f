package dev.synack.sim;

import dev.synack.trace.TraceEvent;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import dev.synack.wire.SegmentSpec;
import dev.synack.wire.SegmentText;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Renders a network's trace for people: a ladder diagram in text, one line per event, and the same
 * events as JSON.
 *
 * <pre>
 *    0.000  client ──► server  S    seq=0 len=0 win=64240 &lt;mss 1460,sackOK,TS,wscale 7&gt;
 *    0.000  client: CLOSE → SYN_SENT
 *    0.010  client ◄── server  S.   seq=0 ack=1 len=0 win=65160 &lt;...&gt;
 *    0.012  client ──✗ server  P.   seq=1 ack=1 len=100 win=502   ✗ lost on link
 * </pre>
 *
 * <p>Nodes keep their columns in creation order: the earlier node is always on the left and the arrow
 * points the way the packet went. Packets are shown when they leave their sender; sequence numbers are
 * relative to each direction's initial sequence number (as Wireshark and tcpdump without -S show them),
 * and windows are the raw header field. State changes, timers that fired, drops (on the link or by the
 * receiving stack), faults, and the application's calls and results (from the socket layer) come in
 * line with the packets.
 */
public final class Ladder {
    private final Map<String, Integer> order = new HashMap<>();
    private final IntFunction<String> names;
    private final Map<Dir, Integer> isn = new HashMap<>(); // only looked up, never iterated
    private final int width;

    private Ladder(Network net) {
        int i = 0, w = 6;
        for (Node n : net.nodes()) {
            order.put(n.name(), i++);
            w = Math.max(w, n.name().length());
        }
        this.names = net::nameOf;
        this.width = w;
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
                sb.append(t).append(arrow(p.host(), k.dst, "──►", "◄──")).append("  ").append(k.text).append('\n');
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

    private record Pkt(int src, int dst, String text, String flags, long seq, long ack, int len, int win, int proto) {}

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
        return new Pkt(src, dst, text, fl, rseq, (flags & TcpHeader.ACK) != 0 ? rack : -1, len, TcpHeader.window(b, t), proto);
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
                packetFields(sb, k);
            }
            case SimEvent.Stack(TraceEvent.Dropped d) -> {
                Pkt k = parse(d.bytes(), false);
                sb.append(",\"type\":\"drop\",\"host\":").append(Json.string(d.host())).append(",\"reason\":").append(Json.string(d.reason().name()));
                packetFields(sb, k);
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
                            .append(",\"ca_state\":").append(Json.string(c.caState()));
            case SimEvent.Stack(TraceEvent.AppCall a) ->
                    sb.append(",\"type\":\"app\",\"host\":").append(Json.string(a.host())).append(",\"process\":").append(Json.string(a.process()))
                            .append(",\"call\":").append(Json.string(a.call())).append(",\"result\":").append(Json.string(a.result()));
            case SimEvent.NetworkDrop w -> {
                Pkt k = parse(w.bytes(), false);
                sb.append(",\"type\":\"wire\",\"host\":").append(Json.string(w.host())).append(",\"to\":").append(w.to() == null ? "null" : Json.string(w.to()))
                        .append(",\"link\":").append(Json.string(w.link())).append(",\"fate\":").append(Json.string(w.fate().name()));
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
    }

    /** For tests: the names of every node in creation order. */
    static List<String> names(Network net) {
        return net.nodes().stream().map(Node::name).toList();
    }
}
