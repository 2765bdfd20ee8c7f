package dev.synack.tcp;

/**
 * TCP Reno as Linux implements it (net/ipv4/tcp_cong.c, tcp_reno_*): slow start and congestion
 * avoidance of RFC 5681 counted per segment acknowledged, ssthresh = cwnd/2 (at least 2) on loss.
 * Fast retransmit and fast recovery are the connection's (RFC 5681 §3.2, with PRR as Linux does).
 */
public final class Reno implements CongestionControl {
    @Override
    public String name() { return "reno"; }

    /** tcp_reno_ssthresh: half the cwnd, at least 2 segments (RFC 5681 (4)). */
    @Override
    public int ssthresh(Cwnd w) { return Math.max(w.cwnd >> 1, 2); }

    /** tcp_reno_cong_avoid: grow only while cwnd-limited; slow start, then one segment per cwnd acked. */
    @Override
    public void congAvoid(Cwnd w, int acked, long nowNs, long srttUs) {
        if (!w.cwndLimited) return;
        if (w.inSlowStart()) {
            acked = w.slowStart(acked);
            if (acked == 0) return;
        }
        w.congAvoidAi(w.cwnd, acked);
    }
}
