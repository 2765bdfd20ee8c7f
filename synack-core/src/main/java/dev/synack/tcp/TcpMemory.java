package dev.synack.tcp;

import dev.synack.stats.Counter;

/**
 * TCP's memory across one host (net/core/sock.c __sk_mem_raise_allocated / __sk_mem_reduce_allocated,
 * net/ipv4/tcp.c tcp_enter_memory_pressure, tcp_check_oom): the pages TCP sockets have charged
 * (tcp_memory_allocated) against {@code tcp_mem}'s three limits, the memory-pressure state, and the
 * number of orphaned sockets against {@code tcp_max_orphans}.
 *
 * <ul>
 *   <li>Above tcp_mem[1] the host is under memory pressure (TCPMemoryPressures counts each entry) until
 *       it falls below tcp_mem[0]: receive windows are held to four segments (tcp_adjust_rcv_ssthresh),
 *       buffers stop growing (tcp_clamp_window), and an out-of-order prune goes on past its goal.
 *   <li>Above tcp_mem[2] a socket's new charge is refused (sk_rmem_schedule fails): the segment makes
 *       room by pruning or is dropped. In between, under pressure, a socket holding less than
 *       tcp_rmem[0] is still served, and one holding no more than its fair share (tcp_mem[2] over the
 *       number of sockets).
 * </ul>
 *
 * <p>Charges are whole pages per socket (sk_mem_pages), raised as a socket needs them and given back
 * as it frees them. Linux's per-CPU reserve (SK_MEMORY_PCPU_RESERVE, up to 1 MB charged or held back
 * per CPU) and the 100 ms cache of the orphan count (tcp_orphan_cache) are not modelled: the count is
 * exact. The send queue is charged by its payload bytes (see {@link Tcb#sndBuf}), not truesize.
 */
public final class TcpMemory {
    /** PAGE_SIZE: tcp_mem counts pages. */
    static final int PAGE = 4096;
    /** SOCK_MIN_SNDBUF (include/net/sock.h): 2 × (2048 + sizeof(struct sk_buff)). */
    static final int SOCK_MIN_SNDBUF = 4608;

    private final TcpHost host;
    private long allocated;
    private boolean pressure;
    private int orphans;

    TcpMemory(TcpHost host) { this.host = host; }

    /** tcp_memory_allocated, in pages (the first field of /proc/net/sockstat's "TCP: ... mem"). */
    public long allocatedPages() { return allocated; }

    /** tcp_memory_pressure: the host is under TCP memory pressure. */
    public boolean underPressure() { return pressure; }

    /** The orphaned sockets (tcp_orphan_count: closed by the application, not yet gone). */
    public int orphans() { return orphans; }

    /** sk_mem_pages: whole pages for {@code bytes}. */
    static int pages(long bytes) { return (int) ((bytes + PAGE - 1) / PAGE); }

    /** Charges {@code pages} without a limit (sk_forced_mem_schedule; the fast path's queueing). */
    void force(int pages) {
        allocated += pages;
        if (allocated > host.config().tcpMem[1]) enterPressure();
    }

    /**
     * __sk_mem_raise_allocated for a receive charge of {@code pages} by a socket holding {@code rmem}
     * bytes and {@code socketPages} pages, with {@code sockets} TCP sockets on the host.
     *
     * @return whether the charge was made
     */
    boolean raise(int pages, long rmem, int socketPages, int sockets) {
        return raise(pages, rmem, host.config().tcpRmem[0], socketPages, sockets);
    }

    /**
     * The same for a send charge (SK_MEM_SEND): the guarantee under pressure is tcp_wmem[0] of queued
     * data ({@code wmem}: sk_wmem_queued).
     */
    boolean raiseSend(int pages, long wmem, int socketPages, int sockets) {
        return raise(pages, wmem, host.config().tcpWmem[0], socketPages, sockets);
    }

    private boolean raise(int pages, long held, int guaranteed, int socketPages, int sockets) {
        TcpConfig cfg = host.config();
        allocated += pages;
        if (allocated <= cfg.tcpMem[0]) {
            leavePressure();
            return true;
        }
        if (allocated > cfg.tcpMem[1]) enterPressure();
        if (allocated <= cfg.tcpMem[2]) {
            // "guarantee minimum buffer size under pressure"
            if (held < guaranteed) return true;
            if (!pressure) return true;
            // sk_has_memory_pressure: a socket within its fair share of tcp_mem[2] is served.
            if (cfg.tcpMem[2] > (long) Math.max(1, sockets) * (socketPages + pages)) return true;
        }
        allocated -= pages; // suppress_allocation
        return false;
    }

    /** __sk_mem_reduce_allocated: {@code pages} given back; pressure ends below tcp_mem[0]. */
    void reduce(int pages) {
        allocated -= pages;
        if (pressure && allocated < host.config().tcpMem[0]) leavePressure();
    }

    private void enterPressure() {
        // tcp_enter_memory_pressure: counted once per episode.
        if (!pressure) host.counters().inc(Counter.TcpExtTCPMemoryPressures);
        pressure = true;
    }

    private void leavePressure() { pressure = false; }

    void orphanAdded() { orphans++; }

    void orphanGone() { orphans--; }

    /**
     * tcp_check_oom (net/ipv4/tcp.c): too many orphans (tcp_too_many_orphans: the count, shifted left by
     * {@code shift} as tcp_out_of_resources penalises, above tcp_max_orphans — "too many orphaned
     * sockets") or out of socket memory (tcp_out_of_memory: more than SOCK_MIN_SNDBUF queued to send
     * while the host is above tcp_mem[2] — "out of memory -- consider tuning tcp_mem").
     */
    boolean checkOom(int shift, long wmemQueued) {
        TcpConfig cfg = host.config();
        boolean tooManyOrphans = ((long) orphans << shift) > cfg.tcpMaxOrphans;
        boolean outOfMemory = wmemQueued > SOCK_MIN_SNDBUF && allocated > cfg.tcpMem[2];
        return tooManyOrphans || outOfMemory;
    }

    /** The host forgot everything (a crash): nothing is charged, nothing orphaned. */
    void reset() {
        allocated = 0;
        pressure = false;
        orphans = 0;
    }
}
