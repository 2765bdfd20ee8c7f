package dev.synack.tcp;

import static dev.synack.wire.TcpHeader.FIN;
import static dev.synack.wire.TcpHeader.PSH;
import static dev.synack.wire.TcpHeader.SYN;
import static dev.synack.wire.TcpHeader.URG;

import dev.synack.stats.Counter;
import dev.synack.wire.TcpHeader;

/**
 * The receiving half (net/ipv4/tcp_input.c): the segment text and FIN in RFC 9293 §3.10.7.4's
 * seventh step as tcp_data_queue and tcp_fin do it, in-order data into the receive ring and
 * out-of-order data beside it ({@link Assembler}), D-SACKs for duplicates (RFC 2883), the peer's
 * segment size (tcp_measure_rcv_mss), the receiver's RTT estimate (tcp_rcv_rtt_measure) and dynamic
 * right-sizing of the receive buffer (tcp_rcv_space_adjust); and the application's reads
 * (tcp_recvmsg).
 */
final class Receiver {
    /** tcp_event_data_recv: only segments of at least this many bytes grow rcv_ssthresh (tcp_grow_window). */
    static final int TCP_GROW_MIN_LEN = 128;
    /** TCP_REMNANT (tcp_input.c): flags that mark a segment as possibly short of a full MSS. */
    private static final int TCP_REMNANT = FIN | URG | SYN | PSH;
    /** TCP_INIT_CWND: DRS's first measure is at most this many advertised MSS (tcp_init_buffer_space). */
    private static final int TCP_INIT_CWND = 10;

    private final TcpConnection c;
    private final Tcb t;
    /** A FIN was received (possibly out of order, at {@link #rcvFinSeq}). */
    private boolean finReceived;
    /** icsk_ack.last_seg_size: the invariant length of the last small segment (0 = none). */
    private int lastSegSize;
    private int rcvFinSeq;
    /** Receiver RTT estimate (tp->rcv_rtt_est: rtt_us << 3, the sequence and time of the window measure). */
    private long rcvRttUs8, rcvRttEstTimeNs;
    private int rcvRttEstSeq, rcvRttLastTsecr;
    /** Bytes the application has read (copied_seq), and DRS's last measure (tp->rcvq_space). */
    private long copiedTotal, rcvqSpaceSeq, rcvqSpaceTimeNs;
    private int rcvqSpace;
    /** The truesize of the segment being queued (ReceiveMemory.truesize). */
    private int truesize;

    Receiver(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /**
     * tcp_init_buffer_space: DRS starts measuring, rcvq_space.space = min(rcv_ssthresh, rcv_wnd,
     * TCP_INIT_CWND · advmss).
     */
    void initSpace(long nowNs) {
        rcvqSpaceTimeNs = nowNs;
        rcvqSpaceSeq = copiedTotal;
        rcvqSpace = Math.min(Math.min(t.rcvSsthresh, t.rcvWnd), TCP_INIT_CWND * t.advMss);
    }

    /** tcp_recvmsg: copy {@code len} (&gt; 0, available) bytes out, then tune the buffer and maybe ACK. */
    int read(byte[] dst, int off, int len) {
        int held = t.recvBuf.length();
        int n = t.recvBuf.read(dst, off, len);
        c.rmem.read(n, held);
        copiedTotal += n;
        if (n > 0) rcvSpaceAdjust(t.sched.nowNs()); // tcp_recvmsg_locked: before tcp_cleanup_rbuf
        c.delack.afterRead(n);
        return n;
    }

    /**
     * tcp_data_queue: the text of an acceptable segment. Its end counts the FIN (end_seq), so the four
     * cases are: entirely old (a retransmission: D-SACK, ACK at once), in order (possibly partly old:
     * the new part is kept and the old part D-SACKed), out of order (kept, SACKed, ACK at once), or
     * beyond the window (cut to it). A FIN is consumed once everything before it has arrived.
     */
    void dataQueue(InSegment seg, long nowNs) {
        rcvRttMeasureTs(seg, nowNs); // tcp_rcv_established, before tcp_data_queue
        int seq = seg.seq;
        int len = seg.payloadLen;
        int off = seg.payloadOff;
        boolean fin = seg.has(FIN);
        if (Seq.le(seq + len + (fin ? 1 : 0), t.rcvNxt)) {
            // Entirely old (a retransmission, data or FIN): D-SACK the data and ACK at once (tcp_data_queue:
            // LINUX_MIB_DELAYEDACKLOST, SKB_DROP_REASON_TCP_OLD_DATA).
            t.stats.inc(Counter.TcpExtDelayedACKLost);
            if (len > 0) setDsack(seq, seq + len, Counter.TcpExtTCPDSACKOldSent);
            c.delack.enterQuickAck();
            c.delack.ackNow(SendReason.ACK_OLD_DATA);
            t.host.segmentDropped(TcpDropReason.TCP_OLD_DATA);
            return;
        }
        if (len > 0) {
            measureRcvMss(seg, len);
            if (Seq.lt(seq, t.rcvNxt)) {
                // Partly old (seq < RCV.NXT < end_seq, the FIN counted): keep the new part, which may be
                // only the FIN; D-SACK the old part (RFC 2883 §4.1.1).
                setDsack(seq, t.rcvNxt, Counter.TcpExtTCPDSACKOldSent);
                int skip = t.rcvNxt - seq;
                off += skip;
                len -= skip;
                seq = t.rcvNxt;
            }
            int winEnd = t.rcvNxt + t.receiveWindow();
            if (t.receiveWindow() == 0 && seq == t.rcvNxt) {
                // tcp_data_queue: data into a zero window (a window probe with data) is dropped and ACKed.
                t.stats.inc(Counter.TcpExtTCPZeroWindowDrop);
                c.delack.enterQuickAck();
                c.delack.ackNow(SendReason.ACK_NO_ROOM);
                t.host.segmentDropped(TcpDropReason.TCP_ZEROWINDOW);
                return;
            }
            if (Seq.gt(seq + len, winEnd)) {
                int cut = (seq + len) - winEnd;
                len -= cut;
                fin = false;
                if (len <= 0) {
                    c.delack.enterQuickAck();
                    c.delack.ackNow(SendReason.ACK_NO_ROOM);
                    t.host.segmentDropped(TcpDropReason.TCP_OVERWINDOW); // tcp_data_queue: "Out of window"
                    return;
                }
            }
            int rel = seq - t.rcvNxt;
            truesize = c.rmem.truesize(len, seg.ipLen());
            boolean inOrder = seq == t.rcvNxt;
            // tcp_try_rmem_schedule, with pruning (ReceiveMemory). In order it runs on the slow path only:
            // Linux's header-prediction fast path queues without it (measured on Linux 6.18: 24 in-order
            // 100-byte segments nobody reads take skmem r19968 past rb16384, none dropped), and the fast
            // path is off while out-of-order data is queued (tcp_fast_path_check), so that is when it
            // runs here; with an empty receive queue the segment is taken anyway (sk_forced_mem_schedule).
            // tcp_data_queue_ofo looks at the ECN field before it tries (tcp_data_ecn_check).
            if (!inOrder) c.ecn.dataReceived(seg);
            boolean room = inOrder && t.ofo.isEmpty() || c.rmem.schedule(seq, len, truesize)
                    || inOrder && t.recvBuf.length() == 0;
            if (!room || rel + len > t.recvBuf.free()) {
                // No memory for it (or a window larger than the ring): dropped. In order, with ICSK_ACK_NOW
                // (tcp_data_queue: TCPRcvQDrop); out of order without any ACK (tcp_data_queue_ofo:
                // TCPOFODrop; measured: the dropped segment draws no ACK).
                if (inOrder) {
                    t.stats.inc(Counter.TcpExtTCPRcvQDrop);
                    c.delack.ackNow(SendReason.ACK_NO_ROOM);
                } else {
                    t.stats.inc(Counter.TcpExtTCPOFODrop);
                }
                t.host.segmentDropped(TcpDropReason.PROTO_MEM);
                return;
            }
            if (seq == t.rcvNxt) {
                if (fin) {
                    // tcp_data_queue calls tcp_fin before tcp_ofo_queue: nothing after the FIN joins.
                    finReceived = true;
                    rcvFinSeq = seq + len;
                }
                queueInOrder(seg, off, len, nowNs);
            } else {
                queueOutOfOrder(seg, seq, off, len, fin);
                return;
            }
        }
        if (fin) {
            finReceived = true;
            rcvFinSeq = seq + len;
        }
        if (finReceived && rcvFinSeq == t.rcvNxt) tcpFin();
        else if (fin && Seq.gt(seq, t.rcvNxt)) c.delack.ackNow(SendReason.ACK_OUT_OF_ORDER); // an out-of-order FIN
    }

    /**
     * tcp_fastopen_add_skb: a Fast Open child takes its SYN's data straight into the receive queue
     * (RCV.NXT moves past it; no ACK is scheduled: the SYN-ACK acknowledges it), and the data counts as
     * accepted for tcpi_options (syn_data_acked).
     */
    void synData(InSegment seg) {
        int len = Math.min(seg.payloadLen, t.recvBuf.free());
        truesize = c.rmem.truesize(len, seg.ipLen());
        t.recvBuf.writeAt(0, seg.payload, seg.payloadOff, len);
        t.recvBuf.commit(len);
        t.rcvNxt += len;
        t.rcvWup = t.rcvNxt;
        c.rmem.queuedInOrder(len, truesize);
        t.synDataAcked = true;
    }

    /**
     * tcp_fastopen_add_skb for a Fast Open client: the data a SYN-ACK carried goes to the receive queue
     * (syn_data_acked set), and its FIN is taken as tcp_fin takes one (ESTABLISHED → CLOSE_WAIT);
     * fastopen/client/synack-data.pkt, which Linux 6.18 passes.
     */
    void synAckData(InSegment seg) {
        if (seg.payloadLen > 0) synData(seg);
        if (seg.has(FIN)) tcpFin();
    }

    /** In-order data: into the ring, then whatever out-of-order data it joins (tcp_ofo_queue). */
    private void queueInOrder(InSegment seg, int off, int len, long nowNs) {
        t.recvBuf.writeAt(0, seg.payload, off, len);
        t.recvBuf.commit(len);
        t.rcvNxt += len;
        c.rmem.queuedInOrder(len, truesize);
        if (!t.ofo.isEmpty() && !(finReceived && rcvFinSeq == t.rcvNxt)) {
            int before = t.rcvNxt;
            int newNxt = t.ofo.advance(t.rcvNxt);
            // tcp_ofo_queue stops at a queued FIN (tcp_fin, break): data beyond it is never delivered.
            if (finReceived && Seq.gt(newNxt, rcvFinSeq) && Seq.ge(rcvFinSeq, before)) newNxt = rcvFinSeq;
            if (newNxt != before) {
                t.recvBuf.commit(newNxt - before);
                t.rcvNxt = newNxt;
            }
            c.rmem.ofoAdvanced(newNxt - before, t.ofo.isEmpty());
            // tcp_ofo_queue: filling a hole means ACK at once.
            c.delack.ackNow(SendReason.ACK_HOLE_FILLED);
        }
        eventDataRecv(seg, nowNs);
        if (len >= TCP_GROW_MIN_LEN) c.rwnd.grow(len, seg.ipLen());
        c.life.notifyApp();
    }

    /** Out of order (tcp_data_queue_ofo): its ECN field, then keep it, SACK it, ACK at once (a duplicate ACK). */
    private void queueOutOfOrder(InSegment seg, int seq, int off, int len, boolean fin) {
        int rel = seq - t.rcvNxt;
        if (t.ofo.contains(seq, seq + len)) {
            setDsack(seq, seq + len, Counter.TcpExtTCPDSACKOfoSent);
            t.host.segmentDropped(TcpDropReason.TCP_OFOMERGE); // tcp_data_queue_ofo: "All the bits are present. Drop."
        } else {
            // The bytes go in before the range is recorded: storing them may need memory, and an
            // allocation failure must leave no range over bytes never stored. Stored bytes that no range
            // covers are never read.
            t.recvBuf.writeAt(rel, seg.payload, off, len);
            if (!t.ofo.add(seq, seq + len)) {
                t.stats.inc(Counter.TcpExtTCPOFODrop);
                c.delack.ackNow(SendReason.ACK_NO_ROOM);
                t.host.segmentDropped(TcpDropReason.PROTO_MEM);
                return;
            }
            t.stats.inc(Counter.TcpExtTCPOFOQueue);
            // tcp_data_queue_ofo: "For non sack flows, do not grow window to force DUPACK and trigger
            // fast retransmit" — with SACK the window grows as for in-order data (measured on Linux 6.18
            // over TUN: the duplicate ACKs' windows go 73, 75 as out-of-order segments arrive). It grows
            // before the segment is charged (tcp_grow_window, then skb_set_owner_r): measured, after a
            // collapse to r8704 a 100-byte out-of-order segment took rcv_ssthresh from 2920 to
            // (16384 − 8704) / 2 = 3840, not to (16384 − 9536) / 2.
            if (t.sackOk) c.rwnd.grow(len, seg.ipLen());
            c.rmem.queuedOutOfOrder(seq, len, truesize);
        }
        if (fin) {
            finReceived = true;
            rcvFinSeq = seq + len;
        }
        c.delack.ackNow(SendReason.ACK_OUT_OF_ORDER);
    }

    /**
     * tcp_fin (tcp_input.c): the peer will send no more. Linux purges the out-of-order queue ("we have
     * something out-of-order _after_ FIN ... drop them") and resets the SACK state (tcp_sack_reset): no
     * later ACK SACKs what lay above the FIN, and a D-SACK pending for the FIN's segment is not sent
     * (both measured on Linux 6.18).
     */
    private void tcpFin() {
        finReceived = false;
        t.ofo.clear();
        c.rmem.ofoCleared();
        t.dsackPending = false;
        t.rcvNxt += 1;
        t.rcvShutdown = true;
        t.finConsumed = true;
        c.delack.schedule();
        switch (t.state) {
            case SYN_RECV, ESTABLISHED -> {
                c.life.setState(TcpState.CLOSE_WAIT);
                c.delack.enterPingpong();
            }
            case FIN_WAIT1 -> {
                // Our FIN is not acknowledged yet: simultaneous close (RFC 9293 Figure 13).
                c.delack.ackNow(SendReason.ACK_FIN);
                c.life.setState(TcpState.CLOSING);
            }
            case FIN_WAIT2 -> {
                c.delack.ackNow(SendReason.ACK_FIN);
                c.out.sendAck(SendReason.ACK_FIN);
                c.life.enterTimeWait();
            }
            default -> {
            }
        }
        c.life.notifyApp();
    }

    /**
     * tcp_measure_rcv_mss: learn the peer's segment size. A segment of at least rcv_mss sets it (capped
     * at advmss; with PSH it marks a push, ICSK_ACK_PUSHED). A smaller one teaches it only if the one
     * before had the same length (last_seg_size) and it is no remnant: at least TCP_MSS_DEFAULT with a
     * bare header, or TCP_MIN_MSS without FIN, URG, SYN or PSH; "len" counts the header less
     * tcp_header_len, so a SACK block's jitter does not count. Otherwise it is a push (PUSHED, and
     * PUSHED2 if one was already marked).
     */
    private void measureRcvMss(InSegment seg, int len) {
        int lss = lastSegSize;
        lastSegSize = 0;
        if (len >= t.rcvMss) {
            // Linux recomputes scaling_ratio from skb->len / truesize when len differs from rcv_mss.
            if (len != t.rcvMss) c.rwnd.newScalingRatio(len, seg.ipLen());
            t.rcvMss = Math.min(len, t.advMss);
            if (seg.has(PSH)) c.delack.pushed();
            return;
        }
        int withHeader = len + seg.headerLen;
        if (withHeader >= Tcb.TCP_MSS_DEFAULT + TcpHeader.HEADER_LEN
                || (withHeader >= Tcb.TCP_MIN_MSS + TcpHeader.HEADER_LEN && (seg.flags & TCP_REMNANT) == 0)) {
            int invariant = withHeader - (TcpHeader.HEADER_LEN + (t.tsOk ? Tcb.TCPOLEN_TSTAMP_ALIGNED : 0));
            lastSegSize = invariant;
            if (invariant == lss) {
                t.rcvMss = invariant;
                return;
            }
        }
        c.delack.smallSegment();
    }

    /** tcp_event_data_recv: the delayed-ACK clock, the receiver's RTT measure, then the ECN field (tcp_data_ecn_check). */
    private void eventDataRecv(InSegment seg, long nowNs) {
        c.delack.onData(nowNs);
        rcvRttMeasure(nowNs);
        c.ecn.dataReceived(seg);
    }

    /**
     * tcp_rcv_rtt_measure: without timestamps, the receiver's RTT is the time a window's worth of data
     * (RCV.NXT + RCV.WND at the start) takes to arrive; a sample only lowers the estimate (win_dep).
     */
    private void rcvRttMeasure(long nowNs) {
        if (rcvRttEstTimeNs != 0) {
            if (Seq.lt(t.rcvNxt, rcvRttEstSeq)) return;
            rcvRttUpdate(Math.max((nowNs - rcvRttEstTimeNs) / 1000, 1), true);
        }
        rcvRttEstSeq = t.rcvNxt + t.rcvWnd;
        rcvRttEstTimeNs = nowNs;
    }

    /** tcp_rcv_rtt_measure_ts: with timestamps, a full-sized segment echoing a new TSecr gives a sample. */
    private void rcvRttMeasureTs(InSegment seg, long nowNs) {
        if (!t.tsOk || !seg.hasTimestamps || seg.tsEcr == rcvRttLastTsecr) return;
        rcvRttLastTsecr = seg.tsEcr;
        if (seg.payloadLen >= t.rcvMss && seg.tsEcr != 0) {
            long us = t.tsRttUs(seg.tsEcr, nowNs);
            if (us > 0) rcvRttUpdate(us, false);
        }
    }

    /** tcp_rcv_rtt_update: an EWMA of 1/8 (timestamps), or the minimum (window measure). */
    private void rcvRttUpdate(long sampleUs, boolean winDep) {
        long est = rcvRttUs8;
        if (est == 0) {
            est = sampleUs << 3;
        } else if (!winDep) {
            est += sampleUs - (est >> 3);
        } else if (sampleUs << 3 < est) {
            est = sampleUs << 3;
        }
        rcvRttUs8 = est;
    }

    /**
     * tcp_rcv_space_adjust (dynamic right-sizing): once per receiver RTT, if the application read more
     * than in the previous RTT, grow the receive buffer to hold twice that plus a cushion, more again
     * while the sender's rate grows (slow start), converted to buffer space by the scaling ratio
     * (tcp_space_from_win) and capped at tcp_rmem[2] — unless SO_RCVBUF locked it (SOCK_RCVBUF_LOCK)
     * or tcp_moderate_rcvbuf is off. The buffer never shrinks; wscale was chosen for tcp_rmem[2].
     */
    private void rcvSpaceAdjust(long nowNs) {
        long time = (nowNs - rcvqSpaceTimeNs) / 1000;
        if (rcvRttUs8 == 0 || time < (rcvRttUs8 >> 3)) return;
        long copied = copiedTotal - rcvqSpaceSeq;
        if (copied > rcvqSpace) {
            if (t.cfg.tcpModerateRcvbuf && t.options.rcvBuf == 0) {
                long rcvwin = (copied << 1) + 16L * t.advMss;
                long grow = rcvwin * (copied - rcvqSpace) / Math.max(rcvqSpace, 1);
                rcvwin += grow << 1;
                long rcvbuf = Math.min((rcvwin << 8) / t.scalingRatio, t.cfg.tcpRmem[2]); // tcp_space_from_win
                if (rcvbuf > t.recvBuf.capacity()) {
                    t.recvBuf.resize((int) rcvbuf);
                    c.rwnd.followBuffer(); // "Make the window clamp follow along."
                }
            }
            rcvqSpace = (int) Math.min(copied, Integer.MAX_VALUE);
        }
        rcvqSpaceSeq = copiedTotal;
        rcvqSpaceTimeNs = nowNs;
    }

    /** A D-SACK for [start, end) in the next ACK (RFC 2883; tcp_dsack_set), if SACK and tcp_dsack allow. */
    void setDsack(int start, int end, Counter counter) {
        if (!t.sackOk || !t.cfg.tcpDsack) return;
        t.dsackPending = true;
        t.dsackStart = start;
        t.dsackEnd = end;
        t.stats.inc(counter);
    }
}
