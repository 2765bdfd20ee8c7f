package dev.synack.tcp;

import dev.synack.stats.Counter;

/**
 * One TCP connection as the socket layer sees it: the application calls (tcp.c's tcp_sendmsg,
 * tcp_recvmsg, tcp_shutdown, tcp_close, setsockopt) and what poll and ss read. Behind it, a
 * {@link Tcb} holds the connection's state and one final collaborator per job does the work, as
 * Linux splits it into tcp_input.c, tcp_output.c and tcp_timer.c:
 *
 * <ul>
 *   <li>{@link Handshake}: connect, the SYN and SYN-ACK paths, option negotiation, tcp_init_transfer;
 *   <li>{@link SegmentArrival}: RFC 9293 §3.10.7's checks in order (tcp_validate_incoming), TIME_WAIT;
 *   <li>{@link AckProcessor}: tcp_ack, which fills one {@link AckSample} and hands it to
 *       {@link LossRecovery} once; {@link SackScoreboard} tags SACK blocks, {@link Rack} and
 *       {@link LossProbe} (RFC 8985) detect losses;
 *   <li>{@link ReceiveMemory}: the receive queues' truesize, pruning and collapsing (tcp_try_rmem_schedule),
 *       charged to the host's {@link TcpMemory} (tcp_mem).
 *   <li>{@link Receiver}: tcp_data_queue, tcp_fin, receive-buffer tuning; {@link ReceiveWindow}
 *       and {@link DelayedAck} decide what and when to acknowledge;
 *   <li>{@link Sender}: tcp_sendmsg and tcp_write_xmit; {@link SegmentWriter} builds every segment;
 *   <li>{@link RetransmitTimer} (RTO, TLP, RACK, persist), {@link Keepalive}, and {@link Lifecycle}
 *       (state changes, tcp_done, TIME_WAIT).
 * </ul>
 *
 * <p>Read RFC 9293 §3.10 (event processing), RFC 6298 (RTO), RFC 5681 (congestion control), RFC 7323
 * (timestamps, window scale), RFC 2018/2883 (SACK, D-SACK), RFC 5961 (blind-attack defences), RFC 8985
 * (RACK-TLP), RFC 6937 (PRR) and RFC 5682 (F-RTO) first. Where Linux departs from an RFC, Linux wins
 * and the comment names the Linux function (net/ipv4/tcp_input.c, tcp_output.c, tcp_timer.c, tcp.c).
 *
 * <p>Single-threaded: every method runs on the host's event loop. Application calls return a value
 * ≥ 0 or a negative errno ({@link Errno#number()}), as the kernel's syscalls do. The stack's entry
 * points (a segment, an ICMP error, the host forgetting everything) are package-private: only
 * {@link TcpDemux} calls them.
 *
 * <p>ECN (RFC 3168) is {@link Ecn}'s. Not yet modelled (see README): urgent data, Accurate ECN, TCP Fast Open, MTU probing,
 * compressed SACKs, TSO/GSO.
 */
public final class TcpConnection {
    final Tcb t;
    final Lifecycle life;
    final SegmentWriter out;
    final Ecn ecn;
    final ReceiveWindow rwnd;
    final DelayedAck delack;
    final Receiver rcv;
    final ReceiveMemory rmem;
    final Sender snd;
    final RetransmitTimer timers;
    final Keepalive keepalive;
    final Rack rack;
    final SackScoreboard sacks;
    final LossProbe tlp;
    final LossRecovery rec;
    final AckProcessor acks;
    final SegmentArrival input;
    final Handshake handshake;
    /** The socket's options (setsockopt); {@link #optionsChanged} applies a change. */
    public final SocketOptions options;

    /** A closed connection of {@code host}; the demux opens it with {@link #connect}. */
    TcpConnection(TcpHost host, TcpDemux demux, SocketOptions options) {
        this.options = options;
        this.t = new Tcb(host, demux, options);
        this.life = new Lifecycle(this);
        this.out = new SegmentWriter(this);
        this.ecn = new Ecn(this);
        this.rwnd = new ReceiveWindow(this);
        this.delack = new DelayedAck(this);
        this.rcv = new Receiver(this);
        this.rmem = new ReceiveMemory(this);
        this.snd = new Sender(this);
        this.timers = new RetransmitTimer(this);
        this.keepalive = new Keepalive(this);
        this.rack = new Rack();
        this.sacks = new SackScoreboard(this);
        this.tlp = new LossProbe(this);
        this.rec = new LossRecovery(this);
        this.acks = new AckProcessor(this);
        this.input = new SegmentArrival(this);
        this.handshake = new Handshake(this);
    }

    // =========================================================================================
    // Inspection
    // =========================================================================================

    public TcpState state() { return t.state; }

    public int localAddr() { return t.localAddr; }

    public int localPort() { return t.localPort; }

    public int remoteAddr() { return t.remoteAddr; }

    public int remotePort() { return t.remotePort; }

    public ConnectionId id() { return t.id(); }

    /** The initial send sequence number (ISS; tcp_sock's write_seq at the SYN): the first data byte is ISS + 1. */
    public int iss() { return t.iss; }

    /** The initial receive sequence number (IRS, the peer's SYN): the first byte the peer sends is IRS + 1. */
    public int irs() { return t.irs; }

    /** RCV.NXT: the next sequence number expected from the peer (its SYN and FIN count one each). */
    public int rcvNxt() { return t.rcvNxt; }

    /** Bytes the application can read now (Recv-Q of an established socket). */
    public int readable() { return t.recvBuf == null ? 0 : t.recvBuf.length(); }

    /** Bytes sent and not acknowledged plus bytes not yet sent (Send-Q). */
    public int unacked() { return t.sendBuf == null ? 0 : t.sendBuf.length(); }

    /** The effective send MSS (Linux mss_cache: payload bytes per segment, after options). */
    public int mss() { return t.mss; }

    /**
     * Told of the send side's bytes as they leave and are acknowledged: what the socket layer's
     * SO_TIMESTAMPING (SCM_TSTAMP_SCHED/SND at __dev_queue_xmit and the driver, SCM_TSTAMP_ACK at
     * tcp_clean_rtx_queue) and MSG_ZEROCOPY completions (the skb freed when acknowledged) wait on. Both
     * calls come from inside the engine, with the host's clock at the event.
     */
    public interface SendProgress {
        /** A data segment {@code [seq, seq + len)} went to the device now (first sending or again). */
        void sent(int seq, int len);

        /** SND.UNA advanced to {@code sndUna}: the acknowledged data left the retransmission queue. */
        void acked(int sndUna);
    }

    /** Registers the one {@link SendProgress} listener (null: none). */
    public void setSendProgress(SendProgress p) { t.progress = p; }

    /** SND.UNA: the oldest sequence number not yet acknowledged. */
    public int sndUna() { return t.sndUna; }

    /** Linux's write_seq: the sequence number the next byte written will have (SND.UNA before any data). */
    public int writeSeq() { return t.sendBuf == null ? t.sndUna : t.sndBufSeq + t.sendBuf.length(); }

    /**
     * tcp_inq_hint (net/ipv4/tcp.c): rcv_nxt − copied_seq, the in-order bytes not yet read and the
     * peer's FIN once it came; 1 when nothing is left but the connection is done (SOCK_DONE), to tell
     * the reader to go on reading (TCP_CM_INQ).
     */
    public int inq() {
        // The FIN's sequence number stays in rcv_nxt − copied_seq until a read returns 0 past it; after
        // that the difference is 0 and SOCK_DONE (tcp_fin, tcp_done) makes it 1 again: 1 either way.
        int inq = readable() + (t.finConsumed ? 1 : 0);
        return inq == 0 && t.state == TcpState.CLOSE ? 1 : inq;
    }

    /** Registers the one observer told of every change an application may wait for. */
    public void setObserver(Runnable observer) { life.setObserver(observer); }

    /** A snapshot with Linux's tcp_info fields. */
    public TcpInfo info() {
        long nowNs = t.sched.nowNs();
        long timerLeftNs = timers.isArmed() ? timers.deadlineNs() - nowNs
                : keepalive.isArmed() ? keepalive.deadlineNs() - nowNs
                : life.timewaitArmed() ? life.timewaitDeadlineNs() - nowNs : 0;
        return new TcpInfo(t.state, rec.caState().ordinal(), t.retransmits, t.probesOut, t.backoff,
                (t.tsOk ? TcpInfo.OPT_TIMESTAMPS : 0) | (t.sackOk ? TcpInfo.OPT_SACK : 0) | (t.wscaleOk ? TcpInfo.OPT_WSCALE : 0)
                        | (ecn.ok() ? TcpInfo.OPT_ECN : 0) | (ecn.seen() ? TcpInfo.OPT_ECN_SEEN : 0)
                        | (t.synDataAcked ? TcpInfo.OPT_SYN_DATA : 0),
                t.sndWscale, t.rcvWscale, t.rtoUs, t.mss, t.rcvMss, t.rtx.size(),
                t.rtx.sackedOut, t.rtx.lostOut, t.rtx.retransOut,
                (nowNs - t.lastSendNs) / 1_000_000, (nowNs - t.lastRecvNs) / 1_000_000, (nowNs - t.lastAckRecvNs) / 1_000_000,
                t.mtu(), t.rtt.srttUs(), t.rtt.mdevUs(), t.cw.ssthresh, t.cw.cwnd, t.advMss, t.totalRetrans,
                t.rtt.minRttUs() == Long.MAX_VALUE ? 0 : t.rtt.minRttUs(), t.sndWnd, t.rcvWnd,
                readable(), unacked(), t.cc.name(), currentTimer(), timerLeftNs,
                sacks.reordering(), sacks.reordSeen(), rec.delivered(), sacks.dsackDups(), rec.deliveredCe(),
                t.chrono.busyUs(nowNs), t.chrono.us(Chrono.RWND_LIMITED, nowNs), t.chrono.us(Chrono.SNDBUF_LIMITED, nowNs));
    }

    /** ss's timer column: the pending timer's name. */
    private String currentTimer() {
        if (timers.isArmed()) return timers.name();
        if (life.timewaitArmed()) return "timewait";
        if (keepalive.isArmed()) return "keepalive";
        return "off";
    }

    // =========================================================================================
    // Application calls (tcp.c)
    // =========================================================================================

    /**
     * Appends data to the send buffer and sends what the windows allow (tcp_sendmsg).
     *
     * @return bytes taken (0 when the buffer is full: the caller waits for {@link #writable()}), or -errno
     */
    public int send(byte[] data, int off, int len) { return send(data, off, len, 0); }

    /** send()'s flags the engine acts on, with Linux's values (&lt;sys/socket.h&gt;). */
    public static final int MSG_EOR = 0x80, MSG_MORE = 0x8000;

    /**
     * As {@link #send(byte[], int, int)}, with {@link #MSG_MORE} (the data is corked for this call: a
     * partial segment waits for more, an ACK or the probe timer, and its end is not marked PSH) and
     * {@link #MSG_EOR} (later data does not join this write's last skb); other bits are ignored.
     */
    public int send(byte[] data, int off, int len, int msgFlags) {
        if (t.error != null) return -takeError().number();
        if (t.sendShutdown || t.finQueued) return -Errno.EPIPE.number();
        return switch (t.state) {
            // RFC 7413 §4.2.2, Linux tcp_sendmsg: a Fast Open child (tcp_passive_fastopen) may send at once.
            case SYN_RECV -> t.fastOpenListener == null ? 0 : data == null ? fault() : snd.send(data, off, len, msgFlags);
            case SYN_SENT -> 0; // tcp_sendmsg waits for the connection (sk_stream_wait_connect)
            case ESTABLISHED, CLOSE_WAIT -> data == null ? fault() : snd.send(data, off, len, msgFlags);
            case LISTEN -> -Errno.ENOTCONN.number();
            default -> -Errno.EPIPE.number();
        };
    }

    /**
     * No buffer ({@code data} null: an invalid user pointer): tcp_sendmsg_locked gets past the state's
     * errors and the wait for room, then the copy from the caller fails (skb_copy_to_page_nocache):
     * EFAULT, nothing queued; while there is no room it waits as for any write.
     */
    private int fault() { return writable() ? -Errno.EFAULT.number() : 0; }

    /**
     * A blocking Fast Open sendto() waits for the handshake with data still to write (Linux's
     * sk_write_pending, inet_wait_for_connect's writebias): the handshake's ACK will wait for that data.
     */
    public void setWritePending(boolean pending) { t.writePending = pending; }

    /** Whether send() would take at least one byte now (POLLOUT). */
    public boolean writable() { return snd.writable(); }

    /**
     * tcp_stream_memory_free(sk, 1), poll's part: twice the unsent bytes below TCP_NOTSENT_LOWAT (or
     * the tcp_notsent_lowat sysctl); always true before there is a send buffer.
     */
    public boolean belowNotsentLowat() { return t.sendBuf == null || snd.notsentBelowLowat(1); }

    /**
     * Copies received data to the caller (tcp_recvmsg).
     *
     * @return bytes copied; 0 at end of stream; {@code -EAGAIN} when nothing is there yet; or -errno
     */
    public int receive(byte[] dst, int off, int len) {
        if (t.state == TcpState.LISTEN) return -Errno.ENOTCONN.number();
        int available = t.recvBuf == null ? 0 : t.recvBuf.length();
        if (available == 0) {
            // tcp_recvmsg_locked: end of stream after the peer's FIN (SOCK_DONE) comes before sk_err,
            // so a RST after the FIN leaves its error (EPIPE) for SO_ERROR.
            if (t.finConsumed) return 0;
            if (t.error != null) return -takeError().number();
            if (t.rcvShutdown || t.appShutRd || t.state == TcpState.CLOSE) return 0;
            // SYN_SENT, SYN_RECV, or a reader waiting for data: Linux's tcp_recvmsg would wait.
            return -Errno.EAGAIN.number();
        }
        return rcv.read(dst, off, Math.min(len, available));
    }

    /** Whether receive() would not wait (POLLIN): data, end of stream, or an error. */
    public boolean readable0() {
        return (t.recvBuf != null && t.recvBuf.length() > 0) || t.rcvShutdown || t.appShutRd || t.error != null
                || t.state == TcpState.CLOSE;
    }

    /** Whether the connection has reached CLOSE (POLLHUP when both directions are shut). */
    public boolean isClosed() { return t.state == TcpState.CLOSE; }

    /** Linux sk_shutdown & RCV_SHUTDOWN: the peer's FIN was read in order, shutdown(SHUT_RD), or CLOSE (poll's POLLRDHUP). */
    public boolean receiveShutdown() { return t.rcvShutdown || t.appShutRd; }

    /** Linux sk_shutdown & SEND_SHUTDOWN: shutdown(SHUT_WR), close, or CLOSE. */
    public boolean sendShutdown() { return t.sendShutdown; }

    /** The send buffer's size in bytes (sk_sndbuf as the engine models it), for poll's POLLOUT rule. */
    public int sendBufferCapacity() { return t.sendBuf == null ? 0 : t.sndBuf; }

    /** The pending error without clearing it (for poll's POLLERR). */
    public Errno pendingError() { return t.error; }

    /** Reads and clears the pending error (getsockopt SO_ERROR). */
    public Errno takeError() {
        Errno e = t.error;
        t.error = null;
        return e;
    }

    /** The soft error (e.g. from an ICMP), for connect() timeouts. */
    public Errno softError() { return t.softError; }

    /**
     * shutdown(SHUT_WR): queue a FIN after the data (tcp_shutdown → tcp_close_state).
     *
     * @return 0 or -errno
     */
    public int shutdownOutput() {
        switch (t.state) {
            case ESTABLISHED, SYN_RECV -> life.setState(TcpState.FIN_WAIT1);
            case CLOSE_WAIT -> life.setState(TcpState.LAST_ACK);
            case SYN_SENT -> {
                return disconnect();
            }
            case CLOSE, LISTEN -> {
                return -Errno.ENOTCONN.number();
            }
            default -> {
                return 0;
            }
        }
        queueFin();
        return 0;
    }

    /** tcp_send_fin's caller: no more data from the application; a FIN follows what is queued. */
    private void queueFin() {
        t.finQueued = true;
        t.sendShutdown = true;
        snd.output();
    }

    /**
     * shutdown() of any kind in SYN_SENT: inet_shutdown (net/ipv4/af_inet.c) calls tcp_disconnect, which
     * stops the attempt without a RST (tcp_need_reset excludes SYN_SENT) and sets sk_err = ECONNRESET:
     * a connect() waiting on it fails with ECONNRESET. shutdown() itself returns 0.
     */
    private int disconnect() {
        life.done(Errno.ECONNRESET);
        return 0;
    }

    /** shutdown(SHUT_RD): reads return end of stream; arriving data is still acknowledged (Linux). */
    public int shutdownInput() {
        if (t.state == TcpState.CLOSE || t.state == TcpState.LISTEN) return -Errno.ENOTCONN.number();
        if (t.state == TcpState.SYN_SENT) return disconnect();
        t.appShutRd = true;
        life.notifyApp();
        return 0;
    }

    /**
     * close() (tcp_close in net/ipv4/tcp.c): with unread data, or SO_LINGER with a zero time, the
     * connection is aborted with a RST; otherwise a FIN follows the queued data and the connection
     * lives on, orphaned, until the close completes.
     */
    public void close() {
        t.orphan = true;
        life.recountOrphan();
        life.setObserver(null);
        switch (t.state) {
            case CLOSE -> {
                t.demux.connectionClosed(this);
                return;
            }
            case SYN_SENT -> {
                // tcp_close → tcp_set_state(TCP_CLOSE): a connection attempt just stops, no RST.
                life.done(null);
                return;
            }
            default -> {
            }
        }
        boolean unread = t.recvBuf != null && t.recvBuf.length() > 0;
        if (unread) {
            // RFC 2525 §2.17, Linux tcp_close: data was lost, tell the peer with a RST.
            t.stats.inc(Counter.TcpExtTCPAbortOnClose);
            out.sendActiveReset(SendReason.RST_CLOSE_UNREAD);
            life.done(null);
            return;
        }
        if (options.linger && options.lingerSec == 0) {
            // SO_LINGER {on, 0}: tcp_disconnect, no TIME_WAIT. It sends a RST only where tcp_need_reset
            // says (ESTABLISHED, CLOSE_WAIT, FIN_WAIT1, FIN_WAIT2, SYN_RECV), or in CLOSING/LAST_ACK with
            // data never sent (snd_nxt != write_seq); a connection in TIME_WAIT just goes.
            t.stats.inc(Counter.TcpExtTCPAbortOnData);
            boolean unsentData = t.sendBuf != null && t.unsentBytes() > 0;
            boolean reset = switch (t.state) {
                case ESTABLISHED, CLOSE_WAIT, FIN_WAIT1, FIN_WAIT2, SYN_RECV -> true;
                case CLOSING, LAST_ACK -> unsentData;
                default -> false;
            };
            if (reset) out.sendActiveReset(SendReason.RST_LINGER0);
            life.done(null);
            return;
        }
        switch (t.state) {
            case ESTABLISHED, SYN_RECV -> {
                life.setState(TcpState.FIN_WAIT1);
                queueFin();
            }
            case CLOSE_WAIT -> {
                life.setState(TcpState.LAST_ACK);
                queueFin();
            }
            case FIN_WAIT2 -> {
                // Linux hands an orphaned FIN_WAIT2 to a time-wait socket (tcp_time_wait) before the check below.
                life.armOrphanFinWait2();
                return;
            }
            default -> {
                // already closing
            }
        }
        // __tcp_close: "if (sk->sk_state != TCP_CLOSE) { if (tcp_check_oom(sk, 0)) ..." — too many orphans
        // (tcp_max_orphans, this one counted) or out of TCP memory: reset, TCPAbortOnMemory. Read from
        // source, not measured (tcp_max_orphans and tcp_mem are host-wide on Linux, not per netns).
        if (t.state != TcpState.CLOSE && t.state != TcpState.TIME_WAIT
                && t.demux.mem.checkOom(0, t.sendBuf == null ? 0 : t.sendBuf.length())) {
            t.stats.inc(Counter.TcpExtTCPAbortOnMemory);
            out.sendActiveReset(SendReason.RST_ABORT_ON_MEMORY);
            life.done(null);
        }
    }

    /** Abort (SO_LINGER 0 or the process dies with unread data): RST, then CLOSE. */
    public void abort() { abort(SendReason.RST_ABORT); }

    /** Abort with a RST sent for {@code why} (the listener's close, tcp_abort_on_overflow). */
    void abort(SendReason why) {
        t.orphan = true;
        life.recountOrphan();
        life.setObserver(null);
        if (t.state != TcpState.CLOSE && t.state != TcpState.SYN_SENT && t.state != TcpState.LISTEN
                && t.state != TcpState.TIME_WAIT) {
            out.sendActiveReset(why);
        }
        life.done(null);
    }

    /** Whether the bytes of a linger-close have all been acknowledged (for SO_LINGER with a time). */
    public boolean allAcked() { return t.rtx.isEmpty() && t.sendBuf.length() == 0; }

    /**
     * TCP_QUICKACK (__tcp_sock_set_quickack in net/ipv4/tcp.c): 0 enters ping-pong (delayed-ACK) mode;
     * 1 leaves it and, if an ACK is owed on an established connection, sends it now. Not permanent:
     * the stack may enter ping-pong mode again later, as in Linux.
     */
    public void setQuickAck(boolean on) { delack.setQuickAck(on); }

    /**
     * TCP_NODELAY or TCP_CORK was set ({@link #options} already says how): turning TCP_NODELAY on or
     * TCP_CORK off pushes what waits (__tcp_sock_set_nodelay, __tcp_sock_set_cork).
     *
     * @param push whether the change pushes (TCP_NODELAY on, TCP_CORK off)
     */
    public void nagleChanged(boolean push) {
        if (t.sendBuf != null) snd.nagleChanged(push);
    }

    /**
     * An option was set: buffer sizes and keepalive take effect at once. Only TCP_NODELAY and TCP_CORK
     * push what waits ({@link #nagleChanged}); Linux's other options do not.
     */
    public void optionsChanged() {
        // TCP_SYNCNT is read when the SYN times out (tcp_write_timeout: icsk_syn_retries), so it applies to
        // a connection already in SYN_SENT (a Fast Open sendto() opens one before the script sets it).
        if (t.state == TcpState.SYN_SENT && options.synCnt > 0) t.synRetries = options.synCnt;
        // sock_setsockopt SO_SNDBUF: sets sk_sndbuf and SOCK_SNDBUF_LOCK at once, then sk_write_space.
        if (t.sendBuf != null && options.sndBuf > 0 && options.sndBuf != t.sndBuf) {
            t.sndBuf = options.sndBuf;
            life.notifyApp();
        }
        // SO_RCVBUF sets sk_rcvbuf (and SOCK_RCVBUF_LOCK) at once: later windows follow it. The ring
        // never drops data it holds: it shrinks at most to what is queued, and not while out-of-order
        // data sits beyond the tail; the window already offered is never taken back (tcp_select_window).
        if (t.recvBuf != null && options.rcvBuf > 0 && options.rcvBuf != t.recvBuf.capacity()) {
            if (options.rcvBuf > t.recvBuf.capacity()) t.recvBuf.resize(options.rcvBuf);
            else if (t.ofo.isEmpty()) t.recvBuf.resize(Math.max(options.rcvBuf, t.recvBuf.length()));
        }
        if (t.established()) {
            if (options.keepAlive) keepalive.reset();
            else keepalive.cancel();
        }
    }

    /**
     * tcp_model_timeout: how long {@code boundary} retransmissions would take with exponential backoff
     * from {@code rtoBaseUs} capped at TCP_RTO_MAX (see {@link RetransmitTimer#modelTimeoutUs}).
     */
    public static long modelTimeoutUs(int boundary, long rtoBaseUs) {
        return RetransmitTimer.modelTimeoutUs(boundary, rtoBaseUs);
    }

    // =========================================================================================
    // The demux's calls (tcp_ipv4.c)
    // =========================================================================================

    /** Active open (RFC 9293 §3.10.1): sends a SYN and enters SYN_SENT. */
    void connect(int localAddr, int localPort, int remoteAddr, int remotePort, FastOpen.Request fastOpen) {
        handshake.connect(localAddr, localPort, remoteAddr, remotePort, fastOpen);
    }

    /** Passive open: a SYN reached a listener; this new connection answers it from SYN_RECV. */
    void acceptSyn(TcpListener listener, InSegment seg, TcpListener.FastOpenAnswer fo) { handshake.acceptSyn(listener, seg, fo); }

    /** Passive open from a valid SYN cookie in {@code seg}, an ACK; see {@link Handshake#acceptCookie}. */
    void acceptCookie(TcpListener listener, InSegment seg, int mss, boolean tsOk, boolean sackOk, int sndWscale, boolean ecnOk) {
        handshake.acceptCookie(listener, seg, mss, tsOk, sackOk, sndWscale, ecnOk);
    }

    /** Processes one segment addressed to this connection. Never throws for anything the peer sends. */
    void onSegment(InSegment seg) { input.onSegment(seg); }

    /** Whether the ICMP-quoted sequence number is one this connection has outstanding (tcp_v4_err). */
    boolean icmpSeqValid(int seq) {
        // A listener's request (synack: a SYN_RECV connection that is no Fast Open child) takes only the
        // SYN-ACK's own seq (tcp_req_err: seq != tcp_rsk(req)->snt_isn is out of window); measured on
        // Linux 6.18 with the project's icmp-request.pkt.
        if (t.state == TcpState.SYN_RECV && t.fastOpenListener == null && t.parent != null) return seq == t.iss;
        return seq == t.sndUna || Seq.between(seq, t.sndUna, t.sndNxt);
    }

    /** A hard ICMP error (net/host unreachable, port unreachable) for this connection (tcp_v4_err). */
    void icmpError(Errno err) { input.icmpError(err); }

    /** The route's path MTU went down (tcp_v4_mtu_reduced). */
    void mtuReduced() { handshake.mtuReduced(); }

    /** A Fast Open child, before its handshake completes (Linux: tp->fastopen_rsk set). */
    boolean isFastOpenChild() { return t.fastOpenListener != null; }

    /**
     * The host lost this connection's state (a crash or reboot): timers stop, nothing is sent, and
     * the application (if it still exists) sees nothing more.
     */
    void forget() { life.forget(); }

    /** tcp_done: CLOSE, with an error for the application (null for a normal end). */
    void done(Errno err) { life.done(err); }

    /** The listener handed this connection to accept() (or dropped it): it has no parent any more. */
    void detachFromListener() { t.parent = null; }

    @Override
    public String toString() {
        return t.state + " " + id();
    }
}
