package dev.synack.tcp;

import java.util.Arrays;

/**
 * An ordered set of slots (small non-negative ints naming entries of an owner's parallel arrays), as an
 * AVL tree in primitive arrays: O(log n) insert, remove and searches, nothing allocated unless the
 * arrays must grow. The owner defines the order ({@link #compare}) and, for searches by a value that is
 * not in the set, a probe ({@link #compareProbe}). Nodes are relinked, never copied, so a slot keeps its
 * identity while it is in the set. Linux keeps the same kind of sets in rbtrees (the out-of-order queue,
 * the retransmission queue); this is the project's own balanced tree, not theirs.
 *
 * <p>The order must not change while a slot is in the set: remove it, change its key, insert it again.
 */
abstract class SlotTree {
    static final int NIL = -1;
    private int[] left, right;
    private byte[] height;
    private int root = NIL;
    private int size;

    /** An empty set; the arrays are made on the first insert, and grow with the highest slot inserted. */
    SlotTree() {
        left = right = new int[0];
        height = new byte[0];
    }

    /** The order: negative, zero or positive as slot {@code a}'s key is below, equal to or above {@code b}'s. */
    abstract int compare(int a, int b);

    /** Slot {@code a}'s key against the probe the caller of {@link #lastBelowProbe} and friends set up. */
    abstract int compareProbe(int a);

    final int size() { return size; }

    final boolean isEmpty() { return root == NIL; }

    /** Room for slots {@code 0..capacity-1}; keeps the set (slots keep their numbers). */
    final void ensureCapacity(int capacity) {
        if (capacity <= left.length) return;
        left = Arrays.copyOf(left, capacity);
        right = Arrays.copyOf(right, capacity);
        height = Arrays.copyOf(height, capacity);
    }

    final void clear() {
        root = NIL;
        size = 0;
    }

    /** Adds {@code slot}, which must not be in the set and whose key must differ from every member's. */
    final void insert(int slot) {
        if (slot >= left.length) ensureCapacity(Math.max(slot + 1, Math.max(16, 2 * left.length)));
        left[slot] = right[slot] = NIL;
        height[slot] = 1;
        root = insert(root, slot);
        size++;
    }

    /** Removes {@code slot}, which must be in the set. */
    final void remove(int slot) {
        root = remove(root, slot);
        size--;
    }

    /** The lowest slot, or {@link #NIL}. */
    final int first() {
        int n = root;
        if (n == NIL) return NIL;
        while (left[n] != NIL) n = left[n];
        return n;
    }

    /** The highest slot, or {@link #NIL}. */
    final int last() {
        int n = root;
        if (n == NIL) return NIL;
        while (right[n] != NIL) n = right[n];
        return n;
    }

    /** The lowest slot above {@code slot} (which need not be in the set any more), or {@link #NIL}. */
    final int higher(int slot) {
        int best = NIL;
        for (int n = root; n != NIL; ) {
            if (compare(n, slot) > 0) {
                best = n;
                n = left[n];
            } else {
                n = right[n];
            }
        }
        return best;
    }

    /** The highest slot below the probe, or {@link #NIL}. */
    final int lastBelowProbe() {
        int best = NIL;
        for (int n = root; n != NIL; ) {
            if (compareProbe(n) < 0) {
                best = n;
                n = right[n];
            } else {
                n = left[n];
            }
        }
        return best;
    }

    /** The highest slot at or below the probe, or {@link #NIL}. */
    final int lastAtOrBelowProbe() {
        int best = NIL;
        for (int n = root; n != NIL; ) {
            if (compareProbe(n) <= 0) {
                best = n;
                n = right[n];
            } else {
                n = left[n];
            }
        }
        return best;
    }

    /** The lowest slot at or above the probe, or {@link #NIL}. */
    final int firstAtOrAboveProbe() {
        int best = NIL;
        for (int n = root; n != NIL; ) {
            if (compareProbe(n) >= 0) {
                best = n;
                n = left[n];
            } else {
                n = right[n];
            }
        }
        return best;
    }

    private int h(int n) { return n == NIL ? 0 : height[n]; }

    private void fix(int n) { height[n] = (byte) (1 + Math.max(h(left[n]), h(right[n]))); }

    private int rotateRight(int n) {
        int l = left[n];
        left[n] = right[l];
        right[l] = n;
        fix(n);
        fix(l);
        return l;
    }

    private int rotateLeft(int n) {
        int r = right[n];
        right[n] = left[r];
        left[r] = n;
        fix(n);
        fix(r);
        return r;
    }

    private int balance(int n) {
        fix(n);
        int b = h(left[n]) - h(right[n]);
        if (b > 1) {
            if (h(left[left[n]]) < h(right[left[n]])) left[n] = rotateLeft(left[n]);
            return rotateRight(n);
        }
        if (b < -1) {
            if (h(right[right[n]]) < h(left[right[n]])) right[n] = rotateRight(right[n]);
            return rotateLeft(n);
        }
        return n;
    }

    private int insert(int n, int slot) {
        if (n == NIL) return slot;
        if (compare(slot, n) < 0) left[n] = insert(left[n], slot);
        else right[n] = insert(right[n], slot);
        return balance(n);
    }

    private int remove(int n, int slot) {
        if (n == NIL) throw new IllegalStateException("slot " + slot + " not in the set");
        if (n != slot) {
            if (compare(slot, n) < 0) left[n] = remove(left[n], slot);
            else right[n] = remove(right[n], slot);
            return balance(n);
        }
        int l = left[n], r = right[n];
        if (l == NIL) return r;
        if (r == NIL) return l;
        int m = r;
        while (left[m] != NIL) m = left[m];
        right[m] = removeMin(r);
        left[m] = l;
        return balance(m);
    }

    private int removeMin(int n) {
        if (left[n] == NIL) return right[n];
        left[n] = removeMin(left[n]);
        return balance(n);
    }
}
