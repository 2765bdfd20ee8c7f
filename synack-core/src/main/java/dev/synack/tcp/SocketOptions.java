package dev.synack.tcp;

/**
 * Per-socket options (setsockopt), with Linux's semantics. A listener's options are copied into each
 * connection it accepts, as Linux's children inherit them. Zero means "use the sysctl" where Linux
 * does the same.
 */
public final class SocketOptions {
    /** TCP_NODELAY: disable Nagle's algorithm. */
    public boolean noDelay;
    /** TCP_CORK: hold partial segments until un-corked (TCP_NAGLE_CORK). */
    public boolean cork;
    /** TCP_NOTSENT_LOWAT (an unsigned int); 0 = tcp_notsent_lowat. */
    public int notsentLowat;
    /** SO_KEEPALIVE. */
    public boolean keepAlive;
    /** TCP_KEEPIDLE in seconds; 0 = tcp_keepalive_time. */
    public int keepIdleSec;
    /** TCP_KEEPINTVL in seconds; 0 = tcp_keepalive_intvl. */
    public int keepIntvlSec;
    /** TCP_KEEPCNT; 0 = tcp_keepalive_probes. */
    public int keepCnt;
    /** TCP_USER_TIMEOUT in ms; 0 = off (tcp_retries2 rules). */
    public int userTimeoutMs;
    /** SO_LINGER on/off and its time in seconds. */
    public boolean linger;
    public int lingerSec;
    /** SO_RCVBUF / SO_SNDBUF as Linux stores them (doubled); 0 = tcp_rmem[1] / tcp_wmem[1]. */
    public int rcvBuf, sndBuf;
    /** TCP_SYNCNT; 0 = tcp_syn_retries. */
    public int synCnt;
    /** SO_REUSEADDR. */
    public boolean reuseAddr;
    /** TCP_CONGESTION; null = tcp_congestion_control. */
    public String congestion;
    /**
     * TCP_MAXSEG before connect/listen (Linux tp->rx_opt.user_mss); 0 = none. It caps the MSS we
     * advertise (tcp_mss_clamp) and the peer's MSS we accept (tcp_parse_options).
     */
    public int userMss;
    /** TCP_QUICKACK was set (one-shot quick ACK mode). */
    public boolean quickAck;
    /** SO_ZEROCOPY (Linux's SOCK_ZEROCOPY flag): send(MSG_ZEROCOPY) reports completions on the error queue. */
    public boolean zerocopy;
    /** SO_TIMESTAMPING's SOF_TIMESTAMPING_* flags (sk_tsflags). */
    public int tsFlags;
    /** TCP_INQ (tp->recvmsg_inq): recvmsg() adds a TCP_CM_INQ control message. */
    public boolean recvInq;
    /** SO_MARK (sk_mark): kept and read back; synack has no policy routing to use it. */
    public int mark;
    /**
     * A listener's Fast Open queue length (setsockopt TCP_FASTOPEN, or the backlog when tcp_fastopen has
     * TFO_SERVER_WO_SOCKOPT1; Linux fastopenq.max_qlen); 0 = no Fast Open on this listener.
     */
    public int fastOpenQlen;
    /** The listener's own Fast Open key(s) (setsockopt TCP_FASTOPEN_KEY: 16 or 32 bytes), or null for the host's. */
    public byte[] fastOpenKey;
    /** TCP_FASTOPEN_CONNECT: connect() returns at once and the first write goes in the SYN. */
    public boolean fastOpenConnect;
    /** TCP_FASTOPEN_NO_COOKIE: send data in the SYN without a cookie (Linux tp->fastopen_no_cookie). */
    public boolean fastOpenNoCookie;

    /** A copy, for an accepted child. */
    public SocketOptions copy() {
        SocketOptions o = new SocketOptions();
        o.noDelay = noDelay;
        o.cork = cork;
        o.notsentLowat = notsentLowat;
        o.keepAlive = keepAlive;
        o.keepIdleSec = keepIdleSec;
        o.keepIntvlSec = keepIntvlSec;
        o.keepCnt = keepCnt;
        o.userTimeoutMs = userTimeoutMs;
        o.linger = linger;
        o.lingerSec = lingerSec;
        o.rcvBuf = rcvBuf;
        o.sndBuf = sndBuf;
        o.synCnt = synCnt;
        o.reuseAddr = reuseAddr;
        o.congestion = congestion;
        o.userMss = userMss;
        // sk_clone_lock copies the whole sock: sk_flags (SOCK_ZEROCOPY), sk_tsflags, sk_mark, and the
        // tcp_sock's recvmsg_inq (measured on Linux 6.18: an accepted socket reads SO_ZEROCOPY and TCP_INQ 1).
        o.zerocopy = zerocopy;
        o.tsFlags = tsFlags;
        o.recvInq = recvInq;
        o.mark = mark;
        return o;
    }
}
