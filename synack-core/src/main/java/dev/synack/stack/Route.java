package dev.synack.stack;

import dev.synack.wire.Ipv4;

/**
 * A route: packets for {@code destination/prefixLength} leave through {@code iface}, to
 * {@code gateway} (0 = on-link).
 */
public record Route(int destination, int prefixLength, int gateway, NetInterface iface) {
    /** Whether the route covers {@code addr}. */
    public boolean matches(int addr) {
        if (prefixLength == 0) return true;
        int mask = -1 << (32 - prefixLength);
        return (addr & mask) == (destination & mask);
    }

    @Override
    public String toString() {
        String dst = prefixLength == 0 ? "default" : Ipv4.format(destination) + "/" + prefixLength;
        return dst + (gateway != 0 ? " via " + Ipv4.format(gateway) : "") + " dev " + iface.name();
    }
}
