package dev.synack.tcp;

import static dev.synack.wire.TcpHeader.ACK;
import static dev.synack.wire.TcpHeader.FIN;
import static dev.synack.wire.TcpHeader.PSH;
import static dev.synack.wire.TcpHeader.RST;
import static dev.synack.wire.TcpHeader.SYN;

import dev.synack.stats.Counter;
import dev.synack.stats.Counters;
import dev.synack.time.Scheduler;
import dev.synack.time.Timer;
import dev.synack.trace.ConnectionId;
import dev.synack.trace.TraceEvent;
import dev.synack.trace.Tracer;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOptionWriter;

/**
 * One TCP connection: the transmission control block of RFC 9293 §3.3.1 and its state machine,
 * behaving as Linux 6.18 does.
 *
 * <p>Heads up: read RFC 9293 §3.10 (event processing), RFC 6298 (RTO), RFC 5681 (congestion control),
 * RFC 7323 (timestamps, window scale), RFC 2018/2883 (SACK, D-SACK), RFC 5961 (blind-attack defences),
 * RFC 8985 (RACK-TLP), RFC 6937 (PRR) and RFC 5682 (F-RTO) first. Where Linux departs from an RFC,
 * Linux wins and the comment names the Linux function (net/ipv4/tcp_input.c, tcp_output.c,
 * tcp_timer.c, tcp.c).
 *
 * <p>Layout of this class, top to bottom: fields (named after the RFC: sndUna, sndNxt, rcvNxt, ...),
 * the application calls (connect, send, receive, shutdown, close), segment arrival (in RFC 9293
 * §3.10.7's order; the ACK's loss detection and congestion control are {@link LossRecovery}'s), the
 * output path (what to send, ACKs, window selection), timers, and helpers.
 *
 * <p>Single-threaded: every method runs on the host's event loop. Application calls return a value
 * ≥ 0 or a negative errno ({@link Errno#number()}), as the kernel's syscalls do.
 *
 * <p>Not yet modelled (see README): urgent data, ECN, TCP Fast Open, SYN cookies, MTU probing,
 * compressed SACKs, TSO/GSO.
 */
public final class TcpConnection {
    /** Linux's TCP_MAX_QUICKACKS (include/net/tcp.h). */
    static final int MAX_QUICKACKS = 16;
    /** Linux's TCP_RTO_MIN (include/net/tcp.h): also the base of tcp_model_timeout for data. */
    static final long TCP_RTO_MIN_US = 200_000;
    /** Linux's TCP_TIMEOUT_MIN_US (include/net/tcp.h): 2 ms, the TLP's slack for more than one segment
     *  (tcp_schedule_loss_probe adds it to 2·SRTT in microseconds, whatever HZ is). */
    static final long TCP_TIMEOUT_MIN_US = 2_000;
    /** TCP_RESOURCE_PROBE_INTERVAL (include/net/tcp.h): the retry interval under local congestion. */
    static final long RESOURCE_PROBE_INTERVAL_US = 500_000;
    /** One timer tick at HZ=250, the granularity of Linux's timer_list timers. */
    static final long JIFFY_NS = 4_000_000;
    /** Linux's TCP_PAWS_24DAYS: ts_recent older than this is ignored for PAWS (RFC 7323 §5.5). */
    static final long PAWS_24DAYS_NS = 24L * 24 * 3600 * 1_000_000_000L;
    /** Scaling ratio of payload to buffer memory in 1/256 (tp->scaling_ratio), before data is measured. */
    static final int DEFAULT_SCALING_RATIO = 128;
    /**
     * The scaling ratio Linux measures for full-sized segments on a 1500-byte link (len/truesize, about
     * 232/256): with tcp_rmem[1] = 131072 a stalled receiver takes ≈119 KB before the window closes, as
     * measured on Linux 6.18. We count payload bytes only, so we apply this ratio once data has arrived.
     */
    static final int MEASURED_SCALING_RATIO = 232;
    static final int DEFAULT_MSS = 536;


    /** What the retransmission timer is armed for (icsk_pending: RETRANS, LOSS_PROBE, REO_TIMEOUT, PROBE0). */
    private enum XmitTimer { NONE, RTO, TLP, REO, PROBE }

    // ---- identity -----------------------------------------------------------------------------
    final TcpHost host;
    final TcpConfig cfg;
    final Scheduler sched;
    final Counters stats;
    public final SocketOptions options;
    int localAddr, localPort, remoteAddr, remotePort;
    TcpState state = TcpState.CLOSE;
    /** The listener that created this connection, until the application accepts it. */
    TcpListener parent;
    /** The application closed the socket: nobody will read or write again (Linux SOCK_DEAD). */
    boolean orphan;
    private Runnable observer;

    // ---- send sequence space (RFC 9293 §3.3.1) ------------------------------------------------
    int iss, sndUna, sndNxt, sndWnd, sndWl1, sndWl2, maxSndWnd;
    /** Sequence space acknowledged so far, the SYN included (Linux tp->bytes_acked). */
    long bytesAcked;
    /** Sequence number of the first byte in {@link #sendBuf}. */
    int sndBufSeq;
    /** The application shut down its sending side: a FIN follows the data. */
    boolean finQueued;
    boolean finSent;
    int finSeq;
    /** End of the last sub-MSS segment sent (Linux tp->snd_sml, Minshall's Nagle variant). */
    int sndSml;

    // ---- receive sequence space ---------------------------------------------------------------
    int irs, rcvNxt;
    /** The last window advertised (bytes) and RCV.NXT when it was (Linux rcv_wnd, rcv_wup). */
    int rcvWnd, rcvWup;
    int rcvSsthresh, windowClamp;
    int scalingRatio = DEFAULT_SCALING_RATIO;
    /** A FIN was received (possibly out of order, at {@link #rcvFinSeq}). */
    boolean finReceivedOfo;
    int rcvFinSeq;
    /** The peer's FIN has been consumed into RCV.NXT: reads return 0 once the buffer drains. */
    boolean rcvShutdown;
    /** The application shut down its receiving side (SHUT_RD). */
    boolean appShutRd;

    // ---- options ----------------------------------------------------------------------------
    int advMss, peerMss = DEFAULT_MSS, mss;
    int sndWscale, rcvWscale;
    boolean sackOk, tsOk, wscaleOk;
    int tsRecent, tsOffset;
    long tsRecentStampNs;
    /** D-SACK block to report in the next ACK (RFC 2883), valid when dsackPending. */
    boolean dsackPending;
    int dsackStart, dsackEnd;

    // ---- buffers -----------------------------------------------------------------------------
    RingBuffer sendBuf, recvBuf;
    /**
     * sk_sndbuf, counted in payload bytes. Linux charges skb truesize against sk_sndbuf; its send queue
     * holds GSO skbs of up to 64 KB whose truesize is payload plus about 1.3 KB, so payload bytes are a
     * close (≈2 %) stand-in, and we take Linux's numbers (SO_SNDBUF doubled, tcp_sndbuf_expand's sndmem)
     * as payload limits unchanged. The ring {@link #sendBuf} may hold more: see {@link #send}.
     */
    int sndBuf;
    /** Where the unsent skb at the tail of Linux's write queue begins (tcp_write_queue_tail). */
    int tailSkbSeq;
    /** A writer found the send buffer full (Linux SOCK_NOSPACE): an ACK may expand it (tcp_check_space). */
    boolean noSpace;
    /** The out-of-order map; bounded by the receive buffer from {@link #initBuffers} on. */
    Assembler ofo = new Assembler(32);
    final RetransmitQueue rtx = new RetransmitQueue();

    // ---- RTT, RTO, congestion ----------------------------------------------------------------
    final RttEstimator rtt;
    long rtoUs;
    int backoff;
    int retransmits;
    int probesOut;
    /** Time of the first retransmission of the current episode (Linux tp->retrans_stamp), 0 = none. */
    long retransStampNs;
    int totalRetrans;
    int totalRto;
    final Cwnd cw = new Cwnd();
    CongestionControl cc;
    /** Loss detection and recovery: the congestion-avoidance state machine. */
    final LossRecovery rec;
    /** Receiver RTT estimate (tp->rcv_rtt_est: rtt_us << 3, the sequence and time of the window measure). */
    private long rcvRttUs8, rcvRttEstTimeNs;
    private int rcvRttEstSeq, rcvRttLastTsecr;
    /** Bytes the application has read (copied_seq), and DRS's last measure (tp->rcvq_space). */
    private long copiedTotal, rcvqSpaceSeq, rcvqSpaceTimeNs;
    private int rcvqSpace;
    int tlpHighSeq;
    /** The loss probe in flight was a retransmission (tp->tlp_retrans). */
    boolean tlpRetrans;
    boolean tlpPending;
    int cwndUsageSeq;
    long lastSendNs, lastRecvNs, lastAckRecvNs;
    long lastOowAckNs = Long.MIN_VALUE;
    int synRetries;

    // ---- delayed ACK (Linux icsk_ack) --------------------------------------------------------
    boolean ackPending;
    boolean ackNow;
    boolean ackPushed, ackPushed2;
    int quickAcks;
    boolean pingpong;
    long lrcvNs;
    int rcvMss = DEFAULT_MSS;
    boolean firstDataSeen;
    /** The delayed-ACK timeout (Linux icsk_ack.ato), adapted to the peer's inter-segment gaps. */
    long atoNs;

    // ---- errors -----------------------------------------------------------------------------
    /** sk_err: reported once by the next call, then cleared. */
    Errno error;
    /** sk_err_soft: reported by connect() on timeout instead of ETIMEDOUT (e.g. EHOSTUNREACH). */
    Errno softError;
    /** Nothing more may be sent (Linux SEND_SHUTDOWN in sk_shutdown). */
    boolean sendShutdown;

    // ---- timers -----------------------------------------------------------------------------
    private XmitTimer xmitKind = XmitTimer.NONE;
    private final Timer xmitTimer = new Timer() {
        @Override
        protected void fire(long nowNs) { onXmitTimer(); }
    };
    private final Timer delackTimer = new Timer() {
        @Override
        protected void fire(long nowNs) { onDelackTimer(); }
    };
    private final Timer keepaliveTimer = new Timer() {
        @Override
        protected void fire(long nowNs) { onKeepaliveTimer(); }
    };
    private final Timer timewaitTimer = new Timer() {
        @Override
        protected void fire(long nowNs) { onTimewaitTimer(); }
    };

    /** A closed connection of {@code host}; the stack opens it with {@link #connect}. */
    public TcpConnection(TcpHost host, SocketOptions options) {
        this.host = host;
        this.cfg = host.config();
        this.sched = host.scheduler();
        this.stats = host.counters();
        this.options = options;
        this.rtt = new RttEstimator(cfg.initialRtoMs * 1000L, cfg.rtoMinUs(), cfg.rtoMaxUs());
        this.rtoUs = cfg.initialRtoMs * 1000L;
        this.cc = CongestionControl.create(options.congestion != null ? options.congestion : cfg.tcpCongestionControl);
        this.rec = new LossRecovery(this);
    }

    // =========================================================================================
    // Inspection
    // =========================================================================================

    public TcpState state() { return state; }

    public int localAddr() { return localAddr; }

    public int localPort() { return localPort; }

    public int remoteAddr() { return remoteAddr; }

    public int remotePort() { return remotePort; }

    public ConnectionId id() { return new ConnectionId(localAddr, localPort, remoteAddr, remotePort); }

    /** Bytes the application can read now (Recv-Q of an established socket). */
    public int readable() { return recvBuf == null ? 0 : recvBuf.length(); }

    /** Bytes sent and not acknowledged plus bytes not yet sent (Send-Q). */
    public int unacked() { return sendBuf == null ? 0 : sendBuf.length(); }

    /** The effective send MSS (Linux mss_cache: payload bytes per segment, after options). */
    public int mss() { return mss; }

    /** Registers the one observer told of every change an application may wait for. */
    public void setObserver(Runnable observer) { this.observer = observer; }

    /** A snapshot with Linux's tcp_info fields. */
    public TcpInfo info() {
        long now = sched.nowNs();
        return new TcpInfo(state, rec.caState.ordinal(), retransmits, probesOut, backoff,
                (tsOk ? TcpInfo.OPT_TIMESTAMPS : 0) | (sackOk ? TcpInfo.OPT_SACK : 0) | (wscaleOk ? TcpInfo.OPT_WSCALE : 0),
                sndWscale, rcvWscale, rtoUs, mss, rcvMss, rtx.size(),
                rtx.sackedOut, rtx.lostOut, rtx.retransOut,
                (now - lastSendNs) / 1_000_000, (now - lastRecvNs) / 1_000_000, (now - lastAckRecvNs) / 1_000_000,
                mtuNow(), rtt.srttUs(), rtt.mdevUs(), cw.ssthresh, cw.cwnd, advMss, totalRetrans,
                rtt.minRttUs() == Long.MAX_VALUE ? 0 : rtt.minRttUs(), sndWnd, rcvWnd,
                recvBuf == null ? 0 : recvBuf.length(), sendBuf == null ? 0 : sendBuf.length(), cc.name(),
                currentTimer(), xmitTimer.isArmed() ? xmitTimer.deadlineNs() - now
                        : keepaliveTimer.isArmed() ? keepaliveTimer.deadlineNs() - now
                        : timewaitTimer.isArmed() ? timewaitTimer.deadlineNs() - now : 0,
                rec.reordering, rec.reordSeen, rec.delivered, rec.dsackDups);
    }

    private String currentTimer() {
        if (xmitTimer.isArmed()) {
            return switch (xmitKind) {
                case RTO, TLP, REO -> "on";
                case PROBE -> "persist";
                case NONE -> "off";
            };
        }
        if (timewaitTimer.isArmed()) return "timewait";
        if (keepaliveTimer.isArmed()) return "keepalive";
        return "off";
    }

    private int mtuNow() { return host.mtuTo(remoteAddr); }

    // =========================================================================================
    // Application calls
    // =========================================================================================

    /** Active open (RFC 9293 §3.10.1): sends a SYN and enters SYN_SENT. Called by the stack. */
    public void connect(int localAddr, int localPort, int remoteAddr, int remotePort) {
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        initBuffers();
        advMss = clampUserMss(mtuNow() - 40);
        iss = host.isn(localAddr, localPort, remoteAddr, remotePort);
        tsOffset = cfg.randomTsOffset ? host.tsOffset(localAddr, remoteAddr) : 0;
        sndUna = iss;
        sndNxt = iss;
        sndBufSeq = iss + 1;
        sndSml = iss + 1; // tcp_connect_init: snd_sml = write_seq, so Minshall's check starts clear
        rcvWscale = cfg.tcpWindowScaling ? initialWscale() : 0;
        initialWindow(advMss);
        synRetries = options.synCnt > 0 ? options.synCnt : cfg.tcpSynRetries;
        stats.inc(Counter.TcpActiveOpens);
        setState(TcpState.SYN_SENT);
        sendSyn();
        sndNxt = iss + 1;
        rtx.add(iss, iss + 1, RetransmitQueue.F_SYN, sched.nowNs());
        armXmit(XmitTimer.RTO, rtoUs);
    }

    /** Passive open: a SYN reached a listener; this new connection answers it from SYN_RECV. */
    void acceptSyn(TcpListener listener, InSegment seg) {
        this.parent = listener;
        this.localAddr = seg.dstAddr;
        this.localPort = seg.dstPort;
        this.remoteAddr = seg.srcAddr;
        this.remotePort = seg.srcPort;
        initBuffers();
        advMss = clampUserMss(mtuNow() - 40);
        irs = seg.seq;
        rcvNxt = seg.seq + 1;
        rcvWup = rcvNxt;
        iss = host.isn(localAddr, localPort, remoteAddr, remotePort);
        tsOffset = cfg.randomTsOffset ? host.tsOffset(localAddr, remoteAddr) : 0;
        sndUna = iss;
        sndNxt = iss;
        sndBufSeq = iss + 1;
        sndSml = iss + 1; // tcp_create_openreq_child: snd_sml = snd_una = ISS + 1
        negotiateOptions(seg);
        // tcp_openreq_init_rwin: the SYN-ACK's window is computed with the MSS less the timestamps option.
        initialWindow(advMss - (tsOk ? 12 : 0));
        sndWnd = seg.window; // RFC 7323 §2.2: the window in a SYN is never scaled
        sndWl1 = seg.seq;
        sndWl2 = seg.ack;
        maxSndWnd = sndWnd;
        synRetries = cfg.tcpSynackRetries;
        stats.inc(Counter.TcpPassiveOpens);
        // Linux clones the child from the listener (inet_csk_clone_lock), so its first state change,
        // as the inet_sock_set_state tracepoint shows it, is LISTEN → SYN_RECV, not CLOSE → SYN_RECV.
        state = TcpState.LISTEN;
        setState(TcpState.SYN_RECV);
        sendSynAck();
        sndNxt = iss + 1;
        rtx.add(iss, iss + 1, RetransmitQueue.F_SYN, sched.nowNs());
        armXmit(XmitTimer.RTO, rtoUs);
    }

    /**
     * How many separate out-of-order ranges a receive buffer of {@code rcvBuf} bytes holds. Linux keeps
     * out-of-order segments until their memory (skb truesize, at least about 1 KB each, even for a
     * small segment) exceeds sk_rcvbuf (tcp_try_rmem_schedule, then tcp_prune_ofo_queue); a range
     * holds at least one segment, so rcvBuf / 1 KB bounds them (the buffer limits the bytes).
     */
    static int maxOfoRanges(int rcvBuf) { return Math.max(32, rcvBuf / 1024); }

    private void initBuffers() {
        int rb = options.rcvBuf > 0 ? options.rcvBuf : cfg.tcpRmem[1];
        int sb = options.sndBuf > 0 ? options.sndBuf : cfg.tcpWmem[1];
        recvBuf = new RingBuffer(rb);
        sendBuf = new RingBuffer(sb);
        ofo = new Assembler(maxOfoRanges(options.rcvBuf > 0 ? options.rcvBuf : cfg.tcpRmem[2]));
        sndBuf = sb;
    }

    /** Linux's TCP_INIT_CWND (include/net/tcp.h), used by tcp_sndbuf_expand whatever the initial cwnd. */
    static final int TCP_INIT_CWND = 10;
    /** MAX_TCP_HEADER on x86_64 (L1_CACHE_ALIGN(128 + MAX_HEADER)). */
    static final int MAX_TCP_HEADER = 320;
    /** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) and SKB_DATA_ALIGN(sizeof(struct sk_buff)) on x86_64. */
    static final int SKB_SHINFO = 320, SKB_STRUCT = 256;
    /** GSO_LEGACY_MAX_SIZE: a device's default gso_max_size. */
    static final int GSO_MAX_SIZE = 65536;

    /**
     * tcp_sndbuf_expand (net/ipv4/tcp_input.c): room for twice max(cwnd, TCP_INIT_CWND, reordering + 1)
     * segments at the worst-case truesize per MSS, roundup_pow_of_two(MSS + MAX_TCP_HEADER + shinfo) +
     * sk_buff (4352 for MSS 1460: 87040 bytes at cwnd 10), capped at tcp_wmem[2]; it only grows. The
     * result is used as a payload limit as it stands (see {@link #sndBuf}).
     */
    private void sndbufExpand() {
        int perMss = Math.max(peerMssClamp(), mss) + MAX_TCP_HEADER + SKB_SHINFO;
        perMss = Integer.highestOneBit(perMss - 1) << 1; // roundup_pow_of_two
        perMss += SKB_STRUCT;
        int nrSegs = Math.max(Math.max(TCP_INIT_CWND, cw.cwnd), rec.reordering + 1);
        long sndmem = 2L * nrSegs * perMss; // CUBIC and Reno have no sndbuf_expand op: factor 2
        if (sndBuf < sndmem) sndBuf = (int) Math.min(sndmem, cfg.tcpWmem[2]);
    }

    /** tp->rx_opt.mss_clamp: the peer's MSS (what tcp_sndbuf_expand takes as the worst case). */
    private int peerMssClamp() { return peerMss; }

    /**
     * tcp_check_space → tcp_new_space (net/ipv4/tcp_input.c), after an ACK was processed and the queue
     * pushed: if a writer ran out of room, grow the buffer unless SO_SNDBUF locked it or the congestion
     * window is full (tcp_should_expand_sndbuf), and wake the writer when there is room
     * (sk_stream_write_space).
     */
    private void checkSpace() {
        if (!noSpace) return;
        if (options.sndBuf == 0 && rec.packetsInFlight() < cw.cwnd) sndbufExpand();
        if (writable()) {
            noSpace = false;
            notifyApp();
        }
    }

    /**
     * tcp_xmit_size_goal (net/ipv4/tcp.c): how large tcp_sendmsg builds an skb: the socket's GSO size
     * (gso_max_size less MAX_TCP_HEADER + 1, sk_setup_caps) bounded to half the largest window the peer
     * offered (tcp_bound_to_half_wnd), in whole MSS.
     */
    private int sizeGoal() {
        int pkt = GSO_MAX_SIZE - (MAX_TCP_HEADER + 1);
        int cutoff = maxSndWnd > DEFAULT_MSS ? maxSndWnd >>> 1 : maxSndWnd;
        if (cutoff > 0 && pkt > cutoff) pkt = Math.max(cutoff, 68 - TcpHeader.HEADER_LEN - (tsOk ? 12 : 0));
        int m = Math.max(mss, 1);
        return Math.max(pkt / m * m, m);
    }

    /** tcp_select_initial_window: wscale from the largest buffer we could grow to (tcp_rmem[2]). */
    private int initialWscale() {
        long space = Math.max(recvBuf.capacity(), cfg.tcpRmem[2]);
        int ws = 63 - Long.numberOfLeadingZeros(space) - 15;
        return Math.max(0, Math.min(14, ws));
    }

    /**
     * tcp_select_initial_window (net/ipv4/tcp_output.c): the first window is the buffer's space
     * rounded down to a multiple of the MSS; 64240 for tcp_rmem[1] = 131072 and MSS 1460.
     */
    private void initialWindow(int mssForRounding) {
        int space = winFromSpace(recvBuf.capacity());
        if (space > mssForRounding) space = space / mssForRounding * mssForRounding;
        int clamp = rcvWscale > 0 ? 65535 << rcvWscale : 65535;
        windowClamp = Math.min(clamp, winFromSpace(Math.max(recvBuf.capacity(), cfg.tcpRmem[2])));
        rcvWnd = Math.min(space, 65535);
        rcvSsthresh = rcvWnd;
    }

    /**
     * Appends data to the send buffer and sends what the windows allow (tcp_sendmsg).
     *
     * @return bytes taken (0 when the buffer is full: the caller waits for {@link #writable()}), or -errno
     */
    public int send(byte[] data, int off, int len) {
        if (error != null) return -takeError().number();
        if (sendShutdown || finQueued) return -Errno.EPIPE.number();
        switch (state) {
            case SYN_SENT, SYN_RECV -> {
                return 0; // tcp_sendmsg waits for the connection (sk_stream_wait_connect)
            }
            case ESTABLISHED, CLOSE_WAIT -> {
            }
            case CLOSE, LISTEN -> {
                return -(state == TcpState.LISTEN ? Errno.ENOTCONN : Errno.EPIPE).number();
            }
            default -> {
                return -Errno.EPIPE.number();
            }
        }
        // tcp_sendmsg_locked: bytes go into the unsent skb at the tail up to size_goal without looking at
        // sk_sndbuf; a new skb is started only while the queue is below sk_sndbuf (sk_stream_memory_free).
        // So the queue may pass sk_sndbuf by up to one skb, as Linux's does. An skb split by the sender
        // (tso_fragment at the congestion window) leaves its unsent rest as the tail: it starts at SND.NXT.
        int n = 0;
        int goal = sizeGoal();
        while (n < len) {
            int end = sndBufSeq + sendBuf.length();
            int tailStart = Seq.gt(sndNxt, tailSkbSeq) ? sndNxt : tailSkbSeq;
            int tailLen = Math.max(0, Seq.diff(end, tailStart));
            int room = tailLen > 0 ? goal - tailLen : 0;
            if (room <= 0) {
                if (sendBuf.length() >= sndBuf) break;
                tailSkbSeq = end;
                room = goal;
            }
            int want = Math.min(room, len - n);
            if (sendBuf.free() < want) sendBuf.resize(Math.max(sendBuf.capacity() * 2, sendBuf.length() + want));
            n += sendBuf.write(data, off + n, want);
            // A full skb with more to come: tcp_push_one / __tcp_push_pending_frames send what the
            // windows allow now, which also decides where the next tail skb starts.
            if (want == room && n < len) output();
        }
        if (n < len) noSpace = true;
        if (n > 0) {
            // tcp_sendmsg → tcp_push → tcp_mark_push: the segment holding the last byte of this write
            // carries PSH (also when the write stops early on a full buffer: tcp_push before waiting).
            markPush(sndBufSeq + sendBuf.length());
            output();
        }
        return n;
    }

    /** Sequence numbers that end an application write, oldest first (a ring: no allocation per write). */
    private int[] pushMarks = new int[16];
    private int pushHead, pushCount;

    private void markPush(int endSeq) {
        if (pushCount > 0 && pushMarks[(pushHead + pushCount - 1) & (pushMarks.length - 1)] == endSeq) return;
        if (pushCount == pushMarks.length) {
            int[] bigger = new int[pushMarks.length * 2];
            for (int i = 0; i < pushCount; i++) bigger[i] = pushMarks[(pushHead + i) & (pushMarks.length - 1)];
            pushMarks = bigger;
            pushHead = 0;
        }
        pushMarks[(pushHead + pushCount) & (pushMarks.length - 1)] = endSeq;
        pushCount++;
    }

    /**
     * Whether the segment about to go is the last of this burst although data remains: the next one is
     * held by cwnd or the send window. Linux sends a burst of several segments as one TSO skb cut at
     * the cwnd, and that skb goes out with PSH (packetdrill's slow_start and mss scripts, which Linux
     * 6.18 passes, show it); a single segment sent alone (as PRR sends them) does not.
     */
    private boolean burstEndsAfter(int segLen, int wndEnd) {
        int nextStart = sndNxt + segLen;
        int unsentAfter = sendBuf.length() - unsentOffset() - segLen;
        if (unsentAfter <= 0) return false;
        int nextLen = Math.min(unsentAfter, mss);
        return rec.packetsInFlight() + 1 >= cw.cwnd || Seq.gt(nextStart + nextLen, wndEnd);
    }

    /** Whether a write ended inside [start, end): then the segment gets PSH. Consumes the marks it passes. */
    private boolean pushWithin(int start, int end) {
        boolean push = false;
        while (pushCount > 0) {
            int m = pushMarks[pushHead];
            if (Seq.gt(m, end)) break;
            if (Seq.gt(m, start)) push = true;
            pushHead = (pushHead + 1) & (pushMarks.length - 1);
            pushCount--;
        }
        return push;
    }

    /** Whether send() would take at least one byte now (POLLOUT). */
    public boolean writable() {
        if (error != null || sendShutdown) return true; // the call would fail at once
        if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT) return false;
        // __sk_stream_is_writeable (include/net/sock.h): below sk_sndbuf and free space at least half of
        // what is queued (sk_stream_min_wspace); tcp_poll and sk_stream_write_space use the same test.
        int queued = sendBuf.length();
        return queued < sndBuf && sndBuf - queued >= queued >> 1;
    }

    /**
     * Copies received data to the caller (tcp_recvmsg).
     *
     * @return bytes copied; 0 at end of stream; {@code -EAGAIN} when nothing is there yet; or -errno
     */
    public int receive(byte[] dst, int off, int len) {
        if (state == TcpState.LISTEN) return -Errno.ENOTCONN.number();
        int available = recvBuf == null ? 0 : recvBuf.length();
        if (available == 0) {
            if (error != null) return -takeError().number();
            if (rcvShutdown || appShutRd || state == TcpState.CLOSE) return 0;
            if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECV) return -Errno.EAGAIN.number();
            // A reader is waiting: Linux's tcp_recvmsg would wait; nothing to do on the wire.
            return -Errno.EAGAIN.number();
        }
        int n = recvBuf.read(dst, off, Math.min(len, available));
        copiedTotal += n;
        if (n > 0) rcvSpaceAdjust(sched.nowNs()); // tcp_recvmsg_locked: before tcp_cleanup_rbuf
        cleanupRbuf(n);
        return n;
    }

    /** Whether receive() would not wait (POLLIN): data, end of stream, or an error. */
    public boolean readable0() {
        return (recvBuf != null && recvBuf.length() > 0) || rcvShutdown || appShutRd || error != null
                || state == TcpState.CLOSE;
    }

    /** Whether the connection has reached CLOSE (POLLHUP when both directions are shut). */
    public boolean isClosed() { return state == TcpState.CLOSE; }

    /** Linux sk_shutdown & RCV_SHUTDOWN: the peer's FIN was read in order, shutdown(SHUT_RD), or CLOSE (poll's POLLRDHUP). */
    public boolean receiveShutdown() { return rcvShutdown || appShutRd; }

    /** Linux sk_shutdown & SEND_SHUTDOWN: shutdown(SHUT_WR), close, or CLOSE. */
    public boolean sendShutdown() { return sendShutdown; }

    /** The send buffer's size in bytes (sk_sndbuf as the engine models it), for poll's POLLOUT rule. */
    public int sendBufferCapacity() { return sendBuf == null ? 0 : sndBuf; }

    /** The pending error without clearing it (for poll's POLLERR). */
    public Errno pendingError() { return error; }

    /** Reads and clears the pending error (getsockopt SO_ERROR). */
    public Errno takeError() {
        Errno e = error;
        error = null;
        return e;
    }

    /** The soft error (e.g. from an ICMP), for connect() timeouts. */
    public Errno softError() { return softError; }

    /**
     * shutdown(SHUT_WR): queue a FIN after the data (tcp_shutdown → tcp_close_state).
     *
     * @return 0 or -errno
     */
    public int shutdownOutput() {
        switch (state) {
            case ESTABLISHED, SYN_RECV -> setState(TcpState.FIN_WAIT1);
            case CLOSE_WAIT -> setState(TcpState.LAST_ACK);
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
        finQueued = true;
        sendShutdown = true;
        output();
        return 0;
    }

    /**
     * shutdown() of any kind in SYN_SENT: inet_shutdown (net/ipv4/af_inet.c) calls tcp_disconnect, which
     * stops the attempt without a RST (tcp_need_reset excludes SYN_SENT) and sets sk_err = ECONNRESET:
     * a connect() waiting on it fails with ECONNRESET. shutdown() itself returns 0.
     */
    private int disconnect() {
        done(Errno.ECONNRESET);
        return 0;
    }

    /** shutdown(SHUT_RD): reads return end of stream; arriving data is still acknowledged (Linux). */
    public int shutdownInput() {
        if (state == TcpState.CLOSE || state == TcpState.LISTEN) return -Errno.ENOTCONN.number();
        if (state == TcpState.SYN_SENT) return disconnect();
        appShutRd = true;
        notifyApp();
        return 0;
    }

    /**
     * close() (tcp_close in net/ipv4/tcp.c): with unread data, or SO_LINGER with a zero time, the
     * connection is aborted with a RST; otherwise a FIN follows the queued data and the connection
     * lives on, orphaned, until the close completes.
     */
    public void close() {
        orphan = true;
        observer = null;
        switch (state) {
            case CLOSE -> {
                host.connectionClosed(this);
                return;
            }
            case SYN_SENT -> {
                // tcp_close → tcp_set_state(TCP_CLOSE): a connection attempt just stops, no RST.
                done(null);
                return;
            }
            default -> {
            }
        }
        boolean unread = recvBuf != null && recvBuf.length() > 0;
        if (unread) {
            // RFC 2525 §2.17, Linux tcp_close: data was lost, tell the peer with a RST.
            stats.inc(Counter.TcpExtTCPAbortOnClose);
            sendActiveReset();
            done(null);
            return;
        }
        if (options.linger && options.lingerSec == 0) {
            // SO_LINGER {on, 0}: tcp_disconnect, no TIME_WAIT. It sends a RST only where tcp_need_reset
            // says (ESTABLISHED, CLOSE_WAIT, FIN_WAIT1, FIN_WAIT2, SYN_RECV), or in CLOSING/LAST_ACK with
            // data never sent (snd_nxt != write_seq); a connection in TIME_WAIT just goes.
            stats.inc(Counter.TcpExtTCPAbortOnData);
            boolean unsentData = sendBuf != null && sendBuf.length() > unsentOffset();
            boolean reset = switch (state) {
                case ESTABLISHED, CLOSE_WAIT, FIN_WAIT1, FIN_WAIT2, SYN_RECV -> true;
                case CLOSING, LAST_ACK -> unsentData;
                default -> false;
            };
            if (reset) sendActiveReset();
            done(null);
            return;
        }
        switch (state) {
            case ESTABLISHED, SYN_RECV -> setState(TcpState.FIN_WAIT1);
            case CLOSE_WAIT -> setState(TcpState.LAST_ACK);
            case FIN_WAIT2 -> {
                armOrphanFinWait2();
                return;
            }
            default -> {
                return; // already closing
            }
        }
        finQueued = true;
        sendShutdown = true;
        output();
    }

    /** Abort (SO_LINGER 0 or the process dies with unread data): RST, then CLOSE. */
    public void abort() {
        orphan = true;
        observer = null;
        if (state != TcpState.CLOSE && state != TcpState.SYN_SENT && state != TcpState.LISTEN
                && state != TcpState.TIME_WAIT) {
            sendActiveReset();
        }
        done(null);
    }

    /** Whether the bytes of a linger-close have all been acknowledged (for SO_LINGER with a time). */
    public boolean allAcked() { return rtx.isEmpty() && sendBuf.length() == 0; }

    /**
     * TCP_QUICKACK (__tcp_sock_set_quickack in net/ipv4/tcp.c): 0 enters ping-pong (delayed-ACK) mode;
     * 1 leaves it and, if an ACK is owed on an established connection, sends it now. Not permanent:
     * the stack may enter ping-pong mode again later, as in Linux.
     */
    public void setQuickAck(boolean on) {
        if (!on) {
            pingpong = true;
            return;
        }
        pingpong = false;
        if ((state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) && ackPending) sendAck();
    }

    /** TCP_NODELAY and friends take effect at once: pushing pending data if Nagle held it. */
    public void optionsChanged() {
        // sock_setsockopt SO_SNDBUF: sets sk_sndbuf and SOCK_SNDBUF_LOCK at once, then sk_write_space.
        if (sendBuf != null && options.sndBuf > 0 && options.sndBuf != sndBuf) {
            sndBuf = options.sndBuf;
            notifyApp();
        }
        // SO_RCVBUF sets sk_rcvbuf (and SOCK_RCVBUF_LOCK) at once: later windows follow it. The ring
        // never drops data it holds: it shrinks at most to what is queued, and not while out-of-order
        // data sits beyond the tail; the window already offered is never taken back (tcp_select_window).
        if (recvBuf != null && options.rcvBuf > 0 && options.rcvBuf != recvBuf.capacity()) {
            if (options.rcvBuf > recvBuf.capacity()) recvBuf.resize(options.rcvBuf);
            else if (ofo.isEmpty()) recvBuf.resize(Math.max(options.rcvBuf, recvBuf.length()));
        }
        if (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) {
            if (options.keepAlive) resetKeepalive();
            else sched.cancel(keepaliveTimer);
            output();
        }
    }

    // =========================================================================================
    // Segment arrival (RFC 9293 §3.10.7)
    // =========================================================================================

    /** Processes one segment addressed to this connection. Never throws for anything the peer sends. */
    public void onSegment(InSegment seg) {
        long now = sched.nowNs();
        lastRecvNs = now;
        switch (state) {
            case CLOSE -> {
                return;
            }
            case SYN_SENT -> {
                synSent(seg, now);
                return;
            }
            case TIME_WAIT -> {
                timeWait(seg);
                return;
            }
            default -> otherStates(seg, now);
        }
    }

    /** RFC 9293 §3.10.7.3, SYN-SENT STATE. */
    private void synSent(InSegment seg, long now) {
        // First, check the ACK bit.
        if (seg.has(ACK)) {
            if (Seq.le(seg.ack, iss) || Seq.gt(seg.ack, sndNxt)) {
                if (!seg.has(RST)) sendReset(seg.ack, 0, RST);
                return;
            }
        }
        // Second, check the RST bit.
        if (seg.has(RST)) {
            if (seg.has(ACK)) {
                // tcp_reset: in SYN_SENT the error is ECONNREFUSED.
                stats.inc(Counter.TcpAttemptFails);
                done(Errno.ECONNREFUSED);
            }
            return;
        }
        // Fourth, check the SYN bit.
        if (!seg.has(SYN)) return;
        irs = seg.seq;
        rcvNxt = seg.seq + 1;
        rcvWup = rcvNxt;
        negotiateOptions(seg);
        if (tsOk) {
            tsRecent = seg.tsVal;
            tsRecentStampNs = now;
        }
        if (seg.has(ACK)) {
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            sndWnd = seg.window; // not scaled in a SYN (RFC 7323 §2.2)
            maxSndWnd = sndWnd;
            ackSyn(seg, now);
            setState(TcpState.ESTABLISHED);
            established(now);
            // shutdown(SHUT_WR) during SYN_SENT queued a FIN: it leaves with the handshake's end, so the
            // state must say so (as the SYN_RECV path does), or the FIN's ACK would find ESTABLISHED.
            if (finQueued) setState(TcpState.FIN_WAIT1);
            // tcp_rcv_synsent_state_process: the third segment of the handshake goes out at once.
            sendAck();
            output();
            notifyApp();
        } else {
            // Simultaneous open (RFC 9293 §3.5, Figure 8): SYN_RECV, answer with SYN,ACK on the same ISS.
            sndWnd = seg.window;
            sndWl1 = seg.seq;
            maxSndWnd = sndWnd;
            setState(TcpState.SYN_RECV);
            // tcp_send_synack resends our SYN's skb: the window stays the one connect() chose.
            sendSynAck();
        }
    }

    /** The SYN has been acknowledged: take its RTT sample and drop it from the retransmission queue. */
    private void ackSyn(InSegment seg, long now) {
        boolean retransmitted = rtx.has(0, RetransmitQueue.EVER_RETRANS);
        long sent = rtx.sentNs(0);
        rtx.removeFirst();
        bytesAcked += Seq.diff(seg.ack, sndUna);
        sndUna = seg.ack;
        sndBufSeq = sndUna;
        if (!retransmitted) rttSample((now - sent) / 1000);
        else if (tsOk && seg.tsEcr != 0) rttSample(tsRttUs(seg.tsEcr, now));
        retransmits = 0;
        backoff = 0;
        retransStampNs = 0;
        sched.cancel(xmitTimer);
        xmitKind = XmitTimer.NONE;
    }

    /** Linux tcp_init_transfer: congestion state and timers for a new connection. */
    private void established(long now) {
        mss = computeMss();
        rcvMss = Math.min(advMss, Math.max(mss, DEFAULT_MSS));
        cw.cwnd = cfg.initCwnd;
        cw.ssthresh = Cwnd.INFINITE_SSTHRESH;
        cc.init(cw, now);
        // tcp_init_buffer_space: the send buffer grows to what the initial window needs unless locked.
        if (options.sndBuf == 0) sndbufExpand();
        // ... and DRS starts measuring: rcvq_space.space = min(rcv_ssthresh, rcv_wnd, TCP_INIT_CWND · advmss).
        rcvqSpaceTimeNs = now;
        rcvqSpaceSeq = copiedTotal;
        rcvqSpace = Math.min(Math.min(rcvSsthresh, rcvWnd), TCP_INIT_CWND * advMss);
        lastSendNs = now;
        lastAckRecvNs = now;
        cwndUsageSeq = sndNxt;
        if (options.keepAlive) resetKeepalive();
    }

    /** Options of a SYN or SYN-ACK: what both sides agreed (RFC 9293 §3.7.1, RFC 7323, RFC 2018). */
    private void negotiateOptions(InSegment seg) {
        peerMss = seg.mss > 0 ? seg.mss : DEFAULT_MSS; // Linux: a zero MSS option is treated as absent
        // tcp_parse_options: the peer's MSS is clamped to TCP_MAXSEG (mss_clamp = min(in_mss, user_mss)).
        if (seg.mss > 0) peerMss = clampUserMss(peerMss);
        sackOk = cfg.tcpSack && seg.sackPermitted;
        tsOk = cfg.timestampsEnabled() && seg.hasTimestamps;
        if (tsOk) {
            tsRecent = seg.tsVal;
            tsRecentStampNs = sched.nowNs();
        }
        wscaleOk = cfg.tcpWindowScaling && seg.windowScale >= 0;
        if (wscaleOk) {
            sndWscale = Math.min(seg.windowScale, 14);
            if (state != TcpState.SYN_SENT) rcvWscale = initialWscale();
        } else {
            sndWscale = 0;
            rcvWscale = 0;
        }
        mss = computeMss();
    }

    /** tcp_mss_clamp (include/net/tcp.h): min(mss, TCP_MAXSEG) when the application set one. */
    private int clampUserMss(int m) {
        return options.userMss > 0 && options.userMss < m ? options.userMss : m;
    }

    /** tcp_sync_mss: payload per segment = min(peer's MSS, our MTU − 40) − the timestamps option. */
    private int computeMss() {
        int m = Math.min(peerMss, mtuNow() - 40);
        if (tsOk) m -= 12;
        return Math.max(m, 48);
    }

    /** RFC 9293 §3.10.7.4, for SYN_RECV and every synchronized state but TIME_WAIT. */
    private void otherStates(InSegment seg, long now) {
        // PAWS (RFC 7323 §5.3), Linux tcp_validate_incoming → tcp_paws_discard.
        if (tsOk && seg.hasTimestamps && !seg.has(RST) && pawsReject(seg, now)) {
            stats.inc(Counter.TcpExtPAWSEstab);
            sendDupAckRateLimited(seg, now);
            return;
        }
        // First, check the sequence number (Linux tcp_sequence: RCV.WUP instead of RCV.NXT on the left).
        if (!sequenceAcceptable(seg)) {
            if (!seg.has(RST)) {
                if (seg.has(SYN)) {
                    challengeAck(Counter.TcpExtTCPSYNChallenge);
                } else {
                    sendDupAckRateLimited(seg, now);
                }
            }
            return;
        }
        // Second, check the RST bit (RFC 5961 §3.2).
        if (seg.has(RST)) {
            // Linux tcp_check_req: a request socket (passive SYN_RECV) dies on any in-window RST; the
            // exact-match rule of RFC 5961 §3.2 is for full sockets.
            boolean embryonic = state == TcpState.SYN_RECV && parent != null;
            if (embryonic || seg.seq == rcvNxt || resetMatchesLinux(seg)) {
                onReset();
            } else {
                challengeAck(Counter.TcpExtTCPChallengeACK);
            }
            return;
        }
        // RFC 7323 §4.3: remember the timestamp to echo (Linux tcp_replace_ts_recent). Linux does it in
        // tcp_ack once the ACK is known good: not for an ACK of data never sent (ACK_UNSENT_DATA), nor
        // an ACK older than SND.UNA (old_ack), nor a segment without ACK (dropped).
        boolean ackUsable = seg.has(ACK) && !Seq.gt(seg.ack, sndNxt) && !Seq.lt(seg.ack, sndUna);
        if (tsOk && seg.hasTimestamps && Seq.le(seg.seq, rcvWup) && ackUsable) {
            tsRecent = seg.tsVal;
            tsRecentStampNs = now;
        }
        // Fourth, check the SYN bit (RFC 5961 §4.2): a SYN in a synchronized state draws a challenge ACK.
        boolean crossedSynAck = false;
        if (seg.has(SYN)) {
            if (state == TcpState.SYN_RECV && !seg.has(ACK) && seg.seq == irs) {
                // A retransmitted SYN: answer with the SYN-ACK again (Linux tcp_check_req).
                sendSynAck();
                return;
            }
            if (state == TcpState.SYN_RECV && parent != null) {
                // tcp_check_req (net/ipv4/tcp_minisocks.c): an ACK that is not for our SYN-ACK is refused by
                // the listener; otherwise an in-window SYN resets the embryonic connection ("fourth,
                // check the SYN bit": TCP_MIB_ATTEMPTFAILS, embryonic_reset → send_reset and drop the
                // request, LINUX_MIB_EMBRYONICRSTS). RFC 5961 §4's challenge ACK is for full sockets.
                if (seg.has(ACK) && seg.ack != sndNxt) {
                    sendReset(seg.ack, 0, RST);
                    return;
                }
                stats.inc(Counter.TcpAttemptFails);
                stats.inc(Counter.TcpExtEmbryonicRsts);
                // tcp_v4_send_reset: seq = SEG.ACK if it has one, else 0 with ACK of everything it occupied.
                if (seg.has(ACK)) sendReset(seg.ack, 0, RST);
                else sendReset(0, seg.seq + seg.seqLength(), RST | ACK);
                done(null);
                return;
            }
            // Simultaneous open (RFC 9293 Figure 8): the peer's SYN-ACK acknowledging our SYN passes
            // (Linux tcp_validate_incoming, step 4) and its old SYN is D-SACKed below.
            crossedSynAck = state == TcpState.SYN_RECV && parent == null && seg.has(ACK) && seg.seqLength() == 1
                    && seg.seq + 1 == rcvNxt && seg.ack == sndNxt;
            if (!crossedSynAck) {
                challengeAck(Counter.TcpExtTCPSYNChallenge);
                return;
            }
        }
        // Fifth, check the ACK field.
        if (!seg.has(ACK)) return;
        if (state == TcpState.SYN_RECV) {
            if (Seq.lt(sndUna, seg.ack) && Seq.le(seg.ack, sndNxt)) {
                sndWnd = seg.window << sndWscale;
                sndWl1 = seg.seq;
                sndWl2 = seg.ack;
                maxSndWnd = Math.max(maxSndWnd, sndWnd);
                ackSyn(seg, now);
                setState(TcpState.ESTABLISHED);
                established(now);
                if (parent != null) parent.childEstablished(this);
                if (finQueued) setState(TcpState.FIN_WAIT1); // close() during SYN_RECV
                notifyApp();
            } else {
                sendReset(seg.ack, 0, RST);
                return;
            }
        } else {
            if (!processAck(seg, now)) return;
        }
        if (crossedSynAck) {
            // tcp_data_queue: a segment wholly below RCV.NXT is a retransmission: D-SACK it, ACK at once.
            setDsack(seg.seq, rcvNxt, Counter.TcpExtTCPDSACKOldSent);
            enterQuickAck();
            ackNow = true;
        }
        // Seventh, process the segment text.
        boolean hadFin = seg.has(FIN);
        if (seg.payloadLen > 0 || hadFin) {
            switch (state) {
                case ESTABLISHED, FIN_WAIT1, FIN_WAIT2 -> {
                    if (orphan && seg.payloadLen > 0 && Seq.gt(seg.seq + seg.payloadLen, rcvNxt)) {
                        // tcp_rcv_state_process: new data for a socket whose reader is gone → tcp_reset and
                        // return 1, so tcp_v4_do_rcv answers with tcp_v4_send_reset: <SEQ=SEG.ACK><CTL=RST>.
                        stats.inc(Counter.TcpExtTCPAbortOnData);
                        sendReset(seg.ack, 0, RST);
                        done(null);
                        return;
                    }
                    dataQueue(seg, now);
                }
                default -> {
                    // CLOSE_WAIT, CLOSING, LAST_ACK: the peer already sent its FIN. Linux
                    // (tcp_rcv_state_process) ignores new text but lets an old segment — a
                    // retransmitted FIN — reach tcp_data_queue, which ACKs it at once.
                    if (Seq.lt(seg.seq, rcvNxt)) dataQueue(seg, now);
                }
            }
        }
        if (state == TcpState.CLOSE) return;
        output();
        checkSpace(); // tcp_data_snd_check: push, then tcp_check_space
        ackSndCheck();
    }

    /** Linux tcp_sequence (and RFC 9293's acceptability test, with RCV.WUP for the left edge). */
    private boolean sequenceAcceptable(InSegment seg) {
        int end = seg.seq + seg.seqLength();
        int win = receiveWindow();
        if (seg.seqLength() == 0 && win == 0) {
            // RFC 9293 table: zero-length segment, zero window: SEG.SEQ = RCV.NXT. Linux accepts
            // the same through tcp_sequence with end_seq == seq.
            return Seq.ge(end, rcvWup) && Seq.le(seg.seq, rcvNxt);
        }
        return !Seq.lt(end, rcvWup) && !Seq.gt(seg.seq, rcvNxt + win);
    }

    /** tcp_receive_window: what is left of the last advertised window. */
    int receiveWindow() {
        int w = rcvWup + rcvWnd - rcvNxt;
        return Math.max(w, 0);
    }

    /** tcp_paws_discard (tcp_input.c): an old timestamp on a segment that is not a RST. */
    private boolean pawsReject(InSegment seg, long now) {
        if (tsRecent - seg.tsVal <= 1) return false; // TCP_PAWS_WINDOW = 1
        if (now - tsRecentStampNs >= PAWS_24DAYS_NS) return false;
        // Linux tcp_disordered_ack: a pure duplicate ACK is let through.
        return !(seg.payloadLen == 0 && !seg.has(FIN) && seg.ack == sndUna && seg.seq == rcvNxt);
    }

    /** Linux tcp_reset_check and the SACK extension of RFC 5961 §3.2 in tcp_validate_incoming. */
    private boolean resetMatchesLinux(InSegment seg) {
        if (seg.seq == rcvNxt - 1 && (state == TcpState.CLOSE_WAIT || state == TcpState.LAST_ACK
                || state == TcpState.CLOSING)) {
            return true;
        }
        if (sackOk && !ofo.isEmpty()) {
            int[] s = new int[4], e = new int[4];
            int n = ofo.sackBlocks(s, e, 4);
            int maxSack = rcvNxt;
            for (int i = 0; i < n; i++) if (Seq.gt(e[i], maxSack)) maxSack = e[i];
            return seg.seq == maxSack;
        }
        return false;
    }

    /** A valid RST (Linux tcp_reset): the error the application sees depends on the state. */
    private void onReset() {
        switch (state) {
            case SYN_RECV -> {
                if (parent != null) {
                    // A passive open reset before it was accepted just vanishes (Linux drops the request).
                    stats.inc(Counter.TcpAttemptFails);
                    stats.inc(Counter.TcpExtEmbryonicRsts);
                    done(null);
                    return;
                }
                done(Errno.ECONNREFUSED);
            }
            case CLOSE_WAIT -> done(Errno.EPIPE);
            case CLOSING, LAST_ACK -> done(null);
            default -> {
                stats.inc(Counter.TcpEstabResets);
                done(Errno.ECONNRESET);
            }
        }
    }

    /**
     * RFC 5961 §7: a challenge ACK (Linux tcp_send_challenge_ack). Linux first applies the per-socket
     * out-of-window limit (__tcp_oow_rate_limited: one per tcp_invalid_ratelimit, skips counted in
     * TCPACKSkippedChallenge), then tcp_challenge_ack_limit (INT_MAX by default: no host-wide limit).
     * TCPSYNChallenge counts the SYN that asked for one, sent or not; TCPChallengeACK counts those sent.
     */
    private void challengeAck(Counter counter) {
        if (counter != Counter.TcpExtTCPChallengeACK) stats.inc(counter);
        long now = sched.nowNs();
        if (oowRateLimited(now)) {
            stats.inc(Counter.TcpExtTCPACKSkippedChallenge);
            return;
        }
        lastOowAckNs = now;
        stats.inc(Counter.TcpExtTCPChallengeACK);
        sendAck();
    }

    /** tcp_send_dupack with tcp_oow_rate_limited: one out-of-window ACK per tcp_invalid_ratelimit. */
    private void sendDupAckRateLimited(InSegment seg, long now) {
        boolean pure = seg.payloadLen == 0 || seg.has(SYN);
        if (pure && oowRateLimited(now)) {
            stats.inc(Counter.TcpExtTCPACKSkippedSeq);
            return;
        }
        if (pure) lastOowAckNs = now;
        if (seg.payloadLen > 0 && Seq.lt(seg.seq, rcvNxt)) {
            // An old duplicate: D-SACK it (RFC 2883 §4.1).
            int end = seg.seq + seg.payloadLen;
            setDsack(seg.seq, Seq.min(end, rcvNxt), Counter.TcpExtTCPDSACKOldSent);
            enterQuickAck();
        }
        sendAck();
    }

    /**
     * __tcp_oow_rate_limited: whether an out-of-window ACK was sent less than tcp_invalid_ratelimit ago.
     * Before the first one nothing limits (Linux: last_oow_ack_time starts at 0, long ago).
     */
    private boolean oowRateLimited(long now) {
        return lastOowAckNs != Long.MIN_VALUE && now - lastOowAckNs < cfg.tcpInvalidRatelimit * 1_000_000L;
    }

    /** TIME_WAIT (Linux tcp_timewait_state_process). */
    private void timeWait(InSegment seg) {
        if (seg.has(RST)) {
            // RFC 1337 says ignore; Linux (tcp_rfc1337 = 0) kills the TIME_WAIT socket.
            if (seg.seq == rcvNxt) done(null);
            return;
        }
        if (seg.has(SYN) && !seg.has(ACK) && Seq.gt(seg.seq, rcvNxt)) {
            // A new incarnation: Linux lets the listener take it (TCP_TW_SYN); the stack retries demux.
            done(null);
            return;
        }
        if (seg.has(FIN) && seg.seq + seg.payloadLen == rcvNxt - 1) {
            // The peer did not get our last ACK: ACK again and restart the 2MSL wait.
            sendAck();
            sched.scheduleIn(timewaitTimer, cfg.timeWaitSeconds * 1_000_000_000L);
            return;
        }
        if (seg.seqLength() > 0 || seg.seq != rcvNxt) {
            sendAck(); // TCP_TW_ACK for anything out of sequence
        }
    }

    // ---- ACK processing (Linux tcp_ack) ----------------------------------------------------

    /**
     * The ACK field in a synchronized state.
     *
     * @return false when the segment must be dropped
     */
    private boolean processAck(InSegment seg, long now) {
        int ack = seg.ack;
        int priorUna = sndUna;
        if (Seq.gt(ack, sndNxt)) {
            // Linux tcp_ack: an ACK for data not yet sent is dropped silently (RFC 9293 says ACK it;
            // Linux returns -SKB_DROP_REASON_TCP_ACK_UNSENT_DATA and discards the segment).
            return false;
        }
        if (Seq.lt(ack, priorUna)) {
            // RFC 5961 §5.2: older than the largest window the peer could have seen → challenge ACK.
            // Linux tcp_ack bounds that window by bytes_acked ("do not accept ACK for bytes we never sent").
            int maxWindow = (int) Math.min(maxSndWnd & 0xFFFF_FFFFL, bytesAcked);
            if (Seq.lt(ack, priorUna - maxWindow)) {
                challengeAck(Counter.TcpExtTCPChallengeACK);
                return false;
            }
            if (sackOk && seg.sackCount > 0) rec.oldAck(seg, priorUna, now);
            return true; // old ACK: nothing to learn, the text may still be new
        }
        lastAckRecvNs = now;
        probesOut = 0; // any ACK answers a probe
        int priorWnd = sndWnd;
        boolean windowUpdated = updateWindow(seg);
        int priorPacketsOut = rtx.size();
        int priorFack = rec.highestSackSeq();
        boolean advanced = Seq.gt(ack, priorUna);
        int newlySacked = rec.startAck(seg, priorUna, advanced, now);
        int ackedPackets = 0;
        int sackedBeforeClean = rtx.sackedOut;
        int priorDupAcks = rec.dupAcks;
        if (advanced) {
            ackedPackets = cleanRtxQueue(seg, now, priorFack);
            retransmits = 0;
        }
        // Segments SACKed earlier were delivered then; this ACK delivers only the others (tp->delivered).
        int newlyAcked = ackedPackets - (sackedBeforeClean - rtx.sackedOut);
        if (!sackOk && ackedPackets > 0) {
            // tcp_remove_reno_sacks: without SACK one cumulative ACK delivers the hole; the other
            // segments it covers were already counted by their duplicate ACKs (tcp_add_reno_sack).
            newlyAcked = Math.max(ackedPackets - Math.min(priorDupAcks, Math.max(priorPacketsOut - 1, 0)), 1);
        }
        if (priorPacketsOut == 0 && !advanced) {
            // Nothing in flight: a window update, a probe's answer or a keepalive answer (tcp_ack's no_queue).
            if (sendBuf.length() > unsentOffset()) ackProbe();
            return true;
        }
        // tcp_ack: num_dupack = 1 unless the ACK advanced, carried data, updated the window or D-SACKed.
        boolean dupAck = !advanced && seg.payloadLen == 0 && !seg.has(FIN) && sndWnd == priorWnd
                && !windowUpdated && rtx.size() > 0 && !rec.dsacking();
        boolean notDup = advanced || seg.payloadLen > 0 || windowUpdated;
        rec.finishAck(seg, priorUna, dupAck, notDup, newlyAcked, newlySacked, now);
        if (advanced && (finSent && Seq.ge(ack, finSeq + 1))) ourFinAcked();
        if (advanced) {
            // FLAG_SET_XMIT_TIMER: a TLP or the RTO, unless RACK has just armed its reordering timer.
            if (rtx.isEmpty()) {
                sched.cancel(xmitTimer);
                xmitKind = XmitTimer.NONE;
            } else if (rec.setXmitTimer()) {
                setXmitTimer(now);
            }
            notifyApp(); // room in the send buffer
        }
        if (host.tracer() != null) traceCwnd(now);
        return state != TcpState.CLOSE;
    }

    /**
     * tcp_ack_probe: data waits and nothing is in flight. If the window now takes the first unsent
     * segment, stop probing (output() sends it); otherwise re-arm the probe timer from now with the
     * backoff reached, min(max(RTO, 200 ms) << backoff, 120 s).
     */
    private void ackProbe() {
        int unsent = sendBuf.length() - unsentOffset();
        if (!Seq.gt(sndNxt + Math.min(unsent, mss), sndUna + sndWnd)) {
            backoff = 0;
            probeStartNs = 0;
            if (xmitKind == XmitTimer.PROBE) {
                sched.cancel(xmitTimer);
                xmitKind = XmitTimer.NONE;
            }
        } else {
            armXmit(XmitTimer.PROBE, probe0WhenUs());
        }
    }

    /** tcp_probe0_when: the probe interval, max(RTO, TCP_RTO_MIN) << backoff, capped at TCP_RTO_MAX. */
    private long probe0WhenUs() {
        return Math.min(Math.max(rtoUs, TCP_RTO_MIN_US) << Math.min(backoff, 30), cfg.rtoMaxUs());
    }

    /** tcp_may_update_window / tcp_ack_update_window (RFC 9293 §3.10.7.4 with Linux's test). */
    private boolean updateWindow(InSegment seg) {
        int nwin = seg.window << sndWscale;
        if (Seq.gt(seg.ack, sndUna) || Seq.gt(seg.seq, sndWl1) || (seg.seq == sndWl1 && (nwin > sndWnd || nwin == 0))) {
            boolean changed = nwin != sndWnd;
            sndWnd = nwin;
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            if (nwin > maxSndWnd) maxSndWnd = nwin;
            return changed;
        }
        return false;
    }

    /**
     * Removes what the cumulative ACK covers (tcp_clean_rtx_queue), takes an RTT sample by Karn's rule
     * (RFC 6298 §3), advances RACK, notices reordering (a hole filled by an original transmission
     * below the highest SACK), and frees the send buffer.
     *
     * @param priorFack the highest SACKed sequence before this ACK (tcp_highest_sack_seq)
     * @return packets acknowledged
     */
    private int cleanRtxQueue(InSegment seg, long now, int priorFack) {
        int ack = seg.ack;
        long firstAckedSentNs = -1;
        boolean retransAcked = false;
        int packets = 0;
        while (!rtx.isEmpty()) {
            int s = rtx.start(0), e = rtx.end(0);
            if (Seq.le(e, ack)) {
                int bits = rtx.bits(0);
                if ((bits & RetransmitQueue.EVER_RETRANS) != 0) {
                    retransAcked = true;
                } else if ((bits & RetransmitQueue.SACKED) == 0 && firstAckedSentNs < 0) {
                    firstAckedSentNs = rtx.sentNs(0);
                }
                rec.cumulativelyAcked(bits, s, e, rtx.sentNs(0), seg, now);
                rtx.removeFirst();
                packets++;
            } else {
                if (Seq.gt(ack, s)) rtx.trimFirst(ack); // a partial ACK of one segment
                break;
            }
        }
        int dataAcked = Seq.diff(ack, sndBufSeq);
        int fin = finSent && Seq.ge(ack, finSeq + 1) ? 1 : 0;
        int bytes = Math.max(0, Math.min(dataAcked - fin, sendBuf.length()));
        sendBuf.discard(bytes);
        sndBufSeq += bytes;
        bytesAcked += Seq.diff(ack, sndUna);
        sndUna = ack;
        // RTT: from the oldest newly acked segment never retransmitted; else from the echoed timestamp.
        if (!retransAcked && firstAckedSentNs >= 0) {
            rttSample((now - firstAckedSentNs) / 1000);
        } else if (tsOk && seg.hasTimestamps && seg.tsEcr != 0) {
            rttSample(tsRttUs(seg.tsEcr, now));
        }
        rec.cumulativeAckDone(packets, priorFack);
        return packets;
    }

    private long tsRttUs(int tsEcr, long now) {
        int nowMs = tsNow(now);
        long delta = (nowMs - tsEcr) & 0xFFFF_FFFFL;
        return delta > 0x7FFF_FFFFL ? -1 : Math.max(1, delta) * 1000L;
    }

    private void rttSample(long us) {
        if (us < 0) return;
        rtt.sample(Math.max(us, 1), sndUna, sndNxt);
        rtoUs = rtt.rtoUs();
        backoff = 0; // RFC 6298: reset the backoff only on a valid RTT measurement (tcp_ack_update_rtt)
        cc.onAcked(cw, Math.max(us, 1), sched.nowNs(), sndUna, sndNxt); // ops->pkts_acked (HyStart, CUBIC's delay_min)
    }

    /** Our FIN was acknowledged: FIN_WAIT1 → FIN_WAIT2, CLOSING → TIME_WAIT, LAST_ACK → CLOSED. */
    private void ourFinAcked() {
        switch (state) {
            case FIN_WAIT1 -> {
                setState(TcpState.FIN_WAIT2);
                sendShutdown = true;
                if (orphan) armOrphanFinWait2();
                notifyApp();
            }
            case CLOSING -> enterTimeWait();
            case LAST_ACK -> done(null);
            default -> {
            }
        }
    }

    // ---- segment text and FIN (Linux tcp_data_queue, tcp_fin) -------------------------------

    private void dataQueue(InSegment seg, long now) {
        rcvRttMeasureTs(seg, now); // tcp_rcv_established, before tcp_data_queue
        int seq = seg.seq;
        int len = seg.payloadLen;
        int off = seg.payloadOff;
        boolean fin = seg.has(FIN);
        if (Seq.le(seq + len + (fin ? 1 : 0), rcvNxt)) {
            // Entirely old (a retransmission, data or FIN): D-SACK the data and ACK at once (tcp_data_queue).
            if (len > 0) setDsack(seq, seq + len, Counter.TcpExtTCPDSACKOldSent);
            enterQuickAck();
            ackNow = true;
            return;
        }
        if (len > 0) {
            tcpMeasureRcvMss(len);
            int end = seq + len;
            if (Seq.le(end, rcvNxt)) {
                // A retransmission of data we have: D-SACK it and ACK at once (tcp_data_queue).
                setDsack(seq, end, Counter.TcpExtTCPDSACKOldSent);
                enterQuickAck();
                ackNow = true;
                return;
            }
            if (Seq.lt(seq, rcvNxt)) {
                // Partly old: keep the new part; D-SACK the old part (RFC 2883 §4.1.1).
                setDsack(seq, rcvNxt, Counter.TcpExtTCPDSACKOldSent);
                int skip = rcvNxt - seq;
                off += skip;
                len -= skip;
                seq = rcvNxt;
            }
            int winEnd = rcvNxt + receiveWindow();
            if (receiveWindow() == 0 && seq == rcvNxt) {
                // tcp_data_queue: data into a zero window (a window probe with data) is dropped and ACKed.
                stats.inc(Counter.TcpExtTCPZeroWindowDrop);
                enterQuickAck();
                ackNow = true;
                return;
            }
            if (Seq.gt(seq + len, winEnd)) {
                int cut = (seq + len) - winEnd;
                len -= cut;
                fin = false;
                if (len <= 0) {
                    enterQuickAck();
                    ackNow = true;
                    return;
                }
            }
            int rel = seq - rcvNxt;
            int room = recvBuf.free();
            if (rel + len > room) {
                // The buffer cannot hold it (window larger than memory): drop, as tcp_try_rmem_schedule fails.
                stats.inc(Counter.TcpExtTCPRcvQDrop);
                ackNow = true;
                return;
            }
            if (seq == rcvNxt) {
                recvBuf.writeAt(0, seg.payload, off, len);
                recvBuf.commit(len);
                rcvNxt += len;
                if (!ofo.isEmpty()) {
                    int before = rcvNxt;
                    int newNxt = ofo.advance(rcvNxt);
                    if (newNxt != before) {
                        recvBuf.commit(newNxt - before);
                        rcvNxt = newNxt;
                    }
                    // tcp_ofo_queue: filling a hole means ACK at once.
                    ackNow = true;
                }
                eventDataRecv(len, now);
                // tcp_event_data_recv: only segments of at least 128 bytes grow the window (rcv_ssthresh).
                if (len >= 128) growWindow(len);
                notifyApp();
            } else {
                // Out of order (tcp_data_queue_ofo): keep it, SACK it, ACK at once (dupack).
                if (ofo.contains(seq, seq + len)) {
                    setDsack(seq, seq + len, Counter.TcpExtTCPDSACKOfoSent);
                } else if (!ofo.add(seq, seq + len)) {
                    stats.inc(Counter.TcpExtTCPOFODrop);
                    ackNow = true;
                    return;
                } else {
                    recvBuf.writeAt(rel, seg.payload, off, len);
                    stats.inc(Counter.TcpExtTCPOFOQueue);
                }
                lastOfoStart = seq;
                lastOfoEnd = seq + len;
                if (fin) {
                    finReceivedOfo = true;
                    rcvFinSeq = seq + len;
                }
                ackNow = true;
                return;
            }
        }
        if (fin) {
            finReceivedOfo = true;
            rcvFinSeq = seq + len;
        }
        if (finReceivedOfo && rcvFinSeq == rcvNxt) tcpFin();
        else if (fin && Seq.gt(seq, rcvNxt)) ackNow = true; // an out-of-order FIN
    }

    int lastOfoStart, lastOfoEnd;

    /** tcp_fin (tcp_input.c): the peer will send no more. */
    private void tcpFin() {
        finReceivedOfo = false;
        rcvNxt += 1;
        rcvShutdown = true;
        ackPending = true;
        switch (state) {
            case SYN_RECV, ESTABLISHED -> {
                setState(TcpState.CLOSE_WAIT);
                // Linux enters ping-pong mode here, so the ACK of a FIN is delayed (and may ride on our FIN).
                pingpong = true;
            }
            case FIN_WAIT1 -> {
                // Our FIN is not acknowledged yet: simultaneous close (RFC 9293 Figure 13).
                ackNow = true;
                setState(TcpState.CLOSING);
            }
            case FIN_WAIT2 -> {
                ackNow = true;
                sendAck();
                enterTimeWait();
            }
            default -> {
            }
        }
        notifyApp();
    }

    /** tcp_measure_rcv_mss: learn the peer's segment size; small segments mark a push. */
    private void tcpMeasureRcvMss(int len) {
        if (len >= rcvMss) {
            rcvMss = Math.min(len, advMss);
            scalingRatio = MEASURED_SCALING_RATIO;
        } else {
            if (len >= 536 || len >= 128 + 20) { // TCP_MIN_RCVMSS-ish heuristics of tcp_measure_rcv_mss
                ackPushed2 = ackPushed;
            }
            ackPushed = true;
        }
    }

    /** tcp_event_data_recv: the first data starts quick-ACK mode (tcp_incr_quickack). */
    private void eventDataRecv(int len, long now) {
        long atoMinNs = cfg.delackMinMs * 1_000_000L;
        if (!firstDataSeen) {
            firstDataSeen = true;
            incrQuickAck();
            atoNs = atoMinNs;
        } else {
            // The gap since the last data sets ato; a gap longer than the RTO means the sender had to
            // restart: ACK quickly again.
            long m = now - lrcvNs;
            long rtoNs = rtoUs * 1000;
            if (m <= atoMinNs / 2) {
                atoNs = (atoNs >> 1) + atoMinNs / 2;
            } else if (m < atoNs) {
                atoNs = Math.min((atoNs >> 1) + m, rtoNs);
            } else if (m > rtoNs) {
                incrQuickAck();
            }
        }
        lrcvNs = now;
        ackPending = true;
        rcvRttMeasure(now);
    }

    /**
     * tcp_rcv_rtt_measure: without timestamps, the receiver's RTT is the time a window's worth of data
     * (RCV.NXT + RCV.WND at the start) takes to arrive; a sample only lowers the estimate (win_dep).
     */
    private void rcvRttMeasure(long now) {
        if (rcvRttEstTimeNs != 0) {
            if (Seq.lt(rcvNxt, rcvRttEstSeq)) return;
            rcvRttUpdate(Math.max((now - rcvRttEstTimeNs) / 1000, 1), true);
        }
        rcvRttEstSeq = rcvNxt + rcvWnd;
        rcvRttEstTimeNs = now;
    }

    /** tcp_rcv_rtt_measure_ts: with timestamps, a full-sized segment echoing a new TSecr gives a sample. */
    private void rcvRttMeasureTs(InSegment seg, long now) {
        if (!tsOk || !seg.hasTimestamps || seg.tsEcr == rcvRttLastTsecr) return;
        rcvRttLastTsecr = seg.tsEcr;
        if (seg.payloadLen >= rcvMss && seg.tsEcr != 0) {
            long us = tsRttUs(seg.tsEcr, now);
            if (us > 0) rcvRttUpdate(us, false);
        }
    }

    /** tcp_rcv_rtt_update: an EWMA of 1/8 (timestamps), or the minimum (window measure). */
    private void rcvRttUpdate(long sampleUs, boolean winDep) {
        long est = rcvRttUs8;
        if (est == 0) {
            est = sampleUs << 3;
        } else if (!winDep) {
            est += sampleUs - (est >> 3);
        } else if (sampleUs << 3 < est) {
            est = sampleUs << 3;
        }
        rcvRttUs8 = est;
    }

    /**
     * tcp_rcv_space_adjust (dynamic right-sizing): once per receiver RTT, if the application read more
     * than in the previous RTT, grow the receive buffer to hold twice that plus a cushion, more again
     * while the sender's rate grows (slow start), converted to buffer space by the scaling ratio
     * (tcp_space_from_win) and capped at tcp_rmem[2] — unless SO_RCVBUF locked it (SOCK_RCVBUF_LOCK)
     * or tcp_moderate_rcvbuf is off. The buffer never shrinks; wscale was chosen for tcp_rmem[2].
     */
    private void rcvSpaceAdjust(long now) {
        long time = (now - rcvqSpaceTimeNs) / 1000;
        if (rcvRttUs8 == 0 || time < (rcvRttUs8 >> 3)) return;
        long copied = copiedTotal - rcvqSpaceSeq;
        if (copied > rcvqSpace) {
            if (cfg.tcpModerateRcvbuf && options.rcvBuf == 0) {
                long rcvwin = (copied << 1) + 16L * advMss;
                long grow = rcvwin * (copied - rcvqSpace) / Math.max(rcvqSpace, 1);
                rcvwin += grow << 1;
                long rcvbuf = Math.min((rcvwin << 8) / scalingRatio, cfg.tcpRmem[2]); // tcp_space_from_win
                if (rcvbuf > recvBuf.capacity()) recvBuf.resize((int) rcvbuf);
            }
            rcvqSpace = (int) Math.min(copied, Integer.MAX_VALUE);
        }
        rcvqSpaceSeq = copiedTotal;
        rcvqSpaceTimeNs = now;
    }

    private void incrQuickAck() {
        int quick = rcvWnd / (2 * Math.max(rcvMss, 1));
        if (quick == 0) quick = 2;
        quickAcks = Math.max(quickAcks, Math.min(quick, MAX_QUICKACKS));
    }

    /** tcp_enter_quickack_mode. */
    private void enterQuickAck() {
        incrQuickAck();
        pingpong = false;
        atoNs = cfg.delackMinMs * 1_000_000L;
    }

    private boolean inQuickAckMode() { return quickAcks > 0 && !pingpong; }

    /** tcp_grow_window: raise rcv_ssthresh as in-order data arrives, up to the clamp. */
    private void growWindow(int len) {
        int space = tcpSpace();
        if (rcvSsthresh < windowClamp && rcvSsthresh < space) {
            int room = Math.min(windowClamp, space) - rcvSsthresh;
            int incr = Math.max(2 * advMss, 2 * len);
            rcvSsthresh += Math.min(room, incr);
        }
    }

    private void setDsack(int start, int end, Counter counter) {
        if (!sackOk || !cfg.tcpDsack) return;
        dsackPending = true;
        dsackStart = start;
        dsackEnd = end;
        stats.inc(counter);
    }

    // ---- ACK decision (Linux __tcp_ack_snd_check, tcp_cleanup_rbuf) --------------------------

    private void ackSndCheck() {
        if (!ackPending && !ackNow) return;
        if (ackNow || inQuickAckMode()
                || (rcvNxt - rcvWup > rcvMss && selectWindowPeek() >= rcvWnd)) {
            sendAck();
            return;
        }
        sendDelayedAck();
    }

    /**
     * tcp_send_delayed_ack: ACK within ato (at least TCP_DELACK_MIN = 40 ms); an ato above that is
     * bounded by 500 ms (200 ms, TCP_DELACK_MAX, in ping-pong mode or after a push) and by the SRTT.
     * An earlier deadline already set stands. Before any data has arrived icsk_ack.ato is still 0
     * (tcp_event_data_recv sets TCP_ATO_MIN on the first data), so e.g. the ACK of a bare FIN leaves on
     * the next timer tick: one jiffy at HZ=250.
     */
    private void sendDelayedAck() {
        long atoMinNs = cfg.delackMinMs * 1_000_000L;
        long ato = Math.max(atoNs, atoMinNs);
        if (!firstDataSeen) {
            ato = JIFFY_NS;
        } else if (ato > atoMinNs) {
            long maxAto = (pingpong || ackPushed) ? cfg.delackMaxMs * 1_000_000L : 500_000_000L;
            if (rtt.hasSample()) maxAto = Math.min(maxAto, Math.max(rtt.srttUs() * 1000, atoMinNs));
            ato = Math.min(ato, maxAto);
        }
        long deadline = sched.nowNs() + ato;
        if (delackTimer.isArmed() && delackTimer.deadlineNs() <= deadline) return;
        sched.schedule(delackTimer, deadline);
    }

    private void onDelackTimer() {
        trace("delack");
        if (!ackPending) return;
        stats.inc(Counter.TcpExtDelayedACKs);
        if (!pingpong) {
            // tcp_delack_timer_handler: "Delayed ACK missed: inflate ATO".
            atoNs = Math.min(Math.max(atoNs, cfg.delackMinMs * 1_000_000L) << 1, rtoUs * 1000);
        } else {
            // ... or, in ping-pong mode, leave it and deflate ATO.
            pingpong = false;
            atoNs = cfg.delackMinMs * 1_000_000L;
        }
        sendAck();
    }

    /** tcp_cleanup_rbuf: after a read, ACK if we owed one and the reader drained small segments. */
    private void cleanupRbuf(int copied) {
        boolean timeToAck = false;
        if (ackPending) {
            if (rcvNxt - rcvWup > rcvMss
                    || (copied > 0 && (ackPushed2 || (ackPushed && !pingpong)) && recvBuf.length() == 0)) {
                timeToAck = true;
            }
        }
        if (copied > 0 && !timeToAck && !rcvShutdown && state.isSynchronized()) {
            int now = receiveWindow();
            if (2 * now <= windowClamp) {
                int newWin = selectWindowPeek();
                if (newWin != 0 && newWin >= 2 * now) timeToAck = true;
            }
        }
        if (timeToAck) {
            sendAck();
        }
    }

    // =========================================================================================
    // Output
    // =========================================================================================

    /** Where unsent data starts in the send buffer. */
    int unsentOffset() { return Seq.diff(sndNxt, sndBufSeq) - (finSent ? 1 : 0); }

    /**
     * tcp_write_xmit: retransmit what is marked lost, then send new data while the send window, cwnd,
     * Nagle and SWS avoidance allow; a FIN goes with (or after) the last byte.
     */
    void output() {
        if (state == TcpState.CLOSE || state == TcpState.SYN_SENT || state == TcpState.SYN_RECV
                || state == TcpState.TIME_WAIT || state == TcpState.LISTEN) {
            return;
        }
        long now = sched.nowNs();
        boolean sentSomething = false;
        // Slow start after idle (RFC 5681 §4.1, tcp_cwnd_restart).
        if (cfg.tcpSlowStartAfterIdle && rtx.isEmpty() && lastSendNs > 0 && rec.isOpen()) {
            long idle = now - lastSendNs;
            long rtoNs = rtoUs * 1000;
            if (idle > rtoNs) {
                int restart = Math.min(cfg.initCwnd, cw.cwnd);
                int c = cw.cwnd;
                while ((idle -= rtoNs) > 0 && c > restart) c >>= 1;
                cw.cwnd = Math.max(c, restart);
            }
        }
        // Retransmissions first (tcp_xmit_recovery → tcp_xmit_retransmit_queue), except in F-RTO's
        // step 2b, where new data goes first and retransmissions only if none could be sent.
        boolean newFirst = rec.takeNewDataFirst();
        if (!newFirst) sentSomething = xmitRetransmitQueue(now);
        // New data.
        int wndEnd = sndUna + sndWnd;
        int burstSegments = 0;
        while (true) {
            int unsent = sendBuf.length() - unsentOffset();
            boolean finPending = finQueued && !finSent;
            if (unsent <= 0 && !finPending) break;
            int segLen = Math.min(unsent, mss);
            boolean last = segLen == unsent;
            int flags = ACK;
            if (finPending && last) flags |= FIN;
            if (segLen > 0) {
                // tcp_snd_wnd_test: the whole segment must fit the window.
                if (Seq.gt(sndNxt + segLen, wndEnd)) break;
                // tcp_cwnd_test: "don't be strict about the congestion window for the final FIN" — an
                // skb of one segment carrying the FIN goes whatever cwnd says.
                if ((flags & FIN) == 0 && rec.packetsInFlight() >= cw.cwnd) {
                    cw.cwndLimited = true;
                    break;
                }
                if (segLen < mss && !nagleAllows(last, flags)) break;
                if (pushWithin(sndNxt, sndNxt + segLen)) flags |= PSH;
                else if (!last && burstSegments > 0 && burstEndsAfter(segLen, wndEnd)) flags |= PSH;
            }
            // A bare FIN (tcp_send_fin queues it as its own one-segment skb) passes tcp_cwnd_test too.
            // tcp_write_xmit: a segment the local queue refused stays unsent (local congestion).
            if (sendData(sndNxt, segLen, flags, now, false) > 0) break;
            int seqLen = segLen + ((flags & FIN) != 0 ? 1 : 0);
            rtx.add(sndNxt, sndNxt + seqLen, ((flags & FIN) != 0 ? RetransmitQueue.F_FIN : 0)
                    | ((flags & PSH) != 0 ? RetransmitQueue.F_PSH : 0), now);
            if (segLen < mss && segLen > 0) sndSml = sndNxt + segLen;
            if ((flags & FIN) != 0) {
                finSent = true;
                finSeq = sndNxt + segLen;
            }
            sndNxt += seqLen;
            sentSomething = true;
            burstSegments++;
            // tcp_write_xmit: "if (tcp_in_cwnd_reduction(sk)) tp->prr_out += sent_pkts" (RFC 6937 §3:
            // prr_out counts all data sent during recovery, new data as well as retransmissions).
            rec.onSent();
            if ((flags & FIN) != 0) break;
        }
        if (newFirst && !rec.frtoSentNewData()) sentSomething |= xmitRetransmitQueue(now);
        if (sentSomething) {
            cwndValidate();
            lastSendNs = now;
            // tcp_write_xmit: every transmission of new data schedules the loss probe afresh
            // (tcp_schedule_loss_probe replaces a pending RTO or TLP); otherwise keep the timer running.
            if (burstSegments > 0 && xmitKind != XmitTimer.PROBE && scheduleLossProbe(now)) {
                // armed
            } else if (!xmitTimer.isArmed() || xmitKind == XmitTimer.PROBE) {
                setXmitTimer(now);
            }
        } else if (rtx.isEmpty() && sendBuf.length() - unsentOffset() > 0 && !xmitTimer.isArmed()) {
            // tcp_check_probe_timer: data waits on a window that is closed (or too small): persist.
            armXmit(XmitTimer.PROBE, Math.max(rtoUs, TCP_RTO_MIN_US));
        }
    }

    /**
     * Nagle's algorithm (RFC 9293 §3.7.4, RFC 1122 §4.2.3.4) as Linux's tcp_nagle_check with
     * Minshall's variant: a small segment may go if TCP_NODELAY is set, it carries a FIN, or no
     * earlier small segment is still unacknowledged.
     */
    private boolean nagleAllows(boolean last, int flags) {
        if (!last) return false; // a small segment that is not the tail waits for more data
        if (options.noDelay || (flags & FIN) != 0) return true;
        return !(rtx.size() > 0 && Seq.gt(sndSml, sndUna));
    }

    /** tcp_cwnd_validate. */
    private void cwndValidate() {
        int out = rtx.size();
        boolean limited = rec.packetsInFlight() >= cw.cwnd;
        if (!Seq.lt(sndUna, cwndUsageSeq) || limited || (!cw.cwndLimited && out > cw.maxPacketsOut)) {
            cw.cwndLimited = limited;
            cw.maxPacketsOut = out;
            cwndUsageSeq = sndNxt;
        }
    }

    /**
     * tcp_xmit_retransmit_queue: resend the segments marked lost and not yet retransmitted, oldest
     * first, while cwnd allows. Retransmitting the oldest segment restarts the RTO, unless RACK's
     * reordering timer is pending.
     *
     * @return whether anything was sent
     */
    boolean xmitRetransmitQueue(long now) {
        if (rtx.lostOut <= rtx.retransOut && !rec.inLoss()) return false;
        boolean sent = false;
        for (int i = 0; i < rtx.size(); i++) {
            if (rec.packetsInFlight() >= cw.cwnd) break;
            int bits = rtx.bits(i);
            if ((bits & RetransmitQueue.LOST) != 0 && (bits & (RetransmitQueue.RETRANS | RetransmitQueue.SACKED)) == 0) {
                if (!retransmitEntry(i, now)) break; // local congestion: try again later
                stats.inc(rec.inLoss() ? Counter.TcpExtTCPSlowStartRetrans : Counter.TcpExtTCPFastRetrans);
                rec.onSent();
                if (i == 0 && xmitKind != XmitTimer.REO) armXmit(XmitTimer.RTO, rtoUs);
                sent = true;
            }
        }
        return sent;
    }

    /**
     * tcp_retransmit_skb: resend entry i. The first retransmission of an episode stamps retrans_stamp
     * (the write timeout and Eifel undo count from it), and each one is a retransmission that a D-SACK
     * must cover before the reduction can be undone (undo_retrans).
     */
    private boolean retransmitEntry(int i, long now) {
        int s = rtx.start(i), e = rtx.end(i);
        int bits = rtx.bits(i);
        int err;
        if ((bits & RetransmitQueue.F_SYN) != 0) {
            err = state == TcpState.SYN_SENT ? sendSyn() : sendSynAck();
        } else {
            int fin = (bits & RetransmitQueue.F_FIN) != 0 ? 1 : 0;
            int len = Seq.diff(e, s) - fin;
            // __tcp_retransmit_skb resends the skb with the flags it was sent with.
            int flags = ACK | (fin != 0 ? FIN : 0) | ((bits & RetransmitQueue.F_PSH) != 0 ? PSH : 0);
            err = sendData(s, len, flags, now, true);
        }
        // __tcp_retransmit_skb counts the attempt; only a retransmission that left is in flight
        // (TCPCB_RETRANS, retrans_out) and restamped. EVER_RETRANS is set either way, so no RTT sample
        // comes from a transmit that never happened.
        if (err > 0) {
            rtx.setEverRetrans(i);
            stats.inc(Counter.TcpExtTCPRetransFail);
        } else {
            rtx.retransmitted(i, now);
        }
        totalRetrans++;
        stats.inc(Counter.TcpRetransSegs);
        if (retransStampNs == 0) retransStampNs = now; // "Save stamp of the first (attempted) retransmit."
        rec.onRetransmitted();
        return err <= 0;
    }

    /** Builds and sends one data (or FIN) segment from the send buffer. @return as {@link #transmit} */
    private int sendData(int seq, int len, int flags, long now, boolean retransmission) {
        byte[] b = host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        int optLen = writeDataOptions(b, o + TcpHeader.HEADER_LEN, false);
        int win = selectWindow();
        TcpHeader.writeHeader(b, o, localPort, remotePort, seq, rcvNxt, flags, win, optLen);
        if (len > 0) sendBuf.peek(Seq.diff(seq, sndBufSeq), b, o + TcpHeader.HEADER_LEN + optLen, len);
        return transmit(TcpHeader.HEADER_LEN + optLen + len, flags);
    }

    /** Options of a non-SYN segment: timestamps, then SACK blocks (D-SACK first), Linux's layout. */
    private int writeDataOptions(byte[] b, int off, boolean pureAck) {
        int n = 0;
        if (tsOk) n += TcpOptionWriter.writeTimestamps(b, off, tsNow(sched.nowNs()), tsRecent);
        if (sackOk && (dsackPending || !ofo.isEmpty())) {
            int max = tsOk ? 3 : 4;
            int count = 0;
            if (dsackPending) {
                sackStarts[0] = dsackStart;
                sackEnds[0] = dsackEnd;
                count = 1;
                dsackPending = false;
            }
            int got = ofo.sackBlocks(tmpStarts, tmpEnds, 4);
            for (int i = 0; i < got && count < max; i++) {
                sackStarts[count] = tmpStarts[i];
                sackEnds[count] = tmpEnds[i];
                count++;
            }
            n += TcpOptionWriter.writeSack(b, off + n, sackStarts, sackEnds, count);
        }
        return n;
    }

    private final int[] sackStarts = new int[4], sackEnds = new int[4];
    private final int[] tmpStarts = new int[4], tmpEnds = new int[4];

    int tsNow(long nowNs) { return (int) (nowNs / 1_000_000L) + tsOffset; }

    /** Sends a pure ACK now (tcp_send_ack); clears the delayed-ACK state. */
    void sendAck() {
        if (state == TcpState.CLOSE || state == TcpState.SYN_SENT && rcvNxt == 0) return;
        byte[] b = host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        int optLen = writeDataOptions(b, o + TcpHeader.HEADER_LEN, true);
        int win = selectWindow();
        TcpHeader.writeHeader(b, o, localPort, remotePort, sndNxt, rcvNxt, ACK, win, optLen);
        transmit(TcpHeader.HEADER_LEN + optLen, ACK);
    }

    /** Every segment we send acknowledges RCV.NXT: the delayed-ACK state is settled (tcp_event_ack_sent). */
    /**
     * tcp_transmit_skb's hand-off: the ACK state is settled (tcp_event_ack_sent) whatever happens to the
     * packet; a drop by the local queue discipline (NET_XMIT_DROP) puts cwnd into reduction (tcp_enter_cwr).
     *
     * @return 0, or what {@link TcpHost#sendTcp} returned: &gt; 0 means the packet never left
     */
    private int transmit(int tcpLen, int flags) {
        if ((flags & ACK) != 0) {
            // tcp_dec_quickack_mode: only an ACK that was owed counts; leaving quick-ACK mode deflates ato.
            if (quickAcks > 0 && (ackPending || ackNow)) {
                if (--quickAcks == 0) atoNs = cfg.delackMinMs * 1_000_000L;
            }
            ackPending = false;
            ackNow = false;
            ackPushed = ackPushed2 = false;
            sched.cancel(delackTimer);
        }
        stats.inc(Counter.TcpOutSegs);
        if ((flags & RST) != 0) stats.inc(Counter.TcpOutRsts);
        int r = host.sendTcp(localAddr, remoteAddr, tcpLen);
        if (r > 0) rec.enterCwr();
        return r;
    }

    private int sendSyn() {
        byte[] b = host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        int optLen = TcpOptionWriter.writeSyn(b, o + TcpHeader.HEADER_LEN, advMss, cfg.tcpSack,
                cfg.timestampsEnabled(), tsNow(sched.nowNs()), 0, cfg.tcpWindowScaling ? rcvWscale : -1);
        TcpHeader.writeHeader(b, o, localPort, remotePort, iss, 0, SYN, Math.min(rcvWnd, 65535), optLen);
        return transmit(TcpHeader.HEADER_LEN + optLen, SYN);
    }

    /** The SYN-ACK echoes only the options the peer offered (RFC 7323 §2.2, RFC 2018 §2). */
    private int sendSynAck() {
        byte[] b = host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        int optLen = TcpOptionWriter.writeSyn(b, o + TcpHeader.HEADER_LEN, advMss, sackOk, tsOk,
                tsNow(sched.nowNs()), tsRecent, wscaleOk ? rcvWscale : -1);
        TcpHeader.writeHeader(b, o, localPort, remotePort, iss, rcvNxt, SYN | ACK, Math.min(rcvWnd, 65535), optLen);
        return transmit(TcpHeader.HEADER_LEN + optLen, SYN | ACK);
    }

    /**
     * A RST from this connection: RST,ACK at SND.NXT (tcp_send_active_reset). It leaves through
     * tcp_transmit_skb like any segment, so it carries the timestamps option and the current window.
     */
    private void sendActiveReset() {
        byte[] b = host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        int optLen = writeDataOptions(b, o + TcpHeader.HEADER_LEN, true);
        int win = selectWindow();
        TcpHeader.writeHeader(b, o, localPort, remotePort, sndNxt, rcvNxt, RST | ACK, win, optLen);
        transmit(TcpHeader.HEADER_LEN + optLen, RST | ACK);
    }

    private void sendReset(int seq, int ack, int flags) {
        byte[] b = host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        TcpHeader.writeHeader(b, o, localPort, remotePort, seq, (flags & ACK) != 0 ? ack : 0, flags, 0, 0);
        transmit(TcpHeader.HEADER_LEN, flags);
    }

    /**
     * tcp_select_window: the window to advertise, never shrinking the right edge (RFC 9293 §3.8.6),
     * scaled down by our window scale. Records it as RCV.WND at RCV.NXT.
     */
    private int selectWindow() {
        int cur = receiveWindow();
        int w = selectWindowPeek();
        if (w < cur) {
            // Never shrink: keep the old right edge (aligned up to the scale granularity).
            w = alignUp(cur, rcvWscale);
        }
        if (!wscaleOk) w = Math.min(w, 65535);
        else w = Math.min(w, 65535 << rcvWscale);
        boolean wasZero = rcvWnd == 0;
        rcvWnd = w;
        rcvWup = rcvNxt;
        if (w == 0 && !wasZero) stats.inc(Counter.TcpExtTCPToZeroWindowAdv);
        if (w != 0 && wasZero) stats.inc(Counter.TcpExtTCPFromZeroWindowAdv);
        return w >>> rcvWscale;
    }

    private static int alignUp(int v, int shift) {
        int unit = 1 << shift;
        return (int) (((long) v + unit - 1) / unit * unit);
    }

    /** __tcp_select_window: the window our free buffer space allows now. */
    private int selectWindowPeek() {
        int mssR = rcvMss;
        int freeSpace = tcpSpace();
        int fullSpace = Math.min(windowClamp, tcpFullSpace());
        if (mssR > fullSpace) mssR = Math.max(fullSpace, 1);
        if (freeSpace < (fullSpace >> 1)) {
            quickAcks = 0;
            freeSpace = freeSpace >> rcvWscale << rcvWscale;
            if (freeSpace < (tcpFullSpace() >> 4) || freeSpace < mssR) return 0;
        }
        if (freeSpace > rcvSsthresh) freeSpace = rcvSsthresh;
        int window;
        if (rcvWscale != 0) {
            window = alignUp(freeSpace, rcvWscale);
        } else {
            window = rcvWnd;
            if (window <= freeSpace - mssR || window > freeSpace) {
                window = freeSpace / mssR * mssR;
            } else if (mssR == fullSpace && freeSpace > window + (fullSpace >> 1)) {
                window = freeSpace;
            }
        }
        return window;
    }

    /** tcp_space: window-able free space of the receive buffer. */
    private int tcpSpace() {
        long held = (long) recvBuf.length() + ofo.bytes();
        return (int) Math.max(0, tcpFullSpace() - held);
    }

    private int tcpFullSpace() { return winFromSpace(recvBuf.capacity()); }

    /** tcp_win_from_space with Linux 6.x's scaling_ratio. */
    private int winFromSpace(int space) { return (int) (((long) space * scalingRatio) >> 8); }

    // =========================================================================================
    // Timers
    // =========================================================================================

    private void armXmit(XmitTimer kind, long delayUs) {
        xmitKind = kind;
        sched.schedule(xmitTimer, sched.nowNs() + Math.min(delayUs, cfg.rtoMaxUs()) * 1000);
    }

    /** tcp_set_xmit_timer: a tail loss probe if one applies, else the RTO (tcp_rearm_rto). */
    private void setXmitTimer(long now) {
        if (rtx.isEmpty()) {
            sched.cancel(xmitTimer);
            xmitKind = XmitTimer.NONE;
            return;
        }
        if (!scheduleLossProbe(now)) rearmRto(now);
    }

    /** usecs_to_jiffies, in µs: a delay rounded up to whole timer ticks. */
    private static long roundUpToJiffies(long us) {
        long jiffyUs = JIFFY_NS / 1000;
        return (us + jiffyUs - 1) / jiffyUs * jiffyUs;
    }

    /** The RTO in {@code delayUs} (tcp_reset_xmit_timer(ICSK_TIME_RETRANS)), whatever was pending. */
    void armRetransmitTimer(long delayUs) {
        armXmit(XmitTimer.RTO, roundUpToJiffies(delayUs));
    }

    /**
     * RACK's reordering timer (ICSK_TIME_REO_TIMEOUT in tcp_rack_mark_lost): in
     * usecs_to_jiffies(timeout) + TCP_TIMEOUT_MIN, no later than the RTO (inet_csk_reset_xmit_timer).
     */
    void armReorderingTimer(long timeoutUs) {
        long delayUs = roundUpToJiffies(timeoutUs) + 2 * JIFFY_NS / 1000; // + TCP_TIMEOUT_MIN
        armXmit(XmitTimer.REO, Math.min(delayUs, rtoUs));
    }

    /**
     * tcp_rearm_rto: the RTO for what is in flight. Replacing a loss probe or RACK's reordering timer,
     * it counts from the oldest segment's transmission (tcp_rto_delta_us), not from now.
     */
    private void rearmRto(long now) {
        if (rtx.isEmpty()) {
            sched.cancel(xmitTimer);
            xmitKind = XmitTimer.NONE;
            return;
        }
        long us = rtoUs;
        if (xmitKind == XmitTimer.TLP || xmitKind == XmitTimer.REO) {
            us = Math.max(rtoUs - (now - rtx.sentNs(0)) / 1000, 1);
        }
        armXmit(XmitTimer.RTO, us);
    }

    /**
     * tcp_schedule_loss_probe (RFC 8985 §7.2): for SACK connections in the Open state, a probe after
     * 2·SRTT (+ rto_min with one segment in flight, + 2 jiffies otherwise), but never after the RTO.
     */
    private boolean scheduleLossProbe(long now) {
        if (cfg.tcpEarlyRetrans < 3 || !sackOk || rtx.isEmpty()
                || !(rec.isOpen() || rec.caState == LossRecovery.CaState.CWR) || tlpHighSeq != 0) {
            return false;
        }
        long timeoutUs;
        if (rtt.hasSample()) {
            timeoutUs = 2 * rtt.srttUs() + (rtx.size() == 1 ? cfg.rtoMinUs() : TCP_TIMEOUT_MIN_US);
        } else {
            timeoutUs = cfg.initialRtoMs * 1000L;
        }
        // tcp_rto_delta_us: the RTO measured from the oldest outstanding segment's transmission.
        long rtoDeltaUs = rtoUs - (now - rtx.sentNs(0)) / 1000;
        if (rtoDeltaUs > 0) timeoutUs = Math.min(timeoutUs, rtoDeltaUs);
        armXmit(XmitTimer.TLP, Math.max(timeoutUs, 1));
        return true;
    }

    private void onXmitTimer() {
        XmitTimer kind = xmitKind;
        xmitKind = XmitTimer.NONE;
        switch (kind) {
            case RTO -> {
                trace("rto");
                retransmitTimer();
            }
            case TLP -> {
                trace("tlp");
                sendLossProbe();
            }
            case REO -> {
                trace("reo");
                // tcp_rack_reo_timeout: the timer stays "pending" while it runs (icsk_pending), so a
                // retransmission of the head does not rearm the RTO; tcp_rearm_rto does, after.
                xmitKind = XmitTimer.REO;
                long now = sched.nowNs();
                rec.reoTimeout(now);
                if (xmitKind != XmitTimer.RTO) rearmRto(now);
            }
            case PROBE -> {
                trace("probe");
                probeTimer();
            }
            case NONE -> {
            }
        }
    }

    /** tcp_send_loss_probe: new data if the window allows, else the last segment again. */
    private void sendLossProbe() {
        long now = sched.nowNs();
        if (tlpHighSeq != 0) { // at most one probe outstanding
            rearmRto(now);
            return;
        }
        tlpRetrans = false;
        boolean sent = false;
        int unsent = sendBuf.length() - unsentOffset();
        if (unsent > 0 && Seq.le(sndNxt + Math.min(unsent, mss), sndUna + sndWnd)) {
            int saved = cw.cwnd;
            int prior = sndNxt;
            cw.cwnd = rec.packetsInFlight() + 1;
            output();
            cw.cwnd = saved;
            sent = sndNxt != prior;
        } else if (!rtx.isEmpty()) {
            int last = rtx.size() - 1;
            if (!rtx.has(last, RetransmitQueue.SACKED)) {
                int s = rtx.start(last), e = rtx.end(last);
                int bits = rtx.bits(last);
                int fin = (bits & RetransmitQueue.F_FIN) != 0 ? 1 : 0;
                int len = Seq.diff(e, s) - fin;
                // __tcp_retransmit_skb resends the skb with its own flags: a bare FIN has no PSH. A probe
                // is not tcp_retransmit_skb: no retrans_stamp, no retrans_out, only EVER_RETRANS.
                int err = sendData(s, len, ACK | ((bits & RetransmitQueue.F_PSH) != 0 ? PSH : 0) | (fin != 0 ? FIN : 0), now, true);
                totalRetrans++;
                stats.inc(Counter.TcpRetransSegs);
                if (err > 0) {
                    rtx.setEverRetrans(last);
                    stats.inc(Counter.TcpExtTCPRetransFail);
                } else {
                    rtx.probed(last, now);
                    tlpRetrans = true;
                    sent = true;
                }
            }
        }
        if (sent) {
            tlpHighSeq = sndNxt;
            stats.inc(Counter.TcpExtTCPLossProbes);
            lastSendNs = now;
            xmitKind = XmitTimer.NONE; // "Reset s.t. tcp_rearm_rto will restart timer from now"
        }
        rearmRto(now);
    }

    /**
     * tcp_retransmit_timer (net/ipv4/tcp_timer.c): give up if tcp_write_timeout says so, else enter
     * Loss (cwnd 1, everything outstanding marked lost), retransmit the head and back off.
     */
    private void retransmitTimer() {
        long now = sched.nowNs();
        if (rtx.isEmpty()) return;
        if (writeTimeout(now)) return;
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECV) {
            stats.inc(Counter.TcpExtTCPSynRetrans);
            boolean sent = retransmitEntry(0, now);
            retransmits++;
            totalRto++;
            if (!sent) {
                resourceProbe();
                return;
            }
            // Linux 6.18: the first tcp_syn_linear_timeouts retransmissions of a SYN keep the initial RTO.
            if (state != TcpState.SYN_SENT || totalRto > cfg.tcpSynLinearTimeouts) {
                backoff++;
                rtoUs = Math.min(rtoUs << 1, cfg.rtoMaxUs());
            }
            armXmit(XmitTimer.RTO, rtoUs);
            return;
        }
        stats.inc(Counter.TcpExtTCPTimeouts);
        rec.enterLoss(now);
        // Retransmit the head now (tcp_retransmit_skb of the first skb).
        boolean sent = true;
        for (int i = 0; i < rtx.size(); i++) {
            if (!rtx.has(i, RetransmitQueue.SACKED)) {
                sent = retransmitEntry(i, now);
                break;
            }
        }
        retransmits++;
        totalRto++;
        if (!sent) {
            resourceProbe();
            traceCwnd(now);
            return;
        }
        backoff++;
        rtoUs = Math.min(rtoUs << 1, cfg.rtoMaxUs());
        armXmit(XmitTimer.RTO, clampRtoToUserTimeout(now));
        traceCwnd(now);
    }

    /**
     * "Retransmission failed because of local congestion, let senders fight for local resources
     * conservatively" (tcp_retransmit_timer): again in TCP_RESOURCE_PROBE_INTERVAL, without backoff.
     */
    private void resourceProbe() {
        armXmit(XmitTimer.RTO, RESOURCE_PROBE_INTERVAL_US);
    }

    /**
     * tcp_clamp_rto_to_user_timeout (tcp_timer.c): with TCP_USER_TIMEOUT the next RTO fires no later
     * than the moment the user timeout runs out (counted from retrans_stamp), so the connection fails
     * exactly then rather than at a later, backed-off expiry.
     */
    private long clampRtoToUserTimeout(long now) {
        if (options.userTimeoutMs <= 0 || retransStampNs == 0) return rtoUs;
        long remainingUs = options.userTimeoutMs * 1000L - (now - retransStampNs) / 1000;
        if (remainingUs <= 0) return 1;
        return Math.min(rtoUs, remainingUs);
    }

    /**
     * tcp_write_timeout: whether the connection has retransmitted long enough to give up (then it is
     * done, with ETIMEDOUT or the soft error). SYNs count retransmissions; data uses the time since the
     * first retransmission against tcp_model_timeout, or TCP_USER_TIMEOUT when set.
     */
    private boolean writeTimeout(long now) {
        boolean expired;
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECV) {
            int max = synRetries + (state == TcpState.SYN_SENT ? cfg.tcpSynLinearTimeouts : 0);
            expired = retransmits >= max;
            if (!expired && options.userTimeoutMs > 0 && retransStampNs != 0) {
                expired = now - retransStampNs >= options.userTimeoutMs * 1_000_000L;
            }
        } else {
            int retries = cfg.tcpRetries2;
            if (orphan) retries = cfg.tcpOrphanRetries == 0 ? 8 : cfg.tcpOrphanRetries; // tcp_orphan_retries
            expired = retransmitsTimedOut(now, retries, options.userTimeoutMs);
        }
        if (expired) {
            stats.inc(Counter.TcpExtTCPAbortOnTimeout);
            if (state == TcpState.SYN_SENT) stats.inc(Counter.TcpAttemptFails);
            if (state == TcpState.SYN_RECV && parent != null) {
                done(null);
            } else {
                done(softError != null ? softError : Errno.ETIMEDOUT);
            }
        }
        return expired;
    }

    /** retransmits_timed_out (tcp_timer.c). */
    private boolean retransmitsTimedOut(long now, int boundary, int userTimeoutMs) {
        if (retransmits == 0 || retransStampNs == 0) return false;
        long timeoutNs = userTimeoutMs > 0 ? userTimeoutMs * 1_000_000L : modelTimeoutUs(boundary, TCP_RTO_MIN_US) * 1000;
        return now - retransStampNs >= timeoutNs;
    }

    /**
     * tcp_model_timeout: how long {@code boundary} retransmissions would take with exponential backoff
     * from {@code rtoBaseUs} capped at TCP_RTO_MAX: (2^(n+1) − 1)·base up to the cap, then linear.
     * For tcp_retries2 = 15 and a 200 ms base: 924.6 s.
     */
    public static long modelTimeoutUs(int boundary, long rtoBaseUs) {
        long rtoMaxUs = 120_000_000L;
        int thresh = 63 - Long.numberOfLeadingZeros(rtoMaxUs / rtoBaseUs); // ilog2(TCP_RTO_MAX / rto_base)
        if (boundary <= thresh) return ((2L << boundary) - 1) * rtoBaseUs;
        return ((2L << thresh) - 1) * rtoBaseUs + (long) (boundary - thresh) * rtoMaxUs;
    }

    /**
     * tcp_probe_timer: a zero-window probe (or as much data as the window now takes), with backoff
     * min(RTO << backoff, 120 s); abort after tcp_retries2 unanswered probes.
     */
    private void probeTimer() {
        long now = sched.nowNs();
        int unsent = sendBuf.length() - unsentOffset();
        if (!rtx.isEmpty() || unsent <= 0) {
            backoff = 0;
            return;
        }
        int maxProbes = orphan ? (cfg.tcpOrphanRetries == 0 ? 8 : cfg.tcpOrphanRetries) : cfg.tcpRetries2;
        if (options.userTimeoutMs > 0 && probeStartNs != 0 && now - probeStartNs >= options.userTimeoutMs * 1_000_000L
                || probesOut >= maxProbes) {
            done(softError != null ? softError : Errno.ETIMEDOUT);
            return;
        }
        if (probesOut == 0) probeStartNs = now;
        int err = writeWakeup(now);
        if (!rtx.isEmpty()) {
            // tcp_send_probe0: the window had room and data left; it is in flight now, under the RTO
            // (tcp_event_new_data_sent rearms it), and the probe timer is done.
            probesOut = 0;
            backoff = 0;
            armXmit(XmitTimer.RTO, rtoUs);
            return;
        }
        probesOut++;
        if (err > 0) {
            // "If packet was not sent due to local congestion, let senders fight for local resources
            // conservatively" (tcp_send_probe0): no backoff, again in TCP_RESOURCE_PROBE_INTERVAL.
            armXmit(XmitTimer.PROBE, clampProbe0ToUserTimeout(now, RESOURCE_PROBE_INTERVAL_US));
            return;
        }
        backoff++;
        armXmit(XmitTimer.PROBE, clampProbe0ToUserTimeout(now, probe0WhenUs()));
    }

    /**
     * tcp_clamp_probe0_to_user_timeout: with TCP_USER_TIMEOUT the next probe comes no later than the
     * moment it runs out (counted from the first probe), but at least TCP_TIMEOUT_MIN (2 jiffies) on.
     */
    private long clampProbe0ToUserTimeout(long now, long whenUs) {
        if (options.userTimeoutMs <= 0 || probeStartNs == 0) return whenUs;
        long remainingUs = options.userTimeoutMs * 1000L - Math.max(0, now - probeStartNs) / 1000;
        return Math.min(Math.max(remainingUs, 2 * JIFFY_NS / 1000), whenUs);
    }

    private long probeStartNs;

    /**
     * tcp_write_wakeup: if the window has room, send what fits (up to one MSS); otherwise a probe with
     * an old sequence number, SND.UNA − 1, and no data, which the peer must answer with an ACK.
     */
    private int writeWakeup(long now) {
        int unsent = sendBuf.length() - unsentOffset();
        int room = Seq.diff(sndUna + sndWnd, sndNxt);
        if (unsent > 0 && room > 0) {
            int len = Math.min(Math.min(unsent, room), mss);
            int flags = ACK | PSH; // tcp_write_wakeup marks the probe's data PSH
            pushWithin(sndNxt, sndNxt + len);
            int err = sendData(sndNxt, len, flags, now, false);
            if (err > 0) return err; // refused by the local queue: the data stays unsent
            rtx.add(sndNxt, sndNxt + len, RetransmitQueue.F_PSH, now);
            sndNxt += len;
            lastSendNs = now;
            stats.inc(Counter.TcpExtTCPWinProbe);
            return 0;
        }
        stats.inc(Counter.TcpExtTCPWinProbe);
        return sendProbe();
    }

    /** tcp_xmit_probe_skb: ACK with SEQ = SND.UNA − 1 and no data. @return as {@link #transmit} */
    private int sendProbe() {
        byte[] b = host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        int optLen = writeDataOptions(b, o + TcpHeader.HEADER_LEN, true);
        int win = selectWindow();
        TcpHeader.writeHeader(b, o, localPort, remotePort, sndUna - 1, rcvNxt, ACK, win, optLen);
        return transmit(TcpHeader.HEADER_LEN + optLen, ACK);
    }

    /** (Re)starts the keepalive timer from the last activity (inet_csk_reset_keepalive_timer). */
    private void resetKeepalive() {
        if (!options.keepAlive) return;
        sched.scheduleIn(keepaliveTimer, keepIdleNs());
    }

    private long keepIdleNs() { return (options.keepIdleSec > 0 ? options.keepIdleSec : cfg.tcpKeepaliveTime) * 1_000_000_000L; }

    private long keepIntvlNs() { return (options.keepIntvlSec > 0 ? options.keepIntvlSec : cfg.tcpKeepaliveIntvl) * 1_000_000_000L; }

    private int keepCnt() { return options.keepCnt > 0 ? options.keepCnt : cfg.tcpKeepaliveProbes; }

    /**
     * tcp_keepalive_timer: on an idle connection, after the idle time send a probe (SEQ = SND.NXT − 1
     * as tcp_write_wakeup does with nothing to send) every interval; after the count, RST and ETIMEDOUT.
     */
    private void onKeepaliveTimer() {
        long now = sched.nowNs();
        trace("keepalive");
        if (!options.keepAlive || state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT
                && state != TcpState.FIN_WAIT1 && state != TcpState.FIN_WAIT2) {
            return;
        }
        // keepalive_time_elapsed: since the later of the last data received (icsk_ack.lrcvtime, set by
        // tcp_event_data_recv and at establishment) and the last acceptable ACK (tp->rcv_tstamp, tcp_ack);
        // a segment dropped as out of window, or an old ACK, does not count as activity.
        long elapsed = now - Math.max(lastAckRecvNs, lrcvNs);
        if (!rtx.isEmpty() || sendBuf.length() > 0) {
            sched.scheduleIn(keepaliveTimer, keepIdleNs());
            return;
        }
        if (elapsed >= keepIdleNs()) {
            boolean dead = options.userTimeoutMs > 0
                    ? elapsed >= options.userTimeoutMs * 1_000_000L && probesOut > 0
                    : probesOut >= keepCnt();
            if (dead) {
                sendActiveReset();
                done(Errno.ETIMEDOUT);
                return;
            }
            if (sendKeepaliveProbe() > 0) {
                // "If keepalive was lost due to local congestion, try harder." (tcp_keepalive_timer)
                sched.scheduleIn(keepaliveTimer, RESOURCE_PROBE_INTERVAL_US * 1000);
                return;
            }
            probesOut++;
            stats.inc(Counter.TcpExtTCPKeepAlive);
            sched.scheduleIn(keepaliveTimer, keepIntvlNs());
        } else {
            sched.scheduleIn(keepaliveTimer, keepIdleNs() - elapsed);
        }
    }

    private int sendKeepaliveProbe() {
        byte[] b = host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        int optLen = writeDataOptions(b, o + TcpHeader.HEADER_LEN, true);
        int win = selectWindow();
        TcpHeader.writeHeader(b, o, localPort, remotePort, sndNxt - 1, rcvNxt, ACK, win, optLen);
        return transmit(TcpHeader.HEADER_LEN + optLen, ACK);
    }

    private void armOrphanFinWait2() {
        // tcp_close / tcp_rcv_state_process: an orphaned FIN_WAIT2 lives tcp_fin_timeout (Linux keeps it as
        // a time-wait socket in the FIN_WAIT2 substate).
        sched.scheduleIn(timewaitTimer, cfg.tcpFinTimeout * 1_000_000_000L);
    }

    private void enterTimeWait() {
        setState(TcpState.TIME_WAIT);
        stats.inc(Counter.TcpExtTW);
        sched.cancel(xmitTimer);
        sched.cancel(keepaliveTimer);
        xmitKind = XmitTimer.NONE;
        sched.scheduleIn(timewaitTimer, cfg.timeWaitSeconds * 1_000_000_000L);
        notifyApp();
    }

    private void onTimewaitTimer() {
        trace(state == TcpState.TIME_WAIT ? "timewait" : "fin_wait2");
        done(null);
    }

    // =========================================================================================
    // Helpers
    // =========================================================================================

    /**
     * The host lost this connection's state (a crash or reboot): timers stop, nothing is sent, and
     * the application (if it still exists) sees nothing more.
     */
    public void forget() {
        observer = null;
        parent = null;
        sched.cancel(xmitTimer);
        sched.cancel(delackTimer);
        sched.cancel(keepaliveTimer);
        sched.cancel(timewaitTimer);
        xmitKind = XmitTimer.NONE;
        state = TcpState.CLOSE;
    }

    /** Whether the ICMP-quoted sequence number is one this connection has outstanding (tcp_v4_err). */
    public boolean icmpSeqValid(int seq) {
        return seq == sndUna || Seq.between(seq, sndUna, sndNxt);
    }

    /** tcp_done: CLOSE, with an error for the application (null for a normal end). */
    void done(Errno err) {
        if (state == TcpState.CLOSE) {
            host.connectionClosed(this);
            return;
        }
        if (err != null) error = err;
        setState(TcpState.CLOSE);
        sendShutdown = true;
        rcvShutdown = true;
        sched.cancel(xmitTimer);
        sched.cancel(delackTimer);
        sched.cancel(keepaliveTimer);
        sched.cancel(timewaitTimer);
        xmitKind = XmitTimer.NONE;
        host.connectionClosed(this);
        if (parent != null) parent.childClosed(this);
        notifyApp();
    }

    /** A hard ICMP error (net/host unreachable, port unreachable) for this connection (tcp_v4_err). */
    public void icmpError(Errno err) {
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECV) {
            // Linux: during the handshake an ICMP error is fatal at once.
            if (state == TcpState.SYN_SENT) stats.inc(Counter.TcpAttemptFails);
            done(err);
        } else {
            // Established: only a soft error, reported if the connection later times out.
            softError = err;
        }
    }

    private void setState(TcpState next) {
        TcpState prev = state;
        state = next;
        // TcpCurrEstab counts ESTABLISHED and CLOSE_WAIT sockets (tcp_set_state).
        boolean wasEstab = prev == TcpState.ESTABLISHED || prev == TcpState.CLOSE_WAIT;
        boolean isEstab = next == TcpState.ESTABLISHED || next == TcpState.CLOSE_WAIT;
        if (isEstab && !wasEstab) stats.inc(Counter.TcpCurrEstab);
        if (wasEstab && !isEstab) stats.add(Counter.TcpCurrEstab, -1);
        Tracer t = host.tracer();
        if (t != null && prev != next) {
            t.on(new TraceEvent.StateChange(sched.nowNs(), host.name(), id(), prev, next));
        }
    }

    private void trace(String timer) {
        Tracer t = host.tracer();
        if (t != null) t.on(new TraceEvent.TimerFired(sched.nowNs(), host.name(), id(), timer));
    }

    private void traceCwnd(long now) {
        Tracer t = host.tracer();
        if (t != null) {
            t.on(new TraceEvent.CwndSample(now, host.name(), id(), cw.cwnd, cw.ssthresh, rtt.srttUs(),
                    rec.packetsInFlight(), rec.caState.name()));
        }
    }

    private void notifyApp() {
        Runnable o = observer;
        if (o != null) o.run();
        if (parent != null) parent.notifyApp();
    }

    @Override
    public String toString() {
        return state + " " + id();
    }
}
