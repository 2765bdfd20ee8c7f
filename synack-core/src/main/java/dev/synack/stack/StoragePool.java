package dev.synack.stack;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A host's spare ring storage: the arrays its connections' rings gave back (outgrown, or released when
 * a connection's data is all gone), kept by exact length so that the next ring asking for that length
 * gets one without allocating and zeroing a new array. A ring grows through the same lengths every
 * time (4 KiB, then doubling up to its capacity), so in a workload of many connections, one after
 * another, nearly every request finds one.
 *
 * <p>Memory accounting (SO_SNDBUF, SO_RCVBUF, tcp_mem) is untouched: it models Linux's charges, not
 * Java's arrays. The pool holds at most {@link #limitBytes} bytes; what would go beyond is left to the
 * garbage collector, so the heap stays proportional to the live connections plus that bound.
 * The most recently returned array of a length is handed out first. Single-threaded, as its stack.
 */
final class StoragePool {
    /** The default bound of one host's pool: the storage of about 16 connections with 128 KiB send rings. */
    static final long DEFAULT_LIMIT_BYTES = 4L << 20;

    private final long limitBytes;
    private final Map<Integer, ArrayDeque<byte[]>> byLength = new HashMap<>();
    private long pooledBytes;

    StoragePool(long limitBytes) { this.limitBytes = limitBytes; }

    /** An array of exactly {@code n} bytes that a ring gave back (of any content), or null if none is kept. */
    byte[] take(int n) {
        ArrayDeque<byte[]> spare = byLength.get(n);
        byte[] a = spare == null ? null : spare.pollFirst();
        if (a != null) pooledBytes -= n;
        return a;
    }

    /** Keeps {@code a}, which its ring no longer uses, unless that would hold more than the bound. */
    void give(byte[] a) {
        if (a.length == 0 || pooledBytes + a.length > limitBytes) return;
        byLength.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addFirst(a);
        pooledBytes += a.length;
    }

    /** The bytes kept now. */
    long pooledBytes() { return pooledBytes; }
}
