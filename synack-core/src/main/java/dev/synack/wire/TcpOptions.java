package dev.synack.wire;

import static dev.synack.wire.Bytes.*;

/**
 * A mutable, reusable holder for the options of one received segment, filled by {@link #parse} without
 * allocating. Keep one per receive path and parse into it for each segment.
 *
 * <p>Parsing follows Linux's tcp_parse_options (net/ipv4/tcp_input.c) but records what is on the wire
 * regardless of the segment's flags or the connection's state: Linux only heeds MSS, window scale and
 * SACK-permitted on a SYN, and SACK blocks once SACK was negotiated; that filtering is the stack's job.
 */
public final class TcpOptions {
    /** Option kind: end of option list (RFC 9293 §3.2). */
    public static final int KIND_EOL = 0;
    /** Option kind: no-operation (RFC 9293 §3.2). */
    public static final int KIND_NOP = 1;
    /** Option kind: maximum segment size (RFC 9293 §3.2). */
    public static final int KIND_MSS = 2;
    /** Option kind: window scale (RFC 7323 §2.2). */
    public static final int KIND_WINDOW_SCALE = 3;
    /** Option kind: SACK permitted (RFC 2018 §2). */
    public static final int KIND_SACK_PERMITTED = 4;
    /** Option kind: SACK (RFC 2018 §3). */
    public static final int KIND_SACK = 5;
    /** Option kind: timestamps (RFC 7323 §3.2). */
    public static final int KIND_TIMESTAMPS = 8;
    /** Kind of the TCP MD5 signature option (RFC 2385). */
    public static final int KIND_MD5SIG = 19;
    /** Length of the MD5 signature option (Linux TCPOLEN_MD5SIG). */
    public static final int LEN_MD5SIG = 18;
    /** Option kind: TCP Fast Open cookie (RFC 7413 §4.1.1). */
    public static final int KIND_FASTOPEN = 34;
    /** Option kind: experimental (RFC 6994); Fast Open's pre-RFC form is this kind with {@link #FASTOPEN_MAGIC}. */
    public static final int KIND_EXP = 254;
    /** The experiment identifier of Fast Open in a kind-254 option (RFC 7413 §4.1.1, Linux TCPOPT_FASTOPEN_MAGIC). */
    public static final int FASTOPEN_MAGIC = 0xF989;
    /** Shortest and longest Fast Open cookie (RFC 7413 §4.1.1; Linux TCP_FASTOPEN_COOKIE_MIN/MAX). */
    public static final int FASTOPEN_COOKIE_MIN = 4, FASTOPEN_COOKIE_MAX = 16;

    /** Length of the MSS option. */
    public static final int LEN_MSS = 4;
    /** Length of the window scale option. */
    public static final int LEN_WINDOW_SCALE = 3;
    /** Length of the SACK-permitted option. */
    public static final int LEN_SACK_PERMITTED = 2;
    /** Length of the timestamps option. */
    public static final int LEN_TIMESTAMPS = 10;
    /** Length of a SACK option without blocks. */
    public static final int LEN_SACK_BASE = 2;
    /** Bytes per SACK block. */
    public static final int LEN_SACK_PER_BLOCK = 8;
    /** Most SACK blocks kept (RFC 2018 §3: at most 4 fit in 40 option bytes; Linux TCP_NUM_SACKS). */
    public static final int MAX_SACK_BLOCKS = 4;
    /** Largest window shift (RFC 7323 §2.3; Linux TCP_MAX_WSCALE). */
    public static final int MAX_WINDOW_SCALE = 14;

    private int mss = -1;
    private int windowScale = -1;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private boolean hasMd5;
    private final int[] sackStarts = new int[MAX_SACK_BLOCKS];
    private final int[] sackEnds = new int[MAX_SACK_BLOCKS];
    private int fastOpenLen = -1;
    private boolean fastOpenExp;
    private final byte[] fastOpenCookie = new byte[FASTOPEN_COOKIE_MAX];

    /** Creates an empty holder. */
    public TcpOptions() {}

    /** Forgets all options (as after parsing an empty options area). */
    public void clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
        hasMd5 = false;
        fastOpenLen = -1;
        fastOpenExp = false;
    }

    /**
     * Clears the holder and parses the options area of {@code len} bytes at {@code off} (the bytes between
     * the fixed header and the data offset). EOL ends parsing; NOP is skipped; MSS, window scale,
     * SACK-permitted, SACK and timestamps are recorded; other kinds with a sane length are skipped. A later
     * occurrence of an option overrides an earlier one, as in Linux.
     *
     * <p>A known kind with the wrong length is ignored, exactly as tcp_parse_options does (it checks
     * {@code opsize == TCPOLEN_xxx} per kind and otherwise just steps over the option).
     *
     * <p>A length byte below 2, or an option running past the area, makes this return
     * {@link DropReason#BAD_TCP_OPTION}. Linux does not drop the segment then: it stops parsing and keeps
     * what it has ("silly options", "don't parse partial options"). The options parsed before the bad one
     * stay in this holder, so a caller wanting Linux's behaviour may ignore the result.
     *
     * @return {@code null} when the area is well formed, else {@link DropReason#BAD_TCP_OPTION}
     */
    public DropReason parse(byte[] b, int off, int len) {
        clear();
        int i = off;
        int end = off + len;
        while (i < end) {
            int kind = b[i] & 0xFF;
            if (kind == KIND_EOL) return null;
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (end - i < 2) return DropReason.BAD_TCP_OPTION;
            int size = b[i + 1] & 0xFF;
            if (size < 2 || size > end - i) return DropReason.BAD_TCP_OPTION;
            switch (kind) {
                case KIND_MSS -> {
                    if (size == LEN_MSS) mss = u16(b, i + 2);
                }
                case KIND_WINDOW_SCALE -> {
                    if (size == LEN_WINDOW_SCALE) {
                        // RFC 7323 §2.3 and Linux: a shift above 14 is used as 14 (Linux logs
                        // "Illegal window scaling value %d > %u received" and clamps).
                        windowScale = Math.min(b[i + 2] & 0xFF, MAX_WINDOW_SCALE);
                    }
                }
                case KIND_SACK_PERMITTED -> {
                    if (size == LEN_SACK_PERMITTED) sackPermitted = true;
                }
                case KIND_TIMESTAMPS -> {
                    if (size == LEN_TIMESTAMPS) {
                        hasTimestamps = true;
                        tsVal = i32(b, i + 2);
                        tsEcr = i32(b, i + 6);
                    }
                }
                case KIND_SACK -> {
                    // Linux: opsize >= 10 and (opsize - 2) % 8 == 0, else the option is ignored;
                    // tcp_sacktag_write_queue then uses at most TCP_NUM_SACKS (4) blocks.
                    int body = size - LEN_SACK_BASE;
                    if (body >= LEN_SACK_PER_BLOCK && body % LEN_SACK_PER_BLOCK == 0) {
                        int n = Math.min(body / LEN_SACK_PER_BLOCK, MAX_SACK_BLOCKS);
                        for (int k = 0; k < n; k++) {
                            sackStarts[k] = i32(b, i + 2 + k * LEN_SACK_PER_BLOCK);
                            sackEnds[k] = i32(b, i + 6 + k * LEN_SACK_PER_BLOCK);
                        }
                        sackBlockCount = n;
                    }
                }
                case KIND_MD5SIG -> {
                    if (size == LEN_MD5SIG) hasMd5 = true; // tcp_parse_md5sig_option
                }
                case KIND_FASTOPEN -> fastOpen(b, i + 2, size - 2, false);
                case KIND_EXP -> {
                    // Linux tcp_parse_options: kind 254 is Fast Open when its first two bytes are the magic.
                    if (size >= 4 && u16(b, i + 2) == FASTOPEN_MAGIC) fastOpen(b, i + 4, size - 4, true);
                }
                default -> { /* unknown kind: skipped */ }
            }
            i += size;
        }
        return null;
    }

    /**
     * Linux tcp_parse_fastopen_option: an even length of 0 (a cookie request) or 4..16 is kept; another
     * even length makes the option "present but invalid" (-1 after all); an odd length is ignored.
     * (Linux also only looks at it on a SYN; the caller filters by flags, as for MSS.)
     */
    private void fastOpen(byte[] b, int off, int len, boolean exp) {
        if ((len & 1) != 0) return;
        if (len >= FASTOPEN_COOKIE_MIN && len <= FASTOPEN_COOKIE_MAX) System.arraycopy(b, off, fastOpenCookie, 0, len);
        else if (len != 0) len = -1;
        fastOpenLen = len;
        fastOpenExp = exp;
    }

    /** The Fast Open cookie's length: -1 for none (or an invalid one), 0 for a cookie request, else 4..16. */
    public int fastOpenLen() { return fastOpenLen; }

    /** Whether the Fast Open option was the experimental form (kind 254, magic F989). */
    public boolean fastOpenExp() { return fastOpenExp; }

    /** Copies the Fast Open cookie ({@link #fastOpenLen()} bytes) into {@code dst}. */
    public void copyFastOpenCookie(byte[] dst) { if (fastOpenLen > 0) System.arraycopy(fastOpenCookie, 0, dst, 0, fastOpenLen); }

    /** The MSS as received (0..65535; Linux ignores a zero MSS), or -1 if absent. */
    public int mss() { return mss; }

    /** The window shift, already clamped to 14, or -1 if absent. */
    public int windowScale() { return windowScale; }

    /** Whether SACK-permitted was present. */
    public boolean sackPermitted() { return sackPermitted; }

    /** Whether a timestamps option was present. */
    public boolean hasTimestamps() { return hasTimestamps; }

    /** Whether an MD5 signature option (RFC 2385) of the right length was present. */
    public boolean hasMd5() { return hasMd5; }

    /** TSval (unsigned meaning); 0 when absent. */
    public int tsVal() { return tsVal; }

    /** TSecr (unsigned meaning); 0 when absent. */
    public int tsEcr() { return tsEcr; }

    /** Number of SACK blocks, 0..4. */
    public int sackBlockCount() { return sackBlockCount; }

    /** Left edge of SACK block {@code i} (0 ≤ i &lt; {@link #sackBlockCount()}). */
    public int sackStart(int i) { return sackStarts[checkBlock(i)]; }

    /** Right edge (first sequence number after the block) of SACK block {@code i}. */
    public int sackEnd(int i) { return sackEnds[checkBlock(i)]; }

    /**
     * Copies the SACK block edges into the caller's arrays (each at least {@link #sackBlockCount()} long)
     * without allocating.
     *
     * @return the number of blocks copied
     */
    public int copySackBlocks(int[] starts, int[] ends) {
        System.arraycopy(sackStarts, 0, starts, 0, sackBlockCount);
        System.arraycopy(sackEnds, 0, ends, 0, sackBlockCount);
        return sackBlockCount;
    }

    private int checkBlock(int i) {
        if (i < 0 || i >= sackBlockCount) {
            throw new IndexOutOfBoundsException("SACK block " + i + " of " + sackBlockCount);
        }
        return i;
    }

    /** A compact description for debugging, e.g. {@code "mss 1460 wscale 7 sackOK TS val 1 ecr 0"}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (mss >= 0) sb.append("mss ").append(mss).append(' ');
        if (windowScale >= 0) sb.append("wscale ").append(windowScale).append(' ');
        if (sackPermitted) sb.append("sackOK ");
        if (hasTimestamps) {
            sb.append("TS val ").append(Integer.toUnsignedString(tsVal))
                    .append(" ecr ").append(Integer.toUnsignedString(tsEcr)).append(' ');
        }
        if (sackBlockCount > 0) {
            sb.append("sack");
            for (int k = 0; k < sackBlockCount; k++) {
                sb.append(' ').append(Integer.toUnsignedString(sackStarts[k]))
                        .append(':').append(Integer.toUnsignedString(sackEnds[k]));
            }
            sb.append(' ');
        }
        return sb.toString().trim();
    }
}
