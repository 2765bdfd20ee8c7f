package dev.synack.tcp;

import static dev.synack.wire.TcpHeader.ACK;

import dev.synack.stats.Counter;
import dev.synack.time.Timer;

/**
 * SO_KEEPALIVE (net/ipv4/tcp_timer.c's tcp_keepalive_timer, RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6): on an
 * idle connection, after TCP_KEEPIDLE (tcp_keepalive_time, 7200 s) a probe every TCP_KEEPINTVL (75 s);
 * after TCP_KEEPCNT (9) unanswered probes, or TCP_USER_TIMEOUT, a RST and ETIMEDOUT.
 */
final class Keepalive extends Timer {
    private final TcpConnection c;
    private final Tcb t;

    Keepalive(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** The timer (this object, armed on the host's scheduler) fired. */
    @Override
    protected void fire(long nowNs) { onTimer(nowNs); }

    void cancel() { t.sched.cancel(this); }

    /** (Re)starts the keepalive timer from the last activity (inet_csk_reset_keepalive_timer). */
    void reset() {
        if (!t.options.keepAlive) return;
        t.sched.schedule(this, t.timerDeadline(idleNs()));
    }

    private long idleNs() { return (t.options.keepIdleSec > 0 ? t.options.keepIdleSec : t.cfg.tcpKeepaliveTime) * 1_000_000_000L; }

    private long intervalNs() { return (t.options.keepIntvlSec > 0 ? t.options.keepIntvlSec : t.cfg.tcpKeepaliveIntvl) * 1_000_000_000L; }

    private int count() { return t.options.keepCnt > 0 ? t.options.keepCnt : t.cfg.tcpKeepaliveProbes; }

    /**
     * tcp_keepalive_timer: on an idle connection, after the idle time send a probe (SEQ = SND.NXT − 1
     * as tcp_write_wakeup does with nothing to send) every interval; after the count, RST and ETIMEDOUT.
     */
    private void onTimer(long nowNs) {
        c.life.trace("keepalive");
        if (!t.options.keepAlive || t.state != TcpState.ESTABLISHED && t.state != TcpState.CLOSE_WAIT
                && t.state != TcpState.FIN_WAIT1 && t.state != TcpState.FIN_WAIT2) {
            return;
        }
        // keepalive_time_elapsed: since the later of the last data received (icsk_ack.lrcvtime, set by
        // tcp_event_data_recv and at establishment) and the last acceptable ACK (tp->rcv_tstamp, tcp_ack);
        // a segment dropped as out of window, or an old ACK, does not count as activity.
        long elapsed = nowNs - Math.max(t.lastAckRecvNs, t.lrcvNs);
        if (!t.rtx.isEmpty() || t.sendBuf.length() > 0) {
            t.sched.schedule(this, t.timerDeadline(idleNs()));
            return;
        }
        if (elapsed >= idleNs()) {
            boolean dead = t.options.userTimeoutMs > 0
                    ? elapsed >= t.options.userTimeoutMs * 1_000_000L && t.probesOut > 0
                    : t.probesOut >= count();
            if (dead) {
                c.out.sendActiveReset(SendReason.RST_KEEPALIVE);
                c.life.done(Errno.ETIMEDOUT);
                return;
            }
            if (c.out.emit(t.sndNxt - 1, ACK, 0, SendReason.KEEPALIVE, t.probesOut + 1) > 0) {
                // "If keepalive was lost due to local congestion, try harder." (tcp_keepalive_timer)
                t.sched.schedule(this, t.timerDeadline(Tcb.RESOURCE_PROBE_INTERVAL_US * 1000));
                return;
            }
            t.probesOut++;
            t.stats.inc(Counter.TcpExtTCPKeepAlive);
            t.sched.schedule(this, t.timerDeadline(intervalNs()));
        } else {
            t.sched.schedule(this, t.timerDeadline(idleNs() - elapsed));
        }
    }
}
