package dev.synack.cli;

import dev.synack.sim.experiment.Experiment;
import dev.synack.sim.experiment.Result;
import dev.synack.sim.experiment.Star;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack bench sim}: the simulator's speed on the anchor workloads, run alternately with ns-3's
 * own programs for them in the same sitting (these machines move by 2× from hour to hour, so only a
 * ratio from one sitting means anything): S1, one NewReno flow through 100 Mbit/s, 20 ms RTT, a queue of
 * 100 packets; S4, ten NewReno flows through a 100 Mbit/s dumbbell with a 44 ms base RTT and a one-BDP
 * queue; S5, the star of 100 clients and 1,000 flows of 100 KiB ({@link Star}). Without the anchor it
 * says why and prints synack's figures alone.
 */
@Command(name = "sim",
        description = {"Simulator speed on ns-3's anchor workloads (S1: 1 NewReno flow, 100 Mbit/s, 20 ms, queue 100; S4: 10 flows through",
                "a 100 Mbit/s dumbbell, 44 ms; S5: a star of 100 clients, 1000 flows of 100 KiB), run alternately with ns-3's programs",
                "for them when present (" + Ns3Anchor.WHERE + "): wall and CPU time, the ratios, each side's result (goodput or",
                "flow-completion time) and memory. Medians over the sittings."})
final class BenchSimCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "S", description = "Virtual seconds of S1 and S4 (default ${DEFAULT-VALUE}).", defaultValue = "60")
    double durationS;

    @Option(names = "--sittings", paramLabel = "N", description = "Runs of each side per workload, alternating (default ${DEFAULT-VALUE}).", defaultValue = "3")
    int sittings;

    @Option(names = "--ns3", paramLabel = "DIR", description = "The folder of ns-3's anchor programs bulk, dumbbell and star (default: built from " + Ns3Anchor.WHERE + ").")
    Path ns3;

    @Option(names = "--no-anchor", description = "synack alone.")
    boolean noAnchor;

    @Option(names = "--warmup", paramLabel = "S", description = "Virtual seconds of S1 run first, unmeasured, so the JIT has compiled the hot path (default ${DEFAULT-VALUE}: cold, as a fresh process).", defaultValue = "0")
    double warmupS;

    BenchSimCommand(Console console) {
        this.out = console.out();
    }

    /** One workload: its name, ns-3's program and arguments, synack's run, and how each reports its result. */
    private record Workload(String name, String program, List<String> args, String ns3Key, String unit, SynackRun synack) {}

    /** A synack run: returns its result figure (goodput in Mbit/s, or FCT median in ms) and its work. */
    @FunctionalInterface
    private interface SynackRun {
        Work run();
    }

    /** A run's result figure, and the simulator's work in it: scheduler events run, packets handed to links (each hop). */
    private record Work(double figure, long events, long packets) {}

    /** One side's measurements over the sittings. */
    private static final class Side {
        final List<Double> wall = new ArrayList<>(), cpu = new ArrayList<>(), figure = new ArrayList<>();
        long events, packets; // synack's: the same in every sitting (a run is deterministic)
        double memoryMiB = Double.NaN;

        static double median(List<Double> v) {
            if (v.isEmpty()) return Double.NaN;
            double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
        }
    }

    @Override
    public Integer call() {
        if (!(durationS >= 1 && durationS <= 600)) throw new ParameterException(spec.commandLine(), "bad --duration: 1 ≤ S ≤ 600");
        if (!(warmupS >= 0 && warmupS <= 600)) throw new ParameterException(spec.commandLine(), "bad --warmup: 0 ≤ S ≤ 600");
        if (sittings < 1 || sittings > 20) throw new ParameterException(spec.commandLine(), "bad --sittings: 1 ≤ N ≤ 20");
        Ns3Anchor anchor = null;
        if (!noAnchor) {
            Ns3Anchor.Found found = Ns3Anchor.find(ns3, out);
            if (found.anchor() != null) {
                anchor = found.anchor();
                out.println("anchor: ns-3 " + anchor.version() + " programs in " + anchor.dir());
            } else {
                out.println("anchor: none — " + found.why() + "; synack alone");
            }
        }
        if (warmupS > 0) Experiment.of(100_000_000, 20, 100, 0, 1, "newreno", warmupS, 2).run();
        String dur = fmt(durationS);
        List<Workload> workloads = List.of(
                new Workload("S1 1 flow, 100M, 20 ms", "bulk", List.of("--cc=NewReno", "--rate=100Mbps", "--delay=10ms", "--queue=100", "--time=" + dur),
                        "goodput_mbps", "Mbit/s", () -> work(Experiment.of(100_000_000, 20, 100, 0, 1, "newreno", durationS, 1).run())),
                new Workload("S4 10 flows, 100M, 44 ms", "dumbbell", List.of("--flows=10", "--cc=NewReno", "--time=" + dur, "--stagger=0.1"),
                        "total_goodput_mbps", "Mbit/s", () -> work(Experiment.of(100_000_000, 44, 0, 0, 10, "newreno", durationS, 1).run())),
                new Workload("S5 star, 1000 flows", "star", List.of("--clients=100", "--flows=1000", "--spread=10", "--bytes=102400", "--serverRate=1Gbps"),
                        "fct_ms_median", "ms FCT", () -> {
                            Star.Result r = Star.defaults().run();
                            return new Work(r.fctPercentileMs(0.5), r.events(), r.packets());
                        }));
        out.printf(Locale.ROOT, "%-26s %-7s %8s %8s %12s %9s%n", "workload", "", "wall s", "CPU s", "result", "memory");
        for (Workload w : workloads) {
            Side ns = new Side(), sy = new Side();
            for (int i = 0; i < sittings; i++) {
                if (anchor != null) anchor.run(w.program(), w.args(), w.ns3Key(), ns.wall, ns.cpu, ns.figure, m -> ns.memoryMiB = m);
                measure(w.synack(), sy);
            }
            if (anchor != null) print(w.name(), "ns-3", ns, w.unit());
            print(anchor == null ? w.name() : "", "synack", sy, w.unit());
            double wall = Side.median(sy.wall);
            out.printf(Locale.ROOT, "%-26s %-7s %.2f M events, %.2f M packet hops: %.1f M events/s, %.0f ns per packet hop (median sitting)%n",
                    "", "", sy.events / 1e6, sy.packets / 1e6, sy.events / wall / 1e6, wall * 1e9 / sy.packets);
            if (anchor != null) {
                double rw = Side.median(ns.wall) / Side.median(sy.wall), rc = Side.median(ns.cpu) / Side.median(sy.cpu);
                out.printf(Locale.ROOT, "%-26s %-7s synack %.1f× faster by wall time, %.1f× by CPU time (targets 20× and 10×)%n", "", "ratio", rw, rc);
                if (sittings > 1) out.printf(Locale.ROOT, "%-26s %-7s each sitting (wall, CPU): %s%n", "", "", perSitting(ns, sy));
            }
        }
        out.println("ns-3: its program's whole process (wall, user+sys CPU, peak RSS). synack: the run in this JVM (wall, the process's CPU");
        out.println("time — the simulating thread, JIT and GC threads — and the heap's peak during the run, garbage included).");
        out.println("S1, S4: goodput of all flows over the whole run; S5: median flow-completion time. Medians of " + sittings + " sitting(s).");
        return 0;
    }

    /**
     * Each sitting's own ratios, in order: the first is synack's cold start (this JVM's first run of the
     * workload, the JIT still compiling), the later ones show how far the medians owe to a warm JIT.
     */
    private static String perSitting(Side ns, Side sy) {
        var parts = new ArrayList<String>();
        for (int i = 0; i < sy.wall.size(); i++) {
            // ns-3's CPU time is missing when /usr/bin/time is (its wall time then comes from here).
            double nsWall = i < ns.wall.size() ? ns.wall.get(i) : Double.NaN, nsCpu = i < ns.cpu.size() ? ns.cpu.get(i) : Double.NaN;
            parts.add(String.format(Locale.ROOT, "%.1f×/%.1f×", nsWall / sy.wall.get(i), nsCpu / sy.cpu.get(i)));
        }
        return String.join("  ", parts);
    }

    private void print(String name, String side, Side s, String unit) {
        out.printf(Locale.ROOT, "%-26s %-7s %8.3f %8.3f %9.2f %-6s %6.0f MiB%n", name, side, Side.median(s.wall), Side.median(s.cpu),
                Side.median(s.figure), unit, s.memoryMiB);
    }

    /**
     * Runs {@code run} in this JVM and records its wall time, the process's CPU time and the heap's peak
     * during the run (the heap pools' peaks, reset before it: live data and garbage not yet collected).
     */
    private static void measure(SynackRun run, Side s) {
        System.gc(); // start from what the earlier runs left, collected
        var pools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == java.lang.management.MemoryType.HEAP).toList();
        pools.forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime(), wall0 = System.nanoTime();
        Work work = run.run();
        s.wall.add((System.nanoTime() - wall0) / 1e9);
        s.cpu.add((os.getProcessCpuTime() - cpu0) / 1e9);
        s.figure.add(work.figure());
        s.events = work.events();
        s.packets = work.packets();
        double peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1048576.0;
        s.memoryMiB = Double.isNaN(s.memoryMiB) ? peak : Math.max(s.memoryMiB, peak);
    }

    private static Work work(Result r) { return new Work(r.totalGoodputBps() / 1e6, r.events(), r.packets()); }

    private static String fmt(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }
}
