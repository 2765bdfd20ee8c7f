package dev.synack.cli;

import dev.synack.linux.LinuxWorld;
import dev.synack.sim.oracle.Differ;
import dev.synack.sim.oracle.Oracle;
import dev.synack.sim.oracle.Recordings;
import dev.synack.sim.oracle.Stories;
import dev.synack.sim.oracle.OracleStory;
import dev.synack.sim.oracle.Timeline;
import dev.synack.sim.scenario.Knobs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synack oracle}: Linux as the oracle. The stories of the note, written once as plain java.net
 * code, played on synack in the lab and on Linux's own TCP in network namespaces (the kernel runner,
 * root only), and the two timelines compared ({@link Differ}). Recordings of Linux's runs live in the
 * repository, so {@code diff} and {@code verify} need no root.
 */
@Command(name = "oracle",
        description = {"Linux as the oracle: play a story on synack and on the real kernel, and compare.",
                "record: run stories on this machine's kernel (root, network namespaces) and keep the timelines;",
                "diff: compare synack's run with Linux's recording (or --live, a run now);",
                "verify: every story over its knob grid, as a table."},
        subcommands = {OracleCommand.Record.class, OracleCommand.Diff.class, OracleCommand.Verify.class})
final class OracleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command (record, diff or verify)");
    }

    /** The story called {@code name}, or a one-line error naming those there are. */
    static OracleStory story(CommandSpec spec, String name) {
        return Stories.find(name).orElseThrow(() -> new ParameterException(spec.commandLine(), "unknown story '" + name + "'; one of "
                + String.join(", ", Stories.all().stream().map(OracleStory::name).toList())));
    }

    /** Linux's timeline of {@code story} with {@code k}, live now (root) — the header says when and by what command. */
    static Timeline live(OracleStory story, Knobs k) throws Exception {
        String why = LinuxWorld.unavailable();
        if (why != null) throw new IllegalStateException("cannot run the kernel here: " + why);
        Timeline t = Oracle.play(story, k, LinuxWorld::new);
        Map<String, String> h = new LinkedHashMap<>(t.header());
        h.put("recorded", LocalDate.now(ZoneOffset.UTC).toString());
        h.put("command", "synack oracle record " + story.name() + " " + Recordings.key(k));
        return new Timeline(h, t.events());
    }

    @Command(name = "record", modelTransformer = ScenarioKnobs.class, description = {"Run stories on this machine's kernel and write Linux's timelines.",
            "Without a story: every story over its grid (the long ones take minutes: host-crash with tcp_retries2 15 is ~16 min).",
            "Needs root, /dev/net/tun and iproute2."})
    static final class Record implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "STORY", arity = "0..*", description = "stories to record (default: all)")
        List<String> names = new ArrayList<>();

        @Option(names = "--grid", description = "record each story over its whole knob grid (default when no knobs are given)")
        boolean grid;

        @Option(names = "--out", paramLabel = "DIR", description = "where to write STORY/KNOBS.jsonl (default: the repository's recordings, "
                + "synack-sim/src/main/resources/" + Recordings.ROOT + ")")
        Path out = Path.of("synack-sim/src/main/resources/" + Recordings.ROOT);

        @Option(names = "--max-seconds", paramLabel = "S", description = "skip grid points whose story may run longer than S seconds (default: no limit)")
        long maxSeconds = Long.MAX_VALUE;

        final PrintStream stdout;

        Record(Console console) { this.stdout = console.out(); }

        @Override
        public Integer call() throws Exception {
            List<OracleStory> stories = names.isEmpty() ? Stories.all() : names.stream().map(n -> story(spec, n)).toList();
            Knobs k = ScenarioKnobs.knobs(spec);
            boolean useGrid = grid || k.equals(Knobs.defaults().withSeed(k.seed())) && names.isEmpty();
            String why = LinuxWorld.unavailable();
            if (why != null) {
                stdout.println("synack oracle record: cannot run the kernel here: " + why);
                return 1;
            }
            for (OracleStory s : stories) {
                for (Knobs point : useGrid ? s.grid() : List.of(k)) {
                    if (!s.accepts(point)) continue;
                    if (s.limitNs(point) / 1_000_000_000L > maxSeconds) {
                        stdout.println("skipped " + s.name() + " " + Recordings.key(point) + " (may run " + s.limitNs(point) / 1_000_000_000L + " s)");
                        continue;
                    }
                    long t0 = System.nanoTime();
                    Timeline t = live(s, point);
                    Path f = out.resolve(s.name()).resolve(Recordings.key(point) + ".jsonl");
                    Files.createDirectories(f.getParent());
                    Files.writeString(f, t.toJsonLines());
                    stdout.printf("recorded %s %s: %d events in %.1f s → %s%n", s.name(), Recordings.key(point), t.events().size(),
                            (System.nanoTime() - t0) / 1e9, f);
                }
            }
            return 0;
        }
    }

    @Command(name = "diff", modelTransformer = ScenarioKnobs.class, description = {"Play a story in the lab and compare it with Linux's recording for the same knobs.",
            "--live runs it on this machine's kernel now instead (root). Exit status 0 when they agree, 1 when they differ or there is no recording."})
    static final class Diff implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "STORY", description = "the story (the scenario's name)")
        String name;

        @Option(names = "--live", description = "run Linux now (root) instead of reading the recording")
        boolean live;

        @Option(names = "--timelines", description = "also print both timelines")
        boolean timelines;

        final PrintStream stdout;

        Diff(Console console) { this.stdout = console.out(); }

        @Override
        public Integer call() throws Exception {
            OracleStory s = story(spec, name);
            Knobs k = ScenarioKnobs.knobs(spec);
            if (!s.accepts(k)) throw new ParameterException(spec.commandLine(), "story " + s.name() + " cannot be played on Linux with these knobs (the JDK has no TCP_USER_TIMEOUT; connect timeouts are not in the story)");
            Optional<Timeline> linux = live ? Optional.of(live(s, k)) : Recordings.find(s.name(), k);
            if (linux.isEmpty()) {
                stdout.println("no Linux recording for " + s.name() + " with " + Recordings.key(k)
                        + " (record one with `synack oracle record " + s.name() + " ...` as root, or add --live)");
                return 1;
            }
            Timeline synack = Oracle.inLab(s, k);
            if (timelines) {
                stdout.println("Linux:");
                stdout.print(linux.get().toJsonLines());
                stdout.println("synack:");
                stdout.print(synack.toJsonLines());
            }
            Differ.Report r = Differ.compare(linux.get(), synack);
            stdout.println(s.name() + " " + Recordings.key(k) + " — " + r.text());
            return r.agrees() ? 0 : 1;
        }
    }

    @Command(name = "verify", description = {"Every story over its knob grid, compared with Linux's recordings (or, with --live, with Linux run now):",
            "a table of agree / differ / no recording."})
    static final class Verify implements Callable<Integer> {
        @Option(names = "--details", description = "print each difference under the table")
        boolean details;

        @Option(names = "--live", description = "compare with Linux run now on this machine (root) instead of the recordings")
        boolean live;

        @Option(names = "--max-seconds", paramLabel = "S", description = "with --live: skip grid points whose story may run longer than S seconds (default 60)")
        long maxSeconds = 60;

        final PrintStream stdout;

        Verify(Console console) { this.stdout = console.out(); }

        @Override
        public Integer call() {
            List<String> notes = new ArrayList<>();
            int agree = 0, differ = 0, missing = 0;
            stdout.printf("%-14s %-42s %s%n", "story", "knobs", "vs Linux");
            for (OracleStory s : Stories.all()) {
                for (Knobs k : s.grid()) {
                    Optional<Timeline> linux;
                    if (!live) {
                        linux = Recordings.find(s.name(), k);
                    } else if (!s.accepts(k) || s.limitNs(k) / 1_000_000_000L > maxSeconds) {
                        linux = Optional.empty();
                    } else {
                        try {
                            linux = Optional.of(live(s, k));
                        } catch (Exception e) {
                            stdout.println("synack oracle verify --live: " + e.getMessage());
                            return 1;
                        }
                    }
                    String verdict;
                    if (linux.isEmpty()) {
                        verdict = live ? "not run (longer than --max-seconds)" : "no recording";
                        missing++;
                    } else {
                        Differ.Report r = Differ.compare(linux.get(), Oracle.inLab(s, k));
                        verdict = r.agrees() ? "agree" : "DIFFER (" + r.differences().size() + ")";
                        if (r.agrees()) agree++;
                        else {
                            differ++;
                            notes.add(s.name() + " " + Recordings.key(k) + " — " + r.text());
                        }
                    }
                    stdout.printf("%-14s %-42s %s%n", s.name(), Recordings.key(k), verdict);
                }
            }
            stdout.printf("%d agree, %d differ, %d %s%n", agree, differ, missing, live ? "not run" : "without a recording");
            if (details) for (String n : notes) stdout.println("\n" + n);
            return differ == 0 && missing == 0 ? 0 : 1;
        }
    }
}
