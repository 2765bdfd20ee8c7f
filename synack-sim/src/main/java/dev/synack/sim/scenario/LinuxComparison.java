package dev.synack.sim.scenario;

import java.util.List;

/**
 * How a scenario's story compared with Linux's own run of it (the oracle: the same java.net code on
 * the kernel, recorded in the repository), beside the scenario's {@link Check}s.
 *
 * @param comparedWith what synack was compared with ("Linux 6.18.44 x86_64, recorded 2026-12-05 by
 *     `...`"), or why there was nothing to compare with ("no Linux recording for these knobs")
 * @param recorded whether there was a Linux timeline to compare with
 * @param hasStory whether the scenario has a story the kernel runner can play (false: it cannot be
 *     compared with Linux at all yet, whatever the knobs)
 * @param differences each difference, in order (empty when they agree)
 */
public record LinuxComparison(String comparedWith, boolean recorded, boolean hasStory, List<String> differences) {
    public LinuxComparison {
        differences = List.copyOf(differences);
    }

    /** A comparison of a scenario that has a story. */
    public LinuxComparison(String comparedWith, boolean recorded, List<String> differences) {
        this(comparedWith, recorded, true, differences);
    }

    /** Nothing to compare with for these knobs, and why. */
    public static LinuxComparison none(String why) { return new LinuxComparison(why, false, List.of()); }

    /** The scenario cannot be played on Linux by the kernel runner, and why. */
    public static LinuxComparison noStory(String why) {
        return new LinuxComparison("no story for the kernel runner: " + why, false, false, List.of());
    }

    /** Whether there was a recording and synack's run agreed with it. */
    public boolean agrees() { return recorded && differences.isEmpty(); }

    /** "agrees", "differs (3)", "no recording" or "no story" (the scenario cannot be played on the kernel yet). */
    public String verdict() {
        if (!recorded) return hasStory ? "no recording" : "no story";
        return agrees() ? "agrees" : "differs (" + differences.size() + ")";
    }
}
