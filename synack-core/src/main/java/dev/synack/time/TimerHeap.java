package dev.synack.time;

import java.util.Arrays;

/**
 * A binary min-heap of {@link Timer}s ordered by (deadline, arming order). The arming order breaks
 * ties, so two timers with one deadline fire in the order they were armed: the run is deterministic.
 * Timers know their own index, so cancel and re-arm are O(log n) and allocate nothing.
 */
final class TimerHeap {
    private Timer[] heap = new Timer[64];
    private int size;
    private long nextOrder;

    int size() { return size; }

    Timer peek() { return size == 0 ? null : heap[0]; }

    void add(Timer t, long deadlineNs) {
        if (t.heapIndex >= 0) {
            // Re-arming: change the key in place. Its new order is the largest, so a later or equal
            // deadline can only move it down, an earlier one only up. The firing order depends on the
            // keys alone, never on the heap's layout, so this is the same as remove-then-insert.
            long old = t.deadlineNs;
            t.deadlineNs = deadlineNs;
            t.order = nextOrder++;
            if (deadlineNs < old) up(t.heapIndex);
            else down(t.heapIndex);
            return;
        }
        t.deadlineNs = deadlineNs;
        t.order = nextOrder++;
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = t;
        t.heapIndex = size;
        size++;
        up(t.heapIndex);
    }

    void remove(Timer t) {
        int i = t.heapIndex;
        if (i < 0) return;
        size--;
        Timer last = heap[size];
        heap[size] = null;
        t.heapIndex = -1;
        if (i != size) {
            heap[i] = last;
            last.heapIndex = i;
            up(i);
            down(last.heapIndex);
        }
    }

    Timer poll() {
        Timer t = heap[0];
        remove(t);
        return t;
    }

    private static boolean less(Timer a, Timer b) {
        return a.deadlineNs < b.deadlineNs || (a.deadlineNs == b.deadlineNs && a.order < b.order);
    }

    // up and down store the moving timer only where it lands, and not at all when it stays: a
    // reference store into the array costs a GC write barrier (G1's card mark), and most re-arms and
    // cancels leave the timer where it is.
    private void up(int i) {
        Timer t = heap[i];
        int start = i;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            Timer parent = heap[p];
            if (!less(t, parent)) break;
            heap[i] = parent;
            parent.heapIndex = i;
            i = p;
        }
        if (i != start) heap[i] = t;
        t.heapIndex = i;
    }

    private void down(int i) {
        Timer t = heap[i];
        int start = i;
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) break;
            if (c + 1 < size && less(heap[c + 1], heap[c])) c++;
            Timer child = heap[c];
            if (!less(child, t)) break;
            heap[i] = child;
            child.heapIndex = i;
            i = c;
        }
        if (i != start) heap[i] = t;
        t.heapIndex = i;
    }
}
