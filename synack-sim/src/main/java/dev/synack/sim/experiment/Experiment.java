package dev.synack.sim.experiment;

import dev.synack.sim.Aqm;
import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.sim.Router;
import dev.synack.sim.SimLink;
import dev.synack.stack.Stack;
import dev.synack.stats.Counter;
import dev.synack.tcp.cc.CongestionControl;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpListener;
import dev.synack.time.Timer;
import dev.synack.time.VirtualScheduler;
import dev.synack.wire.Ipv4;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A bulk-transfer experiment over a dumbbell: {@code flows} senders, each behind its own access link,
 * share one bottleneck between two routers, towards as many receivers:
 *
 * <pre>
 *   s0 ─┐                                              ┌─ r0
 *   s1 ─┼─ left ══ rate, queue, loss, RTT/2 each way ══ right ─┼─ r1
 *   …  ─┘                                              └─ …
 * </pre>
 *
 * Access links are ideal (no delay, no rate), so the round-trip propagation time is {@code rttMs}
 * and the bottleneck's queue (drop-tail, or an {@link Aqm}, in the data direction) is the only one. Random loss applies to the data direction
 * only (the ACK path is clean), as in the Mathis model. Each sender writes as fast as its socket
 * takes data (a bulk flow: the application is never the limit), each receiver reads everything as
 * soon as it arrives. Flow i connects at a seeded random instant in the first RTT, so flows are not
 * synchronised by construction.
 *
 * <p>The applications are driven by the connections' observers, deferred to a zero-delay timer so no
 * application call is made from inside the stack's processing (as a woken process would run after
 * the softirq). No packet is copied into a trace: the network's trace is disabled for speed, and the
 * per-flow samples come from {@link TcpConnection#info()} every {@code sampleMs}.
 *
 * @param rateBps bottleneck rate in bits/s; 0 = unlimited (no queue: loss and RTT alone limit the flows)
 * @param rttMs round-trip propagation delay
 * @param queuePackets bottleneck drop-tail queue in packets; 0 = one bandwidth-delay product
 * @param loss random loss probability of each data-direction packet at the bottleneck
 * @param flows number of bulk flows
 * @param algorithm congestion control ("cubic", "reno", "newreno")
 * @param durationS virtual duration in seconds
 * @param seed the network's seed
 * @param mtu interface MTU (the lab's interfaces have 1500; MSS = MTU − 52 with timestamps: 1448)
 * @param sampleMs interval between per-flow samples, ms (0 = one RTT)
 * @param dropAtMs when &gt; 0, the first data packet offered to the bottleneck at or after this virtual
 *     time is lost (one forced loss, e.g. to watch CUBIC recover from a known W_max)
 * @param reorder probability that a data packet skips the bottleneck's propagation delay (netem's
 *     "reorder"), arriving up to RTT/2 ahead of packets sent before it
 * @param sysctls "name=value" settings for every host (e.g. "tcp_recovery=0" to compare loss
 *     detection without RACK, "tcp_frto=0"), applied before the hosts are made
 * @param aqm the bottleneck's queue discipline in the data direction ({@link Aqm#DROP_TAIL}: a FIFO of
 *     {@link #queue()} packets, as before AQMs; the ACK direction stays drop-tail)
 * @param ecn every host asks for ECN (tcp_ecn = 1; RFC 3168), so data is ECT(0) and an AQM that marks
 *     sends CE instead of drops
 */
public record Experiment(long rateBps, int rttMs, int queuePackets, double loss, int flows, String algorithm,
                         double durationS, long seed, int mtu, double sampleMs, double dropAtMs, double reorder,
                         List<String> sysctls, Aqm aqm, boolean ecn) {
    public static final int PORT = 5001;

    public Experiment {
        if (rateBps < 0) throw new IllegalArgumentException("rate must be >= 0");
        if (rttMs < 1 || rttMs > 10_000) throw new IllegalArgumentException("rtt must be 1..10000 ms");
        if (queuePackets < 0) throw new IllegalArgumentException("queue must be >= 0");
        if (!(loss >= 0 && loss < 1)) throw new IllegalArgumentException("loss must be in [0, 1)");
        if (flows < 1 || flows > 200) throw new IllegalArgumentException("flows must be 1..200");
        if (!CongestionControl.names().contains(algorithm)) {
            throw new IllegalArgumentException("unknown congestion control '" + algorithm + "' (available: "
                    + String.join(", ", CongestionControl.names()) + ")");
        }
        if (!(durationS > 0 && durationS <= 3600)) throw new IllegalArgumentException("duration must be in (0, 3600] s");
        if (mtu != 1500) throw new IllegalArgumentException("the lab's interfaces have MTU 1500");
        if (sampleMs < 0) throw new IllegalArgumentException("sample interval must be >= 0");
        if (dropAtMs < 0) throw new IllegalArgumentException("drop time must be >= 0");
        if (!(reorder >= 0 && reorder < 1)) throw new IllegalArgumentException("reorder must be in [0, 1)");
        java.util.Objects.requireNonNull(aqm, "aqm");
        if (!(aqm instanceof Aqm.DropTail) && rateBps == 0) throw new IllegalArgumentException("an AQM needs a bottleneck rate");
        sysctls = List.copyOf(sysctls);
        dev.synack.tcp.TcpConfig probe = new dev.synack.tcp.TcpConfig();
        for (String kv : sysctls) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("sysctl '" + kv + "': expected name=value");
            probe.set(kv.substring(0, eq), kv.substring(eq + 1)); // unknown names and bad values fail here
        }
    }

    /** An experiment without reordering. */
    public Experiment(long rateBps, int rttMs, int queuePackets, double loss, int flows, String algorithm,
                      double durationS, long seed, int mtu, double sampleMs, double dropAtMs) {
        this(rateBps, rttMs, queuePackets, loss, flows, algorithm, durationS, seed, mtu, sampleMs, dropAtMs, 0, List.of());
    }

    /** An experiment through a drop-tail bottleneck, without ECN. */
    public Experiment(long rateBps, int rttMs, int queuePackets, double loss, int flows, String algorithm,
                      double durationS, long seed, int mtu, double sampleMs, double dropAtMs, double reorder,
                      List<String> sysctls) {
        this(rateBps, rttMs, queuePackets, loss, flows, algorithm, durationS, seed, mtu, sampleMs, dropAtMs, reorder, sysctls,
                Aqm.DROP_TAIL, false);
    }

    /** An experiment with the defaults: MTU 1500, samples every RTT. */
    public static Experiment of(long rateBps, int rttMs, int queuePackets, double loss, int flows, String algorithm,
                                double durationS, long seed) {
        return new Experiment(rateBps, rttMs, queuePackets, loss, flows, algorithm, durationS, seed, 1500, 0, 0);
    }

    public Experiment withSampleMs(double ms) {
        return new Experiment(rateBps, rttMs, queuePackets, loss, flows, algorithm, durationS, seed, mtu, ms, dropAtMs, reorder, sysctls, aqm, ecn);
    }

    public Experiment withAlgorithm(String cc) {
        return new Experiment(rateBps, rttMs, queuePackets, loss, flows, cc, durationS, seed, mtu, sampleMs, dropAtMs, reorder, sysctls, aqm, ecn);
    }

    public Experiment withDropAtMs(double ms) {
        return new Experiment(rateBps, rttMs, queuePackets, loss, flows, algorithm, durationS, seed, mtu, sampleMs, ms, reorder, sysctls, aqm, ecn);
    }

    public Experiment withReorder(double p) {
        return new Experiment(rateBps, rttMs, queuePackets, loss, flows, algorithm, durationS, seed, mtu, sampleMs, dropAtMs, p, sysctls, aqm, ecn);
    }

    public Experiment withSysctls(List<String> settings) {
        return new Experiment(rateBps, rttMs, queuePackets, loss, flows, algorithm, durationS, seed, mtu, sampleMs, dropAtMs, reorder, settings, aqm, ecn);
    }

    /** The same experiment through a bottleneck with {@code q} as its queue discipline. */
    public Experiment withAqm(Aqm q) {
        return new Experiment(rateBps, rttMs, queuePackets, loss, flows, algorithm, durationS, seed, mtu, sampleMs, dropAtMs, reorder, sysctls, q, ecn);
    }

    /** The same experiment with every host asking for ECN ({@code on}) or not. */
    public Experiment withEcn(boolean on) {
        return new Experiment(rateBps, rttMs, queuePackets, loss, flows, algorithm, durationS, seed, mtu, sampleMs, dropAtMs, reorder, sysctls, aqm, on);
    }

    /** The MSS of full segments: MTU − 20 (IP) − 20 (TCP) − 12 (timestamps). */
    public int mss() { return mtu - 52; }

    /** One bandwidth-delay product in full-size packets (at least 1; 0 without a rate). */
    public int bdpPackets() {
        if (rateBps == 0) return 0;
        return (int) Math.max(1, Math.round(rateBps * (rttMs / 1000.0) / (8.0 * mtu)));
    }

    /** The bottleneck queue in packets, with 0 resolved to one BDP. */
    public int queue() { return queuePackets > 0 ? queuePackets : Math.max(1, bdpPackets()); }

    /** Payload capacity of the bottleneck in bits/s (full-size segments: rate · MSS / MTU); 0 = unlimited. */
    public double capacityBps() { return rateBps * (double) mss() / mtu; }

    /** Runs the experiment and returns its results. */
    public Result run() { return new Run(this, null).run(); }

    /**
     * Runs the experiment with every host's stack reporting to {@code tap} (its packets, state changes,
     * timers): for tests that check the packets byte for byte. Slower than {@link #run()}, which
     * installs no tracer.
     */
    public Result run(dev.synack.trace.Tracer tap) { return new Run(this, tap).run(); }

    /** The mutable state of one run. */
    private static final class Run {
        final Experiment spec;
        final Network net;
        final VirtualScheduler sched;
        final List<Flow> flows = new ArrayList<>();
        final byte[] chunk = new byte[64 * 1024];
        final byte[] sink = new byte[64 * 1024];
        final dev.synack.trace.Tracer tap;
        SimLink bottleneck;
        long events;

        Run(Experiment spec, dev.synack.trace.Tracer tap) {
            this.spec = spec;
            this.tap = tap;
            this.net = new Network(spec.seed);
            this.sched = net.scheduler();
        }

        Result run() {
            build();
            long endNs = (long) (spec.durationS * 1e9);
            long sampleNs = (long) ((spec.sampleMs > 0 ? spec.sampleMs : spec.rttMs) * 1_000_000L);
            Timer sampler = new Timer() {
                @Override
                protected void fire(long nowNs) {
                    for (Flow f : flows) f.sample(nowNs);
                    if (nowNs + sampleNs <= endNs) sched.schedule(this, nowNs + sampleNs);
                }
            };
            sched.schedule(sampler, 0);
            // The bottleneck's queueing delay, every ms of the second half (the steady state): it reads
            // the link and changes nothing, so the packets are those of a run without it.
            long[] queue = new long[2];
            if (spec.rateBps > 0) {
                Timer queueSampler = new Timer() {
                    @Override
                    protected void fire(long nowNs) {
                        queue[0] += bottleneck.queueDelayNs();
                        queue[1]++;
                        if (nowNs + 1_000_000 <= endNs) sched.schedule(this, nowNs + 1_000_000);
                    }
                };
                sched.schedule(queueSampler, endNs / 2);
            }
            if (spec.dropAtMs > 0) {
                sched.schedule(Timer.of(() -> bottleneck.dropNth(1)), (long) (spec.dropAtMs * 1_000_000L));
            }
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : -1;
            long wall0 = System.nanoTime();
            while (sched.runNext(endNs)) events++;
            long wallNs = System.nanoTime() - wall0;
            long cpuNs = cpu0 < 0 ? -1 : mx.getCurrentThreadCpuTime() - cpu0;
            long packets = 0;
            for (SimLink l : net.links()) packets += l.sent();
            List<Result.FlowResult> out = new ArrayList<>();
            for (Flow f : flows) out.add(f.result());
            Result.Queue q = new Result.Queue(bottleneck.aqmDrops(), bottleneck.ceMarks(), bottleneck.meanSojournNs(),
                    bottleneck.maxSojournNs(), queue[1] == 0 ? 0 : queue[0] / queue[1]);
            return new Result(spec, out, events, packets, bottleneck.sent(), bottleneck.queueDrops(), bottleneck.lost(),
                    wallNs, cpuNs, q);
        }

        void build() {
            net.trace().keepCwndSamples(false);
            if (spec.ecn) net.config().set("tcp_ecn", "1"); // before the sysctls, which may say otherwise
            for (String kv : spec.sysctls) {
                int eq = kv.indexOf('=');
                net.config().set(kv.substring(0, eq), kv.substring(eq + 1));
            }
            int n = spec.flows;
            // Interfaces in the order links attach to them: senders, bottleneck | bottleneck, receivers.
            String[] left = new String[n + 1], right = new String[n + 1];
            for (int i = 0; i < n; i++) {
                left[i] = "10.1." + i + ".254/24";
                right[i + 1] = "10.2." + i + ".254/24";
            }
            left[n] = "10.0.0.1/30";
            right[0] = "10.0.0.2/30";
            Router l = net.router("left", left).route("10.2.0.0/16", "10.0.0.2");
            Router r = net.router("right", right).route("10.1.0.0/16", "10.0.0.1");
            List<Host> senders = new ArrayList<>(), receivers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Host s = net.host("s" + i, "10.1." + i + ".1/24").route("0.0.0.0/0", "10.1." + i + ".254");
                Host d = net.host("r" + i, "10.2." + i + ".1/24").route("0.0.0.0/0", "10.2." + i + ".254");
                // No per-packet trace: nothing reads it, and copying every packet costs more than TCP.
                s.stack().setTracer(tap);
                d.stack().setTracer(tap);
                senders.add(s);
                receivers.add(d);
            }
            for (int i = 0; i < n; i++) net.link(senders.get(i), l, LinkSpec.IDEAL);
            long oneWayNs = spec.rttMs * 1_000_000L / 2;
            LinkSpec fwd = LinkSpec.builder().delay(java.time.Duration.ofNanos(oneWayNs)).rate(spec.rateBps)
                    .queue(spec.queue()).loss(spec.loss).reorder(spec.reorder).aqm(spec.aqm).build();
            LinkSpec back = LinkSpec.builder().delay(java.time.Duration.ofNanos(spec.rttMs * 1_000_000L - oneWayNs))
                    .rate(spec.rateBps).queue(Math.max(spec.queue(), 1000)).build();
            Network.Cable cable = net.link(l, r, fwd);
            cable.backward().setSpec(back);
            bottleneck = cable.forward();
            for (int i = 0; i < n; i++) net.link(r, receivers.get(i), LinkSpec.IDEAL);
            net.trace().clear();

            long bdpBytes = spec.rateBps > 0
                    ? (long) (spec.rateBps / 8.0 * spec.rttMs / 1000) + (long) spec.queue() * spec.mtu
                    : 0;
            // Buffers large enough that neither window limits the flow (the lab does not autotune
            // buffers as Linux's tcp_rcv_space_adjust / tcp_sndbuf_expand do): the receive window
            // (half the buffer, tcp_adv_win_scale 1) covers twice the path's BDP plus its queue.
            int buf = (int) Math.min(64L << 20, Math.max(4L << 20, 4 * bdpBytes));
            SplittableRandom starts = new SplittableRandom(spec.seed ^ 0x5eedL);
            for (int i = 0; i < n; i++) {
                Flow f = new Flow(this, i, senders.get(i).stack(), receivers.get(i).stack(), buf,
                        starts.nextLong(spec.rttMs * 1_000_000L));
                flows.add(f);
            }
        }
    }

    /** One bulk flow: its sender, its receiver, and its samples. */
    private static final class Flow {
        final Run run;
        final int index;
        final Stack sender, receiver;
        final SocketOptions opts = new SocketOptions();
        final FlowTrace trace = new FlowTrace();
        TcpConnection tx, rx;
        long written, received;
        final Timer connectTimer, writeTimer, readTimer;

        Flow(Run run, int index, Stack sender, Stack receiver, int buf, long startNs) {
            this.run = run;
            this.index = index;
            this.sender = sender;
            this.receiver = receiver;
            opts.congestion = run.spec.algorithm;
            opts.sndBuf = buf;
            opts.rcvBuf = buf;
            try {
                TcpListener listener = receiver.listen(receiver.bind(0, PORT, opts), 16);
                listener.setObserver(() -> {
                    TcpConnection c;
                    while ((c = listener.accept()) != null) {
                        rx = c;
                        c.setObserver(this::readSoon);
                        readSoon();
                    }
                });
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
            connectTimer = Timer.of(this::connect);
            writeTimer = Timer.of(this::write);
            readTimer = Timer.of(this::read);
            run.sched.schedule(connectTimer, startNs);
        }

        private void connect() {
            try {
                tx = sender.connect(null, receiver.primaryAddress(), PORT, opts);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
            tx.setObserver(this::writeSoon);
        }

        /** The observer: write once at least half the send buffer is free (a bulk writer's wakeup). */
        private void writeSoon() {
            if (writeTimer.isArmed()) return;
            int free = tx.sendBufferCapacity() - tx.unacked();
            if (tx.writable() && free >= tx.sendBufferCapacity() / 2) run.sched.schedule(writeTimer, run.sched.nowNs());
        }

        private void write() {
            int n;
            while ((n = tx.send(run.chunk, 0, run.chunk.length)) > 0) written += n;
        }

        private void readSoon() {
            if (!readTimer.isArmed() && rx != null && rx.readable0()) run.sched.schedule(readTimer, run.sched.nowNs());
        }

        private void read() {
            int n;
            while ((n = rx.receive(run.sink, 0, run.sink.length)) > 0) received += n;
        }

        void sample(long nowNs) {
            if (tx == null || tx.state() == dev.synack.tcp.TcpState.SYN_SENT) return; // from the handshake on
            TcpInfo i = tx.info();
            trace.add(nowNs, i.sndCwnd(), i.sndSsthresh(), i.rttUs(), written - tx.unacked(), i.totalRetrans(), received);
        }

        Result.FlowResult result() {
            // The sender's host carries this flow only, so its counters are the flow's.
            var c = sender.counters();
            long undone = c.get(Counter.TcpExtTCPFullUndo) + c.get(Counter.TcpExtTCPPartialUndo)
                    + c.get(Counter.TcpExtTCPDSACKUndo) + c.get(Counter.TcpExtTCPLossUndo);
            TcpInfo i = tx == null ? null : tx.info();
            return new Result.FlowResult(index, Ipv4.format(sender.primaryAddress()), received,
                    i == null ? 0 : i.totalRetrans(), trace, i == null ? 0 : i.reordering(), undone);
        }
    }
}
