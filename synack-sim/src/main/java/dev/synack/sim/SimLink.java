package dev.synack.sim;

import dev.synack.link.DelayLine;
import dev.synack.link.Link;
import dev.synack.wire.Ipv4;
import java.util.SplittableRandom;

/**
 * One direction of a simulated link, from one interface: the impairments of its {@link LinkSpec},
 * a queue in front of a transmitter of a given rate, and propagation to the far end (a
 * {@link DelayLine}, as the core's MemoryLink). Frames are pooled: in steady state a packet costs one
 * copy and no allocation. Its random source is
 * split from the network's seeded one when the link is made, so traffic on one link does not change
 * the draws of another.
 *
 * <p>The queue is the spec's {@link Aqm}. Drop-tail, the default, needs no queue of frames: a packet's
 * transmission start is known when it arrives (the transmitter is busy until then), so it goes straight
 * onto the delay line. The other disciplines decide at dequeue (CoDel), reorder (FQ-CoDel) or mark, so
 * their frames wait in a {@link Qdisc} and the transmitter takes the next one each time it is free.
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
    private long sent, delivered, lost, queueDrops, duplicated, corrupted, reordered, aqmDrops, ceMarks;
    /** Queueing delay of the packets transmitted: sum, count and largest (ns). */
    private long sojournSumNs, sojourns, sojournMaxNs;
    /** The queue of an AQM other than drop-tail, or null. */
    private Qdisc qdisc;
    /** The transmitter is sending a frame of the qdisc until {@code busyUntilNs} (AQM path). */
    private boolean transmitting;
    private final dev.synack.time.Timer transmitterFree = new dev.synack.time.Timer() {
        @Override
        protected void fire(long nowNs) { transmitNext(nowNs); }
    };
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

    /**
     * Changes the impairments from now on (packets already in flight keep their times). A new queue
     * discipline takes over the packets still waiting in the old one.
     */
    public void setSpec(LinkSpec spec) {
        LinkSpec old = this.spec;
        this.spec = spec;
        if (old == null || !old.aqm().equals(spec.aqm())) switchQdisc(spec.aqm());
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

    /** Packets dropped because the queue was full (drop-tail, or an AQM's limit). */
    public long queueDrops() { return queueDrops; }

    /** Packets an AQM chose to drop (RED's marks without ECN, CoDel's drops): congestion signals. */
    public long aqmDrops() { return aqmDrops; }

    /** Packets an AQM marked Congestion Experienced instead of dropping them (RFC 3168 §5). */
    public long ceMarks() { return ceMarks; }

    /** Packets the transmitter took from the queue (the sojourn times below are theirs). */
    public long transmitted() { return sojourns; }

    /** The mean time a transmitted packet waited for the transmitter, in ns (0 before any). */
    public long meanSojournNs() { return sojourns == 0 ? 0 : sojournSumNs / sojourns; }

    /** The longest time a transmitted packet waited for the transmitter, in ns. */
    public long maxSojournNs() { return sojournMaxNs; }

    /** Packets waiting for the transmitter now. */
    public int queuedPackets() {
        if (qdisc != null) return qdisc.qlen;
        long now = network.scheduler().nowNs();
        int n = 0;
        for (int i = 0; i < waitingCount; i++) if (waitingStarts[(waitingHead + i) % waitingStarts.length] > now) n++;
        return n;
    }

    /**
     * How long a packet arriving now would wait before its transmission starts (ns): the queue's
     * backlog at the link's rate, what the transmitter is still sending included.
     */
    public long queueDelayNs() {
        long now = network.scheduler().nowNs();
        long busy = Math.max(0, busyUntilNs - now);
        if (qdisc == null) return busy;
        return busy + spec.serializationNs((int) Math.min(Integer.MAX_VALUE, qdisc.backlog - (long) qdisc.qlen * Qdisc.L2_HEADER));
    }

    /** The link's seeded random source (for its queue discipline). */
    java.util.SplittableRandom random() { return random; }

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
        if (!from.node.isRunning() || !from.isUp()) return packet; // a dead or down NIC sends nothing
        if (!from.hasCarrier()) { // the cable is out: the stack sent it, the device drops it (no carrier)
            network.drop(this, from, to, SimEvent.Fate.UNPLUGGED, packet, off, len);
            return packet;
        }
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
        if (qdisc != null) {
            enqueueQdisc(packet, off, len, to, now, corrupt);
            return packet;
        }
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
            sojourn(startNs - now);
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
        if (corrupt && len > Ipv4.HEADER_LEN) corruptBit(f, len);
        f.to = to;
        f.fromEpoch = from.epoch;
        f.toEpoch = to.epoch;
        line.send(f, dueNs);
        return keep;
    }

    private void sojourn(long ns) {
        sojournSumNs += ns;
        sojourns++;
        if (ns > sojournMaxNs) sojournMaxNs = ns;
    }

    /** The AQM path: the frame (copied, maybe corrupted) joins the qdisc; an idle transmitter takes it at once. */
    private void enqueueQdisc(byte[] packet, int off, int len, Port to, long now, boolean corrupt) {
        Frame f = line.obtain();
        f.copy(packet, off, len);
        if (corrupt && len > Ipv4.HEADER_LEN) corruptBit(f, len);
        f.to = to;
        f.fromEpoch = from.epoch;
        f.toEpoch = to.epoch;
        f.enqueueNs = now;
        qdisc.enqueue(f, now);
        if (!transmitting) transmitNext(now);
    }

    /**
     * The transmitter is free at {@code now}: it takes the qdisc's next frame, serializes it at the
     * link's rate and hands it to propagation (delay and jitter, or none for a reordered one).
     */
    private void transmitNext(long now) {
        Frame f = qdisc == null ? null : qdisc.dequeue(now);
        if (f == null) {
            transmitting = false;
            return;
        }
        transmitting = true;
        sojourn(now - f.enqueueNs);
        long doneNs = now + spec.serializationNs(f.length());
        busyUntilNs = doneNs;
        line.send(f, dueNs(doneNs));
        network.scheduler().schedule(transmitterFree, doneNs);
    }

    /** When a frame whose transmission ends at {@code doneNs} arrives: after the delay and jitter, or at once if reordered. */
    private long dueNs(long doneNs) {
        if (spec.reorder() > 0 && random.nextDouble() < spec.reorder()) {
            reordered++;
            return doneNs;
        }
        long jitter = spec.jitterNs() > 0 ? random.nextLong(2 * spec.jitterNs() + 1) - spec.jitterNs() : 0;
        return Math.max(doneNs, doneNs + spec.delayNs() + jitter);
    }

    private void corruptBit(Frame f, int len) {
        byte[] data = f.data();
        int hl = Math.min(Ipv4.headerLength(data, 0), len - 1);
        int pos = hl + random.nextInt(len - hl);
        data[pos] ^= (byte) (1 << random.nextInt(8));
        corrupted++;
    }

    /** The qdisc dropped {@code f}: full ({@code overLimit}) or by its AQM; counted, traced, pooled. */
    void qdiscDrop(Frame f, boolean overLimit) {
        if (overLimit) queueDrops++;
        else aqmDrops++;
        network.drop(this, from, f.to, overLimit ? SimEvent.Fate.AQM_LIMIT : SimEvent.Fate.AQM_DROP, f.data(), 0, f.length());
        f.to = null;
        line.recycle(f);
    }

    /** The qdisc marked a frame CE. */
    void ceMarked() { ceMarks++; }

    /** A new discipline: the frames the old one still holds join the new one in order. */
    private void switchQdisc(Aqm aqm) {
        Qdisc old = qdisc;
        qdisc = aqm instanceof Aqm.DropTail ? null : Qdisc.of(aqm, this);
        if (old == null) return;
        long now = network.scheduler().nowNs();
        Frame f;
        while ((f = old.dequeue(now)) != null) {
            if (qdisc != null) {
                qdisc.enqueue(f, f.enqueueNs);
            } else {
                enqueue(f.data(), 0, f.length(), f.to, now, false, false);
                f.to = null;
                line.recycle(f);
            }
        }
        if (qdisc != null && !transmitting && busyUntilNs <= now) transmitNext(now);
    }

    /** The delay line's receiver: a frame reached the far end. */
    private void arrive(Frame f) {
        if (network.arrive(this, from, f.to, f)) delivered++; // (may exchange the frame's storage)
        f.to = null;
    }

    @Override
    public String toString() {
        return name + " sent=" + sent + " delivered=" + delivered + " lost=" + lost + " queueDrops=" + queueDrops
                + " dup=" + duplicated + " corrupt=" + corrupted + " reordered=" + reordered
                + (qdisc != null ? " " + spec.aqm().name() + " aqmDrops=" + aqmDrops + " ceMarks=" + ceMarks : "");
    }

    /**
     * A packet in flight, its storage (pooled; its array may be exchanged, see {@link #sendSwapping}),
     * where it goes and the epochs of both ends when it left (a cable pulled meanwhile loses it).
     */
    static final class Frame extends DelayLine.Frame {
        Port to;
        int fromEpoch, toEpoch;
        /** When it joined the qdisc (AQM path), and the next frame in the qdisc's queue. */
        long enqueueNs;
        Frame next;
    }
}
