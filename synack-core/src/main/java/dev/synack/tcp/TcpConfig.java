package dev.synack.tcp;

import dev.synack.tcp.cc.CongestionControl;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The stack's settings, under Linux's sysctl names, with Linux 6.18's defaults.
 *
 * <p>Each field is named after its sysctl ({@code net.ipv4.tcp_syn_retries} → {@link #tcpSynRetries});
 * {@link #set(String, String)} and {@link #get(String)} take the sysctl name itself, so a packetdrill
 * script's sysctl lines and a user's settings map one to one. Sources: Documentation/networking/
 * ip-sysctl.rst and the constants in include/net/tcp.h of Linux 6.18.
 *
 * <p>A config is a plain mutable object owned by one stack; copy it with {@link #copy()} to give
 * another stack the same settings.
 */
public final class TcpConfig {
    /** net.ipv4.tcp_syn_retries: SYN retransmissions before connect() fails with ETIMEDOUT. Default 6. */
    public int tcpSynRetries = 6;
    /**
     * net.ipv4.tcp_syn_linear_timeouts (Linux 6.18): the first N SYN retransmissions use the initial RTO
     * without backoff and come on top of tcp_syn_retries. Default 4: SYNs at 0,1,2,3,4,5,7,11,19,35,67 s.
     */
    public int tcpSynLinearTimeouts = 4;
    /** net.ipv4.tcp_synack_retries: SYN-ACK retransmissions for a passive open. Default 5. */
    public int tcpSynackRetries = 5;
    /** net.ipv4.tcp_retries1: retransmissions before the route is doubted (not modelled). Default 3. */
    public int tcpRetries1 = 3;
    /** net.ipv4.tcp_retries2: bounds the time a retransmission may go unanswered. Default 15 (924.6 s). */
    public int tcpRetries2 = 15;
    /** net.ipv4.tcp_orphan_retries: like tcp_retries2 for orphaned sockets; 0 means 8. Default 0. */
    public int tcpOrphanRetries = 0;
    /** net.ipv4.tcp_fin_timeout (s): lifetime of an orphaned FIN_WAIT_2 socket. Default 60. */
    public int tcpFinTimeout = 60;
    /** net.ipv4.tcp_keepalive_time (s): idle time before the first keepalive probe. Default 7200. */
    public int tcpKeepaliveTime = 7200;
    /** net.ipv4.tcp_keepalive_intvl (s): time between keepalive probes. Default 75. */
    public int tcpKeepaliveIntvl = 75;
    /** net.ipv4.tcp_keepalive_probes: unanswered probes before the connection is dropped. Default 9. */
    public int tcpKeepaliveProbes = 9;
    /** net.ipv4.tcp_rmem: min, default, max receive buffer (bytes). Default 4096 131072 33554432. */
    public int[] tcpRmem = {4096, 131072, 33554432};
    /** net.ipv4.tcp_wmem: min, default, max send buffer (bytes). Default 4096 16384 4194304. */
    public int[] tcpWmem = {4096, 16384, 4194304};
    /**
     * net.ipv4.tcp_mem: min, pressure and max of TCP's memory across the host, in pages of 4096 bytes
     * ({@link TcpMemory}). Linux sets it at boot from the machine's memory (tcp_init_mem:
     * nr_free_buffer_pages() / 16 as pressure, ¾ of it as min, twice min as max); the default here is
     * what the reference machine's kernel (Linux 6.18.44, 24 GB) shows in /proc/sys/net/ipv4/tcp_mem:
     * 287889 383855 575778 (about 1.1, 1.5 and 2.2 GB). A stack on a small heap should set it lower.
     */
    public long[] tcpMem = {287889, 383855, 575778};
    /**
     * net.ipv4.tcp_max_orphans: orphaned sockets (closed, not yet gone) beyond which a close or an
     * orphan's timer resets the connection ("too many orphaned sockets", TCPAbortOnMemory). Linux sizes
     * it from the established hash table (tcp_init: half its buckets), so from memory; the default is
     * the reference machine's, 131072.
     */
    public int tcpMaxOrphans = 131072;
    /** net.ipv4.tcp_sack: offer and accept SACK (RFC 2018). Default 1. */
    public boolean tcpSack = true;
    /** net.ipv4.tcp_dsack: report duplicate segments with D-SACK (RFC 2883). Default 1. */
    public boolean tcpDsack = true;
    /** net.ipv4.tcp_timestamps: timestamps option (RFC 7323). Linux's default is 1 (with random offsets). */
    public int tcpTimestamps = 1;
    /** net.ipv4.tcp_window_scaling: window scale option (RFC 7323). Default 1. */
    public boolean tcpWindowScaling = true;
    /**
     * net.ipv4.tcp_early_retrans: 3 enables the tail loss probe (RFC 8985 §7). Default 3. Values 0..2
     * disable TLP here (Linux 6.18 treats 1..2 like 3 only for RACK's reordering window).
     */
    public int tcpEarlyRetrans = 3;
    /**
     * net.ipv4.tcp_recovery: bit 0 (0x1) = RACK loss detection (RFC 8985), 0x2 = static reordering
     * window, 0x4 = no duplicate threshold. Default 1. With 0, loss is detected by three duplicate ACKs
     * or RFC 6675's IsLost, as Linux did before RACK.
     */
    public int tcpRecovery = 1;
    /** net.ipv4.tcp_frto: F-RTO (RFC 5682) after a retransmission timeout; 2 = the SACK-enhanced version. Default 2. */
    public int tcpFrto = 2;
    /** net.ipv4.tcp_reordering: the initial reordering degree (duplicate-ACK threshold) in segments. Default 3. */
    public int tcpReordering = 3;
    /**
     * net.ipv4.tcp_min_tso_segs: the fewest segments tcp_tso_autosize lets one TSO/GSO packet hold.
     * Default 2.
     */
    public int tcpMinTsoSegs = 2;
    /**
     * net.ipv4.tcp_pacing_ss_ratio: tcp_update_pacing_rate's percentage of mss × cwnd / srtt while
     * cwnd is below half ssthresh (slow start). Default 200.
     */
    public int tcpPacingSsRatio = 200;
    /** net.ipv4.tcp_pacing_ca_ratio: the same percentage in congestion avoidance. Default 120. */
    public int tcpPacingCaRatio = 120;
    /**
     * net.ipv4.tcp_tso_rtt_log: tcp_tso_autosize adds gso_max_size &gt;&gt; (min_rtt_us &gt;&gt; this) bytes,
     * so paths under about 2^this µs get larger packets. Default 9 (512 µs).
     */
    public int tcpTsoRttLog = 9;
    /** net.ipv4.tcp_max_reordering: the highest reordering degree a connection may learn. Default 300. */
    public int tcpMaxReordering = 300;
    /** net.ipv4.tcp_congestion_control: cubic (RFC 9438, with HyStart) is Linux's default; reno is the other. */
    public String tcpCongestionControl = "cubic";
    /** net.ipv4.tcp_slow_start_after_idle: restart cwnd after an idle RTO (RFC 5681 §4.1). Default 1. */
    public boolean tcpSlowStartAfterIdle = true;
    /** net.ipv4.tcp_no_metrics_save. We keep no route metrics; accepted for compatibility. Default 0. */
    public boolean tcpNoMetricsSave = false;
    /**
     * net.ipv4.tcp_max_syn_backlog. Not the SYN queue's bound (that is the listen backlog,
     * inet_csk_reqsk_queue_is_full): with tcp_syncookies 0, tcp_conn_request keeps its last quarter for
     * peers proven alive (we keep no tcp_metrics, so none is). Linux sizes it from memory (128 to
     * 4096; 2048 on the reference machine); default here 1024.
     */
    public int tcpMaxSynBacklog = 1024;
    /**
     * net.ipv4.tcp_syncookies: 1 = answer with a SYN cookie when a listener's SYN queue is full
     * (tcp_syn_flood_action), 2 = always, 0 = never (drop). Default 1.
     */
    public int tcpSyncookies = 1;
    /**
     * net.ipv4.tcp_fastopen ({@link FastOpen}'s TFO_* bits; Linux's default 1, TFO_CLIENT_ENABLE: the
     * client side works when the application asks, the server side is off).
     */
    public int tcpFastopen = FastOpen.TFO_CLIENT_ENABLE;
    /**
     * net.ipv4.tcp_fastopen_key: 16 bytes (a backup key makes 32), or null until set. Linux draws a
     * random key at the first use (tcp_fastopen_init_key_once); synack derives one from the host's
     * secret instead, so a run is repeatable.
     */
    public byte[] tcpFastopenKey;
    /** net.ipv4.tcp_fastopen_blackhole_timeout_sec (Linux 6.18's default 0: the blackhole detection is off). */
    public int tcpFastopenBlackholeTimeoutSec;
    /** net.core.somaxconn: the ceiling for listen()'s backlog. Default 4096. */
    public int somaxconn = 4096;
    /** net.ipv4.tcp_abort_on_overflow: RST instead of dropping when the accept queue is full. Default 0. */
    public boolean tcpAbortOnOverflow = false;
    /** net.ipv4.ip_local_port_range: ephemeral ports for connect(). Default 32768 60999. */
    public int[] ipLocalPortRange = {32768, 60999};
    /** net.ipv4.tcp_rto_min_us (Linux 6.11+): the lower bound of the RTO. Default 200000 (TCP_RTO_MIN). */
    public int tcpRtoMinUs = 200_000;
    /** net.ipv4.tcp_rto_max_ms (Linux 6.15+): the upper bound of the RTO. Default 120000 (TCP_RTO_MAX). */
    public int tcpRtoMaxMs = 120_000;
    /** net.ipv4.tcp_challenge_ack_limit: challenge ACKs per second (RFC 5961 §7). Linux 6.x: INT_MAX. */
    public int tcpChallengeAckLimit = Integer.MAX_VALUE;
    /** net.ipv4.tcp_invalid_ratelimit (ms): spacing of duplicate ACKs for out-of-window segments. Default 500. */
    public int tcpInvalidRatelimit = 500;
    /** net.ipv4.tcp_tw_reuse: reuse TIME_WAIT for connect() (2 = loopback only). Default 2. */
    public int tcpTwReuse = 2;
    /** net.ipv4.tcp_adv_win_scale: obsolete in 6.x (scaling_ratio replaced it); accepted. Default 1. */
    public int tcpAdvWinScale = 1;
    /** net.ipv4.tcp_moderate_rcvbuf: receive buffer auto-tuning (tcp_rcv_space_adjust). Default 1. */
    public boolean tcpModerateRcvbuf = true;
    /** net.ipv4.tcp_base_mss: MTU probing base (not modelled). Default 1024. */
    public int tcpBaseMss = 1024;
    /** net.ipv4.tcp_mtu_probing: packetization-layer PMTUD (not modelled). Default 0. */
    public int tcpMtuProbing = 0;
    /**
     * net.ipv4.tcp_ecn: Explicit Congestion Notification (RFC 3168). 0 = never, 1 = ask for it on
     * outgoing connections and accept it on incoming ones, 2 = accept it when asked, never ask. Default 2.
     * Linux 6.18's 3..5 (Accurate ECN) are not modelled and refused.
     */
    public int tcpEcn = 2;
    /**
     * net.ipv4.tcp_ecn_fallback: resend a SYN without ECE and CWR (RFC 3168 §6.1.1.1), in case a
     * middlebox drops ECN-setup SYNs. Default 1.
     */
    public boolean tcpEcnFallback = true;
    /**
     * net.ipv4.tcp_notsent_lowat (an unsigned int, read with {@link Integer#toUnsignedLong}): a writer
     * may start a new skb, and poll says POLLOUT, only while the unsent bytes are below it (half of it
     * for POLLOUT); a socket's TCP_NOTSENT_LOWAT replaces it. Default UINT_MAX: no limit.
     */
    public int tcpNotsentLowat = -1;
    /** The initial congestion window in segments (route attribute initcwnd; RFC 6928 IW10). Default 10. */
    public int initCwnd = 10;
    /** Delayed ACK timeout minimum, TCP_DELACK_MIN = HZ/25 = 40 ms (include/net/tcp.h). Not a sysctl. */
    public int delackMinMs = 40;
    /** Delayed ACK timeout maximum, TCP_DELACK_MAX = HZ/5 = 200 ms (include/net/tcp.h). Not a sysctl. */
    public int delackMaxMs = 200;
    /** TIME_WAIT duration, TCP_TIMEWAIT_LEN = 60 s (include/net/tcp.h). Not a sysctl in Linux. */
    public int timeWaitSeconds = 60;
    /** The initial RTO, TCP_TIMEOUT_INIT = 1 s (RFC 6298 (2.1)). Not a sysctl. */
    public int initialRtoMs = 1000;
    /**
     * Randomise the timestamps clock offset per connection as Linux does (tcp_timestamps = 1). Tests set
     * this false to read TS values from the virtual clock directly.
     */
    public boolean randomTsOffset = true;

    /** A config with Linux 6.18's defaults. */
    public TcpConfig() {}

    /**
     * How the receiving interface sizes the buffers of arriving segments (skb->truesize), which sets
     * the scaling ratio and so the receive window. Not a sysctl: a property of the path. True: one
     * kmalloc'd buffer per segment, as a TUN device or a NIC without GRO gives them (measured on
     * Linux 6.18 over TUN: 2304 bytes of truesize for a 1448-byte segment, ratio 160/256; the oracle's
     * lab world uses this). False (the default): the aggregated segments of veth or loopback, where
     * TSO/GRO hand TCP 64 KB super-segments (ratio about 232/256; a stalled receiver's window closes
     * after ≈119 KB, measured on Linux 6.18 over veth).
     */
    public boolean rxPerSegmentTruesize = false;

    /**
     * Whether TCP's timers fire where Linux's timer wheel puts them ({@link dev.synack.time.TimerWheel}, HZ 250,
     * seeded per host): one jiffy late below 252 ms, then up to 8, 64, 512 jiffies late (the SYN timeout
     * ends near 134 s, not 131 s; TIME_WAIT lasts 60–62 s; each 120-s RTO about 120.8 s). Not a sysctl: a
     * property of the kernel. False (the default): every timer fires at its nominal time, the time the
     * tests and the docs state. The oracle's lab world turns it on to compare with Linux's recordings.
     */
    public boolean timerWheel = false;

    /** A deep copy. */
    public TcpConfig copy() {
        TcpConfig c = new TcpConfig();
        for (var e : SYSCTLS.entrySet()) e.getValue().set.accept(c, e.getValue().get.apply(this));
        c.initCwnd = initCwnd;
        c.delackMinMs = delackMinMs;
        c.delackMaxMs = delackMaxMs;
        c.timeWaitSeconds = timeWaitSeconds;
        c.initialRtoMs = initialRtoMs;
        c.randomTsOffset = randomTsOffset;
        c.rxPerSegmentTruesize = rxPerSegmentTruesize;
        c.timerWheel = timerWheel;
        c.tcpFastopenKey = tcpFastopenKey == null ? null : tcpFastopenKey.clone(); // unset stays unset
        return c;
    }

    /** The minimum RTO in microseconds. */
    public long rtoMinUs() { return tcpRtoMinUs; }

    /** The maximum RTO in microseconds. */
    public long rtoMaxUs() { return tcpRtoMaxMs * 1000L; }

    /** Whether timestamps are offered (tcp_timestamps 1 or 2). */
    public boolean timestampsEnabled() { return tcpTimestamps != 0; }

    /**
     * Sets a sysctl by its Linux name, with or without the {@code net.ipv4.}/{@code net.core.} prefix,
     * e.g. {@code set("net.ipv4.tcp_rmem", "4096 131072 6291456")}.
     *
     * @throws IllegalArgumentException for an unknown name or a malformed value, with a message saying which
     */
    public void set(String name, String value) {
        Sysctl s = SYSCTLS.get(shortName(name));
        if (s == null) throw new IllegalArgumentException("unknown sysctl '" + name + "'");
        try {
            s.set.accept(this, value.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad value '" + value + "' for sysctl " + name + ": " + e.getMessage());
        }
    }

    /** A sysctl's value as Linux prints it ({@code sysctl -n}). */
    public String get(String name) {
        Sysctl s = SYSCTLS.get(shortName(name));
        if (s == null) throw new IllegalArgumentException("unknown sysctl '" + name + "'");
        return s.get.apply(this);
    }

    /** Whether {@code name} is a sysctl this config knows. */
    public static boolean knows(String name) { return SYSCTLS.containsKey(shortName(name)); }

    /** The sysctl names this config knows, in a stable order. */
    public static Iterable<String> names() { return Collections.unmodifiableSet(SYSCTLS.keySet()); }

    private static String shortName(String name) {
        String n = name.trim().replace('/', '.');
        for (String p : new String[] {"proc.sys.", "net.ipv4.", "net.core."}) {
            if (n.startsWith(".")) n = n.substring(1);
            if (n.startsWith(p)) n = n.substring(p.length());
        }
        return n;
    }

    private record Sysctl(Function<TcpConfig, String> get, BiConsumer<TcpConfig, String> set) {}

    private static final Map<String, Sysctl> SYSCTLS = new LinkedHashMap<>();

    private static void intSysctl(String name, Function<TcpConfig, Integer> get, BiConsumer<TcpConfig, Integer> set) {
        SYSCTLS.put(name, new Sysctl(c -> Integer.toString(get.apply(c)), (c, v) -> set.accept(c, Integer.parseInt(v))));
    }

    private static void boolSysctl(String name, Function<TcpConfig, Boolean> get, BiConsumer<TcpConfig, Boolean> set) {
        SYSCTLS.put(name, new Sysctl(c -> get.apply(c) ? "1" : "0", (c, v) -> set.accept(c, switch (v) {
            case "0" -> false;
            case "1", "2" -> true;
            default -> throw new IllegalArgumentException("expected 0 or 1");
        })));
    }

    private static void triple(String name, Function<TcpConfig, int[]> get, BiConsumer<TcpConfig, int[]> set, int n) {
        SYSCTLS.put(name, new Sysctl(c -> {
            StringBuilder sb = new StringBuilder();
            for (int x : get.apply(c)) sb.append(sb.isEmpty() ? "" : "\t").append(x);
            return sb.toString();
        }, (c, v) -> {
            String[] parts = v.split("\\s+");
            if (parts.length != n) throw new IllegalArgumentException("expected " + n + " numbers");
            int[] a = new int[n];
            for (int i = 0; i < n; i++) a[i] = Integer.parseInt(parts[i]);
            set.accept(c, a);
        }));
    }

    static {
        intSysctl("tcp_syn_retries", c -> c.tcpSynRetries, (c, v) -> c.tcpSynRetries = range(v, 1, 127));
        intSysctl("tcp_syn_linear_timeouts", c -> c.tcpSynLinearTimeouts, (c, v) -> c.tcpSynLinearTimeouts = range(v, 0, 10));
        intSysctl("tcp_synack_retries", c -> c.tcpSynackRetries, (c, v) -> c.tcpSynackRetries = range(v, 0, 255));
        intSysctl("tcp_retries1", c -> c.tcpRetries1, (c, v) -> c.tcpRetries1 = range(v, 0, 255));
        intSysctl("tcp_retries2", c -> c.tcpRetries2, (c, v) -> c.tcpRetries2 = range(v, 0, 255));
        intSysctl("tcp_orphan_retries", c -> c.tcpOrphanRetries, (c, v) -> c.tcpOrphanRetries = range(v, 0, 255));
        intSysctl("tcp_fin_timeout", c -> c.tcpFinTimeout, (c, v) -> c.tcpFinTimeout = range(v, 1, 1_000_000));
        intSysctl("tcp_keepalive_time", c -> c.tcpKeepaliveTime, (c, v) -> c.tcpKeepaliveTime = range(v, 1, 32767));
        intSysctl("tcp_keepalive_intvl", c -> c.tcpKeepaliveIntvl, (c, v) -> c.tcpKeepaliveIntvl = range(v, 1, 32767));
        intSysctl("tcp_keepalive_probes", c -> c.tcpKeepaliveProbes, (c, v) -> c.tcpKeepaliveProbes = range(v, 1, 127));
        triple("tcp_rmem", c -> c.tcpRmem.clone(), (c, v) -> c.tcpRmem = v, 3);
        triple("tcp_wmem", c -> c.tcpWmem.clone(), (c, v) -> c.tcpWmem = v, 3);
        SYSCTLS.put("tcp_mem", new Sysctl(c -> c.tcpMem[0] + "\t" + c.tcpMem[1] + "\t" + c.tcpMem[2], (c, v) -> {
            String[] p = v.split("\\s+");
            if (p.length != 3) throw new IllegalArgumentException("expected 3 numbers");
            long[] m = new long[3];
            for (int i = 0; i < 3; i++) {
                m[i] = Long.parseLong(p[i]);
                if (m[i] < 0) throw new IllegalArgumentException("must not be negative");
            }
            c.tcpMem = m;
        }));
        intSysctl("tcp_max_orphans", c -> c.tcpMaxOrphans, (c, v) -> c.tcpMaxOrphans = range(v, 0, Integer.MAX_VALUE));
        boolSysctl("tcp_sack", c -> c.tcpSack, (c, v) -> c.tcpSack = v);
        boolSysctl("tcp_dsack", c -> c.tcpDsack, (c, v) -> c.tcpDsack = v);
        intSysctl("tcp_timestamps", c -> c.tcpTimestamps, (c, v) -> c.tcpTimestamps = range(v, 0, 2));
        boolSysctl("tcp_window_scaling", c -> c.tcpWindowScaling, (c, v) -> c.tcpWindowScaling = v);
        intSysctl("tcp_early_retrans", c -> c.tcpEarlyRetrans, (c, v) -> c.tcpEarlyRetrans = range(v, 0, 4));
        intSysctl("tcp_frto", c -> c.tcpFrto, (c, v) -> c.tcpFrto = range(v, 0, 2));
        intSysctl("tcp_reordering", c -> c.tcpReordering, (c, v) -> c.tcpReordering = range(v, 1, 300));
        // The bounds of net/ipv4/sysctl_net_ipv4.c: tcp_min_tso_segs 1..255 (a u8), the pacing ratios
        // 0..1000 (proc_dointvec_minmax with one_thousand), tcp_tso_rtt_log 0..255 (a u8).
        intSysctl("tcp_min_tso_segs", c -> c.tcpMinTsoSegs, (c, v) -> c.tcpMinTsoSegs = range(v, 1, 255));
        intSysctl("tcp_pacing_ss_ratio", c -> c.tcpPacingSsRatio, (c, v) -> c.tcpPacingSsRatio = range(v, 0, 1000));
        intSysctl("tcp_pacing_ca_ratio", c -> c.tcpPacingCaRatio, (c, v) -> c.tcpPacingCaRatio = range(v, 0, 1000));
        intSysctl("tcp_tso_rtt_log", c -> c.tcpTsoRttLog, (c, v) -> c.tcpTsoRttLog = range(v, 0, 255));
        intSysctl("tcp_max_reordering", c -> c.tcpMaxReordering, (c, v) -> c.tcpMaxReordering = range(v, 1, 1024));
        intSysctl("tcp_recovery", c -> c.tcpRecovery, (c, v) -> c.tcpRecovery = range(v, 0, 7));
        SYSCTLS.put("tcp_congestion_control", new Sysctl(c -> c.tcpCongestionControl, (c, v) -> {
            if (!CongestionControl.names().contains(v)) {
                throw new IllegalArgumentException("available: " + String.join(" ", CongestionControl.names()));
            }
            c.tcpCongestionControl = v;
        }));
        boolSysctl("tcp_slow_start_after_idle", c -> c.tcpSlowStartAfterIdle, (c, v) -> c.tcpSlowStartAfterIdle = v);
        boolSysctl("tcp_no_metrics_save", c -> c.tcpNoMetricsSave, (c, v) -> c.tcpNoMetricsSave = v);
        intSysctl("tcp_max_syn_backlog", c -> c.tcpMaxSynBacklog, (c, v) -> c.tcpMaxSynBacklog = range(v, 1, 1 << 20));
        intSysctl("tcp_syncookies", c -> c.tcpSyncookies, (c, v) -> c.tcpSyncookies = range(v, 0, 2));
        SYSCTLS.put("tcp_fastopen", new Sysctl(c -> Integer.toString(c.tcpFastopen),
                (c, v) -> c.tcpFastopen = Integer.decode(v))); // proc_dointvec reads 0x... too
        SYSCTLS.put("tcp_fastopen_key", new Sysctl(
                c -> c.tcpFastopenKey == null ? "00000000-00000000-00000000-00000000" : FastOpen.formatKey(c.tcpFastopenKey),
                (c, v) -> c.tcpFastopenKey = FastOpen.parseKey(v)));
        intSysctl("tcp_fastopen_blackhole_timeout_sec", c -> c.tcpFastopenBlackholeTimeoutSec,
                (c, v) -> c.tcpFastopenBlackholeTimeoutSec = range(v, 0, Integer.MAX_VALUE));
        intSysctl("somaxconn", c -> c.somaxconn, (c, v) -> c.somaxconn = range(v, 0, 1 << 20));
        boolSysctl("tcp_abort_on_overflow", c -> c.tcpAbortOnOverflow, (c, v) -> c.tcpAbortOnOverflow = v);
        SYSCTLS.put("ip_local_port_range", new Sysctl(c -> c.ipLocalPortRange[0] + "\t" + c.ipLocalPortRange[1], (c, v) -> {
            String[] p = v.split("\\s+");
            if (p.length != 2) throw new IllegalArgumentException("expected 2 numbers");
            int lo = range(Integer.parseInt(p[0]), 1, 65535), hi = range(Integer.parseInt(p[1]), lo, 65535);
            c.ipLocalPortRange = new int[] {lo, hi};
        }));
        intSysctl("tcp_rto_min_us", c -> c.tcpRtoMinUs, (c, v) -> c.tcpRtoMinUs = range(v, 1, 120_000_000));
        intSysctl("tcp_rto_max_ms", c -> c.tcpRtoMaxMs, (c, v) -> c.tcpRtoMaxMs = range(v, 1000, 120_000));
        intSysctl("tcp_challenge_ack_limit", c -> c.tcpChallengeAckLimit, (c, v) -> c.tcpChallengeAckLimit = range(v, 0, Integer.MAX_VALUE));
        intSysctl("tcp_invalid_ratelimit", c -> c.tcpInvalidRatelimit, (c, v) -> c.tcpInvalidRatelimit = range(v, 0, Integer.MAX_VALUE));
        intSysctl("tcp_tw_reuse", c -> c.tcpTwReuse, (c, v) -> c.tcpTwReuse = range(v, 0, 2));
        intSysctl("tcp_adv_win_scale", c -> c.tcpAdvWinScale, (c, v) -> c.tcpAdvWinScale = range(v, -31, 31));
        boolSysctl("tcp_moderate_rcvbuf", c -> c.tcpModerateRcvbuf, (c, v) -> c.tcpModerateRcvbuf = v);
        intSysctl("tcp_base_mss", c -> c.tcpBaseMss, (c, v) -> c.tcpBaseMss = range(v, 48, 65535));
        intSysctl("tcp_mtu_probing", c -> c.tcpMtuProbing, (c, v) -> c.tcpMtuProbing = range(v, 0, 2));
        intSysctl("tcp_ecn", c -> c.tcpEcn, (c, v) -> {
            if (v >= 3 && v <= 5) throw new IllegalArgumentException("3..5 (Accurate ECN) are not modelled; 0, 1 or 2");
            c.tcpEcn = range(v, 0, 2);
        });
        boolSysctl("tcp_ecn_fallback", c -> c.tcpEcnFallback, (c, v) -> c.tcpEcnFallback = v);
        SYSCTLS.put("tcp_notsent_lowat", new Sysctl(c -> Integer.toUnsignedString(c.tcpNotsentLowat),
                (c, v) -> c.tcpNotsentLowat = Integer.parseUnsignedInt(v))); // proc_douintvec
    }

    private static int range(int v, int lo, int hi) {
        if (v < lo || v > hi) throw new IllegalArgumentException("must be in " + lo + ".." + hi);
        return v;
    }
}
