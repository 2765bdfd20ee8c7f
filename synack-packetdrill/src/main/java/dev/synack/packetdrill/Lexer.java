package dev.synack.packetdrill;

import dev.synack.packetdrill.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a packetdrill script into tokens (the token set of packetdrill's lexer.l): comments
 * ({@code //} to the end of the line, and C comments) are skipped; {@code `...`} and {@code %{ ... }%}
 * are taken whole.
 */
public final class Lexer {
    private final String path;
    private final String src;
    private int pos;
    private int line = 1;
    private int col = 1;

    private Lexer(String path, String src) {
        this.path = path;
        this.src = src;
    }

    /** All tokens of {@code src}, ending with an {@link Kind#EOF} token. */
    public static List<Token> tokenize(String path, String src) throws ScriptException {
        Lexer lx = new Lexer(path, src);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = lx.next();
            out.add(t);
        } while (t.kind() != Kind.EOF);
        return out;
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < src.length() ? src.charAt(i) : '\0';
    }

    private void advance() {
        if (src.charAt(pos) == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        pos++;
    }

    private ScriptException error(int l, int c, String msg) { return new ScriptException(path, l, c, msg); }

    private Token next() throws ScriptException {
        skipSpaceAndComments();
        int l = line, c = col;
        if (pos >= src.length()) return new Token(Kind.EOF, "", l, c);
        char ch = peek(0);
        int start = pos;
        if (ch == '.' && peek(1) == '.' && peek(2) == '.') {
            advance();
            advance();
            advance();
            return new Token(Kind.ELLIPSIS, "...", l, c);
        }
        if (ch == '-' && peek(1) == '-' && Character.isLetter(peek(2))) {
            while (pos < src.length() && !Character.isWhitespace(peek(0))) advance();
            return new Token(Kind.OPTION, src.substring(start, pos), l, c);
        }
        if (ch == '0' && (peek(1) == 'x' || peek(1) == 'X') && isHex(peek(2))) {
            advance();
            advance();
            while (isHex(peek(0))) advance();
            return new Token(Kind.HEX_INTEGER, src.substring(start, pos), l, c);
        }
        if (Character.isDigit(ch) || (ch == '.' && Character.isDigit(peek(1)))
                || (ch == '-' && Character.isDigit(peek(1)))) {
            if (ch == '-') advance();
            while (Character.isDigit(peek(0))) advance();
            boolean isFloat = false;
            if (peek(0) == '.' && Character.isDigit(peek(1))) {
                isFloat = true;
                advance();
                while (Character.isDigit(peek(0))) advance();
            }
            if (!isFloat && ch != '-' && (Character.isLetter(peek(0)) || peek(0) == '_')) {
                // A hex blob such as a Fast Open cookie (FO 1234abcd): packetdrill lexes it as a word.
                while (Character.isLetterOrDigit(peek(0)) || peek(0) == '_') advance();
                return new Token(Kind.WORD, src.substring(start, pos), l, c);
            }
            if (Character.isLetter(peek(0)) || peek(0) == '_') {
                throw error(line, col, "bad number: unexpected '" + peek(0) + "' after " + src.substring(start, pos));
            }
            return new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, src.substring(start, pos), l, c);
        }
        if (Character.isLetter(ch) || ch == '_') {
            while (Character.isLetterOrDigit(peek(0)) || peek(0) == '_') advance();
            return new Token(Kind.WORD, src.substring(start, pos), l, c);
        }
        if (ch == '"') {
            advance();
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= src.length() || peek(0) == '\n') throw error(l, c, "unterminated string");
                char x = peek(0);
                if (x == '"') {
                    advance();
                    break;
                }
                if (x == '\\' && pos + 1 < src.length()) {
                    advance();
                    x = peek(0);
                    // C's escapes, as packetdrill's lexer reads them: \xHH is one byte (a char 0..255 here).
                    if (x == 'x' && Character.digit(peek(1), 16) >= 0) {
                        advance();
                        int v = 0;
                        for (int k = 0; k < 2 && Character.digit(peek(0), 16) >= 0; k++) {
                            v = v * 16 + Character.digit(peek(0), 16);
                            advance();
                        }
                        sb.append((char) v);
                        continue;
                    }
                    x = switch (x) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        case '0' -> '\0';
                        default -> x;
                    };
                }
                sb.append(x);
                advance();
            }
            return new Token(Kind.STRING, sb.toString(), l, c);
        }
        if (ch == '`') {
            advance();
            int from = pos;
            while (pos < src.length() && peek(0) != '`') advance();
            if (pos >= src.length()) throw error(l, c, "unterminated `command`");
            String text = src.substring(from, pos);
            advance();
            return new Token(Kind.BACK_QUOTED, text, l, c);
        }
        if (ch == '%' && peek(1) == '{') {
            advance();
            advance();
            int from = pos;
            while (pos < src.length() && !(peek(0) == '}' && peek(1) == '%')) advance();
            if (pos >= src.length()) throw error(l, c, "unterminated %{ code block }%");
            String text = src.substring(from, pos);
            advance();
            advance();
            return new Token(Kind.CODE, text, l, c);
        }
        if ("<>()[]{},:=|+*~-.;!/".indexOf(ch) >= 0) {
            advance();
            return new Token(Kind.PUNCT, String.valueOf(ch), l, c);
        }
        throw error(l, c, "unexpected character '" + ch + "'");
    }

    private static boolean isHex(char c) {
        return Character.isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private void skipSpaceAndComments() throws ScriptException {
        while (pos < src.length()) {
            char ch = peek(0);
            if (Character.isWhitespace(ch)) {
                advance();
            } else if (ch == '/' && peek(1) == '/') {
                while (pos < src.length() && peek(0) != '\n') advance();
            } else if (ch == '/' && peek(1) == '*') {
                int l = line, c = col;
                advance();
                advance();
                while (pos < src.length() && !(peek(0) == '*' && peek(1) == '/')) advance();
                if (pos >= src.length()) throw error(l, c, "unterminated /* comment */");
                advance();
                advance();
            } else {
                return;
            }
        }
    }
}
