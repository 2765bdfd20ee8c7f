package dev.synack.tcp;

import dev.synack.stats.Counter;
import dev.synack.time.Timer;

/**
 * The connection's retransmission timer (net/ipv4/tcp_timer.c), one {@link Timer} shared as Linux
 * shares icsk_retransmit_timer among ICSK_TIME_RETRANS (the RTO), ICSK_TIME_LOSS_PROBE (the tail loss
 * probe, {@link LossProbe}), ICSK_TIME_REO_TIMEOUT (RACK's reordering timer) and ICSK_TIME_PROBE0 (the
 * zero-window probe): arming, backoff, the write timeout (tcp_write_timeout with tcp_model_timeout
 * and TCP_USER_TIMEOUT) and what each expiry does.
 */
final class RetransmitTimer extends Timer {
    /** What the timer is armed for (icsk_pending: RETRANS, LOSS_PROBE, REO_TIMEOUT, PROBE0). */
    enum Kind { NONE, RTO, TLP, REO, PROBE }

    /** TCP_RTO_MAX (include/net/tcp.h): 120 s, tcp_model_timeout's cap (not tcp_rto_max_ms). */
    static final long TCP_RTO_MAX_US = 120_000_000L;

    private final TcpConnection c;
    private final Tcb t;
    private Kind kind = Kind.NONE;
    /** When the first unanswered zero-window probe went (for TCP_USER_TIMEOUT), 0 = none. */
    private long probeStartNs;

    RetransmitTimer(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** The timer (this object, armed on the host's scheduler) fired. */
    @Override
    protected void fire(long nowNs) { onTimer(nowNs); }

    // ---- state, for tcp_info and ss -------------------------------------------------------------

    /** ss's name for the pending timer: "on" for RTO, TLP and RACK, "persist" for the window probe. */
    String name() {
        return switch (kind) {
            case RTO, TLP, REO -> "on";
            case PROBE -> "persist";
            case NONE -> "off";
        };
    }

    // ---- arming -----------------------------------------------------------------------------------

    /** inet_csk_reset_xmit_timer: {@code kind} in {@code delayUs}, never later than TCP_RTO_MAX. */
    private void arm(Kind kind, long delayUs) {
        this.kind = kind;
        t.sched.schedule(this, t.timerDeadline(Math.min(delayUs, t.cfg.rtoMaxUs()) * 1000));
    }

    /** inet_csk_clear_xmit_timer. */
    void cancel() {
        t.sched.cancel(this);
        kind = Kind.NONE;
    }

    /** The RTO for the handshake's first SYN or SYN-ACK. */
    void armInitialRto() { arm(Kind.RTO, t.rtoUs); }

    /** The tail loss probe in {@code delayUs} (tcp_schedule_loss_probe, ICSK_TIME_LOSS_PROBE). */
    void armLossProbe(long delayUs) { arm(Kind.TLP, delayUs); }

    /**
     * "Reset s.t. tcp_rearm_rto will restart timer from now" (tcp_send_loss_probe): after a probe went,
     * the RTO is not counted from the oldest segment.
     */
    void forgetPendingKind() { kind = Kind.NONE; }

    /** The RTO in {@code delayUs} (tcp_reset_xmit_timer(ICSK_TIME_RETRANS)), whatever was pending. */
    void armRetransmitTimer(long delayUs) {
        arm(Kind.RTO, Tcb.roundUpToJiffies(delayUs));
    }

    /**
     * RACK's reordering timer (ICSK_TIME_REO_TIMEOUT in tcp_rack_mark_lost): in
     * usecs_to_jiffies(timeout + TCP_TIMEOUT_MIN_US), no later than the RTO (inet_csk_reset_xmit_timer).
     * Linux 6.18's form; older kernels added two jiffies after rounding (usecs_to_jiffies(timeout) +
     * TCP_TIMEOUT_MIN), 6 ms later at HZ 250. Measured: with packetdrill, Linux 6.18.44 passes
     * sack/sack-shift-sacked-7-5-6-8-9-fack.pkt, whose RACK retransmission is due 27 ms (±4) after the
     * SACK: a 25 ms reordering window + 2 ms = 7 jiffies (28 ms), where the older form gives 36 ms.
     */
    void armReorderingTimer(long timeoutUs) {
        long delayUs = Tcb.roundUpToJiffies(timeoutUs + Tcb.TCP_TIMEOUT_MIN_US);
        arm(Kind.REO, Math.min(delayUs, t.rtoUs));
    }

    /** tcp_set_xmit_timer: a tail loss probe if one applies, else the RTO (tcp_rearm_rto). */
    void setXmitTimer(long nowNs) {
        if (t.rtx.isEmpty()) {
            cancel();
            return;
        }
        if (!c.tlp.schedule(nowNs)) rearmRto(nowNs);
    }

    /**
     * tcp_rearm_rto: the RTO for what is in flight. Replacing a loss probe or RACK's reordering timer,
     * it counts from the oldest segment's transmission (tcp_rto_delta_us), not from now.
     */
    void rearmRto(long nowNs) {
        if (t.rtx.isEmpty()) {
            cancel();
            return;
        }
        long us = t.rtoUs;
        if (kind == Kind.TLP || kind == Kind.REO) {
            us = Math.max(t.rtoUs - (nowNs - t.rtx.sentNs(0)) / 1000, 1);
        }
        arm(Kind.RTO, us);
    }

    /**
     * After tcp_write_xmit sent something: every transmission of new data schedules the loss probe
     * afresh (tcp_event_new_data_sent → tcp_schedule_loss_probe replaces a pending RTO or TLP);
     * otherwise a running timer keeps running, and a stopped one (or the window probe) becomes the
     * RTO or TLP (tcp_set_xmit_timer).
     */
    void afterTransmit(boolean newData, long nowNs) {
        if (newData && kind != Kind.PROBE && c.tlp.schedule(nowNs)) return;
        if (!isArmed() || kind == Kind.PROBE) setXmitTimer(nowNs);
    }

    /** A retransmission of the oldest segment restarts the RTO, unless RACK's reordering timer is pending. */
    void headRetransmitted() {
        if (kind != Kind.REO) arm(Kind.RTO, t.rtoUs);
    }

    /** tcp_check_probe_timer: data waits on a window that is closed (or too small): persist. */
    void checkProbeTimer() {
        if (!isArmed()) arm(Kind.PROBE, Math.max(t.rtoUs, Tcb.TCP_RTO_MIN_US));
    }

    /** The handshake's SYN or SYN-ACK was acknowledged: nothing is left to time. */
    void handshakeDone() {
        t.retransmits = 0;
        t.backoff = 0;
        t.retransStampNs = 0;
        cancel();
    }

    /**
     * tcp_ack_probe: data waits and nothing is in flight. If the window now takes the first unsent
     * segment, stop probing (output() sends it); otherwise re-arm the probe timer from now with the
     * backoff reached, min(max(RTO, 200 ms) << backoff, 120 s).
     */
    void ackProbe() {
        if (!Seq.gt(t.sndNxt + Math.min(t.unsentBytes(), t.mss), t.sndUna + t.sndWnd)) {
            t.backoff = 0;
            probeStartNs = 0;
            if (kind == Kind.PROBE) cancel();
        } else {
            arm(Kind.PROBE, probe0WhenUs());
        }
    }

    /** tcp_probe0_when: the probe interval, max(RTO, TCP_RTO_MIN) << backoff, capped at TCP_RTO_MAX. */
    private long probe0WhenUs() {
        return Math.min(Math.max(t.rtoUs, Tcb.TCP_RTO_MIN_US) << Math.min(t.backoff, 30), t.cfg.rtoMaxUs());
    }

    // ---- expiry -----------------------------------------------------------------------------------

    /** tcp_write_timer_handler: what the timer was armed for. */
    private void onTimer(long nowNs) {
        Kind fired = kind;
        kind = Kind.NONE;
        switch (fired) {
            case RTO -> {
                c.life.trace("rto");
                retransmitTimer(nowNs);
            }
            case TLP -> {
                c.life.trace("tlp");
                c.tlp.send(nowNs);
            }
            case REO -> {
                c.life.trace("reo");
                // tcp_rack_reo_timeout: the timer stays "pending" while it runs (icsk_pending), so a
                // retransmission of the head does not rearm the RTO; tcp_rearm_rto does, after.
                kind = Kind.REO;
                c.rec.reoTimeout(nowNs);
                if (kind != Kind.RTO) rearmRto(nowNs);
            }
            case PROBE -> {
                c.life.trace("probe");
                probeTimer(nowNs);
            }
            case NONE -> {
            }
        }
    }

    /**
     * tcp_retransmit_timer (net/ipv4/tcp_timer.c): give up if tcp_write_timeout says so, else enter
     * Loss (cwnd 1, everything outstanding marked lost), retransmit the head and back off.
     */
    private void retransmitTimer(long nowNs) {
        if (t.rtx.isEmpty()) return;
        if (writeTimeout(nowNs)) return;
        if (t.state == TcpState.SYN_SENT || t.state == TcpState.SYN_RECV) {
            t.stats.inc(Counter.TcpExtTCPSynRetrans);
            // A full socket's SYN (or simultaneous open's SYN-ACK) times out through tcp_enter_loss as data
            // does, which queues CWR (tcp_ecn_queue_cwr): measured on Linux 6.18 with tcp_ecn 1, after a
            // retransmitted SYN and an ECN-setup SYN-ACK the first data carries CWR. (A listener's request
            // resends its SYN-ACK from the request timer, without that.)
            if (t.parent == null) c.ecn.queueCwr();
            boolean sent = c.snd.retransmit(0, nowNs, t.state == TcpState.SYN_SENT ? SendReason.SYN_RETRY : SendReason.SYN_ACK_RETRY,
                    t.retransmits + 1); // icsk_retransmits as this retry makes it
            t.retransmits++;
            t.totalRto++;
            if (!sent) {
                resourceProbe();
                return;
            }
            // Linux 6.18: the first tcp_syn_linear_timeouts retransmissions of a SYN keep the initial RTO.
            if (t.state != TcpState.SYN_SENT || t.totalRto > t.cfg.tcpSynLinearTimeouts) backOff();
            arm(Kind.RTO, t.rtoUs);
            return;
        }
        t.stats.inc(Counter.TcpExtTCPTimeouts);
        c.rec.enterLoss(nowNs);
        // Retransmit the head now (tcp_retransmit_skb of the first skb).
        boolean sent = true;
        for (int i = 0; i < t.rtx.size(); i++) {
            if (!t.rtx.has(i, RetransmitQueue.SACKED)) {
                sent = c.snd.retransmit(i, nowNs, SendReason.RTO, t.backoff + 1); // icsk_backoff as this expiry makes it
                break;
            }
        }
        t.retransmits++;
        t.totalRto++;
        if (!sent) {
            resourceProbe();
            c.life.traceCwnd();
            return;
        }
        backOff();
        arm(Kind.RTO, clampRtoToUserTimeout(nowNs));
        c.life.traceCwnd();
    }

    /** icsk_backoff++ and the RTO doubled, up to TCP_RTO_MAX (tcp_retransmit_timer's out_reset_timer). */
    private void backOff() {
        t.backoff++;
        t.rtoUs = Math.min(t.rtoUs << 1, t.cfg.rtoMaxUs());
    }

    /**
     * "Retransmission failed because of local congestion, let senders fight for local resources
     * conservatively" (tcp_retransmit_timer): again in TCP_RESOURCE_PROBE_INTERVAL, without backoff.
     */
    private void resourceProbe() {
        arm(Kind.RTO, Tcb.RESOURCE_PROBE_INTERVAL_US);
    }

    /**
     * tcp_clamp_rto_to_user_timeout (tcp_timer.c): with TCP_USER_TIMEOUT the next RTO fires no later
     * than the moment the user timeout runs out (counted from retrans_stamp), so the connection fails
     * exactly then rather than at a later, backed-off expiry.
     */
    private long clampRtoToUserTimeout(long nowNs) {
        if (t.options.userTimeoutMs <= 0 || t.retransStampNs == 0) return t.rtoUs;
        long remainingUs = t.options.userTimeoutMs * 1000L - (nowNs - t.retransStampNs) / 1000;
        if (remainingUs <= 0) return 1;
        return Math.min(t.rtoUs, remainingUs);
    }

    /**
     * tcp_write_timeout: whether the connection has retransmitted long enough to give up (then it is
     * done, with ETIMEDOUT or the soft error). A SYN gives up after tcp_syn_retries (or TCP_SYNCNT) +
     * tcp_syn_linear_timeouts retransmissions, or as soon as the time since the first SYN reaches
     * tcp_model_timeout for tcp_syn_retries from the initial RTO (1 s), whichever comes first: both
     * tests are Linux's. With the defaults the count decides (ETIMEDOUT at 131 s, the model being 127 s
     * counted from the first SYN, checked at the 11th expiry); with a small tcp_syn_retries the time
     * does — measured on Linux 6.18 (synack oracle record syn-timeout --syn-retries 2): six SYNs, at
     * 0, 1, 2, 3, 4, 5 s, and ETIMEDOUT at the expiry 7 s after the first, not the 2 + 4 = 6
     * retransmissions and 11 s the count alone gives. Data uses the time since the first
     * retransmission against tcp_model_timeout from TCP_RTO_MIN; TCP_USER_TIMEOUT replaces the model
     * in both.
     */
    private boolean writeTimeout(long nowNs) {
        boolean expired;
        if (t.state == TcpState.SYN_SENT || t.state == TcpState.SYN_RECV) {
            int max = t.synRetries + (t.state == TcpState.SYN_SENT ? t.cfg.tcpSynLinearTimeouts : 0);
            // A listener's request under load gets fewer (reqsk_timer_handler).
            if (t.state == TcpState.SYN_RECV && t.parent != null) max = t.parent.synAckRetries(max);
            expired = t.retransmits >= max
                    || retransmitsTimedOut(nowNs, t.synRetries, t.options.userTimeoutMs, Tcb.TCP_TIMEOUT_INIT_US);
        } else {
            if (t.orphan) {
                // tcp_write_timeout for a dead socket: tcp_out_of_resources first.
                boolean alive = t.rtoUs < t.cfg.rtoMaxUs();
                boolean doReset = alive || !retransmitsTimedOut(nowNs, orphanRetries(alive), 0, Tcb.TCP_RTO_MIN_US);
                if (outOfResources(nowNs, doReset)) return true;
            }
            expired = retransmitsTimedOut(nowNs, t.maxRetries(), t.options.userTimeoutMs, Tcb.TCP_RTO_MIN_US);
        }
        if (expired) {
            t.stats.inc(Counter.TcpExtTCPAbortOnTimeout);
            if (t.state == TcpState.SYN_SENT) t.stats.inc(Counter.TcpAttemptFails);
            if (t.state == TcpState.SYN_RECV && t.parent != null) {
                c.life.done(null);
            } else {
                c.life.done(t.softError != null ? t.softError : Errno.ETIMEDOUT);
            }
        }
        return expired;
    }

    /**
     * retransmits_timed_out (tcp_timer.c): the time since retrans_stamp against TCP_USER_TIMEOUT, or
     * against tcp_model_timeout from {@code rtoBaseUs} (TCP_RTO_MIN; tcp_timeout_init for a SYN).
     */
    private boolean retransmitsTimedOut(long nowNs, int boundary, int userTimeoutMs, long rtoBaseUs) {
        if (t.retransmits == 0 || t.retransStampNs == 0) return false;
        long timeoutNs = userTimeoutMs > 0 ? userTimeoutMs * 1_000_000L : modelTimeoutUs(boundary, rtoBaseUs) * 1000;
        return nowNs / 1000 - t.retransStampNs / 1000 >= timeoutNs / 1000; // Linux compares tcp_time_stamp_ts values (ms or µs)
    }

    /**
     * tcp_model_timeout: how long {@code boundary} retransmissions would take with exponential backoff
     * from {@code rtoBaseUs} capped at TCP_RTO_MAX: (2^(n+1) − 1)·base up to the cap, then linear.
     * For tcp_retries2 = 15 and a 200 ms base: 924.6 s.
     */
    static long modelTimeoutUs(int boundary, long rtoBaseUs) {
        int thresh = 63 - Long.numberOfLeadingZeros(TCP_RTO_MAX_US / rtoBaseUs); // ilog2(TCP_RTO_MAX / rto_base)
        if (boundary <= thresh) return ((2L << boundary) - 1) * rtoBaseUs;
        return ((2L << thresh) - 1) * rtoBaseUs + (long) (boundary - thresh) * TCP_RTO_MAX_US;
    }

    /**
     * tcp_probe_timer (net/ipv4/tcp_timer.c): a zero-window probe (or as much data as the window now
     * takes), with backoff min(RTO << backoff, 120 s). A socket whose probes are answered lives as long
     * as the peer answers (RFC 1122 §4.2.2.17: every ACK clears icsk_probes_out); only unanswered
     * probes count toward tcp_retries2. An orphan is different: it is alive only while its backed-off
     * RTO is below TCP_RTO_MAX (inet_csk_rto_backoff); alive it gets tcp_orphan_retries probes (8 for
     * the default 0), and once dead it is aborted when icsk_backoff reaches tcp_orphan_retries (0 for
     * the default, or after an ICMP soft error) — answered or not (tcp_orphan_retries). The abort is
     * tcp_write_err: the soft error or ETIMEDOUT, TCPAbortOnTimeout, no RST. Before probing, an orphan
     * runs tcp_out_of_resources (the orphan count and memory check).
     */
    private void probeTimer(long nowNs) {
        if (!t.rtx.isEmpty() || t.unsentBytes() <= 0) {
            t.probesOut = 0;
            t.backoff = 0;
            probeStartNs = 0;
            return;
        }
        if (probeStartNs == 0) {
            probeStartNs = nowNs;
        } else if (t.options.userTimeoutMs > 0 && nowNs - probeStartNs >= t.options.userTimeoutMs * 1_000_000L) {
            writeErr();
            return;
        }
        int maxProbes = t.cfg.tcpRetries2;
        if (t.orphan) {
            long rtoMaxUs = t.cfg.rtoMaxUs();
            boolean alive = rtoBackoffUs(rtoMaxUs) < rtoMaxUs;
            maxProbes = orphanRetries(alive);
            if (!alive && t.backoff >= maxProbes) {
                writeErr();
                return;
            }
            if (outOfResources(nowNs, true)) return;
        }
        if (t.probesOut >= maxProbes) {
            writeErr();
            return;
        }
        int err = c.snd.writeWakeup(nowNs);
        if (!t.rtx.isEmpty()) {
            // tcp_send_probe0: the window had room and data left; it is in flight now, under the RTO
            // (tcp_event_new_data_sent rearms it), and the probe timer is done.
            t.probesOut = 0;
            t.backoff = 0;
            probeStartNs = 0;
            arm(Kind.RTO, t.rtoUs);
            return;
        }
        t.probesOut++;
        if (err > 0) {
            // "If packet was not sent due to local congestion, let senders fight for local resources
            // conservatively" (tcp_send_probe0): no backoff, again in TCP_RESOURCE_PROBE_INTERVAL.
            arm(Kind.PROBE, clampProbe0ToUserTimeout(nowNs, Tcb.RESOURCE_PROBE_INTERVAL_US));
            return;
        }
        // tcp_send_probe0: "if (icsk->icsk_backoff < READ_ONCE(net->ipv4.sysctl_tcp_retries2)) icsk_backoff++".
        if (t.backoff < t.cfg.tcpRetries2) t.backoff++;
        arm(Kind.PROBE, clampProbe0ToUserTimeout(nowNs, probe0WhenUs()));
    }

    /**
     * tcp_out_of_resources (tcp_timer.c), for an orphan whose timer fired: tcp_check_oom, penalised one
     * step (the orphan count shifted left) when nothing was sent for 2 · TCP_RTO_MAX or no reset is due,
     * and one more after an ICMP soft error. Too many orphans or out of memory: the connection is done,
     * with a RST if it sent within TCP_TIMEWAIT_LEN (60 s) or the peer's window is closed with nothing
     * in flight (TCPAbortOnMemory). Read from source, not measured.
     */
    private boolean outOfResources(long nowNs, boolean doReset) {
        int shift = 0;
        long sinceSend = nowNs - t.lastSendNs;
        if (sinceSend > 2 * t.cfg.rtoMaxUs() * 1000 || !doReset) shift++;
        if (t.softError != null) shift++;
        if (!t.demux.mem.checkOom(shift, t.sendBuf == null ? 0 : t.sendBuf.length())) return false;
        if (sinceSend <= TCP_TIMEWAIT_LEN_NS || (t.sndWnd == 0 && t.rtx.isEmpty())) doReset = true;
        if (doReset) c.out.sendActiveReset(SendReason.RST_ABORT_ON_MEMORY);
        c.life.done(null);
        t.stats.inc(Counter.TcpExtTCPAbortOnMemory);
        return true;
    }

    /** TCP_TIMEWAIT_LEN (include/net/tcp.h): 60 s, here the "sent recently" bound of tcp_out_of_resources. */
    private static final long TCP_TIMEWAIT_LEN_NS = 60_000_000_000L;

    /** inet_csk_rto_backoff (include/net/inet_connection_sock.h): min(icsk_rto << icsk_backoff, max). */
    private long rtoBackoffUs(long maxUs) {
        return t.backoff >= 32 ? maxUs : Math.min(t.rtoUs << t.backoff, maxUs); // a u64 shift in Linux
    }

    /**
     * tcp_orphan_retries (tcp_timer.c): tcp_orphan_retries, but 0 when an ICMP said something is wrong
     * (sk_err_soft) and the socket is not alive, and 8 when the sysctl is 0 and it is alive ("8
     * corresponds to &gt;100 seconds with minimal RTO of 200msec").
     */
    private int orphanRetries(boolean alive) {
        int retries = t.cfg.tcpOrphanRetries;
        if (t.softError != null && !alive) retries = 0;
        if (retries == 0 && alive) retries = TCP_ORPHAN_RETRIES_ALIVE;
        return retries;
    }

    /** tcp_orphan_retries' "safe number of retries" for an orphan that sent something recently. */
    private static final int TCP_ORPHAN_RETRIES_ALIVE = 8;

    /** tcp_write_err: done with the soft error or ETIMEDOUT, counted as TCPAbortOnTimeout (no RST). */
    private void writeErr() {
        t.stats.inc(Counter.TcpExtTCPAbortOnTimeout);
        c.life.done(t.softError != null ? t.softError : Errno.ETIMEDOUT);
    }

    /**
     * tcp_clamp_probe0_to_user_timeout: with TCP_USER_TIMEOUT the next probe comes no later than the
     * moment it runs out (counted from the first probe), but at least TCP_TIMEOUT_MIN (2 jiffies) on.
     */
    private long clampProbe0ToUserTimeout(long nowNs, long whenUs) {
        if (t.options.userTimeoutMs <= 0 || probeStartNs == 0) return whenUs;
        long remainingUs = t.options.userTimeoutMs * 1000L - Math.max(0, nowNs - probeStartNs) / 1000;
        return Math.min(Math.max(remainingUs, Tcb.TCP_TIMEOUT_MIN_JIFFIES_US), whenUs);
    }
}
