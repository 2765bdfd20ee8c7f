package dev.synack.tcp;

/**
 * SYN cookies as Linux 6.18 computes them (net/ipv4/syncookies.c, include/net/tcp.h): a listener
 * whose SYN queue is full answers a SYN with a SYN-ACK whose ISN encodes what it would have kept —
 * the peer's MSS as an index into {@link #MSSTAB} and the time — under a keyed hash of the 4-tuple,
 * and keeps nothing; the returning ACK (ACK − 1 = the cookie) is checked and becomes the connection.
 * With timestamps, the window scale, SACK and ECN the SYN offered ride in the low {@link #TSBITS}
 * bits of the SYN-ACK's TSval (cookie_init_timestamp), which the ACK echoes.
 *
 * <p>The cookie (secure_tcp_syn_cookie): {@code H0(4-tuple) + SEG.SEQ + (count << 24) +
 * ((H1(4-tuple, count) + mssind) mod 2^24)}, count = the minutes since boot (tcp_cookie_time, 60 s
 * periods); check_tcp_syn_cookie takes the count from the top 8 bits and accepts it if it is at most
 * {@link #MAX_SYNCOOKIE_AGE} − 1 periods old, then recovers mssind. (The classic description's 5-bit
 * counter and 3-bit MSS field is the original Bernstein layout; Linux's is this one.)
 */
final class SynCookies {
    private SynCookies() {}

    /** COOKIEBITS: the hash and data part; the count takes the bits above. */
    static final int COOKIEBITS = 24;
    static final int COOKIEMASK = (1 << COOKIEBITS) - 1;
    /** MAX_SYNCOOKIE_AGE (include/net/tcp.h): a cookie is valid for this many count periods. */
    static final int MAX_SYNCOOKIE_AGE = 2;
    /** TCP_SYNCOOKIE_PERIOD (60 * HZ): the count's tick. */
    static final long TCP_SYNCOOKIE_PERIOD_NS = 60_000_000_000L;
    /** TCP_SYNCOOKIE_VALID: how long after the last overflow cookies are still checked (2 minutes). */
    static final long TCP_SYNCOOKIE_VALID_NS = MAX_SYNCOOKIE_AGE * TCP_SYNCOOKIE_PERIOD_NS;
    /** tcp_synq_overflow records the last overflow at most once per second (HZ). */
    static final long SYNQ_OVERFLOW_STAMP_NS = 1_000_000_000L;
    /** msstab (syncookies.c): the MSS values a cookie can carry ("1440, 1452: PPPoE"). */
    static final int[] MSSTAB = {536, 1300, 1440, 1460};
    /** TSBITS: the low bits of the cookie TSval that carry the options. */
    static final int TSBITS = 6;
    static final int TS_OPT_WSCALE_MASK = 0xf, TS_OPT_SACK = 1 << 4, TS_OPT_ECN = 1 << 5;

    /** tcp_cookie_time: jiffies_64 / TCP_SYNCOOKIE_PERIOD, from the host's clock. */
    static int cookieTime(long nowNs) { return (int) (nowNs / TCP_SYNCOOKIE_PERIOD_NS); }

    /** __cookie_v4_init_sequence: the largest table entry not above the peer's MSS (index 0 at worst). */
    static int mssIndex(int mss) {
        int i = MSSTAB.length - 1;
        while (i > 0 && mss < MSSTAB[i]) i--;
        return i;
    }

    /** secure_tcp_syn_cookie for a SYN from {@code peer} with sequence {@code sseq}, at time {@code count}. */
    static int cookie(TcpHost h, int peerAddr, int localAddr, int peerPort, int localPort, int sseq, int data, int count) {
        return h.synCookieHash(peerAddr, localAddr, peerPort, localPort, 0, 0) + sseq + (count << COOKIEBITS)
                + ((h.synCookieHash(peerAddr, localAddr, peerPort, localPort, count, 1) + data) & COOKIEMASK);
    }

    /**
     * check_tcp_syn_cookie: the data (mssind) a cookie carries, or -1 when it is too old or forged
     * ({@code (u32)-1} in Linux, which the caller's range check rejects).
     */
    static int check(TcpHost h, int cookie, int peerAddr, int localAddr, int peerPort, int localPort, int sseq, int count) {
        cookie -= h.synCookieHash(peerAddr, localAddr, peerPort, localPort, 0, 0) + sseq;
        int diff = (count - (cookie >>> COOKIEBITS)) & (-1 >>> COOKIEBITS);
        if (diff >= MAX_SYNCOOKIE_AGE) return -1;
        return (cookie - h.synCookieHash(peerAddr, localAddr, peerPort, localPort, count - diff, 1)) & COOKIEMASK;
    }

    /** __cookie_v4_check: the MSS of the ACK's cookie (ACK − 1, for SEQ − 1), or 0 when it does not decode. */
    static int checkAck(TcpHost h, InSegment seg, long nowNs) {
        int mssind = check(h, seg.ack - 1, seg.srcAddr, seg.dstAddr, seg.srcPort, seg.dstPort, seg.seq - 1, cookieTime(nowNs));
        return mssind >= 0 && mssind < MSSTAB.length ? MSSTAB[mssind] : 0;
    }

    /**
     * cookie_init_timestamp: the timestamps clock (ms) with its low {@link #TSBITS} bits replaced by
     * the options (wscale, or {@link #TS_OPT_WSCALE_MASK} for none; SACK; ECN), stepped back one
     * period if that would be in the future. The connection's offset is added by the caller.
     */
    static int initTimestamp(long nowNs, int sndWscale, boolean sack, boolean ecn) {
        long tsNow = (nowNs / 1_000_000L) & 0xFFFF_FFFFL; // tcp_ns_to_ts, a u32 clock
        int options = sndWscale >= 0 ? sndWscale : TS_OPT_WSCALE_MASK;
        if (sack) options |= TS_OPT_SACK;
        if (ecn) options |= TS_OPT_ECN;
        long ts = (tsNow >>> TSBITS) << TSBITS | options;
        if (ts > tsNow) ts -= 1L << TSBITS;
        return (int) ts;
    }
}
