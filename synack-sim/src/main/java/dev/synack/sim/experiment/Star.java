package dev.synack.sim.experiment;

import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.sim.Router;
import dev.synack.sim.SimLink;
import dev.synack.stack.Stack;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.cc.CongestionControl;
import dev.synack.time.Timer;
import dev.synack.time.VirtualScheduler;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Many short flows over a star: a server behind one link to a hub router, {@code clients} clients
 * behind their own links, and {@code flows} transfers of {@code bytes} each from the server, started
 * evenly over {@code spreadS} seconds — the workload ns-3's anchor program {@code star} runs (S5 in the
 * anchors' notes), with its parameters:
 *
 * <pre>
 *   server ── serverRate, 1 ms, 100 packets ── hub ─┬─ 100 Mbit/s, 5 ms, 100 packets ── client 0
 *                                                   ├─ …
 *                                                   └─ 100 Mbit/s, 5 ms, 100 packets ── client N−1
 * </pre>
 *
 * Flow k starts at k·spread/flows: the server connects to client k mod N, port 10000 + k / N, writes
 * {@code bytes} and closes. Its completion time (FCT) is the instant the client has read the last
 * byte less the flow's start (the handshake included). The run ends when every flow has completed,
 * or at {@code maxTimeS}. The hosts run synack's stack with Linux's defaults (ns-3's anchor sets its
 * own: an RTO floor of 1 s, two segments per delayed ACK); only the topology, the sizes and the
 * schedule are ns-3's.
 *
 * @param clients the number of client hosts, 1 to 1000
 * @param flows the number of transfers, 1 to 100000
 * @param bytes the size of each transfer
 * @param spreadS the flows start evenly over this many seconds
 * @param serverRateBps the rate of the server's link (bit/s)
 * @param algorithm congestion control of every host
 * @param maxTimeS virtual-time cap
 * @param seed the network's seed
 */
public record Star(int clients, int flows, long bytes, double spreadS, long serverRateBps, String algorithm, double maxTimeS, long seed) {
    static final int BASE_PORT = 10000;
    static final long CLIENT_RATE_BPS = 100_000_000L;
    static final int QUEUE = 100;

    public Star {
        if (clients < 1 || clients > 1000) throw new IllegalArgumentException("clients must be 1..1000");
        if (flows < 1 || flows > 100_000) throw new IllegalArgumentException("flows must be 1..100000");
        if (flows / clients + 1 > 65535 - BASE_PORT) throw new IllegalArgumentException("too many flows per client");
        if (bytes < 1 || bytes > (1L << 30)) throw new IllegalArgumentException("bytes must be 1..1 GiB");
        if (!(spreadS >= 0 && spreadS <= 3600)) throw new IllegalArgumentException("spread must be 0..3600 s");
        if (serverRateBps <= 0) throw new IllegalArgumentException("the server's rate must be > 0");
        if (!CongestionControl.names().contains(algorithm)) {
            throw new IllegalArgumentException("unknown congestion control '" + algorithm + "' (available: "
                    + String.join(", ", CongestionControl.names()) + ")");
        }
        if (!(maxTimeS > 0 && maxTimeS <= 3600)) throw new IllegalArgumentException("max time must be in (0, 3600] s");
    }

    /** ns-3's S5 defaults: 100 clients, 1,000 flows of 100 KiB over 10 s, a 1 Gbit/s server link, NewReno, 120 s cap. */
    public static Star defaults() { return new Star(100, 1000, 100 * 1024, 10, 1_000_000_000L, "newreno", 120, 1); }

    /**
     * What a run measured.
     *
     * @param spec the workload
     * @param fctsMs each completed flow's completion time in ms, in flow order
     * @param endNs the virtual time the run ended
     * @param events scheduler events run
     * @param packets packets sent on all links
     * @param drops packets dropped at full queues
     * @param wallNs wall time of the run
     * @param cpuNs CPU time of the running thread, or -1
     * @param heapBytes heap in use after a collection at the end of the run, before the network is released
     */
    public record Result(Star spec, double[] fctsMs, long endNs, long events, long packets, long drops, long wallNs, long cpuNs,
                         long heapBytes) {
        /** The nearest-rank percentile q (0..1) of the completion times, as ns-3's anchor computes it. */
        public double fctPercentileMs(double q) {
            if (fctsMs.length == 0) return Double.NaN;
            double[] v = fctsMs.clone();
            Arrays.sort(v);
            int r = (int) Math.ceil(q * v.length);
            return v[Math.max(r, 1) - 1];
        }

        public double fctMeanMs() { return Arrays.stream(fctsMs).average().orElse(Double.NaN); }

        /** The result as {@code key=value} lines, the anchor's own output form, so the two can be set side by side. */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            Star s = spec;
            sb.append(String.format(Locale.ROOT, "scenario=star cc=%s clients=%d flows=%d bytes=%d spread_s=%s server_link=%s/1ms "
                            + "client_links=100Mbps/5ms queue=%dp base_rtt_ms=12%n", s.algorithm, s.clients, s.flows, s.bytes,
                    trim(s.spreadS), rateText(s.serverRateBps), QUEUE));
            sb.append(String.format(Locale.ROOT, "events=%d%npackets=%d%nqueue_drops=%d%nsim_time_s=%.3f%nrun_wall_s=%.3f%n",
                    events, packets, drops, endNs / 1e9, wallNs / 1e9));
            if (cpuNs >= 0) sb.append(String.format(Locale.ROOT, "run_cpu_s=%.3f%n", cpuNs / 1e9));
            sb.append(String.format(Locale.ROOT, "heap_mib=%.1f%n", heapBytes / (1024.0 * 1024)));
            sb.append(String.format(Locale.ROOT, "completed=%d/%d%n", fctsMs.length, s.flows));
            if (fctsMs.length > 0) {
                sb.append(String.format(Locale.ROOT, "fct_ms_min=%.3f%nfct_ms_median=%.3f%nfct_ms_mean=%.3f%nfct_ms_p90=%.3f%nfct_ms_p99=%.3f%nfct_ms_max=%.3f%n",
                        fctPercentileMs(0), fctPercentileMs(0.5), fctMeanMs(), fctPercentileMs(0.9), fctPercentileMs(0.99), fctPercentileMs(1)));
            }
            return sb.toString();
        }

        /** A rate as ns-3 writes it: "1Gbps", "100Mbps". */
        static String rateText(long bps) {
            if (bps % 1_000_000_000L == 0) return bps / 1_000_000_000L + "Gbps";
            if (bps % 1_000_000L == 0) return bps / 1_000_000L + "Mbps";
            if (bps % 1_000L == 0) return bps / 1_000L + "kbps";
            return bps + "bps";
        }

        private static String trim(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }
    }

    /** Runs the workload. */
    public Result run() { return new Run(this).run(); }

    /** One run's state: the network, the flows and their completion times. */
    private static final class Run {
        final Star spec;
        final Network network;
        final VirtualScheduler sched;
        final byte[] chunk = new byte[64 * 1024];
        final byte[] sink = new byte[64 * 1024];
        final long[] doneNs;
        final long[] startNs;
        final Flow[] flows;
        int completed;
        Stack server;
        final List<Stack> clientStacks = new ArrayList<>();

        Run(Star spec) {
            this.spec = spec;
            this.network = new Network(spec.seed);
            this.sched = network.scheduler();
            this.doneNs = new long[spec.flows];
            this.startNs = new long[spec.flows];
            this.flows = new Flow[spec.flows];
            Arrays.fill(doneNs, -1);
        }

        Result run() {
            build();
            long endNs = (long) (spec.maxTimeS * 1e9);
            var mx = ManagementFactory.getThreadMXBean();
            long cpu0 = mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : -1;
            long wall0 = System.nanoTime();
            long events = 0;
            int next = 0; // the next flow to start
            while (completed < spec.flows) {
                // Each flow starts at its instant before any timer due then, as a timer armed before all
                // others would (build arms none): not a thousand start timers in the scheduler's heap,
                // which every other timer's arming and firing walked past. A start counts as an event.
                if (next < spec.flows && startNs[next] <= endNs && startNs[next] <= sched.nextDeadlineNs()) {
                    sched.advanceTo(startNs[next]);
                    flows[next++].connect();
                } else if (!sched.runNext(endNs)) {
                    break;
                }
                events++;
            }
            long wallNs = System.nanoTime() - wall0;
            long cpuNs = cpu0 < 0 ? -1 : mx.getCurrentThreadCpuTime() - cpu0;
            long packets = 0, drops = 0;
            for (SimLink l : network.links()) {
                packets += l.sent();
                drops += l.queueDrops();
            }
            List<Double> fcts = new ArrayList<>();
            for (int k = 0; k < spec.flows; k++) if (doneNs[k] >= 0) fcts.add((doneNs[k] - startNs[k]) / 1e6);
            long heap = heapAfterGc();
            return new Result(spec, fcts.stream().mapToDouble(Double::doubleValue).toArray(), network.nowNs(), events, packets, drops,
                    wallNs, cpuNs, heap);
        }

        void build() {
            network.trace().keepCwndSamples(false);
            String[] hubAddrs = new String[spec.clients + 1];
            hubAddrs[0] = "10.0.0.254/24";
            for (int j = 0; j < spec.clients; j++) hubAddrs[j + 1] = clientNet(j) + ".254/24";
            Router hub = network.router("hub", hubAddrs);
            Host s = network.host("server", "10.0.0.1/24").route("0.0.0.0/0", "10.0.0.254");
            s.stack().setTracer(null);
            network.link(s, hub, link(spec.serverRateBps, 1));
            server = s.stack();
            List<Host> clients = new ArrayList<>();
            for (int j = 0; j < spec.clients; j++) {
                Host c = network.host("c" + j, clientNet(j) + ".1/24").route("0.0.0.0/0", clientNet(j) + ".254");
                c.stack().setTracer(null);
                clients.add(c);
                clientStacks.add(c.stack());
            }
            for (Host c : clients) network.link(hub, c, link(CLIENT_RATE_BPS, 5));
            network.trace().clear();
            for (int k = 0; k < spec.flows; k++) {
                startNs[k] = (long) (k * spec.spreadS * 1e9 / spec.flows);
                flows[k] = new Flow(this, k);
            }
            // The loop in run() starts each flow ahead of every timer due at its instant: right only while
            // building the network and the listeners arms none.
            if (sched.pending() != 0) throw new IllegalStateException("building the star armed " + sched.pending() + " timers");
        }

        /** A link of {@code rateBps} and {@code delayMs} each way, with ns-3's anchor queue of 100 packets. */
        static LinkSpec link(long rateBps, int delayMs) {
            return LinkSpec.builder().delay(Duration.ofMillis(delayMs)).rate(rateBps).queue(QUEUE).build();
        }

        static String clientNet(int j) { return "10." + (1 + j / 250) + "." + (j % 250) + ""; }

        private static long heapAfterGc() {
            var mem = ManagementFactory.getMemoryMXBean();
            System.gc();
            return mem.getHeapMemoryUsage().getUsed();
        }
    }

    /** One transfer: the client's listener and reader, the server's connection and writer. */
    private static final class Flow {
        final Run run;
        final int k;
        final Stack client;
        final SocketOptions opts = new SocketOptions();
        TcpListener listener;
        TcpConnection tx, rx;
        long written, received;
        final Timer writeTimer, readTimer;

        Flow(Run run, int k) {
            this.run = run;
            this.k = k;
            Star spec = run.spec;
            this.client = run.clientStacks.get(k % spec.clients);
            opts.congestion = spec.algorithm;
            int port = BASE_PORT + k / spec.clients;
            try {
                listener = client.listen(client.bind(0, port, opts), 16);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
            listener.setObserver(() -> {
                TcpConnection c;
                while ((c = listener.accept()) != null) {
                    rx = c;
                    c.setObserver(this::readSoon);
                    readSoon();
                }
            });
            writeTimer = Timer.of(this::write);
            readTimer = Timer.of(this::read);
        }

        private void connect() {
            try {
                tx = run.server.connect(null, client.primaryAddress(), listener.localPort(), opts);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
            tx.setObserver(this::writeSoon);
        }

        private void writeSoon() {
            if (tx != null && written < run.spec.bytes && !writeTimer.isArmed() && tx.writable()) run.sched.schedule(writeTimer, run.sched.nowNs());
        }

        private void write() {
            if (tx == null) return;
            long left;
            int n;
            while ((left = run.spec.bytes - written) > 0 && (n = tx.send(run.chunk, 0, (int) Math.min(run.chunk.length, left))) > 0) {
                written += n;
            }
            if (written == run.spec.bytes) {
                tx.close(); // then FIN, as ns-3's BulkSend with MaxBytes
                tx.setObserver(null);
                tx = null; // the kernel keeps the connection until it is done; the application forgets it
            }
        }

        private void readSoon() {
            if (!readTimer.isArmed() && rx != null && rx.readable0()) run.sched.schedule(readTimer, run.sched.nowNs());
        }

        private void read() {
            if (rx == null) return;
            int n;
            while ((n = rx.receive(run.sink, 0, run.sink.length)) > 0) received += n;
            if (received >= run.spec.bytes && run.doneNs[k] < 0) {
                run.doneNs[k] = run.sched.nowNs();
                run.completed++;
                rx.close();
                listener.close();
                rx.setObserver(null);
                rx = null;
            }
        }
    }
}
