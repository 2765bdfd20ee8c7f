package dev.synack.link;

/**
 * Where a host's IP packets go when they leave it: a wire, a simulated network, a TUN device or a
 * test's capture. {@link #transmit} must copy what it keeps: the caller reuses its buffer.
 */
@FunctionalInterface
public interface Link {
    /** Sends one IPv4 packet of {@code len} bytes at {@code off}. */
    void transmit(byte[] packet, int off, int len);
}
