package dev.synack.tcp;

import dev.synack.stats.Counter;
import dev.synack.stats.Counters;

/**
 * RACK, time-based loss detection (RFC 8985 §6), as Linux runs it (net/ipv4/tcp_recovery.c, struct
 * tcp_rack in include/linux/tcp.h): a segment is lost when a segment sent after it has been delivered
 * and more than one RTT plus a reordering window has passed since it was sent.
 *
 * <p>Linux's departures from the RFC, followed here: the reordering window is 0 while no reordering
 * has been seen, in Recovery or once {@code sacked_out ≥ reordering} (the RFC keeps min_RTT/4; Linux
 * "is aggressive" then, tcp_rack_reo_wnd); the window grows by min_RTT/4 per round with D-SACKs only
 * after reordering was seen (tcp_dsack_seen), and persists for 16 recoveries
 * (TCP_RACK_RECOVERY_THRESH), not the RFC's 16 rounds.
 *
 * <p>The retransmission queue keeps RACK's candidates in the order they were sent, as Linux's
 * tsorted_sent_queue (see {@link RetransmitQueue#firstByTime}), so a loss check looks only at what it
 * marks, plus one search.
 */
final class Rack {
    /** TCP_RACK_RECOVERY_THRESH (include/net/tcp.h): recoveries a widened reordering window lasts. */
    static final int RECOVERY_THRESH = 16;
    /** tcp_recovery bit 1, TCP_RACK_STATIC_REO_WND: never adapt the reordering window to D-SACKs. */
    static final int STATIC_REO_WND = 0x2;
    /** tcp_recovery bit 2, TCP_RACK_NO_DUPTHRESH: keep the reordering window at the duplicate threshold. */
    static final int NO_DUPTHRESH = 0x4;

    /** Transmission time and end of the latest-sent segment known delivered (rack.mstamp, end_seq); -1 none. */
    private long xmitNs = -1;
    private int endSeq;
    /** RTT of the segment that last advanced RACK (rack.rtt_us). */
    private long rttUs;
    /** A delivery advanced RACK since the last loss check (rack.advanced). */
    private boolean advanced;
    /** The reordering window in units of min_RTT/4 (rack.reo_wnd_steps), 1..255. */
    private int reoWndSteps = 1;
    /** Recoveries left before the window goes back to one step (rack.reo_wnd_persist). */
    private int reoWndPersist;
    /** A D-SACK arrived after reordering was seen (rack.dsack_seen). */
    private boolean dsackSeen;
    /** When the window last grew (Linux keeps tp->delivered then, rack.last_delivered). */
    private long adjustedNs;

    /** RTT of the segment that last advanced RACK (rack.rtt_us), in µs. */
    long rttUs() { return rttUs; }

    /** RACK's reference, for the tests' model of the loss check: its transmission time (-1 none) and end. */
    long xmitNsForTest() { return xmitNs; }

    int endSeqForTest() { return endSeq; }

    /** Whether a delivery advanced RACK since the last loss check; clears the mark (tcp_rack_mark_lost). */
    boolean takeAdvanced() {
        boolean a = advanced;
        advanced = false;
        return a;
    }

    /** tcp_undo_cwnd_reduction: "force RACK to re-examine losses, as if a delivery advanced it". */
    void forceRecheck() { advanced = true; }

    /** tcp_dsack_seen: a D-SACK arrived after reordering was seen (rack.dsack_seen). */
    void dsackSeen() { dsackSeen = true; }

    /** tcp_try_undo_recovery without undo: one recovery fewer for a widened window to last. */
    void recoveryEnded() {
        if (reoWndPersist > 0) reoWndPersist--;
    }

    /** tcp_try_undo_dsack: the widened window lasts one more recovery, up to {@link #RECOVERY_THRESH}. */
    void undoneByDsack() { reoWndPersist = Math.min(RECOVERY_THRESH, reoWndPersist + 1); }

    /** tcp_skb_sent_after: sent at t1 (ending at seq1) after t2 (ending at seq2); ties go by sequence. */
    static boolean sentAfter(long t1, long t2, int seq1, int seq2) {
        return t1 > t2 || (t1 == t2 && Seq.gt(seq1, seq2));
    }

    /**
     * tcp_rack_advance: a segment sent at {@code sentNs} was delivered (ACKed or SACKed) now. If it was
     * ever retransmitted and its RTT is below min_RTT, the delivery may be of the original
     * transmission, so it says nothing (RFC 8985 §6.2 step 2).
     */
    void advance(boolean everRetrans, int end, long sentNs, long nowNs, long minRttUs) {
        long rtt = (nowNs - sentNs) / 1000;
        if (everRetrans && rtt < minRttUs) return;
        advanced = true;
        rttUs = rtt;
        if (xmitNs < 0 || sentAfter(sentNs, xmitNs, end, endSeq)) {
            xmitNs = sentNs;
            endSeq = end;
        }
    }

    /** tcp_rack_reo_wnd: the reordering window now, in µs. */
    long reoWndUs(int recoveryBits, boolean reordSeen, boolean inRecoveryOrLoss, int sackedOut, int reordering,
                  long minRttUs, long srttUs) {
        if (!reordSeen) {
            // "If reordering has not been observed, be aggressive during the recovery or starting the
            // recovery by DUPACK threshold."
            if (inRecoveryOrLoss) return 0;
            if (sackedOut >= reordering && (recoveryBits & NO_DUPTHRESH) == 0) return 0;
        }
        if (minRttUs == Long.MAX_VALUE) minRttUs = 0;
        return Math.min((minRttUs >> 2) * reoWndSteps, srttUs);
    }

    /**
     * tcp_rack_detect_loss: marks lost every segment, not SACKed and not already lost and waiting for
     * its retransmission, that was sent before RACK's reference and more than {@code rttUs + reoWndUs}
     * ago; a lost retransmission loses its RETRANS mark, so it is sent again (tcp_mark_skb_lost).
     *
     * @param cause what marks them ({@link RetransmitQueue#LOST_BY_RACK} or {@link RetransmitQueue#LOST_BY_REO_TIMER})
     * @return the longest time (µs) a segment sent before the reference still has before it counts as
     *     lost, 0 if none: the reordering timer's timeout
     */
    long detectLoss(RetransmitQueue rtx, long nowNs, long reoWndUs, Counters stats, int cause) {
        if (xmitNs < 0) return 0;
        // The candidates in the order they were sent (tcp_rack_detect_loss walks tsorted_sent_queue): those
        // sent before the reference come first. The time left, rttUs + reoWndUs − their age, only grows
        // along this order, so the ones to mark are a prefix, and once one still has time left, the last
        // one sent before the reference has the most: no need to walk the rest (Linux walks them).
        for (int i = rtx.firstByTime(); i >= 0; ) {
            long sent = rtx.sentNs(i);
            if (!sentAfter(xmitNs, sent, endSeq, rtx.end(i))) return 0; // the rest were sent after the reference
            long remaining = rttUs + reoWndUs - (nowNs - sent) / 1000;
            if (remaining > 0) {
                int last = rtx.lastSentBefore(xmitNs, endSeq);
                return rttUs + reoWndUs - (nowNs - rtx.sentNs(last)) / 1000;
            }
            int next = rtx.nextByTime(i);
            if (rtx.markLost(i, cause)) stats.inc(Counter.TcpExtTCPLostRetransmit);
            i = next;
        }
        return 0;
    }

    /**
     * tcp_rack_update_reo_wnd, on every ACK that delivers data: a D-SACK seen (after reordering, and at
     * least a round after the window last grew) widens the window by one step for
     * {@link #RECOVERY_THRESH} recoveries; otherwise the window returns to one step once that
     * persistence ran out. Linux tells "a round after" by tp->delivered counts; we tell it by time: the
     * latest segment delivered was sent after the window grew.
     */
    void updateReoWnd(int recoveryBits, boolean deliveredData, long nowNs) {
        if ((recoveryBits & STATIC_REO_WND) != 0 || !deliveredData) return;
        // Disregard a D-SACK if an RTT has not passed since the window was adjusted.
        if (xmitNs < adjustedNs) dsackSeen = false;
        if (dsackSeen) {
            reoWndSteps = Math.min(0xFF, reoWndSteps + 1);
            dsackSeen = false;
            adjustedNs = nowNs;
            reoWndPersist = RECOVERY_THRESH;
        } else if (reoWndPersist == 0) {
            reoWndSteps = 1;
        }
    }
}
