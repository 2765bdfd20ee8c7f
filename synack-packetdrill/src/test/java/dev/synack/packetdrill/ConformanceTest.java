package dev.synack.packetdrill;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs every {@code core} and {@code linux-ext} script of packetdrill's public TCP corpus
 * (../shared/conformance/packetdrill, relative to the repository root; skipped when absent) and fails only on a regression: a script in
 * src/test/resources/passing.txt that no longer passes. The list only grows: a script that newly
 * passes is printed so it can be added. A script that Linux passes only with a wider
 * {@code --tolerance_usecs} (as the catalogue's note says) runs with that tolerance.
 */
class ConformanceTest {
    /** Scripts of one catalogue class: how many, how many pass, how many Linux passes, and of those how many pass. */
    private static final class Tally {
        int scripts, passed, linux, linuxPassed;

        void count(boolean passes, boolean linuxPasses) {
            scripts++;
            if (passes) passed++;
            if (linuxPasses) linux++;
            if (passes && linuxPasses) linuxPassed++;
        }
    }

    private static final Pattern TOLERANCE = Pattern.compile("--tolerance_usecs=\\d+");

    @Test
    void coreScriptsDoNotRegress() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path corpus = root.resolveSibling("shared").resolve("conformance").resolve("packetdrill");
        assumeTrue(Files.isRegularFile(corpus.resolve("CATALOG.tsv")),
                "packetdrill corpus not found at " + corpus + ": conformance run skipped");
        Set<String> passing = new TreeSet<>();
        for (String l : Files.readAllLines(Path.of("src/test/resources/passing.txt"))) {
            if (!l.isBlank() && !l.startsWith("#")) passing.add(l.strip());
        }
        Map<String, Tally> tallies = new TreeMap<>(); // by catalogue class
        List<String> regressions = new ArrayList<>();
        List<String> newlyPassing = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        for (String line : Files.readAllLines(corpus.resolve("CATALOG.tsv"))) {
            String[] f = line.split("\t");
            if (f.length < 4 || !(f[2].equals("core") || f[2].equals("linux-ext"))) continue;
            // Where Linux itself passes only with a wider timing tolerance (its HZ=250 timers), the
            // catalogue says so ("pass only with --tolerance_usecs=14000"): run under the same terms.
            Matcher m = TOLERANCE.matcher(f.length > 4 ? f[4] : "");
            Result r = Runner.run(corpus.resolve(f[0]), m.find() ? List.of(m.group()) : List.of());
            results.add(r);
            tallies.computeIfAbsent(f[2], k -> new Tally()).count(r.passed(), f[3].equals("pass"));
            if (r.passed()) {
                if (!passing.contains(f[0])) newlyPassing.add(f[0]);
            } else if (passing.contains(f[0])) {
                regressions.add(f[0] + ":" + r.line() + ": " + r.message());
            }
        }
        Report.summary(results, System.out);
        tallies.forEach((cls, t) -> System.out.printf("packetdrill %s scripts: %d/%d pass; of the %d Linux passes: %d%n",
                cls, t.passed, t.scripts, t.linux, t.linuxPassed));
        for (String n : newlyPassing) System.out.println("newly passing (add to passing.txt): " + n);
        assertTrue(regressions.isEmpty(), "regressions against passing.txt:\n  " + String.join("\n  ", regressions));
    }
}
