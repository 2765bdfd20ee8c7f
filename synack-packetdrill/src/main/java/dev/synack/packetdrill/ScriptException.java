package dev.synack.packetdrill;

/**
 * A script that cannot be read: the message names the file, line and column, as
 * {@code path:line:col: message}.
 */
public final class ScriptException extends Exception {
    private final String path;
    private final int line;
    private final int column;
    private final String detail;

    public ScriptException(String path, int line, int column, String detail) {
        super(path + ":" + line + ":" + column + ": " + detail);
        this.path = path;
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    public String path() { return path; }

    public int line() { return line; }

    public int column() { return column; }

    /** The message without the location. */
    public String detail() { return detail; }
}
