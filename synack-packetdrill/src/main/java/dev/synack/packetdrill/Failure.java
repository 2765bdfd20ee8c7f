package dev.synack.packetdrill;

/**
 * What stops a script: the line of the event, a short reason to group failures by ("packet: seq",
 * "timing", ...), the message, and the expected and actual packet or value when there are some (see
 * {@link Result}).
 */
final class Failure extends Exception {
    final int line;
    final String reason;
    final String expected;
    final String actual;

    Failure(int line, String reason, String message, String expected, String actual) {
        super(message);
        this.line = line;
        this.reason = reason;
        this.expected = expected;
        this.actual = actual;
    }

    /** A failure of event {@code e}. */
    static Failure at(Event e, String reason, String message, String expected, String actual) {
        return new Failure(e.line(), reason, message, expected, actual);
    }
}
