package dev.synack.cli;

import dev.synack.sim.Json;
import dev.synack.sim.Ladder;
import dev.synack.sim.Pcap;
import dev.synack.sim.scenario.Check;
import dev.synack.sim.scenario.Knobs;
import dev.synack.sim.scenario.Outcome;
import dev.synack.sim.scenario.Scenario;
import dev.synack.sim.scenario.Scenarios;
import dev.synack.sim.scenario.Story;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack scenario}: replays one behaviour of SCENARIOS.md in the lab and compares it with Linux.
 * Exit status 0 when every check matches Linux, 1 when one does not, 2 on bad input (one line on
 * stderr; nothing is run and nothing written).
 */
@Command(name = "scenario",
        description = {"Replay a scenario of the lab and compare it with Linux 6.18.",
                "Prints the ladder diagram, what the application saw and when, and each check (Linux vs synack).",
                "Exit status 0 when synack matches Linux, 1 when it does not."})
final class ScenarioCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "0..1", description = "The scenario (see --list).")
    private String name;

    @Option(names = "--list", description = "List the scenarios: name and situation, one per line.")
    private boolean list;

    @Mixin
    private ScenarioKnobs knobOptions;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write the packets to FILE (pcap).")
    private Path pcap;

    @Option(names = "--format", paramLabel = "text|json", description = "Output format (default text).")
    private String format = "text";

    ScenarioCommand(Console console) {
        this.out = console.out();
    }

    private ParameterException bad(String problem) { return new ParameterException(spec.commandLine(), problem); }

    @Override
    public Integer call() {
        if (list) {
            if (name != null) throw bad("--list takes no scenario name");
            for (Scenario s : Scenarios.all()) out.println(s.name() + "  " + s.situation());
            return 0;
        }
        if (name == null) throw bad("missing scenario name; one of " + String.join(", ", Scenarios.names()));
        Scenario scenario = Scenarios.find(name)
                .orElseThrow(() -> bad("unknown scenario '" + name + "'; one of " + String.join(", ", Scenarios.names())));
        Knobs knobs = knobOptions.knobs();
        if (!format.equals("text") && !format.equals("json")) throw bad("bad --format '" + format + "': expected text or json");
        OutputFile.check(spec, "--pcap", pcap);
        Outcome o = scenario.run(knobs);
        if (pcap != null) OutputFile.write(spec, "--pcap", pcap, f -> Pcap.write(o.network().trace(), f));
        if (format.equals("json")) out.print(json(o));
        else out.print(text(o));
        return o.matchesLinux() ? 0 : 1;
    }

    static String text(Outcome o) {
        StringBuilder sb = new StringBuilder(Ladder.render(o.network())).append('\n');
        sb.append("the application saw: ").append(o.appSaw()).append(" at ").append(Story.time(o.atNs())).append('\n');
        for (Check c : o.checks()) {
            sb.append(c.ok() ? "  ✓ " : "  ✗ ").append(c.what()).append(": Linux ").append(c.linux());
            if (!c.ok()) sb.append("\n      synack ").append(c.synack());
            sb.append('\n');
        }
        sb.append(o.matchesLinux() ? "matches Linux\n" : "DIFFERS from Linux\n");
        return sb.toString();
    }

    static String json(Outcome o) {
        StringBuilder sb = new StringBuilder("{\"scenario\":").append(Json.string(o.scenario())).append(",\"events\":");
        sb.append(Ladder.json(o.network()).strip());
        sb.append(",\"outcome\":{\"appSaw\":").append(Json.string(o.appSaw())).append(",\"atNs\":").append(o.atNs())
                .append(",\"matchesLinux\":").append(o.matchesLinux()).append(",\"checks\":[");
        for (int i = 0; i < o.checks().size(); i++) {
            Check c = o.checks().get(i);
            if (i > 0) sb.append(',');
            sb.append("{\"what\":").append(Json.string(c.what())).append(",\"linux\":").append(Json.string(c.linux()))
                    .append(",\"synack\":").append(Json.string(c.synack())).append(",\"ok\":").append(c.ok()).append('}');
        }
        return sb.append("]}}\n").toString();
    }
}
