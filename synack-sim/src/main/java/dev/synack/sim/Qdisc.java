package dev.synack.sim;

import dev.synack.wire.Ipv4;

/**
 * A queue discipline holding a link's frames until its transmitter takes them ({@link SimLink} with an
 * {@link Aqm} other than drop-tail): {@link #enqueue} on arrival, {@link #dequeue} each time the
 * transmitter is free. Frames it drops go back through {@link SimLink#qdiscDrop} (counted, traced,
 * pooled); CE marks are made in the frame's IP header ({@link #setCe}, counted by the link).
 *
 * <p>Lengths: a qdisc on an Ethernet device sees the frame with its 14-byte header (qdisc_pkt_len), so
 * byte counts here ({@link #backlog}, quanta, thresholds) are the IP packet plus {@link #L2_HEADER};
 * the link serializes the IP packet alone, as its drop-tail queue does.
 */
abstract class Qdisc {
    /** The Ethernet header the qdisc counts in each packet's length (ETH_HLEN). */
    static final int L2_HEADER = 14;

    final SimLink link;
    /** Packets and bytes (qdisc_pkt_len) queued: sch->q.qlen and sch->qstats.backlog. */
    int qlen;
    long backlog;

    Qdisc(SimLink link) { this.link = link; }

    /** A qdisc for {@code aqm} on {@code link}. */
    static Qdisc of(Aqm aqm, SimLink link) {
        return switch (aqm) {
            case Aqm.Red r -> new RedQdisc(r, link);
            case Aqm.Codel c -> new CodelQdisc(c, link);
            case Aqm.FqCodel f -> new FqCodelQdisc(f, link);
            case Aqm.DropTail d -> throw new IllegalArgumentException("drop-tail is the link's own queue");
        };
    }

    /** qdisc_pkt_len: the frame's length as the qdisc counts it. */
    static int pktLen(SimLink.Frame f) { return f.length() + L2_HEADER; }

    /** Takes {@code f}, which arrived at {@code nowNs}, or drops it (or another) through {@link SimLink#qdiscDrop}. */
    abstract void enqueue(SimLink.Frame f, long nowNs);

    /** The next frame to transmit at {@code nowNs}, or null when none is left. */
    abstract SimLink.Frame dequeue(long nowNs);

    /** Drops {@code f} (already out of the queue's accounting): the link counts, traces and pools it. */
    final void drop(SimLink.Frame f, boolean overLimit) { link.qdiscDrop(f, overLimit); }

    /**
     * INET_ECN_set_ce (include/net/inet_ecn.h): an ECT(0) or ECT(1) packet becomes CE (the header
     * checksum patched), a CE packet stays CE; both count as marked. A Not-ECT packet cannot be marked.
     */
    public boolean setCe(SimLink.Frame f) {
        byte[] b = f.data();
        if (f.length() < Ipv4.HEADER_LEN || Ipv4.version(b, 0) != 4) return false;
        int ecn = Ipv4.ecn(b, 0);
        if (ecn == Ipv4.NOT_ECT) return false;
        if (ecn != Ipv4.CE) Ipv4.setEcn(b, 0, Ipv4.CE);
        link.ceMarked();
        return true;
    }

    /** A FIFO of frames linked through {@link SimLink.Frame#next}. */
    static final class Fifo {
        SimLink.Frame head, tail;

        boolean isEmpty() { return head == null; }

        void add(SimLink.Frame f) {
            f.next = null;
            if (tail == null) head = f;
            else tail.next = f;
            tail = f;
        }

        SimLink.Frame poll() {
            SimLink.Frame f = head;
            if (f != null) {
                head = f.next;
                if (head == null) tail = null;
                f.next = null;
            }
            return f;
        }
    }
}
