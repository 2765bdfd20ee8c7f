package dev.synack.sim;

import dev.synack.wire.Ipv4;

/**
 * sch_fq_codel (RFC 8290): packets hashed by their 5-tuple into {@code flows} queues, each with its own
 * CoDel state ({@link CoDel}); queues with packets wait in one of two lists, new flows and old flows,
 * served by deficit round robin (fq_codel_dequeue): a queue that joins gets a quantum and goes to the
 * new list, which is served first; a queue whose deficit is spent moves to the tail of the old list
 * with another quantum; a new queue that empties goes to the old list once (so new flows cannot starve
 * old ones), an old one that empties leaves. Above {@code limit} packets, fq_codel_drop drops from the
 * head of the fattest queue until half its backlog or 64 packets are gone, and tells its CoDel
 * (count += drops). Linux's memory_limit (32 MB of skb truesize) is not modelled: 10240 packets stay
 * well within it.
 */
final class FqCodelQdisc extends Qdisc {
    /** fq_codel's drop_batch_size default. */
    static final int DROP_BATCH = 64;

    private final Aqm.FqCodel spec;
    private final CoDel.Params params;
    private final Flow[] flows;
    /** The perturbation of the flow hash (the kernel's boot-time hash seed), from the link's seeded source. */
    private final long hashKey;
    private Flow newHead, newTail, oldHead, oldTail;

    /** One queue: its packets, backlog, DRR deficit, CoDel state and place in a list (flowchain). */
    private final class Flow implements CoDel.Queue {
        final Fifo fifo = new Fifo();
        final CoDel cvars = new CoDel();
        long backlog;
        int deficit;
        /** In a list (flowchain not empty), and which. */
        boolean listed, inNew;
        Flow nextInList;

        @Override
        public SimLink.Frame dequeueHead() {
            SimLink.Frame f = fifo.poll();
            if (f != null) {
                int len = pktLen(f);
                backlog -= len;
                qlen--;
                FqCodelQdisc.this.backlog -= len;
            }
            return f;
        }

        @Override
        public long backlog() { return FqCodelQdisc.this.backlog; } // the qdisc's, as fq_codel passes it

        @Override
        public void drop(SimLink.Frame f) { FqCodelQdisc.this.drop(f, false); }

        @Override
        public boolean setCe(SimLink.Frame f) { return FqCodelQdisc.this.setCe(f); }
    }

    FqCodelQdisc(Aqm.FqCodel spec, SimLink link) {
        super(link);
        this.spec = spec;
        // fq_codel_init: codel_params_init, mtu = psched_mtu(dev), ecn from the spec.
        this.params = new CoDel.Params(spec.targetNs(), spec.intervalNs(), spec.ceThresholdNs(), 1500 + L2_HEADER, spec.ecn());
        this.flows = new Flow[spec.flows()];
        for (int i = 0; i < flows.length; i++) flows[i] = new Flow();
        this.hashKey = link.random().nextLong();
    }

    /** fq_codel_classify: the 5-tuple's hash scaled to a queue (reciprocal_scale(skb_get_hash, flows)). */
    private int classify(SimLink.Frame f) {
        byte[] b = f.data();
        long h = hashKey;
        if (f.length() >= Ipv4.HEADER_LEN && Ipv4.version(b, 0) == 4) {
            int proto = Ipv4.protocol(b, 0);
            h ^= ((long) Ipv4.src(b, 0) << 32) | (Ipv4.dst(b, 0) & 0xFFFF_FFFFL);
            h = mix(h);
            int hl = Ipv4.headerLength(b, 0);
            long ports = 0;
            if ((proto == Ipv4.PROTO_TCP || proto == 17) && f.length() >= hl + 4) {
                ports = ((b[hl] & 0xFFL) << 24) | ((b[hl + 1] & 0xFFL) << 16) | ((b[hl + 2] & 0xFFL) << 8) | (b[hl + 3] & 0xFFL);
            }
            h ^= (ports << 8) | proto;
        }
        int hash32 = (int) mix(h);
        return (int) (((hash32 & 0xFFFF_FFFFL) * flows.length) >>> 32);
    }

    /** A 64-bit finalizer (MurmurHash3's fmix64): every input bit reaches every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    @Override
    void enqueue(SimLink.Frame f, long nowNs) {
        Flow flow = flows[classify(f)];
        f.enqueueNs = nowNs; // codel_set_enqueue_time
        flow.fifo.add(f);
        int len = pktLen(f);
        flow.backlog += len;
        backlog += len;
        if (!flow.listed) {
            addTail(flow, true);
            flow.deficit = spec.quantum();
        }
        if (++qlen <= spec.limit()) return;
        fqCodelDrop();
    }

    /** fq_codel_drop: half the fattest queue's backlog, at most {@link #DROP_BATCH} packets, from its head. */
    private void fqCodelDrop() {
        Flow fat = flows[0];
        long max = 0;
        for (Flow fl : flows) {
            if (fl.backlog > max) {
                max = fl.backlog;
                fat = fl;
            }
        }
        long threshold = max >> 1;
        long len = 0;
        int i = 0;
        do {
            SimLink.Frame f = fat.fifo.poll();
            int l = pktLen(f);
            len += l;
            fat.backlog -= l;
            backlog -= l;
            qlen--;
            drop(f, true); // drop_overlimit
        } while (++i < DROP_BATCH && len < threshold);
        fat.cvars.count += i; // "tell codel to increase its signal strength also"
    }

    @Override
    SimLink.Frame dequeue(long nowNs) {
        while (true) {
            boolean fromNew = newHead != null;
            Flow flow = fromNew ? newHead : oldHead;
            if (flow == null) return null;
            if (flow.deficit <= 0) {
                flow.deficit += spec.quantum();
                removeHead(fromNew);
                addTail(flow, false); // list_move_tail to old_flows
                continue;
            }
            SimLink.Frame f = flow.cvars.dequeue(flow, params, nowNs);
            if (f == null) {
                // force a pass through old_flows to prevent starvation
                removeHead(fromNew);
                if (fromNew && oldHead != null) addTail(flow, false);
                else flow.listed = false;
                continue;
            }
            flow.deficit -= pktLen(f);
            return f;
        }
    }

    private void addTail(Flow flow, boolean toNew) {
        flow.listed = true;
        flow.inNew = toNew;
        flow.nextInList = null;
        if (toNew) {
            if (newTail == null) newHead = flow;
            else newTail.nextInList = flow;
            newTail = flow;
        } else {
            if (oldTail == null) oldHead = flow;
            else oldTail.nextInList = flow;
            oldTail = flow;
        }
    }

    private void removeHead(boolean fromNew) {
        if (fromNew) {
            Flow f = newHead;
            newHead = f.nextInList;
            if (newHead == null) newTail = null;
            f.nextInList = null;
        } else {
            Flow f = oldHead;
            oldHead = f.nextInList;
            if (oldHead == null) oldTail = null;
            f.nextInList = null;
        }
    }
}
