package dev.synack.sim;

/**
 * An IPv4 address → small non-negative int map (a node's address → the index of its port), open
 * addressing with linear probing, so that the per-packet "is this one of my addresses" costs a hash
 * and a probe or two instead of a walk over a hub's hundred ports. Entries are only added.
 */
final class AddressIndex {
    private int[] keys = new int[8];
    /** The value + 1 of each slot; 0 marks an empty slot (any int, 0.0.0.0 included, is a key). */
    private int[] values = new int[8];
    private int size;

    /** The value of {@code addr}, or -1. */
    int get(int addr) {
        int mask = keys.length - 1;
        for (int i = slot(addr, mask); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == 0) return -1;
            if (keys[i] == addr) return v - 1;
        }
    }

    /** Maps {@code addr} to {@code value} (≥ 0) unless it is mapped already: the first one stays. */
    void putIfAbsent(int addr, int value) {
        if (value < 0) throw new IllegalArgumentException("negative value " + value);
        if (get(addr) >= 0) return;
        if (2 * (size + 1) > keys.length) grow(); // at most half full: probes stay short
        insert(addr, value);
        size++;
    }

    int size() { return size; }

    private void insert(int addr, int value) {
        int mask = keys.length - 1;
        int i = slot(addr, mask);
        while (values[i] != 0) i = (i + 1) & mask;
        keys[i] = addr;
        values[i] = value + 1;
    }

    private void grow() {
        int[] oldKeys = keys, oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) if (oldValues[i] != 0) insert(oldKeys[i], oldValues[i] - 1);
    }

    /** Fibonacci hashing: addresses of one prefix differ in their low bits, which the multiply spreads. */
    private static int slot(int addr, int mask) { return (addr * 0x9E37_79B9 >>> 16) & mask; }
}
