package dev.synack.stack;

import dev.synack.tcp.Errno;
import dev.synack.wire.Ipv4;

/**
 * A route: packets for {@code destination/prefixLength} leave through {@code iface}, to
 * {@code gateway} (0 = on-link) — or, for a route of another {@link Type} (no interface), are refused
 * with that type's error, as {@code ip route add blackhole|unreachable|prohibit|throw PREFIX} does.
 */
public record Route(int destination, int prefixLength, int gateway, NetInterface iface, Type type) {
    /**
     * The route types synack models (rtnetlink's RTN_*), with the error a socket's route lookup gets
     * (fib_props in net/ipv4/fib_semantics.c). Measured on Linux 6.18, connect() in a namespace:
     * blackhole EINVAL, unreachable EHOSTUNREACH, prohibit EACCES, throw (with no other route)
     * ENETUNREACH — at once, nothing sent.
     */
    public enum Type {
        UNICAST(null), BLACKHOLE(Errno.EINVAL), UNREACHABLE(Errno.EHOSTUNREACH), PROHIBIT(Errno.EACCES),
        THROW(Errno.ENETUNREACH);

        private final Errno error;

        Type(Errno error) { this.error = error; }

        /** What a route lookup that ends here returns; null for a unicast route. */
        public Errno error() { return error; }
    }

    /** A unicast route through {@code iface}. */
    public Route(int destination, int prefixLength, int gateway, NetInterface iface) {
        this(destination, prefixLength, gateway, iface, Type.UNICAST);
    }

    /** Whether the route covers {@code addr}. */
    public boolean matches(int addr) {
        if (prefixLength == 0) return true;
        int mask = -1 << (32 - prefixLength);
        return (addr & mask) == (destination & mask);
    }

    /** Whether the route can be chosen now: a unicast route only while its interface is up. */
    boolean usable() { return iface == null || iface.isUp(); }

    @Override
    public String toString() {
        String dst = prefixLength == 0 ? "default" : Ipv4.format(destination) + "/" + prefixLength;
        if (type != Type.UNICAST) return type.name().toLowerCase(java.util.Locale.ROOT) + " " + dst;
        return dst + (gateway != 0 ? " via " + Ipv4.format(gateway) : "") + " dev " + iface.name();
    }
}
