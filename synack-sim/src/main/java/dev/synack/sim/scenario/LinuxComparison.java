package dev.synack.sim.scenario;

import java.util.List;

/**
 * How a scenario's story compared with Linux's own run of it (the oracle: the same java.net code on
 * the kernel, recorded in the repository), beside the scenario's {@link Check}s.
 *
 * @param comparedWith what synack was compared with ("Linux 6.18.44 x86_64, recorded 2026-12-05 by
 *     `...`"), or why there was nothing to compare with ("no Linux recording for these knobs")
 * @param recorded whether there was a Linux timeline to compare with
 * @param differences each difference, in order (empty when they agree)
 */
public record LinuxComparison(String comparedWith, boolean recorded, List<String> differences) {
    public LinuxComparison {
        differences = List.copyOf(differences);
    }

    /** Nothing to compare with, and why. */
    public static LinuxComparison none(String why) { return new LinuxComparison(why, false, List.of()); }

    private static final String NO_STORY = "no story for the kernel runner: ";

    /** The scenario cannot be played on Linux by the kernel runner, and why. */
    public static LinuxComparison noStory(String why) { return none(NO_STORY + why); }

    /** Whether there was a recording and synack's run agreed with it. */
    public boolean agrees() { return recorded && differences.isEmpty(); }

    /** "agrees", "differs (3)", "no recording" or "no story" (the scenario cannot be played on the kernel yet). */
    public String verdict() {
        if (!recorded) return comparedWith.startsWith(NO_STORY) ? "no story" : "no recording";
        return agrees() ? "agrees" : "differs (" + differences.size() + ")";
    }
}
