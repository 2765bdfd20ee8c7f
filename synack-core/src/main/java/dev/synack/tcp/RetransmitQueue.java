package dev.synack.tcp;

import java.util.Arrays;

/**
 * The segments sent and not yet cumulatively acknowledged, oldest first, with the scoreboard Linux
 * keeps in each skb's {@code sacked} bits (include/net/tcp.h TCPCB_SACKED_ACKED, TCPCB_LOST,
 * TCPCB_SACKED_RETRANS, TCPCB_EVER_RETRANS). Parallel primitive arrays in a ring: no allocation per
 * segment. One entry is one segment on the wire (one "packet" in Linux's counts).
 *
 * <p>A peer chooses which segments it SACKs, so the walks that used to scan the queue are indexed
 * (Linux has the same needs and answers them with the rbtree of the rtx queue, the time-sorted
 * {@code tsorted_sent_queue} and {@code retransmit_skb_hint}; these structures are the project's own):
 * <ul>
 *   <li>RACK's candidates — entries not SACKed and not lost-and-waiting — in the order they were last
 *       sent ({@link #firstByTime}, {@link #nextByTime}, {@link #lastSentBefore}): a balanced tree on
 *       (transmission time, end), as Linux's tsorted_sent_queue with its SACKed and lost skbs unlinked;
 *   <li>the entries to retransmit — lost, not SACKed, not retransmitted — in sequence order
 *       ({@link #firstPending}, {@link #nextPending}): a tree that changes only while something is lost;
 *   <li>the next entry not SACKed ({@link #nextUnsacked}): a SACKed entry points past itself, and the
 *       pointers are shortened as they are followed (union-find with path compression), so a SACK block
 *       over a long SACKed run jumps it.
 * </ul>
 */
final class RetransmitQueue {
    static final int SACKED = 1, LOST = 2, RETRANS = 4, EVER_RETRANS = 8;
    /** Segment flags carried by an entry: the SYN and FIN it holds. */
    static final int F_SYN = 16, F_FIN = 32;
    /** The segment carries PSH (the end of an application write, Linux TCPHDR_PSH on the skb). */
    static final int F_PSH = 64;
    /**
     * The segment was the last of the TSO packet it first left in (tso_fragment cut the skb there): a
     * retransmission of the segments before it may go as one packet with it, not past it.
     */
    static final int F_PKT_END = 128;
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
    /**
     * Next-not-SACKed pointers by slot: an entry not SACKed (and the free slot after the last entry)
     * points to itself, a SACKed one to a later slot. Rebuilt when a SACK mark goes (reneging); made
     * on the first SACK (null before: no connection pays for it that never sees one).
     */
    private int[] unsackedLink;
    private boolean unsackedLinksStale = true;
    private final TimeOrder byTime = new TimeOrder();
    /**
     * The newest entries, not put in {@link #byTime} yet: the last {@code unindexed} entries, sent in
     * the order they were queued, after everything in the tree, none of them SACKed, lost or resent. In
     * bulk transfer (nothing SACKed or lost) every entry comes and goes this way and the tree stays
     * empty; the first change to one of them moves them all into the tree.
     */
    private int unindexed;
    private final EndOrder pending = new EndOrder();

    /** RACK's candidates by (transmission time, end): tcp_skb_sent_after's order. */
    private final class TimeOrder extends SlotTree {
        long probeNs;
        int probeEnd;

        TimeOrder() { super(); }

        @Override
        int compare(int a, int b) {
            int c = Long.compare(sentNs[a], sentNs[b]);
            return c != 0 ? c : Integer.compare(end[a] - end[b], 0);
        }

        @Override
        int compareProbe(int a) {
            int c = Long.compare(sentNs[a], probeNs);
            return c != 0 ? c : Integer.compare(end[a] - probeEnd, 0);
        }
    }

    /** Entries by sequence (their ends, which never change). */
    private final class EndOrder extends SlotTree {
        EndOrder() { super(); }

        @Override
        int compare(int a, int b) { return Integer.compare(end[a] - end[b], 0); }

        @Override
        int compareProbe(int a) { throw new UnsupportedOperationException(); }
    }

    /** Whether RACK looks at an entry: not SACKed, and not marked lost while waiting for its retransmission. */
    private static boolean rackCandidate(int b) {
        return (b & SACKED) == 0 && (b & (LOST | RETRANS)) != LOST;
    }

    /** Whether an entry waits to be retransmitted: lost, not SACKed, not retransmitted since. */
    private static boolean pendingRetransmit(int b) { return (b & (LOST | RETRANS | SACKED)) == LOST; }

    /** Sets an entry's bits, keeping the indexes true (its time is unchanged). */
    private void setBits(int j, int nb) {
        int ob = bits[j];
        if (ob == nb) return;
        if (indexOf(j) >= size - unindexed) indexNewest();
        bits[j] = nb;
        boolean wasCandidate = rackCandidate(ob), isCandidate = rackCandidate(nb);
        if (wasCandidate != isCandidate) {
            if (isCandidate) index(byTime, j);
            else byTime.remove(j);
        }
        boolean wasPending = pendingRetransmit(ob), isPending = pendingRetransmit(nb);
        if (wasPending != isPending) {
            if (isPending) index(pending, j);
            else pending.remove(j);
        }
        if ((ob & SACKED) == 0 && (nb & SACKED) != 0) {
            if (!unsackedLinksStale) unsackedLink[j] = (j + 1) & (start.length - 1);
        } else if ((ob & SACKED) != 0 && (nb & SACKED) == 0) {
            unsackedLinksStale = true;
        }
    }

    /** Sets an entry's transmission time, keeping RACK's order true. */
    private void setSentNs(int j, long ns) {
        if (sentNs[j] == ns) return;
        indexNewest(); // its new time may come after theirs
        boolean indexed = rackCandidate(bits[j]);
        if (indexed) byTime.remove(j);
        sentNs[j] = ns;
        if (indexed) index(byTime, j);
    }

    /** Puts slot {@code j} into an index, whose arrays are made (or grown) to the ring's size at once. */
    private void index(SlotTree tree, int j) {
        tree.ensureCapacity(start.length);
        tree.insert(j);
    }

    private int indexOf(int slot) { return (slot - head) & (start.length - 1); }

    /** Puts the newest entries into {@link #byTime} (see {@link #unindexed}). */
    private void indexNewest() {
        for (int i = size - unindexed; i < size; i++) index(byTime, idx(i));
        unindexed = 0;
    }

    /**
     * The first entry at index {@code i} or later that is not SACKED ({@link #size()} if none): what a
     * SACK block's walk needs to see (tcp_sacktag_walk skips what is already SACKed).
     */
    int nextUnsacked(int i) {
        if (i >= size) return size;
        if (unsackedLinksStale) relinkUnsacked();
        int j = idx(i), root = j;
        while (unsackedLink[root] != root) root = unsackedLink[root];
        while (j != root) {
            int next = unsackedLink[j];
            unsackedLink[j] = root;
            j = next;
        }
        return indexOf(root);
    }

    private void relinkUnsacked() {
        if (unsackedLink == null || unsackedLink.length != start.length) unsackedLink = new int[start.length];
        int mask = start.length - 1;
        for (int i = 0; i <= size; i++) {
            int j = idx(i);
            unsackedLink[j] = i < size && (bits[j] & SACKED) != 0 ? (j + 1) & mask : j;
        }
        unsackedLinksStale = false;
    }

    /** The RACK candidate sent earliest (ties: lowest end), or -1. */
    int firstByTime() {
        int j = byTime.first();
        if (j != SlotTree.NIL) return indexOf(j);
        return unindexed > 0 ? size - unindexed : -1;
    }

    /** The RACK candidate sent after entry {@code i} in (time, end) order, or -1; entry i need not be a candidate. */
    int nextByTime(int i) {
        int firstNew = size - unindexed;
        if (i >= firstNew) return i + 1 < size ? i + 1 : -1;
        int j = byTime.higher(idx(i));
        if (j != SlotTree.NIL) return indexOf(j);
        return unindexed > 0 ? firstNew : -1;
    }

    /** The last RACK candidate sent before ({@code ns}, {@code endSeq}) in tcp_skb_sent_after's order, or -1. */
    int lastSentBefore(long ns, int endSeq) {
        int lo = size - unindexed, hi = size; // the newest entries are in order: binary search them first
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Rack.sentAfter(ns, sentNs(mid), endSeq, end(mid))) lo = mid + 1;
            else hi = mid;
        }
        if (lo > size - unindexed) return lo - 1;
        byTime.probeNs = ns;
        byTime.probeEnd = endSeq;
        int j = byTime.lastBelowProbe();
        return j == SlotTree.NIL ? -1 : indexOf(j);
    }

    /** The lowest entry waiting for its retransmission (lost, not SACKed, not retransmitted), or -1. */
    int firstPending() {
        int j = pending.first();
        return j == SlotTree.NIL ? -1 : indexOf(j);
    }

    /** The next entry after entry {@code i} waiting for its retransmission, or -1; entry i need not wait. */
    int nextPending(int i) {
        int j = pending.higher(idx(i));
        return j == SlotTree.NIL ? -1 : indexOf(j);
    }

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

    /** Queues a segment sent now; {@code flags} are segment flags and EVER_RETRANS, never SACKED or LOST. */
    void add(int s, int e, int flags, long nowNs) {
        if ((flags & (SACKED | LOST)) != 0) throw new IllegalArgumentException("a new entry is SACKed or lost: " + flags);
        if (size + 1 == start.length) grow(); // one slot stays free: the end of the next-not-SACKed links
        int j = idx(size);
        start[j] = s;
        end[j] = e;
        bits[j] = flags;
        sentNs[j] = nowNs;
        size++;
        unindexed++; // a RACK candidate, sent after everything queued: see unindexed
        if (!unsackedLinksStale) {
            int after = idx(size);
            unsackedLink[j] = j;
            unsackedLink[after] = after;
        }
    }

    /** Marks entry i as retransmitted now. */
    void retransmitted(int i, long nowNs) {
        int j = idx(i);
        if ((bits[j] & RETRANS) == 0) retransOut++;
        setSentNs(j, nowNs);
        setBits(j, bits[j] | RETRANS | EVER_RETRANS);
    }

    /** A retransmission of entry i was attempted but never left (local congestion): EVER_RETRANS only. */
    void setEverRetrans(int i) {
        int j = idx(i);
        setBits(j, bits[j] | EVER_RETRANS);
    }

    /**
     * A tail loss probe resent entry i now (__tcp_retransmit_skb without tcp_retransmit_skb's
     * accounting): EVER_RETRANS and a new transmission time, but not counted in retrans_out.
     */
    void probed(int i, long nowNs) {
        int j = idx(i);
        setSentNs(j, nowNs);
        setBits(j, bits[j] | EVER_RETRANS);
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
            setBits(j, (b & ~CAUSE_MASK) | LOST | cause);
            lostOut++;
            lostMarks++;
            return false;
        }
        if ((b & RETRANS) == 0) return false;
        setBits(j, (b & ~(RETRANS | CAUSE_MASK)) | cause);
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
            setBits(j, bits[j] & ~(LOST | RETRANS));
        } else if (bit == LOST) {
            if ((bits[j] & SACKED) != 0) return;
            lostOut++;
            lostMarks++;
        } else if (bit == RETRANS) {
            retransOut++;
        }
        setBits(j, bits[j] | bit);
    }

    void clearBit(int i, int bit) {
        int j = idx(i);
        if ((bits[j] & bit) == 0) return;
        if (bit == LOST && (bits[j] & SACKED) == 0) lostOut--;
        if (bit == RETRANS && (bits[j] & SACKED) == 0) retransOut--;
        if (bit == SACKED) sackedOut--;
        setBits(j, bits[j] & ~bit);
    }

    /** Removes the oldest entry, keeping the counters true. */
    int removeFirst() {
        int j = head;
        int b = bits[j];
        if (unindexed == size) unindexed--;
        else if (rackCandidate(b)) byTime.remove(j);
        if (pendingRetransmit(b)) pending.remove(j);
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
        byTime.clear();
        unindexed = 0;
        pending.clear();
        unsackedLinksStale = true;
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
        // The slots moved: index them again (O(n log n) per doubling).
        unsackedLinksStale = true;
        byTime.clear();
        pending.clear();
        for (int i = 0; i < size; i++) {
            if (i < size - unindexed && rackCandidate(bits[i])) index(byTime, i);
            if (pendingRetransmit(bits[i])) index(pending, i);
        }
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
