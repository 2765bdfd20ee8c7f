package dev.synack.cli;

import dev.synack.sim.fuzz.Action;
import dev.synack.sim.fuzz.Fuzzer;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack fuzz}: the structure-aware fuzzer ({@link Fuzzer}) for a number of inputs or a time,
 * whichever ends first; prints inputs per second, escapes and invariant breaks, and for each failure
 * the seed and episode to replay and a minimised reproduction. {@code --episode E} replays one episode
 * with its transcript. Exit status 1 when anything broke.
 */
@Command(name = "fuzz",
        description = {"Fuzz the stack: two real stacks in virtual time, driven through every",
                "TCP state while mutated copies of their segments, forged SYNs and ICMP",
                "errors are injected. After every action: nothing thrown out of the stack,",
                "the byte stream intact, counters not negative, queues within limits, every",
                "emitted packet valid. Deterministic per seed; a failure prints the episode",
                "to replay and a minimised reproduction."})
final class FuzzCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", paramLabel = "N", description = "The run's seed (default ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Option(names = "--inputs", paramLabel = "N", description = "Stop after N fuzzer packets (default ${DEFAULT-VALUE}).", defaultValue = "1000000")
    long inputs;

    @Option(names = "--max-seconds", paramLabel = "S", description = "Stop after S seconds of wall time, between episodes (default ${DEFAULT-VALUE}; at most 86400).",
            defaultValue = "60")
    double maxSeconds;

    @Option(names = "--keep", paramLabel = "K", description = "Failures to minimise and print (default ${DEFAULT-VALUE}).", defaultValue = "3")
    int keep;

    @Option(names = "--episode", paramLabel = "E", description = "Replay episode E of the seed's run alone, with its transcript.")
    Long episode;

    FuzzCommand(Console console) {
        this.out = console.out();
    }

    @Override
    public Integer call() {
        if (inputs < 1) throw new ParameterException(spec.commandLine(), "bad --inputs: N ≥ 1");
        if (!(maxSeconds > 0 && maxSeconds <= 86_400)) throw new ParameterException(spec.commandLine(), "bad --max-seconds: 0 < S ≤ 86400");
        if (keep < 0 || keep > 100) throw new ParameterException(spec.commandLine(), "bad --keep: 0 ≤ K ≤ 100");
        if (episode != null && episode < 0) throw new ParameterException(spec.commandLine(), "bad --episode: E ≥ 0");
        if (episode != null) return replay(episode);
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (maxSeconds * 1e9);
        long[] lastPrint = {t0};
        Fuzzer.Report r = Fuzzer.run(seed, inputs, () -> System.nanoTime() >= deadline, keep, (n, failed) -> {
            long now = System.nanoTime();
            if (now - lastPrint[0] >= 60_000_000_000L) {
                lastPrint[0] = now;
                out.printf(Locale.ROOT, "... %,d inputs in %.0f s (%,.0f/s), %d failures%n", n, (now - t0) / 1e9, n / ((now - t0) / 1e9), failed);
            }
        });
        double wall = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "seed %d: %,d inputs (%,d actions, %,d episodes) in %.1f s wall, %,.0f inputs/s%n", seed, r.inputs(), r.actions(),
                r.episodes(), wall, r.inputs() / wall);
        out.printf(Locale.ROOT, "escapes %d, invariant breaks %d%n", r.escapes(), r.breaks());
        StringBuilder states = new StringBuilder("inputs by the state of their connection:");
        r.states().forEach((k, v) -> states.append(' ').append(k).append(' ').append(v));
        out.println(states);
        for (Fuzzer.Failure f : r.failures()) print(f);
        return r.escapes() + r.breaks() == 0 ? 0 : 1;
    }

    private int replay(long e) {
        Fuzzer.Failure f = Fuzzer.episode(seed, e);
        if (f.what() == null) {
            out.print(f.transcript());
            out.printf(Locale.ROOT, "episode %d of seed %d: %d inputs, no failure%n", e, seed, f.input());
            return 0;
        }
        print(f);
        return 1;
    }

    private void print(Fuzzer.Failure f) {
        out.println();
        out.printf(Locale.ROOT, "FAILED (seed %d, episode %d, by input %d): %s%n", f.seed(), f.episode(), f.input(), f.what());
        out.printf(Locale.ROOT, "replay: synack fuzz --seed %d --episode %d%n", f.seed(), f.episode());
        out.printf(Locale.ROOT, "minimised to %d actions (episode seed %d):%n", f.minimal().size(), f.episodeSeed());
        for (Action a : f.minimal()) out.println("  " + a);
        out.println("transcript:");
        out.print(f.transcript());
    }
}
