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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code synack bench tun}: bulk throughput both ways and 1-byte request/response round trips between
 * the kernel and synack over a TUN device, and the same between two kernel namespaces over a veth
 * pair, in one run, printed with their ratios.
 *
 * <p>Every kernel endpoint is a java.net socket created inside a namespace made for the run
 * ({@link Netns}); synack runs in this JVM on the TUN device whose kernel side was moved into its
 * namespace. Needs root. Addresses: 198.18.250.0/24 (TUN) and 198.19.250.0/24 (veth).
 */
public final class TunBench {
    private TunBench() {}

    /** One column of figures. */
    public record Figures(double rxGbps, double txGbps, double rrPerSec) {}

    /** gVisor netstack on TUN, as the issue quotes it (receive, send in Gbit/s; RTT/s). */
    static Figures netstack(int mtu) {
        return mtu >= 65000 ? new Figures(13.7, 10.2, 10_000) : new Figures(2.2, 0.9, 10_000);
    }

    static final int BULK_PORT = 5001, RR_PORT = 5002;

    /** Runs the whole benchmark, printing as it goes; returns the exit status. */
    public static int run(PrintStream out, List<Integer> mtus, double seconds) {
        out.printf("synack bench tun: %.1f s per figure, %d CPUs, Linux %s%n", seconds,
                java.lang.Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"));
        out.println("  figure                    synack/TUN      kernel/veth   synack÷veth   netstack/TUN   synack÷netstack");
        for (int mtu : mtus) {
            Figures s, k;
            try {
                s = tun(mtu, seconds);
                k = veth(mtu, seconds);
            } catch (Exception e) {
                out.println("synack bench tun: " + e);
                return 1;
            }
            Figures n = netstack(mtu);
            row(out, "MTU " + mtu + " kernel→synack", s.rxGbps, k.rxGbps, n.rxGbps, "Gbit/s");
            row(out, "MTU " + mtu + " synack→kernel", s.txGbps, k.txGbps, n.txGbps, "Gbit/s");
            row(out, "MTU " + mtu + " 1-byte RR", s.rrPerSec, k.rrPerSec, n.rrPerSec, "/s");
        }
        return 0;
    }

    private static void row(PrintStream out, String name, double synack, double veth, double netstack, String unit) {
        String f = unit.equals("/s") ? "%9.0f %-6s" : "%9.2f %-6s";
        out.printf("  %-24s " + f + " " + f + " %10.3f× %s %12.2f×%n", name, synack, unit, veth, unit, synack / veth,
                String.format(f, netstack, unit), synack / netstack);
    }

    // ---- synack over TUN ----------------------------------------------------------------------------

    static Figures tun(int mtu, double seconds) throws Exception {
        String ns = "synack-bench-t" + ProcessHandle.current().pid();
        String dev = "skb" + (ProcessHandle.current().pid() % 100000);
        String kernelAddr = "198.18.250.1", synackAddr = "198.18.250.2";
        ip("netns", "add", ns);
        TunStack host = null;
        try {
            TunDevice d = TunDevice.open(dev);
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
            return new Figures(rx, tx, rr);
        } finally {
            if (host != null) host.close();
            ipQuiet("netns", "del", ns);
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
