package dev.synack.tcp;

/**
 * A port reserved by bind() and not yet listening or connected (an inet_bind_bucket owner). Compared
 * by identity: each bind() makes its own.
 */
public final class BoundPort {
    private final int address;
    private final int port;
    private final SocketOptions options;

    BoundPort(int address, int port, SocketOptions options) {
        this.address = address;
        this.port = port;
        this.options = options;
    }

    /** The bound address; 0 for INADDR_ANY. */
    public int address() { return address; }

    public int port() { return port; }

    SocketOptions options() { return options; }
}
