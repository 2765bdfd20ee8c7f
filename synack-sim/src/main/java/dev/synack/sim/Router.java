package dev.synack.sim;

import dev.synack.trace.TraceEvent;
import dev.synack.wire.Checksum;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A forwarding node with several interfaces (Linux with ip_forward=1 and no TCP of its own): it looks
 * up the route of each packet, decrements its TTL and sends it on. It answers with ICMP errors as
 * ip_forward and the FIB do: TTL expired → time exceeded (ip_forward: TTL ≤ 1); no route → net
 * unreachable; a destination it was told to {@link #reject} → destination unreachable with the given
 * code (Linux: {@code ip route add unreachable|prohibit}, or iptables REJECT --reject-with). ICMP
 * errors are never sent about ICMP errors (RFC 1122 §3.2.2) and are rate-limited per destination as
 * Linux's icmpv4_xrlim_allow does (icmp_ratelimit 1000 ms, burst 6: inet_peer_xrlim_allow).
 *
 * <p>Packets addressed to the router itself are dropped (it runs no services).
 */
public final class Router extends Node {
    /** icmp_ratelimit (net.ipv4.icmp_ratelimit) default, ms. */
    static final long ICMP_RATELIMIT_NS = 1_000_000_000L;
    /** XRLIM_BURST_FACTOR (net/ipv4/inetpeer.c). */
    static final int XRLIM_BURST_FACTOR = 6;

    record Rt(int destination, int prefixLength, int gateway, Port port) {
        boolean matches(int addr) {
            if (prefixLength == 0) return true;
            int mask = -1 << (32 - prefixLength);
            return (addr & mask) == (destination & mask);
        }
    }

    private record Reject(int destination, int prefixLength, int code) {}

    private final List<Rt> routes = new ArrayList<>();
    private final List<Reject> rejects = new ArrayList<>();
    private final Map<Integer, long[]> icmpPeers = new LinkedHashMap<>();
    private boolean running = true;
    private int ipId;
    private long forwarded, icmpSent, icmpLimited;

    Router(Network network, String name) { super(network, name); }

    /** Adds an interface ({@code "10.0.1.254/24"}) with its connected route; returns this router. */
    public Router addInterface(String cidr) {
        int[] a = Network.cidr(cidr);
        Port p = new Port(this, "eth" + ports.size(), a[0], a[1], null);
        addPort(p);
        routes.add(new Rt(a[0], a[1], 0, p));
        return this;
    }

    /** Adds a route to {@code cidr} via {@code gateway} (on one of the router's prefixes). */
    public Router route(String cidr, String gateway) {
        int[] d = Network.cidr(cidr);
        int gw = Ipv4.parse(gateway);
        for (Port p : ports) {
            if (p.onLink(gw)) {
                routes.add(new Rt(d[0], d[1], gw, p));
                version++;
                return this;
            }
        }
        throw new IllegalArgumentException(name + ": gateway " + gateway + " is on none of " + addresses());
    }

    /**
     * Answers packets to {@code cidr} with ICMP destination unreachable of {@code code} instead of
     * forwarding them: {@link Icmp#NET_UNREACH}, {@link Icmp#HOST_UNREACH}, {@link Icmp#PORT_UNREACH},
     * {@link Icmp#ADMIN_PROHIBITED}, ...
     */
    public Router reject(String cidr, int code) {
        int[] d = Network.cidr(cidr);
        rejects.add(new Reject(d[0], d[1], code));
        return this;
    }

    /** Removes every reject rule. */
    public Router clearRejects() {
        rejects.clear();
        return this;
    }

    /** Powers the router off (it drops everything) or on. */
    public void setRunning(boolean on) {
        network.fault(name, on ? "power on" : "power off");
        running = on;
    }

    public long forwarded() { return forwarded; }

    public long icmpSent() { return icmpSent; }

    /** ICMP errors not sent because of the rate limit. */
    public long icmpRateLimited() { return icmpLimited; }

    @Override
    boolean isRunning() { return running; }

    /**
     * A direct-mapped cache of {@link #scan}'s answers by destination ({@link #NO_ROUTE} for none), valid
     * while {@link #version} is {@link #cacheVersion}: a hub forwards to a hundred destinations, and the
     * scan walks a hundred routes. A destination whose slot another took is scanned again; with 1024
     * slots the 101 addresses of the star (S5) each have their own (with 256, 19 pairs shared one).
     */
    private final int[] cacheDst = new int[CACHE_SLOTS];
    private final Rt[] cacheRt = new Rt[CACHE_SLOTS];
    private int cacheVersion = -1;
    private static final int CACHE_SLOTS = 1 << 10;
    private static final Rt NO_ROUTE = new Rt(0, 0, 0, null);

    /** The longest-prefix route to {@code dst} through a port that is up and attached, or null. */
    Rt lookup(int dst) {
        if (cacheVersion != version) {
            Arrays.fill(cacheRt, null);
            cacheVersion = version;
        }
        int slot = (dst * 0x9E37_79B9) >>> 22; // Fibonacci hashing into CACHE_SLOTS = 2^10
        Rt r = cacheRt[slot];
        if (r == null || cacheDst[slot] != dst) {
            r = scan(dst);
            if (r == null) r = NO_ROUTE;
            cacheDst[slot] = dst;
            cacheRt[slot] = r;
        }
        return r == NO_ROUTE ? null : r;
    }

    /** The lookup itself: the longest prefix over the routes whose port is up and attached (the first of equals). */
    Rt scan(int dst) {
        Rt best = null;
        for (int i = 0; i < routes.size(); i++) {
            Rt r = routes.get(i);
            if (!r.port.isUp() || r.port.out == null || !r.matches(dst)) continue;
            if (best == null || r.prefixLength > best.prefixLength) best = r;
        }
        return best;
    }

    @Override
    int nextHop(int dst) {
        Rt r = lookup(dst);
        return r == null || r.gateway == 0 ? dst : r.gateway;
    }

    @Override
    void deliver(Port in, byte[] b, int off, int len) { forward(in, b, off, len, false); }

    /** A frame from a link: forwarded onto a point-to-point link without a copy (see {@link SimLink#sendSwapping}). */
    @Override
    byte[] deliverFrame(Port in, byte[] frame, int len) { return forward(in, frame, 0, len, true); }

    /**
     * ip_rcv → ip_forward. With {@code swap} the packet's array may be handed to the outgoing link
     * ({@code off} is then 0); returns the array the caller keeps: {@code b}, or one given in exchange.
     */
    private byte[] forward(Port in, byte[] b, int off, int len, boolean swap) {
        if (Ipv4.validate(b, off, len) != null) return b; // ip_rcv_core drops it (counted by a host, not modelled here)
        int dst = Ipv4.dst(b, off);
        if (portFor(dst) != null) return b;
        int total = Ipv4.totalLength(b, off);
        for (int i = 0; i < rejects.size(); i++) { // indexed loops: no iterator per packet before C2 compiles this
            Reject r = rejects.get(i);
            int mask = r.prefixLength == 0 ? 0 : -1 << (32 - r.prefixLength);
            if ((dst & mask) == (r.destination & mask)) {
                network.drop(this, in, SimEvent.Fate.REJECTED, b, off, total);
                sendIcmp(Icmp.TYPE_DEST_UNREACH, r.code, in, b, off, total);
                return b;
            }
        }
        // ip_forward: a packet whose TTL would reach 0 is answered with time exceeded.
        if (Ipv4.ttl(b, off) <= 1) {
            network.drop(this, in, SimEvent.Fate.TTL_EXPIRED, b, off, total);
            sendIcmp(Icmp.TYPE_TIME_EXCEEDED, 0, in, b, off, total);
            return b;
        }
        Rt r = lookup(dst);
        if (r == null) {
            network.drop(this, in, SimEvent.Fate.NO_ROUTE, b, off, total);
            sendIcmp(Icmp.TYPE_DEST_UNREACH, Icmp.NET_UNREACH, in, b, off, total);
            return b;
        }
        // ip_forward → ip_decrease_ttl, in the caller's buffer (it is ours until we return, and the
        // outgoing link copies it or takes it in exchange for another): one less hop, and the header checksum updated incrementally
        // (RFC 1624) as Linux does: the TTL is the high byte of the fifth 16-bit word, so the one's
        // complement sum drops by 0x0100 and the checksum rises by as much, with the end-around carry.
        // For a checksum our stacks computed this is exactly the recomputed one (RFC 1624 §3).
        b[off + 8] = (byte) (Ipv4.ttl(b, off) - 1);
        int check = (((b[off + 10] & 0xFF) << 8) | (b[off + 11] & 0xFF)) + 0x0100;
        if (check >= 0xFFFF) check += 1;
        b[off + 10] = (byte) (check >>> 8);
        b[off + 11] = (byte) check;
        forwarded++;
        if (swap && r.port.out instanceof SimLink link) return link.sendSwapping(b, total);
        r.port.out.transmit(b, off, total);
        return b;
    }

    @Override
    void neighbourFailed(Port out, byte[] b, int off, int len) {
        if (running) sendIcmp(Icmp.TYPE_DEST_UNREACH, Icmp.HOST_UNREACH, out, b, off, len);
    }

    /** icmp_send: an error about the datagram at {@code off}, from the address of {@code in}, to its source. */
    private void sendIcmp(int type, int code, Port in, byte[] b, int off, int len) {
        if (Ipv4.protocol(b, off) == Ipv4.PROTO_ICMP) {
            int t = Ipv4.headerLength(b, off);
            if (len < t + 1) return;
            int icmpType = b[off + t] & 0xFF;
            // RFC 1122 §3.2.2: never an ICMP error about an ICMP error.
            if (icmpType != Icmp.TYPE_ECHO_REQUEST && icmpType != Icmp.TYPE_ECHO_REPLY) return;
        }
        int src = Ipv4.src(b, off);
        Rt back = lookup(src);
        if (back == null) return;
        if (!xrlimAllow(src)) {
            icmpLimited++;
            return;
        }
        byte[] out = new byte[Ipv4.HEADER_LEN + Icmp.HEADER_LEN + Icmp.quoteLength(b, off, len)];
        int icmpLen = Icmp.writeDestUnreachable(out, Ipv4.HEADER_LEN, code, 0, b, off, len);
        if (type != Icmp.TYPE_DEST_UNREACH) {
            // Same layout (RFC 792): type, code, checksum, 4 unused bytes, the quote.
            out[Ipv4.HEADER_LEN] = (byte) type;
            out[Ipv4.HEADER_LEN + 2] = 0;
            out[Ipv4.HEADER_LEN + 3] = 0;
            int sum = Checksum.compute(out, Ipv4.HEADER_LEN, icmpLen);
            out[Ipv4.HEADER_LEN + 2] = (byte) (sum >>> 8);
            out[Ipv4.HEADER_LEN + 3] = (byte) sum;
        }
        ipId = (ipId + 1) & 0xFFFF;
        Ipv4.write(out, 0, in.address, src, Ipv4.PROTO_ICMP, Ipv4.DEFAULT_TTL, ipId, icmpLen);
        icmpSent++;
        network.trace().on(new TraceEvent.Packet(network.scheduler().nowNs(), name, true, Arrays.copyOf(out, out.length)));
        back.port.out.transmit(out, 0, out.length);
    }

    /** inet_peer_xrlim_allow: a token bucket per destination, one token per ICMP_RATELIMIT, burst 6. */
    private boolean xrlimAllow(int dst) {
        long now = network.scheduler().nowNs();
        long[] peer = icmpPeers.get(dst);
        if (peer == null) {
            // inet_getpeer: rate_last = jiffies - 60*HZ, "so that the first calculation of tokens is at its maximum".
            peer = new long[] {0, now - 60_000_000_000L};
            icmpPeers.put(dst, peer);
        }
        long token = peer[0] + (now - peer[1]);
        peer[1] = now;
        if (token > XRLIM_BURST_FACTOR * ICMP_RATELIMIT_NS) token = XRLIM_BURST_FACTOR * ICMP_RATELIMIT_NS;
        boolean ok = token >= ICMP_RATELIMIT_NS;
        if (ok) token -= ICMP_RATELIMIT_NS;
        peer[0] = token;
        return ok;
    }
}
