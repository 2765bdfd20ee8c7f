package dev.synack.link;

import dev.synack.time.Scheduler;
import dev.synack.time.Timer;
import java.util.PriorityQueue;
import java.util.function.Supplier;

/**
 * The frames a link has in flight, each handed to a {@link Receiver} when its due time comes: the
 * propagation part every simulated link shares ({@link MemoryLink} here, the lab's {@code SimLink}).
 * The link decides what happens to a packet and when it is due (delay, rate, jitter, reordering,
 * loss, all drawn from its own random source); the delay line only keeps the frames and delivers
 * them, in order of (due time, order sent), from one reusable {@link Timer}.
 *
 * <p>In steady state a packet costs no allocation: frames are pooled (one storage array each, kept
 * from use to use), and the frames in flight wait in a FIFO while each is due no earlier than the
 * one before — a constant delay, the common case, O(1) — or in a priority queue once jitter or
 * reordering breaks that order, until it drains. At most one of the two holds frames. The FIFO and
 * the pool are lists linked through the frames themselves: no array of references to keep in the
 * cache (or to mark for the garbage collector) beside the frames a packet touches anyway.
 *
 * <pre>{@code
 * F f = line.obtain();                  // a pooled frame (or a new one from the supplier)
 * f.copy(packet, off, len);             // the link keeps a copy: the sender reuses its buffer
 * line.send(f, nowNs + delayNs);        // delivered to the receiver at that time, then pooled
 * }</pre>
 *
 * <p>Single-threaded, on its scheduler's thread, like everything it serves.
 *
 * @param <F> the link's frame: {@link Frame} or a subclass carrying more (where to, from which epoch)
 */
public final class DelayLine<F extends DelayLine.Frame> {
    /** Size of a new frame's storage; longer packets get a larger array, kept with the frame. */
    static final int FRAME_BYTES = 2048;

    /** What the delay line hands each frame to when it is due; the frame goes back to the pool after. */
    @FunctionalInterface
    public interface Receiver<F> {
        /** {@code frame} is due now; its packet is {@code frame.data()[0, frame.length())}. */
        void deliver(F frame);
    }

    /**
     * A packet in flight and its storage. The delay line pools frames, so a frame's storage outlives
     * the packet in it: a receiver must not keep {@link #data()} after it returns (or must give the
     * frame other storage in exchange, {@link #setData}). Subclass it to carry what the link needs
     * at delivery.
     */
    public static class Frame implements Comparable<Frame> {
        private byte[] data = new byte[FRAME_BYTES];
        private int length;
        long dueNs;
        long order;
        /** The next frame in the line's FIFO or in its pool (a frame is in one at a time). */
        Frame next;

        /** The frame's storage: the packet is {@code data()[0, length())}. */
        public final byte[] data() { return data; }

        /** The packet's length in bytes. */
        public final int length() { return length; }

        /** When the frame is due (set by {@link DelayLine#send}). */
        public final long dueNs() { return dueNs; }

        /** Copies {@code packet[off, off + len)} into the frame, growing its storage if it is too small. */
        public final void copy(byte[] packet, int off, int len) {
            if (data.length < len) data = new byte[Math.max(len, FRAME_BYTES)];
            System.arraycopy(packet, off, data, 0, len);
            length = len;
        }

        /**
         * Takes {@code packet[0, len)} as the frame's packet without copying: {@code packet} becomes the
         * frame's storage. Returns the storage it replaces, which the caller keeps in exchange.
         */
        public final byte[] exchange(byte[] packet, int len) {
            byte[] old = data;
            data = packet;
            length = len;
            return old;
        }

        /**
         * Gives the frame {@code storage} (at least {@link #length()} bytes if it still matters): for a
         * receiver that kept the frame's array, such as a router that forwards it as is.
         */
        public final void setData(byte[] storage) { data = storage; }

        @Override
        public final int compareTo(Frame o) {
            int c = Long.compare(dueNs, o.dueNs);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private final Scheduler scheduler;
    private final Supplier<? extends F> newFrame;
    private final Receiver<? super F> receiver;
    /**
     * Frames in flight while each is due no earlier than the one before (sorted by construction): a
     * list linked through the frames, first to last, and its length.
     */
    private Frame first, last;
    private int fifoSize;
    /** Frames in flight ordered by (due time, order sent), once the FIFO order broke, until it drains. */
    private final PriorityQueue<F> sorted = new PriorityQueue<>();
    /**
     * Free frames, a stack linked through the frames, last in first out: the next packet is copied into
     * the storage the receiver has just read, still in the cache, rather than into the one freed
     * longest ago.
     */
    private Frame free;
    private long nextOrder;
    private final Timer deliveryTimer = new Timer() {
        @Override
        protected void fire(long nowNs) { deliverDue(nowNs); }
    };

    /**
     * A delay line on {@code scheduler} handing due frames to {@code receiver}; {@code newFrame} makes
     * a frame when the pool is empty.
     */
    public DelayLine(Scheduler scheduler, Supplier<? extends F> newFrame, Receiver<? super F> receiver) {
        this.scheduler = scheduler;
        this.newFrame = newFrame;
        this.receiver = receiver;
    }

    /** A frame to fill and {@link #send}: a pooled one, or a new one when none is free. */
    @SuppressWarnings("unchecked") // only frames from newFrame, of type F, enter the pool
    public F obtain() {
        if (free == null) return newFrame.get();
        Frame f = free;
        free = f.next;
        f.next = null;
        return (F) f;
    }

    /** Gives back a frame from {@link #obtain} that will not be sent after all (a queue dropped it). */
    public void recycle(F frame) {
        frame.next = free;
        free = frame;
    }

    /**
     * Puts {@code frame} (from {@link #obtain}, filled) in flight: the receiver gets it at
     * {@code dueNs}, after every frame due earlier and every frame sent before it with the same due
     * time.
     */
    public void send(F frame, long dueNs) {
        frame.dueNs = dueNs;
        frame.order = nextOrder++;
        if (sorted.isEmpty() && (last == null || last.dueNs <= dueNs)) {
            fifoSize++;
            if (last != null) {
                last.next = frame;
                last = frame;
                // Behind other frames the head is unchanged, and the timer is set for it already (or,
                // while deliverDue runs, will be when it returns): nothing to do, and the head frame,
                // sent a propagation delay ago and likely out of the cache, is not read.
                return;
            }
            first = last = frame;
        } else {
            // Out of order: sort. Frames already in the FIFO carry lower orders, so moving them keeps
            // their order among equal due times.
            while (first != null) sorted.add(pollFirst());
            sorted.add(frame);
        }
        F head = head();
        if (!deliveryTimer.isArmed() || deliveryTimer.deadlineNs() > head.dueNs) scheduler.schedule(deliveryTimer, head.dueNs);
    }

    /** Frames in flight. */
    public int inFlight() { return fifoSize + sorted.size(); }

    @SuppressWarnings("unchecked") // only frames sent, of type F, enter the FIFO
    private F head() { return sorted.isEmpty() ? (F) first : sorted.peek(); }

    /** Takes the FIFO's first frame out. */
    @SuppressWarnings("unchecked")
    private F pollFirst() {
        Frame f = first;
        first = f.next;
        if (first == null) last = null;
        f.next = null;
        fifoSize--;
        return (F) f;
    }

    private void deliverDue(long nowNs) {
        F f;
        while ((f = head()) != null && f.dueNs <= nowNs) {
            if (sorted.isEmpty()) pollFirst();
            else sorted.poll();
            receiver.deliver(f);
            recycle(f);
        }
        // The receiver may have sent on this line (re-arming the timer); otherwise arm it for the head.
        f = head();
        if (f != null && !deliveryTimer.isArmed()) scheduler.schedule(deliveryTimer, f.dueNs);
    }
}
