package dev.synack.tcp;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The out-of-order map as it was before it was made a tree (sorted arrays, linear scans, a recency
 * stamp per range): slow with many ranges, simple to check by eye, and the model
 * {@link AssemblerModelProperties} compares {@link Assembler} with, operation by operation.
 */
final class ReferenceAssembler {
    /** The first capacity of the arrays; they double when full, up to {@link #maxRanges}. */
    private static final int INITIAL = 32;
    private int[] starts;
    private int[] ends;
    /** When each range last grew, from {@link #clock}; unique, larger = more recent. */
    private long[] stamps;
    private final int maxRanges;
    private int count;
    private long clock;

    /**
     * Creates an empty map holding at most {@code maxRanges} disjoint ranges.
     *
     * @throws IllegalArgumentException if {@code maxRanges < 1}
     */
    ReferenceAssembler(int maxRanges) {
        if (maxRanges < 1) throw new IllegalArgumentException("maxRanges must be positive: " + maxRanges);
        this.maxRanges = maxRanges;
        int n = Math.min(maxRanges, INITIAL);
        starts = new int[n];
        ends = new int[n];
        stamps = new long[n];
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
        // first = the first range ending at or after start (it touches or follows the new one);
        // last  = the last range starting at or before end (it touches or precedes the new one).
        int lo = 0, hi = count; // ranges are sorted and disjoint: binary search for `first`
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Seq.lt(ends[mid], start)) lo = mid + 1;
            else hi = mid;
        }
        int first = lo;
        int last = first - 1;
        while (last + 1 < count && Seq.le(starts[last + 1], end)) last++;
        if (first > last) {
            // Disjoint from everything: insert at `first`.
            if (count == starts.length) {
                if (count == maxRanges) return false;
                grow();
            }
            shift(first, first + 1, count - first);
            count++;
            starts[first] = start;
            ends[first] = end;
        } else {
            // Ranges first..last all overlap or touch [start, end): fold them into `first`.
            starts[first] = Seq.min(start, starts[first]);
            ends[first] = Seq.max(end, ends[last]);
            int merged = last - first;
            shift(last + 1, first + 1, count - last - 1);
            count -= merged;
        }
        stamps[first] = ++clock;
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
        int drop = 0;
        while (drop < count && Seq.le(ends[drop], rcvNxt)) drop++;
        int next = rcvNxt;
        // Ranges never touch, so at most one range can start at or before rcvNxt and end after it.
        if (drop < count && Seq.le(starts[drop], rcvNxt)) {
            next = ends[drop];
            drop++;
        }
        if (drop > 0) {
            shift(drop, 0, count - drop);
            count -= drop;
        }
        return next;
    }

    /**
     * Fills up to {@code max} SACK blocks, most recent first (RFC 2018 §4): the first block is the range
     * that contains the most recently added data, the following ones are the other ranges in the order they
     * were last extended, newest first. With timestamps there is room for 3 blocks, without for 4
     * (Linux {@code tcp_established_options()}); the caller chooses {@code max}.
     *
     * @param starts receives the left edges
     * @param ends receives the right edges (the first sequence number after each block)
     * @return the number of blocks written, {@code min(max, rangeCount())}
     * @throws IllegalArgumentException if {@code max} is negative or larger than either array
     */
    public int sackBlocks(int[] starts, int[] ends, int max) {
        if (max < 0 || max > starts.length || max > ends.length) {
            throw new IllegalArgumentException("max " + max + " does not fit the arrays");
        }
        int n = Math.min(max, count);
        long below = Long.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            // Pick the newest range older than the previous pick: O(n * max) with n <= maxRanges, no sort.
            int best = -1;
            for (int i = 0; i < count; i++) {
                if (stamps[i] > 0 && stamps[i] < below && (best < 0 || stamps[i] > stamps[best])) best = i;
            }
            if (best < 0) return k; // the rest were not reported since resetSack
            starts[k] = this.starts[best];
            ends[k] = this.ends[best];
            below = stamps[best];
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
        for (int i = 0; i < count && Seq.le(starts[i], start); i++) {
            if (Seq.le(end, ends[i])) return true;
        }
        return false;
    }

    /** Whether no out-of-order data is held. */
    public boolean isEmpty() { return count == 0; }

    /** The number of disjoint ranges held. */
    public int rangeCount() { return count; }

    /** The most ranges this map holds. */
    public int maxRanges() { return maxRanges; }

    private void grow() {
        int n = (int) Math.min(maxRanges, 2L * starts.length);
        starts = java.util.Arrays.copyOf(starts, n);
        ends = java.util.Arrays.copyOf(ends, n);
        stamps = java.util.Arrays.copyOf(stamps, n);
    }

    /**
     * The start of the lowest range (the one nearest RCV.NXT).
     *
     * @throws NoSuchElementException if empty
     */
    public int firstStart() {
        if (count == 0) throw new NoSuchElementException("no out-of-order data");
        return starts[0];
    }

    /**
     * The start of the {@code i}-th range in sequence order, for inspection.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < rangeCount()}
     */
    public int startAt(int i) {
        Objects.checkIndex(i, count);
        return starts[i];
    }

    /**
     * The end (exclusive) of the {@code i}-th range in sequence order, for inspection.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= i < rangeCount()}
     */
    public int endAt(int i) {
        Objects.checkIndex(i, count);
        return ends[i];
    }

    /**
     * The total number of out-of-order bytes held, for Recv-Q style accounting (Linux counts the
     * out-of-order queue against the receive buffer, {@code tcp_try_rmem_schedule()}).
     */
    public long bytes() {
        long total = 0;
        for (int i = 0; i < count; i++) total += Integer.toUnsignedLong(ends[i] - starts[i]);
        return total;
    }

    /** Removes up to maxBytes from the top of the highest range (tcp_prune_ofo_queue). */
    public int trimHighest(int maxBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("negative byte count: " + maxBytes);
        if (count == 0) return 0;
        int last = count - 1;
        long len = Integer.toUnsignedLong(ends[last] - starts[last]);
        if (maxBytes >= len) {
            count--;
            return (int) len;
        }
        ends[last] -= maxBytes;
        return maxBytes;
    }

    /** Reports no range in SACK blocks until it is added to again (tcp_sack_reset). */
    public void resetSack() {
        java.util.Arrays.fill(stamps, 0, count, 0L);
    }

    /** Forgets every range (as Linux purges {@code out_of_order_queue} in {@code tcp_disconnect()}). */
    public void clear() {
        count = 0;
    }

    /** Moves {@code n} ranges (edges and stamps) from index {@code from} to index {@code to}. */
    private void shift(int from, int to, int n) {
        if (n <= 0) return;
        System.arraycopy(starts, from, starts, to, n);
        System.arraycopy(ends, from, ends, to, n);
        System.arraycopy(stamps, from, stamps, to, n);
    }

    @Override
    public String toString() {
        var sb = new StringBuilder("ReferenceAssembler[");
        for (int i = 0; i < count; i++) {
            if (i > 0) sb.append(", ");
            sb.append(Seq.unsigned(starts[i])).append('-').append(Seq.unsigned(ends[i]));
        }
        return sb.append(']').toString();
    }
}
