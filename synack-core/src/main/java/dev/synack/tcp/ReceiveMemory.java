package dev.synack.tcp;

import dev.synack.stats.Counter;

/**
 * The receive side's memory as Linux charges it (net/ipv4/tcp_input.c): sk_rmem_alloc, the truesize of
 * every segment held in the receive queue and the out-of-order queue, checked against sk_rcvbuf when a
 * segment arrives (tcp_try_rmem_schedule, tcp_can_ingest) and, when over, made room for by
 * tcp_prune_queue: clamp the window (tcp_clamp_window), collapse queued runs into compact buffers
 * (tcp_collapse_ofo_queue, tcp_collapse), then drop out-of-order data from the highest sequence down
 * (tcp_prune_ofo_queue) — never for a segment that would itself land above it.
 *
 * <p>The data itself lives in the receive ring ({@link RingBuffer}, out-of-order bytes in place) and
 * the out-of-order map ({@link Assembler}) keeps ranges, not Linux's skbs. What this class keeps is the
 * charge: the truesize of each queue and how many buffers (skbs) and payload bytes it stands for, so a
 * range's share is proportional. That is exact while a queue's segments are alike (the measured cases
 * below); a queue of mixed sizes is charged at its average.
 *
 * <p>Measured on Linux 6.18 (packetdrill over TUN, SO_RCVBUF 8192 so sk_rcvbuf 16384, MSS 1000, no
 * timestamps; {@code ss -tm}, {@code nstat -az}): 100-byte out-of-order segments with holes between
 * them are charged 832 bytes each; the 21st (skmem r16640 + 100 &gt; 16384) is dropped without an ACK
 * (PruneCalled, RcvPruned, TCPOFODrop +1; rcv_ssthresh clamped to 2 · advmss = 2920); a lower one
 * then prunes the three highest (goal sk_rcvbuf / 8 = 2048: r 16640 → 14144, OfoPruned 1) and is ACKed
 * with its own SACK block only (tcp_sack_reset). Twenty contiguous ones are collapsed by the 21st into
 * one 4352-byte buffer (TCPRcvCollapsed 20, r 4352) whose room (3776 bytes of payload) takes the next
 * 17 at no charge (tcp_ooo_try_coalesce). Full-sized 1000-byte segments (2304 each) are not collapsed.
 */
final class ReceiveMemory {
    /** SKB_WITH_OVERHEAD(PAGE_SIZE) (include/linux/skbuff.h): the payload of one collapsed buffer, 3776. */
    static final int COLLAPSE_PAYLOAD = 4096 - 320;

    private final TcpConnection c;
    private final Tcb t;
    /** Truesize, buffers and payload bytes of the receive queue (in-order data not yet read). */
    private long rqTruesize;
    private int rqSkbs;
    /** Truesize, buffers and payload bytes charged for the out-of-order queue. */
    private long ofoTruesize;
    private int ofoSkbs;
    private long ofoLen;
    /** The room left in the highest collapsed out-of-order buffer and where it ends (tcp_ooo_try_coalesce). */
    private int tailRoom, tailEnd;
    /** The room left in the receive queue's collapsed tail buffer (tcp_try_coalesce into it). */
    private int rqTailRoom;
    /** The pages this socket has charged to the host's tcp_mem (sk_forward_alloc rounded up, in pages). */
    private int chargedPages;

    ReceiveMemory(TcpConnection c) {
        this.c = c;
        this.t = c.t;
    }

    /** The pages this socket's receive side has charged to the host. */
    int chargedPages() { return chargedPages; }

    /** sk_rmem_alloc: the truesize held by both queues. */
    long rmemAlloc() { return rqTruesize + ofoTruesize; }

    /** sk_rcvbuf: the receive ring's capacity. */
    private int rcvbuf() { return t.recvBuf.capacity(); }

    /**
     * The truesize of a segment of {@code len} payload bytes in an IP packet of {@code ipLen} bytes:
     * one buffer per segment ({@link Tcb#skbTruesize}), or aggregated segments charged at their
     * scaling ratio (see {@link TcpConfig#rxPerSegmentTruesize}).
     */
    int truesize(int len, int ipLen) {
        if (t.cfg.rxPerSegmentTruesize) return Tcb.skbTruesize(ipLen);
        return (int) (((long) len * 256 + Tcb.AGGREGATED_SCALING_RATIO - 1) / Tcb.AGGREGATED_SCALING_RATIO);
    }

    /**
     * tcp_can_ingest (Linux 6.16+): the segment's length, not its truesize, on top of what is held must
     * fit sk_rcvbuf ("we use skb-&gt;len to decide to accept or drop this packet, but sk-&gt;sk_rmem_alloc
     * is the sum of all skb-&gt;truesize").
     */
    private boolean canIngest(int len) { return rmemAlloc() + len <= rcvbuf(); }

    /**
     * tcp_try_rmem_schedule: room for a segment [seq, seq+len) of {@code truesize}, pruning when over.
     *
     * @return false: drop the segment
     */
    boolean schedule(int seq, int len, int truesize) {
        if (canIngest(len) && hostSchedule(truesize)) return true;
        if (pruneQueue(seq, len) < 0) return false;
        while (!hostSchedule(truesize)) {
            // sk_rmem_schedule still fails (tcp_mem's hard limit): prune out-of-order data until it does.
            if (!pruneOfo(seq, len)) return false;
        }
        return true;
    }

    /**
     * sk_rmem_schedule: the pages for {@code truesize} more, from the host's tcp_mem ({@link TcpMemory}).
     */
    private boolean hostSchedule(int truesize) {
        int need = TcpMemory.pages(rmemAlloc() + truesize) - chargedPages;
        if (need <= 0) return true;
        int socketPages = chargedPages + c.snd.wmemPages();
        if (!t.demux.mem.raise(need, rmemAlloc(), socketPages, t.demux.connectionCount())) return false;
        chargedPages += need;
        return true;
    }

    /**
     * The host's charge follows what is held: pages for a segment the fast path queued are forced
     * (sk_forced_mem_schedule: no limit), pages no longer needed go back (sk_mem_reclaim).
     */
    private void account() {
        int want = TcpMemory.pages(rmemAlloc());
        if (want > chargedPages) t.demux.mem.force(want - chargedPages);
        else if (want < chargedPages) t.demux.mem.reduce(chargedPages - want);
        chargedPages = want;
    }

    /** The connection is gone (tcp_done → inet_csk_destroy_sock): everything it held goes back. */
    void releaseAll() {
        rqTruesize = 0;
        rqSkbs = 0;
        rqTailRoom = 0;
        ofoCleared();
        account();
    }

    /** The in-order segment was queued (tcp_queue_rcv; measured: no coalescing over TUN, 832 per 100 bytes). */
    void queuedInOrder(int len, int truesize) {
        if (len <= rqTailRoom) {
            // tcp_queue_rcv → tcp_try_coalesce: it fits the room of the collapsed buffer at the queue's
            // tail, so it is copied there and its own buffer freed (measured: r unchanged).
            rqTailRoom -= len;
            return;
        }
        rqTailRoom = 0;
        rqTruesize += truesize;
        rqSkbs++;
        account();
    }

    /** An out-of-order segment [seq, seq+len) was queued (tcp_data_queue_ofo). */
    void queuedOutOfOrder(int seq, int len, int truesize) {
        ofoLen += len;
        if (tailRoom >= len && seq == tailEnd) {
            // tcp_ooo_try_coalesce: it fits the room of the collapsed buffer it extends; the skb is freed.
            tailRoom -= len;
            tailEnd += len;
            return;
        }
        tailRoom = 0;
        ofoTruesize += truesize;
        ofoSkbs++;
        account();
    }

    /**
     * In-order data reached out-of-order data (tcp_ofo_queue): {@code moved} bytes and, in proportion,
     * their buffers went from the out-of-order queue to the receive queue.
     */
    void ofoAdvanced(int moved, boolean ofoEmpty) {
        if (moved <= 0 && !ofoEmpty) return;
        long ts;
        int skbs;
        boolean coalesced = moved > 0 && moved <= rqTailRoom;
        if (ofoEmpty || ofoLen <= moved) {
            ts = ofoTruesize;
            skbs = ofoSkbs;
            ofoTruesize = 0;
            ofoSkbs = 0;
            ofoLen = 0;
            tailRoom = 0;
        } else {
            ts = ofoTruesize * moved / ofoLen;
            skbs = (int) ((long) ofoSkbs * moved / ofoLen);
            ofoTruesize -= ts;
            ofoSkbs -= skbs;
            ofoLen -= moved;
        }
        if (coalesced) {
            // tcp_ofo_queue hands each buffer to tcp_queue_rcv, which coalesces what fits the tail's room
            // (measured: a 100-byte out-of-order segment joined after a collapse freed its 832 bytes).
            rqTailRoom -= moved;
            account();
            return;
        }
        rqTailRoom = 0;
        rqTruesize += ts;
        rqSkbs += skbs;
    }

    /** The out-of-order queue was purged (tcp_fin, tcp_disconnect). */
    void ofoCleared() {
        ofoTruesize = 0;
        ofoSkbs = 0;
        ofoLen = 0;
        tailRoom = 0;
        account();
    }

    /** The application read {@code n} of the {@code held} bytes of the receive queue (skbs freed as read). */
    void read(int n, int held) {
        if (n >= held) {
            rqTruesize = 0;
            rqSkbs = 0;
            rqTailRoom = 0;
        } else {
            rqTruesize -= rqTruesize * n / held;
            rqSkbs -= (int) ((long) rqSkbs * n / held);
        }
        account();
    }

    /**
     * tcp_prune_queue: PruneCalled; the window clamped; the queues collapsed; then the out-of-order
     * queue pruned from the top; RcvPruned when even that leaves no room.
     *
     * @return 0 when the segment now fits, -1 when it must be dropped
     */
    private int pruneQueue(int seq, int len) {
        t.stats.inc(Counter.TcpExtPruneCalled);
        if (!canIngest(len)) clampWindow();
        else if (t.demux.mem.underPressure()) adjustRcvSsthresh();
        if (canIngest(len)) return 0;
        collapseOfo();
        collapseReceiveQueue();
        if (canIngest(len)) return 0;
        pruneOfo(seq, len);
        if (canIngest(len)) return 0;
        t.stats.inc(Counter.TcpExtRcvPruned);
        return -1;
    }

    /**
     * tcp_clamp_window: quick ACKs end; an unlocked buffer below tcp_rmem[2] grows to what is held;
     * still over, rcv_ssthresh falls to two segments (measured: 2920 with advmss 1460).
     */
    private void clampWindow() {
        c.delack.leaveQuickAckMode();
        int rmem2 = t.cfg.tcpRmem[2];
        long rmem = rmemAlloc();
        TcpMemory mem = t.demux.mem;
        if (rcvbuf() < rmem2 && t.options.rcvBuf == 0 && !mem.underPressure()
                && mem.allocatedPages() < t.cfg.tcpMem[0] && rmem > rcvbuf()) {
            // sk_rcvbuf = min(sk_rmem_alloc, tcp_rmem[2]). (Linux may also lower it by less than one
            // segment here, when rmem_alloc is just under sk_rcvbuf; the ring only grows.)
            t.recvBuf.resize((int) Math.min(rmem, rmem2));
        }
        if (rmem > rcvbuf()) {
            int advmss = t.advMss - (t.tsOk ? Tcb.TCPOLEN_TSTAMP_ALIGNED : 0);
            t.rcvSsthresh = Math.min(t.windowClamp, 2 * advmss);
        }
    }

    /**
     * tcp_adjust_rcv_ssthresh (include/net/tcp.h): under memory pressure the window is held to four
     * segments, rcv_ssthresh = min(rcv_ssthresh, 4 · advmss).
     */
    void adjustRcvSsthresh() {
        int advmss = t.advMss - (t.tsOk ? Tcb.TCPOLEN_TSTAMP_ALIGNED : 0);
        t.rcvSsthresh = Math.min(t.rcvSsthresh, 4 * advmss);
    }

    /**
     * The truesize of one buffer tcp_collapse allocates for {@code payload} bytes (alloc_skb: the payload
     * aligned, skb_shared_info, the small-head cache or a kmalloc size, the sk_buff): 4352 for a full
     * one (measured: 2000 bytes collapsed into r4352).
     */
    static int collapsedTruesize(int payload) {
        int data = ((payload + 63) & ~63) + 320;
        if (data <= Tcb.SKB_SMALL_HEAD_CACHE_SIZE) return Tcb.SKB_SMALL_HEAD_CACHE_SIZE + Tcb.SKB_STRUCT;
        int kmalloc = 1024;
        while (kmalloc < data) kmalloc <<= 1;
        return kmalloc + Tcb.SKB_STRUCT;
    }

    /** Truesize of {@code bytes} collapsed into buffers of {@link #COLLAPSE_PAYLOAD}. */
    private static long collapsedRun(long bytes) {
        long full = bytes / COLLAPSE_PAYLOAD;
        int rest = (int) (bytes % COLLAPSE_PAYLOAD);
        return full * collapsedTruesize(COLLAPSE_PAYLOAD) + (rest > 0 ? collapsedTruesize(rest) : 0);
    }

    /**
     * Whether buffers of this average truesize and length are worth collapsing (tcp_collapse: a buffer
     * whose window share is over its length: tcp_win_from_space(truesize) &gt; len). Full-sized segments
     * over TUN (1448 bytes in 2304, ratio 160/256) are not.
     */
    private boolean collapsible(long truesize, long len, int skbs) {
        if (skbs <= 0 || len <= 0) return false;
        return c.rwnd.winFromSpace((int) Math.min(Integer.MAX_VALUE, truesize / skbs)) > len / skbs;
    }

    /**
     * tcp_collapse_ofo_queue: each contiguous out-of-order run of more than one buffer (or of at least
     * a collapsed buffer's payload) is copied into compact buffers; single small buffers are left
     * ("Do not attempt collapsing tiny skbs"), and once those add up to an eighth of sk_rcvbuf the walk
     * stops. TCPRcvCollapsed counts the buffers freed.
     */
    private void collapseOfo() {
        Assembler ofo = t.ofo;
        if (ofo.isEmpty() || ofoLen <= 0 || !collapsible(ofoTruesize, ofoLen, ofoSkbs)) return;
        long newTruesize = 0, sumTiny = 0;
        int newSkbs = 0, collapsed = 0;
        long seen = 0;
        int n = ofo.rangeCount();
        for (int i = 0; i < n; i++) {
            long len = Integer.toUnsignedLong(ofo.endAt(i) - ofo.startAt(i));
            long ts = shareOf(ofoTruesize, seen + len) - shareOf(ofoTruesize, seen);
            int skbs = (int) (shareOf(ofoSkbs, seen + len) - shareOf(ofoSkbs, seen));
            seen += len;
            long packed = collapsedRun(len);
            if ((skbs > 1 || len >= COLLAPSE_PAYLOAD) && packed < ts) {
                newTruesize += packed;
                newSkbs += (int) ((len + COLLAPSE_PAYLOAD - 1) / COLLAPSE_PAYLOAD);
                collapsed += skbs;
                if (i == n - 1) {
                    tailEnd = ofo.endAt(i);
                    int rest = (int) (len % COLLAPSE_PAYLOAD);
                    tailRoom = rest == 0 ? 0 : COLLAPSE_PAYLOAD - rest;
                }
            } else {
                newTruesize += ts;
                newSkbs += skbs;
                if (skbs <= 1) {
                    sumTiny += ts;
                    if (sumTiny > rcvbuf() >> 3) {
                        // tcp_collapse_ofo_queue returns: the rest stays as it is.
                        for (int j = i + 1; j < n; j++) {
                            long l = Integer.toUnsignedLong(ofo.endAt(j) - ofo.startAt(j));
                            newTruesize += shareOf(ofoTruesize, seen + l) - shareOf(ofoTruesize, seen);
                            newSkbs += (int) (shareOf(ofoSkbs, seen + l) - shareOf(ofoSkbs, seen));
                            seen += l;
                        }
                        break;
                    }
                }
            }
        }
        if (collapsed == 0) return;
        ofoTruesize = newTruesize;
        ofoSkbs = newSkbs;
        t.stats.add(Counter.TcpExtTCPRcvCollapsed, collapsed);
        account();
    }

    /** {@code total}'s share of the first {@code bytes} of the out-of-order queue. */
    private long shareOf(long total, long bytes) {
        return ofoLen == 0 ? 0 : total * Math.min(bytes, ofoLen) / ofoLen;
    }

    /** tcp_collapse on the receive queue, from copied_seq to rcv_nxt: the unread data into compact buffers. */
    private void collapseReceiveQueue() {
        int held = t.recvBuf.length();
        if (held == 0 || rqSkbs <= 1 || !collapsible(rqTruesize, held, rqSkbs)) return;
        long packed = collapsedRun(held);
        if (packed >= rqTruesize) return;
        t.stats.add(Counter.TcpExtTCPRcvCollapsed, rqSkbs);
        rqTruesize = packed;
        rqSkbs = (held + COLLAPSE_PAYLOAD - 1) / COLLAPSE_PAYLOAD;
        int rest = held % COLLAPSE_PAYLOAD;
        rqTailRoom = rest == 0 ? 0 : COLLAPSE_PAYLOAD - rest;
        account();
    }

    /**
     * tcp_prune_ofo_queue: drop out-of-order buffers from the highest sequence down, an eighth of
     * sk_rcvbuf at a time, until the segment fits (and the host is not under memory pressure); never
     * when the arriving segment would itself be the highest ("If incoming skb would land last in ofo
     * queue, stop pruning"). OfoPruned, and the SACK state is reset (tcp_sack_reset): later ACKs report
     * only what arrives after.
     */
    private boolean pruneOfo(int seq, int len) {
        Assembler ofo = t.ofo;
        if (ofo.isEmpty() || ofoSkbs <= 0) return false;
        long goal = rcvbuf() >> 3;
        boolean pruned = false;
        while (!ofo.isEmpty() && ofoSkbs > 0) {
            int top = ofo.rangeCount() - 1;
            int end = ofo.endAt(top);
            int unit = (int) Math.max(1, (ofoLen + ofoSkbs - 1) / ofoSkbs);
            int topSkbStart = Seq.max(ofo.startAt(top), end - unit);
            if (Seq.gt(seq, topSkbStart)) break;
            int n = ofo.trimHighest(unit);
            long freed = ofoSkbs == 1 ? ofoTruesize : ofoTruesize / ofoSkbs;
            ofoTruesize -= freed;
            ofoSkbs--;
            ofoLen = Math.max(0, ofoLen - n);
            tailRoom = 0;
            goal -= freed;
            pruned = true;
            if (ofo.isEmpty() || goal <= 0) {
                if (canIngest(len) && !t.demux.mem.underPressure()) break;
                goal = rcvbuf() >> 3;
            }
        }
        if (ofo.isEmpty()) ofoCleared();
        account();
        if (pruned) {
            t.stats.inc(Counter.TcpExtOfoPruned);
            if (t.sackOk) {
                ofo.resetSack();
                t.dsackPending = false;
            }
        }
        return pruned;
    }
}
