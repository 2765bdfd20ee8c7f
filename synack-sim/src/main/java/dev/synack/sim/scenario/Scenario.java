package dev.synack.sim.scenario;

import java.util.EnumSet;
import java.util.Set;

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

    /**
     * The knobs this story reads, for the lab's page to offer: the seed and the path (RTT, loss) for
     * every story, and the socket options and sysctls its Linux expectations account for. The command
     * line takes every knob for every story.
     */
    default Set<Knob> knobs() { return EnumSet.of(Knob.SEED, Knob.RTT, Knob.LOSS); }

    /** Runs the story. Never throws for anything the story itself does: failures are outcomes. */
    Outcome run(Knobs knobs);
}
