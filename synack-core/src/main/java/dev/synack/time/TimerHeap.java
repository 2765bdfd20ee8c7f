package dev.synack.time;

import java.util.Arrays;

/**
 * The armed {@link Timer}s of one scheduler, taken in order of (deadline, arming order). The arming
 * order breaks ties, so two timers with one deadline fire in the order they were armed: the run is
 * deterministic. Nothing here allocates in steady state.
 *
 * <p>Two structures hold them, and the next timer is the smaller of their two fronts:
 * <ul>
 *   <li>a FIFO of the timers armed to fire <em>now</em> (a deadline at or before the current time: a
 *       reader woken by data, a link without delay). Time never moves back and arming orders only
 *       grow, so the FIFO is sorted by construction: O(1) in and out, no sifting.
 *   <li>a binary min-heap of the others. Each timer knows its slot, so re-arming re-keys it in place.
 *       The keys (deadline, order) sit in a {@code long[]} beside the {@code Timer[]}, so a sift's
 *       comparisons read one array instead of one timer object per step (a cache miss each when the
 *       packets in flight have pushed the timers out of the cache). (Four children per node measured
 *       2–4% slower on the lab's benchmarks, whose heaps hold tens of timers: more comparisons per level
 *       than the levels saved.)
 * </ul>
 *
 * <p>Cancelling is lazy: a cancelled timer keeps its slot, marked disarmed, and is dropped when it
 * reaches a front ({@link #peek} skips it), or re-keyed in place if it is armed again before then. A
 * connection's delayed-ACK timer is cancelled by nearly every ACK and armed again by the next segment
 * (as Linux's inet_csk_clear_xmit_timer, include/net/inet_connection_sock.h, only clears the pending
 * flag and leaves the timer_list armed); this saves the removal and the re-insertion. What the scheduler
 * observes — which timers are armed, their deadlines, the order they fire in — is the same as with
 * eager removal: only armed timers count and fire, and the firing order depends on the keys alone,
 * never on the layout. Entries left behind are bounded: the FIFO's entries are all due, so it empties
 * before any later timer fires (and is compacted when full); the heap is rebuilt when its disarmed
 * timers outnumber its armed ones (and are more than 32).
 */
final class TimerHeap {
    /** Children per heap node. */
    private static final int ARITY = 2;

    private Timer[] heap = new Timer[64];
    /** keys[2i] = the deadline of heap[i], keys[2i + 1] its arming order. */
    private long[] keys = new long[128];
    /** Heap slots in use, disarmed ones included. */
    private int size;
    /** Heap slots holding a disarmed timer. */
    private int disarmed;

    /** The due-now FIFO: a ring of timers and the arming order of each entry (an entry is current while the timer's order is still that). */
    private Timer[] due = new Timer[64];
    private long[] dueOrder = new long[64];
    private int dueHead, dueCount;

    /** Armed timers, in either structure. */
    private int armed;
    private long nextOrder;

    /** The number of armed timers. */
    int size() { return armed; }

    /**
     * Arms {@code t} for {@code deadlineNs} (at or after {@code nowNs}, which it equals for a timer due
     * now); a timer already armed is re-armed, its old deadline forgotten.
     */
    void add(Timer t, long deadlineNs, long nowNs) {
        long order = nextOrder++;
        t.deadlineNs = deadlineNs;
        t.order = order;
        if (!t.armed) {
            t.armed = true;
            armed++;
            if (t.heapIndex >= 0) disarmed--; // a cancelled timer still in the heap: re-keyed below
        }
        int i = t.heapIndex;
        if (i >= 0) {
            // Re-keying in place. The new order is the largest, so a later or equal deadline can only
            // move the timer down, an earlier one only up: the same as remove-then-insert.
            long old = keys[2 * i];
            if (deadlineNs < old) up(i, t, deadlineNs, order);
            else down(i, t, deadlineNs, order);
        } else if (deadlineNs == nowNs) {
            // Due now: after every timer armed before (an earlier deadline, or this one with a lower
            // order), before any armed after. A current entry elsewhere in the FIFO becomes stale.
            if (dueCount == due.length) compactDue();
            int tail = (dueHead + dueCount) & (due.length - 1);
            due[tail] = t;
            dueOrder[tail] = order;
            dueCount++;
        } else {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
                keys = Arrays.copyOf(keys, size * 4);
            }
            int slot = size++;
            heap[slot] = t;
            up(slot, t, deadlineNs, order);
        }
    }

    /** Disarms {@code t}; it stays where it is until it reaches a front or is armed again. */
    void remove(Timer t) {
        if (!t.armed) return;
        t.armed = false;
        armed--;
        if (t.heapIndex >= 0 && ++disarmed > 32 && disarmed > size / 2) rebuild();
    }

    /** The next armed timer (smallest deadline, then arming order), or null; drops the disarmed entries at the fronts. */
    Timer peek() {
        while (size > 0 && !heap[0].armed) removeTop();
        while (dueCount > 0 && !current(dueHead)) popDue();
        if (dueCount == 0) return size == 0 ? null : heap[0];
        Timer d = due[dueHead];
        if (size == 0) return d;
        long hd = keys[0];
        return d.deadlineNs < hd || (d.deadlineNs == hd && d.order < keys[1]) ? d : heap[0];
    }

    /**
     * Disarms {@code t}, the timer {@link #peek} returned, to fire it. From the FIFO it is taken out; at
     * the top of the heap it stays, disarmed, like a cancelled timer: a timer that re-arms itself when
     * it fires (a link's delivery timer, for its next frame) is then re-keyed in place, one sift
     * instead of a removal and an insertion, and one that does not is removed by the next peek.
     */
    void poll(Timer t) {
        if (t.heapIndex == 0) disarmed++;
        else popDue();
        t.armed = false;
        armed--;
    }

    /** Whether the FIFO entry at ring slot {@code k} is its timer's current arming (not cancelled or re-armed since). */
    private boolean current(int k) {
        Timer t = due[k];
        return t.armed && t.heapIndex < 0 && t.order == dueOrder[k];
    }

    private void popDue() {
        due[dueHead] = null;
        dueHead = (dueHead + 1) & (due.length - 1);
        dueCount--;
    }

    /** A full FIFO: keep its current entries, in order, and grow it if they still fill it. */
    private void compactDue() {
        int n = due.length, kept = 0;
        Timer[] ts = new Timer[n];
        long[] os = new long[n];
        for (int j = 0; j < dueCount; j++) {
            int k = (dueHead + j) & (n - 1);
            if (current(k)) {
                ts[kept] = due[k];
                os[kept++] = dueOrder[k];
            }
        }
        if (kept > n / 2) {
            ts = Arrays.copyOf(ts, 2 * n);
            os = Arrays.copyOf(os, 2 * n);
        }
        due = ts;
        dueOrder = os;
        dueHead = 0;
        dueCount = kept;
    }

    /** Removes heap[0] (armed or not) from the heap. */
    private void removeTop() {
        Timer top = heap[0];
        if (!top.armed) disarmed--;
        top.heapIndex = -1;
        int last = --size;
        Timer moved = heap[last];
        heap[last] = null;
        if (last > 0) {
            heap[0] = moved;
            down(0, moved, keys[2 * last], keys[2 * last + 1]);
        }
    }

    /** Drops every disarmed timer from the heap and restores the heap order (bottom-up, O(n)). */
    private void rebuild() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            Timer t = heap[i];
            if (t.armed) {
                heap[n] = t;
                keys[2 * n] = keys[2 * i];
                keys[2 * n + 1] = keys[2 * i + 1];
                t.heapIndex = n++;
            } else {
                t.heapIndex = -1;
            }
        }
        Arrays.fill(heap, n, size, null);
        size = n;
        disarmed = 0;
        for (int i = (n - 2) / ARITY; i >= 0 && n > 1; i--) down(i, heap[i], keys[2 * i], keys[2 * i + 1]);
    }

    // up and down place the moving timer (key d, o) only where it lands, and store it into heap[] only
    // if it moved: a reference store costs a GC write barrier (G1's card mark), and most re-arms leave
    // the timer where it is. Orders are unique, so two keys are never equal.

    private void up(int i, Timer t, long d, long o) {
        int start = i;
        while (i > 0) {
            int p = (i - 1) / ARITY;
            long pd = keys[2 * p];
            if (d > pd || (d == pd && o > keys[2 * p + 1])) break;
            move(p, i);
            i = p;
        }
        place(t, i, start, d, o);
    }

    private void down(int i, Timer t, long d, long o) {
        int start = i;
        while (true) {
            int c = ARITY * i + 1;
            if (c >= size) break;
            int end = Math.min(c + ARITY, size);
            int best = c;
            long bd = keys[2 * c], bo = keys[2 * c + 1];
            for (int k = c + 1; k < end; k++) {
                long kd = keys[2 * k];
                if (kd < bd || (kd == bd && keys[2 * k + 1] < bo)) {
                    best = k;
                    bd = kd;
                    bo = keys[2 * k + 1];
                }
            }
            if (bd > d || (bd == d && bo > o)) break;
            move(best, i);
            i = best;
        }
        place(t, i, start, d, o);
    }

    /** Moves the entry in slot {@code from} to slot {@code to}. */
    private void move(int from, int to) {
        Timer m = heap[from];
        heap[to] = m;
        keys[2 * to] = keys[2 * from];
        keys[2 * to + 1] = keys[2 * from + 1];
        m.heapIndex = to;
    }

    private void place(Timer t, int i, int start, long d, long o) {
        if (i != start) heap[i] = t;
        keys[2 * i] = d;
        keys[2 * i + 1] = o;
        t.heapIndex = i;
    }
}
