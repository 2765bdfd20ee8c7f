package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random operation sequences against a simple model: the committed bytes as an {@link ArrayDeque}, and
 * the out-of-order bytes stored beyond the tail as an array indexed from the tail. Bytes are kept as
 * 0..255, and -1 marks a byte whose value is unspecified (committed over a gap never written).
 */
class RingBufferProperties {

    sealed interface Op permits Write, Read, Peek, WriteAt, Commit, Discard, Resize, Release {}
    record Write(int len) implements Op {}
    record Read(int len) implements Op {}
    record Peek(int offset, int len) implements Op {}
    record WriteAt(int offset, int len) implements Op {}
    record Commit(int n) implements Op {}
    record Discard(int n) implements Op {}
    record Resize(int capacity) implements Op {}
    /** {@link RingBuffer#releaseIfEmpty}: what was stored beyond the tail is gone with the storage. */
    record Release() implements Op {}

    @Provide
    Arbitrary<List<Op>> ops() { return ops(false); }

    /** Up to 60 operations of every kind, {@link Release} among them when {@code release}. */
    private static Arbitrary<List<Op>> ops(boolean release) {
        Arbitrary<Integer> n = Arbitraries.integers().between(0, 24);
        List<Arbitrary<? extends Op>> kinds = new java.util.ArrayList<>(List.of(
                n.map(Write::new),
                n.map(Read::new),
                Combinators.combine(n, n).as(Peek::new),
                Combinators.combine(n, n).as(WriteAt::new),
                n.map(Commit::new),
                n.map(Discard::new),
                Arbitraries.integers().between(1, 30).map(Resize::new)));
        if (release) kinds.add(Arbitraries.just(new Release()));
        return Arbitraries.<Op>oneOf(kinds).list().ofMaxSize(60);
    }

    /** The model: committed bytes, plus bytes known to be stored beyond the tail (-1 = not written). */
    static final class Model {
        int capacity;
        final ArrayDeque<Integer> committed = new ArrayDeque<>();
        int[] beyond;

        Model(int capacity) {
            this.capacity = capacity;
            beyond = new int[capacity];
            Arrays.fill(beyond, -1);
        }

        int free() { return capacity - committed.size(); }

        /** Moves {@code n} known-or-unknown bytes from the out-of-order area onto the committed tail. */
        void commit(int n) {
            for (int i = 0; i < n; i++) committed.addLast(beyond[i]);
            int[] next = new int[capacity];
            Arrays.fill(next, -1);
            System.arraycopy(beyond, n, next, 0, capacity - n);
            beyond = next;
        }
    }

    @Property(tries = 1500)
    void behavesLikeTheModel(@ForAll @IntRange(min = 1, max = 20) int capacity, @ForAll("ops") List<Op> ops,
                             @ForAll @IntRange(min = 1, max = 24) int firstChunk) {
        // small first chunks make the storage grow (and wrap while growing) inside the ops
        check(new RingBuffer(capacity, firstChunk), capacity, ops);
    }

    /**
     * The same with storage that is reused as a host's pool reuses it: an array handed out comes back
     * full of junk (so a read of a byte the ring never wrote shows), an array given back is scribbled
     * over at once (so a ring still reading it shows), and none is given back twice or while the ring
     * still holds it.
     */
    @Property(tries = 1500)
    void behavesLikeTheModel_withReusedStorage(@ForAll @IntRange(min = 1, max = 20) int capacity,
                                               @ForAll("opsWithRelease") List<Op> ops,
                                               @ForAll @IntRange(min = 1, max = 24) int firstChunk) {
        var storage = new JunkStorage();
        var ring = new RingBuffer(capacity, firstChunk, storage);
        storage.ring = ring;
        check(ring, capacity, ops);
    }

    @Provide
    Arbitrary<List<Op>> opsWithRelease() { return ops(true); }

    /** Storage reused by exact length, handing out junk and scribbling over what comes back. */
    static final class JunkStorage implements RingBuffer.Storage {
        final java.util.Map<Integer, ArrayDeque<byte[]>> spare = new java.util.HashMap<>();
        final java.util.Set<byte[]> released = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        RingBuffer ring;
        byte junk = (byte) 0xA5;

        @Override
        public byte[] allocate(int n) {
            ArrayDeque<byte[]> q = spare.get(n);
            byte[] a = q == null || q.isEmpty() ? new byte[n] : q.pollFirst();
            released.remove(a);
            Arrays.fill(a, junk++);
            return a;
        }

        @Override
        public void release(byte[] a) {
            assertTrue(released.add(a), "given back twice");
            Arrays.fill(a, junk++);
            spare.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addFirst(a);
        }
    }

    private static void check(RingBuffer ring, int capacity, List<Op> ops) {
        var model = new Model(capacity);
        byte counter = 0;
        for (Op op : ops) {
            switch (op) {
                case Write(int len) -> {
                    byte[] src = new byte[len];
                    for (int i = 0; i < len; i++) src[i] = counter++;
                    int expect = Math.min(len, model.free());
                    assertEquals(expect, ring.write(src, 0, len), op.toString());
                    // appending writes over whatever was stored beyond the tail
                    for (int i = 0; i < expect; i++) model.beyond[i] = src[i] & 0xFF;
                    model.commit(expect);
                }
                case Read(int len) -> {
                    byte[] dst = new byte[len];
                    int expect = Math.min(len, model.committed.size());
                    assertEquals(expect, ring.read(dst, 0, len), op.toString());
                    for (int i = 0; i < expect; i++) {
                        int want = model.committed.pollFirst();
                        if (want >= 0) assertEquals(want, dst[i] & 0xFF, op.toString());
                    }
                }
                case Peek(int offset, int len) -> {
                    byte[] dst = new byte[len];
                    if (offset + len > model.committed.size()) {
                        assertThrows(IllegalArgumentException.class, () -> ring.peek(offset, dst, 0, len));
                    } else {
                        ring.peek(offset, dst, 0, len);
                        Integer[] all = model.committed.toArray(Integer[]::new);
                        for (int i = 0; i < len; i++) {
                            if (all[offset + i] >= 0) assertEquals((int) all[offset + i], dst[i] & 0xFF, op.toString());
                        }
                    }
                }
                case WriteAt(int offset, int len) -> {
                    byte[] src = new byte[len];
                    for (int i = 0; i < len; i++) src[i] = counter++;
                    int expect = Math.max(0, Math.min(len, model.free() - offset));
                    assertEquals(expect, ring.writeAt(offset, src, 0, len), op.toString());
                    for (int i = 0; i < expect; i++) model.beyond[offset + i] = src[i] & 0xFF;
                }
                case Commit(int n) -> {
                    if (n > model.free()) {
                        assertThrows(IllegalArgumentException.class, () -> ring.commit(n));
                    } else {
                        ring.commit(n);
                        model.commit(n);
                    }
                }
                case Discard(int n) -> {
                    if (n > model.committed.size()) {
                        assertThrows(IllegalArgumentException.class, () -> ring.discard(n));
                    } else {
                        ring.discard(n);
                        for (int i = 0; i < n; i++) model.committed.pollFirst();
                    }
                }
                case Resize(int newCapacity) -> {
                    if (newCapacity < model.committed.size()) {
                        assertThrows(IllegalArgumentException.class, () -> ring.resize(newCapacity));
                    } else {
                        ring.resize(newCapacity);
                        // keeps min(old, new) bytes from the head: committed ones and what follows them
                        int keptBeyond = Math.min(model.capacity, newCapacity) - model.committed.size();
                        int[] next = new int[newCapacity];
                        Arrays.fill(next, -1);
                        System.arraycopy(model.beyond, 0, next, 0, keptBeyond);
                        model.beyond = next;
                        model.capacity = newCapacity;
                    }
                }
                case Release() -> {
                    boolean empty = model.committed.isEmpty();
                    assertEquals(empty, ring.releaseIfEmpty(), op.toString());
                    if (empty) {
                        assertEquals(0, ring.allocated());
                        Arrays.fill(model.beyond, -1);
                    }
                }
            }
            assertEquals(model.capacity, ring.capacity());
            assertTrue(ring.allocated() <= ring.capacity(), ring.toString());
            assertEquals(model.committed.size(), ring.length());
            assertEquals(model.free(), ring.free());
            checkContent(ring, model);
        }
    }

    /** Committed bytes must match the model, except those whose value is unspecified (-1). */
    private static void checkContent(RingBuffer ring, Model model) {
        byte[] got = new byte[ring.length()];
        ring.peek(0, got, 0, got.length);
        int k = 0;
        for (int want : model.committed) {
            if (want >= 0) assertEquals(want, got[k] & 0xFF, "byte " + k);
            k++;
        }
    }
}
