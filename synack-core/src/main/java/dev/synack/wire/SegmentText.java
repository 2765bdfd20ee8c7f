package dev.synack.wire;

import dev.synack.wire.SegmentSpec.Ecn;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The text of TCP segments and options, read and written in one place: packetdrill's syntax,
 * {@code S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>} or
 * {@code [ect0] P. 1:11(10) ack 1 win 257}, into and out of a {@link SegmentSpec}. The test DSL
 * (TcpTester), the packetdrill runner (scripts, and its expected and actual packets), the lab's ladder
 * diagram and the scenario checks all use it; {@link TcpOption}'s and {@link TcpSegment}'s
 * {@code toString()} are {@link #option} and {@link #format(TcpSegment)}.
 *
 * <h2>Grammar</h2>
 *
 * <pre>
 * segment  = [ "[" ecn "]" | "(" ecn ")" ] flags seq ":" end "(" length ")"
 *            [ "ack" N ] [ "win" N ] [ "urg" N ] [ "&lt;" ( "..." | [ option { "," option } ] ) "&gt;" ]
 * ecn      = "noecn" | "ect0" | "ect1" | "ce" | "ect01"
 * flags    = "-" | letters of F S R P . U E W (TcpHeader.parseFlags), e.g. "S", "S.", ".", "P.", "SEW"
 * option   = "nop" | "eol" | "mss" N | "wscale" N | "sackOK" | "sack" N:N {N:N} | "TS" "val" N "ecr" N
 *          | ("FO" | "FOEXP" | "md5") [hex] | "opt" kind [hex]
 * </pre>
 *
 * <p>Numbers are decimal or {@code 0x} hex; seq and end may be negative (TcpTester writes a segment
 * before the ISN so). Whitespace, {@code //} and {@code /* *}{@code /} comments separate tokens, as in a
 * packetdrill script. {@code length} must equal end − seq modulo 2^32. {@code FO} (kind 34) and
 * {@code md5} (19) become {@link TcpOption.Unknown}, {@code FOEXP} kind 254 with Fast Open's magic
 * F989 (and they print back as {@code FO}/{@code FOEXP}, as packetdrill prints them); a value that is
 * not an even number of hex digits (a name such as TFO_COOKIE) is kept as no data.
 * {@code opt K hex} is synack's own, the text of {@link TcpOption.Unknown}, so that every option reads
 * back as it prints; so is {@code <>}, an empty option list (TcpTester's "no options").
 *
 * <p>Errors are {@link SyntaxException}s naming the offending token and where it is.
 *
 * <h2>Adding an option</h2>
 *
 * Its text lives here twice, side by side: a case in {@link #option(TcpOption, Style)} (the compiler
 * asks for it: TcpOption is sealed) and one in the option parser.
 */
public final class SegmentText {
    private SegmentText() {}

    /**
     * How {@link #format(SegmentSpec, Style)} writes a segment. The callers' texts differed in a few
     * details that show in their outputs (test messages, scenario checks, ladder diagrams), and each
     * style keeps one caller's text exactly.
     */
    public enum Style {
        /**
         * packetdrill's: no flags as {@code -}; seq and end as unsigned 32-bit numbers (the end wraps
         * after 4294967295). Script packets, the packetdrill runner's expected and actual packets,
         * {@link TcpSegment#toString()}.
         */
        PACKETDRILL,
        /**
         * Relative numbers as the caller computed them, printed as given (TcpTester's seq is negative
         * for a segment before the ISN; the lab's are unsigned and not wrapped); no flags as nothing.
         * TcpTester's messages, the scenario checks.
         */
        RELATIVE,
        /**
         * {@link #RELATIVE} with the timestamp values left out ({@code TS val ecr}, or
         * {@code TS val ecr 0} when the echo is 0), for texts compared with Linux's, where the clocks
         * differ: the scenario checks of SYN options.
         */
        RELATIVE_NO_TS_VALUES,
        /**
         * The lab's ladder diagram, tcpdump-like: the flags padded to 4 columns, then {@code seq=},
         * {@code ack=} (when given), {@code len=}, {@code win=} and the options in angle brackets,
         * timestamps by name only and one {@code sack a:b} per block:
         * {@code S.   seq=0 ack=1 len=0 win=65160 <mss 1460,sackOK,TS,wscale 7>}. Numbers as given;
         * the ECN field first when given ({@code [ect0] P.   seq=...}); no urgent pointer. (Which
         * options and fields to show is the ladder's choice: it gives the ECN field only when set.)
         */
        LADDER
    }

    // ---- formatting ---------------------------------------------------------------------------------

    /** The flags as packetdrill writes them: {@code S.}, {@code P.}, {@code -} for none. */
    public static String flags(int flags) {
        String f = TcpHeader.flagsToString(flags);
        return f.isEmpty() ? "-" : f;
    }

    /** The segment as text in {@code style}. */
    public static String format(SegmentSpec s, Style style) {
        StringBuilder sb = new StringBuilder();
        String flags = TcpHeader.flagsToString(s.flags());
        if (style == Style.LADDER) {
            if (s.ecn() != null) sb.append('[').append(s.ecn()).append("] ");
            sb.append(flags).append(" ".repeat(Math.max(0, 4 - flags.length())));
            sb.append(" seq=").append(s.seq());
            if (s.ack() != null) sb.append(" ack=").append(s.ack());
            sb.append(" len=").append(s.length());
            if (s.window() != null) sb.append(" win=").append(s.window());
            if (s.options() != null && !s.options().isEmpty()) {
                sb.append(" <").append(options(s.options(), style)).append('>');
            }
            return sb.toString();
        }
        if (s.ecn() != null) sb.append('[').append(s.ecn()).append("] ");
        boolean u32 = style == Style.PACKETDRILL;
        sb.append(u32 ? flags(s.flags()) : flags).append(' ');
        if (u32) {
            sb.append(s.seq() & 0xFFFF_FFFFL).append(':').append((s.seq() + s.length()) & 0xFFFF_FFFFL);
        } else {
            sb.append(s.seq()).append(':').append(s.seq() + s.length());
        }
        sb.append('(').append(s.length()).append(')');
        if (s.ack() != null) sb.append(" ack ").append(s.ack());
        if (s.window() != null) sb.append(" win ").append(s.window());
        if (s.urgent() != null) sb.append(" urg ").append(s.urgent());
        if (s.anyOptions()) {
            sb.append(" <...>");
        } else if (s.options() != null) {
            sb.append(" <").append(options(s.options(), style)).append('>');
        }
        return sb.toString();
    }

    /**
     * The segment's own numbers in packetdrill's form (unsigned, absolute), as
     * {@link TcpSegment#toString()}: {@code P. 1:101(100) ack 1 win 502 <nop,nop,TS val 5 ecr 4>}.
     */
    public static String format(TcpSegment s) {
        return format(SegmentSpec.of(s.flags(), Integer.toUnsignedLong(s.seq()), s.payloadLength(),
                s.has(TcpHeader.ACK) ? Integer.toUnsignedLong(s.ack()) : null, s.window(), s.options()),
                Style.PACKETDRILL);
    }

    /** The options joined by commas, as packetdrill writes them: {@code mss 1460,sackOK,nop}. */
    public static String options(List<TcpOption> opts) { return options(opts, Style.PACKETDRILL); }

    /** The options joined by commas, each as {@link #option(TcpOption, Style)}. */
    public static String options(List<TcpOption> opts, Style style) {
        StringBuilder sb = new StringBuilder();
        for (TcpOption o : opts) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(option(o, style));
        }
        return sb.toString();
    }

    /** One option as packetdrill writes it: {@code mss 1460}, {@code sackOK}, {@code TS val 100 ecr 0}. */
    public static String option(TcpOption o) { return option(o, Style.PACKETDRILL); }

    /**
     * One option in {@code style}: packetdrill's text, but for timestamps without their values
     * ({@link Style#RELATIVE_NO_TS_VALUES}, {@link Style#LADDER}) and the ladder's one {@code sack}
     * per block.
     */
    public static String option(TcpOption o, Style style) {
        return switch (o) {
            case TcpOption.Mss(int mss) -> "mss " + mss;
            case TcpOption.WindowScale(int shift) -> "wscale " + shift;
            case TcpOption.SackPermitted() -> "sackOK";
            case TcpOption.Sack(List<TcpOption.SackBlock> blocks) -> {
                StringBuilder sb = new StringBuilder();
                for (TcpOption.SackBlock b : blocks) {
                    if (style == Style.LADDER) sb.append(sb.isEmpty() ? "sack " : ",sack ");
                    else sb.append(sb.isEmpty() ? "sack " : " ");
                    sb.append(block(b));
                }
                yield sb.toString();
            }
            case TcpOption.Timestamps(int val, int ecr) -> switch (style) {
                case LADDER -> "TS";
                case RELATIVE_NO_TS_VALUES -> ecr == 0 ? "TS val ecr 0" : "TS val ecr";
                case PACKETDRILL, RELATIVE -> "TS val " + Integer.toUnsignedString(val) + " ecr " + Integer.toUnsignedString(ecr);
            };
            case TcpOption.Nop() -> "nop";
            case TcpOption.Eol() -> "eol";
            case TcpOption.Unknown u when u.kind() == TcpOptions.KIND_FASTOPEN -> {
                byte[] data = u.data();
                yield data.length == 0 ? "FO" : "FO " + Bytes.hex(data, 0, data.length);
            }
            case TcpOption.Unknown u when isFastOpenExp(u) -> {
                byte[] data = u.data();
                yield data.length == 2 ? "FOEXP" : "FOEXP " + Bytes.hex(data, 2, data.length - 2);
            }
            case TcpOption.Unknown u -> {
                byte[] data = u.data();
                yield data.length == 0 ? "opt " + u.kind() : "opt " + u.kind() + " " + Bytes.hex(data, 0, data.length);
            }
        };
    }

    /** Whether {@code u} is the experimental Fast Open option (kind 254 with the magic F989), printed as packetdrill's FOEXP. */
    private static boolean isFastOpenExp(TcpOption.Unknown u) {
        byte[] d = u.data();
        return u.kind() == TcpOptions.KIND_EXP && d.length >= 2 && (d[0] & 0xFF) == 0xF9 && (d[1] & 0xFF) == 0x89;
    }

    /** A SACK block: {@code start:end}, unsigned. */
    static String block(TcpOption.SackBlock b) {
        return Integer.toUnsignedString(b.start()) + ":" + Integer.toUnsignedString(b.end());
    }

    // ---- parsing ------------------------------------------------------------------------------------

    /** A segment read from the front of a longer text, and the index just after its last token. */
    public record Parsed(SegmentSpec spec, int end) {}

    /**
     * A text that is not a segment: {@link #reason()} says what is wrong, {@link #index()} where (the
     * start of the offending token); the message gives both, with the line of text.
     */
    public static final class SyntaxException extends IllegalArgumentException {
        private final String reason;
        private final int index;

        SyntaxException(CharSequence text, int index, String reason) {
            super(message(text, index, reason));
            this.reason = reason;
            this.index = index;
        }

        /** What is wrong, e.g. {@code unknown TCP option 'bogus'}. */
        public String reason() { return reason; }

        /** The index in the text where it is wrong. */
        public int index() { return index; }

        private static String message(CharSequence text, int index, String reason) {
            int from = index, to = index;
            while (from > 0 && text.charAt(from - 1) != '\n') from--;
            while (to < text.length() && text.charAt(to) != '\n') to++;
            return reason + " (column " + (index - from + 1) + " of \"" + text.subSequence(from, to) + "\")";
        }
    }

    /**
     * Parses a whole text as one segment.
     *
     * @throws SyntaxException when it is not exactly one segment
     */
    public static SegmentSpec parse(String text) {
        Reader r = new Reader(text, 0);
        SegmentSpec s = r.segment();
        if (r.peek().kind != Kind.END) throw r.error(r.peek(), "unexpected " + r.peek().describe() + " after the segment");
        return s;
    }

    /**
     * Parses the segment that starts at {@code from} in a longer text (a packetdrill script) and stops
     * after its last token, leaving what follows to the caller.
     *
     * @throws SyntaxException when no segment starts there
     */
    public static Parsed parse(CharSequence text, int from) {
        Reader r = new Reader(text, from);
        SegmentSpec s = r.segment();
        return new Parsed(s, r.lastEnd);
    }

    private enum Kind { INTEGER, HEX, FLOAT, WORD, ELLIPSIS, PUNCT, END }

    /** A token: the same kinds as a packetdrill script's lexer makes of these characters. */
    private record Token(Kind kind, String text, int start, int end) {
        boolean is(char c) { return kind == Kind.PUNCT && text.charAt(0) == c; }

        boolean isWord(String w) { return kind == Kind.WORD && text.equals(w); }

        String describe() { return kind == Kind.END ? "end of text" : "'" + text + "'"; }
    }

    /** A recursive-descent reader of the grammar above, with two tokens of look-ahead. */
    private static final class Reader {
        private final CharSequence src;
        private int pos;
        private final List<Token> ahead = new ArrayList<>(2);
        /** The end of the last token taken. */
        int lastEnd;

        Reader(CharSequence src, int from) {
            this.src = src;
            this.pos = from;
            this.lastEnd = from;
        }

        // ---- tokens ----

        Token peek() { return peek(0); }

        Token peek(int n) {
            while (ahead.size() <= n) ahead.add(scan());
            return ahead.get(n);
        }

        Token take() {
            Token t = peek();
            if (t.kind != Kind.END) {
                ahead.removeFirst();
                lastEnd = t.end;
            }
            return t;
        }

        SyntaxException error(Token t, String reason) { return new SyntaxException(src, t.start, reason); }

        SyntaxException expected(String what) {
            return error(peek(), "expected " + what + " but found " + peek().describe());
        }

        void expect(char c) {
            if (!peek().is(c)) throw expected("'" + c + "'");
            take();
        }

        private char at(int i) { return i < src.length() ? src.charAt(i) : '\0'; }

        private Token scan() {
            skipSpaceAndComments();
            int start = pos;
            if (pos >= src.length()) return new Token(Kind.END, "", start, start);
            char ch = at(pos);
            if (ch == '.' && at(pos + 1) == '.' && at(pos + 2) == '.') {
                pos += 3;
                return token(Kind.ELLIPSIS, start);
            }
            if (ch == '0' && (at(pos + 1) == 'x' || at(pos + 1) == 'X') && isHex(at(pos + 2))) {
                pos += 2;
                while (isHex(at(pos))) pos++;
                return token(Kind.HEX, start);
            }
            if (Character.isDigit(ch) || (ch == '.' && Character.isDigit(at(pos + 1)))
                    || (ch == '-' && Character.isDigit(at(pos + 1)))) {
                if (ch == '-') pos++;
                while (Character.isDigit(at(pos))) pos++;
                boolean isFloat = false;
                if (at(pos) == '.' && Character.isDigit(at(pos + 1))) {
                    isFloat = true;
                    pos++;
                    while (Character.isDigit(at(pos))) pos++;
                }
                if (Character.isLetter(at(pos)) || at(pos) == '_') {
                    if (isFloat || ch == '-') {
                        throw new SyntaxException(src, pos, "bad number: unexpected '" + at(pos) + "' after "
                                + src.subSequence(start, pos));
                    }
                    // A hex blob such as a Fast Open cookie (FO 1234abcd): a word, as packetdrill lexes it.
                    while (Character.isLetterOrDigit(at(pos)) || at(pos) == '_') pos++;
                    return token(Kind.WORD, start);
                }
                return token(isFloat ? Kind.FLOAT : Kind.INTEGER, start);
            }
            if (Character.isLetter(ch) || ch == '_') {
                while (Character.isLetterOrDigit(at(pos)) || at(pos) == '_') pos++;
                return token(Kind.WORD, start);
            }
            pos++;
            return token(Kind.PUNCT, start);
        }

        private Token token(Kind k, int start) { return new Token(k, src.subSequence(start, pos).toString(), start, pos); }

        private static boolean isHex(char c) {
            return Character.isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }

        private void skipSpaceAndComments() {
            while (pos < src.length()) {
                char ch = at(pos);
                if (Character.isWhitespace(ch)) {
                    pos++;
                } else if (ch == '/' && at(pos + 1) == '/') {
                    while (pos < src.length() && at(pos) != '\n') pos++;
                } else if (ch == '/' && at(pos + 1) == '*') {
                    int end = src.toString().indexOf("*/", pos + 2);
                    if (end < 0) throw new SyntaxException(src, pos, "unterminated /* comment */");
                    pos = end + 2;
                } else {
                    return;
                }
            }
        }

        // ---- numbers ----

        long integer(String what) {
            Token t = peek();
            try {
                if (t.kind == Kind.INTEGER) {
                    take();
                    return Long.parseLong(t.text);
                }
                if (t.kind == Kind.HEX) {
                    take();
                    return Long.parseUnsignedLong(t.text.substring(2), 16);
                }
            } catch (NumberFormatException e) {
                throw error(t, what + " out of range: " + t.text);
            }
            throw expected(what + " (an integer)");
        }

        long u32(String what) {
            Token t = peek();
            long v = integer(what);
            if (v < 0 || v > 0xFFFF_FFFFL) throw error(t, what + " must be in 0..4294967295: " + v);
            return v;
        }

        int bounded(String what, long lo, long hi) {
            Token t = peek();
            long v = integer(what);
            if (v < lo || v > hi) throw error(t, what + " must be in " + lo + ".." + hi + ": " + v);
            return (int) v;
        }

        // ---- the segment ----

        SegmentSpec segment() {
            Ecn ecn = null;
            if (peek().is('[') || (peek().is('(') && peek(1).kind == Kind.WORD)) {
                char close = take().is('[') ? ']' : ')';
                Token w = peek();
                if (w.kind != Kind.WORD) throw expected("an IP field (noecn, ect0, ect1, ce, ect01)");
                take();
                ecn = switch (w.text) {
                    case "noecn" -> Ecn.NOECN;
                    case "ect0" -> Ecn.ECT0;
                    case "ect1" -> Ecn.ECT1;
                    case "ce" -> Ecn.CE;
                    case "ect01" -> Ecn.ECT01;
                    default -> throw error(w, "unsupported IP field '" + w.text
                            + "' (this runner knows noecn, ect0, ect1, ce, ect01)");
                };
                expect(close);
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
            Integer win = null, urg = null;
            if (peek().isWord("ack")) {
                take();
                ack = u32("the ack number");
            }
            if (peek().isWord("win")) {
                take();
                win = bounded("the window", 0, 65535);
            }
            if (peek().isWord("urg")) {
                take();
                urg = bounded("the urgent pointer", 0, 65535);
            }
            List<TcpOption> options = null;
            boolean any = false;
            if (peek().is('<')) {
                take();
                if (peek().kind == Kind.ELLIPSIS) {
                    take();
                    any = true;
                } else if (peek().is('>')) {
                    options = List.of();
                } else {
                    options = new ArrayList<>();
                    do {
                        options.add(option());
                    } while (peek().is(',') && take() != null);
                }
                expect('>');
            }
            return new SegmentSpec(ecn, flags, start, len, ack, win, urg, options, any);
        }

        /** {@code S}, {@code S.}, {@code .}, {@code P.}, {@code SEW}, {@code S.E}, {@code -}: one token or adjacent ones. */
        private int flags() {
            Token t = peek();
            if (t.is('-')) {
                take();
                return 0;
            }
            StringBuilder s = new StringBuilder();
            Token last;
            if (t.kind == Kind.WORD) {
                last = take();
                s.append(last.text);
                if (peek().is('.') && peek().start == last.end) s.append((last = take()).text);
            } else if (t.is('.')) {
                last = take();
                s.append(last.text);
            } else {
                throw expected("TCP flags (like S, S., ., P., F., R)");
            }
            // Letters after the dot ("S.E", ".E"): a word right behind it.
            if (peek().kind == Kind.WORD && peek().start == last.end) s.append(take().text);
            try {
                return TcpHeader.parseFlags(s.toString());
            } catch (IllegalArgumentException e) {
                throw error(t, e.getMessage());
            }
        }

        private TcpOption option() {
            Token t = peek();
            if (t.kind != Kind.WORD) throw expected("a TCP option (nop, mss N, wscale N, sackOK, sack ..., TS val N ecr N)");
            take();
            switch (t.text) {
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
                    while (peek().kind == Kind.INTEGER) {
                        int a = (int) u32("a SACK block start");
                        expect(':');
                        int b = (int) u32("a SACK block end");
                        blocks.add(new TcpOption.SackBlock(a, b));
                    }
                    if (blocks.isEmpty()) throw expected("SACK blocks (start:end)");
                    if (blocks.size() > TcpOptions.MAX_SACK_BLOCKS) throw error(t, "at most 4 SACK blocks fit in a TCP header");
                    return new TcpOption.Sack(blocks);
                }
                case "TS" -> {
                    word("val");
                    int val = (int) u32("TS val");
                    word("ecr");
                    int ecr = (int) u32("TS ecr");
                    return new TcpOption.Timestamps(val, ecr);
                }
                case "FO", "FOEXP", "md5" -> {
                    byte[] data = hexValue(false);
                    if (t.text.equals("FOEXP")) {
                        byte[] d = new byte[2 + data.length];
                        d[0] = (byte) 0xF9; // the experimental Fast Open option's magic (RFC 7413 §4.1.1)
                        d[1] = (byte) 0x89;
                        System.arraycopy(data, 0, d, 2, data.length);
                        return new TcpOption.Unknown(254, d);
                    }
                    return new TcpOption.Unknown(t.text.equals("FO") ? 34 : 19, data);
                }
                case "opt" -> {
                    int kind = bounded("an option kind", 2, 255);
                    Token v = peek();
                    byte[] data = hexValue(true);
                    if (data.length > 253) throw error(v, "at most 253 bytes of option data: " + data.length);
                    return new TcpOption.Unknown(kind, data);
                }
                default -> throw error(t, "unknown TCP option '" + t.text + "'");
            }
        }

        private void word(String w) {
            if (!peek().isWord(w)) throw expected("'" + w + "'");
            take();
        }

        /**
         * The hex digits that may follow an option name (with or without 0x), or none. Not hex: an
         * error when {@code strict}, else no data (packetdrill scripts name cookies, e.g. TFO_COOKIE).
         */
        private byte[] hexValue(boolean strict) {
            Token v = peek();
            if (v.kind != Kind.WORD && v.kind != Kind.INTEGER && v.kind != Kind.HEX) return new byte[0];
            take();
            String hex = v.text.startsWith("0x") ? v.text.substring(2) : v.text;
            try {
                return HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                if (strict) throw error(v, "option data must be pairs of hex digits: " + v.text);
                return new byte[0];
            }
        }
    }
}
