package dev.synack.tun;

import dev.synack.wire.Checksum;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;

/**
 * Both ends of a TUN device opened with offloads (IFF_VNET_HDR, TUN_F_CSUM | TUN_F_TSO4): every packet
 * carries a 10-byte struct virtio_net_hdr in front.
 *
 * <p>Receive: a TCP super-segment (gso_type TCPV4) is cut into the segments of gso_size bytes the kernel
 * would have put on a wire (tcp_gso_segment: each its own IP ID, sequence number and checksums; CWR on the
 * first only, PSH and FIN on the last only), in place in the read buffer (each segment's headers are
 * written over the tail of the segment before it, already delivered), and each is handed to the stack
 * as if it had arrived alone: the stack sees, counts and acknowledges the same segments as without
 * offloads. A packet with a partial checksum (NEEDS_CSUM) gets its checksum completed.
 *
 * <p>Transmit: consecutive TCP segments of one burst — sent while the runtime's lock was held, contiguous
 * in sequence, the same headers but for the sequence number, IP ID and checksums, all of one size but
 * the last, which may be shorter and alone may carry PSH or FIN — are held and written as one
 * super-segment (gso_type TCPV4, gso_size the segments' size, checksum left to the kernel), which the
 * kernel takes as one segment as its GRO would have made it; anything else goes down as it is, with an
 * empty header. {@link #flush} writes what is held (the runtime calls it before it lets go of its lock).
 *
 * <p>No allocation per packet: the buffers are made once.
 */
final class VnetOffload {
    static final int HDR = TunDevice.VNET_HDR_LEN;
    static final int F_NEEDS_CSUM = 1, GSO_NONE = 0, GSO_TCPV4 = 1, GSO_ECN = 0x80;
    /** The largest packet (IP total length) either way. */
    static final int MAX_PACKET = 0xFFFF;

    /** Where packets go: the stack (receive) or the device (transmit). */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] b, int off, int len);
    }

    private final byte[] headers = new byte[60 + 60];
    /** The held super-segment: virtio-net header, then the IP packet of {@link #held} bytes. */
    private final byte[] tx = new byte[HDR + MAX_PACKET];
    private int held, heldSegments, heldMss, heldIhl, heldDoff;
    private long superSegments, segmentsMerged, superSegmentsIn, segmentsSplit;

    /** Super-segments written, and the segments they carried. */
    long superSegmentsOut() { return superSegments; }

    long segmentsMerged() { return segmentsMerged; }

    /** Super-segments read, and the segments cut from them. */
    long superSegmentsIn() { return superSegmentsIn; }

    long segmentsSplit() { return segmentsSplit; }

    // ---- receive ---------------------------------------------------------------------------------

    /**
     * A read of {@code n} bytes into {@code b} (virtio-net header first): hands the packet, or the
     * segments cut from it, to {@code stack}, calling {@code tick} before each segment after the first.
     *
     * @return the packets handed over
     */
    int receive(byte[] b, int n, Sink stack, Runnable tick) {
        if (n <= HDR) return 0;
        int flags = b[0] & 0xFF, gsoType = b[1] & 0xFF & ~GSO_ECN, gsoSize = le16(b, 4);
        int off = HDR, len = n - HDR;
        if (gsoType == GSO_TCPV4 && gsoSize > 0 && len >= Ipv4.HEADER_LEN + TcpHeader.HEADER_LEN
                && Ipv4.version(b, off) == 4 && Ipv4.protocol(b, off) == Ipv4.PROTO_TCP) {
            int ihl = Ipv4.headerLength(b, off);
            int doff = len >= ihl + TcpHeader.HEADER_LEN ? TcpHeader.dataOffset(b, off + ihl) : 0;
            int hdr = ihl + doff;
            if (doff >= TcpHeader.HEADER_LEN && hdr <= len && gsoSize >= hdr && len - hdr > gsoSize) {
                return split(b, off, len, ihl, doff, gsoSize, stack, tick);
            }
        }
        if ((flags & F_NEEDS_CSUM) != 0) {
            int start = le16(b, 6), field = start + le16(b, 8);
            if (field + 2 <= len) {
                put16(b, off + field, Checksum.finish(Checksum.add(0, b, off + start, len - start)));
            }
        }
        stack.accept(b, off, len);
        return 1;
    }

    private int split(byte[] b, int off, int len, int ihl, int doff, int mss, Sink stack, Runnable tick) {
        int hdr = ihl + doff, payload = len - hdr;
        System.arraycopy(b, off, headers, 0, hdr);
        int id0 = Ipv4.identification(b, off), seq0 = TcpHeader.seq(b, off + ihl), flags0 = TcpHeader.flags(b, off + ihl);
        int src = Ipv4.src(b, off), dst = Ipv4.dst(b, off);
        int count = 0;
        for (int pos = 0; pos < payload; pos += mss, count++) {
            int chunk = Math.min(mss, payload - pos);
            int at = off + pos; // this segment's headers end where its payload begins
            if (count > 0) {
                System.arraycopy(headers, 0, b, at, hdr);
                tick.run();
            }
            put16(b, at + 2, hdr + chunk);
            put16(b, at + 4, id0 + count);
            put16(b, at + 10, 0);
            put16(b, at + 10, Checksum.compute(b, at, ihl));
            int t = at + ihl;
            put32(b, t + 4, seq0 + pos);
            int f = flags0;
            if (pos + chunk < payload) f &= ~(TcpHeader.FIN | TcpHeader.PSH);
            if (count > 0) f &= ~TcpHeader.CWR;
            b[t + 13] = (byte) f;
            TcpHeader.writeChecksum(b, t, doff + chunk, src, dst);
            stack.accept(b, at, hdr + chunk);
        }
        superSegmentsIn++;
        segmentsSplit += count;
        return count;
    }

    // ---- transmit --------------------------------------------------------------------------------

    /** One packet from the stack: held to grow a super-segment, or written (after what was held). */
    void transmit(byte[] p, int off, int len, Sink device) {
        if (held > 0 && append(p, off, len)) {
            int t = HDR + heldIhl;
            if ((TcpHeader.flags(tx, t) & (TcpHeader.FIN | TcpHeader.PSH)) != 0 || len - heldIhl - heldDoff < heldMss
                    || held + heldMss > MAX_PACKET) {
                flush(device);
            }
            return;
        }
        flush(device);
        System.arraycopy(p, off, tx, HDR, len);
        held = len;
        heldSegments = 1;
        if (!startable(len)) flush(device);
    }

    /** Whether the packet just copied to {@link #tx} may start a super-segment. */
    private boolean startable(int len) {
        int o = HDR;
        if (len < Ipv4.HEADER_LEN + TcpHeader.HEADER_LEN || Ipv4.version(tx, o) != 4 || Ipv4.protocol(tx, o) != Ipv4.PROTO_TCP) return false;
        int ihl = Ipv4.headerLength(tx, o);
        if (Ipv4.moreFragments(tx, o) || Ipv4.fragmentOffset(tx, o) != 0 || len < ihl + TcpHeader.HEADER_LEN) return false;
        int doff = TcpHeader.dataOffset(tx, o + ihl);
        int f = TcpHeader.flags(tx, o + ihl);
        int payload = len - ihl - doff;
        if (payload <= 0 || (f & (TcpHeader.SYN | TcpHeader.RST | TcpHeader.URG | TcpHeader.FIN | TcpHeader.PSH)) != 0) return false;
        if (Ipv4.totalLength(tx, o) != len || len + payload > MAX_PACKET) return false;
        heldIhl = ihl;
        heldDoff = doff;
        heldMss = payload;
        return true;
    }

    /** Appends {@code p} to the held super-segment if it continues it; false (nothing changed) if not. */
    private boolean append(byte[] p, int off, int len) {
        int ihl = heldIhl, doff = heldDoff, hdr = ihl + doff;
        if (len <= hdr || len - hdr > heldMss || held + len - hdr > MAX_PACKET) return false;
        int o = HDR;
        if ((p[off] & 0xFF) != (tx[o] & 0xFF) || Ipv4.totalLength(p, off) != len || Ipv4.protocol(p, off) != Ipv4.PROTO_TCP) return false;
        // IP: the same TOS, flags, TTL, protocol and addresses (bytes 1, 6-9, 12-19), and the next ID.
        if (p[off + 1] != tx[o + 1] || !same(p, off + 6, tx, o + 6, 4) || !same(p, off + 12, tx, o + 12, 8)) return false;
        if (ihl > Ipv4.HEADER_LEN && !same(p, off + 20, tx, o + 20, ihl - 20)) return false;
        if (Ipv4.identification(p, off) != ((Ipv4.identification(tx, o) + heldSegments) & 0xFFFF)) return false;
        int t = off + ihl, ht = o + ihl;
        if (TcpHeader.dataOffset(p, t) != doff) return false;
        // TCP: the same ports, ACK, window and options; the next sequence number; flags but PSH and FIN the same.
        if (!same(p, t, tx, ht, 4) || !same(p, t + 8, tx, ht + 8, 5) || !same(p, t + 14, tx, ht + 14, 2)
                || !same(p, t + 18, tx, ht + 18, doff - 18)) return false;
        int heldPayload = held - hdr;
        if (TcpHeader.seq(p, t) != TcpHeader.seq(tx, ht) + heldPayload) return false;
        int f = TcpHeader.flags(p, t);
        if ((f & ~(TcpHeader.PSH | TcpHeader.FIN)) != TcpHeader.flags(tx, ht)) return false;
        int add = len - hdr;
        System.arraycopy(p, off + hdr, tx, o + held, add);
        held += add;
        heldSegments++;
        tx[ht + 13] = (byte) f;
        return true;
    }

    /** Writes what is held: one packet as it is, or a super-segment with its virtio-net header. */
    void flush(Sink device) {
        if (held == 0) return;
        int o = HDR, len = held;
        java.util.Arrays.fill(tx, 0, HDR, (byte) 0);
        if (heldSegments > 1) {
            int ihl = heldIhl, t = o + ihl;
            put16(tx, o + 2, len);
            put16(tx, o + 10, 0);
            put16(tx, o + 10, Checksum.compute(tx, o, ihl));
            // Partial checksum: the pseudo-header's sum, not complemented; the kernel completes it.
            int pseudo = ~Checksum.finish(Checksum.pseudoHeader(Ipv4.src(tx, o), Ipv4.dst(tx, o), Ipv4.PROTO_TCP, len - ihl)) & 0xFFFF;
            put16(tx, t + 16, pseudo);
            tx[0] = F_NEEDS_CSUM;
            tx[1] = GSO_TCPV4;
            putLe16(tx, 2, ihl + heldDoff);
            putLe16(tx, 4, heldMss);
            putLe16(tx, 6, ihl);
            putLe16(tx, 8, 16);
            superSegments++;
            segmentsMerged += heldSegments;
        }
        held = 0;
        heldSegments = 0;
        device.accept(tx, 0, HDR + len);
    }

    // ---- bytes -----------------------------------------------------------------------------------

    private static boolean same(byte[] a, int ai, byte[] b, int bi, int n) {
        return java.util.Arrays.equals(a, ai, ai + n, b, bi, bi + n);
    }

    static int le16(byte[] b, int i) { return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8; }

    static void putLe16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void put32(byte[] b, int i, int v) {
        put16(b, i, v >>> 16);
        put16(b, i + 2, v);
    }
}
