package dev.synack.tcp;

import static dev.synack.wire.TcpHeader.ACK;
import static dev.synack.wire.TcpHeader.FIN;
import static dev.synack.wire.TcpHeader.PSH;

import dev.synack.stats.Counter;
import dev.synack.wire.TcpHeader;

/**
 * The sending half (net/ipv4/tcp.c's tcp_sendmsg, tcp_output.c's tcp_write_xmit,
 * tcp_xmit_retransmit_queue, tcp_retransmit_skb, tcp_write_wakeup): application bytes into the send
 * ring in skbs of the size goal, PSH where a write ends, and transmission of what the send window,
 * cwnd, Nagle and SWS avoidance allow — lost segments first, then new data, a FIN with or after the
 * last byte — with the send buffer's growth (tcp_sndbuf_expand) and cwnd validation.
 */
final class Sender {
    /** Linux's TCP_INIT_CWND (include/net/tcp.h), used by tcp_sndbuf_expand whatever the initial cwnd. */
    static final int TCP_INIT_CWND = 10;
    /** MAX_TCP_HEADER on x86_64 (L1_CACHE_ALIGN(128 + MAX_HEADER)). */
    static final int MAX_TCP_HEADER = 320;
    /** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) and SKB_DATA_ALIGN(sizeof(struct sk_buff)) on x86_64. */
    static final int SKB_SHINFO = 320, SKB_STRUCT = 256;
    /** GSO_LEGACY_MAX_SIZE: a device's default gso_max_size. */
    static final int GSO_MAX_SIZE = 65536;
    /** tcp_bound_to_half_wnd's floor: 68 bytes of IP packet less the headers (TCP_MIN_MSS's old value). */
    private static final int TCP_MIN_PACKET = 68;
    /** No limit beyond cwnd: {@link #output(int)} as tcp_write_xmit without push_one. */
    private static final int CWND = -1;
    /** tp->nonagle's bits (include/net/tcp.h): TCP_NODELAY, TCP_CORK or MSG_MORE, push once. */
    static final int TCP_NAGLE_OFF = 1, TCP_NAGLE_CORK = 2, TCP_NAGLE_PUSH = 4;

    private final TcpConnection c;
    private final Tcb t;
    /** Where the unsent skb at the tail of Linux's write queue begins (tcp_write_queue_tail). */
    private int tailSkbSeq;
    /** A writer found the send buffer full (Linux SOCK_NOSPACE): an ACK may expand it (tcp_check_space). */
    private boolean noSpace;
    /** SND.NXT when cwnd use was last checked (tp->cwnd_usage_seq). */
    private int cwndUsageSeq;
    /** Sequence numbers that end an application write (PSH). */
    private final SeqMarks pushMarks = new SeqMarks();
    /**
     * Sequence numbers that end an MSG_EOR write (TCP_SKB_CB(skb)->eor): no segment crosses one, as
     * Linux neither appends to such an skb nor collapses it with the next (tcp_skb_can_collapse).
     */
    private final SeqMarks eorMarks = new SeqMarks();
    /**
     * Where tcp_sendmsg started a new skb (a full one, of the size goal, before it): tcp_write_xmit
     * sends one skb at a time, so no TSO packet crosses one.
     */
    private final SeqMarks skbStarts = new SeqMarks();
    /** Where the last PSH mark was set (tp->pushed_seq), for forced_push. */
    private int pushedSeq;
    /**
     * TCP_NAGLE_PUSH in tp->nonagle: set by TCP_NODELAY, and by un-corking a TCP_NODELAY socket, so
     * that what waits goes at once whatever the cork; cleared when a write starts a new skb (skb_entail).
     */
    private boolean naglePush;

    Sender(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** tcp_init_transfer's part: the send buffer grows to what the initial window needs, cwnd use from now. */
    void initTransfer() {
        if (t.options.sndBuf == 0) sndbufExpand();
        cwndUsageSeq = t.sndNxt;
        pushedSeq = t.sndNxt;
    }

    /**
     * TCP_NODELAY or TCP_CORK changed (__tcp_sock_set_nodelay, __tcp_sock_set_cork in net/ipv4/tcp.c),
     * already stored in {@code t.options}. Turning TCP_NODELAY on, or TCP_CORK off, calls
     * tcp_push_pending_frames, with TCP_NAGLE_PUSH set first when TCP_NODELAY is on: so TCP_NODELAY
     * flushes even a corked socket. Turning TCP_NODELAY off or TCP_CORK on only changes the bits.
     *
     * @param push whether Linux pushes here (TCP_NODELAY on, TCP_CORK off)
     */
    void nagleChanged(boolean push) {
        if (!push) return;
        if (t.options.noDelay) naglePush = true;
        output();
    }

    /**
     * Appends data to the send buffer and sends what the windows allow (tcp_sendmsg_locked), in a
     * synchronized state that takes data.
     *
     * @return bytes taken (0 when the buffer is full)
     */
    int send(byte[] data, int off, int len) { return send(data, off, len, 0); }

    /**
     * As {@link #send(byte[], int, int)}, with tcp_sendmsg's flags. {@link TcpConnection#MSG_MORE}:
     * tcp_push neither marks the write's end PSH (unless forced_push: half the largest window was
     * written since the last mark) nor sends a partial segment (TCP_NAGLE_CORK for this call only; an
     * ACK or a timer later pushes with the socket's own Nagle setting). {@link TcpConnection#MSG_EOR}:
     * the write's last skb takes no more data (TCP_SKB_CB(skb)->eor), the next write starts a new one.
     */
    int send(byte[] data, int off, int len, int msgFlags) {
        boolean more = (msgFlags & TcpConnection.MSG_MORE) != 0;
        // tcp_sendmsg_locked: bytes go into the unsent skb at the tail up to size_goal without looking at
        // sk_sndbuf; a new skb is started only while the queue is below sk_sndbuf (sk_stream_memory_free).
        // So the queue may pass sk_sndbuf by up to one skb, as Linux's does. An skb split by the sender
        // (tso_fragment at the congestion window) leaves its unsent rest as the tail: it starts at SND.NXT.
        int n = 0;
        int goal = sizeGoal();
        while (n < len) {
            int end = t.sndBufSeq + t.sendBuf.length();
            int tailStart = Seq.gt(t.sndNxt, tailSkbSeq) ? t.sndNxt : tailSkbSeq;
            int tailLen = Math.max(0, Seq.diff(end, tailStart));
            int room = tailLen > 0 ? goal - tailLen : 0;
            if (room <= 0) {
                // sk_stream_memory_free: below sk_sndbuf, and the unsent bytes below TCP_NOTSENT_LOWAT.
                if (t.sendBuf.length() >= t.sndBuf || !notsentBelowLowat(0)) break;
                // tcp_add_write_queue_tail: an skb queued on an empty write queue starts the BUSY chronograph.
                if (t.unsentBytes() == 0) t.chrono.start(Chrono.BUSY, t.sched.nowNs());
                tailSkbSeq = end;
                // Marks SND.NXT has passed are spent: it never goes back once synchronized (before that,
                // a Fast Open SYN's data is sent again from ISS + 1 when the SYN-ACK does not cover it).
                if (t.state.isSynchronized()) skbStarts.dropThrough(t.sndNxt);
                skbStarts.add(end);
                room = goal;
                naglePush = false; // skb_entail
            } else if (n == 0) {
                // tcp_sendmsg_locked: "if (!copied) TCP_SKB_CB(skb)->tcp_flags &= ~TCPHDR_PSH": a write
                // that adds to the unsent tail skb takes away the PSH an earlier write's end put there.
                pushMarks.removeLast(end);
            }
            int want = Math.min(room, len - n);
            if (!wmemSchedule(want)) break; // sk_wmem_schedule failed: wait_for_space
            if (t.sendBuf.free() < want) t.sendBuf.resize(Math.max(t.sendBuf.capacity() * 2, t.sendBuf.length() + want));
            n += t.sendBuf.write(data, off + n, want);
            // A full skb with more to come: tcp_push_one / __tcp_push_pending_frames send what the
            // windows allow now, which also decides where the next tail skb starts. tcp_sendmsg_locked:
            // "if (forced_push(tp)) { tcp_mark_push(tp, skb); __tcp_push_pending_frames(sk, mss_now,
            // TCP_NAGLE_PUSH); }": once half the largest window was written since the last mark, the
            // full skb ends with PSH (measured on Linux 6.18: packetdrill's cubic-rto-ss-ca-cwnd-bump,
            // a 200000-byte write at max_window 32896, sends `P. 19001:20001(1000)` mid-write, the end of
            // the skb that filled past 2001 + 16448).
            if (want == room && n < len) {
                int skbEnd = t.sndBufSeq + t.sendBuf.length();
                if (Seq.gt(skbEnd, pushedSeq + (t.maxSndWnd >>> 1))) {
                    markPush(skbEnd);
                    output(CWND, null, TCP_NAGLE_PUSH);
                } else {
                    output();
                }
            }
        }
        if (n < len) {
            noSpace = true;
            t.chrono.start(Chrono.SNDBUF_LIMITED, t.sched.nowNs());
        }
        if (n > 0 && n < len) {
            // wait_for_space: "tcp_push(sk, flags & ~MSG_MORE, mss_now, TCP_NAGLE_PUSH, size_goal)"
            // before the writer sleeps (or returns, non-blocking) on a full buffer.
            markPush(t.sndBufSeq + t.sendBuf.length());
            output(CWND, null, TCP_NAGLE_PUSH);
        } else if (n > 0) {
            // tcp_sendmsg → tcp_push → tcp_mark_push: the segment holding the last byte of this write
            // carries PSH; with MSG_MORE only when forced_push, and the call's push corks (TCP_NAGLE_CORK).
            int writeSeq = t.sndBufSeq + t.sendBuf.length();
            if (!more || Seq.gt(writeSeq, pushedSeq + (t.maxSndWnd >>> 1))) markPush(writeSeq);
            if ((msgFlags & TcpConnection.MSG_EOR) != 0 && n == len) { // all of it taken: the skb's eor bit
                if (t.state.isSynchronized()) eorMarks.dropThrough(t.sndNxt); // as skbStarts above
                eorMarks.add(writeSeq);
                tailSkbSeq = writeSeq; // tcp_skb_can_collapse_to: the next write starts a new skb
            }
            output(CWND, null, more ? TCP_NAGLE_CORK : nonagle());
        }
        return n;
    }

    /** The pages the send queue has charged to the host's tcp_mem ({@link TcpMemory}). */
    private int wmemPages;

    int wmemPages() { return wmemPages; }

    /**
     * sk_wmem_schedule: pages for {@code bytes} more in the send queue. With both queues empty the charge
     * is forced (tcp_stream_alloc_skb: sk_forced_mem_schedule when tcp_rtx_and_write_queues_empty), else
     * asked of the host, which refuses over tcp_mem[2] (and under pressure past the socket's share).
     */
    private boolean wmemSchedule(int bytes) {
        int need = TcpMemory.pages((long) t.sendBuf.length() + bytes) - wmemPages;
        if (need <= 0) return true;
        TcpMemory mem = t.demux.mem;
        if (t.sendBuf.length() == 0) {
            mem.force(need);
        } else if (!mem.raiseSend(need, t.sendBuf.length(), wmemPages + c.rmem.chargedPages(), t.demux.connectionCount())) {
            return false;
        }
        wmemPages += need;
        return true;
    }

    /** Acknowledged data left the send queue (tcp_wmem_free_skb, sk_mem_reclaim): unneeded pages go back. */
    void wmemReclaim() {
        int want = TcpMemory.pages(t.sendBuf == null ? 0 : t.sendBuf.length());
        if (want < wmemPages) {
            t.demux.mem.reduce(wmemPages - want);
            wmemPages = want;
        }
    }

    /** The connection is gone: its send queue's pages go back. */
    void wmemRelease() {
        if (wmemPages > 0) t.demux.mem.reduce(wmemPages);
        wmemPages = 0;
    }

    /** tp->nonagle as the socket's options and the pending push make it. */
    private int nonagle() {
        return (t.options.noDelay ? TCP_NAGLE_OFF : 0) | (t.options.cork ? TCP_NAGLE_CORK : 0) | (naglePush ? TCP_NAGLE_PUSH : 0);
    }

    private void markPush(int endSeq) {
        pushedSeq = endSeq; // tcp_mark_push
        pushMarks.add(endSeq);
    }

    /**
     * sk_pacing_rate in bytes per second: ~0UL (unlimited) until {@link #updatePacingRate()} first runs.
     * synack does not pace (no fq qdisc, no internal pacing); the rate only sizes TSO packets
     * ({@link #tsoSegs()}).
     */
    private long pacingRate = Long.MAX_VALUE;

    /**
     * tcp_update_pacing_rate (net/ipv4/tcp_input.c): mss × max(cwnd, packets_out) / srtt, scaled by
     * tcp_pacing_ss_ratio while cwnd is below half ssthresh and by tcp_pacing_ca_ratio after; with no
     * RTT sample yet the division is skipped (so the rate is huge). Linux runs it at the end of
     * tcp_cong_control (every ACK that acknowledges something) and when SYN_RECV or SYN_SENT becomes
     * ESTABLISHED; the caller does the same.
     */
    void updatePacingRate() {
        long rate = (long) t.mss * ((1_000_000 / 100) << 3);
        rate *= t.cw.cwnd < t.cw.ssthresh / 2 ? t.cfg.tcpPacingSsRatio : t.cfg.tcpPacingCaRatio;
        rate *= Math.max(t.cw.cwnd, t.rtx.size());
        long srtt8 = t.rtt.srttUs8();
        if (srtt8 != 0) rate /= srtt8;
        pacingRate = rate;
    }

    /** sk_pacing_rate (bytes per second; Long.MAX_VALUE is Linux's ~0UL). */
    long pacingRate() { return pacingRate; }

    /**
     * tcp_tso_segs → tcp_tso_autosize (net/ipv4/tcp_output.c): how many segments one TSO/GSO packet may
     * hold: about 1 ms of the pacing rate (sk_pacing_rate &gt;&gt; sk_pacing_shift 10), plus gso_max_size
     * &gt;&gt; (min_rtt_us &gt;&gt; tcp_tso_rtt_log) on short paths, at most gso_max_size, at least
     * tcp_min_tso_segs. Measured on Linux 6.18 (packetdrill, CUBIC, a 20 ms handshake, MSS 1448): the
     * first flight goes in packets of 2896 bytes (the tcp_min_tso_segs floor); with tcp_min_tso_segs
     * 10, in packets of 14480.
     */
    int tsoSegs() {
        long bytes = pacingRate >> 10;
        long minRtt = t.rtt.minRttUs(); // Long.MAX_VALUE before a sample, as Linux's ~0U
        long r = minRtt >> t.cfg.tcpTsoRttLog;
        if (r < 32) bytes += GSO_MAX_SIZE >> r;
        bytes = Math.min(bytes, GSO_MAX_SIZE);
        long segs = Math.max(bytes / Math.max(t.mss, 1), t.cfg.tcpMinTsoSegs);
        return (int) Math.min(segs, 65535); // sk_gso_max_segs: GSO_MAX_SEGS
    }

    /**
     * tcp_cwnd_test (net/ipv4/tcp_output.c): how many segments the next TSO packet may carry under cwnd:
     * what cwnd leaves, but at most half cwnd ("ensure we have at least 2 GSO packets in flight").
     */
    private static int cwndQuota(int cwnd, int inFlight) {
        return Math.min(Math.max(cwnd >> 1, 1), cwnd - inFlight);
    }

    /**
     * Whether the segment after the {@code segLen} bytes about to go from SND.NXT would join their TSO
     * packet: there is one, it fits the send window, and if it is a short tail Nagle would not hold it
     * (tcp_mss_split_point cuts a packet short of the window and of a partial segment that
     * tcp_nagle_check holds back).
     */
    private boolean nextJoins(int segLen, int wndEnd, boolean finPending, int nonagle) {
        int nextStart = t.sndNxt + segLen;
        int unsentAfter = t.unsentBytes() - segLen;
        if (unsentAfter <= 0) return false;
        if (eorMarks.nextAfter(t.sndNxt, nextStart + 1) == nextStart) return false; // an MSG_EOR skb ends here
        if (skbStarts.nextAfter(t.sndNxt, nextStart + 1) == nextStart) return false; // the next skb starts here
        int nextLen = Math.min(unsentAfter, t.mss);
        if (Seq.gt(nextStart + nextLen, wndEnd)) return false;
        if (nextLen < t.mss) return nagleAllows(true, finPending && nextLen == unsentAfter ? FIN : 0, nonagle);
        return true;
    }

    /** Whether a write ended inside [start, end): then the segment gets PSH. Consumes the marks it passes. */
    private boolean pushWithin(int start, int end) { return pushMarks.takeWithin(start, end); }

    /** {@code len} bytes from SND.NXT, or fewer: up to the end of an MSG_EOR write. */
    private int cutAtEor(int len) {
        int eor = eorMarks.nextAfter(t.sndNxt, t.sndNxt + len);
        return Seq.lt(eor, t.sndNxt + len) ? Seq.diff(eor, t.sndNxt) : len;
    }

    /** Whether send() would take at least one byte now (POLLOUT). */
    boolean writable() {
        if (t.error != null || t.sendShutdown) return true; // the call would fail at once
        if (!t.established()) return false;
        // __sk_stream_is_writeable (include/net/sock.h): below sk_sndbuf and free space at least half of
        // what is queued (sk_stream_min_wspace); tcp_poll and sk_stream_write_space use the same test.
        int queued = t.sendBuf.length();
        return queued < t.sndBuf && t.sndBuf - queued >= queued >> 1 && notsentBelowLowat(1);
    }

    /**
     * tcp_stream_memory_free (net/ipv4/tcp.c): whether the unsent bytes, doubled when a writer is to be
     * woken ({@code wake} 1: poll, sk_stream_write_space), are below tcp_notsent_lowat(tp), the socket's
     * TCP_NOTSENT_LOWAT or else the sysctl.
     */
    boolean notsentBelowLowat(int wake) {
        int lowat = t.options.notsentLowat != 0 ? t.options.notsentLowat : t.cfg.tcpNotsentLowat;
        return ((long) Math.max(0, t.unsentBytes()) << wake) < Integer.toUnsignedLong(lowat);
    }

    /**
     * tcp_sndbuf_expand (net/ipv4/tcp_input.c): room for twice max(cwnd, TCP_INIT_CWND, reordering + 1)
     * segments at the worst-case truesize per MSS, roundup_pow_of_two(MSS + MAX_TCP_HEADER + shinfo) +
     * sk_buff (4352 for MSS 1460: 87040 bytes at cwnd 10), capped at tcp_wmem[2]; it only grows. The
     * result is used as a payload limit as it stands (see {@link Tcb#sndBuf}). The worst-case MSS is
     * the peer's (tp->rx_opt.mss_clamp).
     */
    private void sndbufExpand() {
        int perMss = Math.max(t.peerMss, t.mss) + MAX_TCP_HEADER + SKB_SHINFO;
        perMss = Integer.highestOneBit(perMss - 1) << 1; // roundup_pow_of_two
        perMss += SKB_STRUCT;
        int nrSegs = Math.max(Math.max(TCP_INIT_CWND, t.cw.cwnd), c.sacks.reordering() + 1);
        long sndmem = 2L * nrSegs * perMss; // CUBIC and Reno have no sndbuf_expand op: factor 2
        if (t.sndBuf < sndmem) t.sndBuf = (int) Math.min(sndmem, t.cfg.tcpWmem[2]);
    }

    /**
     * tcp_check_space → tcp_new_space (net/ipv4/tcp_input.c), after an ACK was processed and the queue
     * pushed: if a writer ran out of room, grow the buffer unless SO_SNDBUF locked it or the congestion
     * window is full (tcp_should_expand_sndbuf), and wake the writer when there is room
     * (sk_stream_write_space).
     */
    void checkSpace() {
        if (!noSpace) return;
        // tcp_should_expand_sndbuf: not under memory pressure, nor once tcp_mem[0] is reached.
        TcpMemory mem = t.demux.mem;
        if (t.options.sndBuf == 0 && c.rec.packetsInFlight() < t.cw.cwnd && !mem.underPressure()
                && mem.allocatedPages() < t.cfg.tcpMem[0]) {
            sndbufExpand();
        }
        if (writable()) {
            noSpace = false;
            // tcp_check_space: SOCK_NOSPACE cleared, tcp_chrono_stop(sk, TCP_CHRONO_SNDBUF_LIMITED).
            t.chrono.stop(Chrono.SNDBUF_LIMITED, t.rtx.isEmpty() && t.unsentBytes() == 0, t.sched.nowNs());
            c.life.notifyApp();
        }
    }

    /**
     * tcp_xmit_size_goal (net/ipv4/tcp.c): how large tcp_sendmsg builds an skb: the socket's GSO size
     * (gso_max_size less MAX_TCP_HEADER + 1, sk_setup_caps) bounded to half the largest window the peer
     * offered (tcp_bound_to_half_wnd), in whole MSS.
     */
    private int sizeGoal() {
        int pkt = GSO_MAX_SIZE - (MAX_TCP_HEADER + 1);
        int cutoff = t.maxSndWnd > Tcb.TCP_MSS_DEFAULT ? t.maxSndWnd >>> 1 : t.maxSndWnd;
        if (cutoff > 0 && pkt > cutoff) {
            pkt = Math.max(cutoff, TCP_MIN_PACKET - TcpHeader.HEADER_LEN - (t.tsOk ? Tcb.TCPOLEN_TSTAMP_ALIGNED : 0));
        }
        int m = Math.max(t.mss, 1);
        return Math.max(pkt / m * m, m);
    }

    /** tcp_push_pending_frames: send what the windows and cwnd allow. */
    void output() { output(CWND, null, nonagle()); }

    /**
     * tcp_send_loss_probe's tcp_write_xmit with push_one = 2: at most one segment, sent whatever cwnd
     * says (the tail loss probe of new data).
     *
     * @return whether a segment went
     */
    boolean outputOneSegment() {
        int prior = t.sndNxt;
        // tcp_send_loss_probe: tcp_write_xmit(sk, mss, TCP_NAGLE_OFF, 2, ...): neither Nagle nor a cork
        // holds the probe's new data back.
        output(c.rec.packetsInFlight() + 1, SendReason.TLP_NEW_DATA, TCP_NAGLE_OFF);
        return t.sndNxt != prior;
    }

    /**
     * tcp_write_xmit: retransmit what is marked lost, then send new data while the send window, cwnd,
     * Nagle and SWS avoidance allow; a FIN goes with (or after) the last byte.
     *
     * @param cwndLimit {@link #CWND} to be bound by cwnd, or the in-flight count to stop at instead
     *     (one more than in flight: one segment past cwnd, tcp_write_xmit's push_one = 2)
     * @param newDataWhy why new data goes when a timer sends it (the loss probe), or null: then each
     *     segment says what let it go (a full segment, Nagle, TCP_NODELAY, the FIN, F-RTO)
     * @param nonagle tcp_write_xmit's nonagle: {@link #TCP_NAGLE_OFF}, {@link #TCP_NAGLE_CORK} and
     *     {@link #TCP_NAGLE_PUSH} bits
     */
    private void output(int cwndLimit, SendReason newDataWhy, int nonagle) {
        if (t.state == TcpState.CLOSE || t.state == TcpState.SYN_SENT || t.state == TcpState.SYN_RECV && t.fastOpenListener == null
                || t.state == TcpState.TIME_WAIT || t.state == TcpState.LISTEN) {
            return; // a Fast Open child sends from SYN_RECV (RFC 7413 §4.2.2)
        }
        long nowNs = t.sched.nowNs();
        if (cwndLimit == CWND) restartAfterIdle(nowNs);
        int cwnd = cwndLimit == CWND ? t.cw.cwnd : cwndLimit;
        boolean sentSomething = false;
        // Retransmissions first (tcp_xmit_recovery → tcp_xmit_retransmit_queue), except in F-RTO's
        // step 2b, where new data goes first and retransmissions only if none could be sent.
        boolean newFirst = c.rec.takeNewDataFirst();
        if (!newFirst) sentSomething = xmitRetransmitQueue(nowNs, cwnd);
        else if (newDataWhy == null) newDataWhy = SendReason.FRTO_NEW_DATA;
        // New data.
        // tcp_wnd_end: snd_una + snd_wnd, where a Fast Open child's snd_una is ISS + 1 from the start (its
        // SYN-ACK is not in the write queue).
        int wndEnd = (t.fastOpenListener != null && t.state == TcpState.SYN_RECV ? t.iss + 1 : t.sndUna) + t.sndWnd;
        int burstSegments = 0;
        // A Fast Open child's SYN-ACK is in synack's retransmission queue but not in Linux's packets_out
        // (the request socket sent it): it takes no room in cwnd (Linux 6.18 sends a 15000-byte write
        // from such a child as two 5000-byte packets at cwnd 10; packetdrill's opt34/simple3).
        int synAckOut = t.fastOpenListener != null && t.state == TcpState.SYN_RECV && !t.rtx.isEmpty()
                && (t.rtx.bits(0) & RetransmitQueue.F_SYN) != 0 ? 1 : 0;
        // The TSO packet being built (tcp_write_xmit sends one skb, cut by tso_fragment, per round):
        // segments it may still take, and segments it has.
        int chunkLeft = 0, chunkSegs = 0;
        boolean rwndLimited = false;
        while (true) {
            int unsent = t.unsentBytes();
            boolean finPending = t.finQueued && !t.finSent;
            if (unsent <= 0 && !finPending) break;
            boolean chunkEnds = true, skbPsh = false;
            int segLen = cutAtEor(Math.min(unsent, t.mss));
            boolean eorCut = segLen < Math.min(unsent, t.mss);
            boolean last = segLen == unsent;
            int flags = ACK;
            if (finPending && last) flags |= FIN;
            if (segLen > 0) {
                // tcp_snd_wnd_test: the whole segment must fit the window.
                if (Seq.gt(t.sndNxt + segLen, wndEnd)) {
                    rwndLimited = true;
                    break;
                }
                // tcp_cwnd_test: "don't be strict about the congestion window for the final FIN" — an
                // skb of one segment carrying the FIN goes whatever cwnd says.
                if ((flags & FIN) == 0 && c.rec.packetsInFlight() - synAckOut >= cwnd) {
                    t.cw.cwndLimited = true;
                    break;
                }
                // Nagle, except for an skb that is not the last (tcp_write_xmit tests those with
                // TCP_NAGLE_PUSH): here a segment cut short by an MSG_EOR record with data behind it.
                if (segLen < t.mss && !eorCut && !nagleAllows(last, flags, nonagle)) break;
                if (chunkLeft == 0) {
                    // tcp_write_xmit: the next packet carries at most tcp_tso_segs segments and what
                    // tcp_cwnd_test allows (tcp_mss_split_point; the FIN's cwnd exception sends one).
                    chunkLeft = Math.max(1, Math.min(cwndQuota(cwnd, c.rec.packetsInFlight() - synAckOut), tsoSegs()));
                    chunkSegs = 0;
                }
                // A write's end (PSH, tcp_mark_push) ends its skb; no packet crosses an skb boundary.
                boolean endsSkb = pushWithin(t.sndNxt, t.sndNxt + segLen);
                skbPsh = endsSkb;
                chunkEnds = chunkLeft <= 1 || endsSkb || eorCut || last || !nextJoins(segLen, wndEnd, finPending, nonagle);
                // PSH as measured on Linux 6.18 (packetdrill against the kernel, CUBIC): every TSO
                // packet of two or more segments carries PSH — e.g. send(2000, MSG_MORE) at MSS 1000
                // leaves as `P. 1:2001(2000)`, and a 10000-byte write at cwnd 7 as `P.` 2000 ×3 then
                // `.` 1000 — while a one-segment packet carries it only when it ends a write (the
                // skb's TCPHDR_PSH): send(1000, MSG_MORE) leaves as `. 1:1001(1000)`. GSO copies the
                // header's PSH to the last segment it cuts, so on a wire without TSO it is the last
                // segment of each packet that has it.
                if (chunkEnds && (chunkSegs > 0 || endsSkb)) flags |= PSH;
            }
            // A bare FIN (tcp_send_fin queues it as its own one-segment skb) passes tcp_cwnd_test too.
            // tcp_write_xmit: "if (unlikely(tcp_transmit_skb(sk, skb, 1, gfp))) break;" — a segment that
            // did not leave stays unsent: refused by the local queue (local congestion), or no route
            // (the interface is down: ip_queue_xmit's -EHOSTUNREACH). Nothing joins the retransmission
            // queue, so no loss probe or RTO is armed; tcp_check_probe_timer arms the probe timer below,
            // which retries through tcp_write_wakeup and gives up after tcp_retries2 probes.
            SendReason why = newDataWhy != null ? newDataWhy
                    : (flags & FIN) != 0 ? SendReason.FIN
                    : segLen >= t.mss ? SendReason.NEW_DATA
                    : (nonagle & (TCP_NAGLE_OFF | TCP_NAGLE_PUSH)) != 0 ? SendReason.NEW_DATA_NODELAY
                    : SendReason.NEW_DATA_NAGLE; // tcp_nagle_check
            if (c.out.emit(t.sndNxt, flags, segLen, why, 0) != 0) break;
            newDataSent(segLen, flags, skbPsh, chunkEnds, nowNs);
            sentSomething = true;
            burstSegments++;
            if (segLen > 0) {
                chunkSegs++;
                chunkLeft = chunkEnds ? 0 : chunkLeft - 1;
            }
            // tcp_write_xmit: "if (tcp_in_cwnd_reduction(sk)) tp->prr_out += sent_pkts" (RFC 6937 §3:
            // prr_out counts all data sent during recovery, new data as well as retransmissions).
            c.rec.onSent();
            if ((flags & FIN) != 0) break;
        }
        if (newFirst && !c.rec.frtoSentNewData()) sentSomething |= xmitRetransmitQueue(nowNs, cwnd);
        // tcp_write_xmit: the RWND_LIMITED chronograph runs while the send window holds data back.
        if (rwndLimited) t.chrono.start(Chrono.RWND_LIMITED, nowNs);
        else t.chrono.stop(Chrono.RWND_LIMITED, t.rtx.isEmpty() && t.unsentBytes() == 0, nowNs);
        if (sentSomething) {
            cwndValidate(cwnd);
            t.lastSendNs = nowNs;
            c.timers.afterTransmit(burstSegments > 0, nowNs);
        } else if (t.rtx.isEmpty() && t.unsentBytes() > 0) {
            c.timers.checkProbeTimer();
        }
    }

    /**
     * tcp_event_new_data_sent: a segment of new data (or a FIN) left: it joins the retransmission
     * queue and SND.NXT moves past it.
     */
    private void newDataSent(int segLen, int flags, boolean skbPsh, boolean packetEnds, long nowNs) {
        int seqLen = segLen + ((flags & FIN) != 0 ? 1 : 0);
        // The retransmission queue keeps the skb's own PSH (a write's end), which a retransmission sent
        // alone carries; the PSH a multi-segment TSO packet showed is not the skb's (measured: Linux 6.18
        // retransmits 1001:2001, the end of the first flight's `P.` 1:2001, as `.`).
        t.rtx.add(t.sndNxt, t.sndNxt + seqLen, ((flags & FIN) != 0 ? RetransmitQueue.F_FIN : 0)
                | (skbPsh ? RetransmitQueue.F_PSH : 0) | (packetEnds ? RetransmitQueue.F_PKT_END : 0), nowNs);
        if (segLen < t.mss && segLen > 0) t.sndSml = t.sndNxt + segLen;
        if ((flags & FIN) != 0) {
            t.finSent = true;
            t.finSeq = t.sndNxt + segLen;
        }
        t.sndNxt += seqLen;
    }

    /** Slow start after idle (RFC 5681 §4.1, tcp_cwnd_restart): cwnd halves per RTO of idleness. */
    private void restartAfterIdle(long nowNs) {
        if (!t.cfg.tcpSlowStartAfterIdle || !t.rtx.isEmpty() || t.lastSendNs <= 0 || !c.rec.isOpen()) return;
        long idle = nowNs - t.lastSendNs;
        long rtoNs = t.rtoUs * 1000;
        if (idle > rtoNs) {
            int restart = Math.min(t.cfg.initCwnd, t.cw.cwnd);
            int cwnd = t.cw.cwnd;
            while ((idle -= rtoNs) > 0 && cwnd > restart) cwnd >>= 1;
            t.cw.cwnd = Math.max(cwnd, restart);
        }
    }

    /**
     * Nagle's algorithm (RFC 9293 §3.7.4, RFC 1122 §4.2.3.4) as Linux's tcp_nagle_test and
     * tcp_nagle_check with Minshall's variant: a small segment may go if TCP_NAGLE_PUSH is set or it
     * carries a FIN; else not while corked (TCP_CORK, MSG_MORE); else if TCP_NODELAY is set or no
     * earlier small segment is still unacknowledged. Corked data is held with no time limit of its own
     * (Linux has none, whatever tcp(7) says of 200 ms): when nothing is in flight the zero-window probe
     * timer (tcp_check_probe_timer, max(RTO, 200 ms)) sends the head as a probe (tcp_write_wakeup).
     */
    private boolean nagleAllows(boolean last, int flags, int nonagle) {
        if (!last) return false; // a small segment that is not the tail waits for more data
        if ((nonagle & TCP_NAGLE_PUSH) != 0 || (flags & FIN) != 0) return true;
        if ((nonagle & TCP_NAGLE_CORK) != 0) return false;
        if ((nonagle & TCP_NAGLE_OFF) != 0) return true;
        // A Fast Open child's SYN-ACK is not in Linux's write queue (snd_una = ISS + 1 from the start), so it
        // does not hold back the first small segment.
        int una = t.fastOpenListener != null && t.state == TcpState.SYN_RECV ? t.iss + 1 : t.sndUna;
        return !(t.rtx.size() > 0 && Seq.gt(t.sndSml, una));
    }

    /** tcp_cwnd_validate. */
    private void cwndValidate(int cwnd) {
        int out = t.rtx.size();
        boolean limited = c.rec.packetsInFlight() >= cwnd;
        if (!Seq.lt(t.sndUna, cwndUsageSeq) || limited || (!t.cw.cwndLimited && out > t.cw.maxPacketsOut)) {
            t.cw.cwndLimited = limited;
            t.cw.maxPacketsOut = out;
            cwndUsageSeq = t.sndNxt;
        }
    }

    /** tcp_xmit_retransmit_queue, bound by cwnd (RACK's reordering timer and recovery call it). */
    boolean xmitRetransmitQueue(long nowNs) { return xmitRetransmitQueue(nowNs, t.cw.cwnd); }

    /**
     * tcp_xmit_retransmit_queue: resend the segments marked lost and not yet retransmitted, oldest
     * first, while cwnd allows. Retransmitting the oldest segment restarts the RTO, unless RACK's
     * reordering timer is pending.
     *
     * @return whether anything was sent
     */
    private boolean xmitRetransmitQueue(long nowNs, int cwnd) {
        if (t.rtx.lostOut <= t.rtx.retransOut && !c.rec.inLoss()) return false;
        boolean sent = false;
        // Only the entries waiting for a retransmission, in sequence order (Linux starts from
        // retransmit_skb_hint for the same reason): what lies between them changes nothing here.
        int packetSegs = 0; // segments of the retransmitted packet already sent
        for (int i = t.rtx.firstPending(); i >= 0; i = t.rtx.nextPending(i)) {
            if (c.rec.packetsInFlight() >= cwnd) break;
            int bits = t.rtx.bits(i);
            SendReason why = lostWhy(bits);
            // tcp_retransmit_skb sends a lost skb as one packet, as much of it as cwnd allows: the
            // segments of one original TSO packet, all waiting, in a row. Such a packet of two or more
            // segments carries PSH, as a new one does (measured: Linux 6.18 retransmits 17521:20441, two
            // segments cut out of a PSH skb by SACK blocks, as `P.`; packetdrill's
            // sack-route-refresh-ip-tos, which Linux passes).
            int next = t.rtx.nextPending(i);
            boolean continues = (bits & (RetransmitQueue.F_PKT_END | RetransmitQueue.F_FIN)) == 0 && next == i + 1
                    && t.rtx.start(next) == t.rtx.end(i) && c.rec.packetsInFlight() + 1 < cwnd;
            int psh = continues ? 0 : packetSegs > 0 || (bits & RetransmitQueue.F_PSH) != 0 ? PSH : 0;
            packetSegs = continues ? packetSegs + 1 : 0;
            if (!retransmit(i, nowNs, why, why == SendReason.FAST_RETRANSMIT ? c.rec.dupAcks() : 0, psh)) break; // local congestion: try again later
            t.stats.inc(c.rec.inLoss() ? Counter.TcpExtTCPSlowStartRetrans : Counter.TcpExtTCPFastRetrans);
            c.rec.onSent();
            if (i == 0) c.timers.headRetransmitted();
            sent = true;
        }
        return sent;
    }

    /** Why a segment marked lost is retransmitted: what marked it ({@link RetransmitQueue#lostCause}). */
    private static SendReason lostWhy(int bits) {
        return switch (bits & RetransmitQueue.CAUSE_MASK) {
            case RetransmitQueue.LOST_BY_RACK -> SendReason.RACK_LOST;
            case RetransmitQueue.LOST_BY_REO_TIMER -> SendReason.RACK_REO_TIMEOUT;
            case RetransmitQueue.LOST_BY_DUPACKS -> SendReason.FAST_RETRANSMIT;
            case RetransmitQueue.LOST_BY_PARTIAL_ACK -> SendReason.PARTIAL_ACK;
            case RetransmitQueue.LOST_BY_SACK -> SendReason.SACK_LOST;
            default -> SendReason.LOSS_RETRANSMIT; // LOST_BY_RTO: tcp_timeout_mark_lost
        };
    }

    /**
     * tcp_retransmit_skb: resend entry i. The first retransmission of an episode stamps retrans_stamp
     * (the write timeout and Eifel undo count from it), and each one is a retransmission that a D-SACK
     * must cover before the reduction can be undone (undo_retrans).
     *
     * @param why why it goes again ({@code n} its number)
     * @return whether it left (false: the local queue refused it)
     */
    boolean retransmit(int i, long nowNs, SendReason why, int n) {
        return retransmit(i, nowNs, why, n, (t.rtx.bits(i) & RetransmitQueue.F_PSH) != 0 ? PSH : 0);
    }

    /** As {@link #retransmit(int, long, SendReason, int)}, with PSH or not ({@code psh} 0 or PSH). */
    private boolean retransmit(int i, long nowNs, SendReason why, int n, int psh) {
        int bits = t.rtx.bits(i);
        long firstSentNs = t.rtx.sentNs(i);
        int err;
        if ((bits & RetransmitQueue.F_SYN) != 0) {
            if (t.state == TcpState.SYN_SENT) c.ecn.synRetransmitted(); // tcp_ecn_clear_syn (tcp_ecn_fallback)
            err = t.state == TcpState.SYN_SENT ? c.out.sendSyn(why, n) : c.out.sendSynAck(why, n);
        } else {
            err = resend(i, why, n, psh);
        }
        // __tcp_retransmit_skb counts the attempt; only a retransmission that left is in flight
        // (TCPCB_RETRANS, retrans_out) and restamped. EVER_RETRANS is set either way, so no RTT sample
        // comes from a transmit that never happened.
        if (err > 0) {
            t.rtx.setEverRetrans(i);
            t.stats.inc(Counter.TcpExtTCPRetransFail);
        } else {
            t.rtx.retransmitted(i, nowNs);
        }
        t.totalRetrans++;
        t.stats.inc(Counter.TcpRetransSegs);
        // "Save stamp of the first (attempted) retransmit." For a SYN it is the SYN's first transmission
        // (tcp_connect sets retrans_stamp; tcp_retransmit_skb keeps it), which tcp_write_timeout's model
        // counts from: measured, a SYN with tcp_syn_retries 2 times out 7 s after the first SYN.
        // (0 means "not set", so a SYN sent at virtual time 0 is stamped 1 ns later.)
        if (t.retransStampNs == 0) t.retransStampNs = (bits & RetransmitQueue.F_SYN) != 0 ? Math.max(1, firstSentNs) : nowNs;
        c.rec.onRetransmitted();
        return err <= 0;
    }

    /**
     * __tcp_retransmit_skb's transmission of entry i (data or FIN): the segment again, with the flags
     * it was sent with (a bare FIN has no PSH), for {@code why}.
     *
     * @return as {@link SegmentWriter#emit}
     */
    int resend(int i, SendReason why, int n) { return resend(i, why, n, (t.rtx.bits(i) & RetransmitQueue.F_PSH) != 0 ? PSH : 0); }

    private int resend(int i, SendReason why, int n, int psh) {
        int s = t.rtx.start(i), e = t.rtx.end(i);
        int bits = t.rtx.bits(i);
        int fin = (bits & RetransmitQueue.F_FIN) != 0 ? 1 : 0;
        int flags = ACK | (fin != 0 ? FIN : 0) | psh;
        return c.out.emit(s, flags, Seq.diff(e, s) - fin, why, n);
    }

    /**
     * tcp_write_wakeup: if the window has room, send what fits (up to one MSS); otherwise a probe with
     * an old sequence number, SND.UNA − 1, and no data (tcp_xmit_probe_skb), which the peer must answer
     * with an ACK.
     *
     * @return as {@link SegmentWriter#emit}
     */
    int writeWakeup(long nowNs) {
        int unsent = t.unsentBytes();
        int room = Seq.diff(t.sndUna + t.sndWnd, t.sndNxt);
        if (unsent > 0 && room > 0) {
            int len = cutAtEor(Math.min(Math.min(unsent, room), t.mss)); // the head skb at most
            pushWithin(t.sndNxt, t.sndNxt + len);
            if (Seq.gt(t.sndNxt + len, pushedSeq)) pushedSeq = t.sndNxt + len; // tcp_write_wakeup
            int err = c.out.emit(t.sndNxt, ACK | PSH, len, SendReason.WINDOW_PROBE_DATA, 0); // tcp_write_wakeup marks the probe's data PSH
            if (err != 0) return err; // tcp_write_wakeup: the data stays unsent unless it left (local queue, no route)
            t.rtx.add(t.sndNxt, t.sndNxt + len, RetransmitQueue.F_PSH, nowNs);
            t.sndNxt += len;
            t.lastSendNs = nowNs;
            return 0; // no TCPWinProbe: tcp_write_wakeup counts only tcp_xmit_probe_skb's probes (measured: 0)
        }
        t.stats.inc(Counter.TcpExtTCPWinProbe);
        return c.out.emit(t.sndUna - 1, ACK, 0, SendReason.ZERO_WINDOW_PROBE, t.probesOut + 1);
    }
}
