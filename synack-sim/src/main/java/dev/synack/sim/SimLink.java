package dev.synack.sim;

import dev.synack.link.DelayLine;
import dev.synack.link.Link;
import dev.synack.wire.Ipv4;
import java.util.SplittableRandom;

/**
 * One direction of a simulated link, from one interface: the impairments of its {@link LinkSpec},
 * a drop-tail queue in front of a transmitter of a given rate, and propagation to the far end (a
 * {@link DelayLine}, as the core's MemoryLink). Frames are pooled: in steady state a packet costs one
 * copy and no allocation. Its random source is
 * split from the network's seeded one when the link is made, so traffic on one link does not change
 * the draws of another.
 */
public final class SimLink implements Link {
    private final Network network;
    private final String name;
    private final Port from;
    private final Port peer;
    private final SplittableRandom random;
    private LinkSpec spec;
    /** Frames in flight, delivered in order of due time. */
    private final DelayLine<Frame> line;
    private long busyUntilNs;
    private long[] waitingStarts;
    private int waitingHead, waitingCount;
    private long sent, delivered, lost, queueDrops, duplicated, corrupted, reordered;
    private final java.util.TreeSet<Long> dropAt = new java.util.TreeSet<>();

    SimLink(Network network, String name, Port from, Port peer, LinkSpec spec, SplittableRandom random) {
        this.network = network;
        this.name = name;
        this.from = from;
        this.peer = peer;
        this.random = random;
        this.line = new DelayLine<>(network.scheduler(), Frame::new, this::arrive);
        setSpec(spec);
    }

    /** The link's name ("client→server", "lan:client"). */
    public String name() { return name; }

    public LinkSpec spec() { return spec; }

    /** Changes the impairments from now on (packets already in flight keep their times). */
    public void setSpec(LinkSpec spec) {
        this.spec = spec;
        long[] w = new long[spec.queuePackets()];
        int n = 0;
        for (int i = 0; i < waitingCount && n < w.length; i++) w[n++] = waitingStarts[(waitingHead + i) % waitingStarts.length];
        waitingStarts = w;
        waitingHead = 0;
        waitingCount = n;
    }

    /**
     * A one-shot fault: the {@code nth} packet handed to this link from now on (1 = the next one) is
     * lost, whatever the spec says; the trace records it as {@link SimEvent.Fate#LOST}. Call it again
     * for more packets (e.g. a segment and its tail loss probe: {@code dropNth(1); dropNth(2)}).
     */
    public SimLink dropNth(int nth) {
        if (nth < 1) throw new IllegalArgumentException("nth counts from 1: " + nth);
        dropAt.add(sent + nth);
        return this;
    }

    /** Packets handed to the link. */
    public long sent() { return sent; }

    /** Packets handed to the far end (duplicates count twice). */
    public long delivered() { return delivered; }

    /** Packets lost to the loss impairment. */
    public long lost() { return lost; }

    /** Packets dropped because the queue was full. */
    public long queueDrops() { return queueDrops; }

    public long duplicated() { return duplicated; }

    public long corrupted() { return corrupted; }

    public long reordered() { return reordered; }

    @Override
    public void transmit(byte[] packet, int off, int len) { send(packet, off, len, peer, false); }

    /**
     * Sends {@code packet[0, len)} to the peer, as {@link #transmit}, but the link may keep {@code packet}
     * itself as the storage of the frame it queues instead of copying it: a router forwarding a frame
     * it was handed ({@link Node#deliverFrame}) saves a copy per hop. The packet and its fate are the
     * same as with {@link #transmit}.
     *
     * @return the array the caller keeps in exchange: the spare storage of the frame used (at least
     *     {@code len} bytes), or {@code packet} itself when the link did not keep it
     */
    byte[] sendSwapping(byte[] packet, int len) { return send(packet, 0, len, peer, true); }

    /** Sends a packet to {@code to} (the peer of a point-to-point link, or a neighbour on a LAN). */
    void send(byte[] packet, int off, int len, Port to) { send(packet, off, len, to, false); }

    /** Sends a packet; with {@code swap}, as {@link #sendSwapping}. Returns the array the caller keeps. */
    private byte[] send(byte[] packet, int off, int len, Port to, boolean swap) {
        if (!from.node.isRunning() || !from.isUp()) return packet; // a dead or unplugged NIC sends nothing
        sent++;
        long now = network.scheduler().nowNs();
        if (!dropAt.isEmpty() && dropAt.remove(sent)) {
            lost++;
            network.drop(this, from, to, SimEvent.Fate.LOST, packet, off, len);
            return packet;
        }
        if (spec.loss() > 0 && random.nextDouble() < spec.loss()) {
            lost++;
            network.drop(this, from, to, SimEvent.Fate.LOST, packet, off, len);
            return packet;
        }
        boolean dup = spec.duplicate() > 0 && random.nextDouble() < spec.duplicate();
        boolean corrupt = spec.corrupt() > 0 && random.nextDouble() < spec.corrupt();
        // A duplicate is copied from the packet, so the first frame keeps it only when there is none
        // (and no corruption, which is applied to the frame's storage).
        byte[] keep = enqueue(packet, off, len, to, now, corrupt, swap && !dup && !corrupt);
        if (dup) {
            duplicated++;
            enqueue(packet, off, len, to, now, false, false);
        }
        return keep;
    }

    /** Queues a frame, or drops it at a full queue; returns the array the caller keeps (see {@link #sendSwapping}). */
    private byte[] enqueue(byte[] packet, int off, int len, Port to, long now, boolean corrupt, boolean swap) {
        long startNs = now;
        if (spec.rateBps() > 0) {
            while (waitingCount > 0 && waitingStarts[waitingHead] <= now) {
                waitingHead = (waitingHead + 1) % waitingStarts.length;
                waitingCount--;
            }
            startNs = Math.max(now, busyUntilNs);
            if (startNs > now) {
                if (waitingCount >= waitingStarts.length) {
                    queueDrops++;
                    network.drop(this, from, to, SimEvent.Fate.QUEUE_FULL, packet, off, len);
                    return packet;
                }
                waitingStarts[(waitingHead + waitingCount) % waitingStarts.length] = startNs;
                waitingCount++;
            }
            busyUntilNs = startNs + spec.serializationNs(len);
        }
        long doneNs = startNs + spec.serializationNs(len);
        long dueNs;
        if (spec.reorder() > 0 && random.nextDouble() < spec.reorder()) {
            reordered++;
            dueNs = doneNs;
        } else {
            long jitter = spec.jitterNs() > 0 ? random.nextLong(2 * spec.jitterNs() + 1) - spec.jitterNs() : 0;
            dueNs = Math.max(doneNs, doneNs + spec.delayNs() + jitter);
        }
        Frame f = line.obtain();
        byte[] keep = packet;
        if (swap && off == 0 && f.data().length >= len) {
            keep = f.exchange(packet, len); // the caller's array becomes the frame's storage, and the frame's old one the caller's
        } else {
            f.copy(packet, off, len);
        }
        if (corrupt && len > Ipv4.HEADER_LEN) {
            byte[] data = f.data();
            int hl = Math.min(Ipv4.headerLength(data, 0), len - 1);
            int pos = hl + random.nextInt(len - hl);
            data[pos] ^= (byte) (1 << random.nextInt(8));
            corrupted++;
        }
        f.to = to;
        f.fromEpoch = from.epoch;
        f.toEpoch = to.epoch;
        line.send(f, dueNs);
        return keep;
    }

    /** The delay line's receiver: a frame reached the far end. */
    private void arrive(Frame f) {
        if (network.arrive(this, from, f.to, f)) delivered++; // (may exchange the frame's storage)
        f.to = null;
    }

    @Override
    public String toString() {
        return name + " sent=" + sent + " delivered=" + delivered + " lost=" + lost + " queueDrops=" + queueDrops
                + " dup=" + duplicated + " corrupt=" + corrupted + " reordered=" + reordered;
    }

    /**
     * A packet in flight, its storage (pooled; its array may be exchanged, see {@link #sendSwapping}),
     * where it goes and the epochs of both ends when it left (a cable pulled meanwhile loses it).
     */
    static final class Frame extends DelayLine.Frame {
        Port to;
        int fromEpoch, toEpoch;
    }
}
