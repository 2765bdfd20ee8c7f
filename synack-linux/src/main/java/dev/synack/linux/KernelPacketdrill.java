package dev.synack.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real packetdrill (google/packetdrill, built from its source; the project keeps no copy) playing a
 * script against this machine's kernel, in a network namespace made for the run and removed after it.
 *
 * <p>Public script collections lay a script out as {@code gtests/net/tcp/CATEGORY/x.pkt} and load
 * {@code ../common/defaults.sh} or {@code ../../common/defaults.sh}, and {@code ../common/set_sysctls.py},
 * from there. The script's folder is
 * copied into a temporary tree of that shape, with the collection's {@code common/defaults.sh} (found in an
 * ancestor folder of the script) and a {@code set_sysctls.py} of our own (it writes each
 * {@code /proc/sys/PATH=VALUE} argument), so a script runs wherever its collection was checked out.
 * Congestion control: the namespace may choose CUBIC, as {@code defaults.sh} asks, for the duration
 * ({@link LinuxWorld#allowCubicWhile}).
 */
public final class KernelPacketdrill {
    /**
     * What Linux did with one script.
     *
     * @param passed whether packetdrill passed it (exit status 0)
     * @param line the line packetdrill stopped at, or 0
     * @param message packetdrill's error line without the file and line, or "" when it passed
     * @param scriptPacket the packet the script expected where it stopped ("script packet:"), or null
     * @param actualPacket the packet Linux sent instead ("actual packet:"), or null
     * @param output everything packetdrill printed
     */
    public record Run(boolean passed, int line, String message, String scriptPacket, String actualPacket, String output) {}

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Pattern ERROR = Pattern.compile("^[^:\\s]+\\.pkt:(\\d+): (.*)$", Pattern.MULTILINE);
    private static final Pattern SCRIPT_PACKET = Pattern.compile("^script packet:\\s+(.*)$", Pattern.MULTILINE);
    private static final Pattern ACTUAL_PACKET = Pattern.compile("^actual packet:\\s+(.*)$", Pattern.MULTILINE);

    private final Path binary;

    private KernelPacketdrill(Path binary) { this.binary = binary; }

    /**
     * The packetdrill binary: {@code explicit} if given, else {@code $PACKETDRILL}, else {@code packetdrill}
     * on the PATH; empty with no such executable.
     */
    public static Optional<KernelPacketdrill> find(Path explicit) {
        List<Path> candidates = new ArrayList<>();
        if (explicit != null) {
            candidates.add(explicit);
        } else {
            String env = System.getenv("PACKETDRILL");
            if (env != null && !env.isBlank()) candidates.add(Path.of(env));
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!dir.isEmpty()) candidates.add(Path.of(dir, "packetdrill"));
            }
        }
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst().map(KernelPacketdrill::new);
    }

    /**
     * What packetdrill's run_all.py passes for an IPv4 run, as the catalogue's Linux runs had it: the
     * addresses (packetdrill's own default local address is drawn at random, and Linux's Fast Open
     * cookie is of the addresses) unless the script names its own, and the symbols scripts use
     * ({@code TFO_COOKIE}, the cookie of 192.0.2.1 → 192.168.0.1 under defaults.sh's key; {@code CODE};
     * the IP_RECVERR cmsg names).
     */
    static List<String> runAllFlags(Path script) throws IOException {
        List<String> flags = new ArrayList<>();
        String text = Files.readString(script, StandardCharsets.UTF_8);
        if (!text.contains("--local_ip") && !text.contains("--remote_ip")) {
            flags.addAll(List.of("--ip_version=ipv4", "--local_ip=192.168.0.1", "--gateway_ip=192.168.0.1",
                    "--netmask_ip=255.255.0.0", "--remote_ip=192.0.2.1"));
        }
        flags.addAll(List.of("-D", "TFO_COOKIE=3021b9d889017eeb", "-D", "CODE=host_unreachable",
                "-D", "CMSG_LEVEL_IP=SOL_IP", "-D", "CMSG_TYPE_RECVERR=IP_RECVERR"));
        return flags;
    }

    /** The binary this runs. */
    public Path binary() { return binary; }

    /**
     * Plays {@code script} with packetdrill's {@code options} in a new namespace; gives up after
     * {@code timeoutSeconds} (the run is then a failure saying so).
     */
    public Run run(Path script, List<String> options, long timeoutSeconds) throws IOException, InterruptedException {
        String ns = "synack-pd-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
        Path tree = Files.createTempDirectory("synack-packetdrill");
        Path[] restoreScript = {null}; // what our set_sysctls.py writes for this run
        try {
            Path dir = layOut(script, tree);
            LinuxWorld.run("ip", "netns", "add", ns);
            LinuxWorld.run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, binary.toString()));
            cmd.addAll(runAllFlags(script));
            cmd.addAll(options);
            cmd.add(script.getFileName().toString());
            return LinuxWorld.allowCubicWhile(() -> {
                Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
                restoreScript[0] = Path.of("/tmp/sysctl_restore_" + p.pid() + ".sh"); // ip netns exec execs packetdrill: the same pid
                boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
                if (!done) {
                    p.destroyForcibly().waitFor();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    return new Run(false, 0, "timed out after " + timeoutSeconds + " s", null, null, out);
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return parse(p.exitValue() == 0, out);
            });
        } finally {
            if (restoreScript[0] != null) Files.deleteIfExists(restoreScript[0]); // a script without a cleanup line leaves it
            try {
                LinuxWorld.run("ip", "netns", "del", ns);
            } catch (IOException e) {
                // never made
            }
            deleteTree(tree);
        }
    }

    /** What packetdrill's output says: the first error line, and the script's and the actual packet. */
    static Run parse(boolean passed, String out) {
        if (passed) return new Run(true, 0, "", null, null, out);
        Matcher e = ERROR.matcher(out);
        int line = 0;
        String message = out.strip().lines().reduce((a, b) -> b).orElse("failed");
        if (e.find()) {
            line = Integer.parseInt(e.group(1));
            message = e.group(2).strip();
        }
        Matcher s = SCRIPT_PACKET.matcher(out), a = ACTUAL_PACKET.matcher(out);
        return new Run(false, line, message, s.find() ? s.group(1).strip() : null, a.find() ? a.group(1).strip() : null, out);
    }

    /** Copies the script's folder into {@code tree}/gtests/net/tcp/NAME with the collection's common files; returns that folder. */
    private static Path layOut(Path script, Path tree) throws IOException {
        Path src = script.toAbsolutePath().getParent();
        Path net = tree.resolve("gtests/net");
        // The script's folder keeps its place under the collection's root (the folder with common/), so
        // that a nested one (fastopen/server/opt34) finds ../../../common as upstream's tree has it.
        Path root = null;
        for (Path up = src; up != null && root == null; up = up.getParent()) {
            if (Files.isRegularFile(up.resolve("common/defaults.sh"))) root = up;
        }
        Path rel = root != null && !root.equals(src) ? root.relativize(src) : src.getFileName();
        Path dir = net.resolve("tcp").resolve(rel.toString());
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        Path netCommon = Files.createDirectories(net.resolve("common"));
        Path tcpCommon = Files.createDirectories(net.resolve("tcp/common"));
        for (Path up = src; up != null; up = up.getParent()) {
            Path defaults = up.resolve("common/defaults.sh");
            if (Files.isRegularFile(defaults)) {
                for (Path d : List.of(netCommon, tcpCommon)) Files.copy(defaults, d.resolve("defaults.sh"));
                break;
            }
        }
        // Our own set_sysctls.py: each argument is /proc/sys/PATH=VALUE, written as given, after the old
        // value is kept in /tmp/sysctl_restore_PID.sh, PID being the packetdrill process (the scripts'
        // cleanup lines run `/tmp/sysctl_restore_${PPID}.sh` from a shell packetdrill starts).
        String setSysctls = """
                #!/usr/bin/env python3
                import os, sys
                def parent(pid):
                    with open("/proc/%d/stat" % pid) as f:
                        return int(f.read().rsplit(")", 1)[1].split()[1])
                def name(pid):
                    with open("/proc/%d/comm" % pid) as f:
                        return f.read().strip()
                pid = os.getppid()
                while pid > 1 and name(pid) != "packetdrill":
                    pid = parent(pid)
                restore = []
                for arg in sys.argv[1:]:
                    path, value = arg.split("=", 1)
                    with open(path) as f:
                        restore.append("echo '%s' > %s" % (f.read().strip(), path))
                    with open(path, "w") as f:
                        f.write(value)
                script = "/tmp/sysctl_restore_%d.sh" % pid
                with open(script, "w") as f:
                    f.write("#!/bin/sh\\n" + "\\n".join(restore) + "\\nrm -f " + script + "\\n")
                os.chmod(script, 0o755)
                """;
        for (Path d : List.of(netCommon, tcpCommon)) {
            Path py = d.resolve("set_sysctls.py");
            if (!Files.exists(py)) Files.writeString(py, setSysctls);
        }
        try (Stream<Path> all = Files.walk(net)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        return dir;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
