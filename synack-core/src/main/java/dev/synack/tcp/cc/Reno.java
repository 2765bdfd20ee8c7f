package dev.synack.tcp.cc;

/**
 * TCP Reno as Linux implements it (net/ipv4/tcp_cong.c, tcp_reno_*): slow start and congestion
 * avoidance of RFC 5681 counted per segment acknowledged, ssthresh = cwnd/2 (at least 2) on loss.
 * Fast retransmit and fast recovery are the connection's (RFC 5681 §3.2, with PRR as Linux does).
 *
 * <p>"newreno" is the same algorithm under a second name. Linux registers only "reno"
 * (tcp_reno in tcp_cong.c); its recovery is already NewReno's (RFC 6582): recovery lasts until
 * snd_una passes high_seq (the snd_nxt at entry), and without SACK a partial ACK marks the next hole
 * lost and retransmits it (tcp_fastretrans_alert → tcp_try_undo_partial / tcp_update_scoreboard), as
 * the connection's loss recovery (dev.synack.tcp.LossRecovery) does. The growth and reduction, the algorithm's part, are Reno's, so
 * "newreno" is an alias kept for those who name the RFC; it reports the name it was asked for.
 */
public final class Reno implements CongestionControl {
    private final String name;

    public Reno() { this("reno"); }

    /** Reno under {@code name} ("reno" or its alias "newreno"). */
    Reno(String name) { this.name = name; }

    @Override
    public String name() { return name; }

    /** tcp_reno_ssthresh: half the cwnd, at least 2 segments (RFC 5681 (4)). */
    @Override
    public int ssthresh(Cwnd w) { return Math.max(w.cwnd >> 1, 2); }

    /** tcp_reno_cong_avoid: grow only while cwnd-limited; slow start, then one segment per cwnd acked. */
    @Override
    public void congAvoid(Cwnd w, int acked, long nowNs, long srttUs) {
        acked = w.slowStartFirst(acked);
        if (acked > 0) w.congAvoidAi(w.cwnd, acked);
    }
}
