package dev.synack.sim;

import java.util.Locale;

/**
 * The queue discipline in front of a link's transmitter: which packet waits, which leaves next, and
 * which is dropped — or, for an ECN-capable packet (ECT), marked Congestion Experienced instead
 * (RFC 3168 §5). Linux's qdiscs, with their defaults:
 *
 * <ul>
 *   <li>{@link DropTail}: a FIFO of {@link LinkSpec#queuePackets()} that drops arrivals when full
 *       (pfifo; the lab's links before AQM, unchanged packet for packet);
 *   <li>{@link Red}: Random Early Detection (Floyd and Jacobson 1993; net/sched/sch_red.c,
 *       include/net/red.h): an average queue between two thresholds marks or drops arrivals with a
 *       probability that grows with it;
 *   <li>{@link Codel}: Controlled Delay (RFC 8289; net/sched/sch_codel.c, include/net/codel_impl.h):
 *       at dequeue, a packet that waited longer than {@code target} for a whole {@code interval} is
 *       dropped (or marked), then more often by the control law, until the sojourn time is below target;
 *   <li>{@link FqCodel}: FlowQueue-CoDel (RFC 8290; net/sched/sch_fq_codel.c), Linux's default qdisc on
 *       most distributions: flows hashed into 1024 queues served by deficit round robin (new flows
 *       first), each with its own CoDel state, marking CE by default.
 * </ul>
 *
 * <p>Everything random is drawn from the link's seeded source, so a run is reproduced seed for seed.
 */
public sealed interface Aqm {
    /** The name as {@code synack experiment --aqm} and tc spell it. */
    String name();

    /** Whether it marks ECT packets CE instead of dropping them. */
    boolean ecn();

    /** A FIFO of the link's {@link LinkSpec#queuePackets()} that drops arrivals when full. */
    record DropTail() implements Aqm {
        @Override public String name() { return "droptail"; }

        @Override public boolean ecn() { return false; }
    }

    /**
     * RED as sch_red runs it (include/net/red.h): on each arrival the average backlog is updated,
     * {@code avg += (backlog − avg)·2^−wlog}, decayed over idle time as if packets of {@code avpkt}
     * bytes had gone by (red_calc_qavg_from_idle_time); below {@code minBytes} nothing happens; between
     * the thresholds a packet is marked (ECN, ECT packets) or dropped with probability
     * {@code maxP·(avg − min)/(max − min)} spread by the packets since the last mark (red_action's count);
     * at or above {@code maxBytes} every arrival is marked, or dropped with {@code harddrop} or without
     * ECN. Arrivals beyond {@code limitBytes} of backlog are dropped (the child bfifo).
     *
     * @param minBytes qth_min: the average backlog, in bytes, where marking starts
     * @param maxBytes qth_max: where every packet is marked
     * @param maxP the marking probability at qth_max (tc's probability)
     * @param wlog the averaging weight's log: W = 2^−wlog (tc computes it from burst; 9 is ≈ 0.002)
     * @param avpkt the average packet size for the idle-time decay (tc's avpkt)
     * @param limitBytes the backlog, in bytes, beyond which arrivals are dropped
     * @param ecn mark ECT packets CE instead of dropping them (tc's ecn)
     * @param harddrop drop above qth_max even ECT packets (tc's harddrop)
     */
    record Red(long minBytes, long maxBytes, double maxP, int wlog, int avpkt, long limitBytes, boolean ecn,
               boolean harddrop) implements Aqm {
        public Red {
            if (minBytes <= 0 || maxBytes <= minBytes) throw new IllegalArgumentException("RED needs 0 < min < max");
            if (!(maxP > 0 && maxP <= 1)) throw new IllegalArgumentException("RED's probability must be in (0, 1]");
            if (wlog < 1 || wlog > 31) throw new IllegalArgumentException("RED's wlog must be in 1..31");
            if (avpkt < 1 || limitBytes < maxBytes) throw new IllegalArgumentException("RED needs avpkt ≥ 1 and limit ≥ max");
        }

        @Override public String name() { return "red"; }
    }

    /**
     * CoDel (RFC 8289) as sch_codel runs it: a FIFO of {@code limit} packets with the enqueue time of
     * each; at dequeue the control law of include/net/codel_impl.h (drop_next = t + interval/√count, in
     * Linux's fixed point: a 16-bit reciprocal square root refined by one Newton step per drop).
     *
     * @param targetNs the acceptable standing queue delay (Linux and RFC 8289: 5 ms)
     * @param intervalNs the time the delay must stay above target before acting (100 ms)
     * @param limit the FIFO's length in packets (sch_codel's default: 1000)
     * @param ecn mark ECT packets CE instead of dropping them (sch_codel's default: off)
     * @param ceThresholdNs mark every ECT packet whose sojourn time exceeds it, whatever the state
     *     (tc's ce_threshold; {@code Long.MAX_VALUE}: off, the default)
     */
    record Codel(long targetNs, long intervalNs, int limit, boolean ecn, long ceThresholdNs) implements Aqm {
        public Codel {
            if (targetNs <= 0 || intervalNs <= 0 || limit < 1) throw new IllegalArgumentException("CoDel needs target, interval and limit > 0");
        }

        @Override public String name() { return "codel"; }
    }

    /**
     * FQ-CoDel (RFC 8290) as sch_fq_codel runs it: a packet's 5-tuple hashed (with a per-qdisc random
     * perturbation, drawn from the link's seeded source) to one of {@code flows} queues; queues served
     * by deficit round robin with {@code quantum} bytes, new flows before old ones; CoDel per queue on
     * the qdisc's total backlog; beyond {@code limit} packets the fattest queue loses up to 64 packets
     * from its head (fq_codel_drop).
     *
     * @param flows the number of queues (1024)
     * @param targetNs CoDel's target (5 ms)
     * @param intervalNs CoDel's interval (100 ms)
     * @param limit the qdisc's packet limit (10240)
     * @param quantum the DRR quantum in bytes (the device's MTU plus its 14-byte hard header: 1514)
     * @param ecn mark ECT packets CE instead of dropping them (fq_codel's default: on)
     * @param ceThresholdNs tc's ce_threshold ({@code Long.MAX_VALUE}: off, the default)
     */
    record FqCodel(int flows, long targetNs, long intervalNs, int limit, int quantum, boolean ecn, long ceThresholdNs)
            implements Aqm {
        public FqCodel {
            if (flows < 1 || flows > 65536) throw new IllegalArgumentException("fq_codel flows must be 1..65536");
            if (targetNs <= 0 || intervalNs <= 0 || limit < 1 || quantum < 256) {
                throw new IllegalArgumentException("fq_codel needs target, interval, limit > 0 and quantum ≥ 256");
            }
        }

        @Override public String name() { return "fq_codel"; }
    }

    /** The drop-tail FIFO. */
    Aqm DROP_TAIL = new DropTail();

    /** CoDel with sch_codel's defaults: target 5 ms, interval 100 ms, limit 1000 packets, ECN {@code ecn}. */
    static Codel codel(boolean ecn) { return new Codel(5_000_000, 100_000_000, 1000, ecn, Long.MAX_VALUE); }

    /**
     * FQ-CoDel with sch_fq_codel's defaults: 1024 flows, target 5 ms, interval 100 ms, limit 10240
     * packets, quantum 1514 (an Ethernet MTU of 1500 and its header), ce_threshold off; ECN {@code ecn}
     * (Linux's default is on).
     */
    static FqCodel fqCodel(boolean ecn) { return new FqCodel(1024, 5_000_000, 100_000_000, 10240, 1514, ecn, Long.MAX_VALUE); }

    /**
     * RED for a link of {@code rateBps}, as tc-red(8) suggests sizing it: qth_min one 5 ms of the rate
     * (at least two 1500-byte packets), qth_max three times that, probability 0.1, avpkt 1000, W = 2^−9,
     * and a limit of {@code limitPackets} 1500-byte packets (at least 2·qth_max).
     */
    static Red red(long rateBps, int limitPackets, boolean ecn) {
        if (rateBps <= 0) throw new IllegalArgumentException("RED needs a link rate");
        long min = Math.max(2 * 1500L, rateBps / 8 * 5 / 1000);
        long max = 3 * min;
        return new Red(min, max, 0.1, 9, 1000, Math.max((long) limitPackets * 1500, 2 * max), ecn, false);
    }

    /**
     * The discipline named {@code name} ("droptail", "red", "codel", "fq_codel") with its defaults for a
     * link of {@code rateBps} and a queue of {@code queuePackets} (RED's limit). {@code ecn} turns
     * marking on for red and codel, whose Linux default is to drop; fq_codel marks as Linux's does.
     */
    static Aqm of(String name, long rateBps, int queuePackets, boolean ecn) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "droptail", "pfifo" -> DROP_TAIL;
            case "red" -> red(rateBps, queuePackets, ecn);
            case "codel" -> codel(ecn);
            case "fq_codel", "fq-codel", "fqcodel" -> fqCodel(true);
            default -> throw new IllegalArgumentException("unknown AQM '" + name + "' (droptail, red, codel, fq_codel)");
        };
    }
}
