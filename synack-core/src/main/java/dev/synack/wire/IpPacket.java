package dev.synack.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 datagram as a value, for tests and traces; the hot path uses {@link Ipv4} in place.
 *
 * @param src source address
 * @param dst destination address
 * @param protocol payload protocol, 0..255
 * @param ttl time to live, 0..255
 * @param payload the bytes after the IP header, up to the total length (copied in and out)
 */
public record IpPacket(int src, int dst, int protocol, int ttl, byte[] payload) {

    /** Checks ranges and copies the payload. */
    public IpPacket {
        if (protocol < 0 || protocol > 0xFF) throw new IllegalArgumentException("protocol must be 0..255: " + protocol);
        if (ttl < 0 || ttl > 0xFF) throw new IllegalArgumentException("ttl must be 0..255: " + ttl);
        payload = Objects.requireNonNull(payload, "payload").clone();
        if (payload.length > 0xFFFF - Ipv4.HEADER_LEN) {
            throw new IllegalArgumentException("payload too long for IPv4: " + payload.length);
        }
    }

    /**
     * Validates the datagram with {@link Ipv4#validate} and decodes it; IP options are skipped and link
     * padding after the total length is dropped.
     */
    public static Decoded<IpPacket> decode(byte[] b, int off, int len) {
        DropReason r = Ipv4.validate(b, off, len);
        if (r != null) return Decoded.malformed(r);
        int hl = Ipv4.headerLength(b, off);
        int total = Ipv4.totalLength(b, off);
        return Decoded.ok(new IpPacket(Ipv4.src(b, off), Ipv4.dst(b, off), Ipv4.protocol(b, off),
                Ipv4.ttl(b, off), Arrays.copyOfRange(b, off + hl, off + total)));
    }

    /** The payload (a copy). */
    @Override
    public byte[] payload() { return payload.clone(); }

    /** The datagram's bytes: a 20-byte header as {@link Ipv4#write} makes it (DF set) with this id, then the payload. */
    public byte[] encode(int id) {
        byte[] b = new byte[Ipv4.HEADER_LEN + payload.length];
        Ipv4.write(b, 0, src, dst, protocol, ttl, id, payload.length);
        System.arraycopy(payload, 0, b, Ipv4.HEADER_LEN, payload.length);
        return b;
    }

    /** Equal when all fields and the payload bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof IpPacket p && p.src == src && p.dst == dst && p.protocol == protocol && p.ttl == ttl
                && Arrays.equals(p.payload, payload);
    }

    /** Hash over all fields and the payload bytes. */
    @Override
    public int hashCode() { return Objects.hash(src, dst, protocol, ttl) * 31 + Arrays.hashCode(payload); }

    /** E.g. {@code ipv4 198.18.0.1 > 198.18.0.2 proto 6 ttl 64 len 40} ({@code len} = payload bytes). */
    @Override
    public String toString() {
        return "ipv4 " + Ipv4.format(src) + " > " + Ipv4.format(dst) + " proto " + protocol + " ttl " + ttl
                + " len " + payload.length;
    }
}
