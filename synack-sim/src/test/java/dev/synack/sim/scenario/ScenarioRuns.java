package dev.synack.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the scenario tests share: run a scenario (it must match Linux) and read one check's result. */
final class ScenarioRuns {
    private ScenarioRuns() {}

    /** Runs {@code name} with {@code k}; fails unless every check matches Linux. */
    static Outcome run(String name, Knobs k) {
        Outcome o = Scenarios.find(name).orElseThrow().run(k);
        assertTrue(o.matchesLinux(), o.checks().toString());
        return o;
    }

    /** Runs {@code name} with the default knobs. */
    static Outcome run(String name) { return run(name, Knobs.defaults()); }

    /** What synack did in the check described exactly as {@code what}. */
    static String synack(Outcome o, String what) {
        return o.checks().stream().filter(c -> c.what().equals(what)).findFirst()
                .orElseThrow(() -> new AssertionError("no check '" + what + "' in " + o.checks())).synack();
    }

    /** What synack did in the first check whose description starts with {@code what}. */
    static String saw(Outcome o, String what) {
        return o.checks().stream().filter(c -> c.what().startsWith(what)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + what + " in " + o.checks())).synack();
    }
}
