package dev.synack.tcp;

import static dev.synack.wire.TcpHeader.CWR;
import static dev.synack.wire.TcpHeader.ECE;
import static dev.synack.wire.TcpHeader.SYN;

import dev.synack.wire.Ipv4;

/**
 * Explicit Congestion Notification (RFC 3168) for one connection, as Linux 6.18 runs its classic
 * ("RFC 3168") mode: include/net/tcp_ecn.h, tcp_input.c's tcp_ecn_* and tcp_data_ecn_check,
 * tcp_output.c's tcp_ecn_send. It owns the connection's ecn_flags:
 *
 * <ul>
 *   <li>negotiation: an ECN-setup SYN (ECE and CWR) when {@code tcp_ecn} is 1, answered by an
 *       ECN-setup SYN-ACK (ECE) from a host whose {@code tcp_ecn} is 1 or 2 (§6.1.1); a retransmitted
 *       SYN drops both flags when {@code tcp_ecn_fallback} is 1 (tcp_ecn_clear_syn);
 *   <li>the sender: ECT(0) on segments of new data only — never on pure ACKs, retransmissions,
 *       window probes, a FIN alone, a SYN or SYN-ACK (§6.1.1, §6.1.5, §6.1.6; tcp_ecn_send) — and CWR
 *       on the first new data after each cwnd reduction (tcp_ecn_queue_cwr, queued by
 *       {@link LossRecovery} whenever it starts one, and by an RTO);
 *   <li>the receiver: a CE mark on data (in order or not) makes every segment we send carry ECE until
 *       a segment with CWR arrives (§6.1.3; Linux takes CWR on a pure ACK too), and the ACK leave at
 *       once (tcp_enter_quickack_mode(sk, 2)); ECT or CE on data sets "ECN seen".
 * </ul>
 *
 * <p>The sender's reaction to ECE — one reduction per window, CWR state, PRR — is the loss-recovery
 * machine's ({@link LossRecovery}, FLAG_ECE). Single-threaded like the connection.
 */
final class Ecn {
    /** Linux's ecn_flags bits (include/net/tcp.h: TCP_ECN_OK, TCP_ECN_QUEUE_CWR, TCP_ECN_DEMAND_CWR, TCP_ECN_SEEN). */
    private static final int OK = 1, QUEUE_CWR = 2, DEMAND_CWR = 4, SEEN = 8;

    private final TcpConnection c;
    private final Tcb t;
    /** ecn_flags (tp->ecn_flags): RFC 3168 mode on, CWR to send, ECE to send, ECT seen. */
    private int flags;
    /** ECE and CWR are still set on our SYN (the SYN skb's flags; tcp_ecn_clear_syn clears them). */
    private boolean synAsks;

    Ecn(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** ECN was negotiated (TCPI_OPT_ECN). */
    boolean ok() { return (flags & OK) != 0; }

    /** ECT or CE arrived on data (TCPI_OPT_ECN_SEEN). */
    boolean seen() { return (flags & SEEN) != 0; }

    // ---- the handshake ----------------------------------------------------------------------------

    /**
     * tcp_ecn_send_syn: with tcp_ecn = 1 the SYN asks for ECN (ECE and CWR, RFC 3168 §6.1.1) and the
     * connection is in ECN mode until the SYN-ACK says otherwise. (Linux 6.18 also asks for AccECN with
     * tcp_ecn 3; synack does not model Accurate ECN, see TcpConfig.)
     */
    void connecting() {
        flags = 0;
        synAsks = t.cfg.tcpEcn == 1;
        if (synAsks) flags = OK;
    }

    /** The flags ECN adds to our SYN: ECE|CWR while the SYN still asks (see {@link #synRetransmitted}). */
    int synFlags() { return synAsks ? ECE | CWR : 0; }

    /**
     * __tcp_retransmit_skb → tcp_ecn_clear_syn (RFC 3168 §6.1.1.1, "ECN fallback"): with
     * tcp_ecn_fallback = 1 the SYN is resent without ECE and CWR, in case a middlebox drops ECN-setup
     * SYNs; the connection stays in ECN mode until the SYN-ACK shows whether the peer agreed. Measured on
     * Linux 6.18 (tcp_ecn 1): the SYN leaves as SEW, its retransmissions as S; with tcp_ecn_fallback 0
     * as SEW every time.
     */
    void synRetransmitted() {
        if (t.cfg.tcpEcnFallback) synAsks = false;
    }

    /**
     * tcp_ecn_rcv_synack: the peer agreed with ECE and without CWR (RFC 3168 §6.1.1); anything else
     * turns ECN off.
     *
     * <p>Linux 6.18 differs for a SYN-ACK whose CWR is set (with or without ECE): tcp_ecn_rcv_synack
     * takes it as Accurate ECN feedback and the connection goes to AccECN mode even with tcp_ecn 1
     * (measured: the third ACK leaves as {@code W.} and data with AE and ECE set). synack does not model
     * AccECN and treats it as a refusal, as RFC 3168 says.
     */
    void synAckReceived(InSegment seg) {
        if (ok() && (!seg.has(ECE) || seg.has(CWR))) flags &= ~OK;
    }

    /**
     * tcp_ecn_rcv_syn (simultaneous open, RFC 9293 Figure 8): our SYN asked, and the peer's SYN must
     * ask too (ECE and CWR) for ECN to stay on.
     */
    void synReceived(InSegment seg) {
        if (ok() && (!seg.has(ECE) || !seg.has(CWR))) flags &= ~OK;
    }

    /**
     * tcp_ecn_create_request then tcp_ecn_openreq_child: a listener's child agrees to ECN when the SYN
     * asked (ECE and CWR, §6.1.1), tcp_ecn is not 0, and the SYN itself is Not-ECT — Linux refuses an
     * ECN-setup SYN that arrives ECT or CE ({@code !ect} in tcp_ecn_create_request; RFC 3168 §6.1.1
     * only says a SYN must not be sent ECT). Measured on Linux 6.18 with tcp_ecn 2: SEW answered SE.;
     * SE, SW, and SEW marked ECT(0) or CE answered S.; with tcp_ecn 0 SEW answered S.; with tcp_ecn 2 an
     * AccECN SYN (AE, CWR and ECE) answered SE., classic ECN.
     */
    static boolean requestOk(InSegment syn, TcpConfig cfg) {
        return syn.has(ECE) && syn.has(CWR) && syn.ecn == Ipv4.NOT_ECT && cfg.tcpEcn != 0;
    }

    /** The child of a listener (tcp_ecn_openreq_child): ECN as the request agreed. */
    void openRequest(boolean ecnOk) {
        flags = ecnOk ? OK : 0;
        synAsks = false;
    }

    /** The flags ECN adds to our SYN-ACK: ECE when we agree (tcp_ecn_make_synack, tcp_ecn_send_synack); never CWR. */
    int synAckFlags() { return ok() ? ECE : 0; }

    // ---- the sender ------------------------------------------------------------------------------------

    /**
     * tcp_ecn_queue_cwr: a cwnd reduction started (tcp_init_cwnd_reduction: fast recovery, CWR after
     * ECE or a local drop, a loss probe's repair; tcp_enter_loss: an RTO): the next new data carries CWR
     * (RFC 3168 §6.1.2).
     */
    void queueCwr() {
        if (ok()) flags |= QUEUE_CWR;
    }

    /** tcp_ecn_withdraw_cwr: a reduction was undone (tcp_undo_cwnd_reduction), so there is no CWR to send. */
    void withdrawCwr() { flags &= ~QUEUE_CWR; }

    /**
     * tcp_ecn_send for a segment of {@code dataLen} bytes at {@code seq}: new data (at or beyond SND.NXT)
     * is ECT(0) and takes a queued CWR; a pure ACK, a FIN alone, a window probe or a retransmission is
     * Not-ECT (RFC 3168 §6.1.5, §6.1.6: no ECT on retransmissions; Linux also leaves pure ACKs Not-ECT,
     * as §6.1.4 asks). Measured on Linux 6.18: new data {@code [ect0]}, also a loss probe of new data;
     * retransmissions, the loss probe that resends, zero-window probes, a bare FIN and every ACK
     * {@code [noecn]}; the first new data after ECE, after fast recovery began and after an RTO carries
     * CWR, and only that one.
     *
     * @return the IP ECN field to send with (the flags are {@link #sendFlags}'s)
     */
    int tos(int seq, int dataLen) {
        if (!ok() || dataLen == 0 || Seq.lt(seq, t.sndNxt)) return Ipv4.NOT_ECT;
        return Ipv4.ECT_0;
    }

    /**
     * The ECN flags of a segment of the synchronized states: CWR on new data when one is queued (and
     * the queue cleared, even if the local queue then refuses the packet, as Linux clears it in
     * tcp_ecn_send before the hand-off), ECE while the peer owes us a CWR (RFC 3168 §6.1.3). A time-wait
     * socket's ACK (tcp_v4_send_ack) carries neither.
     */
    int sendFlags(int seq, int dataLen) {
        if (!ok()) return 0;
        int f = 0;
        if (dataLen > 0 && !Seq.lt(seq, t.sndNxt) && (flags & QUEUE_CWR) != 0) {
            flags &= ~QUEUE_CWR;
            f |= CWR;
        }
        boolean timewaitSock = t.state == TcpState.TIME_WAIT || t.state == TcpState.FIN_WAIT2 && t.orphan;
        if ((flags & DEMAND_CWR) != 0 && !timewaitSock) f |= ECE;
        return f;
    }

    // ---- the receiver ----------------------------------------------------------------------------------

    /**
     * tcp_ecn_rcv_ecn_echo: the ACK's ECE is the peer's congestion report (FLAG_ECE), in ECN mode and not
     * on a SYN.
     */
    boolean echo(InSegment seg) { return ok() && seg.has(ECE) && !seg.has(SYN); }

    /**
     * tcp_ecn_accept_cwr, from tcp_ack for every ACK not older than SND.UNA: CWR ends our ECE echo
     * (RFC 3168 §6.1.3). Linux takes CWR on a pure ACK too (a deviation from §6.1.2, "for robustness
     * with widely-deployed TCP implementations"), and ACKs a segment with data at once "since its cwnd
     * may be very low". Measured on Linux 6.18: {@code W.} without data ends the echo with no ACK of its
     * own; {@code PW.} is ACKed at once, without ECE.
     */
    void acceptCwr(InSegment seg) {
        if (ok() && seg.has(CWR)) {
            flags &= ~DEMAND_CWR;
            if (seg.seqLength() > 0) c.delack.ackNow(SendReason.ACK_CWR);
        }
    }

    /**
     * tcp_data_ecn_check, for data queued in order (tcp_event_data_recv) or out of order
     * (tcp_data_queue_ofo): CE starts the echo (ECE on everything we send) and two quick ACKs (RFC 3168
     * §6.1.3: "better not delay acks, sender can have a very low cwnd"); ECT or CE is "seen"; Not-ECT
     * after ECT was seen is probably a retransmission, also ACKed quickly. A pure ACK's ECN field is not
     * looked at (measured on Linux 6.18: a pure ACK marked CE draws no ECE).
     */
    void dataReceived(InSegment seg) {
        if (!ok()) return;
        switch (seg.ecn) {
            case Ipv4.NOT_ECT -> {
                if (seen()) c.delack.enterQuickAck(2);
            }
            case Ipv4.CE -> {
                if ((flags & DEMAND_CWR) == 0) {
                    c.delack.enterQuickAck(2);
                    flags |= DEMAND_CWR;
                }
                flags |= SEEN;
            }
            default -> flags |= SEEN;
        }
    }
}
