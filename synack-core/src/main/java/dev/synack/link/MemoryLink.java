package dev.synack.link;

import dev.synack.time.Scheduler;
import java.util.SplittableRandom;

/**
 * One direction of an in-memory wire: packets handed to {@link #transmit} reach the sink after a
 * fixed delay, in order, on the same scheduler. Optional impairments (loss, duplication, extra delay
 * that reorders) draw from a seeded random source, so a run is reproducible. The frames in flight are
 * a {@link DelayLine}'s: in steady state a packet costs one copy and no allocation.
 *
 * <p>This is the core's own test and benchmark wire; the lab's richer links (rate, queues,
 * corruption, faults) live in synack-sim, on the same delay line.
 */
public final class MemoryLink implements Link {
    private final Scheduler scheduler;
    private final long delayNs;
    private final SplittableRandom random;
    private double lossRate, duplicateRate, reorderRate;
    private long reorderExtraNs;
    private long delivered, dropped;
    private final DelayLine<DelayLine.Frame> line;

    /** A wire to {@code sink} with one-way {@code delayNs}, impairments drawn from {@code seed}. */
    public MemoryLink(Scheduler scheduler, PacketSink sink, long delayNs, long seed) {
        this.scheduler = scheduler;
        this.delayNs = delayNs;
        this.random = new SplittableRandom(seed);
        this.line = new DelayLine<>(scheduler, DelayLine.Frame::new, f -> {
            delivered++;
            sink.receive(f.data(), 0, f.length());
        });
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
        DelayLine.Frame f = line.obtain();
        f.copy(packet, off, len);
        long extra = reorderRate > 0 && random.nextDouble() < reorderRate ? 1 + random.nextLong(Math.max(reorderExtraNs, 1)) : 0;
        line.send(f, scheduler.nowNs() + delayNs + extra);
    }
}
