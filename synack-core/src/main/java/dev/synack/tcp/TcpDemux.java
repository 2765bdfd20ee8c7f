package dev.synack.tcp;

import dev.synack.stats.Counter;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The TCP layer of one host, between IP and the connections: the tables (net/ipv4/inet_hashtables.c:
 * established 4-tuples in a {@link ConnTable}, listeners, ports reserved by bind()), segment delivery
 * (tcp_v4_rcv: parse the header into one reused {@link InSegment}, find the connection or the
 * listener, or answer with a RST, RFC 9293 §3.10.7.1), ICMP errors for a connection (tcp_v4_err), and
 * the port rules of bind(), listen() and connect() (inet_csk_bind_conflict, __inet_hash_connect).
 *
 * <p>It is the only caller of a connection's stack-side entry points ({@link TcpConnection#onSegment},
 * {@link TcpConnection#icmpError}, {@link TcpConnection#forget}), which is why they are
 * package-private. Single-threaded, like the {@link TcpHost} (the IP layer) it sits on.
 */
public final class TcpDemux {
    private final TcpHost host;
    private final InSegment seg = new InSegment();
    private final TcpOptions opts = new TcpOptions();
    private final ConnTable connections = new ConnTable();
    /** SACK-block scratch arrays for every connection of the host (see {@link Scratch}). */
    final Scratch scratch = new Scratch();
    /** The client's Fast Open cookies per server (Linux keeps them in tcp_metrics). */
    final FastOpen.Cache fastOpenCache = new FastOpen.Cache();

    /**
     * tcp_fastopen_cookie_check's answer for a connect to {@code addr}: a cookie is cached, or none is
     * needed (TFO_CLIENT_NO_COOKIE, TCP_FASTOPEN_NO_COOKIE). TCP_FASTOPEN_CONNECT defers the SYN then.
     */
    public boolean fastOpenCookieReady(int addr, SocketOptions options) {
        if ((host.config().tcpFastopen & FastOpen.TFO_CLIENT_NO_COOKIE) != 0 || options.fastOpenNoCookie) return true;
        FastOpen.Entry e = fastOpenCache.get(addr);
        return e != null && e.cookieLen > 0;
    }

    /** ip tcp_metrics flush: forgets what was learnt per destination (the Fast Open cookies). */
    public void flushMetrics() { fastOpenCache.clear(); }
    private final List<TcpListener> listeners = new ArrayList<>();
    /** Sockets bound to a port without being connected or listening yet (bind() before listen()). */
    private final LinkedHashSet<BoundPort> bound = new LinkedHashSet<>();
    /** How many of {@link #bound} hold each port. */
    private final LongCounts boundPorts = new LongCounts();
    /** INET_TABLE_PERTURB_SIZE, scaled down (see {@link #ephemeralPort}). */
    private static final int PERTURB_SLOTS = 256;
    private final int[] perturb = new int[PERTURB_SLOTS];

    public TcpDemux(TcpHost host) {
        this.host = host;
        this.mem = new TcpMemory(host);
    }

    /** TCP's memory and orphans across the host (tcp_mem, tcp_max_orphans). */
    final TcpMemory mem;

    /** TCP's memory and orphans across the host, for ss/sockstat-like readers. */
    public TcpMemory memory() { return mem; }

    /** The host's TCP connections (sk_sockets_allocated, less listeners). */
    int connectionCount() { return connections.size(); }

    // ---- input (tcp_v4_rcv, tcp_v4_err) ---------------------------------------------------------

    /**
     * A TCP segment whose IP header and TCP checksum were validated: {@code tlen} bytes at {@code t} of
     * {@code b}, from {@code src} to {@code dst} (one of our addresses), in a packet whose ECN field
     * was {@code ecn} (Linux's TCP_SKB_CB(skb)->ip_dsfield &amp; INET_ECN_MASK).
     */
    public void input(byte[] b, int t, int tlen, int src, int dst, int ecn) {
        InSegment s = seg;
        s.parse(b, t, tlen, src, dst, opts);
        s.ecn = ecn;
        if (s.srcPort == 0 || s.dstPort == 0) {
            host.counters().inc(Counter.TcpInErrs);
            host.segmentDropped(TcpDropReason.NO_SOCKET); // no socket can have port 0
            return;
        }
        TcpConnection c = connections.get(dst, s.dstPort, src, s.srcPort);
        if (s.hasMd5) {
            // tcp_v4_rcv → tcp_inbound_hash → tcp_inbound_md5_hash: synack's sockets have no MD5 keys
            // (TCP_MD5SIG is not modelled), so a signed segment is "unexpected" and dropped, at a
            // connection, a request socket or a listener alike; to no socket it draws no RST either
            // (tcp_v4_send_reset finds no key for it).
            host.counters().inc(Counter.TcpExtTCPMD5Unexpected);
            host.segmentDropped(c == null && findListener(dst, s.dstPort) == null ? TcpDropReason.NO_SOCKET
                    : TcpDropReason.TCP_MD5UNEXPECTED);
            return;
        }
        if (c != null) {
            TcpState before = c.state();
            c.onSegment(s);
            // A SYN that ended a TIME_WAIT goes on to the listener (Linux TCP_TW_SYN).
            if (!(before == TcpState.TIME_WAIT && c.state() == TcpState.CLOSE && s.has(TcpHeader.SYN))) return;
        }
        TcpListener l = findListener(dst, s.dstPort);
        if (l != null) {
            // tcp_rcv_state_process, TCP_LISTEN, and its drop reasons.
            if (s.has(TcpHeader.RST)) {
                host.segmentDropped(TcpDropReason.TCP_RESET);
                return;
            }
            if (s.has(TcpHeader.ACK)) {
                // tcp_v4_cookie_check: an ACK without SYN may answer one of our SYN cookies.
                if (!s.has(TcpHeader.SYN) && l.cookieCheck(s)) return;
                // RFC 9293 §3.10.7.2: an ACK to a listener is bad: <SEQ=SEG.ACK><CTL=RST>.
                sendReset(s, SendReason.RST_ACK_TO_LISTENER);
                host.segmentDropped(TcpDropReason.TCP_FLAGS);
                return;
            }
            // A segment without SYN, or a SYN with FIN, is discarded (SKB_DROP_REASON_TCP_FLAGS).
            if (!s.has(TcpHeader.SYN) || s.has(TcpHeader.FIN)) {
                host.segmentDropped(TcpDropReason.TCP_FLAGS);
                return;
            }
            TcpConnection child = l.onSyn(s);
            if (child != null && child.state() != TcpState.CLOSE) connections.put(child);
            return;
        }
        // RFC 9293 §3.10.7.1: no socket → RST.
        sendReset(s, SendReason.RST_NO_SOCKET);
        host.segmentDropped(TcpDropReason.NO_SOCKET);
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

    /** The RST for a segment no socket takes (tcp_v4_send_reset), for {@code why}; never in answer to a RST. */
    private void sendReset(InSegment s, SendReason why) {
        int flags = SegmentWriter.writeResetFor(host.txBuffer(), TcpHost.TCP_OFFSET, s);
        if (flags == 0) return;
        host.counters().inc(Counter.TcpOutSegs);
        host.counters().inc(Counter.TcpOutRsts);
        host.sendTcp(s.dstAddr, s.srcAddr, TcpHeader.HEADER_LEN, 0, 0, why, 0); // the control socket: DF, IP ID 0, Not-ECT
    }

    /**
     * An ICMP error quoting a segment of ours (tcp_v4_err): for the connection of the quoted 4-tuple, if
     * the quoted sequence number is outstanding; {@code err} null means "not an error" (e.g. PMTU).
     *
     * @param mtu for "fragmentation needed", the next-hop MTU it names (path MTU discovery,
     *     tcp_v4_mtu_reduced); -1 otherwise
     */
    public void icmpError(int localAddr, int localPort, int remoteAddr, int remotePort, int quotedSeq, Errno err,
                          int mtu) {
        TcpConnection c = connections.get(localAddr, localPort, remoteAddr, remotePort);
        if (c == null || c.state() == TcpState.CLOSE) return;
        if (!c.icmpSeqValid(quotedSeq)) {
            // tcp_v4_err (and tcp_req_err for a request): ignored, but counted (LINUX_MIB_OUTOFWINDOWICMPS).
            host.counters().inc(Counter.TcpExtOutOfWindowIcmps);
            return;
        }
        if (mtu >= 0) {
            // tcp_v4_err, ICMP_FRAG_NEEDED: not at a listener (synack's listeners are not in the table);
            // the route learns the path MTU and the connection shrinks its MSS (tcp_v4_mtu_reduced). A
            // request socket ignores it (tcp_req_err: not fatal), as synack's SYN_RECV connection that is
            // no Fast Open child does.
            if (c.state() == TcpState.SYN_RECV && !c.isFastOpenChild()) return;
            host.updatePmtu(remoteAddr, mtu);
            c.mtuReduced();
            return;
        }
        if (err != null) c.icmpError(err);
    }

    /**
     * A listener made {@code c} from a SYN cookie in {@code seg}: it joins the table and the ACK goes
     * on to it (tcp_child_process), which establishes it.
     */
    void cookieChild(TcpConnection c, InSegment seg) {
        connections.put(c);
        c.onSegment(seg);
    }

    /** tcp_challenge_timestamp and tcp_challenge_count: the host-wide challenge ACK budget (per second). */
    private long challengeSecond = -1;
    private int challengeCount;

    /**
     * tcp_send_challenge_ack's host-wide RFC 5961 §7 limit, when tcp_challenge_ack_limit is not INT_MAX
     * (Linux 6.18's default, which lets every challenge ACK through the host-wide check): each second a
     * budget drawn at random in [limit/2, limit + limit/2) (so the count cannot be inferred), and a
     * challenge ACK takes one. Measured on Linux 6.18 (limit 2, five in-window RSTs at once): 1 or 2
     * challenge ACKs.
     *
     * @return whether this challenge ACK may be sent
     */
    boolean challengeAckAllowed(long nowNs) {
        int limit = host.config().tcpChallengeAckLimit;
        if (limit == Integer.MAX_VALUE) return true;
        long second = nowNs / 1_000_000_000L; // jiffies / HZ
        if (second != challengeSecond) {
            int half = (int) (((long) limit + 1) >> 1);
            challengeSecond = second;
            challengeCount = half + Integer.remainderUnsigned(host.randomU32(), Math.max(limit, 1)); // [half, limit + half - 1]
        }
        if (challengeCount <= 0) return false;
        challengeCount--;
        return true;
    }

    /** A connection reached CLOSE and leaves the table. */
    void connectionClosed(TcpConnection c) { connections.remove(c); }

    /** A listener was closed and leaves the list. */
    void listenerClosed(TcpListener l) { listeners.remove(l); }

    // ---- the application's calls ------------------------------------------------------------------

    /**
     * bind(): reserves {@code localAddr:port} (port 0 = an ephemeral port), checking conflicts as
     * Linux's inet_csk_bind_conflict does: two sockets may share a port only if both set SO_REUSEADDR
     * and the existing one is not listening. The address has been checked to be local.
     */
    public BoundPort bind(int localAddr, int port, SocketOptions options) throws ErrnoException {
        if (port < 0 || port > 65535) throw new ErrnoException(Errno.EINVAL, "port " + port);
        if (port == 0) {
            port = ephemeralPort(localAddr, 0, 0, true);
            if (port == 0) throw new ErrnoException(Errno.EADDRINUSE, "no free ephemeral port");
        } else if (bindConflict(localAddr, port, options.reuseAddr, null)) {
            throw new ErrnoException(Errno.EADDRINUSE);
        }
        BoundPort b = new BoundPort(localAddr, port, options);
        addBound(b);
        return b;
    }

    /** Releases a reservation that was never used (close() of a bound socket). */
    public void unbind(BoundPort b) { removeBound(b); }

    private void addBound(BoundPort b) {
        if (bound.add(b)) boundPorts.increment(b.port());
    }

    private void removeBound(BoundPort b) {
        if (bound.remove(b)) boundPorts.decrement(b.port());
    }

    private boolean bindConflict(int addr, int port, boolean reuse, Object self) {
        for (BoundPort b : bound) {
            if (b == self || b.port() != port) continue;
            if (addr != 0 && b.address() != 0 && addr != b.address()) continue;
            if (!(reuse && b.options().reuseAddr)) return true;
        }
        for (TcpListener l : listeners) {
            if (l == self || l.localPort() != port || l.isClosed()) continue;
            if (addr != 0 && l.localAddr() != 0 && addr != l.localAddr()) continue;
            return true; // a listener always conflicts (sk2->sk_state == TCP_LISTEN)
        }
        if (!connections.portInUse(port)) return false;
        for (TcpConnection c : connections.all()) {
            if (c == self || c.localPort() != port) continue;
            if (addr != 0 && addr != c.localAddr()) continue;
            if (!(reuse && c.options.reuseAddr)) return true;
        }
        return false;
    }

    /** listen(): a listener on the reservation's address and port. */
    public TcpListener listen(BoundPort b, int backlog) throws ErrnoException {
        for (TcpListener l : listeners) {
            if (l.localPort() == b.port() && (l.localAddr() == 0 || b.address() == 0 || l.localAddr() == b.address())) {
                throw new ErrnoException(Errno.EADDRINUSE);
            }
        }
        removeBound(b);
        if (bindConflict(b.address(), b.port(), b.options().reuseAddr, null)) {
            addBound(b);
            throw new ErrnoException(Errno.EADDRINUSE);
        }
        TcpListener l = new TcpListener(host, this, b.address(), b.port(), backlog, b.options());
        listeners.add(l);
        return l;
    }

    /**
     * connect(): a new connection from the reservation (or an ephemeral port of {@code localAddr} when
     * {@code b} is null) to {@code remoteAddr:remotePort}; the SYN leaves at once. The route exists.
     *
     * @throws ErrnoException EADDRNOTAVAIL when no port is free or the 4-tuple is taken
     */
    public TcpConnection connect(BoundPort b, int localAddr, int remoteAddr, int remotePort, SocketOptions options)
            throws ErrnoException {
        return connect(b, localAddr, remoteAddr, remotePort, options, null);
    }

    /** As above, with Fast Open's first data ({@link FastOpen.Request}, or null). */
    public TcpConnection connect(BoundPort b, int localAddr, int remoteAddr, int remotePort, SocketOptions options,
                                 FastOpen.Request fastOpen) throws ErrnoException {
        int localPort;
        if (b != null) {
            localPort = b.port();
            if (connections.get(localAddr, localPort, remoteAddr, remotePort) != null) {
                throw new ErrnoException(Errno.EADDRNOTAVAIL);
            }
            removeBound(b);
        } else {
            localPort = ephemeralPort(localAddr, remoteAddr, remotePort, false);
            if (localPort == 0) throw new ErrnoException(Errno.EADDRNOTAVAIL);
        }
        TcpConnection c = new TcpConnection(host, this, options);
        // connect() puts the socket in the tables before the SYN leaves (inet_hash_connect).
        c.connect(localAddr, localPort, remoteAddr, remotePort, fastOpen);
        if (c.state() != TcpState.CLOSE) connections.put(c);
        return c;
    }

    /**
     * An ephemeral port as Linux's __inet_hash_connect picks it: start at a keyed hash of the
     * destination, walk the range (tcp ip_local_port_range) in steps of 2, connect() taking even
     * ports first and bind() odd ones (Linux 6.x), skipping ports in use.
     */
    private int ephemeralPort(int localAddr, int remoteAddr, int remotePort, boolean forBind) {
        TcpConfig config = host.config();
        int lo = config.ipLocalPortRange[0], hi = config.ipLocalPortRange[1];
        int range = hi - lo + 1;
        long h = host.portOffsetHash(localAddr, remoteAddr, remotePort, forBind);
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

    private boolean portUsed(int localAddr, int port, int remoteAddr, int remotePort, boolean forBind) {
        if (boundPorts.get(port) > 0) return true;
        for (TcpListener l : listeners) if (l.localPort() == port) return true;
        // Any connection on the port for bind(); for connect() one towards the same peer (any local address).
        return forBind ? connections.portInUse(port) : connections.portInUse(port, remoteAddr, remotePort);
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
        mem.reset();
        boundPorts.clear();
    }

    /**
     * Scratch arrays for SACK blocks, one set per host instead of one per connection (≈280 bytes of
     * each connection's heap): each pair is filled and read within one method that neither sends nor
     * receives, so on the host's one thread no two uses overlap. One pair per user, so none depends
     * on another's timing.
     */
    static final class Scratch {
        /** {@link SegmentWriter}: the blocks of the segment being built, and the out-of-order ranges. */
        final int[] writerStarts = new int[4], writerEnds = new int[4], ofoStarts = new int[4], ofoEnds = new int[4];
        /** {@link SackScoreboard#tag}: the valid blocks sorted by start. */
        final int[] orderStarts = new int[4], orderEnds = new int[4];
        /** {@link SegmentArrival}: the out-of-order ranges when a RST is checked against them. */
        final int[] rstStarts = new int[4], rstEnds = new int[4];
    }
}
