package dev.synack.tcp;

import dev.synack.stats.Counter;
import dev.synack.time.Timer;

/**
 * A connection's life between states: tcp_set_state (with the TcpCurrEstab count and the
 * inet_sock_set_state trace), tcp_done, TIME_WAIT and the orphaned FIN_WAIT2 (tcp_time_wait, the
 * time-wait timer), and waking the application. Is the TIME_WAIT/FIN_WAIT2 timer, and owns the
 * application's observer.
 */
final class Lifecycle extends Timer {
    private final TcpConnection c;
    private final Tcb t;
    private Runnable observer;

    Lifecycle(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** The TIME_WAIT or orphaned FIN_WAIT2 timer (this object, armed on the host's scheduler) fired. */
    @Override
    protected void fire(long nowNs) { onTimewaitTimer(); }

    void setObserver(Runnable observer) { this.observer = observer; }

    boolean timewaitArmed() { return isArmed(); }

    long timewaitDeadlineNs() { return deadlineNs(); }

    /**
     * tcp_set_state: TcpCurrEstab counts ESTABLISHED and CLOSE_WAIT sockets, TcpEstabResets the ways
     * from them straight to CLOSE; the change is traced.
     */
    void setState(TcpState next) {
        TcpState prev = t.state;
        t.state = next;
        boolean wasEstab = prev == TcpState.ESTABLISHED || prev == TcpState.CLOSE_WAIT;
        boolean isEstab = next == TcpState.ESTABLISHED || next == TcpState.CLOSE_WAIT;
        if (isEstab && !wasEstab) t.stats.inc(Counter.TcpCurrEstab);
        if (wasEstab && !isEstab) t.stats.add(Counter.TcpCurrEstab, -1);
        // TCP_MIB_ESTABRESETS: any way from ESTABLISHED or CLOSE_WAIT straight to CLOSE (a RST, an
        // abort, a timeout), not a RST in FIN_WAIT1/2 (measured on Linux 6.18 with nstat: 1 and 0).
        if (wasEstab && next == TcpState.CLOSE) t.stats.inc(Counter.TcpEstabResets);
        if (prev != next && t.host.tracing()) t.host.stateChanged(c, prev, next);
        recountOrphan();
    }

    /**
     * tcp_orphan_count: an orphan counts from close() until it is destroyed (tcp_done, or tcp_time_wait
     * handing over to a time-wait socket).
     */
    void recountOrphan() {
        boolean counted = t.orphan && t.state != TcpState.CLOSE && t.state != TcpState.TIME_WAIT
                && t.state != TcpState.LISTEN;
        if (counted == t.orphanCounted) return;
        t.orphanCounted = counted;
        if (counted) t.demux.mem.orphanAdded();
        else t.demux.mem.orphanGone();
    }

    /** tcp_done: CLOSE, with an error for the application (null for a normal end). */
    void done(Errno err) {
        if (t.state == TcpState.CLOSE) {
            t.demux.connectionClosed(c);
            return;
        }
        if (err != null) t.error = err;
        setState(TcpState.CLOSE);
        t.sendShutdown = true;
        t.rcvShutdown = true;
        if (t.recvBuf != null) c.rmem.releaseAll();
        c.snd.wmemRelease();
        releaseStorage();
        stopTimers();
        t.demux.connectionClosed(c);
        if (t.parent != null) t.parent.childClosed(c);
        if (t.fastOpenListener != null) { // tcp_done → reqsk_fastopen_remove
            t.fastOpenListener.fastOpenDone(false);
            t.fastOpenListener = null;
        }
        notifyApp();
    }

    /** The host lost this connection's state (crash, reboot): timers stop, nothing is sent or told. */
    void forget() {
        observer = null;
        t.parent = null;
        stopTimers();
        t.state = TcpState.CLOSE;
    }

    private void stopTimers() {
        c.timers.cancel();
        c.delack.cancel();
        c.keepalive.cancel();
        t.sched.cancel(this);
    }

    /**
     * An orphaned FIN_WAIT2 lives tcp_fin_timeout (tcp_close / tcp_rcv_state_process; Linux keeps it
     * as a time-wait socket in the FIN_WAIT2 substate).
     */
    void armOrphanFinWait2() {
        t.sched.schedule(this, t.timerDeadline(t.cfg.tcpFinTimeout * 1_000_000_000L));
    }

    /** tcp_time_wait: TIME_WAIT for 2MSL (60 s in Linux, TCP_TIMEWAIT_LEN). */
    void enterTimeWait() {
        setState(TcpState.TIME_WAIT);
        t.stats.inc(Counter.TcpExtTW);
        c.timers.cancel();
        c.keepalive.cancel();
        releaseStorage();
        restartTimeWait();
        notifyApp();
    }

    /**
     * The buffers' storage goes back when nothing is left in them (our FIN is acknowledged, no byte
     * waits for the application, no out-of-order data): Linux's TIME_WAIT is a small timewait sock
     * without buffers (tcp_time_wait → inet_twsk_alloc; read from source: memory, not a wire behaviour,
     * so not measured), and a closed socket frees its queues. A
     * TIME_WAIT connection here is still the full object, but no longer holds its rings' arrays.
     */
    private void releaseStorage() {
        if (t.sendBuf != null) t.sendBuf.releaseIfEmpty();
        if (t.recvBuf != null && t.ofo.isEmpty()) t.recvBuf.releaseIfEmpty();
    }

    /** A retransmitted FIN in TIME_WAIT restarts the 2MSL wait (tcp_timewait_state_process). */
    void restartTimeWait() {
        t.sched.schedule(this, t.timerDeadline(t.cfg.timeWaitSeconds * 1_000_000_000L));
    }

    private void onTimewaitTimer() {
        trace(t.state == TcpState.TIME_WAIT ? "timewait" : "fin_wait2");
        done(null);
    }

    /** A timer of this connection fired (for the ladder diagram). */
    void trace(String timer) {
        if (t.host.tracing()) t.host.timerFired(c, timer);
    }

    /** cwnd, ssthresh, SRTT, RTO, the peer's window and what is in flight, for the cwnd plot. */
    void traceCwnd() {
        if (t.host.tracing()) {
            t.host.cwndSampled(c, t.cw.cwnd, t.cw.ssthresh, t.rtt.srttUs(), c.rec.packetsInFlight(), c.rec.caState().name(),
                    t.rtoUs, t.sndWnd, t.sndNxt - t.sndUna);
        }
    }

    /** Wakes whatever waits on this connection (the application, or its listener's accept()). */
    void notifyApp() {
        Runnable o = observer;
        if (o != null) o.run();
        if (t.parent != null) t.parent.notifyApp();
    }
}
