package dev.synack.tcp;

import dev.synack.stats.Counter;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A listening socket (RFC 9293 LISTEN): a SYN queue of connections in SYN_RECV and an accept queue
 * of established ones waiting for accept(), both bounded by the listen backlog as Linux bounds them
 * (sk_max_ack_backlog: inet_csk_reqsk_queue_is_full and sk_acceptq_is_full are both "length &gt;
 * backlog", so each holds backlog + 1 — measured on Linux 6.18: listen(fd, 2) answers 3 SYNs from a
 * SYN queue and the 4th with a cookie). A full SYN queue sends SYN cookies ({@link SynCookies},
 * tcp_syncookies) or drops.
 */
public final class TcpListener {
    final TcpHost host;
    private final TcpDemux demux;
    final int localAddr, localPort;
    public final SocketOptions options;
    int backlog;
    final List<TcpConnection> synQueue = new ArrayList<>();
    final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    boolean closed;
    private Runnable observer;
    /** When the SYN queue last overflowed into cookies (tcp_synq_overflow), or none. */
    private long lastOverflowNs;
    private boolean overflowed;
    /** The one "Possible SYN flooding" note of this listener (queue->synflood_warned), or null. */
    private String synFloodWarning;

    /** A listener of {@code host}; the demux creates it for listen(). */
    TcpListener(TcpHost host, TcpDemux demux, int localAddr, int localPort, int backlog, SocketOptions options) {
        this.host = host;
        this.demux = demux;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.options = options;
        setBacklog(backlog);
        // inet_listen: with TFO_SERVER_WO_SOCKOPT1 and TFO_SERVER_ENABLE every listener gets a Fast Open
        // queue of its backlog (fastopen_queue_tune: min(backlog, somaxconn)) unless TCP_FASTOPEN set one.
        int tfo = host.config().tcpFastopen;
        if ((tfo & FastOpen.TFO_SERVER_WO_SOCKOPT1) != 0 && (tfo & FastOpen.TFO_SERVER_ENABLE) != 0 && options.fastOpenQlen == 0) {
            options.fastOpenQlen = Math.min(Math.max(backlog, 0), host.config().somaxconn);
        }
    }

    /** listen(backlog) again changes the bound, as Linux allows. */
    public void setBacklog(int backlog) {
        this.backlog = Math.max(0, Math.min(backlog, host.config().somaxconn));
    }

    public int localAddr() { return localAddr; }

    public int localPort() { return localPort; }

    /** Connections waiting for accept() (ss Recv-Q of a listener). */
    public int acceptQueueLength() { return acceptQueue.size(); }

    /** The backlog (ss Send-Q of a listener). */
    public int backlog() { return backlog; }

    /** Connections in SYN_RECV. */
    public int synQueueLength() { return synQueue.size(); }

    /** Registers the observer told when a connection is ready to accept. */
    public void setObserver(Runnable observer) { this.observer = observer; }

    /** The next established connection, or null when none is waiting. */
    public TcpConnection accept() {
        TcpConnection c = acceptQueue.poll();
        if (c != null) c.detachFromListener();
        return c;
    }

    private boolean acceptQueueFull() { return acceptQueue.size() > backlog; }

    /**
     * A SYN for this listener (tcp_conn_request, net/ipv4/tcp_input.c): with tcp_syncookies 2, or when
     * the SYN queue is full, tcp_syn_flood_action decides between a cookie and a drop; a full accept
     * queue drops (ListenOverflows); without cookies the last quarter of tcp_max_syn_backlog is kept
     * for peers proven alive (tcp_peer_is_proven: we keep no metrics, so none is); otherwise a new
     * connection in SYN_RECV answers. Every drop counts ListenDrops (tcp_listendrop).
     *
     * @return the new connection in SYN_RECV, for the demux table, or null (dropped, or answered
     *     with a cookie and forgotten)
     */
    TcpConnection onSyn(InSegment seg) {
        TcpConfig cfg = host.config();
        int syncookies = cfg.tcpSyncookies;
        boolean wantCookie = false;
        if (syncookies == 2 || reqskQueueIsFull()) {
            wantCookie = synFloodAction(syncookies);
            if (!wantCookie) return listenDrop(TcpDropReason.TCP_REQQFULLDROP);
        }
        if (acceptQueueFull()) {
            host.counters().inc(Counter.TcpExtListenOverflows);
            return listenDrop(TcpDropReason.TCP_LISTEN_OVERFLOW);
        }
        if (wantCookie) {
            sendCookieSynAck(seg);
            return null;
        }
        int maxSynBacklog = cfg.tcpMaxSynBacklog;
        if (syncookies == 0 && maxSynBacklog - synQueue.size() < (maxSynBacklog >> 2)) {
            // "Without syncookies last quarter of backlog is filled with destinations, proven to be alive."
            return listenDrop(TcpDropReason.TCP_MAX_SYN_BACKLOG);
        }
        TcpConnection c = new TcpConnection(host, demux, options.copy());
        synQueue.add(c);
        FastOpenAnswer fo = tryFastOpen(seg);
        c.acceptSyn(this, seg, fo);
        if (fo.child() && c.state() == TcpState.SYN_RECV) {
            // tcp_conn_request: a Fast Open child goes straight into the accept queue (inet_csk_reqsk_queue_add).
            synQueue.remove(c);
            fastOpenQlen++;
            acceptQueue.add(c);
            notifyApp();
        }
        return c;
    }

    // ---- Fast Open (RFC 7413; Linux net/ipv4/tcp_fastopen.c) ---------------------------------------

    /** Fast Open children whose handshake has not ended, and resets still held (fastopenq.qlen). */
    private int fastOpenQlen;
    /** When each Fast Open child reset by its peer stops counting (fastopenq.rskq_rst_head: 60 s). */
    private final ArrayDeque<Long> fastOpenResets = new ArrayDeque<>();
    private static final long FASTOPEN_RST_HOLD_NS = 60_000_000_000L;

    /**
     * What tcp_try_fastopen decided for a SYN: whether a child takes the SYN's data now, and the cookie
     * for the SYN-ACK ({@code cookieLen} -1: no option), in the form the SYN used ({@code exp}).
     */
    record FastOpenAnswer(boolean child, byte[] cookie, int cookieLen, boolean exp) {
        static final FastOpenAnswer NONE = new FastOpenAnswer(false, null, -1, false);
    }

    /** The Fast Open keys of this listener: its own (TCP_FASTOPEN_KEY) or the host's (tcp_fastopen_key). */
    byte[] fastOpenKeys() {
        if (options.fastOpenKey != null) return options.fastOpenKey;
        TcpConfig cfg = host.config();
        if (cfg.tcpFastopenKey == null) cfg.tcpFastopenKey = FastOpen.hostKey(host); // tcp_fastopen_init_key_once
        return cfg.tcpFastopenKey;
    }

    /**
     * tcp_try_fastopen: a cookie request is counted (TCPFastOpenCookieReqd); nothing happens unless the
     * server side is on, the SYN has data or the option, and the Fast Open queue has room. Then a SYN
     * is taken without a cookie when TFO_SERVER_COOKIE_NOT_REQD; a cookie request gets the cookie; a
     * cookie is checked against the primary key, then the backup (which also sends the primary's
     * cookie back, TCPFastOpenPassiveAltKey); a valid one makes a child even with no data; a wrong
     * one counts TCPFastOpenPassiveFail and gets the right cookie.
     */
    private FastOpenAnswer tryFastOpen(InSegment seg) {
        int tfo = host.config().tcpFastopen;
        boolean synData = seg.payloadLen > 0;
        if (seg.foLen == 0) host.counters().inc(Counter.TcpExtTCPFastOpenCookieReqd);
        if ((tfo & FastOpen.TFO_SERVER_ENABLE) == 0 || !(synData || seg.foLen >= 0) || !fastOpenQueueCheck()) {
            return FastOpenAnswer.NONE;
        }
        if ((tfo & FastOpen.TFO_SERVER_COOKIE_NOT_REQD) != 0) {
            host.counters().inc(Counter.TcpExtTCPFastOpenPassive);
            return new FastOpenAnswer(true, null, -1, seg.foExp);
        }
        byte[] keys = fastOpenKeys();
        if (seg.foLen == 0) {
            return new FastOpenAnswer(false, FastOpen.cookie(keys, 0, seg.srcAddr, seg.dstAddr), FastOpen.COOKIE_SIZE, seg.foExp);
        }
        if (seg.foLen > 0) {
            byte[] valid = FastOpen.cookie(keys, 0, seg.srcAddr, seg.dstAddr);
            int ret = FastOpen.check(keys, seg.srcAddr, seg.dstAddr, seg.foCookie, seg.foLen);
            if (ret == 0) {
                host.counters().inc(Counter.TcpExtTCPFastOpenPassiveFail);
                return new FastOpenAnswer(false, valid, FastOpen.COOKIE_SIZE, seg.foExp);
            }
            host.counters().inc(Counter.TcpExtTCPFastOpenPassive);
            if (ret == 2) {
                host.counters().inc(Counter.TcpExtTCPFastOpenPassiveAltKey);
                return new FastOpenAnswer(true, valid, FastOpen.COOKIE_SIZE, seg.foExp);
            }
            return new FastOpenAnswer(true, null, -1, seg.foExp);
        }
        return FastOpenAnswer.NONE; // data without the option
    }

    /**
     * tcp_fastopen_queue_check: no queue (max_qlen 0) means no Fast Open; a full one frees the oldest
     * held reset if its minute is over, else counts TCPFastOpenListenOverflow and says no.
     */
    private boolean fastOpenQueueCheck() {
        int max = options.fastOpenQlen;
        if (max == 0) return false;
        if (fastOpenQlen >= max) {
            Long first = fastOpenResets.peekFirst();
            if (first == null || first > host.scheduler().nowNs()) {
                host.counters().inc(Counter.TcpExtTCPFastOpenListenOverflow);
                return false;
            }
            fastOpenResets.pollFirst();
            fastOpenQlen--;
        }
        return true;
    }

    /**
     * reqsk_fastopen_remove: a Fast Open child's handshake ended (the third ACK, or the child closed),
     * so it leaves the Fast Open queue — unless its peer reset it, when it keeps its place for a minute
     * (so that a flood of SYN-data with RSTs cannot cycle the queue).
     */
    void fastOpenDone(boolean reset) {
        if (reset && !closed) {
            fastOpenResets.addLast(host.scheduler().nowNs() + FASTOPEN_RST_HOLD_NS);
            return;
        }
        if (fastOpenQlen > 0) fastOpenQlen--;
    }

    /** getsockopt(TCP_FASTOPEN): the Fast Open queue's length (fastopenq.max_qlen). */
    public int fastOpenMaxQlen() { return options.fastOpenQlen; }

    /** inet_csk_reqsk_queue_is_full: more requests than the backlog. */
    private boolean reqskQueueIsFull() { return synQueue.size() > backlog; }

    /**
     * reqsk_timer_handler (net/ipv4/inet_connection_sock.c): when the SYN queue is more than half full
     * (qlen · 2 &gt; max(8, backlog)), old requests get fewer SYN-ACK retries so that they do not clog it
     * ("we reserve half of room for young embrions; and abort old ones without pity"): one fewer for
     * each doubling of the young ones (never retransmitted) that the queue's length reaches, down to 2.
     * Called as a request's timer fires, before it counts that timeout, so it is still young on its first.
     */
    int synAckRetries(int max) {
        int qlen = synQueue.size();
        if ((qlen << 1) <= Math.max(8, backlog)) return max;
        int young = 0;
        for (TcpConnection c : synQueue) if (c.t.retransmits == 0) young++;
        young <<= 1;
        while (max > 2) {
            if (qlen < young) break;
            max--;
            young <<= 1;
        }
        return max;
    }

    /** tcp_listendrop, for {@code why}. */
    private TcpConnection listenDrop(TcpDropReason why) {
        host.counters().inc(Counter.TcpExtListenDrops);
        host.segmentDropped(why);
        return null;
    }

    /**
     * tcp_syn_flood_action: cookies if tcp_syncookies allows (TCPReqQFullDoCookies), else a drop
     * (TCPReqQFullDrop); the first time, unless cookies are always on, Linux logs "Possible SYN
     * flooding on port ..." once for the listener (synflood_warned) — kept here as
     * {@link #synFloodWarning()}.
     */
    private boolean synFloodAction(int syncookies) {
        boolean wantCookie = syncookies != 0;
        host.counters().inc(wantCookie ? Counter.TcpExtTCPReqQFullDoCookies : Counter.TcpExtTCPReqQFullDrop);
        if (synFloodWarning == null && syncookies != 2) {
            synFloodWarning = "Possible SYN flooding on port " + Ipv4.format(localAddr) + ":" + localPort
                    + ". " + (wantCookie ? "Sending cookies" : "Dropping request") + ".  Check SNMP counters.";
        }
        return wantCookie;
    }

    /** Linux's one-time SYN-flood note for this listener, or null when it never overflowed. */
    public String synFloodWarning() { return synFloodWarning; }

    /**
     * The SYN-ACK of a cookie (tcp_conn_request's want_cookie path, tcp_make_synack with
     * TCP_SYNACK_COOKIE): the options the SYN offered, but none beside the MSS when it had no
     * timestamps to carry them (tcp_clear_options); ISN = the cookie (cookie_init_sequence, which
     * also records the overflow and counts SyncookiesSent); TSval = cookie_init_timestamp + the
     * connection's offset. Nothing is kept and nothing is retransmitted. ECN is agreed as for any request
     * (tcp_ecn_create_request) but only with timestamps, which carry it in TS_OPT_ECN ("if
     * (!tmp_opt.tstamp_ok) inet_rsk(req)->ecn_ok = 0" in tcp_conn_request). Measured on Linux 6.18 with
     * tcp_syncookies 2 and tcp_ecn 2: an ECN-setup SYN with timestamps is answered SE. and the connection
     * has ECN; one without timestamps S., and no ECN.
     */
    private void sendCookieSynAck(InSegment seg) {
        TcpConfig cfg = host.config();
        long nowNs = host.scheduler().nowNs();
        boolean ts = cfg.timestampsEnabled() && seg.hasTimestamps;
        boolean ecn = ts && Ecn.requestOk(seg, cfg);
        boolean sack = ts && cfg.tcpSack && seg.sackPermitted;
        boolean wscaleOk = ts && cfg.tcpWindowScaling && seg.windowScale >= 0;
        int peerMss = seg.mss > 0 ? clampUserMss(seg.mss) : Tcb.TCP_MSS_DEFAULT; // rx_opt.mss_clamp
        int mssind = SynCookies.mssIndex(peerMss);
        synqOverflow(nowNs);
        host.counters().inc(Counter.TcpExtSyncookiesSent);
        int isn = SynCookies.cookie(host, seg.srcAddr, seg.dstAddr, seg.srcPort, seg.dstPort, seg.seq, mssind,
                SynCookies.cookieTime(nowNs));
        int advMss = clampUserMss(host.mtuTo(seg.srcAddr) - Tcb.IPV4_TCP_HEADERS);
        int rcvBuf = options.rcvBuf > 0 ? options.rcvBuf : cfg.tcpRmem[1];
        int rcvWscale = wscaleOk ? ReceiveWindow.initialWscale(rcvBuf, options.rcvBuf > 0, cfg) : -1;
        int window = ReceiveWindow.initialWindow(rcvBuf, advMss - (ts ? Tcb.TCPOLEN_TSTAMP_ALIGNED : 0));
        int tsVal = 0;
        if (ts) {
            int sndWscale = wscaleOk ? Math.min(seg.windowScale, Tcb.TCP_MAX_WSCALE) : -1;
            tsVal = SynCookies.initTimestamp(nowNs, sndWscale, sack, ecn)
                    + (cfg.randomTsOffset ? host.tsOffset(seg.dstAddr, seg.srcAddr) : 0);
        }
        byte[] b = host.txBuffer();
        int len = SegmentWriter.writeSynAck(b, TcpHost.TCP_OFFSET, seg.dstPort, seg.srcPort, isn, seg.seq + 1,
                window, advMss, sack, ts, tsVal, seg.tsVal, rcvWscale, TcpHeader.SYN | TcpHeader.ACK | (ecn ? TcpHeader.ECE : 0));
        host.counters().inc(Counter.TcpOutSegs);
        host.sendTcp(seg.dstAddr, seg.srcAddr, len, 0, 0, SendReason.SYN_COOKIE, 0); // a SYN-ACK from no full socket: DF, IP ID 0, Not-ECT
    }

    /** tcp_mss_clamp with the listener's TCP_MAXSEG. */
    private int clampUserMss(int m) { return options.userMss > 0 && options.userMss < m ? options.userMss : m; }

    /** tcp_synq_overflow: remember the overflow, at most once a second. */
    private void synqOverflow(long nowNs) {
        if (!overflowed || nowNs - lastOverflowNs > SynCookies.SYNQ_OVERFLOW_STAMP_NS) {
            lastOverflowNs = nowNs;
            overflowed = true;
        }
    }

    /** tcp_synq_no_recent_overflow: no cookie went out in the last TCP_SYNCOOKIE_VALID. */
    private boolean noRecentOverflow(long nowNs) {
        return !overflowed || nowNs - lastOverflowNs > SynCookies.TCP_SYNCOOKIE_VALID_NS;
    }

    /**
     * An ACK (no SYN, no RST) reached the listener: is it the answer to one of our cookies
     * (tcp_v4_cookie_check → cookie_v4_check → cookie_tcp_check)? Only while cookies were sent in the
     * last two minutes. A cookie that does not decode counts SyncookiesFailed; one that decodes counts
     * SyncookiesRecv, and its echoed TSval must carry options the host still allows
     * (cookie_timestamp_decode); then the child is made (tcp_get_cookie_sock: dropped with
     * ListenOverflows when the accept queue is full) in SYN_RECV, and the ACK itself moves it to
     * ESTABLISHED and into the accept queue (tcp_child_process).
     *
     * @return false when the ACK is not a valid cookie: the caller answers it as any ACK to a listener
     *     (a RST); true when it was taken (a child made, or dropped)
     */
    boolean cookieCheck(InSegment seg) {
        TcpConfig cfg = host.config();
        long nowNs = host.scheduler().nowNs();
        if (cfg.tcpSyncookies == 0 || noRecentOverflow(nowNs)) return false;
        int mss = SynCookies.checkAck(host, seg, nowNs);
        if (mss == 0) {
            host.counters().inc(Counter.TcpExtSyncookiesFailed);
            return false;
        }
        host.counters().inc(Counter.TcpExtSyncookiesRecv);
        // cookie_timestamp_decode: the options echoed in the low bits of TSecr (less our offset).
        boolean ts = seg.hasTimestamps, sack = false, ecn = false;
        int sndWscale = -1;
        if (ts) {
            if (!cfg.timestampsEnabled()) return false;
            int tsecr = seg.tsEcr;
            if (tsecr != 0 && cfg.randomTsOffset) tsecr -= host.tsOffset(seg.dstAddr, seg.srcAddr);
            sack = (tsecr & SynCookies.TS_OPT_SACK) != 0;
            if (sack && !cfg.tcpSack) return false;
            // cookie_ecn_ok: the cookie says the SYN asked for ECN, and tcp_ecn still allows it.
            ecn = (tsecr & SynCookies.TS_OPT_ECN) != 0 && cfg.tcpEcn != 0;
            if ((tsecr & SynCookies.TS_OPT_WSCALE_MASK) != SynCookies.TS_OPT_WSCALE_MASK) {
                if (!cfg.tcpWindowScaling) return false;
                sndWscale = tsecr & SynCookies.TS_OPT_WSCALE_MASK;
            }
        }
        if (acceptQueueFull()) {
            // tcp_v4_syn_recv_sock: sk_acceptq_is_full → LISTENOVERFLOWS, tcp_listendrop; the ACK is dropped.
            host.counters().inc(Counter.TcpExtListenOverflows);
            listenDrop(TcpDropReason.TCP_LISTEN_OVERFLOW);
            return true;
        }
        TcpConnection c = new TcpConnection(host, demux, options.copy());
        c.acceptCookie(this, seg, mss, ts, sack, sndWscale, ecn);
        demux.cookieChild(c, seg);
        return true;
    }

    /** Whether the listener was closed. */
    public boolean isClosed() { return closed; }

    /** The host lost its state (crash): forget the queued connections without a word. */
    void forget() {
        closed = true;
        observer = null;
        for (TcpConnection c : synQueue) c.forget();
        for (TcpConnection c : acceptQueue) c.forget();
        synQueue.clear();
        acceptQueue.clear();
    }

    void childEstablished(TcpConnection c) {
        if (acceptQueue.contains(c)) return; // a Fast Open child, queued at its SYN
        synQueue.remove(c);
        if (acceptQueueFull()) {
            // tcp_check_req with a full queue: the final ACK is dropped; the SYN-ACK timer retries later.
            // We model the common outcome: the client's connection stays ESTABLISHED, ours is dropped.
            host.counters().inc(Counter.TcpExtListenOverflows);
            host.counters().inc(Counter.TcpExtListenDrops);
            host.segmentDropped(TcpDropReason.TCP_LISTEN_OVERFLOW); // tcp_check_req (Linux 6.15+ names it)
            c.detachFromListener();
            if (host.config().tcpAbortOnOverflow) c.abort(SendReason.RST_ACCEPT_OVERFLOW);
            else c.done(null);
            return;
        }
        acceptQueue.add(c);
        notifyApp();
    }

    void childClosed(TcpConnection c) {
        synQueue.remove(c);
        // An accepted-but-not-yet-taken connection that closes stays in the queue: accept() returns it
        // and the application sees the reset or EOF, as on Linux.
    }

    /** close() of the listener: pending connections are reset (inet_csk_listen_stop). */
    public void close() {
        closed = true;
        for (TcpConnection c : new ArrayList<>(synQueue)) c.abort(SendReason.RST_LISTENER_CLOSED);
        synQueue.clear();
        for (TcpConnection c : acceptQueue) {
            c.detachFromListener();
            c.abort(SendReason.RST_LISTENER_CLOSED);
        }
        acceptQueue.clear();
        observer = null;
        demux.listenerClosed(this);
    }

    void notifyApp() {
        Runnable o = observer;
        if (o != null) o.run();
    }
}
