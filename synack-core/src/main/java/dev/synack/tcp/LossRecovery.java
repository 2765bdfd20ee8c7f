package dev.synack.tcp;

import static dev.synack.tcp.AckSample.FLAG_DATA_SACKED;
import static dev.synack.tcp.AckSample.FLAG_DSACKING_ACK;
import static dev.synack.tcp.AckSample.FLAG_ECE;
import static dev.synack.tcp.AckSample.FLAG_LOST_RETRANS;
import static dev.synack.tcp.AckSample.FLAG_ORIG_SACK_ACKED;
import static dev.synack.tcp.AckSample.FLAG_SACK_RENEGING;
import static dev.synack.tcp.AckSample.FLAG_SET_XMIT_TIMER;
import static dev.synack.tcp.AckSample.FLAG_SND_UNA_ADVANCED;

import dev.synack.stats.Counter;
import dev.synack.tcp.cc.Cwnd;

/**
 * Loss recovery of one connection: Linux's congestion-avoidance state machine (Open, Disorder, CWR,
 * Recovery, Loss) as net/ipv4/tcp_input.c and tcp_recovery.c of Linux 6.18 run it, on what each ACK
 * showed ({@link AckSample}, filled by {@link AckProcessor} and the {@link SackScoreboard}):
 *
 * <ul>
 *   <li>loss detection by RACK (RFC 8985 §6; see {@link Rack}), or, without SACK, NewReno's duplicate
 *       ACKs (RFC 6582), or with tcp_recovery = 0 RFC 6675's IsLost;
 *   <li>fast recovery with PRR (RFC 6937; tcp_cwnd_reduction), the timeout's Loss state
 *       (tcp_enter_loss) and F-RTO after it (RFC 5682; tcp_process_loss);
 *   <li>undo of reductions that prove spurious: Eifel timestamps (RFC 3522), D-SACKs, F-RTO
 *       (tcp_try_undo_recovery, _dsack, _partial, _loss), with the undo bookkeeping D-SACKs feed;
 *   <li>the one reduction a repairing loss probe calls for ({@link LossProbe}, RFC 8985 §7.4);
 *   <li>the reaction to ECN-Echo (RFC 3168 §6.1.2, FLAG_ECE): the CWR state, one reduction per window
 *       by PRR, not undoable; every reduction queues a CWR for the receiver ({@link Ecn});
 *   <li>cwnd growth through the {@link CongestionControl} outside a reduction (tcp_cong_control).
 * </ul>
 *
 * <p>Linux has one such machine and pluggable congestion control only, so this is a class, not an
 * interface. Called once per ACK ({@link #onAck}), by the timers (RTO, RACK's reordering timer) and
 * by the sender's transmissions; single-threaded like the connection.
 */
final class LossRecovery {
    /** tcp_check_sack_reneging's floor: msecs_to_jiffies(10). */
    private static final long RENEGING_MIN_DELAY_US = 10_000;

    private final TcpConnection c;
    private final Tcb t;
    /** The ACK being processed, during {@link #onAck} and {@link #onOldAck}. */
    private AckSample sample;

    /** The congestion-avoidance state (icsk_ca_state, tcpi_ca_state). */
    private CaState caState = CaState.OPEN;
    /** The recovery point: SND.NXT when the reduction started (tp->high_seq). */
    private int highSeq;
    /** Duplicate ACKs counted without SACK (Reno's sacked_out, tcp_add_reno_sack). */
    private int dupAcks;
    /** PRR's counters (RFC 6937: prr_delivered, prr_out) and the cwnd when the reduction started. */
    private int prrDelivered, prrOut, priorCwnd;
    /** Segments this ACK marked lost (Linux's newly_lost in tcp_fastretrans_alert / tcp_cwnd_reduction). */
    private int newlyLost;
    /** Segments delivered, ACKed, SACKed or D-SACKed (tp->delivered, tcpi_delivered). */
    private long delivered;
    /** Of those, the ones delivered by an ACK with ECE (tp->delivered_ce, tcpi_delivered_ce). */
    private long deliveredCe;
    /**
     * Undo of a cwnd reduction (tcp_init_undo): armed with SND.UNA when a reduction starts (Linux's
     * undo_marker ≠ 0); undoRetrans counts retransmissions not yet D-SACKed, −1 for "none sent".
     */
    private boolean undoArmed;
    private int undoMarker, undoRetrans;
    /** F-RTO (RFC 5682) is judging the last RTO (tp->frto). */
    private boolean frto;
    /** F-RTO step 2b on this ACK: send new data instead of retransmitting (REXMIT_NEW). */
    private boolean rexmitNew;

    LossRecovery(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    // ---- state, for the others ----------------------------------------------------------------

    CaState caState() { return caState; }

    /** Open: no loss suspected, no reduction under way. */
    boolean isOpen() { return caState == CaState.OPEN; }

    /** Loss: after a retransmission timeout. */
    boolean inLoss() { return caState == CaState.LOSS; }

    /** The recovery point (tp->high_seq). */
    int highSeq() { return highSeq; }

    /** Duplicate ACKs counted without SACK (Reno's sacked_out). */
    int dupAcks() { return dupAcks; }

    /** Segments delivered (tcpi_delivered). */
    long delivered() { return delivered; }

    /**
     * The SYN (or SYN-ACK) was acknowledged: it counts as delivered, as Linux counts it (tcp_clean_rtx_queue
     * for the active side; "tp->delivered++; SYN-ACK delivery isn't tracked in tcp_ack" in
     * tcp_rcv_state_process for the passive one): tcpi_delivered is 1 after the handshake (packetdrill's
     * fastopen/client/blocking-sendto.pkt; measured with b1-sender-cwr.pkt: 2 after one data segment).
     */
    void synDelivered() { delivered++; }

    /** Segments delivered by ACKs with ECE (tcpi_delivered_ce). */
    long deliveredCe() { return deliveredCe; }

    /** Whether a reduction may still be undone (tp->undo_marker ≠ 0). */
    boolean undoArmed() { return undoArmed; }

    /** SND.UNA when the reduction started (tp->undo_marker). */
    int undoMarker() { return undoMarker; }

    /** tcp_sacktag_one: a D-SACK for a retransmitted segment: one retransmission fewer to wait for. */
    void dsackedRetransmission(int end) {
        if (undoArmed && undoRetrans > 0 && Seq.gt(end, undoMarker)) undoRetrans--;
    }

    /** tcp_check_dsack: a D-SACK for data already forgotten (below SND.UNA) counts against the retransmissions. */
    void dsackedBelowUna(int end, int priorUna, int segs) {
        if (undoArmed && undoRetrans > 0 && !Seq.gt(end, priorUna) && Seq.gt(end, undoMarker)) {
            undoRetrans = Math.max(0, undoRetrans - segs);
        }
    }

    // ---- the ACK ----------------------------------------------------------------------------------

    /**
     * tcp_ack's old_ack: an ACK below SND.UNA whose SACK and D-SACK blocks (already tagged, {@code newlySacked})
     * still count.
     */
    void onOldAck(InSegment seg, AckSample ack, int newlySacked, long nowNs) {
        sample = ack;
        fastretransAlert(seg, ack.priorUna, false, nowNs);
        delivered += newlySacked + ack.dsackSegs;
        t.stats.add(Counter.TcpExtTCPDelivered, newlySacked + ack.dsackSegs); // tcp_newly_delivered
    }

    /**
     * The rest of tcp_ack once the queue is cleaned: without SACK, the ACKed segments consume duplicate
     * ACKs (tcp_remove_reno_sacks); deliveries counted (tcp_newly_delivered), RACK's window adapted, a
     * loss probe's episode judged, the state machine run for a "dubious" ACK (tcp_ack_is_dubious: a
     * duplicate, SACK or D-SACK information, or not Open), then cwnd (tcp_cong_control).
     */
    void onAck(InSegment seg, AckSample ack, long nowNs) {
        sample = ack;
        int packets = ack.ackedPackets;
        if (packets > 0 && !t.sackOk && t.rtx.sackedOut == 0 && dupAcks > 0) {
            dupAcks = packets - 1 >= dupAcks ? 0 : dupAcks - (packets - 1);
        }
        boolean advanced = ack.has(FLAG_SND_UNA_ADVANCED);
        boolean dupAck = ack.dupAck;
        // ACKed, SACKed and D-SACKed segments (a spurious retransmission is delivered too).
        int deliveredNow = ack.newlyAcked + ack.newlySacked + ack.dsackSegs;
        // tcp_add_reno_sack counts a duplicate ACK as one segment delivered (while it may stand for one).
        if (!t.sackOk && dupAck && dupAcks < Math.max(t.rtx.size() - 1, 0)) deliveredNow++;
        delivered += deliveredNow;
        countDelivered(deliveredNow, ack);
        if (t.sackOk) c.rack.updateReoWnd(t.cfg.tcpRecovery, deliveredNow > 0, nowNs);
        c.tlp.onAck(seg.ack, ack);
        int priorLostMarks = t.rtx.lostMarks;
        // tcp_ack_is_dubious: FLAG_CA_ALERT is FLAG_DATA_SACKED | FLAG_ECE | FLAG_DSACKING_ACK.
        if (!ack.notDup || ack.has(FLAG_DATA_SACKED | FLAG_ECE | FLAG_DSACKING_ACK) || caState != CaState.OPEN) {
            fastretransAlert(seg, ack.priorUna, dupAck, nowNs);
        }
        retransStampCleanup();
        newlyLost = t.rtx.lostMarks - priorLostMarks;
        congestionControl(advanced, deliveredNow, ack.newlyAcked, nowNs);
        c.snd.updatePacingRate(); // tcp_cong_control's last step: tcp_update_pacing_rate
    }

    /**
     * tcp_count_delivered with ece_ack and tcp_newly_delivered's counters: what an ACK with ECE delivered
     * counts as delivered_ce, TCPDeliveredCE too (a D-SACKed spurious retransmission only there: Linux
     * adds it to tp->delivered directly, outside tcp_count_delivered).
     */
    private void countDelivered(int deliveredNow, AckSample ack) {
        t.stats.add(Counter.TcpExtTCPDelivered, deliveredNow);
        if (ack.has(FLAG_ECE)) {
            deliveredCe += deliveredNow - ack.dsackSegs;
            t.stats.add(Counter.TcpExtTCPDeliveredCE, deliveredNow);
        }
    }

    /**
     * tcp_retrans_stamp_cleanup: the episode is over. Linux clears retrans_stamp on the next dubious
     * ACK in Open; we clear it on any, so a later timeout counts from its own first retransmission
     * (retransmits_timed_out) rather than from a recovery long finished. (Its own method: it keeps
     * {@link #onAck} under C2's FreqInlineSize of 325 bytes, so onAck is inlined into
     * {@link AckProcessor#onAck}.)
     */
    private void retransStampCleanup() {
        if (caState == CaState.OPEN && t.rtx.retransOut == 0 && !anyRetransDone()) t.retransStampNs = 0;
    }

    // ---- the sender's and the timers' calls ---------------------------------------------------

    /** A segment was sent, new or retransmitted: PRR counts it while cwnd is being reduced (prr_out). */
    void onSent() {
        if (caState == CaState.RECOVERY || caState == CaState.CWR) prrOut++;
    }

    /**
     * tcp_enter_cwr: the peer echoed ECE (tcp_try_to_open), or the local queue dropped a segment
     * (NET_XMIT_DROP in tcp_transmit_skb) — congestion either way: cwnd is reduced once per window (CWR,
     * PRR down to the algorithm's ssthresh; "CWR is held" until data above the recovery point is ACKed),
     * not undoable. Measured on Linux 6.18 (CUBIC, 10 segments out, the first ACKed with ECE): CWR at
     * once, ssthresh 7, cwnd 10 by PRR and down to 7 as the window drains, a second ECE in the same
     * window changes nothing, Open with cwnd 7 when the ACK passes the recovery point.
     */
    void enterCwr() {
        t.cw.priorSsthresh = 0;
        if (caState.ordinal() < CaState.CWR.ordinal()) {
            undoArmed = false;
            initCwndReduction();
            caState = CaState.CWR;
        }
    }

    /** tcp_retransmit_skb: one more retransmission a D-SACK must cover before undo (undo_retrans). */
    void onRetransmitted() {
        if (undoRetrans < 0) undoRetrans = 0;
        undoRetrans++;
    }

    /** Whether this transmission is F-RTO's step 2b: new data first (REXMIT_NEW); consumes the request. */
    boolean takeNewDataFirst() {
        boolean r = rexmitNew;
        rexmitNew = false;
        return r;
    }

    /**
     * After F-RTO's step 2b: whether new data went. If none could, F-RTO ends and the lost segments
     * are retransmitted as usual (tcp_xmit_recovery).
     */
    boolean frtoSentNewData() {
        if (Seq.gt(t.sndNxt, highSeq)) return true;
        frto = false;
        return false;
    }

    /**
     * tcp_process_tlp_ack: a retransmitted loss probe repaired a loss, so cwnd is reduced once, as a
     * recovery would (CWR, cwnd = ssthresh).
     */
    void reduceOnceForProbe() {
        initCwndReduction();
        caState = CaState.CWR;
        endCwndReduction();
        tryKeepOpen();
        t.stats.inc(Counter.TcpExtTCPLossProbeRecovery);
    }

    // ---- the state machine (tcp_fastretrans_alert) --------------------------------------------

    /**
     * tcp_fastretrans_alert: the congestion-avoidance state machine (Open, Disorder, CWR, Recovery,
     * Loss) on an ACK that is a duplicate, carries SACK or D-SACK information, or arrives outside the
     * Open state: undo of a reduction that proves spurious, loss detection (RACK, or three duplicate
     * ACKs without SACK), and the start of fast recovery.
     */
    private void fastretransAlert(InSegment seg, int priorUna, boolean dupAck, long nowNs) {
        boolean advanced = sample.has(FLAG_SND_UNA_ADVANCED);
        // A. ECE: congestion is proven, so the reduction it calls for may not be undone.
        boolean ece = sample.has(FLAG_ECE);
        if (ece) t.cw.priorSsthresh = 0;
        // B. tcp_check_sack_reneging: the receiver dropped data it had SACKed. Give the ACKs that may
        // still come max(SRTT/2, 10 ms), then time out (tcp_timeout_mark_lost forgets every SACK mark).
        if (sample.has(FLAG_SACK_RENEGING) && advanced) {
            c.timers.armRetransmitTimer(Math.max(t.rtt.srttUs() / 2, RENEGING_MIN_DELAY_US));
            sample.clear(FLAG_SET_XMIT_TIMER);
            return;
        }
        // D. State exit: the recovery point was ACKed.
        if (caState == CaState.OPEN) {
            t.retransStampNs = 0;
        } else if (!Seq.lt(t.sndUna, highSeq)) {
            switch (caState) {
                case CWR -> {
                    // "CWR is to be held something *above* high_seq is ACKed for CWR bit to reach receiver."
                    if (t.sndUna != highSeq) {
                        endCwndReduction();
                        caState = CaState.OPEN;
                    }
                }
                case RECOVERY -> {
                    if (!t.sackOk) dupAcks = 0; // tcp_reset_reno_sack
                    if (tryUndoRecovery(seg)) return;
                    endCwndReduction();
                }
                default -> {
                }
            }
        }
        // E. Process the state.
        boolean fastRexmit = false;
        boolean open;
        if (caState == CaState.RECOVERY) {
            if (!advanced) {
                if (!t.sackOk && dupAck) dupAcks++; // tcp_add_reno_sack
            } else if (tryUndoPartial(seg, priorUna)) {
                return;
            }
            if (tryUndoDsack()) tryToOpen(ece);
            identifyPacketLoss(advanced, nowNs);
            if (caState != CaState.RECOVERY) {
                if (!timeToRecover()) return;
                // Undo reverted the recovery; loss is evident again: a new recovery.
                enterRecovery(ece);
                fastRexmit = true;
            }
            open = false;
        } else if (caState == CaState.LOSS) {
            processLoss(seg, dupAck);
            int priorRetrans = t.rtx.retransOut;
            identifyPacketLoss(advanced, nowNs);
            if (priorRetrans > t.rtx.retransOut) sample.set(FLAG_LOST_RETRANS);
            // Change state if cwnd is undone or retransmissions are lost.
            open = caState == CaState.OPEN || sample.has(FLAG_LOST_RETRANS);
            if (!open) return;
        } else {
            open = true;
        }
        if (open) {
            if (!t.sackOk) {
                if (advanced) dupAcks = 0; // tcp_reset_reno_sack
                if (dupAck) dupAcks++;     // tcp_add_reno_sack
            }
            if (caState == CaState.OPEN || caState == CaState.DISORDER) tryUndoDsack();
            identifyPacketLoss(advanced, nowNs);
            if (!timeToRecover()) {
                tryToOpen(ece);
                return;
            }
            enterRecovery(ece);
            fastRexmit = true;
        }
        if (!rackEnabled() && t.sackOk) {
            // tcp_update_scoreboard (tcp_recovery = 0): the head is lost, and every hole with three
            // SACKed segments above it (RFC 6675 IsLost).
            if (fastRexmit) markHeadLost(RetransmitQueue.LOST_BY_SACK);
            markSackLosses();
        }
    }

    private boolean rackEnabled() { return (t.cfg.tcpRecovery & 1) != 0; }

    /**
     * tcp_identify_packet_loss: without SACK, NewReno's rule (tcp_newreno_mark_lost): the head is
     * lost after {@code reordering} duplicate ACKs, and after each partial ACK in Recovery (RFC 6582
     * §3.2); with SACK, RACK.
     */
    private void identifyPacketLoss(boolean advanced, long nowNs) {
        if (t.rtx.isEmpty()) return;
        if (!t.sackOk) {
            if ((caState.ordinal() < CaState.RECOVERY.ordinal() && Math.min(dupAcks, Math.max(t.rtx.size() - 1, 0)) >= c.sacks.reordering())
                    || (caState == CaState.RECOVERY && advanced)) {
                markHeadLost(caState == CaState.RECOVERY ? RetransmitQueue.LOST_BY_PARTIAL_ACK : RetransmitQueue.LOST_BY_DUPACKS);
            }
        } else if (rackEnabled()) {
            int priorRetrans = t.rtx.retransOut;
            if (rackMarkLost(nowNs)) sample.clear(FLAG_SET_XMIT_TIMER);
            if (priorRetrans > t.rtx.retransOut) sample.set(FLAG_LOST_RETRANS);
        }
    }

    /** tcp_time_to_recover: a loss is proven (or, without RACK, the duplicate threshold is passed). */
    private boolean timeToRecover() {
        if (t.rtx.lostOut > 0) return true;
        if (!rackEnabled()) {
            int dupackHeuristics = t.sackOk ? t.rtx.sackedOut + 1 : Math.min(dupAcks, Math.max(t.rtx.size() - 1, 0)) + 1;
            return dupackHeuristics > c.sacks.reordering();
        }
        return false;
    }

    /**
     * tcp_rack_mark_lost: when a delivery advanced RACK, marks what it shows lost and arms the
     * reordering timer for what may still be only reordered (RFC 8985 §6.2, §6.3).
     *
     * @return whether the reordering timer was armed
     */
    private boolean rackMarkLost(long nowNs) {
        if (!c.rack.takeAdvanced()) return false;
        long timeoutUs = c.rack.detectLoss(t.rtx, nowNs, rackReoWndUs(), t.stats, RetransmitQueue.LOST_BY_RACK);
        if (timeoutUs <= 0) return false;
        c.timers.armReorderingTimer(timeoutUs);
        return true;
    }

    private long rackReoWndUs() {
        return c.rack.reoWndUs(t.cfg.tcpRecovery, c.sacks.reordSeen() > 0,
                caState == CaState.RECOVERY || caState == CaState.LOSS, t.rtx.sackedOut, c.sacks.reordering(),
                t.rtt.minRttUs(), t.rtt.srttUs());
    }

    /**
     * tcp_rack_reo_timeout: the reordering window ran out for segments RACK was waiting on. What it now
     * marks lost starts (or continues) fast recovery and is retransmitted (the connection rearms the
     * RTO afterwards).
     */
    void reoTimeout(long nowNs) {
        int priorInflight = packetsInFlight();
        int priorLost = t.rtx.lostMarks;
        c.rack.detectLoss(t.rtx, nowNs, rackReoWndUs(), t.stats, RetransmitQueue.LOST_BY_REO_TIMER);
        if (priorInflight != packetsInFlight()) {
            if (caState != CaState.RECOVERY) {
                enterRecovery(false);
                cwndReduction(1, t.rtx.lostMarks - priorLost, false);
            }
            c.snd.xmitRetransmitQueue(nowNs); // retransmissions only, as tcp_xmit_retransmit_queue
        }
    }

    /**
     * tcp_process_loss: an ACK in the Loss state (after an RTO). Undo if the retransmission proves
     * spurious; F-RTO (RFC 5682 §3.1, SACK-enhanced, as tcp_frto = 2): after the first ACK that
     * advances SND.UNA, send new data instead of retransmitting (step 2b); if the next ACK shows a
     * segment never retransmitted delivered, the timeout was spurious (step 3b); a SACK or duplicate
     * shows the loss was real (step 3a).
     */
    private void processLoss(InSegment seg, boolean dupAck) {
        boolean advanced = sample.has(FLAG_SND_UNA_ADVANCED);
        boolean recovered = !Seq.lt(t.sndUna, highSeq);
        if (advanced && tryUndoLoss(seg, false)) return;
        if (frto) {
            if (sample.has(FLAG_ORIG_SACK_ACKED) && tryUndoLoss(seg, true)) return;
            if (Seq.gt(t.sndNxt, highSeq)) {
                if (sample.has(FLAG_DATA_SACKED) || dupAck) frto = false; // step 3a: the loss was real
            } else if (advanced && !recovered) {
                highSeq = t.sndNxt;
                // Step 2b: send new data if there is any and the window takes it (REXMIT_NEW).
                if (t.sendBuf.length() > t.unsentOffset() && Seq.gt(t.sndUna + t.sndWnd, t.sndNxt)) {
                    rexmitNew = true;
                    return;
                }
                frto = false;
            }
        }
        if (recovered) {
            // Step 2a and the first part of 3a: the recovery point is ACKed.
            tryUndoRecovery(seg);
            return;
        }
        if (!t.sackOk) {
            // A Reno duplicate means new data from step 2b arrived: it frees room for retransmissions.
            if (Seq.gt(t.sndNxt, highSeq) && dupAck) dupAcks++;
            else if (advanced) dupAcks = 0;
        }
    }

    /**
     * tcp_enter_recovery: fast recovery starts. The reduction may be undone later (tcp_init_undo), unless
     * the ACK that starts it carries ECE ({@code ece}: no prior ssthresh to return to); ssthresh comes
     * from the algorithm and PRR takes cwnd down to it (tcp_init_cwnd_reduction). A reduction already
     * under way (CWR) goes on.
     */
    private void enterRecovery(boolean ece) {
        if (!anyRetransDone()) t.retransStampNs = 0; // start the clock with the fast retransmit
        t.stats.inc(t.sackOk ? Counter.TcpExtTCPSackRecovery : Counter.TcpExtTCPRenoRecovery);
        t.cw.priorSsthresh = 0;
        initUndo();
        if (caState != CaState.CWR && caState != CaState.RECOVERY) {
            if (!ece) t.cw.priorSsthresh = currentSsthresh();
            initCwndReduction();
        }
        caState = CaState.RECOVERY;
    }

    /** tcp_current_ssthresh: the larger of ssthresh and 3/4 of cwnd, outside a reduction. */
    private int currentSsthresh() {
        if (caState == CaState.CWR || caState == CaState.RECOVERY) return t.cw.ssthresh;
        return Math.max(t.cw.ssthresh, (t.cw.cwnd >> 1) + (t.cw.cwnd >> 2));
    }

    /**
     * tcp_init_cwnd_reduction: the recovery point, PRR's counters and the algorithm's ssthresh; the
     * receiver is told with CWR on the next new data (tcp_ecn_queue_cwr).
     */
    private void initCwndReduction() {
        highSeq = t.sndNxt;
        c.tlp.endEpisode();
        t.cw.cwndCnt = 0;
        priorCwnd = t.cw.cwnd;
        t.cw.priorCwnd = t.cw.cwnd;
        prrDelivered = 0;
        prrOut = 0;
        t.cw.ssthresh = t.cc.ssthresh(t.cw);
        c.ecn.queueCwr();
    }

    /** tcp_end_cwnd_reduction: cwnd = ssthresh at the end of CWR or of a recovery not undone. */
    private void endCwndReduction() {
        if (t.cw.ssthresh < Cwnd.INFINITE_SSTHRESH && (caState == CaState.CWR || undoArmed)) {
            t.cw.cwnd = t.cw.ssthresh;
        }
    }

    /** tcp_init_undo: remember SND.UNA and how many retransmissions must prove spurious (D-SACKed). */
    private void initUndo() {
        undoArmed = true;
        undoMarker = t.sndUna;
        undoRetrans = t.rtx.retransOut + (c.tlp.retransmissionOutstanding() ? 1 : 0);
        if (undoRetrans == 0) undoRetrans = -1; // 0 would mean "can undo now"
    }

    /**
     * tcp_may_undo: every retransmission was D-SACKed, or the ACK echoes a timestamp older than the
     * first retransmission (Eifel detection, RFC 3522: the original arrived).
     */
    private boolean mayUndo(InSegment seg) {
        return undoArmed && (undoRetrans == 0 || packetDelayed(seg));
    }

    /** tcp_packet_delayed. */
    private boolean packetDelayed(InSegment seg) {
        if (t.retransStampNs != 0) {
            return t.tsOk && seg.hasTimestamps && seg.tsEcr != 0 && Seq.lt(seg.tsEcr, t.tsNow(t.retransStampNs));
        }
        // No retransmission yet: SND.UNA advanced, so a segment was merely delayed (SACK connections).
        return t.sackOk && t.state != TcpState.SYN_SENT;
    }

    /**
     * tcp_undo_cwnd_reduction: cwnd back to the algorithm's undo value (max(cwnd, prior cwnd)) and
     * ssthresh to what it was; with {@code unmarkLoss}, nothing is lost any more.
     */
    private void undoCwndReduction(boolean unmarkLoss) {
        if (unmarkLoss) {
            for (int i = 0; i < t.rtx.size(); i++) t.rtx.clearBit(i, RetransmitQueue.LOST);
        }
        if (t.cw.priorSsthresh != 0) {
            t.cw.cwnd = t.cc.undoCwnd(t.cw);
            if (t.cw.priorSsthresh > t.cw.ssthresh) {
                t.cw.ssthresh = t.cw.priorSsthresh;
                c.ecn.withdrawCwr(); // no reduction left to report
            }
        }
        undoArmed = false;
        c.rack.forceRecheck();
    }

    /** tcp_is_non_sack_preventing_reopen: Reno holds the state until data above high_seq is ACKed. */
    private boolean nonSackPreventingReopen() {
        if (t.sndUna == highSeq && !t.sackOk) {
            if (!anyRetransDone()) t.retransStampNs = 0;
            return true;
        }
        return false;
    }

    /** tcp_try_undo_recovery ("We love our President!"): the recovery point is ACKed. */
    private boolean tryUndoRecovery(InSegment seg) {
        if (mayUndo(seg)) {
            // Happy end: nothing was retransmitted, or the original transmissions arrived.
            t.stats.inc(caState == CaState.LOSS ? Counter.TcpExtTCPLossUndo : Counter.TcpExtTCPFullUndo);
            undoCwndReduction(false);
        } else {
            c.rack.recoveryEnded();
        }
        if (nonSackPreventingReopen()) return true;
        caState = CaState.OPEN;
        return false;
    }

    /** tcp_try_undo_dsack: D-SACKs covered every retransmission. */
    private boolean tryUndoDsack() {
        if (undoArmed && undoRetrans == 0) {
            c.rack.undoneByDsack();
            undoCwndReduction(false);
            t.stats.inc(Counter.TcpExtTCPDSACKUndo);
            return true;
        }
        return false;
    }

    /** tcp_try_undo_loss: in Loss, after an ACK that advances SND.UNA or an F-RTO verdict. */
    private boolean tryUndoLoss(InSegment seg, boolean frtoUndo) {
        if (frtoUndo || mayUndo(seg)) {
            undoCwndReduction(true);
            t.stats.inc(Counter.TcpExtTCPLossUndo);
            if (frtoUndo) t.stats.inc(Counter.TcpExtTCPSpuriousRTOs);
            t.retransmits = 0;
            if (nonSackPreventingReopen()) return true;
            if (frtoUndo || t.sackOk) caState = CaState.OPEN;
            return true;
        }
        return false;
    }

    /**
     * tcp_try_undo_partial: a partial ACK in Recovery for data that was only delayed (its timestamp
     * predates the first retransmission): reordering, not loss. Undo once no retransmission is out.
     *
     * @return true when the ACK needs no further loss processing
     */
    private boolean tryUndoPartial(InSegment seg, int priorUna) {
        if (undoArmed && packetDelayed(seg)) {
            c.sacks.checkSackReordering(priorUna, true);
            if (t.rtx.retransOut > 0) return true;
            if (!anyRetransDone()) t.retransStampNs = 0;
            undoCwndReduction(true);
            t.stats.inc(Counter.TcpExtTCPPartialUndo);
            tryKeepOpen();
            return true;
        }
        return false;
    }

    /** tcp_try_to_open: ECE on an ACK that starts no recovery puts cwnd into reduction (tcp_enter_cwr). */
    private void tryToOpen(boolean ece) {
        if (!anyRetransDone()) t.retransStampNs = 0;
        if (ece) enterCwr();
        if (caState != CaState.CWR) tryKeepOpen();
    }

    /** tcp_try_keep_open: Disorder while anything is SACKed, lost or retransmitted, else Open. */
    private void tryKeepOpen() {
        CaState next = t.rtx.sackedOut + t.rtx.lostOut > 0 || anyRetransDone() || (!t.sackOk && dupAcks > 0)
                ? CaState.DISORDER : CaState.OPEN;
        if (caState != next) {
            caState = next;
            highSeq = t.sndNxt;
        }
    }

    /** Marks the first segment lost (tcp_newreno_mark_lost, tcp_mark_head_lost), unless SACKed or already lost. */
    private void markHeadLost(int cause) {
        if (!t.rtx.isEmpty() && !t.rtx.has(0, RetransmitQueue.LOST)) t.rtx.markLost(0, cause);
    }

    /** RFC 6675 IsLost (tcp_recovery = 0 only): a hole with at least three SACKed segments above it is lost. */
    private void markSackLosses() {
        int sackedAbove = t.rtx.sackedOut;
        for (int i = 0; i < t.rtx.size() && sackedAbove > 0; i++) {
            if (t.rtx.has(i, RetransmitQueue.SACKED)) {
                sackedAbove--;
            } else if (sackedAbove >= 3 && !t.rtx.has(i, RetransmitQueue.LOST)) {
                t.rtx.markLost(i, RetransmitQueue.LOST_BY_SACK);
            }
        }
    }

    /**
     * Linux tcp_cong_control: PRR (RFC 6937) while cwnd is being reduced (CWR, Recovery), otherwise
     * the algorithm's growth when the ACK delivered data in order (tcp_may_raise_cwnd: any forward
     * progress once reordering was seen).
     */
    private void congestionControl(boolean advanced, int delivered, int ackedPackets, long nowNs) {
        if (caState == CaState.RECOVERY || caState == CaState.CWR) {
            cwndReduction(delivered, newlyLost, advanced);
            return;
        }
        boolean mayRaise = c.sacks.reordering() > t.cfg.tcpReordering
                ? advanced || sample.has(FLAG_DATA_SACKED)
                : advanced && ackedPackets > 0;
        // tcp_cong_control → tcp_cong_avoid(acked_sacked = delivered).
        if (mayRaise && delivered > 0) {
            t.cw.cwndLimited = isCwndLimited();
            t.cc.congAvoid(t.cw, delivered, nowNs, t.rtt.srttUs());
        }
    }

    /**
     * tcp_cwnd_reduction, PRR (RFC 6937): cwnd follows the deliveries down to ssthresh
     * (proportionally while in flight exceeds ssthresh, then by the slow-start reduction bound).
     */
    private void cwndReduction(int delivered, int lost, boolean advanced) {
        if (delivered <= 0 || priorCwnd == 0) return;
        prrDelivered += delivered;
        int inFlight = packetsInFlight();
        int delta = t.cw.ssthresh - inFlight;
        int sndcnt;
        if (delta < 0) {
            long dividend = (long) t.cw.ssthresh * prrDelivered + priorCwnd - 1;
            sndcnt = (int) (dividend / priorCwnd) - prrOut;
        } else {
            // Slow-start reduction bound (RFC 6937 §3.1 PRR-SSRB), as Linux tcp_cwnd_reduction: the
            // extra segment only when SND.UNA advanced and this ACK marked nothing newly lost.
            sndcnt = Math.max(prrDelivered - prrOut, delivered);
            if (advanced && lost == 0) sndcnt++;
            sndcnt = Math.min(delta, sndcnt);
        }
        sndcnt = Math.max(sndcnt, prrOut == 0 ? 1 : 0); // force a fast retransmit upon entering recovery
        t.cw.cwnd = inFlight + sndcnt;
    }

    /** tcp_is_cwnd_limited (include/net/tcp.h). */
    private boolean isCwndLimited() {
        if (t.cw.inSlowStart()) return t.cw.cwnd < 2 * t.cw.maxPacketsOut;
        return t.cw.cwndLimited;
    }

    /** Linux tcp_packets_in_flight: packets_out − (sacked_out + lost_out) + retrans_out. */
    int packetsInFlight() {
        int sacked = t.sackOk ? t.rtx.sackedOut : Math.min(dupAcks, Math.max(t.rtx.size() - 1, 0));
        return t.rtx.size() - (sacked + t.rtx.lostOut) + t.rtx.retransOut;
    }

    /** tcp_any_retrans_done: a retransmission is in flight, or the oldest segment was ever retransmitted. */
    private boolean anyRetransDone() {
        return t.rtx.retransOut > 0 || (!t.rtx.isEmpty() && t.rtx.has(0, RetransmitQueue.EVER_RETRANS));
    }

    /**
     * tcp_enter_loss: the RTO fired. Outstanding segments are lost (tcp_timeout_mark_lost); ssthresh
     * is reduced once per episode, and cwnd is what is still in flight plus one. F-RTO (RFC 5682
     * §3.1 step 1) then judges whether the timeout was spurious, unless a recovery was already
     * under way (other than repeated timeouts of the same segment, §3.2).
     */
    /**
     * tcp_non_congestion_loss_retransmit: segments already marked lost go again in the Loss state without
     * reducing cwnd below ssthresh's current value and without undo (Fast Open's SYN data the SYN-ACK did
     * not acknowledge, tcp_rcv_fastopen_synack).
     */
    void nonCongestionLoss() {
        if (caState != CaState.LOSS) {
            highSeq = t.sndNxt;
            t.cw.ssthresh = currentSsthresh();
            t.cw.priorSsthresh = 0;
            undoMarker = 0;
            undoArmed = false;
            caState = CaState.LOSS;
        }
    }

    void enterLoss(long nowNs) {
        boolean newRecovery = caState.ordinal() < CaState.RECOVERY.ordinal();
        timeoutMarkLost(nowNs);
        if (caState.ordinal() <= CaState.DISORDER.ordinal() || !Seq.gt(highSeq, t.sndUna)
                || (caState == CaState.LOSS && t.retransmits == 0)) {
            t.cw.priorSsthresh = currentSsthresh();
            t.cw.priorCwnd = t.cw.cwnd;
            priorCwnd = t.cw.cwnd;
            t.cw.ssthresh = t.cc.ssthresh(t.cw);
            initUndo();
        }
        t.cw.cwnd = packetsInFlight() + 1;
        t.cw.cwndCnt = 0;
        // "Timeout in disordered state after receiving substantial DUPACKs suggests that the degree
        // of reordering is over-estimated."
        if (caState.ordinal() <= CaState.DISORDER.ordinal() && t.rtx.sackedOut >= t.cfg.tcpReordering) {
            c.sacks.limitReordering(t.cfg.tcpReordering);
        }
        t.cc.onLoss(t.cw, nowNs); // ops->set_state(TCP_CA_Loss): CUBIC resets its epoch
        caState = CaState.LOSS;
        highSeq = t.sndNxt;
        c.tlp.endEpisode();
        c.ecn.queueCwr(); // tcp_enter_loss: the receiver learns of the reduction with the next new data
        frto = t.cfg.tcpFrto != 0 && (newRecovery || t.retransmits > 0);
    }

    /**
     * tcp_timeout_mark_lost: every segment is lost, but those sent less than RACK's RTT ago (they may
     * still arrive); if the oldest is SACKed the receiver reneged, and all SACK marks are dropped.
     */
    private void timeoutMarkLost(long nowNs) {
        if (t.rtx.isEmpty()) return;
        boolean reneg = t.rtx.has(0, RetransmitQueue.SACKED);
        if (reneg) {
            t.stats.inc(Counter.TcpExtTCPSACKReneging);
        } else if (!t.sackOk) {
            dupAcks = 0; // tcp_reset_reno_sack
        }
        for (int i = 0; i < t.rtx.size(); i++) {
            if (reneg) {
                t.rtx.clearBit(i, RetransmitQueue.SACKED);
            } else if (i > 0 && c.rack.rttUs() - (nowNs - t.rtx.sentNs(i)) / 1000 > 0) {
                continue; // don't mark recently sent ones lost yet
            }
            if (t.rtx.markLost(i, RetransmitQueue.LOST_BY_RTO)) t.stats.inc(Counter.TcpExtTCPLostRetransmit);
        }
    }
}
