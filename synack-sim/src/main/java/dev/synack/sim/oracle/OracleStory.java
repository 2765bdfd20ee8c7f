package dev.synack.sim.oracle;

import dev.synack.sim.scenario.Knobs;

/**
 * A behaviour of the note written once, as plain java.net code, and played in any {@link World}: in
 * the lab on synack's stack, and on Linux's own TCP by the kernel runner. What it does is recorded in
 * the world's {@link Timeline}, and {@link Differ} compares the two.
 */
public interface OracleStory {
    /** The name, the same as the scenario's it checks ({@code synack scenario NAME}). */
    String name();

    /** The RTT of the path in ms when the knobs set none. */
    default int defaultRttMs() { return 20; }

    /** How long the story may run at most, for these knobs, in ns (a bound for a live run). */
    long limitNs(Knobs k);

    /** Whether the story can run with these knobs (a knob the story or the JDK cannot express). */
    default boolean accepts(Knobs k) { return k.userTimeoutMs().isEmpty() && k.connectTimeoutMs().isEmpty(); }

    /**
     * The knob grid the story is recorded on and verified over (defaults first). Each grid point is a
     * recording in the repository; {@code synack oracle verify} prints the table.
     */
    default java.util.List<Knobs> grid() {
        Knobs d = Knobs.defaults();
        return java.util.List.of(d, d.withRttMs(1), d.withRttMs(100), d.withRttMs(200));
    }

    /** Plays the story: spawns processes, moves time, injects faults; returns when it is over. */
    void play(World w, Knobs k) throws Exception;
}
