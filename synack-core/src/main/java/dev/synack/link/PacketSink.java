package dev.synack.link;

/** What receives packets from a link: a host's stack. It must not keep the buffer after returning. */
@FunctionalInterface
public interface PacketSink {
    /** Delivers one IPv4 packet of {@code len} bytes at {@code off}. */
    void receive(byte[] packet, int off, int len);
}
