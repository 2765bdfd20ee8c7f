package dev.synack.sim.fuzz;

import dev.synack.stack.Stack;
import dev.synack.stats.Counter;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.TcpState;
import dev.synack.time.VirtualScheduler;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One fuzzing episode: two real synack stacks (a, the client, 198.18.0.1; b, the listener on port 80,
 * 198.18.0.2) on one virtual time line, joined by a wire the fuzzer controls packet by packet, driven
 * by a list of {@link Action}s: the network's deliveries, losses, duplicates and reorderings, time
 * moving on, the applications' calls, and the fuzzer's own packets. After every action it checks:
 *
 * <ul>
 *   <li>nothing was thrown out of {@code Stack.receive}, the scheduler's timers or an application call
 *       (bad input is counted and dropped);</li>
 *   <li>every byte an application reads is the stream's byte at its sequence number ({@link
 *       Mutator#at}: what the peer wrote there, or a forged segment carried there), so no byte is wrong,
 *       duplicated or out of order, and nothing is read after end of stream;</li>
 *   <li>no counter of either stack is negative; each connection's packets_out, sacked_out, lost_out and
 *       retrans_out are not negative and sacked_out + lost_out ≤ packets_out and retrans_out ≤
 *       packets_out (Linux's tcp_verify_left_out, include/net/tcp.h, WARNs otherwise); the send queue is
 *       within sk_sndbuf plus one skb (tcp_sendmsg_locked takes a write into the tail skb first); the
 *       listener's SYN and accept queues hold at most backlog + 1 (inet_csk_reqsk_queue_is_full and
 *       sk_acceptq_is_full compare with {@code >}); tcp_info's RTO within (0, TCP_RTO_MAX], cwnd ≥ 1,
 *       ssthresh ≥ 2, windows and backoff not negative, an MSS after the handshake;</li>
 *   <li>every packet a stack emits parses: IPv4 header and checksum, total length, TCP data offset,
 *       checksum and options (or an ICMP message and its checksum).</li>
 * </ul>
 *
 * <p>Deterministic: the hosts are built from the episode's seed, and the actions are values.
 */
public final class Episode {
    static final int A = Ipv4.parse("198.18.0.1"), B = Ipv4.parse("198.18.0.2");
    static final int PORT = 80, CLOSED_PORT = 81;
    private static final Counter[] COUNTERS = Counter.values();
    private static final int HISTORY = 16, WIRE_MAX = 256;

    /** One application's view of one connection: what it wrote and read. */
    static final class Conn {
        final TcpConnection c;
        long sent, read;
        boolean eof;

        Conn(TcpConnection c) { this.c = c; }
    }

    final long seed;
    final VirtualScheduler sched = new VirtualScheduler();
    final Stack[] hosts = new Stack[2];
    final TcpConfig[] configs = new TcpConfig[2];
    @SuppressWarnings("unchecked")
    final ArrayList<byte[]>[] wire = new ArrayList[] {new ArrayList<byte[]>(), new ArrayList<byte[]>()};
    /** The last packets each host sent: the templates the fuzzer mutates. */
    final byte[][][] history = new byte[2][HISTORY][];
    final int[] historyCount = new int[2];
    @SuppressWarnings("unchecked")
    final List<Conn>[] conns = new List[] {new ArrayList<Conn>(), new ArrayList<Conn>()};
    final TcpListener listener;
    final boolean flood;
    final int sndBufA, rcvBufA;
    /** The first packet a host emitted that did not parse, as text; checked after the action. */
    private String badEmitted;
    /** A transcript of what happened, when asked for (replay of a failure), else null. */
    StringBuilder transcript;
    private final byte[] buf = new byte[70_000];
    /** States a fuzzer packet found its connection in, by TcpState ordinal, then "no connection", then ICMP. */
    final long[] stateHits = new long[TcpState.values().length + 2];

    Episode(long seed) {
        this.seed = seed;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 2; i++) {
            TcpConfig c = new TcpConfig();
            c.tcpSack = r.nextInt(5) != 0;
            c.tcpDsack = r.nextInt(5) != 0;
            c.tcpTimestamps = r.nextInt(5) == 0 ? 0 : 1;
            c.tcpWindowScaling = r.nextInt(5) != 0;
            c.tcpEcn = r.nextInt(3);
            c.tcpRecovery = r.nextInt(4) == 0 ? 0 : 1;
            c.tcpFrto = r.nextInt(3);
            c.tcpSyncookies = r.nextInt(3);
            c.tcpChallengeAckLimit = r.nextInt(3) == 0 ? 1 + r.nextInt(10) : Integer.MAX_VALUE;
            c.tcpMaxSynBacklog = r.nextInt(3) == 0 ? 1 + r.nextInt(16) : 1024;
            c.tcpTwReuse = r.nextInt(3);
            c.tcpOrphanRetries = r.nextInt(4);
            c.tcpRetries2 = 3 + r.nextInt(13);
            c.tcpFinTimeout = 1 + r.nextInt(60);
            c.rxPerSegmentTruesize = r.nextBoolean();
            configs[i] = c;
        }
        flood = r.nextInt(4) == 0;
        sndBufA = r.nextInt(3) == 0 ? 2048 + r.nextInt(30_000) : 0;
        rcvBufA = r.nextInt(3) == 0 ? 2048 + r.nextInt(30_000) : 0;
        int sndBufB = r.nextInt(3) == 0 ? 2048 + r.nextInt(30_000) : 0;
        int rcvBufB = r.nextInt(3) == 0 ? 2048 + r.nextInt(30_000) : 0;
        int backlog = flood || r.nextInt(4) == 0 ? r.nextInt(3) : 16;
        hosts[0] = new Stack("a", sched, configs[0], r.nextLong());
        hosts[1] = new Stack("b", sched, configs[1], r.nextLong());
        hosts[0].addInterface("eth0", A, 24, 1500, (p, off, len) -> transmit(0, p, off, len));
        hosts[1].addInterface("eth0", B, 24, 1500, (p, off, len) -> transmit(1, p, off, len));
        try {
            listener = hosts[1].listen(hosts[1].bind(0, PORT, options(r, sndBufB, rcvBufB)), backlog);
        } catch (ErrnoException e) {
            throw new IllegalStateException(e);
        }
        this.optionSeed = r.nextLong();
    }

    private final long optionSeed;

    private static SocketOptions options(SplittableRandom r, int sndBuf, int rcvBuf) {
        SocketOptions o = new SocketOptions();
        o.sndBuf = sndBuf;
        o.rcvBuf = rcvBuf;
        o.noDelay = r.nextBoolean();
        if (r.nextInt(4) == 0) {
            o.keepAlive = true;
            o.keepIdleSec = 1 + r.nextInt(20);
            o.keepIntvlSec = 1 + r.nextInt(5);
            o.keepCnt = 1 + r.nextInt(5);
        }
        if (r.nextInt(6) == 0) o.userMss = 88 + r.nextInt(1400);
        if (r.nextInt(8) == 0) o.userTimeoutMs = 1 + r.nextInt(20_000);
        return o;
    }

    /** What a host puts on its link: checked, kept as a template, and queued towards its peer if addressed to it. */
    private void transmit(int from, byte[] p, int off, int len) {
        byte[] copy = new byte[len];
        System.arraycopy(p, off, copy, 0, len);
        if (badEmitted == null) {
            String why = unparseable(copy, from == 0 ? A : B);
            if (why != null) badEmitted = hosts[from].name() + " emitted " + why + ": " + Action.describe(copy);
        }
        if (copy.length >= Ipv4.HEADER_LEN && Ipv4.protocol(copy, 0) == Ipv4.PROTO_TCP) {
            history[from][historyCount[from]++ % HISTORY] = copy;
        }
        int to = 1 - from;
        if (copy.length >= Ipv4.HEADER_LEN && Ipv4.dst(copy, 0) == (to == 0 ? A : B)) {
            if (wire[to].size() >= WIRE_MAX) wire[to].removeFirst();
            wire[to].add(copy);
        }
        if (transcript != null) transcript.append("    ").append(hosts[from].name()).append(" sends ").append(Action.describe(copy)).append('\n');
    }

    /** Why an emitted packet would not pass a receiver's checks, or null. */
    static String unparseable(byte[] b, int self) {
        if (Ipv4.validate(b, 0, b.length) != null) return "a bad IP header (" + Ipv4.validate(b, 0, b.length) + ")";
        if (Ipv4.totalLength(b, 0) != b.length) return "a total length of " + Ipv4.totalLength(b, 0) + " in " + b.length + " bytes";
        if (Ipv4.src(b, 0) != self) return "a source address not its own";
        int hl = Ipv4.headerLength(b, 0);
        int len = b.length - hl;
        switch (Ipv4.protocol(b, 0)) {
            case Ipv4.PROTO_TCP -> {
                var reason = TcpHeader.validate(b, hl, len, Ipv4.src(b, 0), Ipv4.dst(b, 0));
                if (reason != null) return "a bad TCP header (" + reason + ")";
                var opts = TcpOption.decodeAll(b, hl + TcpHeader.HEADER_LEN, TcpHeader.dataOffset(b, hl) - TcpHeader.HEADER_LEN);
                if (!opts.isOk()) return "bad TCP options (" + opts + ")";
                if (TcpHeader.srcPort(b, hl) == 0 || TcpHeader.dstPort(b, hl) == 0) return "port 0";
            }
            case Ipv4.PROTO_ICMP -> {
                if (Icmp.validate(b, hl, len) != null) return "a bad ICMP message";
            }
            default -> {
                return "protocol " + Ipv4.protocol(b, 0);
            }
        }
        return null;
    }

    // ---- running actions ------------------------------------------------------------------------

    /** Runs one action and checks the invariants; returns the failure, or null. */
    String execute(Action a) {
        if (transcript != null) transcript.append(String.format("t=%.6f %s%n", sched.nowNs() / 1e9, a));
        try {
            switch (a) {
                case Action.Deliver d -> {
                    List<byte[]> q = wire[d.to()];
                    if (!q.isEmpty()) {
                        byte[] p = q.remove(d.index() % q.size());
                        hosts[d.to()].receive(p, 0, p.length);
                    }
                }
                case Action.Duplicate d -> {
                    List<byte[]> q = wire[d.to()];
                    if (!q.isEmpty()) {
                        byte[] p = q.get(d.index() % q.size());
                        hosts[d.to()].receive(p, 0, p.length);
                    }
                }
                case Action.Lose l -> {
                    List<byte[]> q = wire[l.to()];
                    if (!q.isEmpty()) q.remove(l.index() % q.size());
                }
                case Action.Advance adv -> sched.runUntil(sched.nowNs() + adv.ns());
                case Action.App app -> {
                    String why = app(app);
                    if (why != null) return why;
                }
                case Action.Inject in -> {
                    noteState(in);
                    hosts[in.to()].receive(in.packet(), 0, in.packet().length);
                }
            }
        } catch (Throwable e) {
            return "escape: " + e + " at " + frame(e);
        }
        return invariants();
    }

    private static String frame(Throwable e) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().startsWith("dev.synack.") && !f.getClassName().startsWith("dev.synack.sim.fuzz.")) return f.toString();
        }
        return e.getStackTrace().length > 0 ? e.getStackTrace()[0].toString() : "?";
    }

    /** Counts the state of the connection a fuzzer packet is addressed to (coverage, for the report). */
    private void noteState(Action.Inject in) {
        byte[] p = in.packet();
        int slot = TcpState.values().length;
        if (p.length >= Ipv4.HEADER_LEN && Ipv4.protocol(p, 0) == Ipv4.PROTO_ICMP) slot++;
        if (p.length >= Ipv4.HEADER_LEN + TcpHeader.HEADER_LEN && Ipv4.protocol(p, 0) == Ipv4.PROTO_TCP && Ipv4.headerLength(p, 0) == Ipv4.HEADER_LEN) {
            int dport = TcpHeader.dstPort(p, Ipv4.HEADER_LEN), sport = TcpHeader.srcPort(p, Ipv4.HEADER_LEN);
            for (TcpConnection c : hosts[in.to()].connections()) {
                if (c.localPort() == dport && c.remotePort() == sport && c.remoteAddr() == Ipv4.src(p, 0)) {
                    slot = c.state().ordinal();
                    break;
                }
            }
            if (slot == TcpState.values().length && dport == PORT && in.to() == 1 && !listener.isClosed()) slot = TcpState.LISTEN.ordinal();
        }
        stateHits[slot]++;
    }

    private String app(Action.App app) {
        List<Conn> list = conns[app.side()];
        Stack host = hosts[app.side()];
        switch (app.op()) {
            case CONNECT -> {
                SplittableRandom r = new SplittableRandom(optionSeed + list.size());
                try {
                    list.add(new Conn(host.connect(null, app.side() == 0 ? B : A, app.n() % 8 == 0 ? CLOSED_PORT : PORT,
                            options(r, sndBufA, rcvBufA))));
                } catch (ErrnoException e) {
                    // EADDRNOTAVAIL and the like: the application sees an error, nothing to check
                }
                return null;
            }
            case ACCEPT -> {
                if (app.side() == 1) {
                    TcpConnection c = listener.accept();
                    if (c != null) list.add(new Conn(c));
                }
                return null;
            }
            default -> {
            }
        }
        if (list.isEmpty()) return null;
        Conn c = list.get(app.conn() % list.size());
        switch (app.op()) {
            case SEND -> {
                int n = Math.min(app.n(), buf.length);
                int base = c.c.iss() + 1 + (int) c.sent;
                for (int i = 0; i < n; i++) buf[i] = Mutator.at(base + i);
                int k = c.c.send(buf, 0, n);
                if (k > n) return "invariant: send took " + k + " of " + n + " bytes";
                if (k > 0) c.sent += k;
            }
            case READ -> {
                int want = Math.max(1, Math.min(app.n(), buf.length));
                for (int round = 0; round < 4; round++) {
                    int k = c.c.receive(buf, 0, want);
                    if (k == 0) {
                        c.eof = true;
                        break;
                    }
                    if (k < 0) break;
                    if (k > want) return "invariant: receive gave " + k + " bytes for " + want;
                    if (c.eof) return "invariant: " + k + " bytes read after end of stream (" + c.read + " bytes before it) on " + c.c;
                    int base = c.c.irs() + 1 + (int) c.read;
                    for (int i = 0; i < k; i++) {
                        if (buf[i] != Mutator.at(base + i)) {
                            return "invariant: byte " + (c.read + i) + " of the stream (seq " + Integer.toUnsignedString(base + i)
                                    + ") is wrong on " + c.c;
                        }
                    }
                    c.read += k;
                }
            }
            case SHUTDOWN -> c.c.shutdownOutput();
            case CLOSE -> c.c.close();
            case ABORT -> c.c.abort();
            default -> throw new IllegalStateException();
        }
        return null;
    }

    /** The invariants that hold after every action (see the class comment); the first broken one, or null. */
    String invariants() {
        if (badEmitted != null) return "invariant: " + badEmitted;
        for (Stack h : hosts) {
            for (Counter c : COUNTERS) {
                if (h.counters().get(c) < 0) return "invariant: " + h.name() + " counter " + c + " is " + h.counters().get(c);
            }
            for (TcpConnection c : h.connections()) {
                String why = connection(c);
                if (why != null) return "invariant: " + h.name() + " " + why + " on " + c;
            }
        }
        for (int side = 0; side < 2; side++) {
            for (Conn c : conns[side]) {
                String why = delivered(c);
                if (why != null) return "invariant: " + hosts[side].name() + " " + why + " on " + c.c;
            }
        }
        int max = listener.backlog() + 1;
        if (listener.synQueueLength() > max) return "invariant: SYN queue " + listener.synQueueLength() + " > backlog + 1 = " + max;
        if (listener.acceptQueueLength() > max) return "invariant: accept queue " + listener.acceptQueueLength() + " > backlog + 1 = " + max;
        return null;
    }

    /**
     * Bytes accepted = bytes delivered: in a synchronized state before a FIN, what RCV.NXT has passed
     * (less the SYN) is what the application read plus what waits to be read. After a FIN, at most that:
     * Linux lets RCV.NXT run past its FIN when a later segment overlaps it (tcp_data_queue's "partial
     * packet" goes to queue_and_out, and tcp_queue_rcv sets rcv_nxt to its end_seq), while the reader
     * stops at the FIN. Measured: Linux 6.18, packetdrill in a netns, server in CLOSE_WAIT after
     * {@code F. 1:1(0)} (ACK 2) answers {@code F. 1:2(1)} with {@code . 1:1(0) ack 3}, and read() returns 0.
     */
    private static String delivered(Conn c) {
        TcpState s = c.c.state();
        int fin = switch (s) {
            case ESTABLISHED, FIN_WAIT1, FIN_WAIT2 -> 0;
            case CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT -> 1;
            default -> -1;
        };
        if (fin < 0) return null;
        long accepted = Integer.toUnsignedLong(c.c.rcvNxt() - c.c.irs() - 1 - fin);
        long delivered = c.read + c.c.readable();
        if (fin == 0 ? accepted != delivered : delivered > accepted) {
            return "accepted " + accepted + " bytes (RCV.NXT - IRS - 1" + (fin > 0 ? " - FIN" : "") + ") but delivered " + delivered
                    + " (read " + c.read + " + Recv-Q " + c.c.readable() + ")";
        }
        return null;
    }

    private static String connection(TcpConnection c) {
        TcpInfo i = c.info();
        int out = i.unacked();
        if (out < 0 || i.sacked() < 0 || i.lost() < 0 || i.retrans() < 0) {
            return "negative counts: packets_out " + out + " sacked_out " + i.sacked() + " lost_out " + i.lost() + " retrans_out " + i.retrans();
        }
        if (i.sacked() + i.lost() > out) return "sacked_out " + i.sacked() + " + lost_out " + i.lost() + " > packets_out " + out;
        if (i.retrans() > out) return "retrans_out " + i.retrans() + " > packets_out " + out;
        // tcp_info's own bounds: icsk_rto within (0, TCP_RTO_MAX] (inet_csk_rto_backoff clamps it); cwnd ≥ 1
        // (tcp_snd_cwnd_set WARNs on ≤ 0) and ssthresh ≥ 2 (every ssthresh op floors at 2); windows,
        // backoff and probe counts not negative; an MSS once the handshake is done.
        if (i.rtoUs() <= 0 || i.rtoUs() > 120_000_000L) return "rto " + i.rtoUs() + " us outside (0, TCP_RTO_MAX]";
        if (i.sndCwnd() < 1) return "cwnd " + i.sndCwnd();
        if (i.sndSsthresh() < 2) return "ssthresh " + i.sndSsthresh();
        if (i.sndWnd() < 0 || i.rcvWnd() < 0) return "negative window: snd_wnd " + i.sndWnd() + " rcv_wnd " + i.rcvWnd();
        if (i.backoff() < 0 || i.retransmits() < 0 || i.probes() < 0) {
            return "negative backoff " + i.backoff() + ", retransmits " + i.retransmits() + " or probes " + i.probes();
        }
        TcpState s = c.state();
        if (s != TcpState.SYN_SENT && s != TcpState.SYN_RECV && s != TcpState.CLOSE && i.sndMss() <= 0) return "mss " + i.sndMss();
        if (i.recvQ() < 0 || i.sendQ() < 0) return "negative queue: Recv-Q " + i.recvQ() + " Send-Q " + i.sendQ();
        // tcp_sendmsg_locked starts a new skb only below sk_sndbuf but fills the tail skb up to size_goal
        // (at most 64 KB) first, and a tail skb partly sent (tso_fragment) fills up again: the queue stays
        // within sk_sndbuf + what is in flight + one size_goal.
        int cap = c.sendBufferCapacity();
        long bound = cap + (long) out * Math.max(i.sndMss(), 1) + 65_536;
        if (cap > 0 && i.sendQ() > bound) return "Send-Q " + i.sendQ() + " > sk_sndbuf " + cap + " + in flight + 64 KB";
        return null;
    }

    // ---- generating actions -------------------------------------------------------------------------

    /** The next action, drawn from {@code r} and what the episode holds now. */
    Action next(SplittableRandom r, int step, int closeFrom) {
        if (step == 0 || !live() && r.nextInt(3) == 0) return new Action.App(0, 0, Action.Op.CONNECT, 1 + r.nextInt(7));
        int roll = r.nextInt(100);
        boolean pending = !wire[0].isEmpty() || !wire[1].isEmpty();
        if (pending && roll < 38) {
            int to = wire[0].isEmpty() ? 1 : wire[1].isEmpty() ? 0 : r.nextInt(2);
            int index = r.nextInt(4) == 0 ? r.nextInt(WIRE_MAX) : 0;
            int kind = r.nextInt(40);
            if (kind == 0) return new Action.Lose(to, index);
            if (kind == 1) return new Action.Duplicate(to, index);
            return new Action.Deliver(to, index);
        }
        if (roll < 68) return inject(r);
        if (roll < 90) {
            int side = r.nextInt(2);
            int conn = r.nextInt(4);
            int n = switch (r.nextInt(4)) {
                case 0 -> 1 + r.nextInt(10);
                case 1 -> 1 + r.nextInt(1500);
                case 2 -> 1 + r.nextInt(20_000);
                default -> 1 + r.nextInt(70_000);
            };
            int k = r.nextInt(100);
            Action.Op op;
            if (step >= closeFrom && k < 25) op = r.nextBoolean() ? Action.Op.CLOSE : Action.Op.SHUTDOWN;
            else if (k < 40) op = Action.Op.SEND;
            else if (k < 75) op = Action.Op.READ;
            else if (k < 85) op = Action.Op.ACCEPT;
            else if (k < 89) op = Action.Op.CONNECT;
            else if (k < 94) op = Action.Op.SHUTDOWN;
            else if (k < 99) op = Action.Op.CLOSE;
            else op = Action.Op.ABORT;
            if (op == Action.Op.ACCEPT) side = 1;
            if (op == Action.Op.CONNECT && r.nextInt(4) != 0) side = 0;
            return new Action.App(side, conn, op, n);
        }
        long ns = switch (r.nextInt(10)) {
            case 0 -> 1_000_000L;
            case 1 -> 10_000_000L;
            case 2 -> 41_000_000L;
            case 3 -> 200_000_000L;
            case 4 -> 1_000_000_000L;
            case 5 -> 3_000_000_000L;
            case 6 -> 31_000_000_000L;
            case 7 -> 61_000_000_000L;
            case 8 -> 130_000_000_000L;
            default -> r.nextLong(1, 2_000_000_000L);
        };
        return new Action.Advance(ns);
    }

    /** A fuzzer packet: mostly a mutated copy of a real segment, else an ICMP error quoting one, or a forged SYN. */
    private Action inject(SplittableRandom r) {
        int kind = r.nextInt(100);
        if (kind < (flood ? 30 : 4) || historyCount[0] + historyCount[1] == 0) {
            StringBuilder how = new StringBuilder("forged SYN ");
            byte[] p = Mutator.forgedSyn(r, B, r.nextInt(8) == 0 ? CLOSED_PORT : PORT);
            if (r.nextInt(8) == 0) p = Mutator.mutateTcp(r, p, how);
            return new Action.Inject(1, p, how.toString().strip());
        }
        int from = historyCount[0] == 0 ? 1 : historyCount[1] == 0 ? 0 : r.nextInt(2);
        int n = Math.min(historyCount[from], HISTORY);
        // mostly the newest packets: they carry the numbers the connection lives at now
        // and mostly packets of a connection the receiver still has (up to three draws)
        byte[] template = null;
        for (int tries = 0; tries < 3 && (template == null || !hasConnection(1 - from, template)); tries++) {
            int back = r.nextInt(3) == 0 ? r.nextInt(n) : r.nextInt(Math.min(n, 3));
            template = history[from][Math.floorMod(historyCount[from] - 1 - back, HISTORY)];
        }
        StringBuilder how = new StringBuilder();
        if (kind < 12) {
            byte[] p = Mutator.icmpFor(r, template, how);
            return new Action.Inject(from, p, how.toString().strip());
        }
        byte[] p = r.nextInt(20) == 0 ? template.clone() : Mutator.mutateTcp(r, template, how);
        int to = r.nextInt(16) == 0 ? from : 1 - from;
        return new Action.Inject(to, p, how.isEmpty() ? "replayed" : how.toString().strip());
    }

    /** Whether host {@code to} has a connection (not closed) for the TCP packet {@code p} addressed to it. */
    private boolean hasConnection(int to, byte[] p) {
        int sport = TcpHeader.srcPort(p, Ipv4.HEADER_LEN), dport = TcpHeader.dstPort(p, Ipv4.HEADER_LEN);
        for (TcpConnection c : hosts[to].connections()) {
            if (c.localPort() == dport && c.remotePort() == sport && c.state() != TcpState.CLOSE) return true;
        }
        return false;
    }

    /** Whether the client has a connection that is not closed. */
    private boolean live() {
        for (Conn c : conns[0]) {
            if (c.c.state() != TcpState.CLOSE) return true;
        }
        return false;
    }

    /** Whether anything is left to do: a connection not closed, or packets on the wire. */
    boolean busy() {
        if (!wire[0].isEmpty() || !wire[1].isEmpty()) return true;
        for (Stack h : hosts) {
            for (TcpConnection c : h.connections()) {
                if (c.state() != TcpState.CLOSE && c.state() != TcpState.LISTEN) return true;
            }
        }
        return false;
    }
}
