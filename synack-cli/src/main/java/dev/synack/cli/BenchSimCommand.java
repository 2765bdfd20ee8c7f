package dev.synack.cli;

import dev.synack.sim.experiment.Experiment;
import dev.synack.sim.experiment.Result;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack bench sim}: the simulator's speed on two fixed workloads, to compare with ns-3 on the
 * same ones: one CUBIC bulk flow at 100 Mbit/s, 20 ms RTT, a one-BDP queue; and ten CUBIC flows through
 * a 100 Mbit/s, 40 ms RTT dumbbell with a one-BDP queue; 60 virtual seconds each.
 */
@Command(name = "sim",
        description = {"Simulator speed on fixed workloads (1 flow at 100 Mbit/s, 20 ms RTT; 10 flows through a 100 Mbit/s, 40 ms dumbbell):",
                "wall and CPU time, simulated packets and events per second, and goodput vs the link's capacity."})
final class BenchSimCommand implements Callable<Integer> {
    /** ns-3 3.37's wall time on these machines for the same workloads (from the issue), seconds. */
    static final double NS3_SINGLE_S = 11, NS3_DUMBBELL_S = 25;

    private final PrintStream out;

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "S", description = "Virtual seconds per workload (default ${DEFAULT-VALUE}).", defaultValue = "60")
    double durationS;

    @Option(names = "--warmup", paramLabel = "S", description = "Virtual seconds of the first workload run first, unmeasured, so the JIT has compiled the hot path (default ${DEFAULT-VALUE}: cold, as a fresh process).", defaultValue = "0")
    double warmupS;

    BenchSimCommand(Console console) {
        this.out = console.out();
    }

    @Override
    public Integer call() {
        if (!(durationS >= 1 && durationS <= 600)) throw new ParameterException(spec.commandLine(), "bad --duration: 1 ≤ S ≤ 600");
        if (!(warmupS >= 0 && warmupS <= 600)) throw new ParameterException(spec.commandLine(), "bad --warmup: 0 ≤ S ≤ 600");
        if (warmupS > 0) Experiment.of(100_000_000, 20, 0, 0, 1, "cubic", warmupS, 2).run();
        out.printf(Locale.ROOT, "%-28s %9s %9s %11s %11s %12s %11s %9s%n", "workload", "wall s", "CPU s", "packets", "packets/s",
                "events/s", "goodput", "of cap.");
        row("1 flow, 100M, 20 ms", Experiment.of(100_000_000, 20, 0, 0, 1, "cubic", durationS, 1), NS3_SINGLE_S);
        row("10 flows, 100M, 40 ms", Experiment.of(100_000_000, 40, 0, 0, 10, "cubic", durationS, 1), NS3_DUMBBELL_S);
        out.println("packets: hand-offs to a link (each hop counts); goodput: all flows, after slow start (from "
                + fmt(steadyFrom(durationS)) + " s); of cap.: of the payload capacity rate·MSS/MTU.");
        out.println("CPU: the simulating thread's own time (the honest figure on a loaded machine).");
        return 0;
    }

    static double steadyFrom(double durationS) { return Math.min(5, durationS / 4); }

    private void row(String name, Experiment e, double ns3) {
        Result r = e.run();
        long from = (long) (steadyFrom(e.durationS()) * 1e9);
        double goodput = r.totalGoodputBps(from, r.durationNs());
        double cpu = r.cpuNs() / 1e9, wall = r.wallNs() / 1e9;
        out.printf(Locale.ROOT, "%-28s %9.3f %9.3f %11d %11.0f %12.0f %8.2f M %8.2f%%%n", name, wall, cpu, r.packets(),
                r.packetsPerWallSecond(), r.eventsPerWallSecond(), goodput / 1e6, 100 * goodput / e.capacityBps());
        double scaled = ns3 * e.durationS() / 60;
        out.printf(Locale.ROOT, "%-28s ns-3 3.37: about %.1f s wall; synack %.1f× faster by wall time, %.1f× by CPU time (target 10×)%n",
                "", scaled, scaled / wall, cpu > 0 ? scaled / cpu : Double.NaN);
    }

    private static String fmt(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }
}
