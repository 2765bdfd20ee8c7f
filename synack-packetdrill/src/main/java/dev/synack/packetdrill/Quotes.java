package dev.synack.packetdrill;

import java.util.ArrayList;
import java.util.List;

/**
 * Quote-aware scanning for the {@code %{ }%} Python blocks (the back-quoted shell commands have their
 * own, {@link Shell}). Text inside '…' or "…" is never a separator or a comment.
 */
final class Quotes {
    private Quotes() {}

    /** Whether character {@code i} of {@code s} is what the caller looks for. */
    @FunctionalInterface
    interface At {
        boolean test(String s, int i);
    }

    /** The index of the first character outside quotes for which {@code at} holds, or −1. */
    static int indexOutside(String s, At at) {
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (at.test(s, i)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code s} up to the first character outside quotes for which {@code at} holds (a comment). */
    static String before(String s, At at) {
        int i = indexOutside(s, at);
        return i < 0 ? s : s.substring(0, i);
    }

    /** The pieces of {@code s} between separators {@code sep} outside quotes (empty pieces kept). */
    static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int i = indexOutside(s.substring(from), (t, k) -> t.charAt(k) == sep);
            if (i < 0) break;
            out.add(s.substring(from, from + i));
            from += i + 1;
        }
        out.add(s.substring(from));
        return out;
    }
}
