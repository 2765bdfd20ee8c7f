package dev.synack.tcp;

/**
 * Why a segment was sent: the rule that decided it, as the ladder, the JSON trace and pcapng comments
 * tell it. Every segment TCP emits carries one, with a small number ({@code n}) where the rule counts
 * something: the backoff an RTO brings, which SYN retry, how many duplicate ACKs. The decision point
 * passes the constant and the number down to {@link TcpHost#sendTcp} — an enum constant and an int,
 * nothing allocated; the text is only built when a trace is read.
 *
 * <p>The constant's name is its stable code (readers translate by it: never rename one). The text
 * names the Linux function or RFC section behind the rule; {@code {n}} in the tag or text stands for
 * the number.
 */
public enum SendReason {
    // ---- the handshake (tcp_output.c tcp_connect, tcp_make_synack; tcp_timer.c) ------------------------
    SYN("syn", "SYN: connect() opens the connection (tcp_connect)"),
    SYN_RETRY("syn retry {n}", "SYN retry {n}: no SYN-ACK within the RTO (tcp_retransmit_timer, tcp_syn_retries)"),
    SYN_MTU_RETRY("syn mtu retry", "SYN again at once: an ICMP fragmentation-needed lowered the path MTU under SYN data (tcp_v4_mtu_reduced, tcp_simple_retransmit)"),
    SYN_ACK("syn-ack", "SYN-ACK: a listener answers a SYN (tcp_conn_request)"),
    SYN_ACK_RETRY("syn-ack retry {n}", "SYN-ACK retry {n}: no ACK within the RTO (tcp_retransmit_timer, tcp_synack_retries)"),
    SYN_ACK_AGAIN("syn-ack again", "SYN-ACK again: the peer's SYN came again (tcp_check_req)"),
    SYN_ACK_SIMULTANEOUS("simultaneous open", "SYN-ACK: both ends sent a SYN, simultaneous open (RFC 9293 §3.5; tcp_rcv_synsent_state_process)"),
    SYN_COOKIE("syn cookie", "SYN-ACK with a SYN cookie: the SYN queue is full (tcp_syncookies; cookie_v4_init_sequence)"),
    HANDSHAKE_ACK("ack syn-ack", "ACK of the SYN-ACK: the handshake's third segment (tcp_rcv_synsent_state_process)"),

    // ---- new data (tcp_output.c tcp_write_xmit) ---------------------------------------------------------
    NEW_DATA("new", "new data (tcp_write_xmit)"),
    NEW_DATA_NAGLE("new, nagle ok", "new data, less than a full segment: Nagle allows it, no small segment is unacknowledged (tcp_nagle_check)"),
    NEW_DATA_NODELAY("new, nodelay", "new data, less than a full segment: TCP_NODELAY (tcp_nagle_check)"),
    FIN("fin", "FIN: the application closed or shut down writing (tcp_send_fin)"),
    FRTO_NEW_DATA("f-rto new", "new data after a timeout, to tell a spurious RTO (F-RTO, RFC 5682 §3.1 step 2b)"),
    TLP_NEW_DATA("tlp new", "tail loss probe: new data (RFC 8985 §7.3; tcp_send_loss_probe)"),

    // ---- retransmissions (tcp_timer.c, tcp_output.c tcp_xmit_retransmit_queue, tcp_input.c) --------------
    RTO("rto {n}", "RTO expired, backoff {n} (tcp_retransmit_timer)"),
    LOSS_RETRANSMIT("rto lost", "retransmission after an RTO: marked lost by the timeout, resent as cwnd allows (tcp_timeout_mark_lost)"),
    TLP("tlp", "tail loss probe: the last segment again (RFC 8985 §7.3; tcp_send_loss_probe)"),
    RACK_LOST("rack lost", "fast retransmit: RACK marked it lost (RFC 8985 §6.2; tcp_rack_detect_loss)"),
    RACK_REO_TIMEOUT("rack timer", "retransmission: RACK's reordering timer expired (RFC 8985 §6.3; tcp_rack_reo_timeout)"),
    FAST_RETRANSMIT("{n} dupacks", "fast retransmit ({n} duplicate ACKs; RFC 6582, tcp_newreno_mark_lost)"),
    PARTIAL_ACK("partial ack", "retransmission: a partial ACK in recovery shows the next hole (RFC 6582 §3.2; tcp_newreno_mark_lost)"),
    SACK_LOST("sack lost", "fast retransmit: three segments SACKed above it (RFC 6675 IsLost; tcp_recovery 0)"),

    // ---- probes (tcp_timer.c) ---------------------------------------------------------------------------
    ZERO_WINDOW_PROBE("zwp {n}", "zero-window probe {n} (tcp_probe_timer, tcp_xmit_probe_skb)"),
    WINDOW_PROBE_DATA("probe data", "window probe with data: the window opened by less than a segment (tcp_write_wakeup)"),
    KEEPALIVE("keepalive {n}", "keepalive probe {n} (tcp_keepalive_timer)"),

    // ---- ACKs (tcp_input.c __tcp_ack_snd_check, tcp_timer.c tcp_delack_timer_handler, tcp.c) -------------
    DELAYED_ACK("delack", "delayed ACK timer (tcp_delack_timer_handler)"),
    QUICK_ACK("quickack {n}", "quick ACK: quick-ACK mode, {n} left (tcp_in_quickack_mode)"),
    ACK_TWO_SEGMENTS("ack >1 seg", "ACK now: more than a full segment received since the last ACK (__tcp_ack_snd_check)"),
    ACK_OUT_OF_ORDER("ack ofo", "quick ACK (out-of-order data; tcp_data_queue_ofo)"),
    ACK_HOLE_FILLED("ack hole filled", "quick ACK: a hole in the sequence was filled (tcp_ofo_queue)"),
    ACK_OLD_DATA("ack dup data", "quick ACK: data already received, a retransmission (D-SACK; tcp_data_queue)"),
    ACK_NO_ROOM("ack no room", "ACK now: data dropped, no room in the window or the buffer (tcp_data_queue)"),
    ACK_FIN("ack fin", "ACK of the peer's FIN (tcp_fin)"),
    ACK_CWR("ack cwr", "ACK now: the peer's CWR came with data, its cwnd may be very low (RFC 3168 §6.1.3; tcp_ecn_accept_cwr)"),
    ACK_AFTER_READ("ack read", "ACK owed, sent once the application read (tcp_cleanup_rbuf)"),
    WINDOW_UPDATE("win update", "window update: the application read and the window grew (tcp_cleanup_rbuf)"),
    ACK_QUICKACK_OPTION("ack quickack opt", "ACK owed, sent when TCP_QUICKACK was set (__tcp_sock_set_quickack)"),
    DUPACK_OUT_OF_WINDOW("oow ack", "ACK for an unacceptable segment (RFC 9293 §3.10.7.4; tcp_send_dupack)"),
    DUPACK_PAWS("paws ack", "ACK for a segment with an old timestamp (PAWS, RFC 7323 §5; tcp_send_dupack)"),
    CHALLENGE_ACK_RST("challenge rst", "challenge ACK: a RST in the window but not at RCV.NXT (RFC 5961 §3.2)"),
    CHALLENGE_ACK_SYN("challenge syn", "challenge ACK: a SYN on a synchronized connection (RFC 5961 §4)"),
    CHALLENGE_ACK_OLD_ACK("challenge ack", "challenge ACK: an ACK older than the window allows (RFC 5961 §5.2)"),
    CHALLENGE_ACK_UNSENT_DATA("challenge unsent", "challenge ACK: an ACK of data never sent (RFC 5961 §5.2, RFC 9293 §3.10.7.4)"),
    TIME_WAIT_ACK("tw ack", "ACK from TIME_WAIT: the peer's FIN came again (tcp_timewait_state_process)"),
    TIME_WAIT_DUPACK("tw oow ack", "ACK from TIME_WAIT: a segment out of sequence (TCP_TW_ACK, tcp_timewait_state_process)"),

    // ---- resets (include/net/rstreason.h names the same causes) -----------------------------------------
    RST_NO_SOCKET("rst no socket", "RST: no socket (RFC 9293 §3.10.7.1)"),
    RST_ACK_TO_LISTENER("rst ack to listener", "RST: an ACK to a listening socket (RFC 9293 §3.10.7.2)"),
    RST_SYNACK_TSECR("rst bad tsecr", "RST: a SYN-ACK echoing a timestamp we never sent (PAWSActive; tcp_rcv_synsent_state_process)"),
    RST_INVALID_ACK("rst bad ack", "RST: an ACK of something never sent (RFC 9293 §3.10.7.3; tcp_check_req)"),
    RST_INVALID_SYN("rst syn", "RST: a SYN to a connection not yet accepted (tcp_check_req)"),
    RST_ABORT_ON_DATA("rst data after close", "RST: data after the socket was closed or shut (tcp_rcv_state_process, TCPAbortOnData)"),
    RST_CLOSE_UNREAD("rst unread", "RST: close with unread data (RFC 2525 §2.17; tcp_close)"),
    RST_LINGER0("rst linger 0", "RST: close with SO_LINGER 0 (tcp_disconnect)"),
    RST_ABORT("rst abort", "RST: the connection was aborted (tcp_disconnect)"),
    RST_ABORT_ON_MEMORY("rst oom", "RST: too many orphaned sockets or out of TCP memory (tcp_check_oom)"),
    RST_LISTENER_CLOSED("rst listener closed", "RST: the listener closed before accept() (inet_csk_listen_stop)"),
    RST_ACCEPT_OVERFLOW("rst overflow", "RST: the accept queue is full (tcp_abort_on_overflow)"),
    RST_KEEPALIVE("rst keepalive", "RST: keepalive probes unanswered (tcp_keepalive_timer)");

    private final String tag, text;

    SendReason(String tag, String text) {
        this.tag = tag;
        this.text = text;
    }

    /** The stable code (the constant's name), e.g. {@code "RTO"}. */
    public String code() { return name(); }

    /** Whether the tag and text use the number. */
    public boolean hasNumber() { return text.contains("{n}"); }

    /** The short ladder tag, with {@code n} where it counts, e.g. "rto 3". */
    public String tag(int n) { return tag.replace("{n}", Integer.toString(n)); }

    /** The English text, with {@code n} where it counts, e.g. "RTO expired, backoff 3 (tcp_retransmit_timer)". */
    public String text(int n) { return text.replace("{n}", Integer.toString(n)); }
}
