package dev.synack.tcp;

/** An application call failed with a Linux errno (bind, listen, connect set-up, options). */
public final class ErrnoException extends Exception {
    private final Errno errno;

    public ErrnoException(Errno errno) {
        super(errno.name() + " (" + errno.message() + ")");
        this.errno = errno;
    }

    public ErrnoException(Errno errno, String detail) {
        super(errno.name() + " (" + errno.message() + "): " + detail);
        this.errno = errno;
    }

    /** The errno. */
    public Errno errno() { return errno; }
}
