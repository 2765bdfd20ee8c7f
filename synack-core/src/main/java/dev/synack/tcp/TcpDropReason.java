package dev.synack.tcp;

/**
 * Why TCP dropped or ignored a received segment that passed the IP and checksum checks (those are
 * {@link dev.synack.wire.DropReason}). The names are Linux's {@code SKB_DROP_REASON_*}
 * (include/net/dropreason-core.h) where Linux has one — the reason its kfree_skb tracepoint reports —
 * and our own, in the same style, where Linux frees the segment without one. A segment whose ACK was
 * used before its data was dropped (an old retransmission that also acknowledges) is reported: Linux
 * frees it with the reason too.
 *
 * <p>TCP reports a drop to its {@link TcpHost} with the constant only; nothing is allocated. The
 * constant's name is its stable code (readers translate by it: never rename one).
 */
public enum TcpDropReason {
    NO_SOCKET("no socket", "no socket for this segment (tcp_v4_rcv)"),
    TCP_FLAGS("flags", "flags this state does not take (tcp_rcv_state_process)"),
    TCP_RESET("rst ignored", "a RST not acceptable here (RFC 5961 §3.2; tcp_validate_incoming)"),
    TCP_RFC7323_PAWS("paws", "an old timestamp: PAWS rejects it (RFC 7323 §5; tcp_paws_discard)"),
    TCP_OLD_SEQUENCE("old seq", "entirely before the receive window, an old duplicate (tcp_sequence)"),
    TCP_INVALID_SEQUENCE("beyond window", "beyond the receive window (tcp_sequence)"),
    TCP_INVALID_ACK_SEQUENCE("bad ack", "an ACK of something never sent (tcp_rcv_synsent_state_process, tcp_check_req)"),
    TCP_INVALID_SYN("syn", "a SYN on a synchronized connection (RFC 5961 §4; tcp_validate_incoming)"),
    TCP_ACK_UNSENT_DATA("ack unsent", "an ACK for data not yet sent (tcp_ack)"),
    TCP_TOO_OLD_ACK("too old ack", "an ACK older than the window allows (RFC 5961 §5.2; tcp_ack)"),
    TCP_OLD_DATA("old data", "data already received: a retransmission (tcp_data_queue)"),
    TCP_ZEROWINDOW("zero window", "data into a zero window (tcp_data_queue)"),
    TCP_OVERWINDOW("over window", "data beyond the receive window (tcp_data_queue)"),
    TCP_OFOMERGE("ofo dup", "out-of-order data already queued (tcp_data_queue_ofo)"),
    PROTO_MEM("no memory", "no receive-buffer memory for the data (tcp_try_rmem_schedule)"),
    TCP_ABORT_ON_DATA("abort on data", "data after close or shutdown, answered with a RST (tcp_rcv_state_process)"),
    TCP_CLOSE("closed", "the connection is closed (tcp_rcv_state_process)"),
    TCP_LISTEN_OVERFLOW("accept queue full", "the listener's accept queue is full (tcp_conn_request, tcp_check_req)"),
    TCP_REQQFULLDROP("syn queue full", "the SYN queue is full and SYN cookies are off (tcp_syn_flood_action)"),
    TCP_MAX_SYN_BACKLOG("syn backlog", "the last quarter of tcp_max_syn_backlog is kept for proven peers (tcp_conn_request)"),
    TCP_DATA_AFTER_FIN("after fin", "data or FIN after the peer's FIN (tcp_rcv_state_process)"),
    TCP_TIMEWAIT("time-wait", "a segment to a TIME_WAIT connection (tcp_timewait_state_process)"),
    TCP_MD5UNEXPECTED("md5 unexpected", "an MD5 signature to a socket without MD5 keys (tcp_inbound_md5_hash)");

    private final String tag, text;

    TcpDropReason(String tag, String text) {
        this.tag = tag;
        this.text = text;
    }

    /** The stable code (the constant's name), e.g. {@code "TCP_OLD_DATA"}. */
    public String code() { return name(); }

    /** The short ladder tag, e.g. "old data". */
    public String tag() { return tag; }

    /** The English text. */
    public String text() { return text; }
}
