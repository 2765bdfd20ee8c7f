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
 */
public record Outcome(String scenario, Network network, String appSaw, long atNs, List<Check> checks, Path plot) {
    /** An outcome without a plot. */
    public Outcome(String scenario, Network network, String appSaw, long atNs, List<Check> checks) {
        this(scenario, network, appSaw, atNs, checks, null);
    }

    /** Whether every check matched Linux. */
    public boolean matchesLinux() { return !checks.isEmpty() && checks.stream().allMatch(Check::ok); }
}
