package dev.synack.sim.oracle;

import dev.synack.sim.scenario.Knobs;
import dev.synack.sim.scenario.LinuxComparison;
import dev.synack.sim.scenario.Outcome;
import dev.synack.sim.scenario.Scenario;
import java.util.Optional;

/**
 * A scenario's run with its verdict against Linux's own run: the scenario's checks, and — where the
 * scenario has a {@link OracleStory} and the repository a recording of Linux playing it with the same knobs —
 * the {@link Differ}'s comparison of synack's run of the story with that recording. {@code synack
 * scenario}, {@code synack demo} and the lab page all run scenarios through here.
 */
public final class Verdicts {
    private Verdicts() {}

    /** Why a scenario has no story for the kernel runner (docs/ORACLE.md). */
    static final java.util.Map<String, String> NO_STORY = java.util.Map.of(
            "no-such-host", "the kernel runner's path is a TUN device, which resolves no neighbour (NOARP): an address nobody "
                    + "answers ARP for needs an Ethernet-like device (TAP or veth) there",
            "congestion", "a bulk flow's thousands of segments depend on timing a real-time relay cannot repeat: it is to be "
                    + "compared by its statistics (cwnd at the first loss, the reduction, goodput), not event by event");

    /** Runs {@code scenario} with {@code k} and compares its story with Linux's recording. */
    public static Outcome run(Scenario scenario, Knobs k) {
        return scenario.run(k).withLinux(compare(scenario.name(), k));
    }

    /** The comparison of story {@code name} with Linux's recording for {@code k}. */
    public static LinuxComparison compare(String name, Knobs k) {
        Optional<OracleStory> story = Stories.find(name);
        if (story.isEmpty()) return LinuxComparison.noStory(NO_STORY.getOrDefault(name, "this scenario has no story for the kernel runner yet"));
        if (!story.get().accepts(k)) return LinuxComparison.none("no Linux recording: the story cannot run on Linux with these knobs");
        Optional<Timeline> linux = Recordings.find(name, k);
        if (linux.isEmpty()) return LinuxComparison.none("no Linux recording for these knobs (" + Recordings.key(k) + ")");
        Differ.Report r = Differ.compare(linux.get(), Oracle.inLab(story.get(), k));
        return new LinuxComparison(r.against(), true, r.differences().stream().map(Differ.Difference::toString).toList());
    }
}
