package dev.synack.tun;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One interop test's network: a fresh namespace {@code synack-tXXXX} holding the kernel side of a
 * TUN device, and synack on the other end of that device in this JVM.
 *
 * <p>Layout, and why: this JVM opens the TUN device in the root namespace (the descriptor is what
 * synack reads and writes), then moves the device into the namespace with {@code ip link set DEV
 * netns NS}; the descriptor stays attached. The kernel side (address 198.18.N.1/24, routes, the
 * kernel's TCP peers run with {@code ip netns exec}) lives only in that namespace, so nothing a test
 * does touches the root namespace's addresses or routes, and deleting the namespace removes every
 * trace. synack is 198.18.N.2. Addresses are from 198.18.0.0/15 (RFC 2544 benchmarking).
 *
 * <p>Public for synack-it (through this module's test jar): real servers in the namespace, unmodified
 * clients over synack.
 */
public final class TunLab implements AutoCloseable {
    static final Path PEER_SCRIPT;

    static {
        try {
            PEER_SCRIPT = Files.createTempFile("synack-kernel-peer", ".py");
            try (InputStream in = TunLab.class.getResourceAsStream("kernel_peer.py")) {
                Files.write(PEER_SCRIPT, in.readAllBytes());
            }
            PEER_SCRIPT.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public final String ns;
    public final String dev;
    public final int subnet;
    public final String kernelAddr, synackAddr;
    public final int mtu;
    public final TunStack host;
    /**
     * {@code -Dsynack.tun.offload=true|false}: every lab's device with or without offloads (IFF_VNET_HDR, TSO,
     * checksum offload); by default as {@code synack tun} does, where they help ({@link TunDevice#offloadHelps}).
     */
    static final String OFFLOAD = System.getProperty("synack.tun.offload", "auto");
    private final List<Process> processes = new ArrayList<>();

    /** Skips the calling test, with the reason, unless this machine can run TUN interop tests. */
    public static void assumeTunLab() {
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun on this machine: TUN interop tests skipped");
        assumeTrue(isRoot(), "not root (CAP_NET_ADMIN needed for TUN devices and namespaces): TUN interop tests skipped");
        assumeTrue(onPath("ip"), "no 'ip' command (iproute2): TUN interop tests skipped");
        assumeTrue(onPath("python3"), "no python3 for the kernel-side peers: TUN interop tests skipped");
    }

    public static boolean isRoot() {
        try {
            return "0".equals(Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).findFirst().map(l -> l.split("\\s+")[2]).orElse(""));
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean onPath(String cmd) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cmd))) return true;
        }
        return false;
    }

    public TunLab(int mtu) throws IOException, InterruptedException { this(mtu, new TcpConfig()); }

    public TunLab(int mtu, TcpConfig config) throws IOException, InterruptedException {
        this(mtu, config, OFFLOAD.equals("auto") ? TunDevice.offloadHelps(mtu) : Boolean.parseBoolean(OFFLOAD));
    }

    /** A lab whose device has offloads or not, whatever {@code -Dsynack.tun.offload} says. */
    public TunLab(int mtu, TcpConfig config, boolean offload) throws IOException, InterruptedException {
        var rnd = new SecureRandom();
        String tag = Integer.toHexString(0x10000 + rnd.nextInt(0xF0000));
        this.ns = "synack-t" + tag;
        this.dev = "sk" + tag;
        this.subnet = 2 + rnd.nextInt(250);
        this.kernelAddr = "198.18." + subnet + ".1";
        this.synackAddr = "198.18." + subnet + ".2";
        this.mtu = mtu;
        run("ip", "netns", "add", ns);
        TunDevice d = null;
        try {
            d = TunDevice.open(dev, offload);
            run("ip", "link", "set", dev, "netns", ns);
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "-n", ns, "addr", "add", kernelAddr + "/24", "dev", dev);
            run("ip", "-n", ns, "link", "set", dev, "mtu", String.valueOf(mtu), "up");
            // No IPv6 chatter on the device: synack speaks IPv4 only (it would count and drop it).
            runQuiet("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            this.host = new TunStack(d, Ipv4.parse(synackAddr), 24, mtu, config, rnd.nextLong());
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (d != null) d.close();
            runQuiet("ip", "netns", "del", ns);
            throw e;
        }
    }

    int synack() { return Ipv4.parse(synackAddr); }

    int kernel() { return Ipv4.parse(kernelAddr); }

    /** Runs a command (in the root namespace), failing on a non-zero exit. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": timed out");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out.strip());
        return out;
    }

    public static void runQuiet(String... cmd) {
        try {
            run(cmd);
        } catch (IOException | InterruptedException e) {
            // clean-up: best effort
        }
    }

    /** A command run in the namespace, its output lines queued as they come. */
    public Peer start(String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        processes.add(p);
        return new Peer(p);
    }

    /** A command run in the namespace with its stdin read from {@code input}. */
    Peer startWithInput(java.io.File input, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectInput(input).start();
        processes.add(p);
        return new Peer(p);
    }

    /** A shell command line run in the namespace ({@code sh -c}). */
    public Peer shell(String commandLine) throws IOException { return start("sh", "-c", commandLine); }

    /** The python kernel peer (kernel_peer.py) in the namespace. */
    Peer python(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("python3", PEER_SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return start(cmd.toArray(String[]::new));
    }

    /**
     * Sends {@code bytes} pseudo-random bytes ({@code seed}) on {@code c} from a thread of its own, then
     * shuts its output, while reading everything the peer sends back until EOF; returns the bytes read.
     * (kernel_peer.py's server echoes and discards as its arguments say.)
     */
    public static long exchange(TcpSocket c, long bytes, long seed) throws InterruptedException, IOException {
        java.io.OutputStream out = c.getOutputStream();
        Thread writer = Thread.ofPlatform().start(() -> {
            byte[] chunk = new byte[65536];
            new java.util.Random(seed).nextBytes(chunk);
            try {
                for (long left = bytes; left > 0; left -= chunk.length) out.write(chunk, 0, (int) Math.min(chunk.length, left));
                c.shutdownOutput();
            } catch (Exception e) {
                // the caller's byte counts fail
            }
        });
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        InputStream in = c.getInputStream();
        while ((n = in.read(buf)) > 0) total += n;
        writer.join(TimeUnit.SECONDS.toMillis(60));
        return total;
    }

    /**
     * A file of {@code bytes} pseudo-random bytes (seeded) shared by the tests of this JVM, deleted on
     * exit, and its SHA-256 in hex.
     */
    record BulkFile(Path path, long bytes, String sha) {}

    private static BulkFile bulkFile;

    static synchronized BulkFile bulkFile(long bytes) throws Exception {
        if (bulkFile != null && bulkFile.bytes() == bytes) return bulkFile;
        Path dir = Files.createTempDirectory("synack-tun-bulk");
        dir.toFile().deleteOnExit();
        Path f = dir.resolve("bulk.bin");
        f.toFile().deleteOnExit();
        var sha = java.security.MessageDigest.getInstance("SHA-256");
        var rnd = new java.util.Random(23);
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(f)) {
            for (long left = bytes; left > 0; left -= chunk.length) {
                rnd.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, left);
                sha.update(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        bulkFile = new BulkFile(f, bytes, java.util.HexFormat.of().formatHex(sha.digest()));
        return bulkFile;
    }

    @Override
    public void close() {
        for (Process p : processes) p.descendants().forEach(ProcessHandle::destroyForcibly);
        for (Process p : processes) p.destroyForcibly();
        host.close();
        runQuiet("ip", "netns", "del", ns);
    }

    public static final class Peer {
        public final Process process;
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder all = new StringBuilder();
        private final Thread reader;

        Peer(Process p) {
            this.process = p;
            this.reader = Thread.ofVirtual().start(() -> {
                try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        synchronized (all) {
                            all.append(l).append('\n');
                        }
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
        }

        /** The next output line, waiting at most {@code seconds}; fails with everything printed so far. */
        public String line(int seconds) throws InterruptedException {
            String l = lines.poll(seconds, TimeUnit.SECONDS);
            if (l == null) throw new AssertionError("kernel peer printed no line in " + seconds + " s; output so far:\n" + output());
            return l;
        }

        /** Waits for a line starting with {@code prefix}, skipping others. */
        public String lineStarting(String prefix, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                long left = deadline - System.nanoTime();
                String l = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (l == null) throw new AssertionError("no line '" + prefix + "…' from the kernel peer in " + seconds + " s; output:\n" + output());
                if (l.startsWith(prefix)) return l;
            }
        }

        /** Waits for a line containing {@code text}, skipping others. */
        public String lineContaining(String text, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                long left = deadline - System.nanoTime();
                String l = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (l == null) throw new AssertionError("no line with '" + text + "' in " + seconds + " s; output:\n" + output());
                if (l.contains(text)) return l;
            }
        }

        public int waitFor(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kernel peer still running after " + seconds + " s; output:\n" + output());
            }
            // The process has exited; its last lines may still be on their way to output() (bounded wait).
            reader.join(TimeUnit.SECONDS.toMillis(5));
            return process.exitValue();
        }

        public String output() {
            synchronized (all) {
                return all.toString();
            }
        }
    }
}
