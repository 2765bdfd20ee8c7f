package dev.synack.sim;

/**
 * sch_red with include/net/red.h's algorithm (in floating point where the kernel uses fixed point):
 * at each arrival the average backlog (bytes) is updated — decayed first if the queue was idle — and
 * red_action decides: below qth_min nothing; between the thresholds a mark or drop with probability
 * p_b = max_P·(avg − min)/(max − min), spread over the arrivals since the last one (the kernel's
 * count and qR: mark when p_b·count ≥ a uniform draw, then count = 0 and a new draw); at qth_max and
 * above every arrival. A mark is CE on an ECT packet when {@code ecn} is set (and not above qth_max
 * with {@code harddrop}); otherwise the packet is dropped. Then the child bfifo takes it if the
 * backlog stays within {@code limitBytes}.
 */
final class RedQdisc extends Qdisc {
    private final Aqm.Red spec;
    private final Fifo fifo = new Fifo();
    private final java.util.SplittableRandom random;
    /** The average backlog in bytes (v->qavg, without the fixed point). */
    private double qavg;
    /** Arrivals between the thresholds since the last mark (v->count: −1 below qth_min). */
    private int count = -1;
    /** The draw the next mark waits for (v->qR, in units of p_b·count). */
    private double qR;
    /** When the queue went idle (v->qidlestart), or −1 while it is not. */
    private long idleStartNs = -1;

    RedQdisc(Aqm.Red spec, SimLink link) {
        super(link);
        this.spec = spec;
        this.random = link.random();
    }

    @Override
    void enqueue(SimLink.Frame f, long nowNs) {
        double w = Math.scalb(1.0, -spec.wlog());
        if (idleStartNs >= 0) {
            // red_calc_qavg_from_idle_time: as if m packets of avpkt bytes had been sent while idle
            double m = (nowNs - idleStartNs) / (double) link.spec().serializationNs(spec.avpkt());
            qavg *= Math.pow(1 - w, m);
            idleStartNs = -1; // red_end_of_idle_period
        } else {
            qavg += w * (backlog - qavg); // red_calc_qavg_no_idle_time
        }
        boolean mark;
        boolean hard = false;
        if (qavg < spec.minBytes()) {
            count = -1;
            mark = false;
        } else if (qavg >= spec.maxBytes()) {
            count = -1;
            mark = true;
            hard = true;
        } else {
            double pb = spec.maxP() * (qavg - spec.minBytes()) / (spec.maxBytes() - spec.minBytes());
            mark = false;
            if (++count != 0) {
                if (pb * count >= qR) {
                    count = 0;
                    qR = random.nextDouble();
                    mark = true;
                }
            } else {
                qR = random.nextDouble();
            }
        }
        if (mark) {
            boolean useEcn = spec.ecn() && !(hard && spec.harddrop());
            if (!useEcn || !setCe(f)) {
                drop(f, false); // congestion_drop: prob_drop or forced_drop
                return;
            }
        }
        if (backlog + pktLen(f) > spec.limitBytes()) {
            drop(f, true); // the child bfifo's limit: pdrop
            return;
        }
        fifo.add(f);
        qlen++;
        backlog += pktLen(f);
    }

    @Override
    SimLink.Frame dequeue(long nowNs) {
        SimLink.Frame f = fifo.poll();
        if (f == null) {
            if (idleStartNs < 0) idleStartNs = nowNs; // red_start_of_idle_period
            return null;
        }
        qlen--;
        backlog -= pktLen(f);
        return f;
    }
}
