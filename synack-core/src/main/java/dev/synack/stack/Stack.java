package dev.synack.stack;

import dev.synack.link.Link;
import dev.synack.link.PacketSink;
import dev.synack.stats.Counter;
import dev.synack.stats.Counters;
import dev.synack.tcp.Errno;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.InSegment;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpHost;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.TcpState;
import dev.synack.time.Scheduler;
import dev.synack.trace.TraceEvent;
import dev.synack.trace.Tracer;
import dev.synack.wire.DropReason;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One host's TCP/IP stack: interfaces and routes, IPv4 input and output, ICMP errors, the demux of
 * segments to connections and listeners, RSTs for segments no socket wants (RFC 9293 §3.10.7.1),
 * ephemeral ports, ISNs (RFC 6528) and the host's counters.
 *
 * <p>Single-threaded: it runs on the thread that drives its {@link Scheduler}; packets arrive through
 * {@link #receive}, applications call in through the socket layer on the same thread.
 */
public final class Stack implements TcpHost, PacketSink {
    private final String name;
    private final Scheduler scheduler;
    private final TcpConfig config;
    private final Counters counters = new Counters();
    private final byte[] tx = new byte[65_600];
    private final InSegment seg = new InSegment();
    private final TcpOptions opts = new TcpOptions();
    private final List<NetInterface> interfaces = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private final ConnTable connections = new ConnTable();
    private final List<TcpListener> listeners = new ArrayList<>();
    /** Sockets bound to a port without being connected or listening yet (bind() before listen()). */
    private final List<Bound> bound = new ArrayList<>();
    private final SipHash secret;
    private final long isnClockOriginNs;
    private Tracer tracer;
    private int ipId;

    /**
     * A host named {@code name}, on {@code scheduler}'s time line, with {@code config} (owned by this
     * stack from now on) and a {@code seed} for its secrets (ISN and port offsets).
     */
    public Stack(String name, Scheduler scheduler, TcpConfig config, long seed) {
        this.name = name;
        this.scheduler = scheduler;
        this.config = config;
        this.secret = new SipHash(seed * 0x9E3779B97F4A7C15L + 1, seed ^ 0x5DEECE66DL);
        this.isnClockOriginNs = scheduler.nowNs();
        this.ipId = (int) (secret.hash(7, 7) & 0xFFFF);
    }

    // ---- TcpHost ------------------------------------------------------------------------------

    @Override
    public String name() { return name; }

    @Override
    public Scheduler scheduler() { return scheduler; }

    @Override
    public TcpConfig config() { return config; }

    @Override
    public Counters counters() { return counters; }

    @Override
    public Tracer tracer() { return tracer; }

    /** Installs the trace bus reader (null to stop tracing). */
    public void setTracer(Tracer tracer) { this.tracer = tracer; }

    @Override
    public byte[] txBuffer() { return tx; }

    @Override
    public int mtuTo(int dst) {
        Route r = route(dst);
        return r == null ? 1500 : r.iface().mtu();
    }

    /**
     * RFC 6528: ISN = M + F(4-tuple, secret), M a clock ticking every 64 ns as Linux's
     * secure_tcp_seq (net/core/secure_seq.c, seq_scale).
     */
    @Override
    public int isn(int localAddr, int localPort, int remoteAddr, int remotePort) {
        long h = secret.hash(((long) localAddr << 32) | (remoteAddr & 0xFFFF_FFFFL), ((long) localPort << 16) | remotePort);
        long m = (scheduler.nowNs() - isnClockOriginNs) >> 6;
        return (int) (h + m);
    }

    @Override
    public int tsOffset(int localAddr, int remoteAddr) {
        return (int) secret.hash(((long) localAddr << 32) | (remoteAddr & 0xFFFF_FFFFL), 0x7473L);
    }

    @Override
    public int sendTcp(int src, int dst, int tcpLen) {
        Route r = route(dst);
        if (r == null) {
            counters.inc(Counter.IpOutNoRoutes);
            return -Errno.ENETUNREACH.number();
        }
        TcpHeader.writeChecksum(tx, TCP_OFFSET, tcpLen, src, dst);
        Ipv4.write(tx, 0, src, dst, Ipv4.PROTO_TCP, Ipv4.DEFAULT_TTL, nextIpId(), tcpLen);
        return output(r, tx, 0, TCP_OFFSET + tcpLen);
    }

    private int nextIpId() {
        ipId = (ipId + 1) & 0xFFFF;
        return ipId;
    }

    private int output(Route r, byte[] b, int off, int len) {
        counters.inc(Counter.IpOutRequests);
        if (r.iface().isTxRefused()) return TcpHost.NET_XMIT_DROP; // the qdisc dropped it: never on the wire
        if (tracer != null) tracer.on(new TraceEvent.Packet(scheduler.nowNs(), name, true, Arrays.copyOfRange(b, off, off + len)));
        Link link = r.iface().link();
        if (link != null) link.transmit(b, off, len);
        return 0;
    }

    @Override
    public void connectionClosed(TcpConnection c) {
        connections.remove(c);
    }

    @Override
    public void listenerClosed(TcpListener l) {
        listeners.remove(l);
    }

    // ---- configuration ------------------------------------------------------------------------

    /** Adds an interface with its connected route; returns it. */
    public NetInterface addInterface(String ifName, int address, int prefixLength, int mtu, Link link) {
        NetInterface nic = new NetInterface(ifName, address, prefixLength, mtu, link);
        interfaces.add(nic);
        routes.add(new Route(address, prefixLength, 0, nic));
        routesVersion++;
        return nic;
    }

    /** Adds a route through an interface of this host. */
    public void addRoute(int destination, int prefixLength, int gateway, NetInterface nic) {
        routes.add(new Route(destination, prefixLength, gateway, nic));
        routesVersion++;
    }

    /** Removes every route through {@code nic} but its connected one. */
    public void removeRoutes(NetInterface nic) {
        routes.removeIf(r -> r.iface() == nic && r.gateway() != 0);
        routesVersion++;
    }

    public List<NetInterface> interfaces() { return List.copyOf(interfaces); }

    public List<Route> routes() { return List.copyOf(routes); }

    /** The longest-prefix route to {@code dst} through an interface that is up, or null. */
    public Route route(int dst) {
        // A one-entry cache: a host sends mostly to one destination at a time. It is keyed by the
        // destination, the route table's version and which interfaces are up (a cable pulled or plugged
        // changes the answer).
        int up = upMask();
        if (dst == cachedDst && up == cachedUpMask && cachedVersion == routesVersion) return cachedRoute;
        Route best = null;
        for (Route r : routes) {
            if (!r.iface().isUp() || !r.matches(dst)) continue;
            if (best == null || r.prefixLength() > best.prefixLength()) best = r;
        }
        // (A packet to one of our own addresses finds no route: there is no loopback interface yet.)
        cachedDst = dst;
        cachedUpMask = up;
        cachedVersion = routesVersion;
        cachedRoute = best;
        return best;
    }

    private int cachedDst, cachedUpMask = -1, cachedVersion = -1, routesVersion;
    private Route cachedRoute;

    private int upMask() {
        int m = 0;
        for (int i = 0; i < interfaces.size(); i++) if (interfaces.get(i).isUp()) m |= 1 << (i & 31);
        return m | (interfaces.size() << 24);
    }

    /** Whether {@code addr} is one of this host's addresses. */
    public boolean isLocal(int addr) {
        for (int i = 0; i < interfaces.size(); i++) { // indexed: no iterator per received packet
            if (interfaces.get(i).address() == addr) return true;
        }
        return false;
    }

    /** The first address of the host (its "primary" address). */
    public int primaryAddress() { return interfaces.isEmpty() ? 0 : interfaces.getFirst().address(); }

    // ---- application calls -------------------------------------------------------------------

    /**
     * bind(): reserves {@code localAddr:port} (port 0 = an ephemeral port), checking conflicts as
     * Linux's inet_csk_bind_conflict does: two sockets may share a port only if both set SO_REUSEADDR
     * and the existing one is not listening.
     *
     * @return the reservation, to pass to {@link #listen} or {@link #connect}
     */
    public Bound bind(int localAddr, int port, SocketOptions options) throws ErrnoException {
        if (localAddr != 0 && !isLocal(localAddr)) throw new ErrnoException(Errno.EADDRNOTAVAIL);
        if (port < 0 || port > 65535) throw new ErrnoException(Errno.EINVAL, "port " + port);
        if (port == 0) {
            port = ephemeralPort(localAddr, 0, 0, true);
            if (port == 0) throw new ErrnoException(Errno.EADDRINUSE, "no free ephemeral port");
        } else if (bindConflict(localAddr, port, options.reuseAddr, null)) {
            throw new ErrnoException(Errno.EADDRINUSE);
        }
        Bound b = new Bound(localAddr, port, options);
        bound.add(b);
        return b;
    }

    /** Releases a reservation that was never used (close() of a bound socket). */
    public void unbind(Bound b) { bound.remove(b); }

    private boolean bindConflict(int addr, int port, boolean reuse, Object self) {
        for (Bound b : bound) {
            if (b == self || b.port != port) continue;
            if (addr != 0 && b.addr != 0 && addr != b.addr) continue;
            if (!(reuse && b.options.reuseAddr)) return true;
        }
        for (TcpListener l : listeners) {
            if (l == self || l.localPort() != port || l.isClosed()) continue;
            if (addr != 0 && l.localAddr() != 0 && addr != l.localAddr()) continue;
            return true; // a listener always conflicts (sk2->sk_state == TCP_LISTEN)
        }
        for (TcpConnection c : connections.all()) {
            if (c == self || c.localPort() != port) continue;
            if (addr != 0 && addr != c.localAddr()) continue;
            if (!(reuse && c.options.reuseAddr)) return true;
        }
        return false;
    }

    /**
     * listen(): a listener on the reservation's address and port.
     */
    public TcpListener listen(Bound b, int backlog) throws ErrnoException {
        for (TcpListener l : listeners) {
            if (l.localPort() == b.port && (l.localAddr() == 0 || b.addr == 0 || l.localAddr() == b.addr)) {
                throw new ErrnoException(Errno.EADDRINUSE);
            }
        }
        bound.remove(b);
        if (bindConflict(b.addr, b.port, b.options.reuseAddr, null)) {
            bound.add(b);
            throw new ErrnoException(Errno.EADDRINUSE);
        }
        TcpListener l = new TcpListener(this, b.addr, b.port, backlog, b.options);
        listeners.add(l);
        return l;
    }

    /**
     * connect(): a new connection from the reservation (or an ephemeral port when {@code b} is null)
     * to {@code remoteAddr:remotePort}; the SYN leaves at once.
     *
     * @throws ErrnoException ENETUNREACH with no route (nothing is sent), EADDRNOTAVAIL when no port is free
     */
    public TcpConnection connect(Bound b, int remoteAddr, int remotePort, SocketOptions options) throws ErrnoException {
        Route r = route(remoteAddr);
        if (r == null) {
            counters.inc(Counter.IpOutNoRoutes);
            throw new ErrnoException(Errno.ENETUNREACH);
        }
        if (remotePort <= 0 || remotePort > 65535) throw new ErrnoException(Errno.ECONNREFUSED, "port " + remotePort);
        int localAddr = b != null && b.addr != 0 ? b.addr : r.iface().address();
        int localPort;
        if (b != null) {
            localPort = b.port;
            if (connections.get(localAddr, localPort, remoteAddr, remotePort) != null) {
                throw new ErrnoException(Errno.EADDRNOTAVAIL);
            }
            bound.remove(b);
        } else {
            localPort = ephemeralPort(localAddr, remoteAddr, remotePort, false);
            if (localPort == 0) throw new ErrnoException(Errno.EADDRNOTAVAIL);
        }
        TcpConnection c = new TcpConnection(this, options);
        // connect() puts the socket in the tables before the SYN leaves (inet_hash_connect).
        c.connect(localAddr, localPort, remoteAddr, remotePort);
        if (c.state() != TcpState.CLOSE) connections.put(c);
        return c;
    }

    /**
     * An ephemeral port as Linux's __inet_hash_connect picks it: start at a keyed hash of the
     * destination, walk the range (tcp ip_local_port_range) in steps of 2, connect() taking even
     * ports first and bind() odd ones (Linux 6.x), skipping ports in use.
     */
    private int ephemeralPort(int localAddr, int remoteAddr, int remotePort, boolean forBind) {
        int lo = config.ipLocalPortRange[0], hi = config.ipLocalPortRange[1];
        int range = hi - lo + 1;
        long h = secret.hash(((long) localAddr << 32) | (remoteAddr & 0xFFFF_FFFFL), remotePort + (forBind ? 1L << 40 : 0));
        // __inet_hash_connect: the walk starts at table_perturb[index] + the keyed offset, and a success
        // moves table_perturb[index] past the port taken, so the next connect() to the same destination
        // starts further on instead of retrying the ports just used (INET_TABLE_PERTURB_SIZE is 2^16 in
        // Linux; 256 slots keep the same behaviour for a host's few destinations).
        int index = (int) (h >>> 56) & (PERTURB_SLOTS - 1);
        int offset = (int) Math.floorMod(h + perturb[index], (long) range);
        offset &= ~1;
        for (int parity = 0; parity < 2; parity++) {
            for (int i = 0; i < range; i += 2) {
                int port = lo + Math.floorMod(offset + i + (forBind ? 1 - parity : parity), range);
                if (!portUsed(localAddr, port, remoteAddr, remotePort, forBind)) {
                    if (!forBind) perturb[index] += i + 2;
                    return port;
                }
            }
        }
        return 0;
    }

    private static final int PERTURB_SLOTS = 256;
    private final int[] perturb = new int[PERTURB_SLOTS];

    private boolean portUsed(int localAddr, int port, int remoteAddr, int remotePort, boolean forBind) {
        for (Bound b : bound) if (b.port == port) return true;
        for (TcpListener l : listeners) if (l.localPort() == port) return true;
        for (TcpConnection c : connections.all()) {
            if (c.localPort() != port) continue;
            if (forBind) return true;
            if (c.remoteAddr() == remoteAddr && c.remotePort() == remotePort) return true;
        }
        return false;
    }

    /** Every connection of the host, in creation order (for listings like ss). */
    public List<TcpConnection> connections() { return List.copyOf(connections.all()); }

    /** Every listener of the host. */
    public List<TcpListener> listeners() { return List.copyOf(listeners); }

    /**
     * The host lost all its state (a crash, or the instant of a reboot): every connection and listener
     * is forgotten without a packet, and the timers stop.
     */
    public void forgetEverything() {
        for (TcpConnection c : List.copyOf(connections.all())) c.forget();
        for (TcpListener l : List.copyOf(listeners)) l.forget();
        connections.clear();
        listeners.clear();
        bound.clear();
    }

    // ---- input --------------------------------------------------------------------------------

    /**
     * An IPv4 packet arrived from a link. Malformed packets are counted and dropped with a reason on
     * the trace bus; nothing a peer sends can throw out of here.
     */
    @Override
    public void receive(byte[] b, int off, int len) {
        counters.inc(Counter.IpInReceives);
        if (tracer != null) tracer.on(new TraceEvent.Packet(scheduler.nowNs(), name, false, Arrays.copyOfRange(b, off, off + len)));
        DropReason reason = Ipv4.validate(b, off, len);
        if (reason != null) {
            drop(reason, b, off, len);
            return;
        }
        int dst = Ipv4.dst(b, off);
        if (!isLocal(dst)) {
            drop(DropReason.NOT_FOR_US, b, off, len);
            return;
        }
        int hl = Ipv4.headerLength(b, off);
        int total = Ipv4.totalLength(b, off);
        switch (Ipv4.protocol(b, off)) {
            case Ipv4.PROTO_TCP -> tcpInput(b, off, hl, total);
            case Ipv4.PROTO_ICMP -> icmpInput(b, off, hl, total);
            default -> drop(DropReason.UNSUPPORTED_PROTOCOL, b, off, len);
        }
    }

    private void drop(DropReason reason, byte[] b, int off, int len) {
        switch (reason) {
            case TRUNCATED -> counters.inc(Counter.IpExtInTruncatedPkts);
            case BAD_IP_VERSION, BAD_IP_HEADER_LENGTH, BAD_IP_TOTAL_LENGTH, BAD_IP_CHECKSUM -> counters.inc(Counter.IpInHdrErrors);
            case IP_FRAGMENT -> counters.inc(Counter.IpReasmFails);
            case NOT_FOR_US -> counters.inc(Counter.IpInAddrErrors);
            case UNSUPPORTED_PROTOCOL -> counters.inc(Counter.IpInUnknownProtos);
            case BAD_TCP_CHECKSUM -> {
                counters.inc(Counter.TcpInErrs);
                counters.inc(Counter.TcpInCsumErrors);
            }
            case BAD_TCP_OFFSET, BAD_TCP_OPTION -> counters.inc(Counter.TcpInErrs);
            case BAD_ICMP, BAD_ICMP_QUOTE -> counters.inc(Counter.IcmpInErrors);
            case BAD_ICMP_CHECKSUM -> {
                counters.inc(Counter.IcmpInErrors);
                counters.inc(Counter.IcmpInCsumErrors);
            }
            case NO_SOCKET -> {
            }
        }
        if (tracer != null) tracer.on(new TraceEvent.Dropped(scheduler.nowNs(), name, reason, Arrays.copyOfRange(b, off, off + len)));
    }

    private void tcpInput(byte[] b, int off, int hl, int total) {
        int src = Ipv4.src(b, off), dst = Ipv4.dst(b, off);
        int t = off + hl;
        int tlen = total - hl;
        DropReason reason = TcpHeader.validate(b, t, tlen, src, dst);
        if (reason != null) {
            drop(reason, b, off, total);
            return;
        }
        counters.inc(Counter.TcpInSegs);
        counters.inc(Counter.IpInDelivers);
        int doff = TcpHeader.dataOffset(b, t);
        InSegment s = seg;
        s.srcAddr = src;
        s.dstAddr = dst;
        s.srcPort = TcpHeader.srcPort(b, t);
        s.dstPort = TcpHeader.dstPort(b, t);
        s.seq = TcpHeader.seq(b, t);
        s.ack = TcpHeader.ack(b, t);
        s.flags = TcpHeader.flags(b, t);
        s.window = TcpHeader.window(b, t);
        s.payload = b;
        s.payloadOff = t + doff;
        s.payloadLen = tlen - doff;
        s.clearOptions();
        if (doff > TcpHeader.HEADER_LEN) {
            // Linux tcp_parse_options stops at a malformed option and keeps what it read.
            opts.clear();
            opts.parse(b, t + TcpHeader.HEADER_LEN, doff - TcpHeader.HEADER_LEN);
            boolean syn = s.has(TcpHeader.SYN);
            if (syn) {
                s.mss = opts.mss();
                s.windowScale = opts.windowScale();
                s.sackPermitted = opts.sackPermitted();
            }
            if (opts.hasTimestamps()) {
                s.hasTimestamps = true;
                s.tsVal = opts.tsVal();
                s.tsEcr = opts.tsEcr();
            }
            s.sackCount = opts.copySackBlocks(s.sackStart, s.sackEnd);
        }
        if (s.srcPort == 0 || s.dstPort == 0) {
            counters.inc(Counter.TcpInErrs);
            return;
        }
        TcpConnection c = connections.get(dst, s.dstPort, src, s.srcPort);
        if (c != null) {
            TcpState before = c.state();
            c.onSegment(s);
            // A SYN that ended a TIME_WAIT goes on to the listener (Linux TCP_TW_SYN).
            if (!(before == TcpState.TIME_WAIT && c.state() == TcpState.CLOSE && s.has(TcpHeader.SYN))) return;
        }
        TcpListener l = findListener(dst, s.dstPort);
        if (l != null) {
            if (s.has(TcpHeader.RST)) return;
            if (s.has(TcpHeader.ACK)) {
                // RFC 9293 §3.10.7.2: an ACK to a listener is bad: <SEQ=SEG.ACK><CTL=RST>.
                sendReset(s);
                return;
            }
            if (!s.has(TcpHeader.SYN)) return;
            TcpConnection child = l.onSyn(s);
            if (child != null && child.state() != TcpState.CLOSE) connections.put(child);
            return;
        }
        // RFC 9293 §3.10.7.1: no socket → RST.
        sendReset(s);
    }

    private TcpListener findListener(int addr, int port) {
        TcpListener wildcard = null;
        for (TcpListener l : listeners) {
            if (l.localPort() != port || l.isClosed()) continue;
            if (l.localAddr() == addr) return l;
            if (l.localAddr() == 0) wildcard = l;
        }
        return wildcard;
    }

    /**
     * The RST for a segment no socket takes (tcp_v4_send_reset): if it had an ACK, <SEQ=SEG.ACK><RST>;
     * otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK>. Never in answer to a RST.
     */
    private void sendReset(InSegment s) {
        if (s.has(TcpHeader.RST)) return;
        int seq, ack, flags;
        if (s.has(TcpHeader.ACK)) {
            seq = s.ack;
            ack = 0;
            flags = TcpHeader.RST;
        } else {
            seq = 0;
            ack = s.seq + s.seqLength();
            flags = TcpHeader.RST | TcpHeader.ACK;
        }
        TcpHeader.writeHeader(tx, TCP_OFFSET, s.dstPort, s.srcPort, seq, ack, flags, 0, 0);
        counters.inc(Counter.TcpOutSegs);
        counters.inc(Counter.TcpOutRsts);
        sendTcp(s.dstAddr, s.srcAddr, TcpHeader.HEADER_LEN);
    }

    /** ICMP destination unreachable for one of our connections (icmp_unreach → tcp_v4_err). */
    private void icmpInput(byte[] b, int off, int hl, int total) {
        int i = off + hl;
        int ilen = total - hl;
        counters.inc(Counter.IcmpInMsgs);
        DropReason reason = Icmp.validate(b, i, ilen);
        if (reason != null) {
            drop(reason, b, off, total);
            return;
        }
        if (Icmp.type(b, i) != Icmp.TYPE_DEST_UNREACH) return;
        counters.inc(Counter.IcmpInDestUnreachs);
        reason = Icmp.validateQuote(b, i, ilen);
        if (reason != null) {
            drop(reason, b, off, total);
            return;
        }
        if (Icmp.quotedProtocol(b, i) != Ipv4.PROTO_TCP) return;
        TcpConnection c = connections.get(Icmp.quotedSrc(b, i), Icmp.quotedSrcPort(b, i),
                Icmp.quotedDst(b, i), Icmp.quotedDstPort(b, i));
        if (c == null || !c.icmpSeqValid(Icmp.quotedTcpSeq(b, i))) return;
        Errno err = icmpErrno(Icmp.code(b, i));
        if (err != null) c.icmpError(err);
    }

    /** icmp_err_convert (net/ipv4/icmp.c): the errno for each destination-unreachable code. */
    static Errno icmpErrno(int code) {
        return switch (code) {
            case 0, 6, 9, 11 -> Errno.ENETUNREACH;
            case 1, 7, 10, 12, 13, 14, 15 -> Errno.EHOSTUNREACH;
            case 2 -> Errno.ENOPROTOOPT;
            case 3 -> Errno.ECONNREFUSED;
            case 4 -> null; // fragmentation needed: path MTU discovery, not an error (not modelled yet)
            case 5 -> Errno.EOPNOTSUPP;
            default -> null;
        };
    }

    @Override
    public String toString() { return "Stack[" + name + "]"; }

    /** A port reserved by bind() and not yet listening or connected. */
    public static final class Bound {
        final int addr;
        final int port;
        final SocketOptions options;

        Bound(int addr, int port, SocketOptions options) {
            this.addr = addr;
            this.port = port;
            this.options = options;
        }

        public int address() { return addr; }

        public int port() { return port; }
    }
}
