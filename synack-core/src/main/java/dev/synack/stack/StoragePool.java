package dev.synack.stack;

import java.util.Arrays;

/**
 * A host's spare ring storage: the arrays its connections' rings gave back (outgrown, or released when
 * a connection's data is all gone), handed out again to a ring asking for the same length so that it
 * need not allocate and zero a new array. A ring grows through the same lengths every time (4 KiB, then
 * doubling up to its capacity), so in a workload of many connections, one after another, nearly every
 * request finds one.
 *
 * <p>Memory accounting (SO_SNDBUF, SO_RCVBUF, tcp_mem) is untouched: it models Linux's charges, not
 * Java's arrays. The pool holds at most {@code limitBytes}; what would go beyond is left to the garbage
 * collector, so the heap stays proportional to the live connections plus that bound. The arrays are
 * kept in the order given back and a request takes the most recent of its length: a short list (a few
 * lengths, a few of each), searched without boxing a length per request. Single-threaded, as its stack.
 */
final class StoragePool {
    /** The default bound of one host's pool: the storage of about 16 connections with 128 KiB send rings. */
    static final long DEFAULT_LIMIT_BYTES = 4L << 20;

    private final long limitBytes;
    /** The kept arrays, oldest first: {@code spare[0, count)}. */
    private byte[][] spare = new byte[8][];
    private int count;
    private long pooledBytes;

    StoragePool(long limitBytes) { this.limitBytes = limitBytes; }

    /** The most recently given back array of exactly {@code n} bytes (of any content), or null if none is kept. */
    byte[] take(int n) {
        for (int i = count - 1; i >= 0; i--) {
            byte[] a = spare[i];
            if (a.length != n) continue;
            System.arraycopy(spare, i + 1, spare, i, count - i - 1);
            spare[--count] = null;
            pooledBytes -= n;
            return a;
        }
        return null;
    }

    /** Keeps {@code a}, which its ring no longer uses, unless that would hold more than the bound. */
    void give(byte[] a) {
        if (a.length == 0 || pooledBytes + a.length > limitBytes) return;
        if (count == spare.length) spare = Arrays.copyOf(spare, 2 * count);
        spare[count++] = a;
        pooledBytes += a.length;
    }

    /** The bytes kept now. */
    long pooledBytes() { return pooledBytes; }
}
