package dev.synack.tcp;

/**
 * Linux's smoothed RTT estimator and retransmission timeout, in microseconds.
 *
 * <p>This follows net/ipv4/tcp_input.c {@code tcp_rtt_estimator()} and {@code tcp_set_rto()}, and
 * include/net/tcp.h {@code __tcp_set_rto()} / {@code tcp_bound_rto()}: Jacobson's algorithm (SIGCOMM '88,
 * RFC 6298 §2) in fixed point, with Linux's own variance handling. The state mirrors {@code struct tcp_sock}:
 * <ul>
 *   <li>{@code srtt8} = 8 × SRTT ({@code srtt_us});
 *   <li>{@code mdev4} = 4 × the smoothed mean deviation ({@code mdev_us});
 *   <li>{@code mdevMax4}: the largest {@code mdev4} seen during the current window of data
 *       ({@code mdev_max_us}), never below the minimum RTO;
 *   <li>{@code rttvar4}: the variance term actually added to SRTT for the RTO ({@code rttvar_us}); it rises at
 *       once with {@code mdevMax4} and decays towards it only once per window;
 *   <li>{@code rttSeq}: SND.NXT when the current window began ({@code rtt_seq}).
 * </ul>
 * The caller supplies only valid samples (Karn's rule, RFC 6298 §3, is applied by whoever measures).
 * Used by one connection on one thread; no allocation.
 */
public final class RttEstimator {
    private final long initialRtoUs;
    private final long minRtoUs;
    private final long maxRtoUs;

    private long srtt8;
    private long mdev4;
    private long mdevMax4;
    private long rttvar4;
    private int rttSeq;
    private long minRttUs = Long.MAX_VALUE;
    private long latestRttUs;
    private boolean hasSample;

    /**
     * Creates an estimator with no sample yet.
     *
     * @param initialRtoUs the RTO before any sample (Linux {@code TCP_TIMEOUT_INIT} = 1 s, RFC 6298 §2.1)
     * @param minRtoUs the floor of the variance term (Linux {@code TCP_RTO_MIN} = 200 ms, or the route's
     *     {@code rto_min}; {@code tcp_rto_min_us()})
     * @param maxRtoUs the ceiling of the RTO (Linux {@code TCP_RTO_MAX} = 120 s)
     * @throws IllegalArgumentException unless {@code 0 <= minRtoUs <= maxRtoUs} and
     *     {@code 0 < initialRtoUs <= maxRtoUs}
     */
    public RttEstimator(long initialRtoUs, long minRtoUs, long maxRtoUs) {
        if (minRtoUs < 0 || minRtoUs > maxRtoUs || initialRtoUs <= 0 || initialRtoUs > maxRtoUs) {
            throw new IllegalArgumentException(
                    "bad RTO bounds: initial=" + initialRtoUs + " min=" + minRtoUs + " max=" + maxRtoUs);
        }
        this.initialRtoUs = initialRtoUs;
        this.minRtoUs = minRtoUs;
        this.maxRtoUs = maxRtoUs;
    }

    /**
     * Feeds one RTT measurement (Linux {@code tcp_rtt_estimator()}, called from {@code tcp_ack_update_rtt()}).
     * A negative {@code rttUs} means "no valid sample" and is ignored, as Linux ignores
     * {@code seq_rtt_us < 0}.
     *
     * @param rttUs the measured round-trip time in microseconds
     * @param sndUna SND.UNA after this ACK was processed
     * @param sndNxt SND.NXT now
     */
    public void sample(long rttUs, int sndUna, int sndNxt) {
        if (rttUs < 0) return;
        long m = rttUs;
        latestRttUs = m;
        minRttUs = Math.min(minRttUs, m);
        if (!hasSample) {
            // First measurement (RFC 6298 §2.2 sets SRTT = R, RTTVAR = R/2, so RTO = 3R). Linux does the same
            // in its scaled units: mdev = R/2 is stored ×4 as 2R, and the variance term may not be below
            // the minimum RTO.
            hasSample = true;
            srtt8 = m << 3;
            mdev4 = m << 1;
            rttvar4 = Math.max(mdev4, minRtoUs);
            mdevMax4 = rttvar4;
            rttSeq = sndNxt;
        } else {
            // err = R - SRTT; SRTT += err/8, i.e. SRTT = 7/8 SRTT + 1/8 R (RFC 6298 §2.3, alpha = 1/8).
            long err = m - (srtt8 >> 3);
            srtt8 += err;
            // mdev4 += |err| - mdev4/4, i.e. mdev = 3/4 mdev + 1/4 |err| (beta = 1/4) — except when the RTT
            // fell below SRTT and |err| exceeds the current deviation: then Linux grows mdev only by 1/8 of
            // that step (gain beta/8), so that a sudden drop in RTT does not inflate the RTO (the comment in
            // tcp_rtt_estimator() relates this to the Eifel algorithm).
            long step = Math.abs(err) - (mdev4 >> 2);
            if (err < 0 && step > 0) step >>= 3;
            mdev4 += step;
            // Track the largest deviation of this window; the RTO's variance term follows it upwards at once.
            if (mdev4 > mdevMax4) {
                mdevMax4 = mdev4;
                if (mdevMax4 > rttvar4) rttvar4 = mdevMax4;
            }
            // Once per window of data (when SND.UNA passes the SND.NXT noted at the window's start): move
            // rttvar a quarter of the way down to the window's maximum, and start a new window whose
            // maximum begins at the minimum RTO. Hence rttvar never decays below minRto.
            if (Seq.gt(sndUna, rttSeq)) {
                if (mdevMax4 < rttvar4) rttvar4 -= (rttvar4 - mdevMax4) >> 2;
                rttSeq = sndNxt;
                mdevMax4 = minRtoUs;
            }
        }
        // Linux: srtt_us = max(1U, srtt): the scaled value is at least 1 (1/8 µs), so that a 0 µs sample
        // still reads as "have an estimate" there; srttUs() then reports 0.
        srtt8 = Math.max(1, srtt8);
    }

    /**
     * The base retransmission timeout, before exponential backoff (Linux {@code tcp_set_rto()}):
     * {@code initialRtoUs} before any sample, then {@code SRTT + rttvar}, capped at {@code maxRtoUs}
     * ({@code tcp_bound_rto()}).
     *
     * <p>Differences from RFC 6298: there, RTO = SRTT + max(G, 4·RTTVAR) (§2.3) and is rounded up to 1 s
     * (§2.4). Linux has no 1 s floor; instead its variance term {@code rttvar} is never below {@code rto_min},
     * so the RTO is always at least SRTT + 200 ms, and rttvar follows the per-window maximum of 4·mdev rather
     * than RFC 6298's RTTVAR. Linux also converts the result to jiffies ({@code usecs_to_jiffies()}, rounding
     * up to the tick); that rounding is not modelled here: the RTO stays in microseconds.
     */
    public long rtoUs() {
        if (!hasSample) return initialRtoUs;
        return Math.min((srtt8 >> 3) + rttvar4, maxRtoUs);
    }

    /** The smoothed RTT in µs (Linux {@code srtt_us >> 3}, shown by {@code ss -i} as {@code rtt:}), 0 before a sample. */
    public long srttUs() { return hasSample ? srtt8 >> 3 : 0; }

    /** Linux's {@code tp->srtt_us} itself: the smoothed RTT in µs × 8, 0 before a sample. */
    long srttUs8() { return hasSample ? srtt8 : 0; }

    /**
     * The variance term of the RTO in µs (Linux {@code rttvar_us}; like {@code 4·RTTVAR} in RFC 6298, so
     * {@code rtoUs() == srttUs() + rttvarUs()} below the cap); 0 before a sample.
     */
    public long rttvarUs() { return rttvar4; }

    /**
     * The smoothed mean deviation in µs, unscaled (Linux {@code mdev_us >> 2}, which {@code tcp_get_info()}
     * reports as {@code tcpi_rttvar} and {@code ss -i} prints after the RTT); 0 before a sample.
     */
    public long mdevUs() { return mdev4 >> 2; }

    /** Whether at least one sample has been taken. */
    public boolean hasSample() { return hasSample; }

    /**
     * The smallest sample seen, {@link Long#MAX_VALUE} before any. Linux keeps a windowed minimum instead
     * ({@code tcp_update_rtt_min()}, lib/win_minmax.c, over {@code tcp_min_rtt_wlen} = 300 s); this one never
     * expires.
     */
    public long minRttUs() { return minRttUs; }

    /** The most recent sample in µs, 0 before any (RACK, RFC 8985, wants the latest RTT). */
    public long latestRttUs() { return latestRttUs; }

    /** Forgets every sample, as for a new connection; the RTO returns to the initial value. */
    public void reset() {
        srtt8 = 0;
        mdev4 = 0;
        mdevMax4 = 0;
        rttvar4 = 0;
        rttSeq = 0;
        minRttUs = Long.MAX_VALUE;
        latestRttUs = 0;
        hasSample = false;
    }

    @Override
    public String toString() {
        return "RttEstimator[srtt=" + srttUs() + "us, mdev=" + mdevUs() + "us, rttvar=" + rttvar4
                + "us, rto=" + rtoUs() + "us]";
    }
}
