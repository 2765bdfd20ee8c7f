package dev.synack.tcp.cc;

import java.util.List;

/**
 * A congestion control algorithm, shaped like Linux's {@code struct tcp_congestion_ops}
 * (include/net/tcp.h): the connection keeps loss detection and recovery (when to reduce, how fast to
 * send during recovery); the algorithm decides how much to reduce and how to grow.
 */
public interface CongestionControl {
    /** The algorithm's name as tcp_congestion_control and TCP_CONGESTION spell it. */
    String name();

    /** Called once when the connection is established. */
    default void init(Cwnd w, long nowNs) {}

    /** The new ssthresh on loss or ECN (ops->ssthresh). */
    int ssthresh(Cwnd w);

    /** Grows cwnd for {@code acked} newly acknowledged segments (ops->cong_avoid). */
    void congAvoid(Cwnd w, int acked, long nowNs, long srttUs);

    /** The cwnd to restore when a reduction proves spurious (ops->undo_cwnd). */
    default int undoCwnd(Cwnd w) { return Math.max(w.cwnd, w.priorCwnd); }

    /** Told when a retransmission timeout collapses cwnd (ops->set_state(TCP_CA_Loss)). */
    default void onLoss(Cwnd w, long nowNs) {}

    /**
     * An ACK acknowledged new data with an RTT sample ({@code rttUs} ≤ 0 when Karn's rule forbids one)
     * (ops->pkts_acked).
     */
    default void onAcked(Cwnd w, long rttUs, long nowNs, int sndUna, int sndNxt) {}

    /**
     * The names of the algorithms available; "newreno" is an alias of "reno" (Linux's Reno recovers
     * as RFC 6582 NewReno does: see {@link Reno}).
     */
    static List<String> names() { return List.of("reno", "newreno", "cubic"); }

    /**
     * A new instance of the named algorithm.
     *
     * @throws IllegalArgumentException when no such algorithm exists
     */
    static CongestionControl create(String name) {
        return switch (name) {
            case "reno" -> new Reno();
            case "newreno" -> new Reno("newreno");
            case "cubic" -> new Cubic();
            default -> throw new IllegalArgumentException(
                    "unknown congestion control '" + name + "' (available: " + String.join(", ", names()) + ")");
        };
    }
}
