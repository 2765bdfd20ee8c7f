package dev.synack.tcp;

import static dev.synack.wire.TcpHeader.ACK;
import static dev.synack.wire.TcpHeader.FIN;
import static dev.synack.wire.TcpHeader.RST;
import static dev.synack.wire.TcpHeader.SYN;

import dev.synack.stats.Counter;

/**
 * A segment for this connection (RFC 9293 §3.10.7, "SEGMENT ARRIVES"), in the RFC's order of checks as
 * Linux's tcp_rcv_state_process and tcp_validate_incoming run them: PAWS (RFC 7323 §5), the sequence
 * number (tcp_sequence), the RST bit (RFC 5961 §3.2), the timestamp to echo, the SYN bit (RFC 5961
 * §4.2), the ACK field ({@link Handshake} in SYN_RECV, {@link AckProcessor} after), the segment text
 * ({@link Receiver}), then what to send. Also TIME_WAIT (tcp_timewait_state_process), challenge and
 * out-of-window ACKs with their rate limit, and ICMP errors (tcp_v4_err). The clock is read once per
 * segment and passed down.
 */
final class SegmentArrival {
    /** tcp_sequence's PAWS window (TCP_PAWS_WINDOW): a timestamp one behind is still accepted. */
    private static final int TCP_PAWS_WINDOW = 1;
    /** Linux's TCP_PAWS_24DAYS: ts_recent older than this is ignored for PAWS (RFC 7323 §5.5). */
    static final long PAWS_24DAYS_NS = 24L * 24 * 3600 * 1_000_000_000L;

    private final TcpConnection c;
    private final Tcb t;
    /** When the last out-of-window or challenge ACK went (tp->last_oow_ack_time); none yet = MIN_VALUE. */
    private long lastOowAckNs = Long.MIN_VALUE;

    SegmentArrival(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** Processes one segment addressed to this connection. Never throws for anything the peer sends. */
    void onSegment(InSegment seg) {
        long nowNs = t.sched.nowNs();
        t.lastRecvNs = nowNs;
        switch (t.state) {
            case CLOSE -> t.host.segmentDropped(TcpDropReason.TCP_CLOSE);
            case SYN_SENT -> c.handshake.synSent(seg, nowNs);
            case TIME_WAIT -> timeWait(seg, nowNs);
            default -> synchronizedStates(seg, nowNs);
        }
    }

    /** RFC 9293 §3.10.7.4, for SYN_RECV and every synchronized state but TIME_WAIT. */
    private void synchronizedStates(InSegment seg, long nowNs) {
        // PAWS (RFC 7323 §5.3), Linux tcp_validate_incoming → tcp_paws_discard.
        if (t.tsOk && seg.hasTimestamps && !seg.has(RST) && pawsReject(seg, nowNs)) {
            t.stats.inc(Counter.TcpExtPAWSEstab);
            sendDupAckRateLimited(seg, nowNs, SendReason.DUPACK_PAWS);
            t.host.segmentDropped(TcpDropReason.TCP_RFC7323_PAWS);
            return;
        }
        // First, check the sequence number (Linux tcp_sequence: RCV.WUP instead of RCV.NXT on the left).
        if (!sequenceAcceptable(seg)) {
            if (!seg.has(RST)) {
                if (seg.has(SYN)) {
                    challengeAck(Counter.TcpExtTCPSYNChallenge, SendReason.CHALLENGE_ACK_SYN, nowNs);
                    t.host.segmentDropped(TcpDropReason.TCP_INVALID_SYN);
                    return;
                }
                sendDupAckRateLimited(seg, nowNs, SendReason.DUPACK_OUT_OF_WINDOW);
            } else if (resetCheck(seg)) {
                // tcp_validate_incoming: an unacceptable RST still resets if tcp_reset_check takes it
                // (measured on Linux 6.18: R. 1:1 in CLOSING with RCV.NXT = 2 → ECONNRESET).
                onReset();
                return;
            }
            // tcp_sequence's reason: wholly before RCV.WUP, or beyond the window.
            t.host.segmentDropped(Seq.lt(seg.seq + seg.seqLength(), t.rcvWup)
                    ? TcpDropReason.TCP_OLD_SEQUENCE : TcpDropReason.TCP_INVALID_SEQUENCE);
            return;
        }
        // Second, check the RST bit (RFC 5961 §3.2).
        if (seg.has(RST)) {
            // Linux tcp_check_req: a request socket (passive SYN_RECV) dies on any in-window RST; the
            // exact-match rule of RFC 5961 §3.2 is for full sockets.
            boolean embryonic = t.state == TcpState.SYN_RECV && (t.parent != null || t.fastOpenListener != null);
            if (embryonic || seg.seq == t.rcvNxt || resetMatchesLinux(seg)) {
                onReset();
            } else {
                challengeAck(Counter.TcpExtTCPChallengeACK, SendReason.CHALLENGE_ACK_RST, nowNs);
                t.host.segmentDropped(TcpDropReason.TCP_RESET);
            }
            return;
        }
        // RFC 7323 §4.3: remember the timestamp to echo (Linux tcp_replace_ts_recent). Linux does it in
        // tcp_ack once the ACK is known good: not for an ACK of data never sent (ACK_UNSENT_DATA), nor
        // an ACK older than SND.UNA (old_ack), nor a segment without ACK (dropped).
        boolean ackUsable = seg.has(ACK) && !Seq.gt(seg.ack, t.sndNxt) && !Seq.lt(seg.ack, t.sndUna);
        if (t.tsOk && seg.hasTimestamps && Seq.le(seg.seq, t.rcvWup) && ackUsable) {
            t.tsRecent = seg.tsVal;
            t.tsRecentStampNs = nowNs;
        }
        // Fourth, check the SYN bit (RFC 5961 §4.2): a SYN in a synchronized state draws a challenge ACK.
        boolean crossedSynAck = false;
        if (seg.has(SYN)) {
            if (t.state == TcpState.SYN_RECV && !seg.has(ACK) && seg.seq == t.irs) {
                // A retransmitted SYN: answer with the SYN-ACK again (Linux tcp_check_req).
                c.out.sendSynAck(SendReason.SYN_ACK_AGAIN, 0);
                return;
            }
            if (t.state == TcpState.SYN_RECV && (t.parent != null || t.fastOpenListener != null)) {
                // tcp_check_req (net/ipv4/tcp_minisocks.c): an ACK that is not for our SYN-ACK is refused by
                // the listener; otherwise an in-window SYN resets the embryonic connection ("fourth,
                // check the SYN bit": TCP_MIB_ATTEMPTFAILS, embryonic_reset → send_reset and drop the
                // request, LINUX_MIB_EMBRYONICRSTS). RFC 5961 §4's challenge ACK is for full sockets.
                if (seg.has(ACK) && seg.ack != t.sndNxt) {
                    c.out.sendResetFor(seg, SendReason.RST_INVALID_ACK);
                    t.host.segmentDropped(TcpDropReason.TCP_INVALID_ACK_SEQUENCE);
                    return;
                }
                t.stats.inc(Counter.TcpAttemptFails);
                t.stats.inc(Counter.TcpExtEmbryonicRsts);
                c.out.sendResetFor(seg, SendReason.RST_INVALID_SYN);
                t.host.segmentDropped(TcpDropReason.TCP_INVALID_SYN);
                c.life.done(null);
                return;
            }
            // Simultaneous open (RFC 9293 Figure 8): the peer's SYN-ACK acknowledging our SYN passes
            // (Linux tcp_validate_incoming, step 4) and its old SYN is D-SACKed below.
            crossedSynAck = t.state == TcpState.SYN_RECV && t.parent == null && seg.has(ACK) && seg.seqLength() == 1
                    && seg.seq + 1 == t.rcvNxt && seg.ack == t.sndNxt;
            if (!crossedSynAck) {
                challengeAck(Counter.TcpExtTCPSYNChallenge, SendReason.CHALLENGE_ACK_SYN, nowNs);
                t.host.segmentDropped(TcpDropReason.TCP_INVALID_SYN);
                return;
            }
        }
        // Fifth, check the ACK field.
        if (!seg.has(ACK)) {
            t.host.segmentDropped(TcpDropReason.TCP_FLAGS); // tcp_rcv_state_process: neither ACK, RST nor SYN
            return;
        }
        if (t.state == TcpState.SYN_RECV) {
            if (!c.handshake.synRecvAck(seg, nowNs)) return;
        } else {
            if (!c.acks.onAck(seg, nowNs)) return;
        }
        if (t.state == TcpState.TIME_WAIT || t.state == TcpState.CLOSE) {
            // The ACK of our FIN ended CLOSING (tcp_time_wait) or LAST_ACK (tcp_done): tcp_rcv_state_process
            // then does "goto consume", so the text is never looked at — no data queued after the FIN, no
            // ACK, no reset (measured on Linux 6.18, AckEndsClosingTest).
            return;
        }
        if (crossedSynAck) {
            // tcp_data_queue: a segment wholly below RCV.NXT is a retransmission: D-SACK it, ACK at once.
            c.rcv.setDsack(seg.seq, t.rcvNxt, Counter.TcpExtTCPDSACKOldSent);
            c.delack.enterQuickAck();
            c.delack.ackNow(SendReason.ACK_OLD_DATA);
        }
        // Seventh, process the segment text.
        if (seg.payloadLen > 0 || seg.has(FIN)) {
            // tcp_rcv_state_process, step 7. CLOSE_WAIT, CLOSING, LAST_ACK: the peer already sent its FIN,
            // so a segment at or above RCV.NXT is ignored; an older one (a retransmitted FIN) falls
            // through to FIN_WAIT1/2's check and then to tcp_data_queue, which ACKs it at once.
            boolean finSeen = t.state == TcpState.CLOSE_WAIT || t.state == TcpState.CLOSING
                    || t.state == TcpState.LAST_ACK;
            if (finSeen && !Seq.lt(seg.seq, t.rcvNxt)) {
                t.host.segmentDropped(TcpDropReason.TCP_DATA_AFTER_FIN); // ignored (Linux: no reason given)
            } else if (finSeen || t.state == TcpState.FIN_WAIT1 || t.state == TcpState.FIN_WAIT2) {
                if (abortOnData(seg)) {
                    // RFC 1122 §4.2.2.13 says reset: data past what the reader will ever take (after the
                    // peer's FIN, or for a socket closed or shut for reading) → tcp_reset and return 1,
                    // so tcp_v4_do_rcv answers with tcp_v4_send_reset: <SEQ=SEG.ACK><CTL=RST>.
                    t.stats.inc(Counter.TcpExtTCPAbortOnData);
                    c.out.sendResetFor(seg, SendReason.RST_ABORT_ON_DATA);
                    t.host.segmentDropped(TcpDropReason.TCP_ABORT_ON_DATA);
                    if (t.orphan) c.life.done(null); // nobody to tell
                    else onReset(); // tcp_reset: EPIPE in CLOSE_WAIT
                    return;
                }
                c.rcv.dataQueue(seg, nowNs);
            } else {
                c.rcv.dataQueue(seg, nowNs);
            }
        }
        if (t.state == TcpState.CLOSE) return;
        c.snd.output();
        c.snd.checkSpace(); // tcp_data_snd_check: push, then tcp_check_space
        c.delack.check();
    }

    /**
     * tcp_rcv_state_process's TCPAbortOnData test for FIN_WAIT1/2, and CLOSE_WAIT/CLOSING/LAST_ACK below
     * RCV.NXT: with RCV_SHUTDOWN (the peer's FIN taken by tcp_fin, shutdown(SHUT_RD) or close()), a
     * segment whose data (end_seq − FIN) runs past RCV.NXT. Linux never queues data after a FIN.
     */
    private boolean abortOnData(InSegment seg) {
        boolean rcvShutdown = t.rcvShutdown || t.appShutRd || t.orphan;
        return rcvShutdown && seg.seqLength() > 0 && Seq.gt(seg.seq + seg.payloadLen, t.rcvNxt);
    }

    /** Linux tcp_sequence (and RFC 9293's acceptability test, with RCV.WUP for the left edge). */
    private boolean sequenceAcceptable(InSegment seg) {
        int end = seg.seq + seg.seqLength();
        int win = t.receiveWindow();
        if (seg.seqLength() == 0 && win == 0) {
            // RFC 9293 table: zero-length segment, zero window: SEG.SEQ = RCV.NXT. Linux accepts
            // the same through tcp_sequence with end_seq == seq.
            return Seq.ge(end, t.rcvWup) && Seq.le(seg.seq, t.rcvNxt);
        }
        return !Seq.lt(end, t.rcvWup) && !Seq.gt(seg.seq, t.rcvNxt + win);
    }

    /** tcp_paws_discard (tcp_input.c): an old timestamp on a segment that is not a RST. */
    private boolean pawsReject(InSegment seg, long nowNs) {
        if (t.tsRecent - seg.tsVal <= TCP_PAWS_WINDOW) return false;
        if (nowNs - t.tsRecentStampNs >= PAWS_24DAYS_NS) return false;
        // Linux tcp_disordered_ack: a pure duplicate ACK is let through.
        return !(seg.payloadLen == 0 && !seg.has(FIN) && seg.ack == t.sndUna && seg.seq == t.rcvNxt);
    }

    /**
     * tcp_reset_check: after the peer's FIN (CLOSE_WAIT, LAST_ACK, CLOSING) a RST at RCV.NXT − 1 — the
     * peer's FIN's own sequence number — is taken.
     */
    private boolean resetCheck(InSegment seg) {
        return seg.seq == t.rcvNxt - 1 && (t.state == TcpState.CLOSE_WAIT || t.state == TcpState.LAST_ACK
                || t.state == TcpState.CLOSING);
    }

    /** Linux tcp_reset_check and the SACK extension of RFC 5961 §3.2 in tcp_validate_incoming. */
    private boolean resetMatchesLinux(InSegment seg) {
        if (resetCheck(seg)) return true;
        if (t.sackOk && !t.ofo.isEmpty()) {
            int[] sackStarts = t.demux.scratch.rstStarts, sackEnds = t.demux.scratch.rstEnds;
            int n = t.ofo.sackBlocks(sackStarts, sackEnds, 4);
            int maxSack = t.rcvNxt;
            for (int i = 0; i < n; i++) if (Seq.gt(sackEnds[i], maxSack)) maxSack = sackEnds[i];
            return seg.seq == maxSack;
        }
        return false;
    }

    /** A valid RST (Linux tcp_reset): the error the application sees depends on the state. */
    private void onReset() {
        switch (t.state) {
            case SYN_RECV -> {
                if (t.fastOpenListener != null) {
                    // tcp_check_req's embryonic_reset for a Fast Open child: reqsk_fastopen_remove(reset),
                    // then tcp_reset — the child stays in the accept queue, its reader gets ECONNRESET
                    // after the SYN's data (measured by the server reset-before-accept script on Linux 6.18).
                    t.stats.inc(Counter.TcpAttemptFails);
                    TcpListener l = t.fastOpenListener;
                    t.fastOpenListener = null;
                    l.fastOpenDone(true);
                    c.life.done(Errno.ECONNRESET);
                    return;
                }
                if (t.parent != null) {
                    // A passive open reset before it was accepted just vanishes (Linux drops the request).
                    t.stats.inc(Counter.TcpAttemptFails);
                    t.stats.inc(Counter.TcpExtEmbryonicRsts);
                    c.life.done(null);
                    return;
                }
                c.life.done(Errno.ECONNREFUSED);
            }
            case CLOSE_WAIT -> c.life.done(Errno.EPIPE);
            // tcp_reset: every other synchronized state, CLOSING and LAST_ACK included, is ECONNRESET
            // (measured on Linux 6.18: SO_ERROR after a RST in LAST_ACK or CLOSING; read() returns 0).
            default -> c.life.done(Errno.ECONNRESET);
        }
    }

    /**
     * RFC 5961 §7: a challenge ACK (Linux tcp_send_challenge_ack). Linux first applies the per-socket
     * out-of-window limit (__tcp_oow_rate_limited: one per tcp_invalid_ratelimit, skips counted in
     * TCPACKSkippedChallenge), then tcp_challenge_ack_limit (INT_MAX by default: no host-wide limit;
     * otherwise a random budget per second, {@link TcpDemux#challengeAckAllowed}).
     * TCPSYNChallenge counts the SYN that asked for one, sent or not; TCPChallengeACK counts those sent.
     * {@code why} is the rule that asked (RFC 5961 §3.2, §4 or §5.2).
     */
    void challengeAck(Counter counter, SendReason why, long nowNs) {
        if (counter != Counter.TcpExtTCPChallengeACK) t.stats.inc(counter);
        if (oowRateLimited(nowNs)) {
            t.stats.inc(Counter.TcpExtTCPACKSkippedChallenge);
            return;
        }
        lastOowAckNs = nowNs;
        if (!t.demux.challengeAckAllowed(nowNs)) return; // the host-wide limit (tcp_challenge_ack_limit)
        t.stats.inc(Counter.TcpExtTCPChallengeACK);
        c.out.sendAck(why);
    }

    /**
     * tcp_send_dupack with tcp_oow_rate_limited: one out-of-window ACK per tcp_invalid_ratelimit. Old data
     * counts DelayedACKLost (tcp_send_dupack: LINUX_MIB_DELAYEDACKLOST) and is D-SACKed.
     */
    private void sendDupAckRateLimited(InSegment seg, long nowNs, SendReason why) {
        boolean pure = seg.payloadLen == 0 || seg.has(SYN);
        if (pure && oowRateLimited(nowNs)) {
            t.stats.inc(Counter.TcpExtTCPACKSkippedSeq);
            return;
        }
        if (pure) lastOowAckNs = nowNs;
        if (seg.payloadLen > 0 && Seq.lt(seg.seq, t.rcvNxt)) {
            // An old duplicate: D-SACK it (RFC 2883 §4.1).
            t.stats.inc(Counter.TcpExtDelayedACKLost);
            int end = seg.seq + seg.payloadLen;
            c.rcv.setDsack(seg.seq, Seq.min(end, t.rcvNxt), Counter.TcpExtTCPDSACKOldSent);
            c.delack.enterQuickAck();
        }
        c.out.sendAck(why);
    }

    /**
     * __tcp_oow_rate_limited: whether an out-of-window ACK was sent less than tcp_invalid_ratelimit ago.
     * Before the first one nothing limits (Linux: last_oow_ack_time starts at 0, long ago).
     */
    private boolean oowRateLimited(long nowNs) {
        return lastOowAckNs != Long.MIN_VALUE && nowNs - lastOowAckNs < t.cfg.tcpInvalidRatelimit * 1_000_000L;
    }

    /** TIME_WAIT (Linux tcp_timewait_state_process). */
    private void timeWait(InSegment seg, long nowNs) {
        if (seg.has(RST)) {
            // RFC 1337 says ignore; Linux (tcp_rfc1337 = 0) kills the TIME_WAIT socket.
            if (seg.seq == t.rcvNxt) c.life.done(null);
            else t.host.segmentDropped(TcpDropReason.TCP_TIMEWAIT);
            return;
        }
        if (seg.has(SYN) && !seg.has(ACK) && Seq.gt(seg.seq, t.rcvNxt)) {
            // A new incarnation: Linux lets the listener take it (TCP_TW_SYN); the demux retries.
            c.life.done(null);
            return;
        }
        if (seg.has(FIN) && seg.seq + seg.payloadLen == t.rcvNxt - 1) {
            // The peer did not get our last ACK: ACK again and restart the 2MSL wait.
            c.out.sendAck(SendReason.TIME_WAIT_ACK);
            c.life.restartTimeWait();
        } else if (seg.seqLength() > 0 || seg.seq != t.rcvNxt) {
            c.out.sendAck(SendReason.TIME_WAIT_DUPACK); // TCP_TW_ACK for anything out of sequence
        }
        t.host.segmentDropped(TcpDropReason.TCP_TIMEWAIT); // tcp_v4_rcv: do_time_wait → discard_it
    }

    /** A hard ICMP error (net/host unreachable, port unreachable) for this connection (tcp_v4_err). */
    void icmpError(Errno err) {
        if (t.state == TcpState.SYN_SENT || t.state == TcpState.SYN_RECV) {
            // Linux: during the handshake an ICMP error is fatal at once.
            if (t.state == TcpState.SYN_SENT) t.stats.inc(Counter.TcpAttemptFails);
            c.life.done(err);
        } else {
            // Established: only a soft error, reported if the connection later times out.
            t.softError = err;
        }
    }
}
