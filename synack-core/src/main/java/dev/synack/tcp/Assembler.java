package dev.synack.tcp;

import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The out-of-order map of a TCP receiver: which sequence ranges beyond RCV.NXT have arrived, and the SACK
 * blocks that report them (RFC 2018).
 *
 * <p>Ranges are half-open {@code [start, end)} sequence numbers, kept disjoint, non-adjacent (touching
 * ranges are merged) and sorted in sequence order. All of them must lie within 2^31 of each other, which
 * holds for data inside a receive window (RFC 7323 §2.3 caps it at 2^30); comparisons use {@link Seq}, so
 * the map works across the 2^32 wrap. Linux keeps the segments themselves in an rbtree
 * ({@code tcp_data_queue_ofo()} in net/ipv4/tcp_input.c), bounded by the receive buffer's memory, and at
 * most 4 SACK blocks in {@code tp->selective_acks}; here at most {@code maxRanges} ranges are kept, each
 * stamped with the time it was last extended so that {@link #sackBlocks} can list them most recent first.
 *
 * <p>A peer chooses how many ranges there are (one-byte segments with one-byte holes between them), so
 * every operation costs O(log n) or less in the number of ranges: the ranges are slots of primitive
 * arrays, ordered by a balanced tree on their starts ({@link SlotTree}; Linux's rbtree plays this part),
 * linked newest first for the SACK blocks (so {@link #sackBlocks} reads only the blocks it returns), and
 * their byte total is kept as they change. The arrays start small and double when more ranges are held
 * at once (up to {@code maxRanges}), so steady state allocates nothing; no locks: one connection, one
 * thread.
 */
public final class Assembler {
    /** The first capacity of the arrays; they double when full, up to {@link #maxRanges}. */
    private static final int INITIAL = 32;
    private static final int NIL = SlotTree.NIL;
    /** Each slot's range, when in use. */
    private int[] starts, ends;
    /** The recency list: the next more recently and less recently extended range of each slot. */
    private int[] newer, older;
    /** The most and least recently extended ranges. */
    private int newest = NIL, oldest = NIL;
    /**
     * A slot is in the recency list when its mark equals {@link #listEpoch}; {@link #resetSack} empties
     * the list at once by moving the epoch on.
     */
    private int[] listMark;
    private int listEpoch;
    /** Free slots, a stack: {@code free[0..freeCount)}. */
    private int[] free;
    private int freeCount;
    private final Order order;
    private final int maxRanges;
    private int count;
    /** The sum of the ranges' lengths. */
    private long bytes;
    /** The last slot {@link #startAt}/{@link #endAt} found, and its index, for walks in order. */
    private int cursorIndex = -1, cursorSlot = NIL;

    /** The ranges in sequence order of their starts (disjoint, so of their ends too). */
    private final class Order extends SlotTree {
        int probe;

        Order() { super(); }

        @Override
        int compare(int a, int b) { return Integer.compare(starts[a] - starts[b], 0); }

        @Override
        int compareProbe(int a) { return Integer.compare(starts[a] - probe, 0); }
    }

    /**
     * Creates an empty map holding at most {@code maxRanges} disjoint ranges.
     *
     * @throws IllegalArgumentException if {@code maxRanges < 1}
     */
    public Assembler(int maxRanges) {
        if (maxRanges < 1) throw new IllegalArgumentException("maxRanges must be positive: " + maxRanges);
        this.maxRanges = maxRanges;
        // Made on the first range: most connections never receive out of order.
        starts = ends = newer = older = free = listMark = new int[0];
        order = new Order();
        clear();
    }

    /**
     * Records that the bytes {@code [start, end)} arrived. Ranges that overlap or touch it are merged into
     * one, and that range becomes the most recently received one: it will be the first SACK block, as
     * RFC 2018 §4 requires ("the first SACK block MUST specify the contiguous block of data containing the
     * segment which triggered this ACK"). An empty range ({@code start == end}) changes nothing.
     *
     * @return {@code false}, recording nothing, if the range touches no existing one and the map already
     *     holds {@code maxRanges} ranges (Linux would instead prune the out-of-order queue,
     *     {@code tcp_prune_ofo_queue()}; the caller drops the segment); {@code true} otherwise
     * @throws IllegalArgumentException if {@code end} is before {@code start}
     */
    public boolean add(int start, int end) {
        if (Seq.lt(end, start)) {
            throw new IllegalArgumentException("end " + Seq.unsigned(end) + " before start " + Seq.unsigned(start));
        }
        if (start == end) return true;
        // first = the first range ending at or after start (it touches or follows the new one): the last
        // range starting at or before start if it reaches start, else the one after it.
        int p = atOrBelow(start);
        int first = p != NIL && Seq.ge(ends[p], start) ? p : p == NIL ? order.first() : order.higher(p);
        if (first == NIL || Seq.gt(starts[first], end)) {
            // Disjoint from everything.
            if (count == starts.length) {
                if (count == maxRanges) return false;
                grow();
            }
            int slot = free[--freeCount];
            starts[slot] = start;
            ends[slot] = end;
            order.insert(slot);
            count++;
            bytes += Integer.toUnsignedLong(end - start);
            linkNewest(slot);
        } else {
            // The ranges from first up to the last one starting at or before end overlap or touch
            // [start, end): fold them into first. Its start only moves down past nothing (the range before
            // it ends before start), so its place in the order holds.
            int newEnd = end;
            for (int nx = order.higher(first); nx != NIL && Seq.le(starts[nx], end); nx = order.higher(first)) {
                newEnd = Seq.max(newEnd, ends[nx]);
                release(nx);
            }
            bytes -= Integer.toUnsignedLong(ends[first] - starts[first]);
            starts[first] = Seq.min(start, starts[first]);
            ends[first] = Seq.max(newEnd, ends[first]);
            bytes += Integer.toUnsignedLong(ends[first] - starts[first]);
            unlink(first);
            linkNewest(first);
        }
        cursorSlot = NIL;
        return true;
    }

    /**
     * Moves RCV.NXT over data that is now contiguous: called after in-order data advanced RCV.NXT to
     * {@code rcvNxt} (RFC 9293 §3.10.7.4; Linux {@code tcp_ofo_queue()}). Ranges ending at or before
     * {@code rcvNxt} are dropped; if the first remaining range starts at or before {@code rcvNxt}, it is
     * removed too and its end is returned.
     *
     * @return the new RCV.NXT: the end of the contiguous run from {@code rcvNxt}, or {@code rcvNxt} itself
     */
    public int advance(int rcvNxt) {
        int f;
        while ((f = order.first()) != NIL && Seq.le(ends[f], rcvNxt)) release(f);
        int next = rcvNxt;
        // Ranges never touch, so at most one range can start at or before rcvNxt and end after it.
        if (f != NIL && Seq.le(starts[f], rcvNxt)) {
            next = ends[f];
            release(f);
        }
        return next;
    }

    /**
     * Fills up to {@code max} SACK blocks, most recent first (RFC 2018 §4): the first block is the range
     * that contains the most recently added data, the following ones are the other ranges in the order they
     * were last extended, newest first. With timestamps there is room for 3 blocks, without for 4
     * (Linux {@code tcp_established_options()}); the caller chooses {@code max}.
     *
     * <p>Ranges not added to or extended since the last {@link #resetSack} are not reported.
     *
     * @param starts receives the left edges
     * @param ends receives the right edges (the first sequence number after each block)
     * @return the number of blocks written, at most {@code min(max, rangeCount())}
     * @throws IllegalArgumentException if {@code max} is negative or larger than either array
     */
    public int sackBlocks(int[] starts, int[] ends, int max) {
        if (max < 0 || max > starts.length || max > ends.length) {
            throw new IllegalArgumentException("max " + max + " does not fit the arrays");
        }
        int n = 0;
        for (int s = newest; s != NIL && n < max; s = older[s], n++) {
            starts[n] = this.starts[s];
            ends[n] = this.ends[s];
        }
        return n;
    }

    /**
     * Whether {@code [start, end)} is already held entirely, so that a segment carrying it is a duplicate to
     * report with a D-SACK block (RFC 2883 §4; Linux {@code tcp_dsack_set()} in {@code tcp_data_queue_ofo()}).
     * An empty range is trivially held.
     */
    public boolean contains(int start, int end) {
        if (start == end) return true;
        // Only the last range starting at or before start can hold it (the ones before end earlier).
        int p = atOrBelow(start);
        return p != NIL && Seq.le(end, ends[p]);
    }

    /** Whether no out-of-order data is held. */
    public boolean isEmpty() { return count == 0; }

    /** The number of disjoint ranges held. */
    public int rangeCount() { return count; }

    /** The most ranges this map holds. */
    public int maxRanges() { return maxRanges; }

    /**
     * The start of the lowest range (the one nearest RCV.NXT).
     *
     * @throws NoSuchElementException if empty
     */
    public int firstStart() {
        if (count == 0) throw new NoSuchElementException("no out-of-order data");
        return starts[order.first()];
    }

    /**
     * The start of the {@code i}-th range in sequence order, for inspection (a walk in order costs
     * O(log n) a step).
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < rangeCount()}
     */
    public int startAt(int i) { return starts[slotAt(i)]; }

    /**
     * The end (exclusive) of the {@code i}-th range in sequence order, for inspection.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < rangeCount()}
     */
    public int endAt(int i) { return ends[slotAt(i)]; }

    /**
     * The total number of out-of-order bytes held, for Recv-Q style accounting (Linux counts the
     * out-of-order queue against the receive buffer, {@code tcp_try_rmem_schedule()}).
     */
    public long bytes() { return bytes; }

    /**
     * Removes up to {@code maxBytes} bytes from the top of the highest range, which disappears when
     * emptied: Linux's {@code tcp_prune_ofo_queue()} frees out-of-order data from the highest sequence
     * down when the receive buffer's memory is exhausted.
     *
     * @return the number of bytes removed, 0 if the map is empty
     * @throws IllegalArgumentException if {@code maxBytes < 0}
     */
    public int trimHighest(int maxBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("negative byte count: " + maxBytes);
        if (count == 0) return 0;
        int last = order.last();
        long len = Integer.toUnsignedLong(ends[last] - starts[last]);
        if (maxBytes >= len) {
            release(last);
            return (int) len;
        }
        ends[last] -= maxBytes; // its start, so its place in the order, stays
        bytes -= maxBytes;
        return maxBytes;
    }

    /**
     * Forgets which ranges the SACK blocks reported, keeping the ranges: {@link #sackBlocks} lists only
     * ranges added or extended afterwards, as Linux's {@code tcp_sack_reset()} empties
     * {@code tp->selective_acks} (after {@code tcp_prune_ofo_queue()}) while the out-of-order queue
     * keeps its data. O(1).
     */
    public void resetSack() {
        listEpoch++;
        newest = oldest = NIL;
    }

    /** Forgets every range (as Linux purges {@code out_of_order_queue} in {@code tcp_disconnect()}). */
    public void clear() {
        order.clear();
        count = 0;
        bytes = 0;
        listEpoch++;
        newest = oldest = NIL;
        freeCount = 0;
        for (int s = starts.length - 1; s >= 0; s--) free[freeCount++] = s;
        cursorSlot = NIL;
    }

    /** The last range starting at or before {@code seq}, or NIL. */
    private int atOrBelow(int seq) {
        order.probe = seq;
        return order.lastAtOrBelowProbe();
    }

    private int slotAt(int i) {
        Objects.checkIndex(i, count);
        int s;
        if (cursorSlot != NIL && i == cursorIndex) s = cursorSlot;
        else if (cursorSlot != NIL && i == cursorIndex + 1) s = order.higher(cursorSlot);
        else {
            s = order.first();
            for (int k = 0; k < i; k++) s = order.higher(s);
        }
        cursorIndex = i;
        cursorSlot = s;
        return s;
    }

    /** Takes a range out of the map and frees its slot. */
    private void release(int slot) {
        order.remove(slot);
        unlink(slot);
        bytes -= Integer.toUnsignedLong(ends[slot] - starts[slot]);
        count--;
        free[freeCount++] = slot;
        cursorSlot = NIL;
    }

    private void linkNewest(int slot) {
        listMark[slot] = listEpoch;
        newer[slot] = NIL;
        older[slot] = newest;
        if (newest != NIL) newer[newest] = slot;
        else oldest = slot;
        newest = slot;
    }

    /** Takes a range out of the recency list, if it is in it. */
    private void unlink(int slot) {
        if (listMark[slot] != listEpoch) return;
        listMark[slot] = listEpoch - 1;
        int n = newer[slot], o = older[slot];
        if (n != NIL) older[n] = o;
        else newest = o;
        if (o != NIL) newer[o] = n;
        else oldest = n;
    }

    /** Doubles the slots (up to maxRanges); every slot in use is full, so the new ones are all free. */
    private void grow() {
        int old = starts.length;
        int n = (int) Math.min(maxRanges, Math.max(INITIAL, 2L * old));
        starts = Arrays.copyOf(starts, n);
        ends = Arrays.copyOf(ends, n);
        newer = Arrays.copyOf(newer, n);
        older = Arrays.copyOf(older, n);
        free = Arrays.copyOf(free, n);
        listMark = Arrays.copyOf(listMark, n);
        for (int s = old; s < n; s++) listMark[s] = listEpoch - 1;
        for (int s = n - 1; s >= old; s--) free[freeCount++] = s;
    }

    @Override
    public String toString() {
        var sb = new StringBuilder("Assembler[");
        int i = 0;
        for (int s = order.first(); s != NIL; s = order.higher(s), i++) {
            if (i > 0) sb.append(", ");
            sb.append(Seq.unsigned(starts[s])).append('-').append(Seq.unsigned(ends[s]));
        }
        return sb.append(']').toString();
    }
}
