package dev.synack.sim.oracle;

import dev.synack.sim.Json;
import dev.synack.sim.SeqSpaces;
import dev.synack.wire.Decoded;
import dev.synack.wire.Ipv4;
import dev.synack.wire.SegmentSpec;
import dev.synack.wire.SegmentText;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What happened on the client's side of a {@link World}, in order: the TCP segments on its interface
 * (sent and received) and the calls the story's processes made with what they returned. The same form
 * for synack's run and Linux's, so {@link Differ} can compare them, and a text form (JSON Lines: a
 * header object, then one event per line) for recordings kept in the repository.
 *
 * <p>Segments are kept as text, packetdrill's syntax with sequence numbers relative to each
 * direction's ISN and the timestamp values left out (the clocks differ):
 * {@code S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val ecr,nop,wscale 7>}.
 *
 * @param header what produced it: "source" (synack lab / the kernel's uname), "story", "knobs", ...
 * @param events the events, in time order
 */
public record Timeline(Map<String, String> header, List<Event> events) {
    public Timeline {
        header = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(header));
        events = List.copyOf(events);
    }

    /** An event of a timeline. */
    public sealed interface Event {
        /** When, in ns from the world's start. */
        long tNs();
    }

    /**
     * A TCP segment on the client's interface.
     *
     * @param tNs when
     * @param outbound whether the client sent it (else received it)
     * @param flags the TCP flags
     * @param len the payload length
     * @param text the segment, relative numbers, no timestamp values
     */
    public record Segment(long tNs, boolean outbound, int flags, int len, String text) implements Event {
        /** "client > S 0:0(0) ..." or "client < R. 0:0(0) ack 1 win 0". */
        public String line() { return "client " + (outbound ? ">" : "<") + " " + text; }
    }

    /**
     * An application call and what it returned.
     *
     * @param tNs when it returned
     * @param host "client" or "server"
     * @param call the call, e.g. "connect()"
     * @param result "ok", "returned 5" or the exception, e.g. "ConnectException: Connection refused"
     */
    public record App(long tNs, String host, String call, String result) implements Event {
        public String line() { return host + " " + call + " → " + result; }
    }

    /** The segments, in order. */
    public List<Segment> segments() {
        return events.stream().filter(e -> e instanceof Segment).map(e -> (Segment) e).toList();
    }

    /** The application calls, in order. */
    public List<App> calls() {
        return events.stream().filter(e -> e instanceof App).map(e -> (App) e).toList();
    }

    // ---- building -------------------------------------------------------------------------------

    /**
     * Builds a timeline from raw IPv4 packets and notes, numbering each four-tuple's sequence space
     * from its SYN (a new SYN on the same four-tuple starts a new connection). Not thread-safe: the
     * kernel runner synchronizes on it.
     */
    public static final class Builder {
        private final Map<String, String> header = new LinkedHashMap<>();
        private final List<Event> events = new ArrayList<>();
        private final SeqSpaces spaces = new SeqSpaces();

        public Builder header(String key, String value) {
            header.put(key, value);
            return this;
        }

        /** Adds an application call. */
        public synchronized void call(long tNs, String host, String call, String result) {
            events.add(new App(tNs, host, call, result));
        }

        /** Adds the IPv4 packet {@code ip} seen on the client's interface; anything but a valid TCP segment is ignored. */
        public synchronized void packet(long tNs, boolean outbound, byte[] ip, int len) {
            if (len < 20 || Ipv4.protocol(ip, 0) != Ipv4.PROTO_TCP) return;
            int hl = Ipv4.headerLength(ip, 0);
            int total = Math.min(Ipv4.totalLength(ip, 0), len);
            if (!(TcpSegment.decode(ip, hl, total - hl) instanceof Decoded.Ok<TcpSegment>(TcpSegment s))) return;
            int src = Ipv4.src(ip, 0), dst = Ipv4.dst(ip, 0);
            spaces.learn(src, dst, s); // one interface: each packet is seen once, a SYN-ACK as it arrives
            long seq = spaces.seq(src, dst, s);
            Long ack = s.has(TcpHeader.ACK) ? spaces.reverse(src, dst, s, s.ack()) : null;
            List<TcpOption> options = new ArrayList<>();
            for (TcpOption o : s.options()) {
                if (o instanceof TcpOption.Sack(List<TcpOption.SackBlock> blocks)) {
                    options.add(new TcpOption.Sack(blocks.stream().map(b -> new TcpOption.SackBlock(
                            (int) spaces.reverse(src, dst, s, b.start()), (int) spaces.reverse(src, dst, s, b.end()))).toList()));
                } else {
                    options.add(o);
                }
            }
            SegmentSpec spec = SegmentSpec.of(s.flags(), seq, s.payloadLength(), ack, s.window(), options);
            events.add(new Segment(tNs, outbound, s.flags(), s.payloadLength(),
                    SegmentText.format(spec, SegmentText.Style.RELATIVE_NO_TS_VALUES)));
        }

        /** The timeline so far, events in time order (stable). */
        public synchronized Timeline build() {
            List<Event> sorted = new ArrayList<>(events);
            sorted.sort(java.util.Comparator.comparingLong(Event::tNs));
            return new Timeline(header, sorted);
        }
    }

    // ---- text -----------------------------------------------------------------------------------

    /** The JSON Lines text: the header object, then one object per event. */
    public String toJsonLines() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : header.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            sb.append(Json.string(e.getKey())).append(':').append(Json.string(e.getValue()));
        }
        sb.append("}\n");
        for (Event e : events) {
            String t = String.format(Locale.ROOT, "%.6f", e.tNs() / 1e9);
            switch (e) {
                case Segment s -> sb.append("{\"t\":").append(t).append(",\"type\":\"segment\",\"dir\":")
                        .append(s.outbound() ? "\"out\"" : "\"in\"")
                        .append(",\"flags\":").append(Json.string(TcpHeader.flagsToString(s.flags()))).append(",\"len\":").append(s.len())
                        .append(",\"segment\":").append(Json.string(s.text())).append("}\n");
                case App a -> sb.append("{\"t\":").append(t).append(",\"type\":\"app\",\"host\":").append(Json.string(a.host()))
                        .append(",\"call\":").append(Json.string(a.call())).append(",\"result\":").append(Json.string(a.result())).append("}\n");
            }
        }
        return sb.toString();
    }

    /**
     * Reads {@link #toJsonLines()}'s text back.
     *
     * @throws IOException on a line that is not one of its objects (the message names the line)
     */
    public static Timeline fromJsonLines(Reader in) throws IOException {
        BufferedReader r = new BufferedReader(in);
        String first = r.readLine();
        if (first == null) throw new IOException("empty timeline");
        Map<String, String> header = FlatJson.parse(first, 1);
        List<Event> events = new ArrayList<>();
        int n = 1;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            n++;
            if (line.isBlank()) continue;
            Map<String, String> o = FlatJson.parse(line, n);
            long t = Math.round(Double.parseDouble(FlatJson.need(o, "t", n)) * 1e9);
            switch (FlatJson.need(o, "type", n)) {
                case "segment" -> {
                    int flags, len;
                    try {
                        flags = TcpHeader.parseFlags(FlatJson.need(o, "flags", n));
                        len = Integer.parseInt(FlatJson.need(o, "len", n));
                    } catch (RuntimeException ex) {
                        throw new IOException("line " + n + ": " + ex.getMessage());
                    }
                    events.add(new Segment(t, "out".equals(FlatJson.need(o, "dir", n)), flags, len, FlatJson.need(o, "segment", n)));
                }
                case "app" -> events.add(new App(t, FlatJson.need(o, "host", n), FlatJson.need(o, "call", n), FlatJson.need(o, "result", n)));
                default -> throw new IOException("line " + n + ": unknown event type " + o.get("type"));
            }
        }
        return new Timeline(header, events);
    }
}
