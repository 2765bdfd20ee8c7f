package dev.synack.tcp;

import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOptions;

/**
 * One received TCP segment as the engine sees it: header fields, parsed options and a view of the
 * payload. The demux fills one reusable instance per packet ({@link #parse}), so the per-segment path
 * allocates nothing; the engine must not keep a reference after it returns.
 */
public final class InSegment {
    public int srcAddr, dstAddr, srcPort, dstPort;
    public int seq, ack, flags, window;
    /** Options: -1 when absent. */
    public int mss = -1, windowScale = -1;
    public boolean sackPermitted, hasTimestamps;
    public int tsVal, tsEcr;
    public int sackCount;
    /** An MD5 signature option (RFC 2385) came: a socket without keys drops the segment. */
    public boolean hasMd5;
    /** The Fast Open option of a SYN or SYN-ACK (RFC 7413): -1 none, 0 a cookie request, else the cookie's length. */
    public int foLen = -1;
    /** Whether the Fast Open option was the experimental kind 254 form. */
    public boolean foExp;
    /** The Fast Open cookie's bytes ({@link #foLen} of them). */
    public final byte[] foCookie = new byte[16];
    public final int[] sackStart = new int[4], sackEnd = new int[4];
    /** The payload: {@code payloadLen} bytes of {@code payload} from {@code payloadOff}. */
    public byte[] payload;
    public int payloadOff, payloadLen;
    /** The TCP header's length with its options (doff · 4). */
    public int headerLen;

    /** The length of the IP packet that carried it, for its truesize (an IPv4 header without options). */
    int ipLen() { return 20 + headerLen + payloadLen; }
    /** The ECN field of the IP packet that carried it (Ipv4.NOT_ECT, ECT_1, ECT_0 or CE). */
    public int ecn;

    /** Whether a flag (TcpHeader constant) is set. */
    public boolean has(int flag) { return (flags & flag) != 0; }

    /** SEG.LEN of RFC 9293: payload plus one for SYN and one for FIN. */
    public int seqLength() {
        return payloadLen + ((flags & TcpHeader.SYN) != 0 ? 1 : 0) + ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
    }

    /** Clears the options before the next parse. */
    public void clearOptions() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = tsEcr = 0;
        sackCount = 0;
        hasMd5 = false;
        foLen = -1;
        foExp = false;
    }

    /**
     * Fills this from the validated TCP segment of {@code tlen} bytes at {@code t} in {@code b}
     * (tcp_v4_rcv's TCP_SKB_CB), parsing its options with {@code opts} as Linux's tcp_parse_options
     * does: it stops at a malformed option and keeps what it read; MSS, window scale and SACK-permitted
     * count only on a SYN.
     */
    public void parse(byte[] b, int t, int tlen, int src, int dst, TcpOptions opts) {
        int doff = TcpHeader.dataOffset(b, t);
        srcAddr = src;
        dstAddr = dst;
        srcPort = TcpHeader.srcPort(b, t);
        dstPort = TcpHeader.dstPort(b, t);
        seq = TcpHeader.seq(b, t);
        ack = TcpHeader.ack(b, t);
        flags = TcpHeader.flags(b, t);
        window = TcpHeader.window(b, t);
        payload = b;
        payloadOff = t + doff;
        headerLen = doff;
        payloadLen = tlen - doff;
        clearOptions();
        if (doff > TcpHeader.HEADER_LEN) {
            opts.clear();
            opts.parse(b, t + TcpHeader.HEADER_LEN, doff - TcpHeader.HEADER_LEN);
            if (has(TcpHeader.SYN)) {
                mss = opts.mss();
                windowScale = opts.windowScale();
                sackPermitted = opts.sackPermitted();
                foLen = opts.fastOpenLen(); // tcp_parse_fastopen_option: valid only in a SYN or SYN-ACK
                foExp = opts.fastOpenExp();
                opts.copyFastOpenCookie(foCookie);
            }
            if (opts.hasTimestamps()) {
                hasTimestamps = true;
                tsVal = opts.tsVal();
                tsEcr = opts.tsEcr();
            }
            sackCount = opts.copySackBlocks(sackStart, sackEnd);
            hasMd5 = opts.hasMd5();
        }
    }
}
