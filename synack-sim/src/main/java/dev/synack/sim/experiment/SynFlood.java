package dev.synack.sim.experiment;

import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.sim.Router;
import dev.synack.sim.SimLink;
import dev.synack.stack.Stack;
import dev.synack.stats.Counter;
import dev.synack.stats.Counters;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.TcpState;
import dev.synack.time.Timer;
import dev.synack.time.VirtualScheduler;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A SYN flood in the lab: spoofed SYNs at {@code synRate} per second from random sources in
 * 198.18.0.0/15 (RFC 2544's benchmarking range) reach a server's listener, while {@code clients}
 * legitimate connects from one client host arrive evenly spread over the flood:
 *
 * <pre>
 *   clients ─┐                           (RTT/2 each way)
 *            ├── edge ═════════════════════════════════ server :80 (listen backlog)
 *   dark ────┘   ▲ spoofed SYNs enter here, towards the server
 * </pre>
 *
 * The server's SYN-ACKs to the spoofed sources go to "dark" (198.18.0.0/15), which drops them. Each
 * legitimate connect counts as a success when the server's application accepted it; its latency is
 * the client's, from connect() to ESTABLISHED. The server accepts at once and keeps what it accepted.
 * Run for {@code durationS} of flood, then one second more for late handshakes.
 *
 * @param synRate spoofed SYNs per second (0 = no flood)
 * @param clients legitimate connects
 * @param durationS seconds of flood
 * @param rttMs round-trip time between the clients and the server
 * @param backlog the server's listen() backlog
 * @param syncookies the server's tcp_syncookies (0, 1, 2)
 * @param seed the network's and the flood's seed
 */
public record SynFlood(int synRate, int clients, double durationS, int rttMs, int backlog, int syncookies, long seed) {
    public static final int PORT = 80;
    /** One jiffy at HZ=250: "within one RTT + a jiffy". */
    public static final long JIFFY_NS = 4_000_000;

    public SynFlood {
        if (synRate < 0 || synRate > 10_000_000) throw new IllegalArgumentException("SYN rate must be 0..10000000 per second");
        if (clients < 1 || clients > 20_000) throw new IllegalArgumentException("clients must be 1..20000");
        if (!(durationS > 0 && durationS <= 60)) throw new IllegalArgumentException("duration must be in (0, 60] s");
        if (rttMs < 1 || rttMs > 10_000) throw new IllegalArgumentException("rtt must be 1..10000 ms");
        if (backlog < 0 || backlog > 65_535) throw new IllegalArgumentException("backlog must be 0..65535");
        if (syncookies < 0 || syncookies > 2) throw new IllegalArgumentException("tcp_syncookies must be 0, 1 or 2");
    }

    /** What a run measured. */
    public record Outcome(SynFlood spec, long spoofedSent, int established, int withinRttJiffy, long[] latenciesNs,
                          int maxSynQueue, int finalSynQueue, long outSegs, long cookiesSent, long cookiesRecv,
                          long cookiesFailed, long reqQFullDoCookies, long reqQFullDrop, long listenDrops,
                          long heapStartBytes, long heapEndBytes, long events, long wallNs, String warning) {
        /** The {@code p}-th percentile of the latencies of the connects that succeeded, in ms; NaN if none. */
        public double latencyMs(double p) {
            if (latenciesNs.length == 0) return Double.NaN;
            long[] s = latenciesNs.clone();
            Arrays.sort(s);
            int i = (int) Math.ceil(p / 100 * s.length) - 1;
            return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
        }

        public double successRate() { return 100.0 * withinRttJiffy / spec.clients; }

        public String summary() {
            var sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "SYN flood: %,d SYN/s from 198.18.0.0/15 for %.1f s (%,d spoofed SYNs), %d legitimate clients, "
                    + "RTT %d ms, backlog %d, tcp_syncookies=%d%n", spec.synRate, spec.durationS, spoofedSent, spec.clients,
                    spec.rttMs, spec.backlog, spec.syncookies));
            sb.append(String.format(Locale.ROOT, "legitimate: %d/%d accepted within RTT + jiffy (%d ms): %.1f %%; %d/%d accepted by the end%n",
                    withinRttJiffy, spec.clients, (spec.rttMs * 1_000_000L + JIFFY_NS) / 1_000_000, successRate(),
                    established, spec.clients));
            sb.append(established == 0 ? "connect latency: -\n"
                    : String.format(Locale.ROOT, "connect latency: median %.1f ms, p99 %.1f ms, max %.1f ms%n",
                            latencyMs(50), latencyMs(99), latencyMs(100)));
            sb.append(String.format(Locale.ROOT, "SYN queue: max %d, at the end %d (holds backlog + 1 = %d)%n",
                    maxSynQueue, finalSynQueue, spec.backlog + 1));
            sb.append(String.format(Locale.ROOT, "server: TcpOutSegs %,d; SyncookiesSent %,d, SyncookiesRecv %,d, SyncookiesFailed %,d; "
                    + "TCPReqQFullDoCookies %,d, TCPReqQFullDrop %,d, ListenDrops %,d%n", outSegs, cookiesSent, cookiesRecv,
                    cookiesFailed, reqQFullDoCookies, reqQFullDrop, listenDrops));
            if (warning != null) sb.append("server log: ").append(warning).append('\n');
            sb.append(String.format(Locale.ROOT, "heap used after GC: %.1f MB before the flood, %.1f MB after (%+.1f MB)%n",
                    heapStartBytes / 1e6, heapEndBytes / 1e6, (heapEndBytes - heapStartBytes) / 1e6));
            sb.append(String.format(Locale.ROOT, "simulation: %,d events in %.2f s wall%n", events, wallNs / 1e9));
            return sb.toString();
        }
    }

    /** Runs the flood and returns what it measured. */
    public Outcome run() { return new Run(this).run(); }

    private static final class Run {
        final SynFlood spec;
        final Network net;
        final VirtualScheduler sched;
        final SplittableRandom rnd;
        Host server, clientHost;
        SimLink toServer;
        TcpListener listener;
        final List<TcpConnection> accepted = new ArrayList<>();
        final long[] connectNs, establishedNs;
        final boolean[] acceptedByServer;
        final java.util.Map<Integer, Integer> clientByPort = new java.util.HashMap<>();
        final TcpConnection[] conns;
        long spoofed, events;
        int maxSynQueue;
        final byte[] synBuf = new byte[80];

        Run(SynFlood spec) {
            this.spec = spec;
            this.net = new Network(spec.seed);
            this.sched = net.scheduler();
            this.rnd = new SplittableRandom(spec.seed ^ 0x5F100DL);
            connectNs = new long[spec.clients];
            establishedNs = new long[spec.clients];
            acceptedByServer = new boolean[spec.clients];
            conns = new TcpConnection[spec.clients];
        }

        void build() {
            net.trace().keepCwndSamples(false);
            Router edge = net.router("edge", "10.0.0.254/24", "10.1.0.254/24", "198.19.255.254/15");
            server = net.host("server", "10.0.0.1/24").route("0.0.0.0/0", "10.0.0.254");
            clientHost = net.host("clients", "10.1.0.1/24").route("0.0.0.0/0", "10.1.0.254");
            Host dark = net.host("dark", "198.18.0.1/15").route("0.0.0.0/0", "198.19.255.254");
            for (Host h : List.of(server, clientHost, dark)) h.stack().setTracer(null);
            server.stack().config().set("tcp_syncookies", Integer.toString(spec.syncookies));
            LinkSpec wan = LinkSpec.builder().delay(Duration.ofNanos(spec.rttMs * 1_000_000L / 2)).queue(1_000_000).build();
            toServer = net.link(edge, server, wan).forward();
            net.link(edge, clientHost, LinkSpec.IDEAL);
            net.link(edge, dark, LinkSpec.IDEAL);
            net.trace().clear();
            try {
                listener = server.stack().listen(server.stack().bind(0, PORT, new SocketOptions()), spec.backlog);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
            int serverAddr = server.stack().primaryAddress();
            listener.setObserver(() -> {
                TcpConnection c;
                while ((c = listener.accept()) != null) {
                    accepted.add(c);
                    Integer i = c.remoteAddr() == clientHost.stack().primaryAddress() ? clientByPort.get(c.remotePort()) : null;
                    if (i != null) acceptedByServer[i] = true;
                }
            });
            long floodNs = (long) (spec.durationS * 1e9);
            for (int i = 0; i < spec.clients; i++) {
                int k = i;
                long at = (long) ((i + rnd.nextDouble()) * floodNs / spec.clients);
                sched.schedule(Timer.of(() -> connect(k, serverAddr)), at);
            }
            if (spec.synRate > 0) {
                Timer flood = new Timer() {
                    @Override
                    protected void fire(long nowNs) {
                        spoof(serverAddr);
                        long next = (long) ((spoofed + 0.0) * 1e9 / spec.synRate);
                        if (next < floodNs) sched.schedule(this, next);
                    }
                };
                sched.schedule(flood, 0);
            }
            Timer sampler = new Timer() {
                @Override
                protected void fire(long nowNs) {
                    maxSynQueue = Math.max(maxSynQueue, listener.synQueueLength());
                    if (nowNs < floodNs + 1_000_000_000L) sched.schedule(this, nowNs + 1_000_000);
                }
            };
            sched.schedule(sampler, 0);
        }

        void connect(int i, int serverAddr) {
            try {
                TcpConnection c = clientHost.stack().connect(null, serverAddr, PORT, new SocketOptions());
                conns[i] = c;
                clientByPort.put(c.localPort(), i);
                connectNs[i] = sched.nowNs();
                c.setObserver(() -> {
                    if (establishedNs[i] == 0 && c.state() == TcpState.ESTABLISHED) establishedNs[i] = sched.nowNs();
                });
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        }

        /** One spoofed SYN, as Linux's connect() would send it (MSS, SACK, timestamps, wscale 7), onto the server's link. */
        void spoof(int serverAddr) {
            int src = Ipv4.parse("198.18.0.0") + rnd.nextInt(1 << 17);
            int port = 1024 + rnd.nextInt(65536 - 1024);
            TcpSegment syn = new TcpSegment(port, PORT, rnd.nextInt(), 0, TcpHeader.SYN, 64240,
                    List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(rnd.nextInt(), 0),
                            new TcpOption.Nop(), new TcpOption.WindowScale(7)), new byte[0]);
            int len = syn.encodedLength();
            syn.encode(synBuf, 20, src, serverAddr);
            Ipv4.write(synBuf, 0, src, serverAddr, Ipv4.PROTO_TCP, 64, (int) spoofed & 0xFFFF, len);
            toServer.transmit(synBuf, 0, 20 + len);
            spoofed++;
        }

        Outcome run() {
            build();
            long heapStart = heapAfterGc();
            long endNs = (long) (spec.durationS * 1e9) + 1_000_000_000L;
            long wall0 = System.nanoTime();
            while (sched.runNext(endNs)) events++;
            long wallNs = System.nanoTime() - wall0;
            long heapEnd = heapAfterGc();
            int established = 0, within = 0;
            long limitNs = spec.rttMs * 1_000_000L + JIFFY_NS;
            long[] lat = new long[spec.clients];
            for (int i = 0; i < spec.clients; i++) {
                if (!acceptedByServer[i] || establishedNs[i] == 0) continue;
                long l = establishedNs[i] - connectNs[i];
                lat[established++] = l;
                if (l <= limitNs) within++;
            }
            Counters c = server.stack().counters();
            return new Outcome(spec, spoofed, established, within, Arrays.copyOf(lat, established), maxSynQueue,
                    listener.synQueueLength(), c.get(Counter.TcpOutSegs), c.get(Counter.TcpExtSyncookiesSent),
                    c.get(Counter.TcpExtSyncookiesRecv), c.get(Counter.TcpExtSyncookiesFailed),
                    c.get(Counter.TcpExtTCPReqQFullDoCookies), c.get(Counter.TcpExtTCPReqQFullDrop),
                    c.get(Counter.TcpExtListenDrops), heapStart, heapEnd, events, wallNs, listener.synFloodWarning());
        }

        /** Heap in use after a full collection (the same measure before and after, so the difference is what the run kept). */
        private static long heapAfterGc() {
            var mem = ManagementFactory.getMemoryMXBean();
            for (int i = 0; i < 2; i++) System.gc();
            return mem.getHeapMemoryUsage().getUsed();
        }
    }
}
