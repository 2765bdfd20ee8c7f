package dev.synack.cli;

import dev.synack.sim.Ladder;
import dev.synack.sim.Pcap;
import dev.synack.sim.oracle.Differ;
import dev.synack.sim.oracle.Oracle;
import dev.synack.sim.oracle.OracleStory;
import dev.synack.sim.oracle.Stories;
import dev.synack.sim.oracle.Verdicts;
import dev.synack.sim.scenario.Check;
import dev.synack.sim.scenario.LinuxComparison;
import dev.synack.sim.scenario.Knobs;
import dev.synack.sim.scenario.Outcome;
import dev.synack.sim.scenario.Scenario;
import dev.synack.sim.scenario.ScenarioJson;
import dev.synack.sim.scenario.Scenarios;
import dev.synack.sim.scenario.Story;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
@Command(name = "scenario", modelTransformer = ScenarioKnobs.class,
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

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write the packets to FILE (pcap; pcapng, with why each "
            + "packet was sent or dropped as its comment, when FILE ends in .pcapng).")
    private Path pcap;

    @Option(names = "--full", description = "Print the whole ladder, however long (text format; json always has every event).")
    private boolean full;

    @Option(names = "--format", paramLabel = "text|json", description = "Output format (default text).")
    private String format = "text";

    @Option(names = "--against-linux", description = {"Also play the scenario's story on this machine's kernel now (root: network namespaces, TUN)",
            "and print where Linux's run and synack's differ (see synack oracle)."})
    private boolean againstLinux;

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
        Knobs knobs = ScenarioKnobs.knobs(spec);
        if (!format.equals("text") && !format.equals("json")) throw bad("bad --format '" + format + "': expected text or json");
        OutputFile.check(spec, "--pcap", pcap);
        Outcome o = (format.equals("json") ? ScenarioJson.run(scenario, knobs) : scenario.run(knobs))
                .withLinux(Verdicts.compare(scenario.name(), knobs));
        if (pcap != null) OutputFile.write(spec, "--pcap", pcap, f -> Pcap.write(o.network().trace(), f));
        if (format.equals("json")) out.print(ScenarioJson.of(o));
        else out.print(text(o, full));
        if (againstLinux) {
            OracleStory story = Stories.find(scenario.name()).orElse(null);
            if (story == null) {
                out.println("--against-linux: scenario " + scenario.name() + " has no story for the kernel runner yet (stories: "
                        + String.join(", ", Stories.all().stream().map(OracleStory::name).toList()) + ")");
                return 1;
            }
            if (!story.accepts(knobs)) throw bad("--against-linux: the story cannot run on Linux with these knobs (no TCP_USER_TIMEOUT in the JDK; connect timeouts are not in the story)");
            try {
                Differ.Report r = Differ.compare(OracleCommand.live(story, knobs), Oracle.inLab(story, knobs));
                out.println("against Linux now: " + r.text());
                return o.checksPass() && r.agrees() ? 0 : 1;
            } catch (Exception e) {
                out.println("--against-linux: " + e.getMessage());
                return 1;
            }
        }
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
        sb.append("checks above: Linux's behaviour as the scenario states it (SCENARIOS.md)\n");
        LinuxComparison l = o.linux();
        if (l != null) {
            sb.append(l.recorded() ? "the scenario's story against Linux's own run, " + l.comparedWith() + ": " + l.verdict()
                    : l.comparedWith()).append('\n');
            for (String d : l.differences()) sb.append("  ").append(d.replace("\n", "\n  ")).append('\n');
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

}
