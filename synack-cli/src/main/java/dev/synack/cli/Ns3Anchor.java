package dev.synack.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;

/**
 * ns-3's anchor programs (bulk, dumbbell, star: the maintainers' ns-3 3.37 workloads, kept outside the
 * project next to a checkout in {@code ../shared/tools/ns3/}; the project keeps no copy). Found in a
 * folder given, else in {@code ${TMPDIR:-/tmp}/ns3w/bin}, else built there with the tools' own
 * {@code build.sh} when ns-3 is installed (Debian: {@code apt-get install libns3-dev g++ pkg-config}).
 */
final class Ns3Anchor {
    static final String WHERE = "../shared/tools/ns3 next to the checkout, with libns3-dev installed";
    private static final List<String> PROGRAMS = List.of("bulk", "dumbbell", "star");

    private final Path dir;
    private final String version;

    private Ns3Anchor(Path dir, String version) {
        this.dir = dir;
        this.version = version;
    }

    Path dir() { return dir; }

    String version() { return version; }

    /** The anchor, or why there is none. */
    record Found(Ns3Anchor anchor, String why) {}

    static Found find(Path given, PrintStream log) {
        if (given != null) {
            return complete(given) ? new Found(new Ns3Anchor(given, ns3Version()), null)
                    : new Found(null, "no bulk, dumbbell and star programs in " + given);
        }
        Path built = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"), "ns3w", "bin");
        if (complete(built)) return new Found(new Ns3Anchor(built, ns3Version()), null);
        Path tools = toolsFolder();
        if (tools == null) return new Found(null, "ns-3's anchor programs not found (" + WHERE + ", or --ns3 DIR)");
        if (ns3Version() == null) return new Found(null, "ns-3 is not installed (apt-get install libns3-dev g++ pkg-config) to build " + tools);
        log.println("anchor: building ns-3's programs from " + tools + " into " + built + " (once)...");
        try {
            Process p = new ProcessBuilder("bash", tools.resolve("build.sh").toString(), built.toString()).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0 || !complete(built)) {
                return new Found(null, "building ns-3's programs failed: " + text.strip().lines().reduce((a, b) -> b).orElse(""));
            }
        } catch (IOException e) {
            return new Found(null, "building ns-3's programs failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Found(null, "interrupted");
        }
        return new Found(new Ns3Anchor(built, ns3Version()), null);
    }

    private static boolean complete(Path d) {
        return PROGRAMS.stream().allMatch(p -> Files.isExecutable(d.resolve(p)));
    }

    /** {@code ../shared/tools/ns3} from the working folder or from the checkout the running jar came from. */
    private static Path toolsFolder() {
        List<Path> roots = new ArrayList<>();
        roots.add(Path.of("").toAbsolutePath());
        try {
            Path jar = Path.of(Ns3Anchor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) roots.add(p);
        } catch (Exception e) {
            // no jar location
        }
        for (Path r : roots) {
            Path t = r.resolve("../shared/tools/ns3").normalize();
            if (Files.isRegularFile(t.resolve("build.sh"))) return t;
        }
        return null;
    }

    /** ns-3's version from pkg-config, or null when it is not installed. */
    private static String ns3Version() {
        try {
            Process p = new ProcessBuilder("pkg-config", "--modversion", "ns3-core").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && !v.isEmpty() ? v : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Runs {@code program} with {@code args}: its whole process's wall time, user+sys CPU time (from
     * /usr/bin/time when present) and peak RSS, and the value of {@code key} in its key=value output.
     */
    void run(String program, List<String> args, String key, List<Double> wall, List<Double> cpu, List<Double> figure, DoubleConsumer memoryMiB) {
        List<String> cmd = new ArrayList<>();
        boolean timed = Files.isExecutable(Path.of("/usr/bin/time"));
        if (timed) cmd.addAll(List.of("/usr/bin/time", "-f", "TIME %e %U %S %M"));
        cmd.add(dir.resolve(program).toString());
        cmd.addAll(args);
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            double w = (System.nanoTime() - t0) / 1e9;
            Map<String, String> kv = keyValues(text);
            String time = text.lines().filter(l -> l.startsWith("TIME ")).reduce((a, b) -> b).orElse(null);
            if (time != null) {
                String[] f = time.split(" ");
                wall.add(Double.parseDouble(f[1]));
                cpu.add(Double.parseDouble(f[2]) + Double.parseDouble(f[3]));
                memoryMiB.accept(Double.parseDouble(f[4]) / 1024);
            } else {
                wall.add(w);
                if (kv.containsKey("peak_rss_kb")) memoryMiB.accept(Double.parseDouble(kv.get("peak_rss_kb")) / 1024);
            }
            if (kv.containsKey(key)) figure.add(Double.parseDouble(kv.get(key)));
        } catch (IOException | NumberFormatException e) {
            wall.add(Double.NaN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The {@code key=value} lines of an anchor program's output (several pairs on a line, space-separated). */
    static Map<String, String> keyValues(String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            for (String word : line.trim().split("\\s+")) {
                int eq = word.indexOf('=');
                if (eq > 0) kv.putIfAbsent(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return kv;
    }
}
