package dev.synack.sim.scenario;

import dev.synack.sim.Network;
import java.nio.file.Path;
import java.util.List;

/**
 * What a scenario run produced: the network (with its trace, for the ladder and pcap), what the
 * application saw and when, and the checks against Linux.
 *
 * @param scenario the scenario's name
 * @param network the network after the run
 * @param appSaw what the application saw, in one line (e.g. "ConnectException: Connection refused (ECONNREFUSED)")
 * @param atNs the virtual time of that, from the start of the story
 * @param checks the comparisons with Linux
 * @param plot a plot the scenario wrote (the congestion scenario's cwnd over time, SVG), or null
 * @param linux how the scenario's story compared with Linux's recorded run, or null if not compared
 */
public record Outcome(String scenario, Network network, String appSaw, long atNs, List<Check> checks, Path plot, LinuxComparison linux) {
    /** An outcome with a plot, not yet compared with a Linux recording. */
    public Outcome(String scenario, Network network, String appSaw, long atNs, List<Check> checks, Path plot) {
        this(scenario, network, appSaw, atNs, checks, plot, null);
    }

    /** An outcome without a plot. */
    public Outcome(String scenario, Network network, String appSaw, long atNs, List<Check> checks) {
        this(scenario, network, appSaw, atNs, checks, null, null);
    }

    /** This outcome with its comparison with Linux's recording. */
    public Outcome withLinux(LinuxComparison comparison) {
        return new Outcome(scenario, network, appSaw, atNs, checks, plot, comparison);
    }

    /** Whether every check matched Linux's expectations. */
    public boolean checksPass() { return !checks.isEmpty() && checks.stream().allMatch(Check::ok); }

    /**
     * Whether synack matches Linux: every check passes and, where Linux's run of the story was
     * recorded for these knobs, the two timelines agree.
     */
    public boolean matchesLinux() { return checksPass() && (linux == null || !linux.recorded() || linux.agrees()); }
}
