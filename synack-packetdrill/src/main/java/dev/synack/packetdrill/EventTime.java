package dev.synack.packetdrill;

/**
 * When an event happens, as written: {@code 0.1} (absolute), {@code +.1} (after the previous event),
 * {@code *} (any time), {@code 0.1~0.2} or {@code +.1~+.2} (a range). Times are microseconds.
 *
 * @param kind which form
 * @param startUs the time, or the start of the range
 * @param endUs the end of the range (equal to {@code startUs} when not a range)
 */
public record EventTime(Kind kind, long startUs, long endUs) {
    /** The forms of packetdrill's event_time. */
    public enum Kind { ABSOLUTE, RELATIVE, ANY, ABSOLUTE_RANGE, RELATIVE_RANGE, NONE }

    /** No time: the init command before the first event and the cleanup command after the last. */
    public static final EventTime NONE = new EventTime(Kind.NONE, 0, 0);

    public boolean isRelative() { return kind == Kind.RELATIVE || kind == Kind.RELATIVE_RANGE || kind == Kind.ANY; }

    public boolean isRange() { return kind == Kind.ABSOLUTE_RANGE || kind == Kind.RELATIVE_RANGE; }

    @Override
    public String toString() {
        return switch (kind) {
            case ABSOLUTE -> secs(startUs);
            case RELATIVE -> "+" + secs(startUs);
            case ANY -> "*";
            case ABSOLUTE_RANGE -> secs(startUs) + "~" + secs(endUs);
            case RELATIVE_RANGE -> "+" + secs(startUs) + "~+" + secs(endUs);
            case NONE -> "";
        };
    }

    /** Microseconds as seconds with up to 6 decimals, trailing zeros trimmed. */
    public static String secs(long us) {
        String s = String.format("%d.%06d", us / 1_000_000, Math.abs(us % 1_000_000));
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
