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
import java.util.List;
import java.util.Locale;
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
                "A ladder over " + ScenarioCommand.LONG + " lines (congestion's per-ACK ladder) shows its first " + ScenarioCommand.HEAD
                        + " and last " + ScenarioCommand.TAIL + " lines unless --full;",
                "congestion also writes a plot of cwnd and ssthresh over time (SVG) to a temporary file, named on its own line.",
                "Exit status 0 when synack matches Linux, 1 when it does not."})
final class ScenarioCommand implements Callable<Integer> {
    /** A ladder longer than this many lines is cut to its first {@link #HEAD} and last {@link #TAIL} lines (unless --full). */
    static final int LONG = 1000, HEAD = 60, TAIL = 10;

    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "0..1", description = "The scenario (see --list).")
    private String name;

    @Option(names = "--list", description = "List the scenarios: name and situation, one per line.")
    private boolean list;

    @Mixin
    private ScenarioKnobs knobOptions;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write the packets to FILE (pcap; pcapng, with why each "
            + "packet was sent or dropped as its comment, when FILE ends in .pcapng).")
    private Path pcap;

    @Option(names = "--full", description = "Print the whole ladder, however long (text format; json always has every event).")
    private boolean full;

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
        else out.print(text(o, full));
        return o.matchesLinux() ? 0 : 1;
    }

    static String text(Outcome o, boolean full) {
        String ladder = Ladder.render(o.network());
        StringBuilder sb = new StringBuilder(full ? ladder : shorten(ladder)).append('\n');
        sb.append("the application saw: ").append(o.appSaw()).append(" at ").append(Story.time(o.atNs())).append('\n');
        if (o.plot() != null) sb.append("plot (cwnd and ssthresh over time, SVG): ").append(o.plot()).append('\n');
        for (Check c : o.checks()) {
            sb.append(c.ok() ? "  ✓ " : "  ✗ ").append(c.what()).append(": Linux ").append(c.linux());
            if (!c.ok()) sb.append("\n      synack ").append(c.synack());
            sb.append('\n');
        }
        sb.append(o.matchesLinux() ? "matches Linux\n" : "DIFFERS from Linux\n");
        return sb.toString();
    }

    /** A ladder of more than {@link #LONG} lines: its first and last lines, and a line saying how many are left out. */
    static String shorten(String ladder) {
        List<String> lines = ladder.lines().toList();
        if (lines.size() <= LONG) return ladder;
        StringBuilder sb = new StringBuilder();
        for (String l : lines.subList(0, HEAD)) sb.append(l).append('\n');
        sb.append(String.format(Locale.ROOT, "    … %d more lines (to %s) left out; --full prints them%n",
                lines.size() - HEAD - TAIL, time(lines.get(lines.size() - TAIL - 1))));
        for (String l : lines.subList(lines.size() - TAIL, lines.size())) sb.append(l).append('\n');
        return sb.toString();
    }

    /** The time column of a ladder line ("3.573"), with its unit. */
    private static String time(String line) {
        String t = line.strip().split("\\s+", 2)[0];
        return t.matches("[0-9.]+") ? t + " s" : "the end";
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
