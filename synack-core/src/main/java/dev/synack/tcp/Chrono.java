package dev.synack.tcp;

/**
 * Linux's TCP chronographs (tcp_chrono_start / tcp_chrono_stop / tcp_chrono_set in
 * net/ipv4/tcp_output.c, tcp_get_info_chrono_stats in net/ipv4/tcp.c): how long the connection was
 * busy sending, and of that how long it was held back by the peer's receive window (rwnd limited)
 * or by its own send buffer (sndbuf limited) — tcp_info's tcpi_busy_time, tcpi_rwnd_limited and
 * tcpi_sndbuf_limited. One chronograph runs at a time, the most interesting one: SNDBUF_LIMITED
 * over RWND_LIMITED over BUSY. Linux counts in jiffies; synack in the host's ns, reported in µs.
 */
final class Chrono {
    /** enum tcp_chrono: UNSPEC, BUSY, RWND_LIMITED, SNDBUF_LIMITED (the order is the priority). */
    static final int UNSPEC = 0, BUSY = 1, RWND_LIMITED = 2, SNDBUF_LIMITED = 3;

    private int type = UNSPEC;
    private long startNs;
    private final long[] statNs = new long[4];

    /** tcp_chrono_set: the running one stops (its time is added), {@code t} starts. */
    private void set(int t, long nowNs) {
        if (type != UNSPEC) statNs[type] += nowNs - startNs;
        startNs = nowNs;
        type = t;
    }

    /** tcp_chrono_start: {@code t} runs if it is more interesting than the one running. */
    void start(int t, long nowNs) {
        if (t > type) set(t, nowNs);
    }

    /**
     * tcp_chrono_stop: with nothing in the write and retransmission queues everything stops;
     * otherwise, if {@code t} is the one running, BUSY takes over.
     */
    void stop(int t, boolean queuesEmpty, long nowNs) {
        if (queuesEmpty) {
            if (type != UNSPEC) set(UNSPEC, nowNs);
        } else if (t == type) {
            set(BUSY, nowNs);
        }
    }

    /** The time in chronograph {@code t} so far, the running one included, in µs. */
    long us(int t, long nowNs) {
        long ns = statNs[t] + (type == t ? nowNs - startNs : 0);
        return ns / 1000;
    }

    /** tcpi_busy_time: all three together. */
    long busyUs(long nowNs) { return us(BUSY, nowNs) + us(RWND_LIMITED, nowNs) + us(SNDBUF_LIMITED, nowNs); }
}
