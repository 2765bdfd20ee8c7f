package dev.synack.packetdrill;

import java.util.List;

/**
 * The outcome of one script.
 *
 * @param path the script
 * @param passed whether every event happened as written
 * @param line the line of the first mismatch (0 when passed or when the script could not be read)
 * @param reason a short class of the failure for grouping ("packet: seq", "timing", "unknown sysctl
 *     net.ipv4.tcp_foo", ...); null when passed
 * @param message what went wrong, in one line
 * @param expected the expected packet or value, in script syntax (null when not a packet/value mismatch)
 * @param actual what happened instead (null when nothing did)
 * @param notes remarks that did not fail the script (sysctls not modelled)
 */
public record Result(String path, boolean passed, int line, String reason, String message, String expected,
                     String actual, List<String> notes) {
    public Result {
        notes = List.copyOf(notes);
    }

    static Result pass(String path, List<String> notes) {
        return new Result(path, true, 0, null, null, null, null, notes);
    }

    static Result fail(String path, int line, String reason, String message, String expected, String actual,
                       List<String> notes) {
        return new Result(path, false, line, reason, message, expected, actual, notes);
    }
}
