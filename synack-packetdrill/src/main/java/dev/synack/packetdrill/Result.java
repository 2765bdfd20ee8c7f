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
 * @param notes remarks that did not fail the script (a sysctl not modelled set to a value unlike
 *     synack's behaviour)
 * @param notModelled the sysctls the script set that synack accepts and ignores, each with why (the
 *     report lists them once per run)
 */
public record Result(String path, boolean passed, int line, String reason, String message, String expected,
                     String actual, List<String> notes, List<String> notModelled) {
    public Result {
        notes = List.copyOf(notes);
        notModelled = List.copyOf(notModelled);
    }

    public Result(String path, boolean passed, int line, String reason, String message, String expected,
                  String actual, List<String> notes) {
        this(path, passed, line, reason, message, expected, actual, notes, List.of());
    }

    static Result pass(String path, List<String> notes, java.util.Collection<String> notModelled) {
        return new Result(path, true, 0, null, null, null, null, notes, List.copyOf(notModelled));
    }

    static Result fail(String path, int line, String reason, String message, String expected, String actual,
                       List<String> notes) {
        return new Result(path, false, line, reason, message, expected, actual, notes);
    }

    static Result fail(String path, int line, String reason, String message, String expected, String actual,
                       List<String> notes, java.util.Collection<String> notModelled) {
        return new Result(path, false, line, reason, message, expected, actual, notes, List.copyOf(notModelled));
    }
}
