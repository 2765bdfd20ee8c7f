package dev.synack.sim.scenario;

/**
 * One behaviour of the seed note, replayed on a simulated network and compared with what Linux 6.18
 * does (../shared/SCENARIOS.md). A scenario builds its own network from the knobs, runs its story with
 * plain blocking socket code in simulated processes, and reports the outcome.
 */
public interface Scenario {
    /** The name, as {@code synack scenario NAME} takes it. */
    String name();

    /** The situation, in the words of the note. */
    String situation();

    /** What Linux does and what the application sees, in one or two sentences. */
    String linux();

    /**
     * Whether the outcome's {@link Outcome#atNs()} is a moment of the story. False for a scenario whose
     * outcome sums up several runs or connections (its atNs is 0): {@code synack demo} shows no time for it.
     */
    default boolean timed() { return true; }

    /** Runs the story. Never throws for anything the story itself does: failures are outcomes. */
    Outcome run(Knobs knobs);
}
