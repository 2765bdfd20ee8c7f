package dev.synack.tcp;

import dev.synack.stats.Counter;

/**
 * Loss detection and recovery of one connection: Linux's congestion-avoidance state machine
 * (Open, Disorder, CWR, Recovery, Loss) with what drives it, as in net/ipv4/tcp_input.c and
 * tcp_recovery.c of Linux 6.18:
 *
 * <ul>
 *   <li>the SACK scoreboard and D-SACKs (RFC 2018, RFC 2883; tcp_sacktag_write_queue, tcp_check_dsack);
 *   <li>loss detection by RACK (RFC 8985 §6; see {@link Rack}), or, without SACK, NewReno's duplicate
 *       ACKs (RFC 6582), or with tcp_recovery = 0 RFC 6675's IsLost;
 *   <li>the reordering degree (tcp_check_sack_reordering);
 *   <li>fast recovery with PRR (RFC 6937; tcp_cwnd_reduction), the timeout's Loss state
 *       (tcp_enter_loss) and F-RTO after it (RFC 5682; tcp_process_loss);
 *   <li>undo of reductions that prove spurious: Eifel timestamps (RFC 3522), D-SACKs, F-RTO
 *       (tcp_try_undo_recovery, _dsack, _partial, _loss);
 *   <li>the end of a tail loss probe's episode (RFC 8985 §7.4; tcp_process_tlp_ack);
 *   <li>cwnd growth through the {@link CongestionControl} outside a reduction (tcp_cong_control).
 * </ul>
 *
 * <p>It works on its connection's transmission control block ({@link TcpConnection}: the
 * retransmission queue, cwnd, the sequence space, the timers) and is called by its ACK processing
 * (tcp_ack) and its timers; single-threaded like the connection.
 */
final class LossRecovery {
    /** Linux's inet_connection_sock ca_state values (tcp.h TCP_CA_*). */
    enum CaState { OPEN, DISORDER, CWR, RECOVERY, LOSS }

    final TcpConnection c;

    /** The congestion-avoidance state (icsk_ca_state, tcpi_ca_state). */
    CaState caState = CaState.OPEN;
    /** The recovery point: SND.NXT when the reduction started (tp->high_seq). */
    private int highSeq;
    /** Duplicate ACKs counted without SACK (Reno's sacked_out, tcp_add_reno_sack). */
    int dupAcks;
    /** PRR's counters (RFC 6937: prr_delivered, prr_out) and the cwnd when the reduction started. */
    private int prrDelivered, prrOut, priorCwnd;
    /** Segments this ACK marked lost (Linux's newly_lost in tcp_fastretrans_alert / tcp_cwnd_reduction). */
    private int newlyLost;
    /** RACK's state (RFC 8985; tp->rack). */
    private final Rack rack = new Rack();
    /** The reordering degree in segments (tp->reordering, tcpi_reordering), from sysctl tcp_reordering. */
    int reordering;
    /** Reordering events seen (tp->reord_seen, tcpi_reord_seen). */
    int reordSeen;
    /** End of the highest SACKed segment, while anything is SACKed (see {@link #highestSackSeq}). */
    private int fackSeq;
    /** Segments delivered, ACKed, SACKed or D-SACKed (tp->delivered, tcpi_delivered). */
    long delivered;
    /** Duplicate segments the peer reported with D-SACKs (tp->dsack_dups, tcpi_dsack_dups). */
    int dsackDups;
    /** Duplicate segments the ACK being processed D-SACKed. */
    private int dsackSegs;
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
    /** Flags describing the ACK being processed (Linux's FLAG_* in tcp_input.c). */
    private int ackFlags;
    private static final int FLAG_DATA_SACKED = 0x20, FLAG_LOST_RETRANS = 0x80, FLAG_ORIG_SACK_ACKED = 0x200,
            FLAG_SND_UNA_ADVANCED = 0x400, FLAG_DSACKING_ACK = 0x800, FLAG_SET_XMIT_TIMER = 0x1000,
            FLAG_DSACK_TLP = 0x20000, FLAG_SACK_RENEGING = 0x2000;

    LossRecovery(TcpConnection c) {
        this.c = c;
        this.reordering = c.cfg.tcpReordering;
    }

    // ---- the connection's calls ---------------------------------------------------------------

    /** Open: no loss suspected, no reduction under way. */
    boolean isOpen() { return caState == CaState.OPEN; }

    /** Loss: after a retransmission timeout. */
    boolean inLoss() { return caState == CaState.LOSS; }

    /**
     * tcp_ack, before SND.UNA moves: the ACK's flags start afresh and its SACK blocks are tagged.
     *
     * @return segments newly SACKed
     */
    int startAck(InSegment seg, int priorUna, boolean advanced, long now) {
        ackFlags = advanced ? FLAG_SND_UNA_ADVANCED : 0;
        dsackSegs = 0;
        ackedReord = c.sndNxt;
        return c.sackOk && seg.sackCount > 0 ? sackTag(seg, priorUna, now) : 0;
    }

    /** tcp_ack's old_ack: an ACK below SND.UNA whose SACK and D-SACK blocks still count. */
    void oldAck(InSegment seg, int priorUna, long now) {
        ackFlags = 0;
        dsackSegs = 0;
        int newly = sackTag(seg, priorUna, now);
        fastretransAlert(seg, priorUna, false, now);
        delivered += newly + dsackSegs;
    }

    /**
     * tcp_clean_rtx_queue, for each segment the ACK removes: RACK advances (unless the ACK is for the
     * original of a retransmitted segment, tcp_skb_spurious_retrans), and an original transmission
     * below the highest SACK is reordering (and, for F-RTO, evidence the timeout was spurious).
     */
    void cumulativelyAcked(int bits, int start, int end, long sentNs, InSegment seg, long now) {
        if ((bits & (RetransmitQueue.EVER_RETRANS | RetransmitQueue.SACKED)) == 0) {
            if (Seq.lt(start, ackedReord)) ackedReord = start;
            if (!Seq.gt(end, highSeq)) ackFlags |= FLAG_ORIG_SACK_ACKED;
        }
        if (c.sackOk && (bits & RetransmitQueue.SACKED) == 0 && !spuriousRetrans(seg, bits, sentNs)) {
            rack.advance((bits & RetransmitQueue.EVER_RETRANS) != 0, end, sentNs, now, c.rtt.minRttUs());
        }
    }

    /**
     * The end of tcp_clean_rtx_queue: the timer is to be set (FLAG_SET_XMIT_TIMER); without SACK one
     * ACKed segment fills the hole and the rest consume duplicate ACKs (tcp_remove_reno_sacks); "a
     * non-retransmitted hole got filled? That's reordering."
     */
    void cumulativeAckDone(int packets, int priorFack) {
        if (packets == 0) return;
        ackFlags |= FLAG_SET_XMIT_TIMER;
        // The ACK stops just below a segment the receiver SACKed: it has dropped what it SACKed.
        if (c.sackOk && !c.rtx.isEmpty() && c.rtx.has(0, RetransmitQueue.SACKED)) ackFlags |= FLAG_SACK_RENEGING;
        if (!c.sackOk && c.rtx.sackedOut == 0 && dupAcks > 0) {
            dupAcks = packets - 1 >= dupAcks ? 0 : dupAcks - (packets - 1);
        }
        if (c.sackOk && Seq.lt(ackedReord, priorFack)) checkSackReordering(ackedReord, false);
    }

    /** The ACK carried a D-SACK that was believed (FLAG_DSACKING_ACK). */
    boolean dsacking() { return (ackFlags & FLAG_DSACKING_ACK) != 0; }

    /**
     * The rest of tcp_ack once the queue is cleaned: deliveries counted (tcp_newly_delivered), RACK's
     * window adapted, a loss probe's episode judged, the state machine run for a "dubious" ACK
     * (tcp_ack_is_dubious: a duplicate, SACK or D-SACK information, or not Open), then cwnd
     * (tcp_cong_control).
     */
    void finishAck(InSegment seg, int priorUna, boolean dupAck, boolean notDup, int newlyAcked, int newlySacked, long now) {
        boolean advanced = (ackFlags & FLAG_SND_UNA_ADVANCED) != 0;
        // ACKed, SACKed and D-SACKed segments (a spurious retransmission is delivered too).
        int deliveredNow = newlyAcked + newlySacked + dsackSegs;
        // tcp_add_reno_sack counts a duplicate ACK as one segment delivered (while it may stand for one).
        if (!c.sackOk && dupAck && dupAcks < Math.max(c.rtx.size() - 1, 0)) deliveredNow++;
        delivered += deliveredNow;
        if (c.sackOk) rack.updateReoWnd(c.cfg.tcpRecovery, deliveredNow > 0, now);
        if (c.tlpHighSeq != 0) processTlpAck(seg.ack, dupAck);
        int priorLostMarks = c.rtx.lostMarks;
        if (!notDup || (ackFlags & (FLAG_DATA_SACKED | FLAG_DSACKING_ACK)) != 0 || caState != CaState.OPEN) {
            fastretransAlert(seg, priorUna, dupAck, now);
        }
        if (caState == CaState.OPEN && c.rtx.retransOut == 0 && !anyRetransDone()) {
            // tcp_retrans_stamp_cleanup: the episode is over. Linux clears retrans_stamp on the next
            // dubious ACK in Open; we clear it on any, so a later timeout counts from its own first
            // retransmission (retransmits_timed_out) rather than from a recovery long finished.
            c.retransStampNs = 0;
        }
        newlyLost = c.rtx.lostMarks - priorLostMarks;
        congestionControl(advanced, deliveredNow, newlyAcked, now);
    }

    /** Whether the ACK asks for the TLP or RTO timer to be set (RACK's reordering timer did not take it). */
    boolean setXmitTimer() { return (ackFlags & FLAG_SET_XMIT_TIMER) != 0; }

    /** A segment was sent, new or retransmitted: PRR counts it while cwnd is being reduced (prr_out). */
    void onSent() {
        if (caState == CaState.RECOVERY || caState == CaState.CWR) prrOut++;
    }

    /**
     * tcp_enter_cwr: the local queue dropped a segment (NET_XMIT_DROP in tcp_transmit_skb), a congestion
     * signal: cwnd is reduced once (CWR, PRR down to the algorithm's ssthresh), not undoable.
     */
    void enterCwr() {
        c.cw.priorSsthresh = 0;
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
        if (Seq.gt(c.sndNxt, highSeq)) return true;
        frto = false;
        return false;
    }

    // ---- loss detection and recovery (Linux tcp_sacktag_write_queue, tcp_fastretrans_alert) -------

    /** The D-SACK block first, then the SACK blocks in sequence order, as Linux walks them. */
    private final int[] sackOrderStart = new int[4], sackOrderEnd = new int[4];

    /**
     * tcp_sacktag_write_queue: checks the first block for a D-SACK (RFC 2883, tcp_check_dsack), then
     * marks the segments the valid blocks cover, in sequence order, advancing RACK and noticing
     * reordering (an original transmission SACKed below the highest SACK, tcp_check_sack_reordering).
     *
     * @return newly SACKed packets
     */
    private int sackTag(InSegment seg, int priorUna, long now) {
        int ack = Seq.gt(seg.ack, c.sndUna) ? seg.ack : c.sndUna; // SND.UNA as updated by this ACK
        boolean dsack = checkDsack(seg, priorUna);
        reordLow = c.sndNxt;
        int newly = 0;
        int n = 0;
        for (int b = 0; b < seg.sackCount; b++) {
            int s = seg.sackStart[b], e = seg.sackEnd[b];
            boolean dup = b == 0 && dsack;
            if (!sackBlockValid(dup, s, e, ack)) continue;
            if (!Seq.gt(e, priorUna)) continue; // very old (a D-SACK below SND.UNA was counted above)
            if (dup) {
                newly += sackTagRange(s, e, true, ack, now);
                continue;
            }
            // insertion sort by start (Linux sorts the blocks before walking)
            int j = n++;
            while (j > 0 && Seq.gt(sackOrderStart[j - 1], s)) {
                sackOrderStart[j] = sackOrderStart[j - 1];
                sackOrderEnd[j] = sackOrderEnd[j - 1];
                j--;
            }
            sackOrderStart[j] = s;
            sackOrderEnd[j] = e;
        }
        for (int b = 0; b < n; b++) newly += sackTagRange(sackOrderStart[b], sackOrderEnd[b], false, ack, now);
        if (caState != CaState.LOSS || undoArmed) checkSackReordering(reordLow, false);
        return newly;
    }

    /** The lowest original transmission SACKed below the highest SACK during one sackTag (state->reord). */
    private int reordLow;
    /** The lowest original transmission the cumulative ACK covers (tcp_clean_rtx_queue's reord). */
    private int ackedReord;

    /** tcp_sacktag_walk over one block: tcp_sacktag_one for each segment it covers. */
    private int sackTagRange(int s, int e, boolean dup, int ack, long now) {
        int newly = 0;
        for (int i = c.rtx.firstEndingAfter(s); i < c.rtx.size(); i++) {
            int rs = c.rtx.start(i), re = c.rtx.end(i);
            if (Seq.ge(rs, e)) break;
            if (Seq.lt(rs, s) || Seq.gt(re, e)) continue;
            int bits = c.rtx.bits(i);
            if (dup && (bits & RetransmitQueue.EVER_RETRANS) != 0) {
                // A D-SACK for a retransmitted segment: one retransmission fewer to wait for before undo.
                if (undoArmed && undoRetrans > 0 && Seq.gt(re, undoMarker)) undoRetrans--;
                if ((bits & RetransmitQueue.SACKED) != 0 && Seq.lt(rs, reordLow)) reordLow = rs;
            }
            if (!Seq.gt(re, ack)) continue; // acknowledged by this ACK anyway
            if ((bits & RetransmitQueue.SACKED) == 0) {
                rack.advance((bits & RetransmitQueue.EVER_RETRANS) != 0, re, c.rtx.sentNs(i), now, c.rtt.minRttUs());
                if ((bits & RetransmitQueue.EVER_RETRANS) == 0) {
                    // New SACK for a segment never retransmitted, in a hole: that is reordering.
                    if (Seq.lt(rs, highestSackSeq()) && Seq.lt(rs, reordLow)) reordLow = rs;
                    if (!Seq.gt(re, highSeq)) ackFlags |= FLAG_ORIG_SACK_ACKED;
                }
                c.rtx.setBit(i, RetransmitQueue.SACKED);
                if (Seq.gt(re, fackSeq) || c.rtx.sackedOut == 1) fackSeq = re;
                ackFlags |= FLAG_DATA_SACKED;
                newly++;
            } else if (dup && (bits & RetransmitQueue.RETRANS) != 0) {
                c.rtx.clearBit(i, RetransmitQueue.RETRANS);
            }
        }
        return newly;
    }

    /**
     * tcp_check_dsack: the first block is a D-SACK if it lies below the ACK, or inside the second
     * block. A D-SACK is believed only if it covers no more than the largest window and we have
     * retransmitted at least as many segments as the peer reported duplicates (tcp_dsack_seen).
     */
    private boolean checkDsack(InSegment seg, int priorUna) {
        int s0 = seg.sackStart[0], e0 = seg.sackEnd[0];
        if (Seq.lt(s0, seg.ack)) {
            c.stats.inc(Counter.TcpExtTCPDSACKRecv);
        } else if (seg.sackCount > 1) {
            if (Seq.gt(e0, seg.sackEnd[1]) || Seq.lt(s0, seg.sackStart[1])) return false;
            c.stats.inc(Counter.TcpExtTCPDSACKOfoRecv);
        } else {
            return false;
        }
        int segs = dsackSeen(s0, e0);
        if (segs == 0) {
            c.stats.inc(Counter.TcpExtTCPDSACKIgnoredDubious);
            return false;
        }
        c.stats.add(Counter.TcpExtTCPDSACKRecvSegs, segs);
        // D-SACK for data already forgotten (below SND.UNA): count it against the retransmissions.
        if (undoArmed && undoRetrans > 0 && !Seq.gt(e0, priorUna) && Seq.gt(e0, undoMarker)) {
            undoRetrans = Math.max(0, undoRetrans - segs);
        }
        return true;
    }

    /** tcp_dsack_seen. @return duplicate segments reported, 0 for a dubious D-SACK */
    private int dsackSeen(int s, int e) {
        if (!Seq.lt(s, e)) return 0;
        int len = Seq.diff(e, s);
        if (len > c.maxSndWnd) return 0;
        int segs = 1;
        if (len > c.mss && c.mss > 0) segs = (len + c.mss - 1) / c.mss;
        else if (c.tlpHighSeq != 0 && c.tlpHighSeq == e) ackFlags |= FLAG_DSACK_TLP;
        dsackDups += segs;
        if (dsackDups > c.totalRetrans) return 0; // "Skip the DSACK if dup segs weren't retransmitted by sender"
        // RACK widens its reordering window only for D-SACKs after reordering was seen, not for a TLP's.
        if (reordSeen > 0 && (ackFlags & FLAG_DSACK_TLP) == 0) rack.dsackSeen = true;
        ackFlags |= FLAG_DSACKING_ACK;
        dsackSegs += segs; // a spurious retransmission is delivered
        return segs;
    }

    /** tcp_is_sackblock_valid (RFC 2883 §5 for D-SACKs below SND.UNA). */
    private boolean sackBlockValid(boolean dsack, int s, int e, int una) {
        if (Seq.gt(e, c.sndNxt) || !Seq.lt(s, e)) return false;
        if (!Seq.lt(s, c.sndNxt)) return false;
        if (Seq.gt(s, una)) return true;
        if (!dsack || !undoArmed) return false;
        if (Seq.gt(e, una)) return false;
        if (!Seq.lt(s, undoMarker)) return true;
        if (!Seq.gt(e, undoMarker)) return false;
        return !Seq.lt(s, e - c.maxSndWnd);
    }

    /** tcp_highest_sack_seq: the end of the highest SACKed segment, SND.UNA when nothing is SACKed. */
    int highestSackSeq() { return c.rtx.sackedOut == 0 ? c.sndUna : fackSeq; }

    /**
     * tcp_check_sack_reordering: {@code low} was delivered below the highest SACK. The reordering
     * degree (tp->reordering, tcpi_reordering) grows to the distance in segments, up to
     * tcp_max_reordering; every such event counts in reord_seen.
     */
    private void checkSackReordering(int low, boolean ts) {
        int fack = highestSackSeq();
        if (!Seq.lt(low, fack)) return;
        int metric = Seq.diff(fack, low);
        if (c.mss > 0 && metric > (long) reordering * c.mss) {
            reordering = Math.min((metric + c.mss - 1) / c.mss, c.cfg.tcpMaxReordering);
        }
        reordSeen++;
        c.stats.inc(ts ? Counter.TcpExtTCPTSReorder : Counter.TcpExtTCPSACKReorder);
    }

    /**
     * tcp_fastretrans_alert: the congestion-avoidance state machine (Open, Disorder, CWR, Recovery,
     * Loss) on an ACK that is a duplicate, carries SACK or D-SACK information, or arrives outside the
     * Open state: undo of a reduction that proves spurious, loss detection (RACK, or three duplicate
     * ACKs without SACK), and the start of fast recovery.
     */
    private void fastretransAlert(InSegment seg, int priorUna, boolean dupAck, long now) {
        boolean advanced = (ackFlags & FLAG_SND_UNA_ADVANCED) != 0;
        // B. tcp_check_sack_reneging: the receiver dropped data it had SACKed. Give the ACKs that may
        // still come max(SRTT/2, 10 ms), then time out (tcp_timeout_mark_lost forgets every SACK mark).
        if ((ackFlags & FLAG_SACK_RENEGING) != 0 && advanced) {
            c.armRetransmitTimer(Math.max(c.rtt.srttUs() / 2, 10_000));
            ackFlags &= ~FLAG_SET_XMIT_TIMER;
            return;
        }
        // D. State exit: the recovery point was ACKed.
        if (caState == CaState.OPEN) {
            c.retransStampNs = 0;
        } else if (!Seq.lt(c.sndUna, highSeq)) {
            switch (caState) {
                case CWR -> {
                    // "CWR is to be held something *above* high_seq is ACKed for CWR bit to reach receiver."
                    if (c.sndUna != highSeq) {
                        endCwndReduction();
                        caState = CaState.OPEN;
                    }
                }
                case RECOVERY -> {
                    if (!c.sackOk) dupAcks = 0; // tcp_reset_reno_sack
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
                if (!c.sackOk && dupAck) dupAcks++; // tcp_add_reno_sack
            } else if (tryUndoPartial(seg, priorUna)) {
                return;
            }
            if (tryUndoDsack()) tryToOpen();
            identifyPacketLoss(advanced, now);
            if (caState != CaState.RECOVERY) {
                if (!timeToRecover()) return;
                // Undo reverted the recovery; loss is evident again: a new recovery.
                enterRecovery();
                fastRexmit = true;
            }
            open = false;
        } else if (caState == CaState.LOSS) {
            processLoss(seg, dupAck);
            int priorRetrans = c.rtx.retransOut;
            identifyPacketLoss(advanced, now);
            if (priorRetrans > c.rtx.retransOut) ackFlags |= FLAG_LOST_RETRANS;
            // Change state if cwnd is undone or retransmissions are lost.
            open = caState == CaState.OPEN || (ackFlags & FLAG_LOST_RETRANS) != 0;
            if (!open) return;
        } else {
            open = true;
        }
        if (open) {
            if (!c.sackOk) {
                if (advanced) dupAcks = 0; // tcp_reset_reno_sack
                if (dupAck) dupAcks++;     // tcp_add_reno_sack
            }
            if (caState == CaState.OPEN || caState == CaState.DISORDER) tryUndoDsack();
            identifyPacketLoss(advanced, now);
            if (!timeToRecover()) {
                tryToOpen();
                return;
            }
            enterRecovery();
            fastRexmit = true;
        }
        if (!rackEnabled() && c.sackOk) {
            // tcp_update_scoreboard (tcp_recovery = 0): the head is lost, and every hole with three
            // SACKed segments above it (RFC 6675 IsLost).
            if (fastRexmit) markHeadLost();
            markSackLosses();
        }
    }

    private boolean rackEnabled() { return (c.cfg.tcpRecovery & 1) != 0; }

    /**
     * tcp_identify_packet_loss: without SACK, NewReno's rule (tcp_newreno_mark_lost): the head is
     * lost after {@code reordering} duplicate ACKs, and after each partial ACK in Recovery (RFC 6582
     * §3.2); with SACK, RACK.
     */
    private void identifyPacketLoss(boolean advanced, long now) {
        if (c.rtx.isEmpty()) return;
        if (!c.sackOk) {
            if ((caState.ordinal() < CaState.RECOVERY.ordinal() && Math.min(dupAcks, Math.max(c.rtx.size() - 1, 0)) >= reordering)
                    || (caState == CaState.RECOVERY && advanced)) {
                markHeadLost();
            }
        } else if (rackEnabled()) {
            int priorRetrans = c.rtx.retransOut;
            if (rackMarkLost(now)) ackFlags &= ~FLAG_SET_XMIT_TIMER;
            if (priorRetrans > c.rtx.retransOut) ackFlags |= FLAG_LOST_RETRANS;
        }
    }

    /** tcp_time_to_recover: a loss is proven (or, without RACK, the duplicate threshold is passed). */
    private boolean timeToRecover() {
        if (c.rtx.lostOut > 0) return true;
        if (!rackEnabled()) {
            int dupackHeuristics = c.sackOk ? c.rtx.sackedOut + 1 : Math.min(dupAcks, Math.max(c.rtx.size() - 1, 0)) + 1;
            return dupackHeuristics > reordering;
        }
        return false;
    }

    /**
     * tcp_rack_mark_lost: when a delivery advanced RACK, marks what it shows lost and arms the
     * reordering timer for what may still be only reordered (RFC 8985 §6.2, §6.3).
     *
     * @return whether the reordering timer was armed
     */
    private boolean rackMarkLost(long now) {
        if (!rack.advanced) return false;
        rack.advanced = false;
        long timeoutUs = rack.detectLoss(c.rtx, now, rackReoWndUs(), c.stats);
        if (timeoutUs <= 0) return false;
        c.armReorderingTimer(timeoutUs);
        return true;
    }

    private long rackReoWndUs() {
        return rack.reoWndUs(c.cfg.tcpRecovery, reordSeen > 0,
                caState == CaState.RECOVERY || caState == CaState.LOSS, c.rtx.sackedOut, reordering,
                c.rtt.minRttUs(), c.rtt.srttUs());
    }

    /**
     * tcp_rack_reo_timeout: the reordering window ran out for segments RACK was waiting on. What it now
     * marks lost starts (or continues) fast recovery and is retransmitted (the connection rearms the
     * RTO afterwards).
     */
    void reoTimeout(long now) {
        int priorInflight = packetsInFlight();
        int priorLost = c.rtx.lostMarks;
        rack.detectLoss(c.rtx, now, rackReoWndUs(), c.stats);
        if (priorInflight != packetsInFlight()) {
            if (caState != CaState.RECOVERY) {
                enterRecovery();
                cwndReduction(1, c.rtx.lostMarks - priorLost, false);
            }
            c.xmitRetransmitQueue(now); // retransmissions only, as tcp_xmit_retransmit_queue
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
        boolean advanced = (ackFlags & FLAG_SND_UNA_ADVANCED) != 0;
        boolean recovered = !Seq.lt(c.sndUna, highSeq);
        if (advanced && tryUndoLoss(seg, false)) return;
        if (frto) {
            if ((ackFlags & FLAG_ORIG_SACK_ACKED) != 0 && tryUndoLoss(seg, true)) return;
            if (Seq.gt(c.sndNxt, highSeq)) {
                if ((ackFlags & FLAG_DATA_SACKED) != 0 || dupAck) frto = false; // step 3a: the loss was real
            } else if (advanced && !recovered) {
                highSeq = c.sndNxt;
                // Step 2b: send new data if there is any and the window takes it (REXMIT_NEW).
                if (c.sendBuf.length() > c.unsentOffset() && Seq.gt(c.sndUna + c.sndWnd, c.sndNxt)) {
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
        if (!c.sackOk) {
            // A Reno duplicate means new data from step 2b arrived: it frees room for retransmissions.
            if (Seq.gt(c.sndNxt, highSeq) && dupAck) dupAcks++;
            else if (advanced) dupAcks = 0;
        }
    }

    /**
     * tcp_enter_recovery: fast recovery starts. The reduction may be undone later (tcp_init_undo);
     * ssthresh comes from the algorithm and PRR takes cwnd down to it (tcp_init_cwnd_reduction).
     */
    private void enterRecovery() {
        if (!anyRetransDone()) c.retransStampNs = 0; // start the clock with the fast retransmit
        c.stats.inc(c.sackOk ? Counter.TcpExtTCPSackRecovery : Counter.TcpExtTCPRenoRecovery);
        c.cw.priorSsthresh = 0;
        initUndo();
        if (caState != CaState.CWR && caState != CaState.RECOVERY) {
            c.cw.priorSsthresh = currentSsthresh();
            initCwndReduction();
        }
        caState = CaState.RECOVERY;
    }

    /** tcp_current_ssthresh: the larger of ssthresh and 3/4 of cwnd, outside a reduction. */
    private int currentSsthresh() {
        if (caState == CaState.CWR || caState == CaState.RECOVERY) return c.cw.ssthresh;
        return Math.max(c.cw.ssthresh, (c.cw.cwnd >> 1) + (c.cw.cwnd >> 2));
    }

    /** tcp_init_cwnd_reduction: the recovery point, PRR's counters and the algorithm's ssthresh. */
    private void initCwndReduction() {
        highSeq = c.sndNxt;
        c.tlpHighSeq = 0;
        c.cw.cwndCnt = 0;
        priorCwnd = c.cw.cwnd;
        c.cw.priorCwnd = c.cw.cwnd;
        prrDelivered = 0;
        prrOut = 0;
        c.cw.ssthresh = c.cc.ssthresh(c.cw);
    }

    /** tcp_end_cwnd_reduction: cwnd = ssthresh at the end of CWR or of a recovery not undone. */
    private void endCwndReduction() {
        if (c.cw.ssthresh < Cwnd.INFINITE_SSTHRESH && (caState == CaState.CWR || undoArmed)) {
            c.cw.cwnd = c.cw.ssthresh;
        }
    }

    /** tcp_init_undo: remember SND.UNA and how many retransmissions must prove spurious (D-SACKed). */
    private void initUndo() {
        undoArmed = true;
        undoMarker = c.sndUna;
        undoRetrans = c.rtx.retransOut + (c.tlpHighSeq != 0 && c.tlpRetrans ? 1 : 0);
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
        if (c.retransStampNs != 0) {
            return c.tsOk && seg.hasTimestamps && seg.tsEcr != 0 && Seq.lt(seg.tsEcr, c.tsNow(c.retransStampNs));
        }
        // No retransmission yet: SND.UNA advanced, so a segment was merely delayed (SACK connections).
        return c.sackOk && c.state != TcpState.SYN_SENT;
    }

    /**
     * tcp_undo_cwnd_reduction: cwnd back to the algorithm's undo value (max(cwnd, prior cwnd)) and
     * ssthresh to what it was; with {@code unmarkLoss}, nothing is lost any more.
     */
    private void undoCwndReduction(boolean unmarkLoss) {
        if (unmarkLoss) {
            for (int i = 0; i < c.rtx.size(); i++) c.rtx.clearBit(i, RetransmitQueue.LOST);
        }
        if (c.cw.priorSsthresh != 0) {
            c.cw.cwnd = c.cc.undoCwnd(c.cw);
            if (c.cw.priorSsthresh > c.cw.ssthresh) c.cw.ssthresh = c.cw.priorSsthresh;
        }
        undoArmed = false;
        rack.advanced = true; // force RACK to re-examine losses
    }

    /** tcp_is_non_sack_preventing_reopen: Reno holds the state until data above high_seq is ACKed. */
    private boolean nonSackPreventingReopen() {
        if (c.sndUna == highSeq && !c.sackOk) {
            if (!anyRetransDone()) c.retransStampNs = 0;
            return true;
        }
        return false;
    }

    /** tcp_try_undo_recovery ("We love our President!"): the recovery point is ACKed. */
    private boolean tryUndoRecovery(InSegment seg) {
        if (mayUndo(seg)) {
            // Happy end: nothing was retransmitted, or the original transmissions arrived.
            c.stats.inc(caState == CaState.LOSS ? Counter.TcpExtTCPLossUndo : Counter.TcpExtTCPFullUndo);
            undoCwndReduction(false);
        } else if (rack.reoWndPersist > 0) {
            rack.reoWndPersist--;
        }
        if (nonSackPreventingReopen()) return true;
        caState = CaState.OPEN;
        return false;
    }

    /** tcp_try_undo_dsack: D-SACKs covered every retransmission. */
    private boolean tryUndoDsack() {
        if (undoArmed && undoRetrans == 0) {
            rack.reoWndPersist = Math.min(Rack.RECOVERY_THRESH, rack.reoWndPersist + 1);
            undoCwndReduction(false);
            c.stats.inc(Counter.TcpExtTCPDSACKUndo);
            return true;
        }
        return false;
    }

    /** tcp_try_undo_loss: in Loss, after an ACK that advances SND.UNA or an F-RTO verdict. */
    private boolean tryUndoLoss(InSegment seg, boolean frtoUndo) {
        if (frtoUndo || mayUndo(seg)) {
            undoCwndReduction(true);
            c.stats.inc(Counter.TcpExtTCPLossUndo);
            if (frtoUndo) c.stats.inc(Counter.TcpExtTCPSpuriousRTOs);
            c.retransmits = 0;
            if (nonSackPreventingReopen()) return true;
            if (frtoUndo || c.sackOk) caState = CaState.OPEN;
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
            checkSackReordering(priorUna, true);
            if (c.rtx.retransOut > 0) return true;
            if (!anyRetransDone()) c.retransStampNs = 0;
            undoCwndReduction(true);
            c.stats.inc(Counter.TcpExtTCPPartialUndo);
            tryKeepOpen();
            return true;
        }
        return false;
    }

    /** tcp_try_to_open. */
    private void tryToOpen() {
        if (!anyRetransDone()) c.retransStampNs = 0;
        if (caState != CaState.CWR) tryKeepOpen();
    }

    /** tcp_try_keep_open: Disorder while anything is SACKed, lost or retransmitted, else Open. */
    private void tryKeepOpen() {
        CaState next = c.rtx.sackedOut + c.rtx.lostOut > 0 || anyRetransDone() || (!c.sackOk && dupAcks > 0)
                ? CaState.DISORDER : CaState.OPEN;
        if (caState != next) {
            caState = next;
            highSeq = c.sndNxt;
        }
    }

    /**
     * tcp_process_tlp_ack (RFC 8985 §7.4): the episode of a retransmitted loss probe ends. If the
     * probe repaired a loss (the ACK covers it and no D-SACK says the original arrived too), cwnd
     * is reduced once, as a recovery would (CWR, cwnd = ssthresh).
     */
    private void processTlpAck(int ack, boolean dupAck) {
        if (Seq.lt(ack, c.tlpHighSeq)) return;
        if (!c.tlpRetrans) {
            c.tlpHighSeq = 0; // a probe of new data was acknowledged
        } else if ((ackFlags & FLAG_DSACK_TLP) != 0) {
            c.tlpHighSeq = 0; // the original and the probe both arrived: no loss
        } else if (Seq.gt(ack, c.tlpHighSeq)) {
            initCwndReduction();
            caState = CaState.CWR;
            endCwndReduction();
            tryKeepOpen();
            c.stats.inc(Counter.TcpExtTCPLossProbeRecovery);
        } else if (dupAck && (ackFlags & FLAG_DATA_SACKED) == 0) {
            c.tlpHighSeq = 0; // a pure duplicate: the original and the probe both arrived
        }
    }

    /** Marks the first segment lost (tcp_newreno_mark_lost, tcp_mark_head_lost), unless SACKed or already lost. */
    private void markHeadLost() {
        if (!c.rtx.isEmpty() && !c.rtx.has(0, RetransmitQueue.LOST)) c.rtx.markLost(0);
    }

    /** RFC 6675 IsLost (tcp_recovery = 0 only): a hole with at least three SACKed segments above it is lost. */
    private void markSackLosses() {
        int sackedAbove = c.rtx.sackedOut;
        for (int i = 0; i < c.rtx.size() && sackedAbove > 0; i++) {
            if (c.rtx.has(i, RetransmitQueue.SACKED)) {
                sackedAbove--;
            } else if (sackedAbove >= 3 && !c.rtx.has(i, RetransmitQueue.LOST)) {
                c.rtx.markLost(i);
            }
        }
    }

    /**
     * Linux tcp_cong_control: PRR (RFC 6937) while cwnd is being reduced (CWR, Recovery), otherwise
     * the algorithm's growth when the ACK delivered data in order (tcp_may_raise_cwnd: any forward
     * progress once reordering was seen).
     */
    private void congestionControl(boolean advanced, int delivered, int ackedPackets, long now) {
        if (caState == CaState.RECOVERY || caState == CaState.CWR) {
            cwndReduction(delivered, newlyLost, advanced);
            return;
        }
        boolean mayRaise = reordering > c.cfg.tcpReordering
                ? advanced || (ackFlags & FLAG_DATA_SACKED) != 0
                : advanced && ackedPackets > 0;
        // tcp_cong_control → tcp_cong_avoid(acked_sacked = delivered).
        if (mayRaise && delivered > 0) {
            c.cw.cwndLimited = isCwndLimited();
            c.cc.congAvoid(c.cw, delivered, now, c.rtt.srttUs());
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
        int delta = c.cw.ssthresh - inFlight;
        int sndcnt;
        if (delta < 0) {
            long dividend = (long) c.cw.ssthresh * prrDelivered + priorCwnd - 1;
            sndcnt = (int) (dividend / priorCwnd) - prrOut;
        } else {
            // Slow-start reduction bound (RFC 6937 §3.1 PRR-SSRB), as Linux tcp_cwnd_reduction: the
            // extra segment only when SND.UNA advanced and this ACK marked nothing newly lost.
            sndcnt = Math.max(prrDelivered - prrOut, delivered);
            if (advanced && lost == 0) sndcnt++;
            sndcnt = Math.min(delta, sndcnt);
        }
        sndcnt = Math.max(sndcnt, prrOut == 0 ? 1 : 0); // force a fast retransmit upon entering recovery
        c.cw.cwnd = inFlight + sndcnt;
    }

    /** tcp_is_cwnd_limited (include/net/tcp.h). */
    private boolean isCwndLimited() {
        if (c.cw.inSlowStart()) return c.cw.cwnd < 2 * c.cw.maxPacketsOut;
        return c.cw.cwndLimited;
    }

    /** Linux tcp_packets_in_flight: packets_out − (sacked_out + lost_out) + retrans_out. */
    int packetsInFlight() {
        int sacked = c.sackOk ? c.rtx.sackedOut : Math.min(dupAcks, Math.max(c.rtx.size() - 1, 0));
        return c.rtx.size() - (sacked + c.rtx.lostOut) + c.rtx.retransOut;
    }

    /**
     * tcp_skb_spurious_retrans: a retransmitted segment whose ACK echoes a timestamp older than the
     * retransmission — the original arrived.
     */
    private boolean spuriousRetrans(InSegment seg, int bits, long sentNs) {
        return (bits & RetransmitQueue.EVER_RETRANS) != 0 && c.tsOk && seg.hasTimestamps && seg.tsEcr != 0
                && Seq.lt(seg.tsEcr, c.tsNow(sentNs));
    }

    /** tcp_any_retrans_done: a retransmission is in flight, or the oldest segment was ever retransmitted. */
    private boolean anyRetransDone() {
        return c.rtx.retransOut > 0 || (!c.rtx.isEmpty() && c.rtx.has(0, RetransmitQueue.EVER_RETRANS));
    }

    /**
     * tcp_enter_loss: the RTO fired. Outstanding segments are lost (tcp_timeout_mark_lost); ssthresh
     * is reduced once per episode, and cwnd is what is still in flight plus one. F-RTO (RFC 5682
     * §3.1 step 1) then judges whether the timeout was spurious, unless a recovery was already
     * under way (other than repeated timeouts of the same segment, §3.2).
     */
    void enterLoss(long now) {
        boolean newRecovery = caState.ordinal() < CaState.RECOVERY.ordinal();
        timeoutMarkLost(now);
        if (caState.ordinal() <= CaState.DISORDER.ordinal() || !Seq.gt(highSeq, c.sndUna)
                || (caState == CaState.LOSS && c.retransmits == 0)) {
            c.cw.priorSsthresh = currentSsthresh();
            c.cw.priorCwnd = c.cw.cwnd;
            priorCwnd = c.cw.cwnd;
            c.cw.ssthresh = c.cc.ssthresh(c.cw);
            initUndo();
        }
        c.cw.cwnd = packetsInFlight() + 1;
        c.cw.cwndCnt = 0;
        // "Timeout in disordered state after receiving substantial DUPACKs suggests that the degree
        // of reordering is over-estimated."
        if (caState.ordinal() <= CaState.DISORDER.ordinal() && c.rtx.sackedOut >= c.cfg.tcpReordering) {
            reordering = Math.min(reordering, c.cfg.tcpReordering);
        }
        c.cc.onLoss(c.cw, now); // ops->set_state(TCP_CA_Loss): CUBIC resets its epoch
        caState = CaState.LOSS;
        highSeq = c.sndNxt;
        c.tlpHighSeq = 0;
        frto = c.cfg.tcpFrto != 0 && (newRecovery || c.retransmits > 0);
    }

    /**
     * tcp_timeout_mark_lost: every segment is lost, but those sent less than RACK's RTT ago (they may
     * still arrive); if the oldest is SACKed the receiver reneged, and all SACK marks are dropped.
     */
    private void timeoutMarkLost(long now) {
        if (c.rtx.isEmpty()) return;
        boolean reneg = c.rtx.has(0, RetransmitQueue.SACKED);
        if (reneg) {
            c.stats.inc(Counter.TcpExtTCPSACKReneging);
        } else if (!c.sackOk) {
            dupAcks = 0; // tcp_reset_reno_sack
        }
        for (int i = 0; i < c.rtx.size(); i++) {
            if (reneg) {
                c.rtx.clearBit(i, RetransmitQueue.SACKED);
            } else if (i > 0 && rack.rttUs - (now - c.rtx.sentNs(i)) / 1000 > 0) {
                continue; // don't mark recently sent ones lost yet
            }
            if (c.rtx.markLost(i)) c.stats.inc(Counter.TcpExtTCPLostRetransmit);
        }
    }
}
