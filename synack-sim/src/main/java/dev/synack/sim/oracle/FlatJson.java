package dev.synack.sim.oracle;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one line of a {@link Timeline}'s JSON Lines: a flat object whose values are strings or
 * numbers (what {@link dev.synack.sim.Json} writes), into a map of their texts. Anything else (nesting,
 * arrays, true/false/null) is an error naming the line: recordings are data a person may edit.
 */
final class FlatJson {
    private FlatJson() {}

    static Map<String, String> parse(String line, int lineNo) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        int[] at = {skip(line, 0)};
        expect(line, at, '{', lineNo);
        if (peek(line, at) == '}') {
            at[0]++;
            return out;
        }
        while (true) {
            String key = string(line, at, lineNo);
            expect(line, at, ':', lineNo);
            String value = peek(line, at) == '"' ? string(line, at, lineNo) : number(line, at, lineNo);
            out.put(key, value);
            char c = peek(line, at);
            at[0]++;
            if (c == '}') break;
            if (c != ',') throw error(lineNo, "expected , or } at column " + at[0]);
        }
        if (skip(line, at[0]) != line.length()) throw error(lineNo, "text after the object");
        return out;
    }

    static String need(Map<String, String> o, String key, int lineNo) throws IOException {
        String v = o.get(key);
        if (v == null) throw error(lineNo, "no \"" + key + "\"");
        return v;
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        return i;
    }

    private static char peek(String s, int[] at) {
        at[0] = skip(s, at[0]);
        return at[0] < s.length() ? s.charAt(at[0]) : '\0';
    }

    private static void expect(String s, int[] at, char c, int lineNo) throws IOException {
        if (peek(s, at) != c) throw error(lineNo, "expected " + c + " at column " + (at[0] + 1));
        at[0]++;
    }

    private static String string(String s, int[] at, int lineNo) throws IOException {
        expect(s, at, '"', lineNo);
        StringBuilder sb = new StringBuilder();
        for (int i = at[0]; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                at[0] = i + 1;
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= s.length()) break;
            switch (s.charAt(i)) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 >= s.length()) throw error(lineNo, "bad \\u escape");
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw error(lineNo, "bad escape \\" + s.charAt(i));
            }
        }
        throw error(lineNo, "unterminated string");
    }

    private static String number(String s, int[] at, int lineNo) throws IOException {
        int i = at[0];
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
        if (i == at[0]) throw error(lineNo, "expected a string or a number at column " + (i + 1));
        String n = s.substring(at[0], i);
        at[0] = i;
        return n;
    }

    private static IOException error(int lineNo, String what) {
        return new IOException("line " + lineNo + ": " + what);
    }
}
