package dev.synack.tcp;

import static dev.synack.wire.TcpHeader.ACK;
import static dev.synack.wire.TcpHeader.RST;
import static dev.synack.wire.TcpHeader.SYN;

import dev.synack.stats.Counter;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOptionWriter;

/**
 * Builds and sends every segment of one connection, in the host's transmit buffer, as Linux's
 * tcp_transmit_skb does: {@link #emit} for all segments after the handshake (timestamps and SACK
 * options, the window from {@link ReceiveWindow}, payload copied once from the send buffer), the SYN
 * and SYN-ACK with their options, and bare resets. Every segment that carries an ACK settles the
 * delayed-ACK state (tcp_event_ack_sent). Each call names why the segment goes ({@link SendReason} and
 * its number), which the host puts in the trace.
 */
final class SegmentWriter {
    private final TcpConnection c;
    private final Tcb t;

    SegmentWriter(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /**
     * One segment of the synchronized states: {@code flags} at {@code seq}, acknowledging RCV.NXT,
     * with {@code dataLen} bytes of the send buffer from {@code seq}, sent for {@code why} ({@code n}
     * its number, 0 when it has none).
     *
     * @return as {@link #transmit}: &gt; 0 means the local queue refused it
     */
    int emit(int seq, int flags, int dataLen, SendReason why, int n) {
        byte[] b = t.host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        int optLen = writeDataOptions(b, o + TcpHeader.HEADER_LEN);
        int win = c.rwnd.select();
        // tcp_ecn_send: ECT(0) and a queued CWR on new data, ECE while the peer owes us a CWR.
        int tos = c.ecn.tos(seq, dataLen);
        flags |= c.ecn.sendFlags(seq, dataLen);
        TcpHeader.writeHeader(b, o, t.localPort, t.remotePort, seq, t.rcvNxt, flags, win, optLen);
        if (dataLen > 0) t.sendBuf.peek(Seq.diff(seq, t.sndBufSeq), b, o + TcpHeader.HEADER_LEN + optLen, dataLen);
        int r = transmit(TcpHeader.HEADER_LEN + optLen + dataLen, flags, nextIpId(), tos, why, n);
        if (dataLen > 0) c.delack.onDataSent(); // tcp_transmit_skb: tcp_event_data_sent, after tcp_event_ack_sent
        if (dataLen > 0 && r == 0 && t.progress != null) t.progress.sent(seq, dataLen);
        return r;
    }

    /** Sends a pure ACK now (tcp_send_ack) for {@code why}; clears the delayed-ACK state. */
    void sendAck(SendReason why) { sendAck(why, 0); }

    /** Sends a pure ACK now (tcp_send_ack) for {@code why} with its number {@code n}. */
    void sendAck(SendReason why, int n) {
        if (t.state == TcpState.CLOSE || t.state == TcpState.SYN_SENT && t.rcvNxt == 0) return;
        emit(t.sndNxt, ACK, 0, why, n);
    }

    /**
     * A RST from this connection: RST,ACK at SND.NXT (tcp_send_active_reset). It leaves through
     * tcp_transmit_skb like any segment, so it carries the timestamps option and the current window.
     */
    void sendActiveReset(SendReason why) { emit(t.sndNxt, RST | ACK, 0, why, 0); }

    /** The reset answering {@code seg} (tcp_v4_send_reset) for {@code why}, sent from this connection's addresses. */
    void sendResetFor(InSegment seg, SendReason why) {
        byte[] b = t.host.txBuffer();
        int flags = writeResetFor(b, TcpHost.TCP_OFFSET, seg);
        if (flags != 0) transmit(TcpHeader.HEADER_LEN, flags, 0, 0, why, 0); // tcp_v4_send_reset: the control socket
    }

    /**
     * tcp_v4_send_reset's segment for {@code seg} at {@code off} in {@code b}: if it had an ACK,
     * &lt;SEQ=SEG.ACK&gt;&lt;CTL=RST&gt;; otherwise &lt;SEQ=0&gt;&lt;ACK=SEG.SEQ+SEG.LEN&gt;&lt;CTL=RST,ACK&gt;
     * (RFC 9293 §3.10.7.1), no options, window 0. Never in answer to a RST.
     *
     * @return the flags written, or 0 when no reset is due (nothing written)
     */
    static int writeResetFor(byte[] b, int off, InSegment seg) {
        if (seg.has(RST)) return 0;
        int seq, ack, flags;
        if (seg.has(ACK)) {
            seq = seg.ack;
            ack = 0;
            flags = RST;
        } else {
            seq = 0;
            ack = seg.seq + seg.seqLength();
            flags = RST | ACK;
        }
        TcpHeader.writeHeader(b, off, seg.dstPort, seg.srcPort, seq, ack, flags, 0, 0);
        return flags;
    }

    /**
     * The SYN (tcp_connect, or a retry from tcp_retransmit_timer: {@code why} says which, {@code n} the
     * retry), with ECE and CWR when it asks for ECN ({@link Ecn#synFlags}); never ECT (RFC 3168 §6.1.1).
     */
    int sendSyn(SendReason why, int n) {
        byte[] b = t.host.txBuffer();
        int o = TcpHost.TCP_OFFSET;
        int optLen = TcpOptionWriter.writeSyn(b, o + TcpHeader.HEADER_LEN, t.advMss, t.cfg.tcpSack,
                t.cfg.timestampsEnabled(), t.tsNow(t.sched.nowNs()), 0, t.cfg.tcpWindowScaling ? t.rcvWscale : -1);
        int dataLen = 0;
        if (t.synCookieLen >= 0 && optLen + TcpOptionWriter.fastOpenLength(t.synCookieLen, t.synFastOpenExp) <= 40) {
            // tcp_syn_options: the Fast Open option last, where it fits; only in the first SYN (the
            // retries of tcp_send_syn_data's "fo->cookie.len = -1" carry neither option nor data).
            optLen += TcpOptionWriter.writeFastOpen(b, o + TcpHeader.HEADER_LEN + optLen, t.synCookie, t.synCookieLen,
                    t.synFastOpenExp);
        }
        if (why == SendReason.SYN && t.synDataLen > 0) {
            dataLen = t.synDataLen;
            t.sendBuf.peek(0, b, o + TcpHeader.HEADER_LEN + optLen, dataLen);
        }
        t.synCookieLen = -1;
        int flags = SYN | c.ecn.synFlags();
        TcpHeader.writeHeader(b, o, t.localPort, t.remotePort, t.iss, 0, flags, Math.min(t.rcvWnd, Tcb.MAX_TCP_WINDOW), optLen);
        return transmit(TcpHeader.HEADER_LEN + optLen + dataLen, flags, why, n);
    }

    /**
     * The SYN-ACK echoes only the options the peer offered (RFC 7323 §2.2, RFC 2018 §2), and ECE when we
     * agree to ECN (RFC 3168 §6.1.1).
     */
    int sendSynAck(SendReason why, int n) { return sendSynAck(why, n, null, -1, false); }

    /**
     * The SYN-ACK with a Fast Open cookie option ({@code cookieLen} ≥ 0; -1 for none) in the form the
     * SYN used (kind 34, or 254 when {@code exp}), after the other options and only where it fits
     * (tcp_synack_options). Only the first SYN-ACK carries it: Linux's retransmissions (tcp_rtx_synack)
     * pass no cookie.
     */
    int sendSynAck(SendReason why, int n, byte[] cookie, int cookieLen, boolean exp) {
        int flags = SYN | ACK | c.ecn.synAckFlags();
        byte[] b = t.host.txBuffer();
        int len = writeSynAck(b, TcpHost.TCP_OFFSET, t.localPort, t.remotePort, t.iss, t.rcvNxt,
                Math.min(t.rcvWnd, Tcb.MAX_TCP_WINDOW), t.advMss, t.sackOk, t.tsOk, t.tsNow(t.sched.nowNs()), t.tsRecent,
                t.wscaleOk ? t.rcvWscale : -1, flags);
        if (cookieLen >= 0 && len - TcpHeader.HEADER_LEN + TcpOptionWriter.fastOpenLength(cookieLen, exp) <= 40) {
            int o = TcpHost.TCP_OFFSET;
            int optLen = len - TcpHeader.HEADER_LEN;
            optLen += TcpOptionWriter.writeFastOpen(b, o + TcpHeader.HEADER_LEN + optLen, cookie, cookieLen, exp);
            TcpHeader.writeHeader(b, o, t.localPort, t.remotePort, t.iss, t.rcvNxt, flags, Math.min(t.rcvWnd, Tcb.MAX_TCP_WINDOW), optLen);
            len = TcpHeader.HEADER_LEN + optLen;
        }
        return transmit(len, flags, why, n);
    }

    /**
     * A SYN-ACK at {@code off} in {@code b} (tcp_make_synack with tcp_synack_options: MSS, SACK-permitted,
     * timestamps, window scale ({@code wscale} -1 for none)), for a connection or a cookie, with
     * {@code flags} (SYN|ACK, and ECE when ECN is agreed).
     *
     * @return the segment's length
     */
    static int writeSynAck(byte[] b, int off, int localPort, int remotePort, int iss, int rcvNxt, int window,
                           int advMss, boolean sack, boolean ts, int tsVal, int tsEcr, int wscale, int flags) {
        int optLen = TcpOptionWriter.writeSyn(b, off + TcpHeader.HEADER_LEN, advMss, sack, ts, tsVal, tsEcr, wscale);
        TcpHeader.writeHeader(b, off, localPort, remotePort, iss, rcvNxt, flags, window, optLen);
        return TcpHeader.HEADER_LEN + optLen;
    }

    /** Options of a non-SYN segment: timestamps, then SACK blocks (D-SACK first), Linux's layout. */
    private int writeDataOptions(byte[] b, int off) {
        int n = 0;
        if (t.tsOk) n += TcpOptionWriter.writeTimestamps(b, off, t.tsNow(t.sched.nowNs()), t.tsRecent);
        if (t.sackOk && (t.dsackPending || !t.ofo.isEmpty())) {
            int max = t.tsOk ? 3 : 4; // what fits in 40 bytes of options beside the timestamps
            // The SACK blocks of this segment: the D-SACK first, then the out-of-order ranges.
            TcpDemux.Scratch sc = t.demux.scratch;
            int[] sackStarts = sc.writerStarts, sackEnds = sc.writerEnds, ofoStarts = sc.ofoStarts, ofoEnds = sc.ofoEnds;
            int count = 0;
            if (t.dsackPending) {
                sackStarts[0] = t.dsackStart;
                sackEnds[0] = t.dsackEnd;
                count = 1;
                t.dsackPending = false;
            }
            int got = t.ofo.sackBlocks(ofoStarts, ofoEnds, 4);
            for (int i = 0; i < got && count < max; i++) {
                sackStarts[count] = ofoStarts[i];
                sackEnds[count] = ofoEnds[i];
                count++;
            }
            n += TcpOptionWriter.writeSack(b, off + n, sackStarts, sackEnds, count);
        }
        return n;
    }

    /**
     * tcp_transmit_skb's hand-off: the ACK state is settled (tcp_event_ack_sent) whatever happens to the
     * packet; a drop by the local queue discipline (NET_XMIT_DROP) puts cwnd into reduction (tcp_enter_cwr).
     *
     * @return 0, or what {@link TcpHost#sendTcp} returned: &gt; 0 means the packet never left
     */
    private int transmit(int tcpLen, int flags, SendReason why, int n) { return transmit(tcpLen, flags, nextIpId(), 0, why, n); }

    /**
     * The IP identification of the next packet (ip_select_ident_segs): a full socket's own counter;
     * 0 for what Linux sends from a request socket (the passive SYN-ACK and its answers) or from a
     * time-wait socket (TIME_WAIT, and an orphan in FIN_WAIT2, its time-wait substate), which go out
     * through the control socket with DF set. Measured on Linux 6.18 (two namespaces on a veth):
     * the client's SYN and then every packet count up from a random start, the SYN-ACK carries 0,
     * the server's packets count up from another random start once established, and its ACK from
     * TIME_WAIT and a RST for no socket carry 0. (The orphaned FIN_WAIT2 follows from Linux's code — it
     * becomes a time-wait socket — and was not measured separately.)
     */
    private int nextIpId() {
        // A Fast Open child is a full socket from its SYN on (tcp_fastopen_create_child).
        boolean requestSock = t.state == TcpState.SYN_RECV && t.parent != null && t.fastOpenListener == null;
        boolean timewaitSock = t.state == TcpState.TIME_WAIT || t.state == TcpState.FIN_WAIT2 && t.orphan;
        if (requestSock || timewaitSock) return 0;
        int id = t.ipId;
        t.ipId = (id + 1) & 0xFFFF;
        return id;
    }

    private int transmit(int tcpLen, int flags, int ipId, int tos, SendReason why, int n) {
        if ((flags & ACK) != 0) c.delack.onAckSent();
        t.stats.inc(Counter.TcpOutSegs);
        if ((flags & RST) != 0) t.stats.inc(Counter.TcpOutRsts);
        int r = t.host.sendTcp(t.localAddr, t.remoteAddr, tcpLen, ipId, tos, why, n);
        if (r > 0) c.rec.enterCwr();
        return r;
    }
}
