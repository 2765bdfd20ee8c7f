package dev.synack.tcp.cc;

import dev.synack.tcp.Seq;

/**
 * CUBIC (RFC 9438), Linux's default congestion control, as net/ipv4/tcp_cubic.c (version 2.3)
 * computes it, with HyStart (hybrid slow start: ACK-train and delay detection).
 *
 * <p>The window grows as W(t) = C·(t − K)³ + W_max with C = 0.4 and, after a loss, starts from
 * β·W_max with β = 717/1024 ≈ 0.7; the "TCP-friendly" estimate keeps it at least as fast as Reno.
 * Linux does all of this in fixed point; so do we, with the same constants. Time is counted in
 * milliseconds where Linux counts jiffies (HZ = 1000 rather than the 250 the scenarios' kernel used),
 * which only makes the updates finer.
 */
public final class Cubic implements CongestionControl {
    private static final int BETA_SCALE = 1024;
    /** β = 717/1024 ≈ 0.7 (RFC 9438 §4.6, tcp_cubic.c beta). */
    private static final int BETA = 717;
    /** bic_scale = 41: C = 41·10/1024 ≈ 0.4 (RFC 9438 §5). */
    private static final int BIC_SCALE = 41;
    private static final int BICTCP_HZ = 10;
    private static final long CUBE_RTT_SCALE = BIC_SCALE * 10L;
    private static final long CUBE_FACTOR = (1L << (10 + 3 * BICTCP_HZ)) / CUBE_RTT_SCALE;
    /** beta_scale of tcp_cubic.c: 8·(1024 + 717) / 3 / (1024 − 717) = 15, for the TCP-friendly region. */
    private static final int TCP_FRIENDLY_SCALE = 8 * (BETA_SCALE + BETA) / 3 / (BETA_SCALE - BETA);
    private static final int HZ = 1000;
    private static final int HYSTART_LOW_WINDOW = 16;
    private static final long HYSTART_ACK_DELTA_US = 2000;
    private static final int HYSTART_MIN_SAMPLES = 8;
    private static final long HYSTART_DELAY_MIN_US = 4000, HYSTART_DELAY_MAX_US = 16000;

    private int cnt;
    private int lastMaxCwnd;
    private int lastCwnd;
    private long lastTimeMs;
    private int originPoint;
    private long k;
    private long delayMinUs;
    private long epochStartMs;
    private boolean epochStarted;
    private int ackCnt;
    private int tcpCwnd;
    // HyStart
    private boolean found;
    private long roundStartUs, lastAckUs, currRttUs;
    private int endSeq, sampleCnt;

    @Override
    public String name() { return "cubic"; }

    @Override
    public void init(Cwnd w, long nowNs) {
        reset();
        hystartReset(nowNs, 0);
    }

    private void reset() {
        cnt = 0;
        lastMaxCwnd = 0;
        lastCwnd = 0;
        lastTimeMs = 0;
        originPoint = 0;
        k = 0;
        delayMinUs = 0;
        epochStarted = false;
        ackCnt = 0;
        tcpCwnd = 0;
        found = false;
    }

    private void hystartReset(long nowNs, int sndNxt) {
        roundStartUs = lastAckUs = nowNs / 1000;
        endSeq = sndNxt;
        currRttUs = Long.MAX_VALUE;
        sampleCnt = 0;
    }

    /** cubictcp_recalc_ssthresh: W_max with fast convergence, then β·cwnd. */
    @Override
    public int ssthresh(Cwnd w) {
        epochStarted = false;
        if (w.cwnd < lastMaxCwnd) {
            lastMaxCwnd = (int) ((long) w.cwnd * (BETA_SCALE + BETA) / (2 * BETA_SCALE));
        } else {
            lastMaxCwnd = w.cwnd;
        }
        return Math.max((int) ((long) w.cwnd * BETA / BETA_SCALE), 2);
    }

    /** cubictcp_state(TCP_CA_Loss): a timeout starts over. */
    @Override
    public void onLoss(Cwnd w, long nowNs) {
        reset();
        hystartReset(nowNs, 0);
    }

    @Override
    public void onAcked(Cwnd w, long rttUs, long nowNs, int sndUna, int sndNxt) {
        if (rttUs <= 0) return;
        long delay = Math.max(rttUs, 1);
        if (delayMinUs == 0 || delayMinUs > delay) delayMinUs = delay;
        if (!found && w.inSlowStart() && w.cwnd >= 1) hystartUpdate(w, delay, nowNs, sndUna, sndNxt);
    }

    /** hystart_update: leave slow start early on an ACK train as long as the minimum RTT, or a delay rise. */
    private void hystartUpdate(Cwnd w, long delayUs, long nowNs, int sndUna, int sndNxt) {
        if (Seq.gt(sndUna, endSeq)) hystartReset(nowNs, sndNxt);
        if (w.cwnd < HYSTART_LOW_WINDOW) return;
        long nowUs = nowNs / 1000;
        if (nowUs - lastAckUs <= HYSTART_ACK_DELTA_US) {
            lastAckUs = nowUs;
            long threshold = delayMinUs >> 1; // no pacing here: Linux halves the threshold
            if (nowUs - roundStartUs > threshold) {
                found = true;
                w.ssthresh = w.cwnd;
            }
        }
        if (currRttUs > delayUs) currRttUs = delayUs;
        if (sampleCnt < HYSTART_MIN_SAMPLES) {
            sampleCnt++;
        } else {
            long thresh = Math.max(HYSTART_DELAY_MIN_US, Math.min(HYSTART_DELAY_MAX_US, delayMinUs >> 3));
            if (currRttUs > delayMinUs + thresh) {
                found = true;
                w.ssthresh = w.cwnd;
            }
        }
    }

    /** cubictcp_cong_avoid. */
    @Override
    public void congAvoid(Cwnd w, int acked, long nowNs, long srttUs) {
        acked = w.slowStartFirst(acked);
        if (acked == 0) return;
        update(w.cwnd, acked, nowNs / 1_000_000);
        w.congAvoidAi(cnt, acked);
    }

    /** bictcp_update: the target window from the cubic function and the TCP-friendly estimate. */
    private void update(int cwnd, int acked, long nowMs) {
        ackCnt += acked;
        if (lastCwnd == cwnd && nowMs - lastTimeMs <= HZ / 32) return;
        if (!(epochStarted && nowMs == lastTimeMs)) {
            lastCwnd = cwnd;
            lastTimeMs = nowMs;
            if (!epochStarted) {
                epochStarted = true;
                epochStartMs = nowMs;
                ackCnt = acked;
                tcpCwnd = cwnd;
                if (lastMaxCwnd <= cwnd) {
                    k = 0;
                    originPoint = cwnd;
                } else {
                    k = cubicRoot(CUBE_FACTOR * (lastMaxCwnd - cwnd));
                    originPoint = lastMaxCwnd;
                }
            }
            long t = nowMs - epochStartMs + delayMinUs / 1000;
            t = (t << BICTCP_HZ) / HZ;
            long offs = t < k ? k - t : t - k;
            long delta = (CUBE_RTT_SCALE * offs * offs * offs) >> (10 + 3 * BICTCP_HZ);
            long target = t < k ? originPoint - delta : originPoint + delta;
            if (target > cwnd) cnt = (int) Math.max(1, cwnd / (target - cwnd));
            else cnt = 100 * cwnd;
            if (lastMaxCwnd == 0 && cnt > 20) cnt = 20; // 5% per RTT while the bandwidth is unknown
        }
        // TCP friendliness (RFC 9438 §4.3).
        int delta = (cwnd * TCP_FRIENDLY_SCALE) >> 3;
        while (delta > 0 && ackCnt > delta) {
            ackCnt -= delta;
            tcpCwnd++;
        }
        if (tcpCwnd > cwnd) {
            int maxCnt = cwnd / (tcpCwnd - cwnd);
            if (cnt > maxCnt) cnt = maxCnt;
        }
        cnt = Math.max(cnt, 2);
    }

    /** The cube root, as an integer, of {@code a} (Linux uses a table and a Newton step; we use Math.cbrt). */
    static long cubicRoot(long a) {
        long r = (long) Math.cbrt((double) a);
        while (r * r * r > a) r--;
        while ((r + 1) * (r + 1) * (r + 1) <= a) r++;
        return r;
    }

    /** W_max in segments (for tests and traces). */
    public int lastMaxCwnd() { return lastMaxCwnd; }

    /** K in units of 2^-10 s (for tests). */
    public long k() { return k; }
}
