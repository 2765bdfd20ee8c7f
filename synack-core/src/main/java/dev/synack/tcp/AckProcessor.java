package dev.synack.tcp;

import static dev.synack.wire.TcpHeader.FIN;

import dev.synack.stats.Counter;

/**
 * The ACK field in a synchronized state (RFC 9293 §3.10.7.4 "fifth, check the ACK field", as Linux's
 * tcp_ack in net/ipv4/tcp_input.c): the acceptability tests (RFC 5961 §5.2), the send window
 * (tcp_ack_update_window), SACK tagging and the removal of what the cumulative ACK covers
 * (tcp_clean_rtx_queue, with Karn's RTT sample), gathered in one reused {@link AckSample} that
 * {@link LossRecovery} reads once; then our FIN's acknowledgement and the retransmission timer.
 */
final class AckProcessor {
    private final TcpConnection c;
    private final Tcb t;
    private final AckSample sample = new AckSample();

    AckProcessor(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /**
     * tcp_ack.
     *
     * @return false when the segment must be dropped
     */
    boolean onAck(InSegment seg, long nowNs) {
        int ack = seg.ack;
        int priorUna = t.sndUna;
        if (Seq.gt(ack, t.sndNxt)) {
            // RFC 9293 §3.10.7.4 and RFC 5961 §5.2: an ACK for data not yet sent is answered with an ACK
            // and dropped. Linux (tcp_ack) long dropped it silently; 6.18.44 sends a challenge ACK
            // (tcp_send_challenge_ack, rate-limited) and drops it (SKB_DROP_REASON_TCP_ACK_UNSENT_DATA).
            // Measured: packetdrill ts_recent/invalid_ack.pkt on Linux 6.18.44 answers "F. 1:1(0) ack 9999"
            // at once with ". 1:1(0) ack 1 <TS val 200 ecr 200>" (the old ts_recent echoed).
            c.input.challengeAck(Counter.TcpExtTCPChallengeACK, SendReason.CHALLENGE_ACK_UNSENT_DATA, nowNs);
            t.host.segmentDropped(TcpDropReason.TCP_ACK_UNSENT_DATA);
            return false;
        }
        if (Seq.lt(ack, priorUna)) {
            // RFC 5961 §5.2: older than the largest window the peer could have seen → challenge ACK.
            // Linux tcp_ack bounds that window by bytes_acked ("do not accept ACK for bytes we never sent").
            int maxWindow = (int) Math.min(t.maxSndWnd & 0xFFFF_FFFFL, t.bytesAcked);
            if (Seq.lt(ack, priorUna - maxWindow)) {
                c.input.challengeAck(Counter.TcpExtTCPChallengeACK, SendReason.CHALLENGE_ACK_OLD_ACK, nowNs);
                t.host.segmentDropped(TcpDropReason.TCP_TOO_OLD_ACK);
                return false;
            }
            if (t.sackOk && seg.sackCount > 0) {
                // old_ack: the SACK and D-SACK blocks of an old ACK still count.
                sample.start(priorUna, false, t.sndNxt, c.rec.dupAcks());
                int newly = c.sacks.tag(seg, sample, nowNs);
                c.rec.onOldAck(seg, sample, newly, nowNs);
            }
            return true; // old ACK: nothing to learn, the text may still be new
        }
        t.lastAckRecvNs = nowNs;
        t.probesOut = 0; // any ACK answers a probe
        int priorWnd = t.sndWnd;
        boolean windowUpdated = updateWindow(seg);
        int priorPacketsOut = t.rtx.size();
        int priorFack = c.sacks.highestSackSeq();
        boolean advanced = Seq.gt(ack, priorUna);
        AckSample s = sample;
        s.start(priorUna, advanced, t.sndNxt, c.rec.dupAcks());
        if (t.sackOk && seg.sackCount > 0) s.newlySacked = c.sacks.tag(seg, s, nowNs);
        // tcp_ack: the peer's ECN-Echo (FLAG_ECE, RFC 3168 §6.1.2), then its CWR (tcp_ecn_accept_cwr).
        if (c.ecn.echo(seg)) s.set(AckSample.FLAG_ECE);
        c.ecn.acceptCwr(seg);
        int sackedBeforeClean = t.rtx.sackedOut;
        if (advanced) {
            cleanRtxQueue(seg, s, nowNs, priorFack);
            t.retransmits = 0;
            // tcp_clean_rtx_queue frees the acknowledged skbs (tcp_ack_tstamp, the zerocopy uarg) before
            // this ACK sends anything new.
            if (t.progress != null) t.progress.acked(t.sndUna);
            // tcp_clean_rtx_queue: "if (!skb) tcp_chrono_stop(sk, TCP_CHRONO_BUSY)".
            if (t.rtx.isEmpty()) t.chrono.stop(Chrono.BUSY, t.unsentBytes() == 0, nowNs);
        }
        // Segments SACKed earlier were delivered then; this ACK delivers only the others (tp->delivered).
        s.newlyAcked = s.ackedPackets - (sackedBeforeClean - t.rtx.sackedOut);
        if (!t.sackOk && s.ackedPackets > 0) {
            // tcp_remove_reno_sacks: without SACK one cumulative ACK delivers the hole; the other
            // segments it covers were already counted by their duplicate ACKs (tcp_add_reno_sack).
            s.newlyAcked = Math.max(s.ackedPackets - Math.min(s.priorDupAcks, Math.max(priorPacketsOut - 1, 0)), 1);
        }
        if (priorPacketsOut == 0 && !advanced) {
            // Nothing in flight: a window update, a probe's answer or a keepalive answer (tcp_ack's no_queue).
            if (t.unsentBytes() > 0) c.timers.ackProbe();
            return true;
        }
        // tcp_ack: num_dupack = 1 unless the ACK advanced, carried data, updated the window or D-SACKed.
        s.dupAck = !advanced && seg.payloadLen == 0 && !seg.has(FIN) && t.sndWnd == priorWnd
                && !windowUpdated && t.rtx.size() > 0 && !s.has(AckSample.FLAG_DSACKING_ACK);
        s.notDup = advanced || seg.payloadLen > 0 || windowUpdated;
        c.rec.onAck(seg, s, nowNs);
        if (advanced && (t.finSent && Seq.ge(ack, t.finSeq + 1))) ourFinAcked();
        if (advanced) {
            // FLAG_SET_XMIT_TIMER: a TLP or the RTO, unless RACK has just armed its reordering timer.
            if (t.rtx.isEmpty()) {
                c.timers.cancel();
            } else if (s.has(AckSample.FLAG_SET_XMIT_TIMER)) {
                c.timers.setXmitTimer(nowNs);
            }
            c.life.notifyApp(); // room in the send buffer
        }
        if (t.host.tracing()) c.life.traceCwnd();
        return t.state != TcpState.CLOSE;
    }

    /** tcp_may_update_window / tcp_ack_update_window (RFC 9293 §3.10.7.4 with Linux's test). */
    private boolean updateWindow(InSegment seg) {
        int nwin = seg.window << t.sndWscale;
        if (Seq.gt(seg.ack, t.sndUna) || Seq.gt(seg.seq, t.sndWl1) || (seg.seq == t.sndWl1 && (nwin > t.sndWnd || nwin == 0))) {
            boolean changed = nwin != t.sndWnd;
            t.sndWnd = nwin;
            t.sndWl1 = seg.seq;
            t.sndWl2 = seg.ack;
            if (nwin > t.maxSndWnd) t.maxSndWnd = nwin;
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
     */
    private void cleanRtxQueue(InSegment seg, AckSample s, long nowNs, int priorFack) {
        int ack = seg.ack;
        long firstAckedSentNs = -1;
        boolean retransAcked = false;
        int packets = 0;
        while (!t.rtx.isEmpty()) {
            int start = t.rtx.start(0), end = t.rtx.end(0);
            if (Seq.le(end, ack)) {
                int bits = t.rtx.bits(0);
                if ((bits & RetransmitQueue.EVER_RETRANS) != 0) {
                    retransAcked = true;
                } else if ((bits & RetransmitQueue.SACKED) == 0 && firstAckedSentNs < 0) {
                    firstAckedSentNs = t.rtx.sentNs(0);
                }
                c.sacks.cumulativelyAcked(bits, start, end, t.rtx.sentNs(0), seg, s, nowNs);
                t.rtx.removeFirst();
                packets++;
            } else {
                if (Seq.gt(ack, start)) t.rtx.trimFirst(ack); // a partial ACK of one segment
                break;
            }
        }
        int dataAcked = Seq.diff(ack, t.sndBufSeq);
        int fin = t.finSent && Seq.ge(ack, t.finSeq + 1) ? 1 : 0;
        int bytes = Math.max(0, Math.min(dataAcked - fin, t.sendBuf.length()));
        t.sendBuf.discard(bytes);
        c.snd.wmemReclaim();
        t.sndBufSeq += bytes;
        t.bytesAcked += Seq.diff(ack, t.sndUna);
        t.sndUna = ack;
        // RTT: from the oldest newly acked segment never retransmitted; else from the echoed timestamp.
        if (!retransAcked && firstAckedSentNs >= 0) {
            rttSample((nowNs - firstAckedSentNs) / 1000, nowNs);
        } else if (t.tsOk && seg.hasTimestamps && seg.tsEcr != 0) {
            rttSample(t.tsRttUs(seg.tsEcr, nowNs), nowNs);
        }
        s.ackedPackets = packets;
        c.sacks.cumulativeAckDone(s, priorFack);
    }

    /**
     * tcp_ack_update_rtt: a valid RTT measurement updates SRTT and the RTO, resets the backoff (RFC 6298
     * §5) and is handed to the congestion control (ops->pkts_acked: HyStart, CUBIC's delay_min). Linux
     * keeps the RTO in jiffies (tcp_set_rto: icsk_rto = usecs_to_jiffies(srtt + rttvar)), so it is
     * rounded up to the tick: at HZ=250 a 1 ms RTT gives 201 ms → 204 ms (tcpi_rto 204000, measured on
     * Linux 6.18 with packetdrill). RFC 6298 §2 has no such rounding.
     */
    void rttSample(long us, long nowNs) {
        if (us < 0) return;
        t.rtt.sample(Math.max(us, 1), t.sndUna, t.sndNxt);
        t.rtoUs = Tcb.roundUpToJiffies(t.rtt.rtoUs());
        t.backoff = 0;
        t.cc.onAcked(t.cw, Math.max(us, 1), nowNs, t.sndUna, t.sndNxt);
    }

    /** Our FIN was acknowledged: FIN_WAIT1 → FIN_WAIT2, CLOSING → TIME_WAIT, LAST_ACK → CLOSED. */
    private void ourFinAcked() {
        switch (t.state) {
            case FIN_WAIT1 -> {
                c.life.setState(TcpState.FIN_WAIT2);
                t.sendShutdown = true;
                if (t.orphan) c.life.armOrphanFinWait2();
                c.life.notifyApp();
            }
            case CLOSING -> c.life.enterTimeWait();
            case LAST_ACK -> c.life.done(null);
            default -> {
            }
        }
    }
}
