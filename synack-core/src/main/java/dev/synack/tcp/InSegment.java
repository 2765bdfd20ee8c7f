package dev.synack.tcp;

import dev.synack.wire.TcpHeader;

/**
 * One received TCP segment as the engine sees it: header fields, parsed options and a view of the
 * payload. The stack fills one reusable instance per packet, so the per-segment path allocates
 * nothing; the engine must not keep a reference after it returns.
 */
public final class InSegment {
    public int srcAddr, dstAddr, srcPort, dstPort;
    public int seq, ack, flags, window;
    /** Options: -1 when absent. */
    public int mss = -1, windowScale = -1;
    public boolean sackPermitted, hasTimestamps;
    public int tsVal, tsEcr;
    public int sackCount;
    public final int[] sackStart = new int[4], sackEnd = new int[4];
    /** The payload: {@code payloadLen} bytes of {@code payload} from {@code payloadOff}. */
    public byte[] payload;
    public int payloadOff, payloadLen;

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
    }
}
