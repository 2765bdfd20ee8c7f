package dev.synack.sim.scenario;

import dev.synack.sim.Json;
import dev.synack.sim.Ladder;
import dev.synack.sim.Node;
import dev.synack.sim.Trace;

/**
 * A scenario run as JSON: what {@code synack scenario --format json} prints and the lab's page draws.
 * One object: the scenario's name, its nodes (hosts and routers, in the order they were made: the
 * ladder's columns), its events ({@link Ladder#json}: packets with their ids and fields,
 * drops, state changes, timers, the application's calls, faults, and one congestion sample per ACK or
 * timeout) and its outcome (what the application saw, when, and each check against Linux).
 */
public final class ScenarioJson {
    private ScenarioJson() {}

    /** Runs {@code scenario} with the congestion samples kept in its trace (the JSON's plots need them). */
    public static Outcome run(Scenario scenario, Knobs knobs) {
        return ScopedValue.where(Trace.KEEP_CWND_SAMPLES, true).call(() -> scenario.run(knobs));
    }

    /** The run as one JSON object, ending with a newline. */
    public static String of(Outcome o) {
        StringBuilder sb = new StringBuilder("{\"scenario\":").append(Json.string(o.scenario())).append(",\"nodes\":[");
        for (Node n : o.network().nodes()) {
            if (sb.charAt(sb.length() - 1) != '[') sb.append(',');
            sb.append(Json.string(n.name()));
        }
        sb.append("],\"events\":");
        sb.append(Ladder.json(o.network()).strip());
        sb.append(",\"outcome\":{\"appSaw\":").append(Json.string(o.appSaw())).append(",\"atNs\":").append(o.atNs())
                .append(",\"matchesLinux\":").append(o.matchesLinux()).append(",\"checks\":[");
        for (int i = 0; i < o.checks().size(); i++) {
            Check c = o.checks().get(i);
            if (i > 0) sb.append(',');
            sb.append("{\"what\":").append(Json.string(c.what())).append(",\"linux\":").append(Json.string(c.linux()))
                    .append(",\"synack\":").append(Json.string(c.synack())).append(",\"ok\":").append(c.ok()).append('}');
        }
        sb.append(']');
        LinuxComparison l = o.linux();
        if (l != null) {
            sb.append(",\"linuxRecording\":{\"comparedWith\":").append(Json.string(l.comparedWith())).append(",\"recorded\":").append(l.recorded())
                    .append(",\"verdict\":").append(Json.string(l.verdict())).append(",\"differences\":[");
            for (int i = 0; i < l.differences().size(); i++) {
                if (i > 0) sb.append(',');
                sb.append(Json.string(l.differences().get(i)));
            }
            sb.append("]}");
        }
        return sb.append("}}\n").toString();
    }
}
