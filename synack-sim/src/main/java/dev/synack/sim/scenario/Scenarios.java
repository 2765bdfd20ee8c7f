package dev.synack.sim.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The catalogue of scenarios, in the order of SCENARIOS.md. */
public final class Scenarios {
    private Scenarios() {}

    private static final Map<String, Scenario> ALL = new LinkedHashMap<>();

    static {
        for (Scenario s : List.<Scenario>of(
                new Handshake(),
                new Transfer(),
                new Close(),
                new SimultaneousClose(),
                new HalfClose(),
                new TimeWait(),
                new Orphan(),
                new Refused(),
                new NoRoute(),
                new SynTimeout(),
                new IcmpUnreachable(),
                new NoSuchHost(),
                new ConnectTimeout(),
                new ServerFrozen(),
                new ServerKilled(),
                new HostShutdown(),
                new HostCrash(),
                new HostReboot(),
                new RetransmitTimeout(),
                new FastRetransmit(),
                new FlowControl(),
                new Congestion(),
                new FiveTuple()
        )) {
            ALL.put(s.name(), s);
        }
    }

    /** Every scenario, in catalogue order. */
    public static List<Scenario> all() { return List.copyOf(ALL.values()); }

    /** The scenario called {@code name}, if any. */
    public static Optional<Scenario> find(String name) { return Optional.ofNullable(ALL.get(name)); }

    /** The names, in order. */
    public static List<String> names() { return List.copyOf(ALL.keySet()); }
}
