package dev.synack.tcp;

/**
 * A snapshot of one connection with the fields of Linux's {@code struct tcp_info}
 * (include/uapi/linux/tcp.h), as {@code getsockopt(TCP_INFO)} and {@code ss -tanoi} show them. Times
 * are in the units Linux uses: µs for RTT and RTO, ms for the "last" fields.
 *
 * @param state tcpi_state
 * @param caState tcpi_ca_state (0 Open, 1 Disorder, 2 CWR, 3 Recovery, 4 Loss)
 * @param retransmits tcpi_retransmits: consecutive timeouts of the current episode
 * @param probes tcpi_probes: unanswered zero-window or keepalive probes
 * @param backoff tcpi_backoff
 * @param options tcpi_options (TCPI_OPT_* bits)
 * @param sndWscale tcpi_snd_wscale
 * @param rcvWscale tcpi_rcv_wscale
 * @param rtoUs tcpi_rto
 * @param sndMss tcpi_snd_mss
 * @param rcvMss tcpi_rcv_mss
 * @param unacked tcpi_unacked: segments in the retransmission queue
 * @param sacked tcpi_sacked
 * @param lost tcpi_lost
 * @param retrans tcpi_retrans: segments retransmitted and not yet acknowledged
 * @param lastDataSentMs tcpi_last_data_sent
 * @param lastDataRecvMs tcpi_last_data_recv
 * @param lastAckRecvMs tcpi_last_ack_recv
 * @param pmtu tcpi_pmtu
 * @param rttUs tcpi_rtt (smoothed)
 * @param rttvarUs tcpi_rttvar
 * @param sndSsthresh tcpi_snd_ssthresh
 * @param sndCwnd tcpi_snd_cwnd
 * @param advmss tcpi_advmss
 * @param totalRetrans tcpi_total_retrans
 * @param minRttUs tcpi_min_rtt
 * @param sndWnd tcpi_snd_wnd
 * @param rcvWnd tcpi_rcv_wnd
 * @param recvQ bytes waiting to be read (ss Recv-Q)
 * @param sendQ bytes not yet acknowledged (ss Send-Q)
 * @param congestion the congestion control algorithm
 * @param timer the running timer as ss -o names it ("on", "persist", "keepalive", "timewait", "off")
 * @param timerRemainingNs time until that timer expires
 * @param reordering tcpi_reordering: the reordering degree learned, in segments (tcp_reordering at first)
 * @param reordSeen tcpi_reord_seen: reordering events seen
 * @param delivered tcpi_delivered: segments delivered (ACKed, SACKed or D-SACKed)
 * @param dsackDups tcpi_dsack_dups: duplicate segments the peer reported with D-SACK
 * @param deliveredCe tcpi_delivered_ce: of the delivered segments, those an ACK with ECE covered
 * @param busyTimeUs tcpi_busy_time: µs with data to send or in flight (all the chronographs)
 * @param rwndLimitedUs tcpi_rwnd_limited: µs of that held back by the peer's receive window
 * @param sndbufLimitedUs tcpi_sndbuf_limited: µs of that held back by the send buffer
 */
public record TcpInfo(TcpState state, int caState, int retransmits, int probes, int backoff, int options,
                      int sndWscale, int rcvWscale, long rtoUs, int sndMss, int rcvMss, int unacked, int sacked,
                      int lost, int retrans, long lastDataSentMs, long lastDataRecvMs, long lastAckRecvMs, int pmtu,
                      long rttUs, long rttvarUs, int sndSsthresh, int sndCwnd, int advmss, int totalRetrans,
                      long minRttUs, int sndWnd, int rcvWnd, int recvQ, int sendQ, String congestion, String timer,
                      long timerRemainingNs, int reordering, int reordSeen, long delivered, int dsackDups, long deliveredCe,
                      long busyTimeUs, long rwndLimitedUs, long sndbufLimitedUs) {
    /** tcpi_ca_state by name. */
    public CaState ca() { return CaState.values()[caState]; }

    /** TCPI_OPT_TIMESTAMPS. */
    public static final int OPT_TIMESTAMPS = 1;
    /** TCPI_OPT_SACK. */
    public static final int OPT_SACK = 2;
    /** TCPI_OPT_WSCALE. */
    public static final int OPT_WSCALE = 4;
    /** TCPI_OPT_ECN: ECN was negotiated (tp->ecn_flags &amp; TCP_ECN_OK). */
    public static final int OPT_ECN = 8;
    /** TCPI_OPT_ECN_SEEN: at least one segment of data arrived ECT or CE (TCP_ECN_SEEN). */
    public static final int OPT_ECN_SEEN = 16;
    /** TCPI_OPT_SYN_DATA: the SYN's data was acknowledged (client) or accepted (server) (tp->syn_data_acked). */
    public static final int OPT_SYN_DATA = 32;
}
