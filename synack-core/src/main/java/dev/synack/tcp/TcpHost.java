package dev.synack.tcp;

import dev.synack.stats.Counters;
import dev.synack.time.Scheduler;

/**
 * What TCP needs from the host it lives on — the IP layer: time, settings, counters, the secrets
 * behind ISNs and port choices, a way out for its segments, and a place to report what happens (the
 * stack turns the reports into trace events, so TCP does not depend on the trace package). The stack
 * implements it. It is also where the connections' rings get their storage ({@link RingBuffer.Storage}).
 */
public interface TcpHost extends RingBuffer.Storage {
    /** Offset in {@link #txBuffer()} at which a connection writes its TCP segment (room for the IP header). */
    int TCP_OFFSET = 20;

    /** What {@link #sendTcp} returns when the packet was dropped before the wire (Linux NET_XMIT_DROP). */
    int NET_XMIT_DROP = 1;

    /** The host's name, for traces. */
    String name();

    /** The host's scheduler and clock. */
    Scheduler scheduler();

    /** The host's settings. */
    TcpConfig config();

    /** The host's counters. */
    Counters counters();

    /** Whether anybody listens to what TCP reports (below); when not, TCP builds no report. */
    boolean tracing();

    /** A connection changed state (tcp_set_state; the inet_sock_set_state tracepoint). */
    void stateChanged(TcpConnection c, TcpState from, TcpState to);

    /**
     * When a TCP timer armed at {@code nowNs} for {@code timeoutNs} fires: {@code nowNs + timeoutNs}, or,
     * with {@link TcpConfig#timerWheel}, where Linux's timer wheel puts it ({@link dev.synack.time.TimerWheel}:
     * sk_reset_timer and mod_timer round every timer_list expiry up to its level's granularity).
     */
    default long timerExpiryNs(long nowNs, long timeoutNs) { return nowNs + timeoutNs; }

    /** A connection's timer fired ("rto", "tlp", "reo", "probe", "keepalive", "delack", "timewait", ...). */
    void timerFired(TcpConnection c, String timer);

    /**
     * The congestion state after an ACK or a timeout (the tcp_probe tracepoint's fields, for a cwnd plot):
     * also the RTO, the peer's window (snd_wnd, bytes) and snd_nxt − snd_una (bytes).
     */
    void cwndSampled(TcpConnection c, int cwnd, int ssthresh, long srttUs, int inFlight, String caState,
                     long rtoUs, int sndWnd, int unackedBytes);

    /**
     * TCP dropped or ignored the segment being received (Linux's kfree_skb with a drop reason): called
     * while {@link TcpDemux#input} runs, at most once per segment. Counters are TCP's business; this
     * only reports.
     */
    void segmentDropped(TcpDropReason reason);

    /** A scratch buffer of at least 65,600 bytes to build one outgoing segment in, at {@link #TCP_OFFSET}. */
    byte[] txBuffer();

    /**
     * Sends the TCP segment of {@code tcpLen} bytes at {@link #TCP_OFFSET} in {@link #txBuffer()} from
     * {@code src} to {@code dst}; the host adds the IP header (DF set, identification {@code ipId}) and
     * the TCP checksum; {@code tos} is the header's TOS byte, whose ECN field TCP sets ({@code Ipv4.ECT_0}
     * on new data of an ECN connection, RFC 3168 §6.1.1). {@code reason} and {@code n} say why TCP sends
     * it ({@link SendReason}), for the trace; they change nothing in the packet.
     *
     * @return 0; a negative errno when the packet cannot leave (no route: -ENETUNREACH); or
     *     {@link #NET_XMIT_DROP} when the interface's queue discipline dropped it (local congestion)
     */
    int sendTcp(int src, int dst, int tcpLen, int ipId, int tos, SendReason reason, int n);

    /**
     * A random first IP identification for a socket's packets (get_random_u16() in tcp_v4_connect and
     * tcp_v4_syn_recv_sock), from the host's seeded secrets so that runs stay deterministic.
     */
    int randomIpId();

    /** A random 32-bit value from the host's seeded secrets (get_random_u32), deterministic per seed. */
    int randomU32();

    /** The MTU of the route to {@code dst} (1500 for Ethernet), lowered by path MTU discovery. */
    int mtuTo(int dst);

    /**
     * A "fragmentation needed" message said packets to {@code dst} must be at most {@code mtu} bytes
     * (inet_csk_update_pmtu → __ip_rt_update_pmtu): the route's path MTU, for ten minutes.
     */
    void updatePmtu(int dst, int mtu);

    /** An initial sequence number for the 4-tuple (RFC 6528). */
    int isn(int localAddr, int localPort, int remoteAddr, int remotePort);

    /** The timestamps clock offset for the address pair (Linux: secure_tcp_ts_off). */
    int tsOffset(int localAddr, int remoteAddr);

    /**
     * The keyed hash from which an ephemeral port search starts (Linux's secure_ipv4_port_ephemeral in
     * net/core/secure_seq.c), for bind() ({@code forBind}) or connect() to the address and port.
     */
    long portOffsetHash(int localAddr, int remoteAddr, int remotePort, boolean forBind);

    /**
     * Linux's cookie_hash (net/ipv4/syncookies.c): a keyed hash of the peer's address and port, ours, and
     * the cookie time {@code count}, under the host's secret number {@code c} (0 or 1; Linux's
     * siphash_4u32 with syncookie_secret[c]).
     */
    int synCookieHash(int peerAddr, int localAddr, int peerPort, int localPort, int count, int c);

    /**
     * Storage for a connection's buffers ({@code new byte[n]} unless the host says otherwise; the stack
     * reuses what its rings {@linkplain #release released}). An {@link OutOfMemoryError} from here, while
     * a segment is being received, drops that segment.
     */
    @Override
    default byte[] allocate(int n) { return new byte[n]; }
}
