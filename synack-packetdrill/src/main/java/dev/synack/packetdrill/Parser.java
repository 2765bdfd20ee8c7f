package dev.synack.packetdrill;

import dev.synack.packetdrill.Event.CodeEvent;
import dev.synack.packetdrill.Event.CommandEvent;
import dev.synack.packetdrill.Event.Direction;
import dev.synack.packetdrill.Event.PacketEvent;
import dev.synack.packetdrill.Event.SyscallEvent;
import dev.synack.packetdrill.Token.Kind;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Parses the packetdrill script language (the grammar of packetdrill's parser.y, for TCP over IPv4):
 * options, an init command, events, a cleanup command. Errors carry the line and column of the
 * offending token.
 */
public final class Parser {
    private final String path;
    private final List<Token> tokens;
    private int i;

    private Parser(String path, List<Token> tokens) {
        this.path = path;
        this.tokens = tokens;
    }

    /** Reads and parses a script file. */
    public static Script parse(Path file) throws IOException, ScriptException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses script text; {@code path} names it in messages. */
    public static Script parse(String path, String text) throws ScriptException {
        return new Parser(path, Lexer.tokenize(path, text)).script();
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

    private Token expectWord(String w) throws ScriptException {
        if (!peek().isWord(w)) throw expected("'" + w + "'");
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

    private int u32Int(String what) throws ScriptException {
        Token t = peek();
        long v = integer(what);
        if (v < 0 || v > 0xFFFF_FFFFL) throw error(t, what + " must be in 0..4294967295: " + v);
        return (int) v;
    }

    private int bounded(String what, long lo, long hi) throws ScriptException {
        Token t = peek();
        long v = integer(what);
        if (v < lo || v > hi) throw error(t, what + " must be in " + lo + ".." + hi + ": " + v);
        return (int) v;
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

    private PacketSpec packet() throws ScriptException {
        String ecn = null;
        if (peek().is('[') || (peek().is('(') && peek(1).kind() == Kind.WORD)) {
            char close = take().is('[') ? ']' : ')';
            Token w = peek();
            if (w.kind() != Kind.WORD) throw expected("an IP field (noecn, ect0, ect1, ce, ect01)");
            take();
            switch (w.text()) {
                case "noecn", "ect0", "ect1", "ce", "ect01" -> ecn = w.text();
                default -> throw error(w, "unsupported IP field '" + w.text() + "' (this runner knows noecn, ect0, ect1, ce, ect01)");
            }
            expect(close);
        }
        Token w = peek();
        if (w.isWord("udp") || w.isWord("icmp") || w.isWord("ipv4") || w.isWord("ipv6") || w.isWord("gre")
                || w.isWord("mpls")) {
            throw error(w, "unsupported packet type '" + w.text() + "' (this runner plays TCP over IPv4)");
        }
        int flags = flags();
        long start = integer("a sequence number");
        expect(':');
        long end = integer("the end sequence number");
        expect('(');
        Token lenTok = peek();
        int len = bounded("the payload length", 0, 65535);
        expect(')');
        if (((end - start) & 0xFFFF_FFFFL) != len) {
            throw error(lenTok, "inconsistent length: " + start + ":" + end + " is " + (end - start) + " bytes, not " + len);
        }
        Long ack = null;
        Integer win = null;
        Integer urg = null;
        if (peek().isWord("ack")) {
            take();
            ack = (long) u32Int("the ack number");
        }
        if (peek().isWord("win")) {
            take();
            win = bounded("the window", 0, 65535);
        }
        if (peek().isWord("urg")) {
            take();
            urg = bounded("the urgent pointer", 0, 65535);
        }
        List<TcpOption> options = List.of();
        boolean any = false;
        if (peek().is('<')) {
            take();
            if (peek().kind() == Kind.ELLIPSIS) {
                take();
                any = true;
            } else {
                options = tcpOptions();
            }
            expect('>');
        }
        if ((flags & TcpHeader.ACK) != 0 && ack == null) {
            ack = 0L; // an ACK flag without "ack N" carries ack 0 in packetdrill's packets
        }
        return new PacketSpec(flags, start, len, ack, win, urg, options, any, ecn);
    }

    /** {@code S}, {@code S.}, {@code .}, {@code P.}, {@code F.}, {@code R}, {@code SEW}, {@code -}. */
    private int flags() throws ScriptException {
        Token t = peek();
        StringBuilder s = new StringBuilder();
        if (t.is('-')) {
            take();
            return 0;
        }
        if (t.kind() == Kind.WORD) {
            s.append(take().text());
            if (peek().is('.') && adjacent(t, peek())) s.append(take().text());
        } else if (t.is('.')) {
            s.append(take().text());
        } else {
            throw expected("TCP flags (like S, S., ., P., F., R)");
        }
        // Letters after the dot ("S.E" is not written; ".E" can be): a WORD right behind the dot.
        if (peek().kind() == Kind.WORD && adjacent(tokens.get(i - 1), peek())) s.append(take().text());
        try {
            return TcpHeader.parseFlags(s.toString());
        } catch (IllegalArgumentException e) {
            throw error(t, e.getMessage());
        }
    }

    private static boolean adjacent(Token a, Token b) {
        return a.line() == b.line() && a.column() + a.text().length() == b.column();
    }

    private List<TcpOption> tcpOptions() throws ScriptException {
        List<TcpOption> out = new ArrayList<>();
        do {
            out.add(tcpOption());
        } while (peek().is(',') && take() != null);
        return out;
    }

    private TcpOption tcpOption() throws ScriptException {
        Token t = peek();
        if (t.kind() != Kind.WORD) throw expected("a TCP option (nop, mss N, wscale N, sackOK, sack ..., TS val N ecr N)");
        take();
        switch (t.text()) {
            case "nop" -> {
                return new TcpOption.Nop();
            }
            case "eol" -> {
                return new TcpOption.Eol();
            }
            case "mss" -> {
                return new TcpOption.Mss(bounded("mss", 0, 65535));
            }
            case "wscale" -> {
                return new TcpOption.WindowScale(bounded("wscale", 0, 255));
            }
            case "sackOK" -> {
                return new TcpOption.SackPermitted();
            }
            case "sack" -> {
                List<TcpOption.SackBlock> blocks = new ArrayList<>();
                while (peek().kind() == Kind.INTEGER) {
                    int a = u32Int("a SACK block start");
                    expect(':');
                    int b = u32Int("a SACK block end");
                    blocks.add(new TcpOption.SackBlock(a, b));
                }
                if (blocks.isEmpty()) throw expected("SACK blocks (start:end)");
                if (blocks.size() > 4) throw error(t, "at most 4 SACK blocks fit in a TCP header");
                return new TcpOption.Sack(blocks);
            }
            case "TS" -> {
                expectWord("val");
                int val = u32Int("TS val");
                expectWord("ecr");
                int ecr = u32Int("TS ecr");
                return new TcpOption.Timestamps(val, ecr);
            }
            case "FO", "FOEXP", "md5" -> {
                byte[] data = new byte[0];
                Token v = peek();
                if (v.kind() == Kind.WORD || v.kind() == Kind.INTEGER || v.kind() == Kind.HEX_INTEGER) {
                    take();
                    String hex = v.text().startsWith("0x") ? v.text().substring(2) : v.text();
                    try {
                        data = HexFormat.of().parseHex(hex);
                    } catch (IllegalArgumentException e) {
                        // A name the script defines elsewhere (TFO_COOKIE): kept as an empty value.
                        data = new byte[0];
                    }
                }
                if (t.text().equals("FOEXP")) {
                    byte[] d = new byte[2 + data.length];
                    d[0] = (byte) 0xF9;
                    d[1] = (byte) 0x89;
                    System.arraycopy(data, 0, d, 2, data.length);
                    return new TcpOption.Unknown(254, d);
                }
                return new TcpOption.Unknown(t.text().equals("FO") ? 34 : 19, data);
            }
            default -> throw error(t, "unknown TCP option '" + t.text() + "'");
        }
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
        List<Expr> args = new ArrayList<>();
        if (!peek().is(')')) {
            args.add(expression());
            while (peek().is(',')) {
                take();
                args.add(expression());
            }
        }
        expect(')');
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
                    List<Expr> args = new ArrayList<>();
                    if (!peek().is(')')) {
                        args.add(expression());
                        while (peek().is(',')) {
                            take();
                            args.add(expression());
                        }
                    }
                    expect(')');
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
                    List<Expr> items = new ArrayList<>();
                    if (!peek().is(close)) {
                        items.add(expression());
                        while (peek().is(',')) {
                            take();
                            items.add(expression());
                        }
                    }
                    expect(close);
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
