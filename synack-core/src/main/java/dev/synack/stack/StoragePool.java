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
 * Java's arrays. Reuse pays where connections come and go, and their rings stay small; a long transfer
 * outgrows its arrays once, and nobody asks for them again. So the pool keeps only arrays of at most
 * {@code maxArrayBytes}, and at most {@code limitBytes} of them; what would go beyond is left to the
 * garbage collector, so the heap stays proportional to the live connections plus that bound. The arrays are
 * kept in the order given back and a request takes the most recent of its length: a short list (a few
 * lengths, a few of each), searched without boxing a length per request. Single-threaded, as its stack.
 */
final class StoragePool {
    /**
     * The default bounds of one host's pool: arrays up to 128 KiB (a ring growing from 4 KiB to 128 KiB,
     * as the send ring of a 100 KiB transfer does), 512 KiB in all. Against 4 MiB of arrays of any size
     * (measured alternately, medians): S5's 1000 flows of 100 KiB take about the same CPU (0.151 against
     * 0.148 s), and S4's ten long flows, whose rings grow to megabytes, peak at 170 MiB of heap instead of
     * 228 MiB (168 without a pool): their outgrown arrays no longer wait, never asked for, in 20 pools.
     */
    static final int DEFAULT_MAX_ARRAY_BYTES = 128 << 10;
    static final long DEFAULT_LIMIT_BYTES = 512 << 10;

    private final int maxArrayBytes;
    private final long limitBytes;
    /** The kept arrays, oldest first: {@code spare[0, count)}. */
    private byte[][] spare = new byte[8][];
    private int count;
    private long pooledBytes;

    StoragePool(int maxArrayBytes, long limitBytes) {
        this.maxArrayBytes = maxArrayBytes;
        this.limitBytes = limitBytes;
    }

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

    /** Keeps {@code a}, which its ring no longer uses, unless it is too large or the pool would hold more than its bound. */
    void give(byte[] a) {
        if (a.length == 0 || a.length > maxArrayBytes || pooledBytes + a.length > limitBytes) return;
        if (count == spare.length) spare = Arrays.copyOf(spare, 2 * count);
        spare[count++] = a;
        pooledBytes += a.length;
    }

    /** The bytes kept now. */
    long pooledBytes() { return pooledBytes; }
}
