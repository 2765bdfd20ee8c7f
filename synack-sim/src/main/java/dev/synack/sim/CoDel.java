package dev.synack.sim;

/**
 * The CoDel algorithm (RFC 8289) as Linux computes it (include/net/codel.h, codel_impl.h): one queue's
 * state (struct codel_vars) and codel_dequeue over it. Time is Linux's codel_time_t, nanoseconds
 * shifted right by 10 ({@link #SHIFT}); the control law's 1/√count is a 16-bit fixed-point reciprocal
 * square root refined by one Newton step per drop, as in the kernel (codel_Newton_step,
 * codel_control_law), so drop times land where Linux's would.
 *
 * <p>The queue it runs over is the caller's ({@link Queue}: CoDel's FIFO, or one flow of FQ-CoDel), and
 * {@code backlog} is the whole qdisc's (codel_should_drop's "*backlog &lt;= params-&gt;mtu").
 */
final class CoDel {
    /** CODEL_SHIFT: codel_time_t counts units of 1024 ns. */
    static final int SHIFT = 10;
    /** REC_INV_SQRT_BITS 16, REC_INV_SQRT_SHIFT = 32 − 16. */
    private static final int REC_INV_SQRT_SHIFT = 16;
    private static final long U32 = 0xFFFF_FFFFL;

    /** What codel_dequeue needs from its queue and its qdisc. */
    interface Queue {
        /** Removes and returns the head (the qdisc's counts updated), or null (dequeue_func). */
        SimLink.Frame dequeueHead();

        /** The qdisc's backlog in bytes after that (sch->qstats.backlog). */
        long backlog();

        /** Drops a frame CoDel chose (drop_func). */
        void drop(SimLink.Frame f);

        /** Marks a frame CE if it is ECT (INET_ECN_set_ce); false for Not-ECT. */
        boolean setCe(SimLink.Frame f);
    }

    /** struct codel_params, in codel time units. */
    static final class Params {
        final long target, interval, ceThreshold;
        final int mtu;
        final boolean ecn;

        Params(long targetNs, long intervalNs, long ceThresholdNs, int mtu, boolean ecn) {
            this.target = targetNs >> SHIFT;
            this.interval = intervalNs >> SHIFT;
            this.ceThreshold = ceThresholdNs == Long.MAX_VALUE ? Long.MAX_VALUE : ceThresholdNs >> SHIFT;
            this.mtu = mtu;
            this.ecn = ecn;
        }
    }

    // struct codel_vars
    int count, lastcount;
    boolean dropping;
    /** The reciprocal square root of count, 16-bit fixed point (rec_inv_sqrt). */
    int recInvSqrt;
    long firstAboveTime, dropNext, ldelay;

    /** codel_get_time: the clock in codel units. */
    static long time(long nowNs) { return nowNs >> SHIFT; }

    /**
     * codel_Newton_step: one Newton iteration of 1/√count, in the kernel's unsigned arithmetic (Java's
     * long multiply keeps the low 64 bits as a u64 multiply does; shifts are unsigned).
     */
    void newtonStep() {
        long invsqrt = ((long) recInvSqrt << REC_INV_SQRT_SHIFT) & U32;
        long invsqrt2 = (invsqrt * invsqrt) >>> 32;
        long val = (3L << 32) - ((count & U32) * invsqrt2);
        val >>>= 2; // avoid overflow in the following multiply
        val = (val * invsqrt) >>> (32 - 2 + 1);
        recInvSqrt = (int) ((val >>> REC_INV_SQRT_SHIFT) & 0xFFFF);
    }

    /** codel_control_law: t + interval / √count, as reciprocal_scale(interval, rec_inv_sqrt << 16). */
    long controlLaw(long t, long interval) {
        long scale = ((long) recInvSqrt << REC_INV_SQRT_SHIFT) & U32;
        return t + ((interval & U32) * scale >>> 32);
    }

    /** codel_should_drop. */
    private boolean shouldDrop(SimLink.Frame f, Params p, long backlog, long now) {
        if (f == null) {
            firstAboveTime = 0;
            return false;
        }
        ldelay = now - CoDel.time(f.enqueueNs);
        if (ldelay < p.target || backlog <= p.mtu) {
            // went below: stay below for at least interval
            firstAboveTime = 0;
            return false;
        }
        boolean okToDrop = false;
        if (firstAboveTime == 0) {
            // just went above from below: if we stay above for at least interval, it is ok to drop
            firstAboveTime = now + p.interval;
        } else if (now > firstAboveTime) {
            okToDrop = true;
        }
        return okToDrop;
    }

    /** codel_dequeue: the next frame to send from {@code q}, after the drops (or marks) CoDel decides. */
    SimLink.Frame dequeue(Queue q, Params p, long nowNs) {
        SimLink.Frame f = q.dequeueHead();
        if (f == null) {
            dropping = false;
            return null;
        }
        long now = time(nowNs);
        boolean drop = shouldDrop(f, p, q.backlog(), now);
        if (dropping) {
            if (!drop) {
                // sojourn time below target: leave the dropping state
                dropping = false;
            } else if (now >= dropNext) {
                // Time for the next drop: drop the current packet and dequeue the next. A large backlog
                // might call for drops so frequent that the next is due now too, hence the loop.
                while (dropping && now >= dropNext) {
                    count++;
                    newtonStep();
                    if (p.ecn && q.setCe(f)) {
                        dropNext = controlLaw(dropNext, p.interval);
                        return ceThreshold(f, p, q);
                    }
                    q.drop(f);
                    f = q.dequeueHead();
                    if (!shouldDrop(f, p, q.backlog(), now)) {
                        dropping = false; // leave the dropping state
                    } else {
                        dropNext = controlLaw(dropNext, p.interval); // and schedule the next drop
                    }
                }
            }
        } else if (drop) {
            if (p.ecn && q.setCe(f)) {
                // marked: it goes on
            } else {
                q.drop(f);
                f = q.dequeueHead();
                shouldDrop(f, p, q.backlog(), now);
            }
            dropping = true;
            // If we went above target close to when we last went below, the drop rate that controlled
            // the queue then is a good start now.
            int delta = count - lastcount; // u32 in Linux
            if (Integer.compareUnsigned(delta, 1) > 0 && now - dropNext < 16 * p.interval) {
                count = delta;
                newtonStep(); // not very precise; later Newton steps correct it quadratically
            } else {
                count = 1;
                recInvSqrt = (int) ((U32 >>> REC_INV_SQRT_SHIFT) & 0xFFFF);
            }
            lastcount = count;
            dropNext = controlLaw(now, p.interval);
        }
        return ceThreshold(f, p, q);
    }

    /** codel_dequeue's end: a packet that waited longer than ce_threshold is marked CE (when set). */
    private SimLink.Frame ceThreshold(SimLink.Frame f, Params p, Queue q) {
        if (f != null && p.ceThreshold != Long.MAX_VALUE && ldelay > p.ceThreshold) q.setCe(f);
        return f;
    }
}
