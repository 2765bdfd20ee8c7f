package dev.synack.tcp;

import static dev.synack.wire.TcpHeader.ACK;
import static dev.synack.wire.TcpHeader.FIN;
import static dev.synack.wire.TcpHeader.RST;
import static dev.synack.wire.TcpHeader.SYN;

import dev.synack.stats.Counter;
import dev.synack.tcp.cc.Cwnd;

/**
 * Opening a connection (RFC 9293 §3.5): the active open (tcp_connect: buffers, MSS, ISN, the SYN),
 * the passive open from a listener (tcp_conn_request, tcp_create_openreq_child: the SYN-ACK), the
 * SYN-SENT state's processing (§3.10.7.3, tcp_rcv_synsent_state_process, with simultaneous open), the
 * ACK that completes a SYN_RECV connection (tcp_check_req), option negotiation (RFC 9293 §3.7.1,
 * RFC 7323, RFC 2018) and tcp_init_transfer.
 */
final class Handshake {
    private final TcpConnection c;
    private final Tcb t;

    Handshake(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /**
     * Active open (RFC 9293 §3.10.1): sends a SYN and enters SYN_SENT; with {@code fastOpen} (or null)
     * the SYN asks for a Fast Open cookie or carries data under one ({@link #fastOpenSyn}).
     */
    void connect(int localAddr, int localPort, int remoteAddr, int remotePort, FastOpen.Request fastOpen) {
        t.localAddr = localAddr;
        t.localPort = localPort;
        t.remoteAddr = remoteAddr;
        t.remotePort = remotePort;
        initBuffers();
        t.advMss = clampUserMss(t.mtu() - Tcb.IPV4_TCP_HEADERS);
        t.pmtuCookie = t.mtu(); // tcp_connect_init: tcp_sync_mss(sk, dst_mtu(dst))
        initSequence();
        t.sndSml = t.iss + 1; // tcp_connect_init: snd_sml = write_seq, so Minshall's check starts clear
        t.rcvWscale = t.cfg.tcpWindowScaling ? c.rwnd.initialWscale() : 0;
        c.rwnd.initial(t.advMss);
        t.synRetries = t.options.synCnt > 0 ? t.options.synCnt : t.cfg.tcpSynRetries;
        t.stats.inc(Counter.TcpActiveOpens);
        t.ipId = t.host.randomIpId(); // tcp_v4_connect: inet->inet_id = get_random_u16()
        c.ecn.connecting(); // tcp_connect → tcp_ecn_send_syn
        c.life.setState(TcpState.SYN_SENT);
        if (fastOpen != null) fastOpenSyn(fastOpen);
        c.out.sendSyn(SendReason.SYN, 0);
        synSent();
        if (t.synDataLen > 0) {
            // tcp_send_syn_data: the data waits for retransmission as its own skb after the bare SYN.
            t.rtx.add(t.iss + 1, t.iss + 1 + t.synDataLen, RetransmitQueue.F_PSH, t.sched.nowNs());
            t.sndNxt = t.iss + 1 + t.synDataLen;
        }
    }

    /**
     * tcp_send_syn_data with tcp_fastopen_cookie_check (net/ipv4/tcp_output.c, tcp_fastopen.c): the
     * cached MSS and cookie for the server (tcp_fastopen_cache_get); data goes in the SYN when a cookie
     * is known or no cookie is needed (TFO_CLIENT_NO_COOKIE, TCP_FASTOPEN_NO_COOKIE: then no option);
     * otherwise the SYN requests a cookie (an empty option) and carries nothing. How much data: the
     * MSS the cached MSS (else our own) allows less MAX_TCP_OPTION_SPACE (40), at most what was offered —
     * Linux reserves the whole option space "for middleboxes that add private TCP options".
     */
    private void fastOpenSyn(FastOpen.Request req) {
        FastOpen.Entry e = t.demux.fastOpenCache.get(t.remoteAddr);
        int mssClamp = t.advMss;
        int cookieLen = 0;
        boolean exp = false;
        if (e != null) {
            if (e.mss > 0) mssClamp = e.mss;
            if (e.cookieLen > 0) {
                cookieLen = e.cookieLen;
                System.arraycopy(e.cookie, 0, t.synCookie, 0, cookieLen);
                exp = e.exp;
            } else {
                exp = e.tryExp == 1;
            }
        }
        boolean noCookie = (t.cfg.tcpFastopen & FastOpen.TFO_CLIENT_NO_COOKIE) != 0 || t.options.fastOpenNoCookie;
        if (noCookie) cookieLen = -1;
        if (noCookie || cookieLen > 0) {
            int mss = Math.min(t.mtu() - Tcb.IPV4_TCP_HEADERS, clampUserMss(mssClamp)); // __tcp_mtu_to_mss
            int space = Math.max(Math.min(mss - MAX_TCP_OPTION_SPACE, req.len), 0);
            space = Math.min(space, t.sendBuf.free());
            if (space > 0 && req.data == null) {
                // tcp_send_syn_data: the copy from the caller failed — "fallback: Send a regular SYN with
                // Fast Open cookie request option" (a cookie's length becomes 0: an empty option). Measured
                // on Linux 6.18: the SYN carries an empty FO option, and sendto() returns EINPROGRESS.
                space = 0;
                if (cookieLen > 0) cookieLen = 0;
            }
            if (space > 0) t.sendBuf.write(req.data, req.off, space);
            req.copied = space;
            t.synDataLen = space;
        }
        t.synCookieLen = cookieLen;
        t.synFastOpen = cookieLen >= 0;
        t.synFastOpenExp = exp;
    }

    /** MAX_TCP_OPTION_SPACE (include/net/tcp.h). */
    private static final int MAX_TCP_OPTION_SPACE = 40;

    /**
     * A passive open's start (tcp_create_openreq_child): the listener's child, addressed as the
     * segment was, with its buffers and the MSS it advertises.
     */
    private void childOf(TcpListener listener, InSegment seg) {
        t.parent = listener;
        t.localAddr = seg.dstAddr;
        t.localPort = seg.dstPort;
        t.remoteAddr = seg.srcAddr;
        t.remotePort = seg.srcPort;
        initBuffers();
        t.advMss = clampUserMss(t.mtu() - Tcb.IPV4_TCP_HEADERS);
        t.pmtuCookie = t.mtu(); // tcp_v4_syn_recv_sock: tcp_sync_mss(newsk, dst_mtu(dst))
    }

    /**
     * Passive open: a SYN reached a listener; this new connection answers it from SYN_RECV. With Fast
     * Open ({@code fo}, tcp_try_fastopen's answer) the SYN-ACK may carry a cookie, and a child
     * (tcp_fastopen_create_child) takes the SYN's data at once and is ready for the application before
     * the third ACK.
     */
    void acceptSyn(TcpListener listener, InSegment seg, TcpListener.FastOpenAnswer fo) {
        childOf(listener, seg);
        t.irs = seg.seq;
        t.rcvNxt = seg.seq + 1;
        t.rcvWup = t.rcvNxt;
        initSequence();
        t.sndSml = t.iss + 1; // tcp_create_openreq_child: snd_sml = snd_una = ISS + 1
        negotiateOptions(seg);
        c.ecn.openRequest(Ecn.requestOk(seg, t.cfg)); // tcp_ecn_create_request, tcp_ecn_openreq_child
        // tcp_openreq_init_rwin: the SYN-ACK's window is computed with the MSS less the timestamps option.
        c.rwnd.initial(t.advMss - (t.tsOk ? Tcb.TCPOLEN_TSTAMP_ALIGNED : 0));
        t.sndWnd = seg.window; // RFC 7323 §2.2: the window in a SYN is never scaled
        t.sndWl1 = seg.seq;
        t.sndWl2 = seg.ack;
        t.maxSndWnd = t.sndWnd;
        t.synRetries = t.cfg.tcpSynackRetries;
        t.stats.inc(Counter.TcpPassiveOpens);
        // Linux clones the child from the listener (inet_csk_clone_lock), so its first state change,
        // as the inet_sock_set_state tracepoint shows it, is LISTEN → SYN_RECV, not CLOSE → SYN_RECV.
        t.state = TcpState.LISTEN;
        c.life.setState(TcpState.SYN_RECV);
        if (fo.child()) fastOpenChild(listener, seg);
        c.out.sendSynAck(SendReason.SYN_ACK, 0, fo.cookie(), fo.cookieLen(), fo.exp());
        synSent();
    }

    /**
     * tcp_fastopen_create_child: the connection is a full socket in SYN_RECV from here on, its
     * transfer state set up (tcp_init_transfer), the SYN's data queued for the reader
     * (tcp_fastopen_add_skb: RCV.NXT moves past it, syn_data_acked when there was any). The SYN-ACK
     * that follows acknowledges it. RFC 7413 §4.2.2 lets the server send data before the handshake
     * ends, which {@link TcpConnection#send} allows for such a child.
     */
    private void fastOpenChild(TcpListener listener, InSegment seg) {
        t.fastOpenListener = listener;
        t.ipId = t.host.randomIpId(); // a full socket at once (tcp_v4_syn_recv_sock): inet_id = get_random_u16()
        initTransfer(t.sched.nowNs());
        if (seg.payloadLen > 0) c.rcv.synData(seg);
    }

    /**
     * Passive open from a SYN cookie (cookie_v4_check, cookie_tcp_reqsk_alloc, tcp_get_cookie_sock): the
     * ACK {@code seg} carried a valid cookie, so IRS = SEG.SEQ − 1 and ISS = SEG.ACK − 1; the peer's MSS
     * is the table's {@code mss}; timestamps, SACK and its window scale are what the cookie's TSval
     * carried, ECN too (cookie_ecn_ok). The connection starts in SYN_RECV as if its SYN-ACK (never
     * retransmitted, never timed: snt_synack 0, so the RTT sample can only come from the echoed
     * timestamp) were in flight; the ACK itself, processed next, establishes it.
     */
    void acceptCookie(TcpListener listener, InSegment seg, int mss, boolean tsOk, boolean sackOk, int sndWscale, boolean ecnOk) {
        childOf(listener, seg);
        t.irs = seg.seq - 1;
        t.rcvNxt = seg.seq;
        t.rcvWup = t.rcvNxt;
        t.iss = seg.ack - 1;
        t.tsOffset = t.cfg.randomTsOffset ? t.host.tsOffset(t.localAddr, t.remoteAddr) : 0;
        t.sndUna = t.iss;
        t.sndNxt = t.iss + 1;
        t.sndBufSeq = t.iss + 1;
        t.sndSml = t.iss + 1;
        t.peerMss = mss;
        t.sackOk = sackOk;
        t.tsOk = tsOk;
        c.ecn.openRequest(ecnOk);
        if (tsOk) {
            t.tsRecent = seg.tsVal; // req->ts_recent = the ACK's TSval
            t.tsRecentStampNs = t.sched.nowNs();
        }
        t.wscaleOk = sndWscale >= 0;
        t.sndWscale = t.wscaleOk ? sndWscale : 0;
        t.rcvWscale = t.wscaleOk ? c.rwnd.initialWscale() : 0;
        t.mss = computeMss();
        // cookie_v4_check: tcp_select_initial_window with req->mss, the cookie's MSS.
        c.rwnd.initial(mss);
        t.sndWnd = seg.window << t.sndWscale;
        t.sndWl1 = seg.seq;
        t.sndWl2 = seg.ack;
        t.maxSndWnd = t.sndWnd;
        t.synRetries = t.cfg.tcpSynackRetries;
        t.stats.inc(Counter.TcpPassiveOpens); // tcp_create_openreq_child
        t.state = TcpState.LISTEN;
        c.life.setState(TcpState.SYN_RECV);
        t.rtx.add(t.iss, t.iss + 1, RetransmitQueue.F_SYN | RetransmitQueue.EVER_RETRANS, t.sched.nowNs());
    }

    /** The ISN (RFC 6528) and the timestamps offset for the 4-tuple; nothing sent yet. */
    private void initSequence() {
        t.iss = t.host.isn(t.localAddr, t.localPort, t.remoteAddr, t.remotePort);
        t.tsOffset = t.cfg.randomTsOffset ? t.host.tsOffset(t.localAddr, t.remoteAddr) : 0;
        t.sndUna = t.iss;
        t.sndNxt = t.iss;
        t.sndBufSeq = t.iss + 1;
    }

    /** The SYN (or SYN-ACK) just left: it occupies ISS, waits in the retransmission queue, under the RTO. */
    private void synSent() {
        t.sndNxt = t.iss + 1;
        t.rtx.add(t.iss, t.iss + 1, RetransmitQueue.F_SYN, t.sched.nowNs());
        c.timers.armInitialRto();
    }

    /**
     * How many separate out-of-order ranges a receive buffer of {@code rcvBuf} bytes holds. Linux keeps
     * out-of-order segments until their memory (skb truesize, at least about 1 KB each, even for a
     * small segment) exceeds sk_rcvbuf (tcp_try_rmem_schedule, then tcp_prune_ofo_queue); a range
     * holds at least one segment, so rcvBuf / 1 KB bounds them (the buffer limits the bytes).
     */
    static int maxOfoRanges(int rcvBuf) { return Math.max(MIN_OFO_RANGES, rcvBuf / MIN_OFO_TRUESIZE); }

    /** The smallest out-of-order map, and the least memory Linux charges an out-of-order skb (≈ 1 KB). */
    private static final int MIN_OFO_RANGES = 32, MIN_OFO_TRUESIZE = 1024;

    /** The buffers (sk_rcvbuf, sk_sndbuf) from SO_RCVBUF/SO_SNDBUF or tcp_rmem[1]/tcp_wmem[1]. */
    void initBuffers() {
        int rb = t.options.rcvBuf > 0 ? t.options.rcvBuf : t.cfg.tcpRmem[1];
        int sb = t.options.sndBuf > 0 ? t.options.sndBuf : t.cfg.tcpWmem[1];
        t.recvBuf = new RingBuffer(rb, t.host);
        t.sendBuf = new RingBuffer(sb, t.host);
        t.ofo = new Assembler(maxOfoRanges(t.options.rcvBuf > 0 ? t.options.rcvBuf : t.cfg.tcpRmem[2]));
        t.sndBuf = sb;
    }

    /** RFC 9293 §3.10.7.3, SYN-SENT STATE. */
    void synSent(InSegment seg, long nowNs) {
        // First, check the ACK bit.
        if (seg.has(ACK)) {
            if (Seq.le(seg.ack, t.iss) || Seq.gt(seg.ack, t.sndNxt)) {
                c.out.sendResetFor(seg, SendReason.RST_INVALID_ACK);
                t.host.segmentDropped(TcpDropReason.TCP_INVALID_ACK_SEQUENCE);
                return;
            }
            // tcp_rcv_synsent_state_process: a TS ecr (parsed in SYN_SENT when tcp_timestamps is on) must be
            // a TS val we sent, between the first SYN (retrans_stamp, which a SYN retry does not move) and
            // now; else PAWSActiveRejected and reset_and_undo: a RST, the connection stays in SYN_SENT
            // (fastopen/client/synack-data.pkt's TEST5, which Linux 6.18 passes).
            if (seg.hasTimestamps && seg.tsEcr != 0 && t.cfg.timestampsEnabled() && !t.rtx.isEmpty()) {
                long stampNs = t.retransStampNs != 0 ? t.retransStampNs : t.rtx.sentNs(0);
                int lo = t.tsNow(stampNs), hi = t.tsNow(nowNs);
                if (!Seq.between(seg.tsEcr, lo, hi)) {
                    t.stats.inc(Counter.TcpExtPAWSActive);
                    c.out.sendResetFor(seg, SendReason.RST_SYNACK_TSECR);
                    t.host.segmentDropped(TcpDropReason.TCP_RFC7323_PAWS);
                    return;
                }
            }
        }
        // Second, check the RST bit.
        if (seg.has(RST)) {
            if (seg.has(ACK)) {
                // tcp_reset: in SYN_SENT the error is ECONNREFUSED.
                t.stats.inc(Counter.TcpAttemptFails);
                c.life.done(Errno.ECONNREFUSED);
            } else {
                t.host.segmentDropped(TcpDropReason.TCP_RESET); // "drop the segment and return"
            }
            return;
        }
        // Fourth, check the SYN bit.
        if (!seg.has(SYN)) {
            t.host.segmentDropped(TcpDropReason.TCP_FLAGS); // "fifth, if neither of the SYN or RST bits is set"
            return;
        }
        t.irs = seg.seq;
        t.rcvNxt = seg.seq + 1;
        t.rcvWup = t.rcvNxt;
        negotiateOptions(seg);
        if (t.tsOk) {
            t.tsRecent = seg.tsVal;
            t.tsRecentStampNs = nowNs;
        }
        if (seg.has(ACK)) c.ecn.synAckReceived(seg); // tcp_ecn_rcv_synack
        else c.ecn.synReceived(seg);                 // tcp_ecn_rcv_syn: a simultaneous open
        if (seg.has(ACK)) {
            t.sndWl1 = seg.seq;
            t.sndWl2 = seg.ack;
            t.sndWnd = seg.window; // not scaled in a SYN (RFC 7323 §2.2)
            t.maxSndWnd = t.sndWnd;
            int ack = seg.ack;
            if (t.synDataLen > 0) seg.ack = t.iss + 1; // the SYN first; its data below (tcp_clean_rtx_queue)
            synAcked(seg, nowNs);
            seg.ack = ack;
            boolean dataLeft = t.synDataLen > 0 && synDataAcked(ack);
            c.life.setState(TcpState.ESTABLISHED);
            initTransfer(nowNs);
            // tcp_ack of the SYN-ACK ends in tcp_cong_control → tcp_update_pacing_rate, with the SYN's RTT.
            c.snd.updatePacingRate();
            t.lrcvNs = nowNs; // tcp_finish_connect: icsk_ack.lrcvtime
            // shutdown(SHUT_WR) during SYN_SENT queued a FIN: it leaves with the handshake's end, so the
            // state must say so (as the SYN_RECV path does), or the FIN's ACK would find ESTABLISHED.
            if (t.finQueued) c.life.setState(TcpState.FIN_WAIT1);
            if ((t.synFastOpen || t.synDataLen > 0) && fastOpenSynAck(seg, dataLeft)) {
                // tcp_rcv_synsent_state_process returns -1: no ACK of its own, the retransmission carries it.
                c.snd.output();
                c.life.notifyApp();
                return;
            }
            // tcp_rcv_fastopen_synack → tcp_fastopen_add_skb: a Fast Open client (one that asked for a cookie
            // or sent data) takes the data, and the FIN, the SYN-ACK carries; the ACK below acknowledges
            // them. A plain client leaves them for the peer to send again (RFC 9293 §3.10.7.3 would queue
            // them; Linux does not).
            if ((t.synFastOpen || t.synDataLen > 0) && (seg.payloadLen > 0 || seg.has(FIN))) {
                c.rcv.synAckData(seg);
            }
            // tcp_rcv_synsent_state_process: the third segment of the handshake goes out at once, unless a
            // writer waits (a blocking Fast Open sendto with data left: sk_write_pending), whose data takes it.
            if (t.writePending) {
                t.writePending = false;
                c.delack.handshakeAckLater();
            } else {
                c.out.sendAck(SendReason.HANDSHAKE_ACK);
            }
            c.snd.output();
            c.life.notifyApp();
        } else {
            // Simultaneous open (RFC 9293 §3.5, Figure 8): SYN_RECV, answer with SYN,ACK on the same ISS.
            t.sndWnd = seg.window;
            t.sndWl1 = seg.seq;
            t.maxSndWnd = t.sndWnd;
            c.life.setState(TcpState.SYN_RECV);
            // tcp_send_synack resends our SYN's skb: the window stays the one connect() chose.
            c.out.sendSynAck(SendReason.SYN_ACK_SIMULTANEOUS, 0);
        }
    }

    /**
     * The SYN-ACK's acknowledgement of our SYN's data (tcp_clean_rtx_queue): the acknowledged part leaves
     * the retransmission queue and the send buffer.
     *
     * @return whether some of the data is still unacknowledged
     */
    private boolean synDataAcked(int ack) {
        int acked = Math.max(0, Math.min(Seq.diff(ack, t.iss + 1), t.synDataLen));
        if (acked > 0) {
            int end = t.iss + 1 + acked;
            while (!t.rtx.isEmpty() && Seq.le(t.rtx.end(0), end)) t.rtx.removeFirst();
            if (!t.rtx.isEmpty() && Seq.lt(t.rtx.start(0), end)) t.rtx.trimFirst(end);
            t.sendBuf.discard(acked);
            c.snd.wmemReclaim();
            t.sndBufSeq = end;
            t.bytesAcked += acked;
            t.sndUna = end;
            // tcp_clean_rtx_queue frees the SYN data's skb: a zero-copy notification on it completes.
            if (t.progress != null) t.progress.acked(t.sndUna);
        }
        return !t.rtx.isEmpty();
    }

    /**
     * tcp_rcv_fastopen_synack (net/ipv4/tcp_input.c): what the SYN-ACK says about Fast Open. The cache
     * (tcp_fastopen_cache_set) learns the server's MSS and its cookie (an unsolicited cookie is ignored);
     * after a SYN timeout a SYN-ACK without cookie that left data unacknowledged counts a lost SYN-data;
     * a cookie request answered without one makes the next try use the other option form (try_exp). Data
     * the SYN-ACK did not acknowledge is marked lost and sent again at once (TCPFastOpenActiveFail);
     * otherwise syn_data_acked (TCPI_OPT_SYN_DATA) and TCPFastOpenActive.
     *
     * @return true when data had to be retransmitted (the caller sends no ACK of its own)
     */
    private boolean fastOpenSynAck(InSegment seg, boolean dataLeft) {
        FastOpen.Entry e = t.demux.fastOpenCache.getOrCreate(t.remoteAddr);
        int cookieLen = t.synFastOpen ? seg.foLen : -1;
        boolean synDrop = false;
        int tryExp = 0;
        if (!t.synFastOpen) {
            cookieLen = -1; // "Ignore an unsolicited cookie"
        } else if (t.totalRetrans > 0) {
            synDrop = cookieLen < 0 && dataLeft;
        } else if (cookieLen < 0 && t.synDataLen == 0) {
            tryExp = t.synFastOpenExp ? 2 : 1;
        }
        // The SYN-ACK's MSS as sent: Linux takes rx_opt.mss_clamp, re-parsing the SYN-ACK without TCP_MAXSEG
        // when the clamp is the user's MSS ("Get original SYNACK MSS value if user MSS sets mss_clamp").
        if (seg.mss > 0) e.mss = seg.mss;
        if (cookieLen > 0) {
            System.arraycopy(seg.foCookie, 0, e.cookie, 0, cookieLen);
            e.cookieLen = cookieLen;
            e.exp = seg.foExp;
        } else if (tryExp > e.tryExp && e.cookieLen <= 0 && !e.exp) {
            e.tryExp = tryExp;
        }
        if (synDrop) {
            e.synLoss++;
            e.lastSynLossNs = t.sched.nowNs();
        } else {
            e.synLoss = 0;
        }
        if (dataLeft) {
            // The data's skb is re-cut to the MSS the SYN-ACK allows (tcp_fragment, tcp_set_skb_tso_segs): each
            // MSS counts as one packet in flight, and a real link carries MSS-sized segments.
            int s = t.rtx.start(0), end = t.rtx.end(0), psh = t.rtx.bits(0) & RetransmitQueue.F_PSH;
            long sentNs = t.rtx.sentNs(0);
            t.rtx.removeFirst();
            for (int p = s; Seq.lt(p, end); p += t.mss) {
                int q = Seq.lt(p + t.mss, end) ? p + t.mss : end;
                t.rtx.add(p, q, q == end ? psh : 0, sentNs);
            }
            for (int i = 0; i < t.rtx.size(); i++) t.rtx.markLost(i, RetransmitQueue.LOST_BY_RTO);
            c.rec.nonCongestionLoss();
            t.stats.inc(Counter.TcpExtTCPFastOpenActiveFail);
            return true;
        }
        t.synDataAcked = t.synDataLen > 0;
        if (t.synDataAcked) t.stats.inc(Counter.TcpExtTCPFastOpenActive);
        return false;
    }

    /**
     * The ACK field in SYN_RECV (tcp_rcv_state_process's TCP_SYN_RECV case, tcp_check_req): an ACK of
     * our SYN-ACK establishes the connection and hands it to the listener's accept queue; any other
     * is answered with a RST.
     *
     * @return false when the segment must be dropped
     */
    boolean synRecvAck(InSegment seg, long nowNs) {
        if (t.fastOpenListener != null) return fastOpenSynRecvAck(seg, nowNs);
        if (!(Seq.lt(t.sndUna, seg.ack) && Seq.le(seg.ack, t.sndNxt))) {
            c.out.sendResetFor(seg, SendReason.RST_INVALID_ACK);
            t.host.segmentDropped(TcpDropReason.TCP_INVALID_ACK_SEQUENCE);
            return false;
        }
        t.sndWnd = seg.window << t.sndWscale;
        t.sndWl1 = seg.seq;
        t.sndWl2 = seg.ack;
        t.maxSndWnd = Math.max(t.maxSndWnd, t.sndWnd);
        // A simultaneous open whose SYN carried Fast Open data: the ACK may cover the data too (tcp_ack);
        // what it leaves is retransmitted by the timer as any data (tcp_rcv_fastopen_synack is not run).
        int ack = seg.ack;
        if (t.synDataLen > 0) seg.ack = t.iss + 1;
        synAcked(seg, nowNs);
        seg.ack = ack;
        if (t.synDataLen > 0) synDataAcked(ack);
        // tcp_v4_syn_recv_sock: the request socket becomes a full one, with inet_id = get_random_u16().
        if (t.parent != null) t.ipId = t.host.randomIpId();
        c.life.setState(TcpState.ESTABLISHED);
        initTransfer(nowNs);
        // tcp_rcv_state_process, TCP_SYN_RECV: after tcp_synack_rtt_meas and tcp_init_transfer,
        // "if (!inet_csk(sk)->icsk_ca_ops->cong_control) tcp_update_pacing_rate(sk)".
        c.snd.updatePacingRate();
        if (t.parent != null) t.parent.childEstablished(c);
        if (t.finQueued) c.life.setState(TcpState.FIN_WAIT1); // close() during SYN_RECV
        c.life.notifyApp();
        return true;
    }

    /**
     * The ACK that ends a Fast Open child's handshake (tcp_rcv_state_process, TCP_SYN_RECV with
     * fastopen_rsk: tcp_ack, then tcp_rcv_synrecv_state_fastopen and reqsk_fastopen_remove): the child
     * may already be accepted and have sent data, so the ACK may cover data too; an ACK below our
     * SYN-ACK's end is refused with a RST as for any SYN_RECV connection.
     */
    private boolean fastOpenSynRecvAck(InSegment seg, long nowNs) {
        if (!(Seq.lt(t.sndUna, seg.ack) && Seq.le(seg.ack, t.sndNxt))) {
            c.out.sendResetFor(seg, SendReason.RST_INVALID_ACK);
            t.host.segmentDropped(TcpDropReason.TCP_INVALID_ACK_SEQUENCE);
            return false;
        }
        TcpListener l = t.fastOpenListener;
        t.fastOpenListener = null;
        l.fastOpenDone(false);
        t.sndWnd = seg.window << t.sndWscale;
        t.sndWl1 = seg.seq;
        t.sndWl2 = seg.ack;
        t.maxSndWnd = Math.max(t.maxSndWnd, t.sndWnd);
        int ack = seg.ack;
        seg.ack = t.iss + 1;
        synAcked(seg, nowNs);
        seg.ack = ack;
        c.life.setState(TcpState.ESTABLISHED);
        c.snd.updatePacingRate(); // tcp_rcv_state_process, TCP_SYN_RECV, as for any passive open
        if (t.finQueued) c.life.setState(TcpState.FIN_WAIT1);
        if (Seq.gt(ack, t.sndUna) && !c.acks.onAck(seg, nowNs)) return false; // it also acknowledges data
        c.snd.output();
        c.life.notifyApp();
        return true;
    }

    /** The SYN has been acknowledged: take its RTT sample and drop it from the retransmission queue. */
    private void synAcked(InSegment seg, long nowNs) {
        boolean retransmitted = t.rtx.has(0, RetransmitQueue.EVER_RETRANS);
        long sent = t.rtx.sentNs(0);
        t.rtx.removeFirst();
        c.rec.synDelivered();
        t.bytesAcked += Seq.diff(seg.ack, t.sndUna);
        t.sndUna = seg.ack;
        t.sndBufSeq = t.sndUna;
        if (!retransmitted) c.acks.rttSample((nowNs - sent) / 1000, nowNs);
        else if (t.tsOk && seg.tsEcr != 0) c.acks.rttSample(t.tsRttUs(seg.tsEcr, nowNs), nowNs);
        c.timers.handshakeDone();
    }

    /** Linux tcp_init_transfer: congestion state and timers for a new connection (once: a Fast Open child runs it at its SYN). */
    private void initTransfer(long nowNs) {
        if (t.transferInitialised) return;
        t.transferInitialised = true;
        t.mss = computeMss();
        initializeRcvMss();
        t.cw.cwnd = t.cfg.initCwnd;
        t.cw.ssthresh = Cwnd.INFINITE_SSTHRESH;
        t.cc.init(t.cw, nowNs);
        // tcp_init_buffer_space: the send buffer grows to what the initial window needs unless locked,
        // and DRS starts measuring.
        c.snd.initTransfer();
        c.rcv.initSpace(nowNs);
        c.rwnd.initBufferSpace();
        t.lastSendNs = nowNs;
        t.lastAckRecvNs = nowNs;
        if (t.options.keepAlive) c.keepalive.reset();
    }

    /**
     * tcp_initialize_rcv_mss: "it's better to underestimate the RCV_MSS rather than overestimate" —
     * min(advmss, mss_cache, rcv_wnd / 2, TCP_MSS_DEFAULT), at least TCP_MIN_MSS; tcp_measure_rcv_mss
     * then learns the peer's real segment size (536 on Linux 6.18 after a handshake with MSS 1460).
     */
    private void initializeRcvMss() {
        int hint = Math.min(Math.min(t.advMss, t.mss), t.rcvWnd / 2);
        t.rcvMss = Math.max(Math.min(hint, Tcb.TCP_MSS_DEFAULT), Tcb.TCP_MIN_MSS);
    }

    /** Options of a SYN or SYN-ACK: what both sides agreed (RFC 9293 §3.7.1, RFC 7323, RFC 2018). */
    private void negotiateOptions(InSegment seg) {
        t.peerMss = seg.mss > 0 ? seg.mss : Tcb.TCP_MSS_DEFAULT; // Linux: a zero MSS option is treated as absent
        // tcp_parse_options: the peer's MSS is clamped to TCP_MAXSEG (mss_clamp = min(in_mss, user_mss)).
        if (seg.mss > 0) t.peerMss = clampUserMss(t.peerMss);
        t.sackOk = t.cfg.tcpSack && seg.sackPermitted;
        t.tsOk = t.cfg.timestampsEnabled() && seg.hasTimestamps;
        if (t.tsOk) {
            t.tsRecent = seg.tsVal;
            t.tsRecentStampNs = t.sched.nowNs();
        }
        t.wscaleOk = t.cfg.tcpWindowScaling && seg.windowScale >= 0;
        if (t.wscaleOk) {
            t.sndWscale = Math.min(seg.windowScale, Tcb.TCP_MAX_WSCALE);
            if (t.state != TcpState.SYN_SENT) t.rcvWscale = c.rwnd.initialWscale();
        } else {
            t.sndWscale = 0;
            t.rcvWscale = 0;
        }
        t.mss = computeMss();
    }

    /**
     * tcp_v4_mtu_reduced (net/ipv4/tcp_ipv4.c), after an ICMP "fragmentation needed" lowered the route's
     * path MTU (RFC 1191 §6.3): when the path MTU is below the one the MSS was computed for, tcp_sync_mss
     * (and, for SYNs sent from now on, tcp_advertise_mss: the route's advmss, its MTU − 40), then
     * tcp_simple_retransmit. Of the latter synack does the case Linux 6.18 shows on a Fast Open SYN
     * with data (commit c31b70c9968f, "tcp: Add logic to check for SYN w/ data in
     * tcp_simple_retransmit"): everything is lost, and the SYN goes again at once, bare (the retry
     * form), with the RTO restarted; its data waits for the SYN-ACK, which sends it again at the new
     * MSS. Measured on Linux 6.18 (fastopen/client/syn-data-icmp-unreach-frag-needed*.pkt: mtu 800 and
     * 840 give a retried SYN offering MSS 760 and 800). A connection past the handshake only takes the
     * smaller MSS for what it sends next: segments already sent larger are not re-cut and resent (Linux
     * marks them lost and enters Loss; not modelled).
     */
    void mtuReduced() {
        if (t.state == TcpState.CLOSE) return;
        int mtu = t.mtu();
        if (t.pmtuCookie <= mtu) return;
        t.pmtuCookie = mtu;
        t.advMss = Math.min(t.advMss, mtu - Tcb.IPV4_TCP_HEADERS);
        if (t.state != TcpState.SYN_SENT) t.mss = computeMss();
        if (t.state == TcpState.SYN_SENT && t.synDataLen > 0 && !t.rtx.isEmpty()) {
            long nowNs = t.sched.nowNs();
            t.stats.inc(Counter.TcpExtTCPSynRetrans); // tcp_retransmit_skb of a SYN
            c.snd.retransmit(0, nowNs, SendReason.SYN_MTU_RETRY, 1);
            c.timers.armRetransmitTimer(t.rtoUs); // tcp_xmit_retransmit_queue: the head went again
        }
    }

    /** tcp_mss_clamp (include/net/tcp.h): min(mss, TCP_MAXSEG) when the application set one. */
    private int clampUserMss(int m) {
        return t.options.userMss > 0 && t.options.userMss < m ? t.options.userMss : m;
    }

    /** tcp_sync_mss: payload per segment = min(peer's MSS, our MTU − 40) − the timestamps option. */
    private int computeMss() {
        int m = Math.min(t.peerMss, t.mtu() - Tcb.IPV4_TCP_HEADERS);
        if (t.tsOk) m -= Tcb.TCPOLEN_TSTAMP_ALIGNED;
        return Math.max(m, Tcb.TCP_MIN_SND_MSS);
    }
}
