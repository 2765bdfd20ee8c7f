package dev.synack.packetdrill;

/**
 * One lexical token of a packetdrill script, with the 1-based line and column of its first character.
 *
 * @param kind what it is
 * @param text the characters as written (for {@link Kind#STRING}, {@link Kind#BACK_QUOTED} and
 *     {@link Kind#CODE}: the contents without the delimiters)
 */
public record Token(Kind kind, String text, int line, int column) {
    /** Token kinds, after packetdrill's lexer.l. */
    public enum Kind {
        /** Decimal digits, maybe negative. */
        INTEGER,
        /** {@code 0x} and hex digits. */
        HEX_INTEGER,
        /** Digits with a decimal point: {@code 0.200}, {@code .1}. */
        FLOAT,
        /** A name: letters, digits, underscores. */
        WORD,
        /** {@code "..."}. */
        STRING,
        /** {@code `...`}: a shell command. */
        BACK_QUOTED,
        /** {@code %{ ... }%}: Python code in packetdrill. */
        CODE,
        /** {@code ...}. */
        ELLIPSIS,
        /** {@code --name} or {@code --name=value}. */
        OPTION,
        /** One punctuation character. */
        PUNCT,
        /** The end of the script. */
        EOF
    }

    /** Whether this is the punctuation character {@code c}. */
    public boolean is(char c) { return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c; }

    /** Whether this is the word {@code w}. */
    public boolean isWord(String w) { return kind == Kind.WORD && text.equals(w); }

    /** How the token reads in an error message. */
    public String describe() {
        return switch (kind) {
            case EOF -> "end of script";
            case STRING -> "\"" + text + "\"";
            case BACK_QUOTED -> "`" + abbreviate(text) + "`";
            case CODE -> "%{" + abbreviate(text) + "}%";
            default -> "'" + text + "'";
        };
    }

    private static String abbreviate(String s) {
        String t = s.strip().replace('\n', ' ');
        return t.length() > 20 ? t.substring(0, 20) + "..." : t;
    }
}
