package dev.synack.stack;

import dev.synack.link.Link;
import dev.synack.link.PacketSink;
import dev.synack.stats.Counter;
import dev.synack.stats.Counters;
import dev.synack.tcp.Errno;
import dev.synack.tcp.BoundPort;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.FastOpen;
import dev.synack.tcp.SendReason;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpHost;
import dev.synack.tcp.TcpDemux;
import dev.synack.tcp.TcpDropReason;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.TcpMemory;
import dev.synack.tcp.TcpState;
import dev.synack.time.Scheduler;
import dev.synack.time.TimerWheel;
import dev.synack.wire.SipHash;
import dev.synack.trace.TraceEvent;
import dev.synack.trace.Tracer;
import dev.synack.wire.DropReason;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * One host's TCP/IP stack: interfaces and routes, IPv4 input and output, ICMP errors, the secrets
 * behind ISNs (RFC 6528) and port choices, and the host's counters, with TCP above it in a
 * {@link TcpDemux} (connections, listeners, ports, the RST for segments no socket wants).
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
    private final List<NetInterface> interfaces = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    /** TCP above this IP layer: connections, listeners, ports. */
    private final TcpDemux tcp = new TcpDemux(this);
    private final SipHash secret;
    /** Linux's syncookie_secret[2] (net/ipv4/syncookies.c), derived from the host's secret. */
    private final SipHash[] cookieSecrets;
    private final long isnClockOriginNs;
    private Tracer tracer;
    /** While tracing, the copy of the packet being received (its {@link TraceEvent.Packet}'s bytes), else null. */
    private byte[] inbound;
    /** How many random IP IDs were drawn (the input of the next draw). */
    private long ipIdDraws;
    /** Where connection buffers get their storage when the pool has none ({@link #setAllocator}). */
    private IntFunction<byte[]> allocator = byte[]::new;
    /**
     * The storage the connections' rings gave back, for the next ring that needs the same length; null
     * once {@link #setAllocator} installed an allocator, which then sees every allocation.
     */
    private StoragePool pool = new StoragePool(StoragePool.DEFAULT_MAX_ARRAY_BYTES, StoragePool.DEFAULT_LIMIT_BYTES);
    /** Rethrow what handling a packet threw, instead of counting and dropping it ({@link #setStrict}). */
    private boolean strict;
    /** The last exception a received packet's handling threw, or null. */
    private Throwable lastInternalError;
    /** When TCP's timers fire with {@link TcpConfig#timerWheel}: this host's jiffies, seeded. */
    private final TimerWheel wheel;

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
        long tag = 0x7379_6e63_6f6f_6bL; // "syncook"
        this.cookieSecrets = new SipHash[] {
            new SipHash(secret.hash(tag, 0), secret.hash(tag, 1)), new SipHash(secret.hash(tag, 2), secret.hash(tag, 3))};
        this.wheel = TimerWheel.hz250(secret.hash(0x7768_6565_6cL, 0)); // "wheel": this host's jiffies phase
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

    /** The trace bus reader, or null when nobody listens. */
    public Tracer tracer() { return tracer; }

    @Override
    public boolean tracing() { return tracer != null; }

    @Override
    public void stateChanged(TcpConnection c, TcpState from, TcpState to) {
        if (tracer != null) tracer.on(new TraceEvent.StateChange(scheduler.nowNs(), name, c.id(), from, to));
    }

    @Override
    public long timerExpiryNs(long nowNs, long timeoutNs) {
        return config.timerWheel ? wheel.expiryNs(nowNs, timeoutNs) : nowNs + timeoutNs;
    }

    @Override
    public void timerFired(TcpConnection c, String timer) {
        if (tracer != null) tracer.on(new TraceEvent.TimerFired(scheduler.nowNs(), name, c.id(), timer));
    }

    @Override
    public void cwndSampled(TcpConnection c, int cwnd, int ssthresh, long srttUs, int inFlight, String caState,
                            long rtoUs, int sndWnd, int unackedBytes) {
        if (tracer != null) {
            tracer.on(new TraceEvent.CwndSample(scheduler.nowNs(), name, c.id(), cwnd, ssthresh, srttUs, inFlight, caState,
                    rtoUs, sndWnd, unackedBytes));
        }
    }

    @Override
    public void segmentDropped(TcpDropReason reason) {
        if (tracer != null && inbound != null) tracer.on(new TraceEvent.SegmentDropped(scheduler.nowNs(), name, reason, inbound));
    }

    /** An array a ring gave back, or a new one from the {@linkplain #setAllocator allocator}. */
    @Override
    public byte[] allocate(int n) {
        byte[] a = pool != null ? pool.take(n) : null;
        return a != null ? a : allocator.apply(n);
    }

    /** Kept for the next ring that needs its length (within the pool's bound). */
    @Override
    public void release(byte[] array) {
        if (pool != null) pool.give(array);
    }

    /**
     * Where connection buffers get their storage from now on ({@code byte[]::new} by default): a seam for
     * tests that make an allocation fail, or for an embedding that accounts for its heap. From then on
     * nothing is reused behind its back: every array comes from {@code allocator}, and what rings give
     * back is left to the garbage collector.
     */
    public void setAllocator(IntFunction<byte[]> allocator) {
        this.allocator = Objects.requireNonNull(allocator);
        pool = null;
    }

    /**
     * Strict: a {@link RuntimeException} (a bug in synack) thrown while a received packet is handled
     * leaves {@link #receive} instead of being counted ({@code SynackInInternalErrors}) and dropped. Unit
     * tests run strict; a stack facing a network does not. Running out of memory is a drop either way.
     */
    public void setStrict(boolean strict) { this.strict = strict; }

    /** The last exception a received packet's handling threw and {@link #receive} dropped, or null. */
    public Throwable lastInternalError() { return lastInternalError; }

    /** Installs the trace bus reader (null to stop tracing). */
    public void setTracer(Tracer tracer) { this.tracer = tracer; }

    @Override
    public byte[] txBuffer() { return tx; }

    @Override
    public int mtuTo(int dst) {
        Route r = route(dst);
        int mtu = r == null || r.iface() == null ? 1500 : r.iface().mtu();
        long[] p = pmtu.get(dst);
        if (p != null) {
            if (scheduler.nowNs() - p[1] < 0) return (int) Math.min(mtu, p[0]);
            pmtu.remove(dst); // expired (ip_rt_mtu_expires)
        }
        return mtu;
    }

    /**
     * Path MTUs learnt from ICMP "fragmentation needed" (RFC 1191), per destination with when each
     * expires: Linux's next-hop exceptions (fib_nh_exception's fnhe_pmtu and fnhe_expires).
     */
    private final java.util.Map<Integer, long[]> pmtu = new java.util.HashMap<>();

    /** net.ipv4.route.min_pmtu (ip_rt_min_pmtu): 512 + 20 + 20. */
    static final int MIN_PMTU = 552;
    /** net.ipv4.route.mtu_expires (ip_rt_mtu_expires): 10 minutes. */
    static final long MTU_EXPIRES_NS = 600_000_000_000L;

    /**
     * __ip_rt_update_pmtu (net/ipv4/route.c): a larger MTU than the path's is ignored; one below
     * min_pmtu becomes min_pmtu (Linux also locks the route's MTU then); the exception lasts
     * mtu_expires.
     */
    @Override
    public void updatePmtu(int dst, int mtu) {
        int old = mtuTo(dst);
        if (old < mtu) return;
        if (mtu < MIN_PMTU) mtu = Math.min(old, MIN_PMTU);
        pmtu.put(dst, new long[] {mtu, scheduler.nowNs() + MTU_EXPIRES_NS});
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
    public int sendTcp(int src, int dst, int tcpLen, int ipId, int tos, SendReason reason, int n) {
        Route r = route(dst);
        if (r == null) {
            counters.inc(Counter.IpOutNoRoutes);
            return -Errno.ENETUNREACH.number();
        }
        if (r.type() != Route.Type.UNICAST) return -r.type().error().number();
        TcpHeader.writeChecksum(tx, TCP_OFFSET, tcpLen, src, dst);
        Ipv4.write(tx, 0, src, dst, Ipv4.PROTO_TCP, Ipv4.DEFAULT_TTL, ipId, tcpLen, tos);
        return output(r, tx, 0, TCP_OFFSET + tcpLen, reason, n);
    }

    @Override
    public int randomU32() { return (int) secret.hash(0x7233_32L, u32Draws++); }

    /** How many random u32 were drawn (the input of the next draw). */
    private long u32Draws;

    @Override
    public int randomIpId() { return (int) (secret.hash(0x6970_6964L, ipIdDraws++) & 0xFFFF); }

    private int output(Route r, byte[] b, int off, int len, SendReason reason, int n) {
        counters.inc(Counter.IpOutRequests);
        if (r.iface().isTxRefused()) return TcpHost.NET_XMIT_DROP; // the qdisc dropped it: never on the wire
        if (tracer != null) {
            tracer.on(new TraceEvent.Packet(scheduler.nowNs(), name, true, Arrays.copyOfRange(b, off, off + len), reason, n));
        }
        Link link = r.iface().link();
        if (link != null) link.transmit(b, off, len);
        return 0;
    }

    @Override
    public long portOffsetHash(int localAddr, int remoteAddr, int remotePort, boolean forBind) {
        return secret.hash(((long) localAddr << 32) | (remoteAddr & 0xFFFF_FFFFL), remotePort + (forBind ? 1L << 40 : 0));
    }

    /** cookie_hash: siphash_4u32(saddr, daddr, sport << 16 | dport, count, &syncookie_secret[c]). */
    @Override
    public int synCookieHash(int peerAddr, int localAddr, int peerPort, int localPort, int count, int c) {
        return (int) cookieSecrets[c].hash(((long) peerAddr << 32) | (localAddr & 0xFFFF_FFFFL),
                ((long) ((peerPort << 16) | localPort) << 32) | (count & 0xFFFF_FFFFL));
    }

    // ---- configuration ------------------------------------------------------------------------

    /** Adds an interface with its connected route; returns it. */
    public NetInterface addInterface(String ifName, int address, int prefixLength, int mtu, Link link) {
        NetInterface nic = new NetInterface(this, ifName, address, prefixLength, mtu, link);
        interfaces.add(nic);
        localAddresses = Arrays.copyOf(localAddresses, interfaces.size());
        localAddresses[interfaces.size() - 1] = address;
        routes.add(new Route(address, prefixLength, 0, nic));
        routesChanged();
        return nic;
    }

    /** Adds a route through an interface of this host. */
    public void addRoute(int destination, int prefixLength, int gateway, NetInterface nic) {
        routes.add(new Route(destination, prefixLength, gateway, nic));
        routesChanged();
    }

    /** Adds a route of another type than unicast (blackhole, unreachable, prohibit, throw): no interface. */
    public void addRoute(int destination, int prefixLength, Route.Type type) {
        if (type == Route.Type.UNICAST) throw new IllegalArgumentException("a unicast route needs an interface");
        routes.add(new Route(destination, prefixLength, 0, null, type));
        routesChanged();
    }

    /** Removes every route through {@code nic} but its connected one. */
    public void removeRoutes(NetInterface nic) {
        routes.removeIf(r -> r.iface() == nic && r.gateway() != 0);
        routesChanged();
    }

    /** A route was added or removed, or an interface went up or down: what {@link #route} answered may change. */
    void routesChanged() { routesVersion++; }

    public List<NetInterface> interfaces() { return List.copyOf(interfaces); }

    public List<Route> routes() { return List.copyOf(routes); }

    /** The longest-prefix route to {@code dst} through an interface that is up, or null. */
    public Route route(int dst) {
        // A one-entry cache: a host sends mostly to one destination at a time. It is keyed by the
        // destination and the version of the routes and of the interfaces' states (a cable pulled or
        // plugged changes the answer; NetInterface.setUp bumps it).
        if (dst == cachedDst && cachedVersion == routesVersion) return cachedRoute;
        Route best = null;
        for (Route r : routes) {
            if (!r.usable() || !r.matches(dst)) continue;
            if (best == null || r.prefixLength() > best.prefixLength()) best = r;
        }
        // (A packet to one of our own addresses finds no route: there is no loopback interface yet.)
        cachedDst = dst;
        cachedVersion = routesVersion;
        cachedRoute = best;
        return best;
    }

    private int cachedDst, cachedVersion = -1, routesVersion;
    private Route cachedRoute;

    /**
     * ip_route_input_slow's martian sources: a packet from a multicast address, the limited broadcast,
     * 0.0.0.0 or loopback (127/8, route_localnet 0) is dropped before any protocol sees it, so a SYN
     * from there is never answered (our own address, fib_validate_source, is checked by the caller). Measured on Linux 6.18 (packetdrill, a SYN to a listener): no SYN-ACK from 224.0.0.5,
     * 255.255.255.255, 0.0.0.0 or 127.0.0.2; 0.0.0.7 is answered (0.0.0.0/8 is unicast since Linux 5.3).
     */
    private boolean martianSource(int src) {
        return src == 0 || src == -1 || (src >>> 28) == 0xE || (src >>> 24) == 127;
    }

    /** Whether {@code addr} is one of this host's addresses. */
    public boolean isLocal(int addr) {
        for (int a : localAddresses) if (a == addr) return true; // an int[]: twice per received packet
        return false;
    }

    /** The interfaces' addresses, in order (interfaces are only added). */
    private int[] localAddresses = new int[0];

    /** The first address of the host (its "primary" address). */
    public int primaryAddress() { return interfaces.isEmpty() ? 0 : interfaces.getFirst().address(); }

    // ---- application calls -------------------------------------------------------------------

    /**
     * bind(): reserves {@code localAddr:port} (port 0 = an ephemeral port), checking conflicts as
     * Linux's inet_csk_bind_conflict does (see {@link TcpDemux#bind}).
     *
     * @return the reservation, to pass to {@link #listen} or {@link #connect}
     */
    public BoundPort bind(int localAddr, int port, SocketOptions options) throws ErrnoException {
        if (localAddr != 0 && !isLocal(localAddr)) throw new ErrnoException(Errno.EADDRNOTAVAIL);
        return tcp.bind(localAddr, port, options);
    }

    /** Releases a reservation that was never used (close() of a bound socket). */
    public void unbind(BoundPort b) { tcp.unbind(b); }

    /** listen(): a listener on the reservation's address and port. */
    public TcpListener listen(BoundPort b, int backlog) throws ErrnoException { return tcp.listen(b, backlog); }

    /** Whether a Fast Open connect to {@code addr} could send data in its SYN now (see {@link TcpDemux#fastOpenCookieReady}). */
    public boolean fastOpenCookieReady(int addr, SocketOptions options) { return tcp.fastOpenCookieReady(addr, options); }

    /** ip tcp_metrics flush: forgets what TCP learnt per destination (the Fast Open cookies). */
    public void flushTcpMetrics() { tcp.flushMetrics(); }

    /**
     * connect(): a new connection from the reservation (or an ephemeral port when {@code b} is null)
     * to {@code remoteAddr:remotePort}; the SYN leaves at once.
     *
     * @throws ErrnoException ENETUNREACH with no route, the route's error for a blackhole (EINVAL),
     *     unreachable (EHOSTUNREACH) or prohibit (EACCES) route (nothing is sent), EADDRNOTAVAIL when
     *     no port is free
     */
    public TcpConnection connect(BoundPort b, int remoteAddr, int remotePort, SocketOptions options) throws ErrnoException {
        return connect(b, remoteAddr, remotePort, options, null);
    }

    /**
     * As {@link #connect(BoundPort, int, int, SocketOptions)}, with Fast Open's first data ({@code fastOpen},
     * null for none): sendto(MSG_FASTOPEN) or the first write after TCP_FASTOPEN_CONNECT. The SYN carries
     * what Linux's tcp_send_syn_data would put in it ({@link FastOpen.Request#copied()}).
     */
    public TcpConnection connect(BoundPort b, int remoteAddr, int remotePort, SocketOptions options,
                                 FastOpen.Request fastOpen) throws ErrnoException {
        Route r = route(remoteAddr);
        if (r == null) {
            counters.inc(Counter.IpOutNoRoutes);
            throw new ErrnoException(Errno.ENETUNREACH);
        }
        if (r.type() != Route.Type.UNICAST) throw new ErrnoException(r.type().error()); // nothing is sent
        if (remotePort <= 0 || remotePort > 65535) throw new ErrnoException(Errno.ECONNREFUSED, "port " + remotePort);
        int localAddr = b != null && b.address() != 0 ? b.address() : r.iface().address();
        return tcp.connect(b, localAddr, remoteAddr, remotePort, options, fastOpen);
    }

    /** Every connection of the host, in creation order (for listings like ss). */
    public List<TcpConnection> connections() { return tcp.connections(); }

    /** Every listener of the host. */
    public List<TcpListener> listeners() { return tcp.listeners(); }

    /** TCP's memory and orphans across this host (tcp_mem, tcp_max_orphans; like /proc/net/sockstat). */
    public TcpMemory tcpMemory() { return tcp.memory(); }

    /**
     * The host lost all its state (a crash, or the instant of a reboot): every connection and listener
     * is forgotten without a packet, and the timers stop.
     */
    public void forgetEverything() { tcp.forgetEverything(); }

    // ---- input --------------------------------------------------------------------------------

    /**
     * An IPv4 packet arrived from a link. Malformed packets are counted and dropped with a reason on
     * the trace bus; nothing a peer sends can throw out of here. Neither can running out of memory:
     * an {@link OutOfMemoryError} while the packet is handled (a buffer that could not grow) drops it
     * with {@link DropReason#NO_MEMORY} ({@code SynackInNoMemDrops}), as Linux drops an skb whose
     * allocation fails (SKB_DROP_REASON_NOMEM); what the packet changed before that stays, as it would
     * have after a drop at that point. Any other exception is a bug in synack: counted
     * ({@code SynackInInternalErrors}), kept ({@link #lastInternalError}) and the packet dropped, unless
     * the stack is {@linkplain #setStrict strict}.
     */
    @Override
    public void receive(byte[] b, int off, int len) {
        counters.inc(Counter.IpInReceives);
        byte[] outer = inbound;
        inbound = null;
        try {
            if (tracer != null) {
                inbound = Arrays.copyOfRange(b, off, off + len);
                tracer.on(new TraceEvent.Packet(scheduler.nowNs(), name, false, inbound));
            }
            input(b, off, len);
        } catch (OutOfMemoryError e) {
            lastInternalError = e;
            noMemory(b, off, len);
        } catch (RuntimeException | StackOverflowError e) {
            lastInternalError = e;
            counters.inc(Counter.SynackInInternalErrors);
            if (strict) throw e;
        } finally {
            inbound = outer;
        }
    }

    /** The drop of a packet that could not be held; tracing it may fail too, and is then skipped. */
    private void noMemory(byte[] b, int off, int len) {
        counters.inc(Counter.SynackInNoMemDrops);
        try {
            if (tracer != null) {
                byte[] bytes = inbound != null ? inbound : Arrays.copyOfRange(b, off, off + len);
                tracer.on(new TraceEvent.Dropped(scheduler.nowNs(), name, DropReason.NO_MEMORY, bytes));
            }
        } catch (OutOfMemoryError e) {
            // nothing more to do: the counter says it
        }
    }

    /** IPv4 input after the trace: validation, the destination and source checks, then the protocol. */
    private void input(byte[] b, int off, int len) {
        if (len >= Ipv4.HEADER_LEN && Ipv4.version(b, off) == 4 && Ipv4.ihl(b, off) >= 5) {
            // ip_rcv_core counts the ECN field once the version and header length check out, before
            // the checksum: IPSTATS_MIB_NOECTPKTS + (tos & INET_ECN_MASK).
            counters.inc(ECN_COUNTERS[Ipv4.ecn(b, off)]);
        }
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
        int src = Ipv4.src(b, off);
        // Our own address as the source: a segment only. The host's own ICMP errors (the LAN's local host
        // unreachable when ARP fails) come in this way, where Linux loops them back without the check.
        if (martianSource(src) || (Ipv4.protocol(b, off) == Ipv4.PROTO_TCP && isLocal(src))) {
            drop(DropReason.MARTIAN_SOURCE, b, off, len);
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

    /** IpExtIn{NoECT,ECT1,ECT0,CE}Pkts by codepoint. */
    private static final Counter[] ECN_COUNTERS = {
        Counter.IpExtInNoECTPkts, Counter.IpExtInECT1Pkts, Counter.IpExtInECT0Pkts, Counter.IpExtInCEPkts};

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
            case NO_SOCKET, MARTIAN_SOURCE, NO_MEMORY -> {
            }
        }
        if (tracer != null) {
            byte[] bytes = inbound != null ? inbound : Arrays.copyOfRange(b, off, off + len);
            tracer.on(new TraceEvent.Dropped(scheduler.nowNs(), name, reason, bytes));
        }
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
        tcp.input(b, t, tlen, src, dst, Ipv4.ecn(b, off));
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
        int code = Icmp.code(b, i);
        // icmp_unreach: a frag_needed's next-hop MTU (RFC 1191 §4) is tcp_v4_err's info.
        tcp.icmpError(Icmp.quotedSrc(b, i), Icmp.quotedSrcPort(b, i), Icmp.quotedDst(b, i),
                Icmp.quotedDstPort(b, i), Icmp.quotedTcpSeq(b, i), icmpErrno(code),
                code == Icmp.FRAG_NEEDED ? Icmp.nextHopMtu(b, i) : -1);
    }

    /** icmp_err_convert (net/ipv4/icmp.c): the errno for each destination-unreachable code. */
    static Errno icmpErrno(int code) {
        return switch (code) {
            case 0, 6, 9, 11 -> Errno.ENETUNREACH;
            case 1, 7, 10, 12, 13, 14, 15 -> Errno.EHOSTUNREACH;
            case 2 -> Errno.ENOPROTOOPT;
            case 3 -> Errno.ECONNREFUSED;
            case 4 -> null; // fragmentation needed: path MTU discovery (tcp_v4_mtu_reduced), not an error
            case 5 -> Errno.EOPNOTSUPP;
            default -> null;
        };
    }

    @Override
    public String toString() { return "Stack[" + name + "]"; }
}
