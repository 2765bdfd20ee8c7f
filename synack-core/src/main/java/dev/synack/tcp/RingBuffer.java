package dev.synack.tcp;

import java.util.Objects;

/**
 * A fixed-capacity byte ring, used both as a TCP send buffer and as a receive buffer.
 *
 * <p>The ring holds {@link #length()} <em>committed</em> bytes starting at its head. As a send buffer the
 * head is SND.UNA: the committed bytes are the unacknowledged and the not-yet-sent data (RFC 9293 §3.3.1),
 * and {@link #discard(int)} drops what a cumulative ACK covers. As a receive buffer the committed bytes are
 * the in-order data not yet read by the application, and out-of-order segments are stored beyond the tail
 * with {@link #writeAt(int, byte[], int, int)}; when the hole before them is filled, {@link #commit(int)}
 * makes them readable in one step (Linux keeps such segments in the out-of-order rbtree instead, see
 * net/ipv4/tcp_input.c {@code tcp_data_queue_ofo()}; here they live in place, so no copy is needed later).
 *
 * <p>The capacity may be any positive {@code int}, not only a power of two. The backing array is
 * allocated lazily and grows (doubling, at least {@link #FIRST_CHUNK} bytes, never beyond the capacity) as
 * data arrives, so an idle connection's buffers cost nothing; Linux likewise charges socket memory as
 * skbs are queued ({@code sk_wmem_queued}, {@code sk_rmem_alloc}), not when SO_SNDBUF/SO_RCVBUF is set.
 * Growth never shrinks back: once a transfer has grown a ring, later use works on that one array without
 * allocating, and without locks: a ring is owned by one connection and used by one thread. Bad arguments
 * are caller bugs and throw.
 *
 * <p>Every array the ring stops using (outgrown, shrunk by {@link #resize}, or given back by
 * {@link #releaseIfEmpty}) goes back to its {@link Storage}, which may hand it to another ring as it
 * is, unzeroed: a ring only hands out bytes written into it (bar those {@link #commit} makes readable
 * over a gap never written, whose content is unspecified either way; TCP commits only bytes it stored).
 */
public final class RingBuffer {
    /**
     * Where a ring's arrays come from and go back to: {@code byte[]::new} (and the garbage collector),
     * or the host's pool ({@link TcpHost#allocate}, {@link TcpHost#release}).
     */
    @FunctionalInterface
    public interface Storage {
        /**
         * An array of exactly {@code n} bytes, of any content. An {@link OutOfMemoryError} from here
         * leaves the ring that asked unchanged.
         */
        byte[] allocate(int n);

        /** An array a ring no longer uses and never touches again (by default left to the garbage collector). */
        default void release(byte[] array) {}
    }

    /** The smallest array allocated when storage is first needed (a page, as an skb's head would be). */
    static final int FIRST_CHUNK = 4096;
    private static final byte[] NONE = new byte[0];

    /** The storage allocated so far: logical positions {@code [0, buf.length)} from the head live here. */
    private byte[] buf = NONE;
    private int capacity;
    private final int firstChunk;
    /** Where storage comes from and goes back to ({@code byte[]::new}, or the host's pool: a test's seam for failure). */
    private final Storage storage;
    /** Physical index of the first committed byte. Never reset when the ring empties (see {@link #writeAt}). */
    private int head;
    /** Number of committed bytes. */
    private int length;

    /**
     * Creates an empty ring.
     *
     * @param capacity the number of bytes it can hold, positive
     * @throws IllegalArgumentException if {@code capacity <= 0}
     */
    public RingBuffer(int capacity) {
        this(capacity, FIRST_CHUNK, byte[]::new);
    }

    /**
     * An empty ring whose storage comes from {@code storage}. If it throws (an {@link OutOfMemoryError}),
     * the call that needed the storage throws it with the ring unchanged.
     */
    public RingBuffer(int capacity, Storage storage) {
        this(capacity, FIRST_CHUNK, storage);
    }

    /** A ring whose first allocation is at least {@code firstChunk} bytes (tests use small ones). */
    RingBuffer(int capacity, int firstChunk) {
        this(capacity, firstChunk, byte[]::new);
    }

    /** As {@link #RingBuffer(int, int)}, with its storage from {@code storage}. */
    RingBuffer(int capacity, int firstChunk, Storage storage) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive: " + capacity);
        if (firstChunk <= 0) throw new IllegalArgumentException("firstChunk must be positive: " + firstChunk);
        this.capacity = capacity;
        this.firstChunk = firstChunk;
        this.storage = Objects.requireNonNull(storage, "storage");
    }

    /** The number of bytes the ring can hold (SO_SNDBUF / SO_RCVBUF worth of payload). */
    public int capacity() { return capacity; }

    /** The number of bytes of storage allocated so far, at most {@link #capacity()}. */
    public int allocated() { return buf.length; }

    /** The number of committed, readable bytes from the head. */
    public int length() { return length; }

    /** The room left after the committed bytes: {@code capacity() - length()}. */
    public int free() { return capacity - length; }

    /**
     * Appends up to {@link #free()} bytes after the committed tail and commits them.
     *
     * @return the number of bytes appended, {@code min(len, free())}
     * @throws IndexOutOfBoundsException if {@code [off, off+len)} is not inside {@code src}
     */
    public int write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        int n = Math.min(len, free());
        ensure(length + n);
        copyIn(length, src, off, n);
        length += n;
        return n;
    }

    /**
     * Removes up to {@link #length()} bytes from the head and copies them into {@code dst}.
     *
     * @return the number of bytes read, {@code min(len, length())}
     * @throws IndexOutOfBoundsException if {@code [off, off+len)} is not inside {@code dst}
     */
    public int read(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        int n = Math.min(len, length);
        copyOut(0, dst, off, n);
        advanceHead(n);
        return n;
    }

    /**
     * Copies the committed bytes {@code [offset, offset+len)}, counted from the head, without removing
     * them. The send path uses this to (re)transmit from SND.UNA + offset; MSG_PEEK uses it on receive.
     *
     * @throws IllegalArgumentException if {@code offset} or {@code len} is negative or
     *     {@code offset + len > length()}
     * @throws IndexOutOfBoundsException if {@code [dstOff, dstOff+len)} is not inside {@code dst}
     */
    public void peek(int offset, byte[] dst, int dstOff, int len) {
        if (offset < 0 || len < 0 || offset > length - len) {
            throw new IllegalArgumentException(
                    "peek [" + offset + ", +" + len + ") outside the " + length + " committed bytes");
        }
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        copyOut(offset, dst, dstOff, len);
    }

    /**
     * Stores bytes at {@code length() + offset}, beyond the committed tail, without committing them: an
     * out-of-order segment that starts {@code offset} bytes after RCV.NXT. Only what fits in the capacity
     * is written; the rest is dropped (the receiver advertised no more window than that, RFC 9293 §3.8.6).
     * The bytes stay in place across {@link #read}/{@link #discard} until {@link #commit(int)} reaches them.
     *
     * @return the number of bytes stored, {@code min(len, free() - offset)}, or 0 if {@code offset >= free()}
     * @throws IllegalArgumentException if {@code offset < 0}
     * @throws IndexOutOfBoundsException if {@code [off, off+len)} is not inside {@code src}
     */
    public int writeAt(int offset, byte[] src, int off, int len) {
        if (offset < 0) throw new IllegalArgumentException("negative offset: " + offset);
        Objects.checkFromIndexSize(off, len, src.length);
        int room = free() - offset;
        if (room <= 0) return 0;
        int n = Math.min(len, room);
        if (n == 0) return 0;
        ensure(length + offset + n);
        copyIn(length + offset, src, off, n);
        return n;
    }

    /**
     * Makes the next {@code n} bytes after the tail readable: they were stored earlier by
     * {@link #writeAt} (RCV.NXT advanced over them, RFC 9293 §3.10.7.4).
     *
     * @throws IllegalArgumentException if {@code n < 0} or {@code n > free()}
     */
    public void commit(int n) {
        if (n < 0 || n > free()) throw new IllegalArgumentException("commit " + n + " with " + free() + " free");
        ensure(length + n); // only bytes never stored by writeAt (unspecified content) can lie beyond buf
        length += n;
    }

    /**
     * Drops {@code n} bytes from the head: data covered by a cumulative ACK (SND.UNA advanced,
     * RFC 9293 §3.10.7.4), or read data skipped without copying.
     *
     * @throws IllegalArgumentException if {@code n < 0} or {@code n > length()}
     */
    public void discard(int n) {
        if (n < 0 || n > length) throw new IllegalArgumentException("discard " + n + " of " + length);
        advanceHead(n);
    }

    /**
     * Changes the capacity, keeping the committed bytes and, as far as they fit, the bytes stored beyond
     * the tail by {@link #writeAt}: the first {@code min(capacity(), newCapacity)} bytes from the head are
     * kept. Used when SO_SNDBUF/SO_RCVBUF is set or when Linux-style auto-tuning grows a buffer
     * (net/ipv4/tcp_input.c {@code tcp_rcv_space_adjust()}, {@code tcp_sndbuf_expand()}). This allocates.
     *
     * @throws IllegalArgumentException if {@code newCapacity <= 0} or {@code newCapacity < length()}
     */
    public void resize(int newCapacity) {
        if (newCapacity <= 0 || newCapacity < length) {
            throw new IllegalArgumentException("cannot resize to " + newCapacity + " holding " + length);
        }
        if (newCapacity >= buf.length) {
            capacity = newCapacity; // the storage grows when data arrives
            return;
        }
        byte[] next = storage.allocate(newCapacity);
        copyOut(0, next, 0, newCapacity);
        storage.release(buf);
        buf = next;
        head = 0;
        capacity = newCapacity;
    }

    /**
     * Gives back the storage of an empty ring (nothing committed, nothing stored beyond the tail by the
     * caller's account): the capacity stays, and storage is allocated again if data comes. For a
     * connection whose data is all gone (TIME_WAIT, CLOSE): Linux replaces a TIME_WAIT socket by a small
     * inet_timewait_sock (tcp_time_wait), so its buffers cost nothing while the 60 s run.
     *
     * @return whether the storage was released (false when bytes are still held)
     */
    public boolean releaseIfEmpty() {
        if (length != 0) return false;
        if (buf != NONE) storage.release(buf);
        buf = NONE;
        head = 0;
        return true;
    }

    // ---- internals ----

    /**
     * Makes logical positions {@code [0, needed)} from the head addressable, {@code needed <= capacity}:
     * grows the storage, keeping every allocated byte at its logical position (the wrapped part moves
     * behind the rest; the head moves to 0).
     */
    private void ensure(int needed) {
        if (needed <= buf.length) return;
        int size = (int) Math.min(capacity, Math.max(needed, Math.max(2L * buf.length, firstChunk)));
        byte[] next = storage.allocate(size);
        copyOut(0, next, 0, buf.length);
        if (buf != NONE) storage.release(buf);
        buf = next;
        head = 0;
    }

    private void advanceHead(int n) {
        // Never rewind head to 0 when the ring empties: bytes stored beyond the tail by writeAt are
        // addressed relative to the head and must keep their place.
        head = physical(n);
        length -= n;
    }

    /** The physical index of logical position {@code pos} (0 = head), for {@code 0 <= pos <= buf.length}. */
    private int physical(int pos) {
        // head - (cap - pos) lies in (-cap, cap): no int overflow even for capacities near 2^31.
        int p = head - (buf.length - pos);
        return p < 0 ? p + buf.length : p;
    }

    /** Copies {@code n} bytes into the ring at logical position {@code pos}, in at most two pieces. */
    private void copyIn(int pos, byte[] src, int off, int n) {
        if (n == 0) return;
        int p = physical(pos);
        int first = Math.min(n, buf.length - p);
        System.arraycopy(src, off, buf, p, first);
        System.arraycopy(src, off + first, buf, 0, n - first);
    }

    /** Copies {@code n} bytes out of the ring from logical position {@code pos}, in at most two pieces. */
    private void copyOut(int pos, byte[] dst, int off, int n) {
        if (n == 0) return;
        int p = physical(pos);
        int first = Math.min(n, buf.length - p);
        System.arraycopy(buf, p, dst, off, first);
        System.arraycopy(buf, 0, dst, off + first, n - first);
    }

    @Override
    public String toString() {
        return "RingBuffer[length=" + length + ", capacity=" + capacity + ", allocated=" + buf.length + "]";
    }
}
