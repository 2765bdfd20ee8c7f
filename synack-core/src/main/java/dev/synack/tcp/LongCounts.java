package dev.synack.tcp;

/**
 * A count per {@code long} key, in an open-addressing table of primitives: O(1) expected per call, no
 * allocation unless the table grows. Keys with a count of 0 are absent. Used by the demux to answer
 * "is this port (or this port towards this peer) in use?" without walking every connection.
 */
final class LongCounts {
    private long[] keys = new long[16];
    private int[] counts = new int[16];
    private int size;

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    /** The count of {@code key}, 0 if absent. */
    int get(long key) {
        int mask = keys.length - 1;
        for (int i = hash(key) & mask; counts[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == key) return counts[i];
        }
        return 0;
    }

    void increment(long key) {
        if ((size + 1) * 2 > keys.length) rehash(keys.length * 2);
        int mask = keys.length - 1;
        int i = hash(key) & mask;
        for (; counts[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == key) {
                counts[i]++;
                return;
            }
        }
        keys[i] = key;
        counts[i] = 1;
        size++;
    }

    /** Decrements {@code key}'s count, which must be positive; at 0 the key goes. */
    void decrement(long key) {
        int mask = keys.length - 1;
        for (int i = hash(key) & mask; counts[i] != 0; i = (i + 1) & mask) {
            if (keys[i] != key) continue;
            if (--counts[i] == 0) {
                size--;
                deleteAt(i);
            }
            return;
        }
        throw new IllegalStateException("no count for " + key);
    }

    void clear() {
        keys = new long[16];
        counts = new int[16];
        size = 0;
    }

    private void rehash(int capacity) {
        long[] ok = keys;
        int[] oc = counts;
        keys = new long[capacity];
        counts = new int[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < ok.length; j++) {
            if (oc[j] == 0) continue;
            int i = hash(ok[j]) & mask;
            while (counts[i] != 0) i = (i + 1) & mask;
            keys[i] = ok[j];
            counts[i] = oc[j];
        }
    }

    /** Linear probing deletion by backward shift (Knuth 6.4 Algorithm R), as {@link ConnTable}. */
    private void deleteAt(int i) {
        int mask = keys.length - 1;
        counts[i] = 0;
        for (int j = (i + 1) & mask; counts[j] != 0; j = (j + 1) & mask) {
            int home = hash(keys[j]) & mask;
            boolean inRange = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!inRange) {
                keys[i] = keys[j];
                counts[i] = counts[j];
                counts[j] = 0;
                i = j;
            }
        }
    }
}
