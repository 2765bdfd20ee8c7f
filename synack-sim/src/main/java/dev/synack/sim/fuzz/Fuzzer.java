package dev.synack.sim.fuzz;

import dev.synack.tcp.TcpState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The structure-aware fuzzer of the stack: episode after episode (see {@link Episode}), each drawn
 * from the run's seed and its index, a pair of real stacks is driven through the listener (SYN
 * cookies and full queues in flood episodes), the handshake, data both ways with reordering, loss and
 * duplication, and every closing state, while the fuzzer injects mutated copies of the real segments,
 * forged SYNs and ICMP errors, and checks the invariants after every action.
 *
 * <p>An <em>input</em> is one packet the fuzzer made and gave a stack; the legitimate traffic, the
 * applications' calls and the timer advances between inputs are counted as actions. A failure names
 * the seed, the episode and the input to replay, and comes with a reproduction minimised by delta
 * debugging over the episode's actions (same kind of failure, fewer actions).
 */
public final class Fuzzer {
    private Fuzzer() {}

    /** One failure: where to replay it, what broke, and the minimised actions that still break it. */
    public record Failure(long seed, long episode, long episodeSeed, long input, String what, List<Action> minimal,
                          String transcript) {}

    /**
     * What a run did.
     *
     * @param inputs the fuzzer's packets given to a stack
     * @param actions every action, inputs included
     * @param escapes exceptions out of Stack.receive, the timers or an application call
     * @param breaks invariants broken
     * @param failures the first failures, minimised
     * @param states how many inputs found their connection in each state ("none": no connection; "icmp":
     *     ICMP errors)
     */
    public record Report(long seed, long inputs, long actions, long episodes, long escapes, long breaks,
                         List<Failure> failures, Map<String, Long> states) {}

    /** Episodes' seeds: the run's seed and the episode's index, mixed. */
    public static long episodeSeed(long seed, long episode) {
        return new SplittableRandom(seed).split().nextLong() ^ new SplittableRandom(episode * 0x9E3779B97F4A7C15L + seed).nextLong();
    }

    /**
     * Runs episodes until {@code maxInputs} inputs have been given or {@code stop} says so (asked
     * between episodes); the first {@code keep} failures are minimised and kept.
     */
    public static Report run(long seed, long maxInputs, BooleanSupplier stop, int keep) {
        return run(seed, maxInputs, stop, keep, (inputs, failed) -> {});
    }

    /** Told after every episode: the inputs so far and the failures so far. */
    @FunctionalInterface
    public interface Progress {
        void episodeDone(long inputs, long failures);
    }

    /** As {@link #run(long, long, BooleanSupplier, int)}, telling {@code progress} after each episode. */
    public static Report run(long seed, long maxInputs, BooleanSupplier stop, int keep, Progress progress) {
        long inputs = 0, actions = 0, escapes = 0, breaks = 0, episode = 0;
        long[] states = new long[TcpState.values().length + 2];
        List<Failure> failures = new ArrayList<>();
        while (inputs < maxInputs && !stop.getAsBoolean()) {
            long es = episodeSeed(seed, episode);
            Outcome o = runEpisode(es, maxInputs - inputs);
            inputs += o.inputs;
            actions += o.actions.size();
            for (int i = 0; i < states.length; i++) states[i] += o.episode.stateHits[i];
            if (o.failure != null) {
                if (o.failure.startsWith("escape")) escapes++;
                else breaks++;
                if (failures.size() < keep) {
                    List<Action> minimal = minimise(es, o.actions, kind(o.failure), 400);
                    failures.add(new Failure(seed, episode, es, inputs, o.failure, minimal, transcript(es, minimal)));
                }
            }
            episode++;
            progress.episodeDone(inputs, escapes + breaks);
        }
        Map<String, Long> byState = new LinkedHashMap<>();
        for (TcpState s : TcpState.values()) byState.put(s.name(), states[s.ordinal()]);
        byState.put("none", states[TcpState.values().length]);
        byState.put("icmp", states[TcpState.values().length + 1]);
        return new Report(seed, inputs, actions, episode, escapes, breaks, List.copyOf(failures), byState);
    }

    /** One episode's actions, inputs, and first failure (or null). */
    record Outcome(Episode episode, List<Action> actions, long inputs, String failure) {}

    /** Runs the episode of seed {@code es}: its actions are drawn as it goes, at most {@code maxInputs} inputs. */
    static Outcome runEpisode(long es, long maxInputs) {
        Episode e = new Episode(es);
        SplittableRandom r = new SplittableRandom(es ^ 0xF022L);
        int steps = 60 + r.nextInt(500);
        int closeFrom = r.nextInt(steps);
        List<Action> actions = new ArrayList<>(steps + 8);
        long inputs = 0;
        String failure = null;
        for (int step = 0; step < steps && inputs < maxInputs; step++) {
            Action a = e.next(r, step, closeFrom);
            actions.add(a);
            if (a instanceof Action.Inject) inputs++;
            failure = e.execute(a);
            if (failure != null) return new Outcome(e, actions, inputs, failure);
        }
        // the end: what is left runs out (TIME_WAIT, orphans' retries, keepalives), with deliveries
        for (int i = 0; i < 64 && e.busy(); i++) {
            Action a = i % 4 == 3 ? new Action.Advance(31_000_000_000L)
                    : new Action.Deliver(e.wire[0].isEmpty() ? 1 : 0, 0);
            actions.add(a);
            failure = e.execute(a);
            if (failure != null) break;
        }
        return new Outcome(e, actions, inputs, failure);
    }

    /**
     * Episode {@code episode} of the run of {@code seed} alone, as {@link #run} plays it: its failure
     * (minimised) or null, and its transcript.
     */
    public static Failure episode(long seed, long episode) {
        long es = episodeSeed(seed, episode);
        Outcome o = runEpisode(es, Long.MAX_VALUE);
        if (o.failure == null) return new Failure(seed, episode, es, o.inputs, null, o.actions, transcript(es, o.actions));
        List<Action> minimal = minimise(es, o.actions, kind(o.failure), 400);
        return new Failure(seed, episode, es, o.inputs, o.failure, minimal, transcript(es, minimal));
    }

    /** Replays {@code actions} on a fresh episode of seed {@code es}; the first failure, or null. */
    public static String replay(long es, List<Action> actions) {
        Episode e = new Episode(es);
        for (Action a : actions) {
            String f = e.execute(a);
            if (f != null) return f;
        }
        return null;
    }

    /** The replay's transcript: every action, every packet the hosts sent, and the failure. */
    public static String transcript(long es, List<Action> actions) {
        Episode e = new Episode(es);
        e.transcript = new StringBuilder();
        for (Action a : actions) {
            String f = e.execute(a);
            if (f != null) return e.transcript.append("FAILED: ").append(f).append('\n').toString();
        }
        return e.transcript.append("(no failure)\n").toString();
    }

    /** A failure's kind, which minimisation keeps: the invariant's words before any number, or the exception and its frame. */
    static String kind(String failure) {
        if (failure.startsWith("escape")) return failure;
        StringBuilder k = new StringBuilder();
        for (String w : failure.split(" ")) {
            if (w.isEmpty() || Character.isDigit(w.charAt(0)) || w.charAt(0) == '-' || w.charAt(0) == '(') break;
            k.append(w).append(' ');
        }
        return k.toString();
    }

    /**
     * Delta debugging (Zeller's ddmin) over the actions: drops chunks while a replay still fails with
     * the same kind of failure; at most {@code budget} replays.
     */
    static List<Action> minimise(long es, List<Action> actions, String kind, int budget) {
        List<Action> cur = new ArrayList<>(actions);
        int n = 2;
        while (cur.size() >= 2 && budget > 0) {
            int chunk = (cur.size() + n - 1) / n;
            boolean reduced = false;
            for (int start = 0; start < cur.size() && budget > 0; start += chunk) {
                List<Action> rest = new ArrayList<>(cur.subList(0, start));
                rest.addAll(cur.subList(Math.min(cur.size(), start + chunk), cur.size()));
                budget--;
                String f = replay(es, rest);
                if (f != null && kind(f).equals(kind)) {
                    cur = rest;
                    n = Math.max(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (n >= cur.size()) break;
                n = Math.min(n * 2, cur.size());
            }
        }
        return cur;
    }
}
