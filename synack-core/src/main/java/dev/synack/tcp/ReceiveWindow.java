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
    int initialWscale() { return initialWscale(t.recvBuf.capacity(), t.options.rcvBuf > 0, t.cfg); }

    /**
     * The same for a receive buffer of {@code rcvBuf} bytes (a cookie's SYN-ACK, which has no connection).
     * A buffer SO_RCVBUF locked ({@code locked}) is also the window clamp (tcp_connect_init,
     * tcp_openreq_init_rwin: window_clamp = tcp_full_space), and the scale is chosen for no more than
     * that: measured on Linux 6.18, a listener with SO_RCVBUF 8192 answers with wscale 0 and window 7300.
     */
    static int initialWscale(int rcvBuf, boolean locked, TcpConfig cfg) {
        long space = Math.max(rcvBuf, cfg.tcpRmem[2]);
        if (locked) space = Math.min(space, ((long) rcvBuf * Tcb.DEFAULT_SCALING_RATIO) >> 8);
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
            if (t.demux.mem.underPressure()) c.rmem.adjustRcvSsthresh(); // __tcp_select_window
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

    /**
     * tcp_init_buffer_space (tcp_input.c), at the end of the handshake: the window clamp is the full
     * space of the receive buffer less one segment ("force reservation of one segment", tcp_app_win
     * 31), and rcv_ssthresh stays under it. With tcp_rmem[1] = 131072 and the default scaling ratio
     * (½) that is 65536 − 1448 = 64088: the window stays at 63 (×1024) until a full-sized segment
     * teaches a better ratio — measured on Linux 6.18 (a 200-byte and a 1000-byte segment leave it at
     * 63; the first 1448-byte segment takes it to 66).
     */
    void initBufferSpace() {
        int maxwin = fullSpace();
        int advmss = advmss();
        if (t.windowClamp >= maxwin) t.windowClamp = Math.max(maxwin, 4 * advmss);
        if (t.windowClamp > 2 * advmss && t.windowClamp + advmss > maxwin) t.windowClamp = Math.max(2 * advmss, maxwin - advmss);
        t.rcvSsthresh = Math.min(t.rcvSsthresh, t.windowClamp);
    }

    /**
     * tcp_measure_rcv_mss's new scaling ratio, len/truesize of the segment that taught a new rcv_mss:
     * the window clamp follows the receive buffer at that ratio (tcp_set_window_clamp) and rcv_ssthresh
     * stays under it.
     */
    void newScalingRatio(int payloadLen, int ipLen) {
        int ratio = t.cfg.rxPerSegmentTruesize ? Math.max(1, (payloadLen << 8) / Tcb.skbTruesize(ipLen)) : Tcb.AGGREGATED_SCALING_RATIO;
        if (ratio == t.scalingRatio) return;
        t.scalingRatio = ratio;
        setWindowClamp(fullSpace());
        if (t.windowClamp < t.rcvSsthresh) t.rcvSsthresh = t.windowClamp;
    }

    /**
     * tcp_set_window_clamp (tcp.c): a smaller clamp pulls rcv_ssthresh down with it; a larger one lifts
     * rcv_ssthresh to the window already offered (rcv_wnd) if that is more — which is why, measured on
     * Linux 6.18, the first full-sized segment after a smaller one takes the window from 63 straight to
     * 66 (×1024): rcv_ssthresh restarts from 63 · 1024 and grows by two segments.
     */
    private void setWindowClamp(int val) {
        int clamp = Math.max(Tcb.SOCK_MIN_RCVBUF / 2, val);
        if (clamp == t.windowClamp) return;
        int old = t.windowClamp;
        t.windowClamp = clamp;
        if (clamp < old) t.rcvSsthresh = Math.min(t.rcvSsthresh, clamp);
        else t.rcvSsthresh = Math.max(Math.min(t.rcvWnd, clamp), t.rcvSsthresh);
    }

    /**
     * tcp_rcv_space_adjust: "Make the window clamp follow along" the grown receive buffer. Read from
     * Linux's source; no recording here exercises it yet.
     */
    void followBuffer() { t.windowClamp = fullSpace(); }

    /**
     * tcp_grow_window: raise rcv_ssthresh as in-order data arrives, up to the clamp and the free space —
     * by two segments when the segment's overhead fits the buffer (tcp_win_from_space(truesize) ≤ len),
     * else by __tcp_grow_window's halving test, at least twice the segment. The first branch is what the
     * recordings show (full-sized segments over TUN: 66, 69, 72); the halving branch is read from
     * Linux's source, not yet shown by a recording.
     */
    void grow(int len, int ipLen) {
        int room = Math.min(t.windowClamp, space()) - t.rcvSsthresh;
        if (room <= 0) return;
        if (t.demux.mem.underPressure()) {
            // "Under pressure: Adjust rcv_ssthresh according to reserved mem" (tcp_adjust_rcv_ssthresh).
            c.rmem.adjustRcvSsthresh();
            return;
        }
        int incr;
        // Aggregated segments (TcpConfig.rxPerSegmentTruesize false) always pass check #2.
        int windowOfTruesize = t.cfg.rxPerSegmentTruesize ? winFromSpace(Tcb.skbTruesize(ipLen)) : 0;
        if (windowOfTruesize <= len) {
            incr = 2 * advmss();
        } else {
            incr = 0;
            int ts = windowOfTruesize >> 1;
            int window = winFromSpace(t.cfg.tcpRmem[2]) >> 1;
            while (t.rcvSsthresh <= window) {
                if (ts <= len) {
                    incr = 2 * t.rcvMss;
                    break;
                }
                ts >>= 1;
                window >>= 1;
            }
        }
        if (incr == 0) return;
        incr = Math.max(incr, 2 * len);
        t.rcvSsthresh += Math.min(room, incr);
    }

    /** tp->advmss as Linux keeps it: the MSS we advertised, less the timestamp option when in use. */
    private int advmss() { return t.advMss - (t.tsOk ? Tcb.TCPOLEN_TSTAMP_ALIGNED : 0); }

    /**
     * tcp_space: window-able free space of the receive buffer. With one buffer per segment it is what
     * sk_rcvbuf has left after sk_rmem_alloc ({@link ReceiveMemory}), converted at the integer scaling
     * ratio: 1440 bytes of window per held 1448-byte segment, not 1448. Measured on Linux 6.18: after
     * twenty 100-byte out-of-order segments were collapsed into one 4352-byte buffer, rcv_ssthresh grew
     * by 200 a segment up to 6016 = (16384 − 4352) · ½ (tcp_grow_window's bound).
     */
    private int space() {
        if (t.cfg.rxPerSegmentTruesize) {
            return (int) Math.max(0, winFromSpace((int) Math.max(0, t.recvBuf.capacity() - c.rmem.rmemAlloc())));
        }
        long held = (long) t.recvBuf.length() + t.ofo.bytes();
        return (int) Math.max(0, fullSpace() - held);
    }

    private int fullSpace() { return winFromSpace(t.recvBuf.capacity()); }

    /** tcp_win_from_space with Linux 6.x's scaling_ratio. */
    int winFromSpace(int space) { return (int) (((long) space * t.scalingRatio) >> 8); }
}
