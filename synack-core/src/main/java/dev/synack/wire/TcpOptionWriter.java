package dev.synack.wire;

import static dev.synack.wire.Bytes.*;
import static dev.synack.wire.TcpOptions.*;

/**
 * Writes TCP options in exactly the order and layout of Linux's tcp_options_write
 * (net/ipv4/tcp_output.c), each group padded to 32 bits with NOPs:
 *
 * <ol>
 *   <li>MSS: {@code 02 04 mss16}</li>
 *   <li>timestamps: {@code 04 02 08 0a val ecr} when SACK-permitted also goes out (SACK-permitted takes the
 *       place of the two NOPs), else {@code 01 01 08 0a val ecr}</li>
 *   <li>SACK-permitted without timestamps: {@code 01 01 04 02}</li>
 *   <li>window scale: {@code 01 03 03 shift}</li>
 *   <li>SACK blocks: {@code 01 01 05 len} then 8 bytes per block</li>
 * </ol>
 *
 * So a Linux SYN with everything is {@code mss 1460,sackOK,TS val X ecr Y,nop,wscale 10} (20 bytes), and
 * every method returns a multiple of 4.
 */
public final class TcpOptionWriter {
    private TcpOptionWriter() {}

    /** Bytes of the aligned timestamps group (NOP NOP TS). */
    public static final int TIMESTAMPS_ALIGNED = 12;
    /** Bytes of the aligned SACK header (NOP NOP kind len), before the blocks. */
    public static final int SACK_BASE_ALIGNED = 4;

    /**
     * Writes the options of a SYN or SYN-ACK (Linux tcp_syn_options / tcp_synack_options).
     *
     * @param mss the MSS to announce; 0 or less for none (Linux writes MSS only when {@code opts->mss} ≠ 0)
     * @param windowScale the shift to announce, or -1 for no window scale option
     * @return bytes written, {@link #synLength}
     */
    public static int writeSyn(byte[] b, int off, int mss, boolean sackPermitted, boolean timestamps,
                               int tsVal, int tsEcr, int windowScale) {
        int i = off;
        if (mss > 0) {
            b[i] = KIND_MSS;
            b[i + 1] = LEN_MSS;
            put16(b, i + 2, mss);
            i += 4;
        }
        if (timestamps) {
            if (sackPermitted) {
                b[i] = KIND_SACK_PERMITTED;
                b[i + 1] = LEN_SACK_PERMITTED;
            } else {
                b[i] = KIND_NOP;
                b[i + 1] = KIND_NOP;
            }
            b[i + 2] = KIND_TIMESTAMPS;
            b[i + 3] = LEN_TIMESTAMPS;
            put32(b, i + 4, tsVal);
            put32(b, i + 8, tsEcr);
            i += 12;
        } else if (sackPermitted) {
            b[i] = KIND_NOP;
            b[i + 1] = KIND_NOP;
            b[i + 2] = KIND_SACK_PERMITTED;
            b[i + 3] = LEN_SACK_PERMITTED;
            i += 4;
        }
        if (windowScale >= 0) {
            b[i] = KIND_NOP;
            b[i + 1] = KIND_WINDOW_SCALE;
            b[i + 2] = LEN_WINDOW_SCALE;
            b[i + 3] = (byte) windowScale;
            i += 4;
        }
        return i - off;
    }

    /** Bytes {@link #writeSyn} writes for these choices (same meaning of {@code mss} and {@code windowScale}). */
    public static int synLength(int mss, boolean sackPermitted, boolean timestamps, int windowScale) {
        int n = 0;
        if (mss > 0) n += 4;
        if (timestamps) n += TIMESTAMPS_ALIGNED;
        else if (sackPermitted) n += 4;
        if (windowScale >= 0) n += 4;
        return n;
    }

    /**
     * Writes a Fast Open option (Linux tcp_options_write, OPTION_FAST_OPEN_COOKIE): kind 34 and its
     * length, or the experimental kind 254 with the magic F989 when {@code exp}, then the {@code len}
     * cookie bytes (0 for a cookie request), and two NOPs when the option's length is 2 modulo 4.
     *
     * @return bytes written, {@link #fastOpenLength}
     */
    public static int writeFastOpen(byte[] b, int off, byte[] cookie, int len, boolean exp) {
        int i = off;
        int optLen;
        if (exp) {
            optLen = 4 + len;
            b[i] = (byte) KIND_EXP;
            b[i + 1] = (byte) optLen;
            put16(b, i + 2, FASTOPEN_MAGIC);
            i += 4;
        } else {
            optLen = 2 + len;
            b[i] = (byte) KIND_FASTOPEN;
            b[i + 1] = (byte) optLen;
            i += 2;
        }
        System.arraycopy(cookie, 0, b, i, len);
        i += len;
        if ((optLen & 3) == 2) {
            b[i++] = KIND_NOP;
            b[i++] = KIND_NOP;
        }
        return i - off;
    }

    /** The bytes {@link #writeFastOpen} writes: the option rounded up to 4 (tcp_synack_options' "need"). */
    public static int fastOpenLength(int len, boolean exp) { return ((exp ? 4 : 2) + len + 3) & ~3; }

    /** Writes NOP NOP TS val ecr (RFC 7323 Appendix A layout); returns 12. */
    public static int writeTimestamps(byte[] b, int off, int tsVal, int tsEcr) {
        b[off] = KIND_NOP;
        b[off + 1] = KIND_NOP;
        b[off + 2] = KIND_TIMESTAMPS;
        b[off + 3] = LEN_TIMESTAMPS;
        put32(b, off + 4, tsVal);
        put32(b, off + 8, tsEcr);
        return TIMESTAMPS_ALIGNED;
    }

    /**
     * Writes NOP NOP SACK with the first {@code count} blocks (RFC 2018 §3); writes nothing when count is 0.
     *
     * @return {@code 4 + 8 * count}, or 0
     * @throws IllegalArgumentException if count is not in 0..4
     */
    public static int writeSack(byte[] b, int off, int[] starts, int[] ends, int count) {
        if (count < 0 || count > MAX_SACK_BLOCKS) {
            throw new IllegalArgumentException("SACK block count must be 0..4: " + count);
        }
        if (count == 0) return 0;
        b[off] = KIND_NOP;
        b[off + 1] = KIND_NOP;
        b[off + 2] = KIND_SACK;
        b[off + 3] = (byte) (LEN_SACK_BASE + LEN_SACK_PER_BLOCK * count);
        int i = off + SACK_BASE_ALIGNED;
        for (int k = 0; k < count; k++) {
            put32(b, i, starts[k]);
            put32(b, i + 4, ends[k]);
            i += LEN_SACK_PER_BLOCK;
        }
        return i - off;
    }

    /**
     * Writes the options of a non-SYN segment in Linux order: timestamps (if {@code timestamps}) then SACK
     * blocks (if {@code sackBlocks > 0}).
     *
     * @return bytes written, {@link #dataLength}
     */
    public static int writeData(byte[] b, int off, boolean timestamps, int tsVal, int tsEcr,
                                int[] starts, int[] ends, int sackBlocks) {
        int i = off;
        if (timestamps) i += writeTimestamps(b, i, tsVal, tsEcr);
        i += writeSack(b, i, starts, ends, sackBlocks);
        return i - off;
    }

    /** Bytes of the options of a non-SYN segment with these choices: 12 for timestamps, 4 + 8n for n SACK blocks. */
    public static int dataLength(boolean timestamps, int sackBlocks) {
        return (timestamps ? TIMESTAMPS_ALIGNED : 0) + (sackBlocks > 0 ? SACK_BASE_ALIGNED + LEN_SACK_PER_BLOCK * sackBlocks : 0);
    }

    /**
     * Most SACK blocks that fit beside the other options, as Linux's tcp_established_options computes:
     * {@code (40 - used - 4) / 8}, at most 4. With timestamps that is 3.
     */
    public static int maxSackBlocks(boolean timestamps) {
        int remaining = TcpHeader.MAX_OPTIONS_LEN - (timestamps ? TIMESTAMPS_ALIGNED : 0);
        return Math.min(MAX_SACK_BLOCKS, (remaining - SACK_BASE_ALIGNED) / LEN_SACK_PER_BLOCK);
    }
}
