package dev.synack.tcp;

import java.util.LinkedHashSet;
import java.util.SequencedCollection;

/**
 * Demultiplexing of established 4-tuples to connections: an open-addressing hash table keyed by
 * primitives, so a lookup per segment allocates nothing. Iteration order (for listings) is insertion
 * order, kept in a separate linked set, so nothing depends on hash order and a removal is O(1). Counts
 * of the local ports in use, alone and towards each peer, answer the port allocator's questions in
 * O(1) (Linux's bind hash buckets, inet_bind_bucket, play this part).
 */
final class ConnTable {
    private long[] k1 = new long[64];
    private int[] k2 = new int[64];
    private TcpConnection[] vals = new TcpConnection[64];
    private int size;
    private final LinkedHashSet<TcpConnection> order = new LinkedHashSet<>();
    /** Connections per local port, and per (local port, remote address, remote port). */
    private final LongCounts byPort = new LongCounts(), byPortAndPeer = new LongCounts();

    private static long peerKey(int localPort, int remoteAddr, int remotePort) {
        return ((long) localPort << 48) | ((remoteAddr & 0xFFFF_FFFFL) << 16) | (remotePort & 0xFFFF);
    }

    /** Whether a connection uses local port {@code port}. */
    boolean portInUse(int port) { return byPort.get(port) > 0; }

    /** Whether a connection goes from local port {@code port} to {@code remoteAddr:remotePort} (any local address). */
    boolean portInUse(int port, int remoteAddr, int remotePort) {
        return byPortAndPeer.get(peerKey(port, remoteAddr, remotePort)) > 0;
    }

    private static long key1(int localAddr, int remoteAddr) { return ((long) localAddr << 32) | (remoteAddr & 0xFFFF_FFFFL); }

    private static int key2(int localPort, int remotePort) { return (localPort << 16) | (remotePort & 0xFFFF); }

    private static int hash(long a, int b) {
        long h = a * 0x9E3779B97F4A7C15L ^ (b * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    TcpConnection get(int localAddr, int localPort, int remoteAddr, int remotePort) {
        long a = key1(localAddr, remoteAddr);
        int b = key2(localPort, remotePort);
        int mask = vals.length - 1;
        for (int i = hash(a, b) & mask; ; i = (i + 1) & mask) {
            TcpConnection v = vals[i];
            if (v == null) return null;
            if (k1[i] == a && k2[i] == b) return v;
        }
    }

    void put(TcpConnection c) {
        if ((size + 1) * 2 > vals.length) rehash(vals.length * 2);
        long a = key1(c.localAddr(), c.remoteAddr());
        int b = key2(c.localPort(), c.remotePort());
        int mask = vals.length - 1;
        for (int i = hash(a, b) & mask; ; i = (i + 1) & mask) {
            if (vals[i] == null) {
                vals[i] = c;
                k1[i] = a;
                k2[i] = b;
                size++;
                order.add(c);
                byPort.increment(c.localPort());
                byPortAndPeer.increment(peerKey(c.localPort(), c.remoteAddr(), c.remotePort()));
                return;
            }
        }
    }

    boolean remove(TcpConnection c) {
        long a = key1(c.localAddr(), c.remoteAddr());
        int b = key2(c.localPort(), c.remotePort());
        int mask = vals.length - 1;
        for (int i = hash(a, b) & mask; ; i = (i + 1) & mask) {
            TcpConnection v = vals[i];
            if (v == null) return false;
            if (v == c) {
                deleteAt(i);
                size--;
                order.remove(c);
                byPort.decrement(c.localPort());
                byPortAndPeer.decrement(peerKey(c.localPort(), c.remoteAddr(), c.remotePort()));
                return true;
            }
        }
    }

    int size() { return size; }

    /** The connections in the order they were added. */
    SequencedCollection<TcpConnection> all() { return order; }

    void clear() {
        vals = new TcpConnection[64];
        k1 = new long[64];
        k2 = new int[64];
        size = 0;
        order.clear();
        byPort.clear();
        byPortAndPeer.clear();
    }

    private void rehash(int capacity) {
        TcpConnection[] old = vals;
        long[] o1 = k1;
        int[] o2 = k2;
        vals = new TcpConnection[capacity];
        k1 = new long[capacity];
        k2 = new int[capacity];
        size = 0;
        int mask = capacity - 1;
        for (int j = 0; j < old.length; j++) {
            TcpConnection v = old[j];
            if (v == null) continue;
            for (int i = hash(o1[j], o2[j]) & mask; ; i = (i + 1) & mask) {
                if (vals[i] == null) {
                    vals[i] = v;
                    k1[i] = o1[j];
                    k2[i] = o2[j];
                    size++;
                    break;
                }
            }
        }
    }

    /** Linear probing deletion by backward shift (Knuth 6.4 Algorithm R): no tombstones. */
    private void deleteAt(int i) {
        int mask = vals.length - 1;
        vals[i] = null;
        for (int j = (i + 1) & mask; vals[j] != null; j = (j + 1) & mask) {
            int home = hash(k1[j], k2[j]) & mask;
            // Move j back to i if its home is not in the cyclic range (i, j].
            boolean inRange = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!inRange) {
                vals[i] = vals[j];
                k1[i] = k1[j];
                k2[i] = k2[j];
                vals[j] = null;
                i = j;
            }
        }
    }
}
