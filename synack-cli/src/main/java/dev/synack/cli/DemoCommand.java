package dev.synack.cli;

import dev.synack.sim.oracle.Verdicts;
import dev.synack.sim.scenario.Knobs;
import dev.synack.sim.scenario.Outcome;
import dev.synack.sim.scenario.Scenario;
import dev.synack.sim.scenario.Scenarios;
import dev.synack.sim.scenario.Story;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code synack demo}: replays every registered scenario with the default knobs and prints one row
 * each (what the application saw, when, whether it matches Linux), then the wall time it took.
 */
@Command(name = "demo",
        description = {"Replay every scenario of the lab with the default knobs: a table of what the application saw,",
                "when, and whether it matches Linux, then the wall time. Exit status 0 when all match, 1 otherwise.",
                "The table fits 120 columns: what the application saw is cut with '…' (--wide shows it whole), and",
                "'—' is the time of a scenario whose outcome sums up several runs; 'synack scenario NAME' tells the full story."})
final class DemoCommand implements Callable<Integer> {
    /** The widest "what the application saw" cell, so that the table is 120 columns wide. */
    static final int SAW = 54;

    private final PrintStream out;

    @Option(names = "--wide", description = "Show what the application saw whole (its first line), however wide the table.")
    private boolean wide;

    DemoCommand(Console console) {
        this.out = console.out();
    }

    /** Runs the demo; returns 0 if every scenario's checks pass and every recorded Linux run agrees, 1 otherwise. */
    @Override
    public Integer call() {
        long wallStart = System.nanoTime();
        List<String[]> rows = new ArrayList<>();
        boolean all = true;
        for (Scenario s : Scenarios.all()) {
            String saw, when, match, recording;
            try {
                Outcome o = Verdicts.run(s, Knobs.defaults());
                saw = wide ? firstLine(o.appSaw()) : summary(o.appSaw());
                when = s.timed() ? Story.time(o.atNs()) : "—";
                match = o.checksPass() ? "yes" : "no";
                recording = o.linux() == null ? "—" : o.linux().verdict();
                all &= o.matchesLinux();
            } catch (RuntimeException | AssertionError e) {
                saw = "failed: " + e.getMessage();
                when = "-";
                match = "no";
                recording = "-";
                all = false;
            }
            rows.add(new String[] {s.name(), saw, when, match, recording});
        }
        String[] head = {"scenario", "what the application saw", "when", "matches Linux", "Linux run"};
        int[] w = new int[head.length];
        for (int i = 0; i < w.length; i++) w[i] = head[i].length();
        for (String[] r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r[i].length());
        line(out, head, w);
        String[] rule = new String[head.length];
        for (int i = 0; i < w.length; i++) rule[i] = "-".repeat(w[i]);
        line(out, rule, w);
        for (String[] r : rows) line(out, r, w);
        out.println();
        if (rows.stream().anyMatch(r -> r[1].endsWith("…"))) {
            out.println("cells cut with …: 'synack demo --wide' shows them whole; 'synack scenario NAME' tells the full story");
        }
        out.println("matches Linux: the scenario's checks of Linux's behaviour (SCENARIOS.md). Linux run: the scenario's story as Linux 6.18");
        out.println("ran it (recorded, docs/ORACLE.md), compared event by event; 'synack scenario NAME' shows each difference");
        out.printf(Locale.ROOT, "demo took %.2f s of wall time%n", (System.nanoTime() - wallStart) / 1e9);
        return all ? 0 : 1;
    }

    /** The first line of what the application saw, short enough for a table (the scenario command shows all). */
    static String summary(String saw) {
        String first = firstLine(saw);
        return first.length() <= SAW ? first : first.substring(0, SAW - 1) + "…";
    }

    private static String firstLine(String saw) { return saw.lines().findFirst().orElse(""); }

    private static void line(PrintStream out, String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) sb.append(" | ");
            sb.append(cells[i]);
            if (i < cells.length - 1) sb.append(" ".repeat(w[i] - cells[i].length()));
        }
        out.println(sb);
    }
}
