package dev.synack.tcp;

import static dev.synack.tcp.AckSample.FLAG_DATA_SACKED;
import static dev.synack.tcp.AckSample.FLAG_DSACKING_ACK;
import static dev.synack.tcp.AckSample.FLAG_DSACK_TLP;
import static dev.synack.tcp.AckSample.FLAG_ORIG_SACK_ACKED;
import static dev.synack.tcp.AckSample.FLAG_SACK_RENEGING;
import static dev.synack.tcp.AckSample.FLAG_SET_XMIT_TIMER;

import dev.synack.stats.Counter;

/**
 * What the peer's ACKs say about each segment in flight (net/ipv4/tcp_input.c): SACK blocks tagged
 * onto the retransmission queue (RFC 2018; tcp_sacktag_write_queue), D-SACKs judged and counted
 * (RFC 2883; tcp_check_dsack, tcp_dsack_seen), the segments a cumulative ACK removes
 * (tcp_clean_rtx_queue's per-skb part), RACK advanced by every delivery, and the reordering degree
 * learned from deliveries below the highest SACK (tcp_check_sack_reordering: tp->reordering,
 * tcpi_reordering, tcpi_reord_seen). The marks themselves live in the {@link RetransmitQueue}; the
 * ACK's findings go into its {@link AckSample}.
 */
final class SackScoreboard {
    private final TcpConnection c;
    private final Tcb t;
    /** End of the highest SACKed segment, while anything is SACKed (see {@link #highestSackSeq}). */
    private int fackSeq;
    /** The lowest original transmission SACKed below the highest SACK during one tag (state->reord). */
    private int reordLow;
    /** The reordering degree in segments (tp->reordering, tcpi_reordering), from sysctl tcp_reordering. */
    private int reordering;
    /** Reordering events seen (tp->reord_seen, tcpi_reord_seen). */
    private int reordSeen;
    /** Duplicate segments the peer reported with D-SACKs (tp->dsack_dups, tcpi_dsack_dups). */
    private int dsackDups;

    SackScoreboard(TcpConnection c) {
        this.c = c;
        this.t = c.t;
        this.reordering = t.cfg.tcpReordering;
    }

    int reordering() { return reordering; }

    int reordSeen() { return reordSeen; }

    int dsackDups() { return dsackDups; }

    /**
     * tcp_enter_loss: "Timeout in disordered state after receiving substantial DUPACKs suggests that
     * the degree of reordering is over-estimated."
     */
    void limitReordering(int max) { reordering = Math.min(reordering, max); }

    /** tcp_highest_sack_seq: the end of the highest SACKed segment, SND.UNA when nothing is SACKed. */
    int highestSackSeq() { return t.rtx.sackedOut == 0 ? t.sndUna : fackSeq; }

    /**
     * tcp_sacktag_write_queue: checks the first block for a D-SACK (RFC 2883, tcp_check_dsack), then
     * marks the segments the valid blocks cover, in sequence order, advancing RACK and noticing
     * reordering (an original transmission SACKed below the highest SACK, tcp_check_sack_reordering).
     *
     * @return newly SACKed packets
     */
    int tag(InSegment seg, AckSample ack, long nowNs) {
        int priorUna = ack.priorUna;
        int una = Seq.gt(seg.ack, t.sndUna) ? seg.ack : t.sndUna; // SND.UNA as updated by this ACK
        boolean dsack = checkDsack(seg, ack);
        reordLow = t.sndNxt;
        int newly = 0;
        int n = 0;
        int[] sackOrderStart = t.demux.scratch.orderStarts, sackOrderEnd = t.demux.scratch.orderEnds;
        for (int b = 0; b < seg.sackCount; b++) {
            int s = seg.sackStart[b], e = seg.sackEnd[b];
            boolean dup = b == 0 && dsack;
            if (!sackBlockValid(dup, s, e, una)) continue;
            if (!Seq.gt(e, priorUna)) continue; // very old (a D-SACK below SND.UNA was counted above)
            if (dup) {
                newly += tagRange(s, e, true, una, ack, nowNs);
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
        for (int b = 0; b < n; b++) newly += tagRange(sackOrderStart[b], sackOrderEnd[b], false, una, ack, nowNs);
        if (!c.rec.inLoss() || c.rec.undoArmed()) checkSackReordering(reordLow, false);
        return newly;
    }

    /** tcp_sacktag_walk over one block: tcp_sacktag_one for each segment it covers. */
    private int tagRange(int s, int e, boolean dup, int una, AckSample ack, long nowNs) {
        int newly = 0;
        // A SACKed entry changes nothing for a plain SACK block, so those jump over SACKed runs (Linux
        // collapses SACKed skbs and skips by its SACK cache); a D-SACK walks every entry it covers.
        int from = t.rtx.firstEndingAfter(s);
        for (int i = dup ? from : t.rtx.nextUnsacked(from); i < t.rtx.size(); i = dup ? i + 1 : t.rtx.nextUnsacked(i + 1)) {
            int rs = t.rtx.start(i), re = t.rtx.end(i);
            if (Seq.ge(rs, e)) break;
            if (Seq.lt(rs, s) || Seq.gt(re, e)) continue;
            int bits = t.rtx.bits(i);
            if (dup && (bits & RetransmitQueue.EVER_RETRANS) != 0) {
                // A D-SACK for a retransmitted segment: one retransmission fewer to wait for before undo.
                c.rec.dsackedRetransmission(re);
                if ((bits & RetransmitQueue.SACKED) != 0 && Seq.lt(rs, reordLow)) reordLow = rs;
            }
            if (!Seq.gt(re, una)) continue; // acknowledged by this ACK anyway
            if ((bits & RetransmitQueue.SACKED) == 0) {
                c.rack.advance((bits & RetransmitQueue.EVER_RETRANS) != 0, re, t.rtx.sentNs(i), nowNs, t.rtt.minRttUs());
                if ((bits & RetransmitQueue.EVER_RETRANS) == 0) {
                    // New SACK for a segment never retransmitted, in a hole: that is reordering.
                    if (Seq.lt(rs, highestSackSeq()) && Seq.lt(rs, reordLow)) reordLow = rs;
                    if (!Seq.gt(re, c.rec.highSeq())) ack.set(FLAG_ORIG_SACK_ACKED);
                }
                t.rtx.setBit(i, RetransmitQueue.SACKED);
                if (Seq.gt(re, fackSeq) || t.rtx.sackedOut == 1) fackSeq = re;
                ack.set(FLAG_DATA_SACKED);
                newly++;
            } else if (dup && (bits & RetransmitQueue.RETRANS) != 0) {
                t.rtx.clearBit(i, RetransmitQueue.RETRANS);
            }
        }
        return newly;
    }

    /**
     * tcp_check_dsack: the first block is a D-SACK if it lies below the ACK, or inside the second
     * block. A D-SACK is believed only if it covers no more than the largest window and we have
     * retransmitted at least as many segments as the peer reported duplicates (tcp_dsack_seen).
     */
    private boolean checkDsack(InSegment seg, AckSample ack) {
        int s0 = seg.sackStart[0], e0 = seg.sackEnd[0];
        if (Seq.lt(s0, seg.ack)) {
            t.stats.inc(Counter.TcpExtTCPDSACKRecv);
        } else if (seg.sackCount > 1) {
            if (Seq.gt(e0, seg.sackEnd[1]) || Seq.lt(s0, seg.sackStart[1])) return false;
            t.stats.inc(Counter.TcpExtTCPDSACKOfoRecv);
        } else {
            return false;
        }
        int segs = dsackSeen(s0, e0, ack);
        if (segs == 0) {
            t.stats.inc(Counter.TcpExtTCPDSACKIgnoredDubious);
            return false;
        }
        t.stats.add(Counter.TcpExtTCPDSACKRecvSegs, segs);
        c.rec.dsackedBelowUna(e0, ack.priorUna, segs);
        return true;
    }

    /** tcp_dsack_seen. @return duplicate segments reported, 0 for a dubious D-SACK */
    private int dsackSeen(int s, int e, AckSample ack) {
        if (!Seq.lt(s, e)) return 0;
        int len = Seq.diff(e, s);
        if (len > t.maxSndWnd) return 0;
        int segs = 1;
        if (len > t.mss && t.mss > 0) segs = (len + t.mss - 1) / t.mss;
        else if (c.tlp.highSeq() != 0 && c.tlp.highSeq() == e) ack.set(FLAG_DSACK_TLP);
        dsackDups += segs;
        if (dsackDups > t.totalRetrans) return 0; // "Skip the DSACK if dup segs weren't retransmitted by sender"
        // RACK widens its reordering window only for D-SACKs after reordering was seen, not for a TLP's.
        if (reordSeen > 0 && !ack.has(FLAG_DSACK_TLP)) c.rack.dsackSeen();
        ack.set(FLAG_DSACKING_ACK);
        ack.dsackSegs += segs; // a spurious retransmission is delivered
        return segs;
    }

    /** tcp_is_sackblock_valid (RFC 2883 §5 for D-SACKs below SND.UNA). */
    private boolean sackBlockValid(boolean dsack, int s, int e, int una) {
        if (Seq.gt(e, t.sndNxt) || !Seq.lt(s, e)) return false;
        if (!Seq.lt(s, t.sndNxt)) return false;
        if (Seq.gt(s, una)) return true;
        if (!dsack || !c.rec.undoArmed()) return false;
        if (Seq.gt(e, una)) return false;
        int undoMarker = c.rec.undoMarker();
        if (!Seq.lt(s, undoMarker)) return true;
        if (!Seq.gt(e, undoMarker)) return false;
        return !Seq.lt(s, e - t.maxSndWnd);
    }

    /**
     * tcp_clean_rtx_queue, for each segment the cumulative ACK removes: RACK advances (unless the ACK
     * is for the original of a retransmitted segment, tcp_skb_spurious_retrans), and an original
     * transmission below the highest SACK is reordering (and, for F-RTO, evidence the timeout was
     * spurious).
     */
    void cumulativelyAcked(int bits, int start, int end, long sentNs, InSegment seg, AckSample ack, long nowNs) {
        if ((bits & (RetransmitQueue.EVER_RETRANS | RetransmitQueue.SACKED)) == 0) {
            if (Seq.lt(start, ack.ackedReord)) ack.ackedReord = start;
            if (!Seq.gt(end, c.rec.highSeq())) ack.set(FLAG_ORIG_SACK_ACKED);
        }
        if (t.sackOk && (bits & RetransmitQueue.SACKED) == 0 && !spuriousRetrans(seg, bits, sentNs)) {
            c.rack.advance((bits & RetransmitQueue.EVER_RETRANS) != 0, end, sentNs, nowNs, t.rtt.minRttUs());
        }
    }

    /**
     * The end of tcp_clean_rtx_queue once it removed something: the timer is to be set
     * (FLAG_SET_XMIT_TIMER); an ACK stopping just below a SACKed segment means the receiver reneged
     * (FLAG_SACK_RENEGING); and "a non-retransmitted hole got filled? That's reordering."
     */
    void cumulativeAckDone(AckSample ack, int priorFack) {
        if (ack.ackedPackets == 0) return;
        ack.set(FLAG_SET_XMIT_TIMER);
        if (t.sackOk && !t.rtx.isEmpty() && t.rtx.has(0, RetransmitQueue.SACKED)) ack.set(FLAG_SACK_RENEGING);
        if (t.sackOk && Seq.lt(ack.ackedReord, priorFack)) checkSackReordering(ack.ackedReord, false);
    }

    /**
     * tcp_check_sack_reordering: {@code low} was delivered below the highest SACK. The reordering
     * degree grows to the distance in segments, up to tcp_max_reordering; every such event counts in
     * reord_seen ({@code ts}: shown by timestamps, Eifel, rather than by SACK).
     */
    void checkSackReordering(int low, boolean ts) {
        int fack = highestSackSeq();
        if (!Seq.lt(low, fack)) return;
        int metric = Seq.diff(fack, low);
        if (t.mss > 0 && metric > (long) reordering * t.mss) {
            reordering = Math.min((metric + t.mss - 1) / t.mss, t.cfg.tcpMaxReordering);
        }
        reordSeen++;
        t.stats.inc(ts ? Counter.TcpExtTCPTSReorder : Counter.TcpExtTCPSACKReorder);
    }

    /**
     * tcp_skb_spurious_retrans: a retransmitted segment whose ACK echoes a timestamp older than the
     * retransmission — the original arrived.
     */
    private boolean spuriousRetrans(InSegment seg, int bits, long sentNs) {
        return (bits & RetransmitQueue.EVER_RETRANS) != 0 && t.tsOk && seg.hasTimestamps && seg.tsEcr != 0
                && Seq.lt(seg.tsEcr, t.tsNow(sentNs));
    }
}
