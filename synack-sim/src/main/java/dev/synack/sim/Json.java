package dev.synack.sim;

/**
 * The pieces of JSON text the lab writes by hand (no JSON library: synack has no dependencies):
 * {@link Ladder#json}'s events and {@code synack scenario --format json}'s outcome both quote their
 * strings here, so the two agree on every character.
 */
public final class Json {
    private Json() {}

    /**
     * {@code s} as a JSON string literal (RFC 8259 §7): in double quotes, with {@code "} and {@code \}
     * escaped, newline, carriage return and tab as {@code \n \r \t}, the other control characters
     * below U+0020 as {@code \}{@code u00XX} (lower-case hex), and everything else, non-ASCII
     * included, as is.
     */
    public static String string(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
