package dev.synack.tcp;

import dev.synack.stats.Counter;

/**
 * The window this connection offers (net/ipv4/tcp_output.c: tcp_select_initial_window,
 * tcp_select_window, __tcp_select_window; tcp_input.c: tcp_grow_window): from the receive buffer's
 * free space, converted by the scaling ratio (tcp_win_from_space), bounded by rcv_ssthresh and the
 * window clamp, never shrinking the right edge already offered (RFC 9293 §3.8.6), and avoiding the
 * silly window syndrome (RFC 9293 §3.8.6.2.2) as Linux does.
 */
final class ReceiveWindow {
    private final TcpConnection c;
    private final Tcb t;

    ReceiveWindow(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** tcp_select_initial_window: wscale from the largest buffer we could grow to (tcp_rmem[2]). */
    int initialWscale() { return initialWscale(t.recvBuf.capacity(), t.cfg); }

    /** The same for a receive buffer of {@code rcvBuf} bytes (a cookie's SYN-ACK, which has no connection). */
    static int initialWscale(int rcvBuf, TcpConfig cfg) {
        long space = Math.max(rcvBuf, cfg.tcpRmem[2]);
        int ws = 63 - Long.numberOfLeadingZeros(space) - 15; // ilog2(space) - 15: the window field's 16 bits
        return Math.max(0, Math.min(Tcb.TCP_MAX_WSCALE, ws));
    }

    /**
     * The first window of a connection with a receive buffer of {@code rcvBuf} bytes, before any data
     * was measured (scaling ratio {@link Tcb#DEFAULT_SCALING_RATIO}): what {@link #initial} gives.
     */
    static int initialWindow(int rcvBuf, int mssForRounding) {
        int space = (int) (((long) rcvBuf * Tcb.DEFAULT_SCALING_RATIO) >> 8);
        if (space > mssForRounding) space = space / mssForRounding * mssForRounding;
        return Math.min(space, Tcb.MAX_TCP_WINDOW);
    }

    /**
     * tcp_select_initial_window (net/ipv4/tcp_output.c): the first window is the buffer's space
     * rounded down to a multiple of the MSS; 64240 for tcp_rmem[1] = 131072 and MSS 1460.
     */
    void initial(int mssForRounding) {
        int space = winFromSpace(t.recvBuf.capacity());
        if (space > mssForRounding) space = space / mssForRounding * mssForRounding;
        int clamp = t.rcvWscale > 0 ? Tcb.MAX_TCP_WINDOW << t.rcvWscale : Tcb.MAX_TCP_WINDOW;
        t.windowClamp = Math.min(clamp, winFromSpace(Math.max(t.recvBuf.capacity(), t.cfg.tcpRmem[2])));
        t.rcvWnd = Math.min(space, Tcb.MAX_TCP_WINDOW);
        t.rcvSsthresh = t.rcvWnd;
    }

    /**
     * tcp_select_window: the window to advertise, never shrinking the right edge (RFC 9293 §3.8.6),
     * scaled down by our window scale. Records it as RCV.WND at RCV.NXT.
     *
     * @return the header's window field
     */
    int select() {
        int cur = t.receiveWindow();
        int w = peek();
        if (w < cur) {
            // Never shrink: keep the old right edge (aligned up to the scale granularity).
            w = alignUp(cur, t.rcvWscale);
        }
        w = Math.min(w, t.wscaleOk ? Tcb.MAX_TCP_WINDOW << t.rcvWscale : Tcb.MAX_TCP_WINDOW);
        boolean wasZero = t.rcvWnd == 0;
        t.rcvWnd = w;
        t.rcvWup = t.rcvNxt;
        if (w == 0 && !wasZero) t.stats.inc(Counter.TcpExtTCPToZeroWindowAdv);
        if (w != 0 && wasZero) t.stats.inc(Counter.TcpExtTCPFromZeroWindowAdv);
        return w >>> t.rcvWscale;
    }

    private static int alignUp(int v, int shift) {
        int unit = 1 << shift;
        return (int) (((long) v + unit - 1) / unit * unit);
    }

    /**
     * __tcp_select_window: the window our free buffer space allows now. Under memory pressure (less
     * than half the buffer free) it also ends quick-ACK mode, as Linux clears icsk_ack.quick there.
     */
    int peek() {
        int mssR = t.rcvMss;
        int freeSpace = space();
        int fullSpace = Math.min(t.windowClamp, fullSpace());
        if (mssR > fullSpace) mssR = Math.max(fullSpace, 1);
        if (freeSpace < (fullSpace >> 1)) {
            c.delack.leaveQuickAckMode();
            freeSpace = freeSpace >> t.rcvWscale << t.rcvWscale;
            if (freeSpace < (fullSpace() >> 4) || freeSpace < mssR) return 0;
        }
        if (freeSpace > t.rcvSsthresh) freeSpace = t.rcvSsthresh;
        int window;
        if (t.rcvWscale != 0) {
            window = alignUp(freeSpace, t.rcvWscale);
        } else {
            window = t.rcvWnd;
            if (window <= freeSpace - mssR || window > freeSpace) {
                window = freeSpace / mssR * mssR;
            } else if (mssR == fullSpace && freeSpace > window + (fullSpace >> 1)) {
                window = freeSpace;
            }
        }
        return window;
    }

    /** tcp_grow_window: raise rcv_ssthresh as in-order data arrives, up to the clamp. */
    void grow(int len) {
        int space = space();
        if (t.rcvSsthresh < t.windowClamp && t.rcvSsthresh < space) {
            int room = Math.min(t.windowClamp, space) - t.rcvSsthresh;
            int incr = Math.max(2 * t.advMss, 2 * len);
            t.rcvSsthresh += Math.min(room, incr);
        }
    }

    /** tcp_space: window-able free space of the receive buffer. */
    private int space() {
        long held = (long) t.recvBuf.length() + t.ofo.bytes();
        return (int) Math.max(0, fullSpace() - held);
    }

    private int fullSpace() { return winFromSpace(t.recvBuf.capacity()); }

    /** tcp_win_from_space with Linux 6.x's scaling_ratio. */
    int winFromSpace(int space) { return (int) (((long) space * t.scalingRatio) >> 8); }
}
