package dev.synack.tun;

import dev.synack.socket.PosixSockets;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code synack bench tun}: bulk throughput both ways and 1-byte request/response round trips between
 * the kernel and synack over a TUN device, against two anchors measured alternately in the same run:
 * gVisor's netstack on a TUN device in synack's place (its peer program, when present) and the kernel
 * talking to itself between two namespaces over a veth pair; printed per sitting, then the medians
 * with their ratios (these machines move by 2× from hour to hour: only a ratio from one run means
 * anything).
 *
 * <p>Every kernel endpoint is a java.net socket created inside a namespace made for the run
 * ({@link Netns}); synack runs in this JVM on the TUN device whose kernel side was moved into its
 * namespace. Needs root. Addresses: 198.18.250.0/24 (synack's TUN), 198.18.251.0/24 (netstack's TUN) and
 * 198.19.250.0/24 (veth).
 */
public final class TunBench {
    private TunBench() {}

    /** One side's figures from one sitting at one MTU (NaN: not measured). */
    public record Figures(double rxGbps, double txGbps, double rrPerSec) {
        double get(int figure) {
            return switch (figure) {
                case 0 -> rxGbps;
                case 1 -> txGbps;
                default -> rrPerSec;
            };
        }
    }

    /**
     * Every sitting's figures at one MTU, per side: synack without and with the device's offloads (a list
     * is empty when that mode was not run), netstack (empty without the anchor) and veth.
     */
    public record Sittings(int mtu, List<Figures> synack, List<Figures> offload, List<Figures> netstack, List<Figures> veth) {
        List<Figures> mode(boolean offloaded) { return offloaded ? offload : synack; }
    }

    /** Which of synack's modes a run measures: as {@code synack tun} picks by MTU, plain, offloads, or both alternately. */
    public enum Modes {
        AUTO, PLAIN, OFFLOAD, BOTH;

        /** Whether the (first) synack side at this MTU has offloads. */
        boolean offload(int mtu) { return this == OFFLOAD || (this == AUTO && TunDevice.offloadHelps(mtu)); }
    }

    static final int BULK_PORT = 5001, RR_PORT = 5002;
    static final String[] FIGURES = {"kernel→stack", "stack→kernel", "1-byte RR"};

    /**
     * Runs the whole benchmark, printing each sitting as it ends and then the medians with their ratios;
     * returns the exit status. {@code netstack} is gVisor's netstack peer program (gvpeer), or null to
     * run without that anchor. Within a sitting the sides take turns at each MTU, in an order that
     * rotates from sitting to sitting, so that drift in the machine's load spreads over all of them.
     */
    public static int run(PrintStream out, List<Integer> mtus, double seconds, int sittings, Path netstack, Modes modes) {
        out.printf(Locale.ROOT, "synack bench tun: %.1f s per figure, %d sitting(s), %d CPUs, Linux %s, load average %s%n", seconds,
                sittings, java.lang.Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), loadAverage());
        List<Sittings> all = new ArrayList<>();
        for (int mtu : mtus) all.add(new Sittings(mtu, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        for (int i = 0; i < sittings; i++) {
            for (Sittings s : all) {
                int mtu = s.mtu();
                List<String> order = new ArrayList<>();
                order.add("synack");
                if (modes == Modes.BOTH) order.add("synack+offload");
                if (netstack != null) order.add("netstack");
                order.add("veth");
                java.util.Collections.rotate(order, -i);
                for (String side : order) {
                    try {
                        switch (side) {
                            case "synack" -> s.synack().add(tun(mtu, seconds, modes.offload(mtu)));
                            case "synack+offload" -> s.offload().add(tun(mtu, seconds, true));
                            case "netstack" -> s.netstack().add(netstack(netstack, mtu, seconds));
                            default -> s.veth().add(veth(mtu, seconds));
                        }
                    } catch (Exception e) {
                        out.println("synack bench tun: " + side + " at MTU " + mtu + ": " + e);
                        return 1;
                    }
                }
                out.println(sittingLine(i + 1, s));
            }
        }
        out.print(table(all));
        out.println(switch (modes) {
            case AUTO -> "synack with the device's offloads where they help (MTU ≤ 32807: TSO and checksum offload), as synack tun";
            case PLAIN -> "synack without the device's offloads";
            case OFFLOAD -> "synack with the device's offloads (TSO and checksum offload)";
            case BOTH -> "synack without, then with the device's offloads (TSO and checksum offload)";
        });
        return 0;
    }

    /** One sitting's figures at one MTU, on one line. */
    static String sittingLine(int sitting, Sittings s) {
        int i = sitting - 1;
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  sitting %d, MTU %d:", sitting, s.mtu()));
        for (int f = 0; f < 3; f++) {
            b.append(f == 0 ? " " : "; ").append(FIGURES[f]);
            if (s.synack().size() > i) b.append(" synack ").append(value(s.synack().get(i).get(f), f));
            if (s.offload().size() > i) b.append(" synack+offload ").append(value(s.offload().get(i).get(f), f));
            if (s.netstack().size() > i) b.append(" netstack ").append(value(s.netstack().get(i).get(f), f));
            b.append(" veth ").append(value(s.veth().get(i).get(f), f));
        }
        return b.append(" (Gbit/s; RR/s)").toString();
    }

    /** The medians of the sittings with their ratios, one line per figure. */
    static String table(List<Sittings> all) {
        StringBuilder b = new StringBuilder();
        boolean anchor = all.stream().anyMatch(s -> !s.netstack().isEmpty());
        int n = all.isEmpty() ? 0 : all.get(0).veth().size();
        b.append(String.format(Locale.ROOT, "medians of %d sitting(s)%n", n));
        for (boolean offloaded : new boolean[] {false, true}) {
            if (all.stream().allMatch(s -> s.mode(offloaded).isEmpty())) continue;
            b.append(String.format(Locale.ROOT, "  %-24s %14s %14s %14s %16s %12s%n", offloaded ? "with offloads" : "figure",
                    "synack/TUN", "netstack/TUN", "kernel/veth", "synack÷netstack", "synack÷veth"));
            for (Sittings s : all) {
                for (int f = 0; f < 3; f++) {
                    double sy = median(s.mode(offloaded), f), ns = median(s.netstack(), f), ve = median(s.veth(), f);
                    String unit = f == 2 ? "/s" : "Gbit/s";
                    b.append(String.format(Locale.ROOT, "  %-24s %14s %14s %14s %16s %12s%n", "MTU " + s.mtu() + " " + FIGURES[f],
                            value(sy, f) + " " + unit, anchor ? value(ns, f) + " " + unit : "—", value(ve, f) + " " + unit,
                            anchor ? ratio(sy / ns) : "—", ratio(sy / ve)));
                }
            }
        }
        if (!anchor) b.append("  (no netstack anchor in this run)\n");
        return b.toString();
    }

    static double median(List<Figures> v, int figure) {
        double[] a = v.stream().mapToDouble(x -> x.get(figure)).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (a.length == 0) return Double.NaN;
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String value(double v, int figure) {
        if (Double.isNaN(v)) return "—";
        return figure == 2 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "—" : String.format(Locale.ROOT, "%.2f×", r);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    // ---- synack over TUN ----------------------------------------------------------------------------

    static Figures tun(int mtu, double seconds, boolean offload) throws Exception {
        String ns = "synack-bench-t" + ProcessHandle.current().pid();
        String dev = "skb" + (ProcessHandle.current().pid() % 100000);
        String kernelAddr = "198.18.250.1", synackAddr = "198.18.250.2";
        ip("netns", "add", ns);
        TunStack host = null;
        try {
            TunDevice d = TunDevice.open(dev, offload);
            try {
                ip("link", "set", dev, "netns", ns);
                ip("-n", ns, "link", "set", "lo", "up");
                ip("-n", ns, "addr", "add", kernelAddr + "/24", "dev", dev);
                ip("-n", ns, "link", "set", dev, "mtu", String.valueOf(mtu), "up");
                host = new TunStack(d, Ipv4.parse(synackAddr), 24, mtu, new TcpConfig(), System.nanoTime());
            } catch (Exception e) {
                d.close();
                throw e;
            }
            var h = host.kernel();
            // kernel → synack
            double rx;
            try (TcpServerSocket l = new TcpServerSocket(h, BULK_PORT, 16)) {
                l.setSoTimeout(5000);
                Socket k = Netns.call(ns, () -> connect(synackAddr, BULK_PORT));
                TcpSocket c = l.accept();
                Thread sender = sendFor(k, seconds);
                rx = drain(c);
                sender.join();
                c.close();
                k.close();
            }
            // synack → kernel
            double tx;
            try (ServerSocket ks = Netns.call(ns, () -> listen(kernelAddr, BULK_PORT))) {
                TcpSocket c = new TcpSocket(h);
                c.setTcpNoDelay(true);
                c.connect(new InetSocketAddress(kernelAddr, BULK_PORT), 5000);
                Socket k = ks.accept();
                AtomicLong got = new AtomicLong();
                Thread reader = Thread.ofPlatform().start(() -> got.set(drainBytes(k)));
                byte[] buf = new byte[65536];
                OutputStream o = c.getOutputStream();
                long t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
                while (System.nanoTime() < end) o.write(buf, 0, buf.length);
                c.shutdownOutput();
                reader.join();
                tx = got.get() * 8 / ((System.nanoTime() - t0) / 1e9) / 1e9;
                c.close();
                k.close();
            }
            // 1-byte request/response: the kernel asks, synack echoes.
            double rr;
            try (TcpServerSocket l = new TcpServerSocket(h, RR_PORT, 16)) {
                l.setSoTimeout(5000);
                l.setOption(PosixSockets.IPPROTO_TCP, PosixSockets.TCP_NODELAY, 1);
                Socket k = Netns.call(ns, () -> connect(synackAddr, RR_PORT));
                TcpSocket c = l.accept();
                Thread echo = Thread.ofPlatform().start(() -> {
                    try {
                        TunServices.echo(c);
                    } catch (IOException e) {
                        TunServices.abort(c);
                    }
                });
                rr = pingPong(k, seconds);
                k.close();
                echo.join(5000);
            }
            if (offload && Boolean.getBoolean("synack.bench.verbose")) {
                long[] c = host.offloadCounts();
                System.err.printf("offload MTU %d: %d super-segments written (%d segments), %d read (%d segments)%n", mtu, c[0], c[1], c[2], c[3]);
            }
            return new Figures(rx, tx, rr);
        } finally {
            if (host != null) host.close();
            ipQuiet("netns", "del", ns);
        }
    }

    // ---- gVisor's netstack over TUN (the anchor) ----------------------------------------------------

    /**
     * The same three figures with gVisor's netstack peer ({@code gvpeer}, from ../shared/tools/gvisor-peer)
     * on a TUN device in the stack's place: its discard server, bulk client and echo server against the
     * same java.net kernel endpoints. Its device gets the same transmit queue as synack's
     * ({@link TunDevice#TX_QUEUE_LEN}), so the queue is not what differs.
     */
    static Figures netstack(Path gvpeer, int mtu, double seconds) throws Exception {
        long pid = ProcessHandle.current().pid();
        String ns = "synack-bench-n" + pid, dev = "skn" + (pid % 100000);
        String kernelAddr = "198.18.251.1", peerAddr = "198.18.251.2";
        ip("netns", "add", ns);
        try {
            ip("-n", ns, "link", "set", "lo", "up");
            ip("-n", ns, "tuntap", "add", "dev", dev, "mode", "tun");
            ip("-n", ns, "addr", "add", kernelAddr + "/24", "dev", dev);
            ip("-n", ns, "link", "set", dev, "mtu", String.valueOf(mtu), "txqueuelen", String.valueOf(TunDevice.TX_QUEUE_LEN), "up");
            List<String> peer = List.of("ip", "netns", "exec", ns, gvpeer.toString(), "-tun", dev, "-addr", peerAddr + "/24",
                    "-mtu", String.valueOf(mtu));
            long limitMs = (long) (seconds * 1000) + 20_000;
            // kernel → netstack: its discard server reports Gbit/s from accept to end of stream.
            double rx;
            try (Peer p = Peer.start(peer, "-once", "discard", String.valueOf(BULK_PORT))) {
                p.await("listening", limitMs);
                Socket k = Netns.call(ns, () -> connect(peerAddr, BULK_PORT));
                Thread sender = sendFor(k, seconds);
                sender.join();
                rx = Double.parseDouble(keyValue(p.await("gbps=", limitMs), "gbps"));
                k.close();
            }
            // netstack → kernel: the kernel counts what arrives, from accept to end of stream.
            double tx;
            try (ServerSocket ks = Netns.call(ns, () -> listen(kernelAddr, BULK_PORT))) {
                ks.setSoTimeout((int) limitMs);
                try (Peer p = Peer.start(peer, "-t", String.format(Locale.ROOT, "%.3f", seconds), "client", kernelAddr,
                        String.valueOf(BULK_PORT), "1000G")) {
                    Socket k = ks.accept();
                    long t0 = System.nanoTime();
                    long bytes = drainBytes(k);
                    tx = bytes * 8 / ((System.nanoTime() - t0) / 1e9) / 1e9;
                    k.close();
                    p.await("gbps=", limitMs);
                }
            }
            // 1-byte request/response: the kernel asks, netstack echoes.
            double rr;
            try (Peer p = Peer.start(peer, "-once", "echo", String.valueOf(RR_PORT))) {
                p.await("listening", limitMs);
                Socket k = Netns.call(ns, () -> connect(peerAddr, RR_PORT));
                rr = pingPong(k, seconds);
                k.close();
            }
            return new Figures(rx, tx, rr);
        } finally {
            ipQuiet("netns", "del", ns);
        }
    }

    /** The value of {@code key} in a line of {@code key=value} words. */
    static String keyValue(String line, String key) {
        for (String w : line.trim().split("\\s+")) {
            if (w.startsWith(key + "=")) return w.substring(key.length() + 1);
        }
        throw new IllegalArgumentException("no " + key + "= in: " + line);
    }

    /** A gvpeer process, its output lines collected as they come. */
    private static final class Peer implements AutoCloseable {
        private final Process process;
        private final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        private final StringBuilder seen = new StringBuilder();

        private Peer(Process process) {
            this.process = process;
            Thread.ofPlatform().daemon().name("gvpeer-output").start(() -> {
                try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) lines.add(l);
                } catch (IOException e) {
                    // the process ended
                }
            });
        }

        static Peer start(List<String> base, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(base);
            cmd.addAll(List.of(args));
            return new Peer(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        }

        /** The first line (from here on) containing {@code text}. */
        String await(String text, long timeoutMs) throws IOException, InterruptedException {
            long end = System.nanoTime() + timeoutMs * 1_000_000;
            while (true) {
                long left = end - System.nanoTime();
                String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (l == null) throw new IOException("gvpeer: no '" + text + "' within " + timeoutMs + " ms; it said: " + seen.toString().strip());
                seen.append(l).append('\n');
                if (l.contains(text)) return l;
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            }
        }
    }

    // ---- kernel over veth ---------------------------------------------------------------------------

    static Figures veth(int mtu, double seconds) throws Exception {
        long pid = ProcessHandle.current().pid();
        String a = "synack-bench-a" + pid, b = "synack-bench-b" + pid;
        String addrB = "198.19.250.2";
        ip("netns", "add", a);
        try {
            ip("netns", "add", b);
            ip("link", "add", "skva", "netns", a, "type", "veth", "peer", "name", "skvb", "netns", b);
            ip("-n", a, "addr", "add", "198.19.250.1/24", "dev", "skva");
            ip("-n", b, "addr", "add", addrB + "/24", "dev", "skvb");
            ip("-n", a, "link", "set", "skva", "mtu", String.valueOf(mtu), "up");
            ip("-n", b, "link", "set", "skvb", "mtu", String.valueOf(mtu), "up");
            double rx, rr;
            try (ServerSocket server = Netns.call(b, () -> listen(addrB, BULK_PORT))) {
                Socket client = Netns.call(a, () -> connect(addrB, BULK_PORT));
                Socket s = server.accept();
                Thread sender = sendFor(client, seconds);
                long t0 = System.nanoTime();
                long bytes = drainBytes(s);
                rx = bytes * 8 / ((System.nanoTime() - t0) / 1e9) / 1e9;
                sender.join();
                s.close();
                client.close();
            }
            try (ServerSocket server = Netns.call(b, () -> listen(addrB, RR_PORT))) {
                Socket client = Netns.call(a, () -> connect(addrB, RR_PORT));
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread echo = Thread.ofPlatform().start(() -> {
                    try (InputStream in = s.getInputStream(); OutputStream o = s.getOutputStream()) {
                        int x;
                        while ((x = in.read()) >= 0) o.write(x);
                    } catch (IOException e) {
                        // done
                    }
                });
                rr = pingPong(client, seconds);
                client.close();
                echo.join(5000);
            }
            // Both ends are the kernel: one direction stands for both.
            return new Figures(rx, rx, rr);
        } finally {
            ipQuiet("netns", "del", b);
            ipQuiet("netns", "del", a);
        }
    }

    // ---- kernel endpoints (java.net sockets) --------------------------------------------------------

    private static Socket connect(String addr, int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(addr, port), 5000);
        return s;
    }

    private static ServerSocket listen(String addr, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(addr, port));
        return s;
    }

    private static Thread sendFor(Socket k, double seconds) {
        return Thread.ofPlatform().start(() -> {
            byte[] buf = new byte[256 * 1024];
            long end = System.nanoTime() + (long) (seconds * 1e9);
            try (OutputStream o = k.getOutputStream()) {
                while (System.nanoTime() < end) o.write(buf);
                k.shutdownOutput();
            } catch (IOException e) {
                // the measurement shows it
            }
        });
    }

    private static long drainBytes(Socket k) {
        byte[] buf = new byte[256 * 1024];
        long total = 0;
        try (InputStream in = k.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) total += n;
        } catch (IOException e) {
            // counted so far
        }
        return total;
    }

    /** synack reads to end of stream; Gbit/s from its first read call. */
    private static double drain(TcpSocket c) throws IOException {
        byte[] buf = new byte[256 * 1024];
        InputStream in = c.getInputStream();
        long total = 0, t0 = System.nanoTime();
        int n;
        while ((n = in.read(buf)) > 0) total += n;
        return total * 8 / ((System.nanoTime() - t0) / 1e9) / 1e9;
    }

    private static double pingPong(Socket k, double seconds) throws IOException {
        InputStream in = k.getInputStream();
        OutputStream o = k.getOutputStream();
        long t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9), count = 0;
        while (System.nanoTime() < end) {
            o.write('x');
            if (in.read() < 0) break;
            count++;
        }
        return count / ((System.nanoTime() - t0) / 1e9);
    }

    // ---- ip(8) ---------------------------------------------------------------------------------------

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": timed out");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    }

    private static void ipQuiet(String... args) {
        try {
            ip(args);
        } catch (IOException | InterruptedException e) {
            // clean-up: best effort
        }
    }
}
