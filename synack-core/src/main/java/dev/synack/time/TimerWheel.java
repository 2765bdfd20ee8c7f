package dev.synack.time;

/**
 * When a Linux {@code timer_list} timer really fires: the expiry a kernel timer wheel gives a timeout
 * (kernel/time/timer.c, calc_wheel_index and calc_index), for a kernel whose jiffies tick every
 * {@code tickNs}.
 *
 * <p>A timer armed at jiffy {@code clk} for {@code expires = clk + timeout} goes into a level by its
 * distance: level n holds distances below {@code LVL_START(n+1) = 63 << 3n} jiffies and has a granularity
 * of {@code 8^n} jiffies (LVL_CLK_SHIFT 3, LVL_BITS 6). Its bucket expires at {@code ((expires >> 3n) + 1)
 * << 3n}: rounded up with the level's granularity so that a timer never fires early — one jiffy late at
 * level 0 (a 51-jiffy RTO fires 52 jiffies after a tick: 208 ms at HZ 250), up to 8 jiffies late from
 * 63 jiffies (252 ms), 64 from 504 (2.016 s), 512 from 4032 (16.1 s), 4096 from 32256 (129 s), and so on.
 * Because the buckets are aligned to absolute jiffies, the lateness of one timer depends on where the
 * jiffies counter stands: a wheel is seeded with the counter's value and its phase at virtual time 0,
 * so runs stay deterministic and different hosts' ticks differ as different machines' do.
 *
 * <p>Measured on Linux 6.18 (HZ 250) with the oracle's recordings, and reproduced exactly by this rule
 * from one phase: an unanswered SYN is resent after 1013 (first, from mid-tick), 1024, 1024, 1024, 1024,
 * 2016, 4224, 8192, 16128 ms and connect() fails 65.536 s after the last (timeouts of 1, 1, 1, 1, 1, 2,
 * 4, 8, 16, 32 and 64 s); data to a silent host is resent after RTO gaps of 57, 114, 232, (457,) 935,
 * 1856, 3648, 7296, 14848, 29184 jiffies and then 30208 for each 120-s RTO (a 56-jiffy RTO doubling).
 */
public final class TimerWheel {
    /** LVL_CLK_SHIFT: each level's granularity is 8 times the one below. */
    private static final int LVL_CLK_SHIFT = 3;
    /** LVL_SIZE − 1: distances per level before the next one takes over (LVL_START). */
    private static final long LVL_SPAN = 63;
    /** LVL_DEPTH for HZ > 100: nine levels. */
    private static final int LVL_DEPTH = 9;
    /** WHEEL_TIMEOUT_CUTOFF = LVL_START(LVL_DEPTH); longer timeouts are cut to WHEEL_TIMEOUT_MAX. */
    private static final long CUTOFF = LVL_SPAN << ((LVL_DEPTH - 1) * LVL_CLK_SHIFT);
    private static final long TIMEOUT_MAX = CUTOFF - (1L << ((LVL_DEPTH - 1) * LVL_CLK_SHIFT));

    private final long tickNs;
    private final long jiffiesAtZero;
    private final long phaseNs;

    /**
     * A wheel whose counter reads {@code jiffiesAtZero} at the tick {@code phaseNs} before virtual time 0
     * (0 ≤ phaseNs &lt; tickNs).
     */
    public TimerWheel(long tickNs, long jiffiesAtZero, long phaseNs) {
        if (tickNs <= 0) throw new IllegalArgumentException("tick " + tickNs + " ns");
        if (phaseNs < 0 || phaseNs >= tickNs) throw new IllegalArgumentException("phase " + phaseNs + " ns outside [0, " + tickNs + ")");
        if (jiffiesAtZero < 0) throw new IllegalArgumentException("jiffies " + jiffiesAtZero);
        this.tickNs = tickNs;
        this.jiffiesAtZero = jiffiesAtZero;
        this.phaseNs = phaseNs;
    }

    /** A wheel at HZ 250 (4 ms ticks, Debian's and these machines' kernels) seeded by {@code seed}. */
    public static TimerWheel hz250(long seed) {
        long mixed = seed * 0x9E3779B97F4A7C15L;
        mixed ^= mixed >>> 31;
        mixed *= 0xBF58476D1CE4E5B9L;
        mixed ^= mixed >>> 29;
        long tick = 4_000_000L;
        return new TimerWheel(tick, (mixed >>> 34) & ((1L << 24) - 1), Math.floorMod(mixed, tick));
    }

    /** The jiffies counter at virtual time {@code nowNs}. */
    public long jiffies(long nowNs) { return jiffiesAtZero + Math.floorDiv(nowNs + phaseNs, tickNs); }

    /** The virtual time of the tick at which the counter becomes {@code jiffies}. */
    public long timeOf(long jiffies) { return (jiffies - jiffiesAtZero) * tickNs - phaseNs; }

    /**
     * The virtual time at which a timer armed at {@code nowNs} for {@code timeoutNs} fires: the timeout in
     * whole jiffies (rounded up, as msecs_to_jiffies and usecs_to_jiffies round), its bucket's expiry on
     * the wheel, as mod_timer places it.
     */
    public long expiryNs(long nowNs, long timeoutNs) {
        long clk = jiffies(nowNs);
        long timeout = Math.max(0, Math.ceilDiv(timeoutNs, tickNs));
        if (timeout >= CUTOFF) timeout = TIMEOUT_MAX;
        return timeOf(bucketExpiry(clk + timeout, timeout));
    }

    /** calc_wheel_index + calc_index: the jiffy at which the bucket of a timer {@code delta} jiffies away expires. */
    static long bucketExpiry(long expires, long delta) {
        int lvl = 0;
        while (lvl < LVL_DEPTH - 1 && delta >= (LVL_SPAN << (lvl * LVL_CLK_SHIFT))) lvl++;
        int shift = lvl * LVL_CLK_SHIFT;
        return ((expires >> shift) + 1) << shift;
    }

    @Override
    public String toString() {
        return "TimerWheel[tick " + tickNs + " ns, jiffies " + jiffiesAtZero + " at -" + phaseNs + " ns]";
    }
}
