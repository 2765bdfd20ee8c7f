package dev.synack.tcp;

import dev.synack.stats.Counter;
import dev.synack.time.Timer;

/**
 * When to acknowledge (Linux's icsk_ack and tcp_input.c's __tcp_ack_snd_check, tcp_output.c's
 * tcp_send_delayed_ack, tcp_timer.c's tcp_delack_timer_handler, tcp.c's tcp_cleanup_rbuf): an ACK is
 * owed after data arrives; it leaves at once in quick-ACK mode, for a filled hole or a second full
 * segment, and otherwise within ato, which adapts to the gaps between the peer's segments. Owns the
 * delayed-ACK timer and the icsk_ack fields (pending, quick, pingpong, ato, pushed).
 */
final class DelayedAck extends Timer {
    /** Linux's TCP_MAX_QUICKACKS (include/net/tcp.h). */
    static final int TCP_MAX_QUICKACKS = 16;
    /** The ceiling of ato outside ping-pong mode and without a push (tcp_send_delayed_ack: HZ / 2). */
    static final long ATO_MAX_INTERACTIVE_NS = 500_000_000L;

    private final TcpConnection c;
    private final Tcb t;
    /** An ACK is owed (ICSK_ACK_SCHED). */
    private boolean pending;
    /** The owed ACK must leave now, not be delayed (ICSK_ACK_NOW). */
    private boolean now;
    /** Why it must leave now: the first cause since the last ACK (for the trace). */
    private SendReason nowWhy = SendReason.ACK_OLD_DATA;
    /** A small segment arrived (ICSK_ACK_PUSHED), twice (ICSK_ACK_PUSHED2). */
    private boolean pushed, pushed2;
    /** ACKs left to send at once (icsk_ack.quick). */
    private int quickAcks;
    /** Interactive mode: ACKs are delayed, hoping to ride on a reply (icsk_ack.pingpong). */
    private boolean pingpong;
    /** Data has arrived at least once (icsk_ack.ato is no longer 0). */
    private boolean firstDataSeen;
    /** The delayed-ACK timeout (Linux icsk_ack.ato), adapted to the peer's inter-segment gaps. */
    private long atoNs;

    DelayedAck(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** The timer (this object, armed on the host's scheduler) fired. */
    @Override
    protected void fire(long nowNs) { onTimer(); }

    private long atoMinNs() { return t.cfg.delackMinMs * 1_000_000L; }

    /**
     * tcp_rcv_synsent_state_process with a writer waiting (sk_write_pending): the handshake's ACK is owed
     * but waits up to TCP_DELACK_MAX in quick-ACK mode, so that the data about to be written carries it.
     */
    void handshakeAckLater() {
        pending = true;
        enterQuickAck();
        long deadline = t.sched.nowNs() + t.cfg.delackMaxMs * 1_000_000L;
        t.sched.schedule(this, deadline);
    }

    /** An ACK is owed (inet_csk_schedule_ack). */
    void schedule() { pending = true; }

    /** The owed ACK must leave now (ICSK_ACK_NOW: a hole filled, out-of-order data, a retransmission), for {@code why}. */
    void ackNow(SendReason why) {
        if (!now) nowWhy = why;
        now = true;
    }

    /** Whether an ACK is owed. */
    boolean isPending() { return pending; }

    void cancel() { t.sched.cancel(this); }

    /**
     * tcp_measure_rcv_mss's push marks: a segment smaller than rcv_mss that did not teach rcv_mss is a
     * push (ICSK_ACK_PUSHED), and a second one while the first is marked ICSK_ACK_PUSHED2.
     */
    void smallSegment() {
        if (pushed) pushed2 = true;
        pushed = true;
    }

    /** tcp_measure_rcv_mss: a segment of at least rcv_mss with PSH, likely the end of a write (ICSK_ACK_PUSHED). */
    void pushed() { pushed = true; }

    /**
     * tcp_event_data_recv's ato: the first data starts quick-ACK mode (tcp_incr_quickack); later, the
     * gap since the last data sets ato, and a gap longer than the RTO means the sender had to restart:
     * ACK quickly again.
     */
    void onData(long nowNs) {
        long atoMinNs = atoMinNs();
        if (!firstDataSeen) {
            firstDataSeen = true;
            incrQuickAck();
            atoNs = atoMinNs;
        } else {
            long m = nowNs - t.lrcvNs;
            long rtoNs = t.rtoUs * 1000;
            if (m <= atoMinNs / 2) {
                atoNs = (atoNs >> 1) + atoMinNs / 2;
            } else if (m < atoNs) {
                atoNs = Math.min((atoNs >> 1) + m, rtoNs);
            } else if (m > rtoNs) {
                incrQuickAck();
            }
        }
        t.lrcvNs = nowNs;
        pending = true;
    }

    /** tcp_incr_quickack: quick ACKs for half a window of segments, at most TCP_MAX_QUICKACKS. */
    private void incrQuickAck() { incrQuickAck(TCP_MAX_QUICKACKS); }

    /** tcp_incr_quickack(sk, max_quickacks): quick ACKs for half a window of segments, at most {@code max}. */
    private void incrQuickAck(int max) {
        int quick = t.rcvWnd / (2 * Math.max(t.rcvMss, 1));
        if (quick == 0) quick = 2;
        quickAcks = Math.max(quickAcks, Math.min(quick, max));
    }

    /** tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS). */
    void enterQuickAck() { enterQuickAck(TCP_MAX_QUICKACKS); }

    /** tcp_enter_quickack_mode(sk, max): at most {@code max} quick ACKs, out of ping-pong mode, ato at its minimum. */
    void enterQuickAck(int max) {
        incrQuickAck(max);
        pingpong = false;
        atoNs = atoMinNs();
    }

    /** __tcp_select_window under memory pressure: icsk_ack.quick = 0. */
    void leaveQuickAckMode() { quickAcks = 0; }

    /**
     * tcp_event_data_sent (net/ipv4/tcp_output.c): a segment carrying data leaves within ato of the
     * last data received — a reply — so the connection is interactive: inet_csk_inc_pingpong_cnt, and
     * with tcp_pingpong_thresh = 1 (Linux 6.18's default) ping-pong mode starts. From then on a
     * request's ACK is delayed and rides on the reply; a reply slower than the delayed-ACK timer ends
     * the mode (see {@link #onTimer}).
     */
    void onDataSent() {
        if (t.sched.nowNs() - t.lrcvNs < atoNs) pingpong = true;
    }

    /** tcp_fin: Linux enters ping-pong mode, so the ACK of a FIN is delayed (and may ride on our FIN). */
    void enterPingpong() { pingpong = true; }

    private boolean inQuickAckMode() { return quickAcks > 0 && !pingpong; }

    /** __tcp_ack_snd_check: send the owed ACK now, or delay it. */
    void check() {
        if (!pending && !now) return;
        if (now) {
            c.out.sendAck(nowWhy);
        } else if (inQuickAckMode()) {
            c.out.sendAck(SendReason.QUICK_ACK, quickAcks);
        } else if (t.rcvNxt - t.rcvWup > t.rcvMss && c.rwnd.peek() >= t.rcvWnd) {
            c.out.sendAck(SendReason.ACK_TWO_SEGMENTS);
        } else {
            sendDelayed();
        }
    }

    /**
     * tcp_send_delayed_ack: ACK within ato (at least TCP_DELACK_MIN = 40 ms); an ato above that is
     * bounded by 500 ms (200 ms, TCP_DELACK_MAX, in ping-pong mode or after a push) and by the SRTT.
     * An earlier deadline already set stands. Before any data has arrived icsk_ack.ato is still 0
     * (tcp_event_data_recv sets TCP_ATO_MIN on the first data), so e.g. the ACK of a bare FIN leaves on
     * the next timer tick: one jiffy at HZ=250.
     */
    private void sendDelayed() {
        long atoMinNs = atoMinNs();
        long ato = Math.max(atoNs, atoMinNs);
        if (!firstDataSeen) {
            ato = Tcb.JIFFY_NS;
        } else if (ato > atoMinNs) {
            long maxAto = (pingpong || pushed) ? t.cfg.delackMaxMs * 1_000_000L : ATO_MAX_INTERACTIVE_NS;
            if (t.rtt.hasSample()) maxAto = Math.min(maxAto, Math.max(t.rtt.srttUs() * 1000, atoMinNs));
            ato = Math.min(ato, maxAto);
        }
        long deadline = t.timerDeadline(ato);
        if (isArmed() && deadlineNs() <= deadline) return;
        t.sched.schedule(this, deadline);
    }

    private void onTimer() {
        c.life.trace("delack");
        if (!pending) return;
        t.stats.inc(Counter.TcpExtDelayedACKs);
        if (!pingpong) {
            // tcp_delack_timer_handler: "Delayed ACK missed: inflate ATO".
            atoNs = Math.min(Math.max(atoNs, atoMinNs()) << 1, t.rtoUs * 1000);
        } else {
            // ... or, in ping-pong mode, leave it and deflate ATO.
            pingpong = false;
            atoNs = atoMinNs();
        }
        c.out.sendAck(SendReason.DELAYED_ACK);
    }

    /**
     * tcp_event_ack_sent: every segment we send acknowledges RCV.NXT, so the owed ACK is settled;
     * tcp_dec_quickack_mode: only an ACK that was owed counts, and leaving quick-ACK mode deflates ato.
     */
    void onAckSent() {
        if (quickAcks > 0 && (pending || now)) {
            if (--quickAcks == 0) atoNs = atoMinNs();
        }
        pending = false;
        now = false;
        pushed = pushed2 = false;
        t.sched.cancel(this);
    }

    /** tcp_cleanup_rbuf: after a read, ACK if we owed one and the reader drained small segments. */
    void afterRead(int copied) {
        SendReason why = null;
        if (pending) {
            if (t.rcvNxt - t.rcvWup > t.rcvMss
                    || (copied > 0 && (pushed2 || (pushed && !pingpong)) && t.recvBuf.length() == 0)) {
                why = SendReason.ACK_AFTER_READ;
            }
        }
        if (copied > 0 && why == null && !t.rcvShutdown && t.state.isSynchronized()) {
            int window = t.receiveWindow();
            if (2 * window <= t.windowClamp) {
                int newWin = c.rwnd.peek();
                if (newWin != 0 && newWin >= 2 * window) why = SendReason.WINDOW_UPDATE;
            }
        }
        if (why != null) c.out.sendAck(why);
    }

    /**
     * TCP_QUICKACK (__tcp_sock_set_quickack): 0 enters ping-pong mode; 1 leaves it and, if an ACK is
     * owed on an established connection, sends it now.
     */
    void setQuickAck(boolean on) {
        if (!on) {
            pingpong = true;
            return;
        }
        pingpong = false;
        if (t.established() && pending) c.out.sendAck(SendReason.ACK_QUICKACK_OPTION);
    }
}
