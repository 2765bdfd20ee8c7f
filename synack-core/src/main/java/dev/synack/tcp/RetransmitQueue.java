package dev.synack.tcp;

import java.util.Arrays;

/**
 * The segments sent and not yet cumulatively acknowledged, oldest first, with the scoreboard Linux
 * keeps in each skb's {@code sacked} bits (include/net/tcp.h TCPCB_SACKED_ACKED, TCPCB_LOST,
 * TCPCB_SACKED_RETRANS, TCPCB_EVER_RETRANS). Parallel primitive arrays in a ring: no allocation per
 * segment. One entry is one segment on the wire (one "packet" in Linux's counts).
 */
final class RetransmitQueue {
    static final int SACKED = 1, LOST = 2, RETRANS = 4, EVER_RETRANS = 8;
    /** Segment flags carried by an entry: the SYN and FIN it holds. */
    static final int F_SYN = 16, F_FIN = 32;
    /** The segment carries PSH (the end of an application write, Linux TCPHDR_PSH on the skb). */
    static final int F_PSH = 64;
    /**
     * What last marked the entry lost (three bits, for the retransmission's {@link SendReason}; Linux
     * keeps no such mark): the RTO (tcp_timeout_mark_lost), RACK on an ACK or on its reordering timer,
     * NewReno's duplicate ACKs or partial ACK (tcp_newreno_mark_lost), RFC 6675's SACK rule.
     */
    static final int CAUSE_MASK = 7 << 8, LOST_BY_RTO = 0, LOST_BY_RACK = 1 << 8, LOST_BY_REO_TIMER = 2 << 8,
            LOST_BY_DUPACKS = 3 << 8, LOST_BY_PARTIAL_ACK = 4 << 8, LOST_BY_SACK = 5 << 8;

    private int[] start = new int[64], end = new int[64], bits = new int[64];
    private long[] sentNs = new long[64];
    private int head, size;

    /** Counters over the entries, as Linux's tp->sacked_out, lost_out, retrans_out. */
    int sackedOut, lostOut, retransOut;
    /** How many times an entry has been marked lost, ever (newly_lost in Linux is a difference of this). */
    int lostMarks;

    int size() { return size; }

    boolean isEmpty() { return size == 0; }

    private int idx(int i) { return (head + i) & (start.length - 1); }

    int start(int i) { return start[idx(i)]; }

    int end(int i) { return end[idx(i)]; }

    int bits(int i) { return bits[idx(i)]; }

    long sentNs(int i) { return sentNs[idx(i)]; }

    boolean has(int i, int bit) { return (bits[idx(i)] & bit) != 0; }

    /** The index of the first entry ending after {@code seq} ({@link #size()} if none): a binary search. */
    int firstEndingAfter(int seq) {
        int lo = 0, hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Seq.gt(end(mid), seq)) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    void add(int s, int e, int flags, long nowNs) {
        if (size == start.length) grow();
        int j = idx(size);
        start[j] = s;
        end[j] = e;
        bits[j] = flags;
        sentNs[j] = nowNs;
        size++;
    }

    /** Marks entry i as retransmitted now. */
    void retransmitted(int i, long nowNs) {
        int j = idx(i);
        if ((bits[j] & RETRANS) == 0) retransOut++;
        bits[j] |= RETRANS | EVER_RETRANS;
        sentNs[j] = nowNs;
    }

    /** A retransmission of entry i was attempted but never left (local congestion): EVER_RETRANS only. */
    void setEverRetrans(int i) { bits[idx(i)] |= EVER_RETRANS; }

    /**
     * A tail loss probe resent entry i now (__tcp_retransmit_skb without tcp_retransmit_skb's
     * accounting): EVER_RETRANS and a new transmission time, but not counted in retrans_out.
     */
    void probed(int i, long nowNs) {
        int j = idx(i);
        bits[j] |= EVER_RETRANS;
        sentNs[j] = nowNs;
    }

    /**
     * tcp_mark_skb_lost: a segment not SACKed becomes lost; one already lost whose retransmission is
     * in flight has lost that retransmission too, and loses its RETRANS mark so it goes again.
     * {@code cause} ({@link #LOST_BY_RTO}, ...) is remembered with the mark.
     *
     * @return whether a retransmission was lost (LINUX_MIB_TCPLOSTRETRANSMIT)
     */
    boolean markLost(int i, int cause) {
        int j = idx(i);
        int b = bits[j];
        if ((b & SACKED) != 0) return false;
        if ((b & LOST) == 0) {
            bits[j] = (b & ~CAUSE_MASK) | LOST | cause;
            lostOut++;
            lostMarks++;
            return false;
        }
        if ((b & RETRANS) == 0) return false;
        bits[j] = (b & ~(RETRANS | CAUSE_MASK)) | cause;
        retransOut--;
        lostMarks++;
        return true;
    }

    void setBit(int i, int bit) {
        int j = idx(i);
        if ((bits[j] & bit) != 0) return;
        if (bit == SACKED) {
            // tcp_sacktag_one: a SACKed segment is neither lost nor a retransmission in flight; both marks
            // go with their counts, so un-SACKing it on reneging (tcp_timeout_mark_lost) starts clean.
            sackedOut++;
            if ((bits[j] & LOST) != 0) lostOut--;
            if ((bits[j] & RETRANS) != 0) retransOut--;
            bits[j] &= ~(LOST | RETRANS);
        } else if (bit == LOST) {
            if ((bits[j] & SACKED) != 0) return;
            lostOut++;
            lostMarks++;
        } else if (bit == RETRANS) {
            retransOut++;
        }
        bits[j] |= bit;
    }

    void clearBit(int i, int bit) {
        int j = idx(i);
        if ((bits[j] & bit) == 0) return;
        if (bit == LOST && (bits[j] & SACKED) == 0) lostOut--;
        if (bit == RETRANS && (bits[j] & SACKED) == 0) retransOut--;
        if (bit == SACKED) sackedOut--;
        bits[j] &= ~bit;
    }

    /** Removes the oldest entry, keeping the counters true. */
    int removeFirst() {
        int j = head;
        int b = bits[j];
        if ((b & SACKED) != 0) sackedOut--;
        else {
            if ((b & LOST) != 0) lostOut--;
            if ((b & RETRANS) != 0) retransOut--;
        }
        head = (head + 1) & (start.length - 1);
        size--;
        return b;
    }

    /** Trims the oldest entry's start to {@code s} (a partial ACK inside it). */
    void trimFirst(int s) { start[head] = s; }

    void clear() {
        head = size = 0;
        sackedOut = lostOut = retransOut = 0;
    }

    private void grow() {
        int n = start.length;
        int[] s2 = new int[n * 2], e2 = new int[n * 2], b2 = new int[n * 2];
        long[] t2 = new long[n * 2];
        for (int i = 0; i < size; i++) {
            int j = idx(i);
            s2[i] = start[j];
            e2[i] = end[j];
            b2[i] = bits[j];
            t2[i] = sentNs[j];
        }
        start = s2;
        end = e2;
        bits = b2;
        sentNs = t2;
        head = 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : " ").append(Seq.unsigned(start(i))).append('-').append(Seq.unsigned(end(i)));
            int b = bits(i);
            if ((b & SACKED) != 0) sb.append('S');
            if ((b & LOST) != 0) sb.append('L');
            if ((b & RETRANS) != 0) sb.append('R');
        }
        return sb.append(']').toString() + Arrays.toString(new int[] {sackedOut, lostOut, retransOut});
    }
}
