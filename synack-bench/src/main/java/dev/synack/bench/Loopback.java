package dev.synack.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The kernel's own TCP over loopback, measured with iperf3 ({@code -M 1448}: segments of the same
 * payload as synack's pair at MTU 1500), so the in-memory figure has a measured anchor beside it
 * rather than a remembered one. Loopback's segments still travel through the kernel as GSO
 * super-packets of up to 64 KB: the anchor is "the kernel moving a 1448-byte-MSS stream within one
 * machine", not per-segment work.
 *
 * <p>iperf3 is optional (Debian's {@code iperf3} package): without it {@link #measure} says why and
 * returns nothing. Traffic stays on 127.0.0.1; every wait is bounded.
 */
final class Loopback {
    private static final Pattern RECEIVED =
            Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)");

    private final Path iperf3;

    private Loopback(Path iperf3) { this.iperf3 = iperf3; }

    /** iperf3 from the PATH, or empty with the reason printed. */
    static Optional<Loopback> find() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, "iperf3");
            if (Files.isExecutable(p)) return Optional.of(new Loopback(p));
        }
        System.out.println("Linux loopback: not measured — iperf3 is not on the PATH (Debian: apt-get install iperf3)");
        return Optional.empty();
    }

    /**
     * One iperf3 run of {@code seconds} over 127.0.0.1 with MSS 1448: the receiver's goodput in bit/s, or
     * empty (with the reason printed) when iperf3 fails.
     */
    OptionalDouble measure(int seconds) {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // a free port now; iperf3's server takes it a moment later
        } catch (IOException e) {
            System.out.println("Linux loopback: no free port on 127.0.0.1 (" + e.getMessage() + ")");
            return OptionalDouble.empty();
        }
        Process server = null;
        try {
            server = new ProcessBuilder(iperf3.toString(), "-s", "-1", "-B", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String last = "";
            for (int attempt = 0; attempt < 40; attempt++) { // the server needs a moment to listen: ≤ 2 s of retries
                Path out = Files.createTempFile("synack-iperf3", ".json");
                try {
                    Process client = new ProcessBuilder(List.of(iperf3.toString(), "-c", "127.0.0.1", "-p", Integer.toString(port),
                            "-M", "1448", "-t", Integer.toString(seconds), "-J")).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                    if (!client.waitFor(seconds + 10L, TimeUnit.SECONDS)) {
                        client.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                        last = "no result after " + (seconds + 10) + " s";
                        break;
                    }
                    String json = Files.readString(out, StandardCharsets.UTF_8);
                    var m = RECEIVED.matcher(json);
                    if (client.exitValue() == 0 && m.find()) return OptionalDouble.of(Double.parseDouble(m.group(1)));
                    last = json.lines().filter(l -> l.contains("\"error\"")).findFirst().orElse("exit " + client.exitValue()).trim();
                } finally {
                    Files.deleteIfExists(out);
                }
                if (!last.contains("refused")) break;
                Thread.sleep(50);
            }
            System.out.println("Linux loopback: iperf3 failed: " + last);
        } catch (IOException e) {
            System.out.println("Linux loopback: iperf3 did not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (server != null) server.destroyForcibly();
        }
        return OptionalDouble.empty();
    }
}
