package dev.synack.link;

import dev.synack.time.Scheduler;
import dev.synack.time.Timer;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One direction of an in-memory wire: packets handed to {@link #transmit} reach the sink after a
 * fixed delay, in order, on the same scheduler. Optional impairments (loss, duplication, extra delay
 * that reorders) draw from a seeded random source, so a run is reproducible. Frames are pooled: in
 * steady state a packet costs one copy and no allocation.
 *
 * <p>This is the core's own test and benchmark wire; the lab's richer links (rate, queues,
 * corruption, faults) live in synack-sim.
 */
public final class MemoryLink implements Link {
    private final Scheduler scheduler;
    private final PacketSink sink;
    private final long delayNs;
    private final SplittableRandom random;
    private double lossRate, duplicateRate, reorderRate;
    private long reorderExtraNs;
    /**
     * Frames in flight in delivery order when no reordering is configured: due times are then
     * {@code now + delay}, non-decreasing, so a plain FIFO ring is already sorted. At most one of
     * {@code fifo} and {@code inFlight} holds frames.
     */
    private final ArrayDeque<Frame> fifo = new ArrayDeque<>();
    /** Frames in flight ordered by (due time, enqueue order), used while reordering is configured. */
    private final PriorityQueue<Frame> inFlight = new PriorityQueue<>();
    private final ArrayDeque<Frame> pool = new ArrayDeque<>();
    private long nextOrder;
    private long delivered, dropped;
    private final Timer deliveryTimer = new Timer() {
        @Override
        protected void fire(long nowNs) { deliverDue(nowNs); }
    };

    /** A wire to {@code sink} with one-way {@code delayNs}, impairments drawn from {@code seed}. */
    public MemoryLink(Scheduler scheduler, PacketSink sink, long delayNs, long seed) {
        this.scheduler = scheduler;
        this.sink = sink;
        this.delayNs = delayNs;
        this.random = new SplittableRandom(seed);
    }

    /** Drops each packet with probability {@code p}. */
    public MemoryLink loss(double p) {
        this.lossRate = p;
        return this;
    }

    /** Delivers each packet twice with probability {@code p}. */
    public MemoryLink duplicate(double p) {
        this.duplicateRate = p;
        return this;
    }

    /** Delays each packet by up to {@code extraNs} more with probability {@code p}, reordering it. */
    public MemoryLink reorder(double p, long extraNs) {
        this.reorderRate = p;
        this.reorderExtraNs = extraNs;
        return this;
    }

    /** Packets delivered so far. */
    public long delivered() { return delivered; }

    /** Packets dropped by the loss impairment so far. */
    public long dropped() { return dropped; }

    @Override
    public void transmit(byte[] packet, int off, int len) {
        if (lossRate > 0 && random.nextDouble() < lossRate) {
            dropped++;
            return;
        }
        enqueue(packet, off, len);
        if (duplicateRate > 0 && random.nextDouble() < duplicateRate) enqueue(packet, off, len);
    }

    private void enqueue(byte[] packet, int off, int len) {
        Frame f = pool.isEmpty() ? new Frame() : pool.poll();
        if (f.data.length < len) f.data = new byte[Math.max(len, 2048)];
        System.arraycopy(packet, off, f.data, 0, len);
        f.len = len;
        long extra = reorderRate > 0 && random.nextDouble() < reorderRate ? 1 + random.nextLong(Math.max(reorderExtraNs, 1)) : 0;
        f.dueNs = scheduler.nowNs() + delayNs + extra;
        f.order = nextOrder++;
        Frame head;
        if (reorderRate > 0 || !inFlight.isEmpty()) {
            // Reordering (or frames left from it): sort by due time. Frames already in the FIFO are
            // due no later than any new one and carry lower orders, so moving them keeps the order.
            while (!fifo.isEmpty()) inFlight.add(fifo.poll());
            inFlight.add(f);
            head = inFlight.peek();
        } else {
            fifo.add(f);
            head = fifo.peek();
        }
        if (!deliveryTimer.isArmed() || deliveryTimer.deadlineNs() > head.dueNs) scheduler.schedule(deliveryTimer, head.dueNs);
    }

    private Frame peekHead() {
        Frame f = fifo.peek();
        return f != null ? f : inFlight.peek();
    }

    private void deliverDue(long nowNs) {
        Frame f;
        while ((f = peekHead()) != null && f.dueNs <= nowNs) {
            if (fifo.poll() == null) inFlight.poll();
            delivered++;
            sink.receive(f.data, 0, f.len);
            pool.add(f);
        }
        if (f != null) scheduler.schedule(deliveryTimer, f.dueNs);
    }

    private static final class Frame implements Comparable<Frame> {
        byte[] data = new byte[2048];
        int len;
        long dueNs;
        long order;

        @Override
        public int compareTo(Frame o) {
            int c = Long.compare(dueNs, o.dueNs);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }
}
