package dev.synack.sim;

/**
 * sch_codel: a FIFO of at most {@code limit} packets (an arrival beyond it is dropped,
 * drop_overlimit), each stamped at enqueue; {@link CoDel} decides at dequeue (RFC 8289).
 */
final class CodelQdisc extends Qdisc implements CoDel.Queue {
    private final Aqm.Codel spec;
    private final CoDel.Params params;
    private final CoDel vars = new CoDel();
    private final Fifo fifo = new Fifo();

    CodelQdisc(Aqm.Codel spec, SimLink link) {
        super(link);
        this.spec = spec;
        // sch_codel: params->mtu = psched_mtu(dev), the MTU with the link-layer header.
        this.params = new CoDel.Params(spec.targetNs(), spec.intervalNs(), spec.ceThresholdNs(), 1500 + L2_HEADER, spec.ecn());
    }

    @Override
    void enqueue(SimLink.Frame f, long nowNs) {
        if (qlen >= spec.limit()) {
            drop(f, true); // codel_qdisc_enqueue: qdisc_drop, drop_overlimit
            return;
        }
        f.enqueueNs = nowNs; // codel_set_enqueue_time
        fifo.add(f);
        qlen++;
        backlog += pktLen(f);
    }

    @Override
    SimLink.Frame dequeue(long nowNs) { return vars.dequeue(this, params, nowNs); }

    @Override
    public SimLink.Frame dequeueHead() {
        SimLink.Frame f = fifo.poll();
        if (f != null) {
            qlen--;
            backlog -= pktLen(f);
        }
        return f;
    }

    @Override
    public long backlog() { return backlog; }

    @Override
    public void drop(SimLink.Frame f) { drop(f, false); }
}
