package dev.synack.packetdrill;

import dev.synack.packetdrill.Event.CodeEvent;
import dev.synack.packetdrill.Event.CommandEvent;
import dev.synack.packetdrill.Event.Direction;
import dev.synack.packetdrill.Event.IcmpEvent;
import dev.synack.packetdrill.Event.PacketEvent;
import dev.synack.packetdrill.Event.SyscallEvent;
import dev.synack.packetdrill.Token.Kind;
import dev.synack.wire.SegmentSpec;
import dev.synack.wire.SegmentText;
import dev.synack.wire.TcpHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Parses the packetdrill script language (the grammar of packetdrill's parser.y, for TCP over IPv4):
 * options, an init command, events, a cleanup command. Errors carry the line and column of the
 * offending token.
 */
public final class Parser {
    private final String path;
    private final String text;
    /** Where each line of {@link #text} starts. */
    private final int[] lineStarts;
    private final List<Token> tokens;
    private int i;

    private Parser(String path, String text, List<Token> tokens) {
        this.path = path;
        this.text = text;
        this.lineStarts = IntStream.concat(IntStream.of(0),
                IntStream.range(0, text.length()).filter(k -> text.charAt(k) == '\n').map(k -> k + 1))
                .toArray();
        this.tokens = tokens;
    }

    /** Reads and parses a script file. */
    public static Script parse(Path file) throws IOException, ScriptException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses script text; {@code path} names it in messages. */
    /**
     * The symbols packetdrill's run_all.py defines for an IPv4 run ({@code -D TFO_COOKIE=3021b9d889017eeb}:
     * the Fast Open cookie of 192.0.2.1 → 192.168.0.1 under defaults.sh's key; {@code -D CODE=host_unreachable},
     * the ICMP code of the fastopen/server icmp scripts), replaced as whole words
     * before the script is read, as packetdrill's {@code -D} does.
     */
    static final java.util.Map<String, String> DEFINES = java.util.Map.of("TFO_COOKIE", "3021b9d889017eeb",
            "CODE", "host_unreachable");

    private static String define(String text) {
        for (var d : DEFINES.entrySet()) text = text.replaceAll("\\b" + d.getKey() + "\\b", d.getValue());
        return text;
    }

    public static Script parse(String path, String text) throws ScriptException {
        text = define(text);
        return new Parser(path, text, Lexer.tokenize(path, text)).script();
    }

    // ---- tokens ---------------------------------------------------------------------------------

    private Token peek() { return tokens.get(i); }

    private Token peek(int ahead) { return tokens.get(Math.min(i + ahead, tokens.size() - 1)); }

    private Token take() {
        Token t = tokens.get(i);
        if (t.kind() != Kind.EOF) i++;
        return t;
    }

    private ScriptException error(Token t, String msg) {
        return new ScriptException(path, t.line(), t.column(), msg);
    }

    private ScriptException expected(String what) {
        Token t = peek();
        return error(t, "expected " + what + " but found " + t.describe());
    }

    private Token expect(char c) throws ScriptException {
        if (!peek().is(c)) throw expected("'" + c + "'");
        return take();
    }

    private long integer(String what) throws ScriptException {
        Token t = peek();
        if (t.kind() == Kind.INTEGER) {
            take();
            try {
                return Long.parseLong(t.text());
            } catch (NumberFormatException e) {
                throw error(t, what + " out of range: " + t.text());
            }
        }
        if (t.kind() == Kind.HEX_INTEGER) {
            take();
            try {
                return Long.parseUnsignedLong(t.text().substring(2), 16);
            } catch (NumberFormatException e) {
                throw error(t, what + " out of range: " + t.text());
            }
        }
        throw expected(what + " (an integer)");
    }

    // ---- script ---------------------------------------------------------------------------------

    private Script script() throws ScriptException {
        List<String> options = new ArrayList<>();
        while (peek().kind() == Kind.OPTION) options.add(take().text());
        List<Event> events = new ArrayList<>();
        while (peek().kind() != Kind.EOF) {
            Token t = peek();
            if (t.kind() == Kind.BACK_QUOTED) {
                take();
                events.add(new CommandEvent(t.line(), t.column(), EventTime.NONE, t.text()));
                continue;
            }
            if (t.kind() == Kind.OPTION) throw error(t, "options must come before the first event: " + t.text());
            events.add(event());
        }
        boolean seenTimed = false;
        for (Event e : events) {
            if (e.time().kind() == EventTime.Kind.NONE) {
                // Only the init command (first) and the cleanup command (last) go without a time.
                if (seenTimed && e != events.getLast()) {
                    throw new ScriptException(path, e.line(), e.column(),
                            "a command without a time may only come first or last");
                }
            } else {
                seenTimed = true;
            }
        }
        return new Script(path, options, events);
    }

    private Event event() throws ScriptException {
        Token first = peek();
        EventTime time = eventTime();
        Token t = peek();
        if (t.is('<') && isIcmp()) return icmp(first, time);
        if (t.is('<') || t.is('>')) return new PacketEvent(first.line(), first.column(), time,
                take().is('<') ? Direction.IN : Direction.OUT, packet());
        if (t.kind() == Kind.BACK_QUOTED) {
            take();
            return new CommandEvent(first.line(), first.column(), time, t.text());
        }
        if (t.kind() == Kind.CODE) {
            take();
            return new CodeEvent(first.line(), first.column(), time, t.text());
        }
        if (t.kind() == Kind.ELLIPSIS || t.kind() == Kind.WORD) return syscall(first, time);
        throw expected("a packet ('<' or '>'), a system call, a `command` or a %{ code }% block");
    }

    private EventTime eventTime() throws ScriptException {
        Token t = peek();
        if (t.is('*')) {
            take();
            return new EventTime(EventTime.Kind.ANY, 0, 0);
        }
        boolean rel = false;
        if (t.is('+')) {
            take();
            rel = true;
        }
        long start = time("an event time");
        if (peek().is('~')) {
            take();
            boolean rel2 = false;
            if (peek().is('+')) {
                take();
                rel2 = true;
            }
            Token endTok = peek();
            long end = time("the end of a time range");
            if (rel != rel2) throw error(endTok, "a time range must be absolute at both ends or relative at both ends");
            if (end < start) throw error(endTok, "time range ends before it starts");
            return new EventTime(rel ? EventTime.Kind.RELATIVE_RANGE : EventTime.Kind.ABSOLUTE_RANGE, start, end);
        }
        return new EventTime(rel ? EventTime.Kind.RELATIVE : EventTime.Kind.ABSOLUTE, start, start);
    }

    /** A time in seconds (integer or decimal) as microseconds. */
    private long time(String what) throws ScriptException {
        Token t = peek();
        if (t.kind() == Kind.INTEGER || t.kind() == Kind.FLOAT) {
            take();
            if (t.text().startsWith("-")) throw error(t, what + " cannot be negative: " + t.text());
            return new java.math.BigDecimal(t.text()).movePointRight(6)
                    .setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
        }
        throw expected(what + " (seconds, like 0 or +.1)");
    }

    // ---- packets --------------------------------------------------------------------------------

    /**
     * A TCP packet: {@link SegmentText}'s grammar, read from the script's text where the packet's first
     * token is; the tokens it took are skipped. An ACK flag without {@code ack N} carries ack 0, as in
     * packetdrill's packets.
     */
    private SegmentSpec packet() throws ScriptException {
        // packetdrill's other packet types, after a well-formed IP field if any: this runner plays TCP.
        boolean field = (peek().is('[') || peek().is('(')) && peek(1).kind() == Kind.WORD
                && ECN_WORDS.contains(peek(1).text()) && peek(2).is(peek().is('[') ? ']' : ')');
        Token w = peek(field ? 3 : 0);
        if (w.isWord("udp") || w.isWord("icmp") || w.isWord("ipv4") || w.isWord("ipv6") || w.isWord("gre")
                || w.isWord("mpls")) {
            throw error(w, "unsupported packet type '" + w.text() + "' (this runner plays TCP over IPv4)");
        }
        SegmentText.Parsed p;
        try {
            p = SegmentText.parse(text, offset(peek()));
        } catch (SegmentText.SyntaxException e) {
            int line = lineOf(e.index());
            throw new ScriptException(path, line + 1, e.index() - lineStarts[line] + 1, e.reason());
        }
        while (peek().kind() != Kind.EOF && offset(peek()) < p.end()) take();
        SegmentSpec s = p.spec();
        return (s.flags() & TcpHeader.ACK) != 0 && s.ack() == null ? s.withAck(0L) : s;
    }

    /** Whether the packet after the current {@code <} is an ICMP message (no IP field before it). */
    private boolean isIcmp() { return peek(1).isWord("icmp"); }

    /** packetdrill's ICMPv4 type names (icmp_packet.c, icmpv4_types). */
    private static final List<String> ICMP_TYPES = Arrays.asList("echo_reply", null, null, "unreachable",
            "source_quench", "redirect", null, null, "echo_request", null, null, "time_exceeded",
            "parameter_problem", "timestamp_request", "timestamp_reply", "information_request",
            "information_reply", "address_mask_request", "address_mask_reply");
    /** packetdrill's ICMPv4 destination-unreachable code names (icmpv4_unreachable_codes). */
    private static final List<String> UNREACH_CODES = List.of("net_unreachable", "host_unreachable",
            "protocol_unreachable", "port_unreachable", "frag_needed", "source_route_failed", "net_unknown",
            "host_unknown", "source_host_isolated", "net_prohibited", "host_prohibited",
            "net_unreachable_for_tos", "host_unreachable_for_tos", "packet_filtered", "precedence_violation",
            "precedence_cutoff");
    private static final java.util.regex.Pattern ICMP = java.util.regex.Pattern.compile(
            "icmp[ \\t]+(\\w+)(?:[ \\t]+(?!mtu\\b|id\\b)(\\w+))?(?:[ \\t]+mtu[ \\t]+(\\d+))?"
                    + "(?:[ \\t]+id[ \\t]+(\\d+))?(?:[ \\t]*\\[[ \\t]*(\\d+):(\\d+)\\((\\d+)\\)[ \\t]*\\])?");

    /**
     * An inbound ICMP message, packetdrill's icmp_packet_spec over IPv4: {@code icmp TYPE [CODE] [mtu N]
     * [[start:end(len)]]} (a quoted UDP or raw datagram, {@code id N} and outbound ICMP are not played).
     */
    private IcmpEvent icmp(Token first, EventTime time) throws ScriptException {
        take(); // <
        Token w = peek();
        int start = offset(w);
        int eol = text.indexOf('\n', start);
        if (eol < 0) eol = text.length();
        var m = ICMP.matcher(text).region(start, eol);
        if (!m.lookingAt()) throw error(w, "unsupported icmp packet (this runner plays icmp TYPE [CODE] [mtu N] [[seq:end(len)]])");
        String rest = text.substring(m.end(), eol).strip();
        if (!rest.isEmpty() && !rest.startsWith("//")) throw error(w, "unsupported icmp packet: '" + rest + "'");
        if (m.group(4) != null) throw error(w, "unsupported icmp packet: an echo id");
        int type = ICMP_TYPES.indexOf(m.group(1));
        if (m.group(1).matches("type_\\d+")) type = Integer.parseInt(m.group(1).substring(5));
        if (type < 0 || type > 255) throw error(w, "bad ICMP type " + m.group(1));
        int code = 0;
        if (m.group(2) != null) {
            String c = m.group(2);
            code = c.matches("code_\\d+") ? Integer.parseInt(c.substring(5)) : type == 3 ? UNREACH_CODES.indexOf(c) : -1;
            if (code < 0 || code > 255) throw error(w, "bad ICMP code " + c);
        }
        int mtu = -1;
        if (m.group(3) != null) {
            mtu = Integer.parseInt(m.group(3));
            if (type != 3 || code != 4) throw error(w, "ICMPv4 MTU is only valid for unreachable-frag_needed");
            if (mtu > 0xFFFF) throw error(w, "ICMPv4 MTU out of 16-bit range");
        }
        long seq = 0;
        int len = 0;
        if (m.group(5) != null) {
            seq = Long.parseLong(m.group(5));
            len = Integer.parseInt(m.group(7));
            if (Long.parseLong(m.group(6)) - seq != len) throw error(w, "inconsistent ICMP quoted segment length");
        }
        while (peek().kind() != Kind.EOF && offset(peek()) < m.end()) take();
        return new IcmpEvent(first.line(), first.column(), time, type, code, mtu, seq, len);
    }

    private static final Set<String> ECN_WORDS = Set.of("noecn", "ect0", "ect1", "ce", "ect01");

    /** The index in the script's text of a token. */
    private int offset(Token t) { return lineStarts[t.line() - 1] + t.column() - 1; }

    /** The 0-based line of an index in the script's text. */
    private int lineOf(int index) {
        int k = Arrays.binarySearch(lineStarts, index);
        return k >= 0 ? k : -k - 2;
    }

    // ---- system calls ---------------------------------------------------------------------------

    private SyscallEvent syscall(Token first, EventTime time) throws ScriptException {
        long end = -1;
        if (peek().kind() == Kind.ELLIPSIS) {
            Token e = take();
            end = time("the end time of a blocking call");
            if (time.kind() != EventTime.Kind.ABSOLUTE && time.kind() != EventTime.Kind.RELATIVE) {
                throw error(e, "a blocking call needs a plain start time");
            }
            if (time.kind() == EventTime.Kind.ABSOLUTE && end < time.startUs()) {
                throw error(e, "a blocking call cannot end before it starts");
            }
        }
        Token name = peek();
        if (name.kind() != Kind.WORD) throw expected("a system call name");
        take();
        expect('(');
        List<Expr> args = expressions(')');
        expect('=');
        Expr result = expression();
        String errno = null;
        if (peek().kind() == Kind.WORD) {
            errno = take().text();
        }
        if (peek().is('(')) {
            // A note: "(Operation now in progress)".
            Token open = take();
            int depth = 1;
            while (depth > 0) {
                Token t = take();
                if (t.kind() == Kind.EOF) throw error(open, "unterminated note: missing ')'");
                if (t.is('(')) depth++;
                if (t.is(')')) depth--;
            }
        }
        return new SyscallEvent(first.line(), first.column(), time, end, name.text(), args, result, errno);
    }

    /** Expressions separated by commas, maybe none, up to and including {@code close}. */
    private List<Expr> expressions(char close) throws ScriptException {
        List<Expr> items = new ArrayList<>();
        if (!peek().is(close)) {
            items.add(expression());
            while (peek().is(',')) {
                take();
                items.add(expression());
            }
        }
        expect(close);
        return items;
    }

    private Expr expression() throws ScriptException {
        Expr e = primary();
        while (peek().is('|')) {
            take();
            e = new Expr.Or(e, primary());
        }
        return e;
    }

    private Expr primary() throws ScriptException {
        Token t = peek();
        switch (t.kind()) {
            case ELLIPSIS -> {
                take();
                return new Expr.Ellipsis();
            }
            case INTEGER, HEX_INTEGER -> {
                return new Expr.Int(integer("a number"));
            }
            case STRING -> {
                take();
                boolean prefix = false;
                if (peek().kind() == Kind.ELLIPSIS) {
                    take();
                    prefix = true;
                }
                return new Expr.Str(t.text(), prefix);
            }
            case WORD -> {
                take();
                if (peek().is('=')) {
                    take();
                    return new Expr.Assign(t.text(), expression());
                }
                if (peek().is('(')) {
                    take();
                    List<Expr> args = expressions(')');
                    Expr.Call call = new Expr.Call(t.text(), args);
                    if (peek().is('=')) {
                        take(); // msg_name(...)=...
                        return new Expr.Assign(call.toString(), expression());
                    }
                    return call;
                }
                return new Expr.Word(t.text());
            }
            case PUNCT -> {
                if (t.is('[') || t.is('{')) {
                    take();
                    char close = t.is('[') ? ']' : '}';
                    List<Expr> items = expressions(close);
                    return close == ']' ? new Expr.Array(items) : new Expr.Struct(items);
                }
                if (t.is('-') && (peek(1).kind() == Kind.INTEGER)) {
                    take();
                    return new Expr.Int(-integer("a number"));
                }
            }
            default -> {
            }
        }
        throw expected("an expression");
    }
}
