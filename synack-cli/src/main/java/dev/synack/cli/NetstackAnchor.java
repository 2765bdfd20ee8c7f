package dev.synack.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * gVisor's netstack peer ({@code gvpeer}: netstack on a TUN device, the maintainers' Go program kept
 * outside the project next to a checkout in {@code ../shared/tools/gvisor-peer/}; the project keeps no
 * copy). Found at a path given, else at {@code ${TMPDIR:-/tmp}/gv/gvpeer}, else built there with the
 * tools' own {@code build.sh} when Go and Debian's gVisor sources are installed
 * ({@code apt-get install golang-go golang-gvisor-gvisor-dev}).
 */
final class NetstackAnchor {
    static final String WHERE = "../shared/tools/gvisor-peer next to the checkout, with golang-go and golang-gvisor-gvisor-dev installed";

    private NetstackAnchor() {}

    /** The peer program, or why there is none. */
    record Found(Path program, String why) {}

    static Found find(Path given, PrintStream log) {
        if (given != null) {
            return Files.isRegularFile(given) && Files.isExecutable(given) ? new Found(given, null)
                    : new Found(null, "no gvpeer program at " + given);
        }
        Path dir = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"), "gv");
        Path built = dir.resolve("gvpeer");
        if (Files.isExecutable(built)) return new Found(built, null);
        Path tools = toolsFolder();
        if (tools == null) return new Found(null, "gVisor's netstack peer not found (" + WHERE + ", or --netstack PATH)");
        if (!Files.isDirectory(Path.of("/usr/share/gocode/src/gvisor.dev/gvisor/pkg/tcpip")) || !onPath("go")) {
            return new Found(null, "Go or gVisor's sources are not installed (apt-get install golang-go golang-gvisor-gvisor-dev) to build " + tools);
        }
        log.println("anchor: building gVisor's netstack peer from " + tools + " into " + dir + " (once)...");
        try {
            Process p = new ProcessBuilder("sh", tools.resolve("build.sh").toString(), dir.toString()).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isExecutable(built)) {
                return new Found(null, "building gVisor's netstack peer failed: " + text.strip().lines().reduce((a, b) -> b).orElse(""));
            }
        } catch (IOException e) {
            return new Found(null, "building gVisor's netstack peer failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Found(null, "interrupted");
        }
        return new Found(built, null);
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) return true;
        }
        return false;
    }

    /** {@code ../shared/tools/gvisor-peer} from the working folder or from the checkout the running jar came from. */
    private static Path toolsFolder() {
        List<Path> roots = new ArrayList<>();
        roots.add(Path.of("").toAbsolutePath());
        try {
            Path jar = Path.of(NetstackAnchor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) roots.add(p);
        } catch (Exception e) {
            // no jar location
        }
        for (Path r : roots) {
            Path t = r.resolve("../shared/tools/gvisor-peer").normalize();
            if (Files.isRegularFile(t.resolve("build.sh"))) return t;
        }
        return null;
    }
}
