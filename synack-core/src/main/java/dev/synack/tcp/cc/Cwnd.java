package dev.synack.tcp.cc;

/**
 * The congestion window of one connection, in segments as Linux counts it ({@code tp->snd_cwnd},
 * {@code snd_ssthresh}, {@code snd_cwnd_cnt}), with Linux's two growth helpers from
 * net/ipv4/tcp_cong.c. A {@link CongestionControl} reads and writes it.
 */
public final class Cwnd {
    /** Linux's "infinite" ssthresh, TCP_INFINITE_SSTHRESH (include/net/tcp.h). */
    public static final int INFINITE_SSTHRESH = 0x7fffffff;

    /** Linux's TCP_INIT_CWND (include/net/tcp.h): the cwnd every socket starts with. */
    public static final int TCP_INIT_CWND = 10;

    /**
     * snd_cwnd: segments that may be in flight. tcp_init_sock sets TCP_INIT_CWND before the handshake
     * (tcp_init_transfer sets it again from the route's initcwnd once established), so a socket that
     * never completes it (SYN_SENT, or a simultaneous open closed in SYN_RECV) still shows cwnd 10.
     */
    public int cwnd = TCP_INIT_CWND;
    /** snd_ssthresh: slow start threshold, in segments. */
    public int ssthresh = INFINITE_SSTHRESH;
    /** snd_cwnd_cnt: segments acknowledged toward the next increment in congestion avoidance. */
    public int cwndCnt;
    /** The cwnd before the last reduction, for undo. */
    public int priorCwnd;
    /** The ssthresh before the last reduction, for undo. */
    public int priorSsthresh;
    /** Whether the last transmission was limited by cwnd (tcp_is_cwnd_limited). */
    public boolean cwndLimited;
    /** The largest in-flight count since the last cwnd growth check (tp->max_packets_out). */
    public int maxPacketsOut;

    /** Whether cwnd is below ssthresh (tcp_in_slow_start). */
    public boolean inSlowStart() { return cwnd < ssthresh; }

    /**
     * Slow start, RFC 5681 §3.1 with Linux's per-segment counting (tcp_slow_start in tcp_cong.c): cwnd
     * grows by one segment per segment acknowledged, not past ssthresh.
     *
     * @return the acknowledged segments left over once ssthresh is reached
     */
    public int slowStart(int acked) {
        int newCwnd = Math.min(cwnd + acked, ssthresh);
        acked -= newCwnd - cwnd;
        cwnd = newCwnd;
        return acked;
    }

    /**
     * The start of every ops->cong_avoid (tcp_reno_cong_avoid, cubictcp_cong_avoid): no growth unless
     * cwnd-limited (tcp_is_cwnd_limited); in slow start, {@link #slowStart} first.
     *
     * @return the acknowledged segments left for congestion avoidance (0: nothing more to do)
     */
    public int slowStartFirst(int acked) {
        if (!cwndLimited) return 0;
        return inSlowStart() ? slowStart(acked) : acked;
    }

    /**
     * Additive increase, RFC 5681 §3.1 (tcp_cong_avoid_ai in tcp_cong.c): one segment per {@code w}
     * segments acknowledged.
     */
    public void congAvoidAi(int w, int acked) {
        if (cwndCnt >= w) {
            cwndCnt = 0;
            cwnd++;
        }
        cwndCnt += acked;
        if (cwndCnt >= w) {
            int delta = cwndCnt / w;
            cwndCnt -= delta * w;
            cwnd += delta;
        }
    }
}
