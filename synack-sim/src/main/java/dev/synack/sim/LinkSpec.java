package dev.synack.sim;

import java.time.Duration;

/**
 * What one direction of a simulated link does to packets, in the spirit of Linux's netem and tbf
 * qdiscs. Every random choice is drawn from the network's seeded random source.
 *
 * <p>The order a packet meets the impairments (as netem's netem_enqueue): loss, duplication,
 * corruption, then the queue in front of the transmitter ({@code rateBps}; drop-tail or an
 * {@link Aqm}), then the propagation delay with jitter, or, for a reordered packet, no delay at all
 * (netem's "reorder": the packet jumps ahead of those still delayed).
 *
 * @param delayNs one-way propagation delay
 * @param jitterNs uniform jitter in [-jitter, +jitter] added to the delay (clamped at 0); as with
 *     netem, jitter alone may reorder packets
 * @param rateBps transmitter rate in bits per second; 0 = unlimited (no serialization delay, no queue)
 * @param queuePackets drop-tail queue size in packets waiting for the transmitter (only with a rate);
 *     Linux's default txqueuelen is 1000
 * @param loss probability a packet is lost
 * @param duplicate probability a packet is delivered twice
 * @param reorder probability a packet skips the delay (needs a delay to reorder anything)
 * @param corrupt probability one random bit of the IP payload is flipped; the receiver's transport
 *     checksum catches it (netem flips a bit anywhere; we keep the IP header intact so the drop is
 *     counted where a test looks for it: TcpInCsumErrors)
 * @param aqm the queue discipline in front of the transmitter: {@link Aqm#DROP_TAIL} (a FIFO of
 *     {@code queuePackets}), RED, CoDel or FQ-CoDel, which may mark ECT packets CE instead of dropping
 *     them (only with a rate: without one nothing ever waits)
 */
public record LinkSpec(long delayNs, long jitterNs, long rateBps, int queuePackets, double loss, double duplicate,
                       double reorder, double corrupt, Aqm aqm) {
    /** A perfect link without delay. */
    public static final LinkSpec IDEAL = new LinkSpec(0, 0, 0, 1000, 0, 0, 0, 0);

    /** A link with a drop-tail queue. */
    public LinkSpec(long delayNs, long jitterNs, long rateBps, int queuePackets, double loss, double duplicate,
                    double reorder, double corrupt) {
        this(delayNs, jitterNs, rateBps, queuePackets, loss, duplicate, reorder, corrupt, Aqm.DROP_TAIL);
    }

    public LinkSpec {
        java.util.Objects.requireNonNull(aqm, "aqm");
        if (!(aqm instanceof Aqm.DropTail) && rateBps == 0) throw new IllegalArgumentException("an AQM needs a rate (" + aqm.name() + ")");
        if (delayNs < 0 || jitterNs < 0 || rateBps < 0) throw new IllegalArgumentException("delay, jitter and rate must be >= 0");
        if (queuePackets < 1) throw new IllegalArgumentException("queue must hold at least 1 packet");
        probability("loss", loss);
        probability("duplicate", duplicate);
        probability("reorder", reorder);
        probability("corrupt", corrupt);
    }

    private static void probability(String what, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(what + " must be a probability in 0..1, not " + p);
    }

    /** A link with only a one-way delay. */
    public static LinkSpec delayMs(long ms) { return builder().delayMs(ms).build(); }

    public static Builder builder() { return new Builder(); }

    /** This spec as a builder, to change one field. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.delayNs = delayNs;
        b.jitterNs = jitterNs;
        b.rateBps = rateBps;
        b.queuePackets = queuePackets;
        b.loss = loss;
        b.duplicate = duplicate;
        b.reorder = reorder;
        b.corrupt = corrupt;
        b.aqm = aqm;
        return b;
    }

    /** Serialization time of {@code bytes} at this rate, in ns (0 when the rate is unlimited). */
    public long serializationNs(int bytes) {
        return rateBps == 0 ? 0 : (bytes * 8L * 1_000_000_000L + rateBps - 1) / rateBps;
    }

    /** Builds a {@link LinkSpec}. */
    public static final class Builder {
        private long delayNs, jitterNs, rateBps;
        private int queuePackets = 1000;
        private double loss, duplicate, reorder, corrupt;
        private Aqm aqm = Aqm.DROP_TAIL;

        public Builder delay(Duration d) { delayNs = d.toNanos(); return this; }

        public Builder delayMs(long ms) { delayNs = ms * 1_000_000L; return this; }

        public Builder jitter(Duration d) { jitterNs = d.toNanos(); return this; }

        public Builder jitterMs(long ms) { jitterNs = ms * 1_000_000L; return this; }

        /** Transmitter rate in bits per second. */
        public Builder rate(long bitsPerSecond) { rateBps = bitsPerSecond; return this; }

        /** Drop-tail queue size in packets. */
        public Builder queue(int packets) { queuePackets = packets; return this; }

        public Builder loss(double p) { loss = p; return this; }

        public Builder duplicate(double p) { duplicate = p; return this; }

        public Builder reorder(double p) { reorder = p; return this; }

        public Builder corrupt(double p) { corrupt = p; return this; }

        /** The queue discipline ({@link Aqm#DROP_TAIL} unless set). */
        public Builder aqm(Aqm a) { aqm = a; return this; }

        public LinkSpec build() { return new LinkSpec(delayNs, jitterNs, rateBps, queuePackets, loss, duplicate, reorder, corrupt, aqm); }
    }
}
