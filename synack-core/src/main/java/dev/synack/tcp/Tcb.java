package dev.synack.tcp;

import dev.synack.stats.Counters;
import dev.synack.tcp.cc.CongestionControl;
import dev.synack.tcp.cc.Cwnd;
import dev.synack.time.Scheduler;

/**
 * The transmission control block of one connection (RFC 9293 §3.3.1), in the spirit of Linux's
 * {@code struct tcp_sock}: the sequence spaces, the negotiated options, the buffers and the figures
 * several jobs share (RTT and RTO, cwnd, the error to report). It holds state and values derived from
 * it only; what is done with it lives in the connection's collaborators ({@link Handshake},
 * {@link SegmentArrival}, {@link AckProcessor}, {@link Receiver}, {@link Sender}, ...), each of which
 * also keeps the state that is its own.
 *
 * <p>Units: instants are in nanoseconds of the host's scheduler ({@code ...Ns}); durations carry
 * their unit in the name ({@code rtoUs}, {@code atoNs}); sequence numbers are ints compared with
 * {@link Seq}.
 */
final class Tcb {
    /** RFC 9293 §3.7.1 / RFC 1122: the MSS assumed when the peer sends none (TCP_MSS_DEFAULT). */
    static final int TCP_MSS_DEFAULT = 536;
    /** The smallest MSS Linux uses (TCP_MIN_MSS, include/net/tcp.h). */
    static final int TCP_MIN_MSS = 88;
    /** TCP_MIN_SND_MSS (include/net/tcp.h): the smallest send MSS, 48 bytes. */
    static final int TCP_MIN_SND_MSS = 48;
    /** Bytes of IPv4 and TCP headers without options: MTU − this is the MSS (tcp_mtu_to_mss). */
    static final int IPV4_TCP_HEADERS = 40;
    /** TCPOLEN_TSTAMP_ALIGNED (include/net/tcp.h): the timestamps option with its two NOPs. */
    static final int TCPOLEN_TSTAMP_ALIGNED = 12;
    /** MAX_TCP_WINDOW (include/net/tcp.h): the largest unscaled window, 65535. */
    static final int MAX_TCP_WINDOW = 65535;
    /** TCP_MAX_WSCALE (include/net/tcp.h). */
    static final int TCP_MAX_WSCALE = 14;
    /** One timer tick at HZ=250, the granularity of Linux's timer_list timers. */
    static final long JIFFY_NS = 4_000_000;
    /** TCP_TIMEOUT_INIT (include/net/tcp.h): 1 s, the SYN's initial RTO and the base of its tcp_model_timeout. */
    static final long TCP_TIMEOUT_INIT_US = 1_000_000;
    /** Linux's TCP_RTO_MIN (include/net/tcp.h): also the base of tcp_model_timeout for data. */
    static final long TCP_RTO_MIN_US = 200_000;
    /** Linux's TCP_TIMEOUT_MIN_US (include/net/tcp.h): 2 ms, the TLP's slack for more than one segment
     *  (tcp_schedule_loss_probe adds it to 2·SRTT in microseconds, whatever HZ is). */
    static final long TCP_TIMEOUT_MIN_US = 2_000;
    /** TCP_TIMEOUT_MIN (include/net/tcp.h): 2 jiffies, in µs. */
    static final long TCP_TIMEOUT_MIN_JIFFIES_US = 2 * JIFFY_NS / 1000;
    /** TCP_RESOURCE_PROBE_INTERVAL (include/net/tcp.h): the retry interval under local congestion. */
    static final long RESOURCE_PROBE_INTERVAL_US = 500_000;
    /** Scaling ratio of payload to buffer memory in 1/256 (tp->scaling_ratio), before data is measured. */
    static final int DEFAULT_SCALING_RATIO = 128;
    /** SOCK_MIN_RCVBUF (include/net/sock.h): 2 × (2048 + sizeof(struct sk_buff)), 4608. */
    static final int SOCK_MIN_RCVBUF = 4608;

    /**
     * The scaling ratio of aggregated segments (veth, loopback: TSO/GRO super-segments), about 232/256:
     * with tcp_rmem[1] = 131072 a stalled receiver takes ≈119 KB before the window closes, as measured
     * on Linux 6.18 over veth. See {@link TcpConfig#rxPerSegmentTruesize}.
     */
    static final int AGGREGATED_SCALING_RATIO = 232;

    /**
     * skb->truesize of a received segment of {@code ipLen} bytes (IP header on), as a NIC without GRO
     * allocates it: the packet in one kmalloc'd buffer after NET_SKB_PAD + NET_IP_ALIGN of headroom,
     * with skb_shared_info, rounded up to the kmalloc size, plus the sk_buff
     * (SKB_TRUESIZE(kmalloc_size_roundup(...)); a TUN device does this, tun_get_user). Measured on
     * Linux 6.18 over TUN with ss -tm (skmem r): 832 for a 100-byte segment without timestamps (a head
     * small enough for the small-head cache), 1280 for a 200-byte segment, 2304 for 1000 and for
     * 1448 bytes. The scaling ratio (len/truesize) follows: 160/256 for full-sized segments.
     */
    static int skbTruesize(int ipLen) {
        int data = align64(64 + 2 + ipLen) + 320; // NET_SKB_PAD, NET_IP_ALIGN; skb_shared_info
        // kmalloc_reserve (net/core/skbuff.c): a head that fits SKB_SMALL_HEAD_CACHE_SIZE comes from its
        // own cache; a larger one is rounded up to a kmalloc size (kmalloc-1k and up past 576).
        if (data <= SKB_SMALL_HEAD_CACHE_SIZE) return SKB_SMALL_HEAD_CACHE_SIZE + SKB_STRUCT;
        int kmalloc = 1024;
        while (kmalloc < data) kmalloc <<= 1;
        return kmalloc + SKB_STRUCT;
    }

    /**
     * SKB_SMALL_HEAD_CACHE_SIZE on x86-64 (net/core/skbuff.c), 576: measured on Linux 6.18 over
     * packetdrill's TUN device with ss -tm, a 100-byte segment (IP length 140) charges 832 bytes of
     * truesize (20 held: skmem r16640), a 1000-byte one 2304.
     */
    static final int SKB_SMALL_HEAD_CACHE_SIZE = 576;
    /** SKB_DATA_ALIGN(sizeof(struct sk_buff)): what SKB_TRUESIZE adds to the head. */
    static final int SKB_STRUCT = 256;

    private static int align64(int v) { return (v + 63) & ~63; }

    // ---- identity -----------------------------------------------------------------------------
    final TcpHost host;
    /** The host's TCP tables, which the connection leaves at CLOSE. */
    final TcpDemux demux;
    final TcpConfig cfg;
    final Scheduler sched;
    final Counters stats;
    final SocketOptions options;
    int localAddr, localPort, remoteAddr, remotePort;
    TcpState state = TcpState.CLOSE;
    /** The listener that created this connection, until the application accepts it. */
    TcpListener parent;
    /**
     * A Fast Open child's listener until its handshake ends (Linux tp->fastopen_rsk with tfo_listener):
     * the child sits in the accept queue from its SYN on, counts in the listener's Fast Open queue, and
     * is handled by tcp_check_req's rules until the third ACK; null for every other connection.
     */
    TcpListener fastOpenListener;
    /** tp->syn_data_acked: our SYN's data was acknowledged, or (server) the SYN's data accepted (TCPI_OPT_SYN_DATA). */
    boolean synDataAcked;
    /** tp->syn_fastopen: our SYN carried the Fast Open option; {@link #synFastOpenExp} in the kind-254 form. */
    boolean synFastOpen, synFastOpenExp;
    /** tp->syn_data: our SYN carried this many bytes of data (0: none). */
    int synDataLen;
    /** The cookie the first SYN carries (-1: no option, 0: a cookie request), sent once: SYN retries go without it. */
    int synCookieLen = -1;
    final byte[] synCookie = new byte[16];
    /** sk_write_pending: a Fast Open sendto() waits for the handshake with data still to write. */
    boolean writePending;
    /** tcp_init_transfer already ran (a Fast Open child runs it at its SYN). */
    boolean transferInitialised;
    /** The application closed the socket: nobody will read or write again (Linux SOCK_DEAD). */
    boolean orphan;
    /** Counted in the host's orphans ({@link TcpMemory#orphans}): an orphan not yet CLOSE or TIME_WAIT. */
    boolean orphanCounted;

    // ---- send sequence space (RFC 9293 §3.3.1) ------------------------------------------------
    int iss, sndUna, sndNxt, sndWnd, sndWl1, sndWl2, maxSndWnd;
    /** Sequence space acknowledged so far, the SYN included (Linux tp->bytes_acked). */
    long bytesAcked;
    /** Sequence number of the first byte in {@link #sendBuf}. */
    int sndBufSeq;
    /** tcp_info's busy, rwnd-limited and sndbuf-limited times. */
    final Chrono chrono = new Chrono();
    /** Told of data segments sent and of SND.UNA advancing (timestamping, MSG_ZEROCOPY); null = nobody. */
    TcpConnection.SendProgress progress;
    /** The application shut down its sending side: a FIN follows the data. */
    boolean finQueued;
    boolean finSent;
    int finSeq;
    /** End of the last sub-MSS segment sent (Linux tp->snd_sml, Minshall's Nagle variant). */
    int sndSml;
    /** SYN (or SYN-ACK) retransmissions allowed (TCP_SYNCNT, tcp_syn_retries, tcp_synack_retries). */
    int synRetries;

    // ---- receive sequence space ---------------------------------------------------------------
    int irs, rcvNxt;
    /** The last window advertised (bytes) and RCV.NXT when it was (Linux rcv_wnd, rcv_wup). */
    int rcvWnd, rcvWup;
    int rcvSsthresh, windowClamp;
    int scalingRatio = DEFAULT_SCALING_RATIO;
    /** The peer's segment size as we estimate it (icsk_ack.rcv_mss). */
    int rcvMss = TCP_MSS_DEFAULT;
    /** Nothing more will arrive (Linux RCV_SHUTDOWN): the peer's FIN was consumed, or CLOSE. */
    boolean rcvShutdown;
    /**
     * The peer's FIN was consumed into RCV.NXT (Linux SOCK_DONE, set by tcp_fin only): reads return 0
     * once the buffer drains, even if a RST came after it (tcp_recvmsg checks SOCK_DONE before sk_err).
     */
    boolean finConsumed;
    /** The application shut down its receiving side (SHUT_RD). */
    boolean appShutRd;
    /** D-SACK block to report in the next ACK (RFC 2883; tp->duplicate_sack), valid when dsackPending. */
    boolean dsackPending;
    int dsackStart, dsackEnd;

    // ---- options ----------------------------------------------------------------------------
    int advMss, peerMss = TCP_MSS_DEFAULT, mss;
    /** icsk_pmtu_cookie: the path MTU the MSS was last computed for (tcp_sync_mss). */
    int pmtuCookie;
    int sndWscale, rcvWscale;
    boolean sackOk, tsOk, wscaleOk;
    int tsRecent, tsOffset;
    long tsRecentStampNs;

    // ---- buffers -----------------------------------------------------------------------------
    RingBuffer sendBuf, recvBuf;
    /**
     * sk_sndbuf, counted in payload bytes. Linux charges skb truesize against sk_sndbuf; its send queue
     * holds GSO skbs of up to 64 KB whose truesize is payload plus about 1.3 KB, so payload bytes are a
     * close (≈2 %) stand-in, and we take Linux's numbers (SO_SNDBUF doubled, tcp_sndbuf_expand's sndmem)
     * as payload limits unchanged. The ring {@link #sendBuf} may hold more: see {@link Sender#send}.
     */
    int sndBuf;
    /** The out-of-order map; bounded by the receive buffer from {@link Handshake#initBuffers} on. */
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

    // ---- activity (tcp_info's last_* and the keepalive's idle time) ----------------------------
    long lastSendNs, lastRecvNs, lastAckRecvNs;
    /** When data last arrived in order (icsk_ack.lrcvtime). */
    long lrcvNs;

    /**
     * The next IP identification of this socket's packets (inet->inet_id): random from the SYN (active
     * open) or from the establishment of a passive one, then one more per packet.
     */
    int ipId;

    // ---- errors -----------------------------------------------------------------------------
    /** sk_err: reported once by the next call, then cleared. */
    Errno error;
    /** sk_err_soft: reported by connect() on timeout instead of ETIMEDOUT (e.g. EHOSTUNREACH). */
    Errno softError;
    /** Nothing more may be sent (Linux SEND_SHUTDOWN in sk_shutdown). */
    boolean sendShutdown;

    Tcb(TcpHost host, TcpDemux demux, SocketOptions options) {
        this.host = host;
        this.demux = demux;
        this.cfg = host.config();
        this.sched = host.scheduler();
        this.stats = host.counters();
        this.options = options;
        this.rtt = new RttEstimator(cfg.initialRtoMs * 1000L, cfg.rtoMinUs(), cfg.rtoMaxUs());
        this.rtoUs = cfg.initialRtoMs * 1000L;
        this.cc = CongestionControl.create(options.congestion != null ? options.congestion : cfg.tcpCongestionControl);
    }

    // ---- derived values -------------------------------------------------------------------------

    /** When a timer armed now for {@code timeoutNs} fires (the host's timer wheel, {@link TcpHost#timerExpiryNs}). */
    long timerDeadline(long timeoutNs) { return host.timerExpiryNs(sched.nowNs(), timeoutNs); }

    ConnectionId id() { return new ConnectionId(localAddr, localPort, remoteAddr, remotePort); }

    /** The MTU of the route to the peer (1500 for Ethernet). */
    int mtu() { return host.mtuTo(remoteAddr); }

    /** Where unsent data starts in the send buffer. */
    int unsentOffset() { return Seq.diff(sndNxt, sndBufSeq) - (finSent ? 1 : 0); }

    /** Bytes written by the application and not yet sent. */
    int unsentBytes() { return sendBuf.length() - unsentOffset(); }

    /** tcp_receive_window: what is left of the last advertised window. */
    int receiveWindow() {
        int w = rcvWup + rcvWnd - rcvNxt;
        return Math.max(w, 0);
    }

    /** The timestamps clock (tcp_time_stamp_ms plus the connection's offset). */
    int tsNow(long nowNs) { return (int) (nowNs / 1_000_000L) + tsOffset; }

    /** An RTT from an echoed timestamp, in µs; -1 for an echo from the future. */
    long tsRttUs(int tsEcr, long nowNs) {
        long delta = (tsNow(nowNs) - tsEcr) & 0xFFFF_FFFFL;
        return delta > 0x7FFF_FFFFL ? -1 : Math.max(1, delta) * 1000L;
    }

    /** Whether the state is one where data flows from the application (tcp_sendmsg's states). */
    boolean established() { return state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT; }

    /** tcp_orphan_retries: the retries of an orphan, 8 when the sysctl is 0 (tcp_orphan_retries()). */
    int orphanRetries() { return cfg.tcpOrphanRetries == 0 ? 8 : cfg.tcpOrphanRetries; }

    /** The retransmissions or probes before giving up: tcp_retries2, or tcp_orphan_retries for an orphan. */
    int maxRetries() { return orphan ? orphanRetries() : cfg.tcpRetries2; }

    /** usecs_to_jiffies, in µs: a delay rounded up to whole timer ticks. */
    static long roundUpToJiffies(long us) {
        long jiffyUs = JIFFY_NS / 1000;
        return (us + jiffyUs - 1) / jiffyUs * jiffyUs;
    }
}
