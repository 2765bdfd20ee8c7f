package dev.synack.tcp;

import static dev.synack.tcp.AckSample.FLAG_DATA_SACKED;
import static dev.synack.tcp.AckSample.FLAG_DSACK_TLP;

import dev.synack.stats.Counter;

/**
 * The tail loss probe (RFC 8985 §7; net/ipv4/tcp_output.c's tcp_schedule_loss_probe and
 * tcp_send_loss_probe, tcp_input.c's tcp_process_tlp_ack): when the last segments of a flight may be
 * lost, a probe after about two SRTTs — new data if the window takes it, else the last segment again —
 * draws the ACK or SACK that lets RACK recover without an RTO. One probe episode at a time
 * (tp->tlp_high_seq); its end decides whether the probe repaired a loss (then cwnd is reduced once).
 */
final class LossProbe {
    private final TcpConnection c;
    private final Tcb t;
    /** SND.NXT when the probe went, while its episode lasts (tp->tlp_high_seq); 0 = none. */
    private int highSeq;
    /** The probe in flight was a retransmission (tp->tlp_retrans). */
    private boolean retrans;

    LossProbe(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** tp->tlp_high_seq: the end of the probe's episode, 0 when none is under way. */
    int highSeq() { return highSeq; }

    /** A probe that was a retransmission is outstanding (it must be D-SACKed before an undo). */
    boolean retransmissionOutstanding() { return highSeq != 0 && retrans; }

    /** A cwnd reduction or the RTO ends the episode (tcp_init_cwnd_reduction, tcp_enter_loss). */
    void endEpisode() { highSeq = 0; }

    /**
     * tcp_schedule_loss_probe (RFC 8985 §7.2): for SACK connections in the Open state, a probe after
     * 2·SRTT (+ rto_min with one segment in flight, + 2 jiffies otherwise), but never after the RTO.
     *
     * @return whether the probe timer was armed
     */
    boolean schedule(long nowNs) {
        CaState ca = c.rec.caState();
        if (t.cfg.tcpEarlyRetrans < 3 || !t.sackOk || t.rtx.isEmpty()
                || !(ca == CaState.OPEN || ca == CaState.CWR) || highSeq != 0) {
            return false;
        }
        long timeoutUs;
        if (t.rtt.hasSample()) {
            timeoutUs = 2 * t.rtt.srttUs() + (t.rtx.size() == 1 ? t.cfg.rtoMinUs() : Tcb.TCP_TIMEOUT_MIN_US);
        } else {
            timeoutUs = t.cfg.initialRtoMs * 1000L;
        }
        // tcp_rto_delta_us: the RTO measured from the oldest outstanding segment's transmission.
        long rtoDeltaUs = t.rtoUs - (nowNs - t.rtx.sentNs(0)) / 1000;
        if (rtoDeltaUs > 0) timeoutUs = Math.min(timeoutUs, rtoDeltaUs);
        c.timers.armLossProbe(Math.max(timeoutUs, 1));
        return true;
    }

    /** tcp_send_loss_probe: new data if the window allows, else the last segment again. */
    void send(long nowNs) {
        if (highSeq != 0) { // at most one probe outstanding
            c.timers.rearmRto(nowNs);
            return;
        }
        retrans = false;
        boolean sent = false;
        int unsent = t.unsentBytes();
        if (unsent > 0 && Seq.le(t.sndNxt + Math.min(unsent, t.mss), t.sndUna + t.sndWnd)) {
            sent = c.snd.outputOneSegment();
        } else if (!t.rtx.isEmpty()) {
            int last = t.rtx.size() - 1;
            if (!t.rtx.has(last, RetransmitQueue.SACKED)) {
                // A probe is not tcp_retransmit_skb: no retrans_stamp, no retrans_out, only EVER_RETRANS.
                int err = c.snd.resend(last, SendReason.TLP, 0);
                t.totalRetrans++;
                t.stats.inc(Counter.TcpRetransSegs);
                if (err > 0) {
                    t.rtx.setEverRetrans(last);
                    t.stats.inc(Counter.TcpExtTCPRetransFail);
                } else {
                    t.rtx.probed(last, nowNs);
                    retrans = true;
                    sent = true;
                }
            }
        }
        if (sent) {
            highSeq = t.sndNxt;
            t.stats.inc(Counter.TcpExtTCPLossProbes);
            t.lastSendNs = nowNs;
            c.timers.forgetPendingKind();
        }
        c.timers.rearmRto(nowNs);
    }

    /**
     * tcp_process_tlp_ack (RFC 8985 §7.4): the episode of a loss probe ends. If a retransmitted probe
     * repaired a loss (the ACK covers it and no D-SACK says the original arrived too), cwnd is reduced
     * once, as a recovery would.
     */
    void onAck(int ack, AckSample sample) {
        if (highSeq == 0 || Seq.lt(ack, highSeq)) return;
        if (!retrans) {
            highSeq = 0; // a probe of new data was acknowledged
        } else if (sample.has(FLAG_DSACK_TLP)) {
            highSeq = 0; // the original and the probe both arrived: no loss
        } else if (Seq.gt(ack, highSeq)) {
            c.rec.reduceOnceForProbe();
        } else if (sample.dupAck && !sample.has(FLAG_DATA_SACKED)) {
            highSeq = 0; // a pure duplicate: the original and the probe both arrived
        }
    }
}
