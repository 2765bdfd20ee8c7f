package dev.synack.linux;

import dev.synack.sim.oracle.Stories;
import dev.synack.sim.oracle.Timeline;
import dev.synack.sim.oracle.World;
import dev.synack.sim.scenario.Knobs;
import dev.synack.tun.Netns;
import dev.synack.tun.TunDevice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * A {@link World} on Linux's own TCP: the client and the server are two network namespaces made for
 * this world (and removed by {@link #close()}), each with a TUN device, 198.18.0.1/24 and
 * 198.18.0.2/24; a {@link Relay} in this JVM carries the kernels' packets between the two devices
 * with half the RTT each way and the knobs' loss, and records the client's side. The story's
 * processes are platform threads that joined their host's namespace (setns), so the JDK's own
 * java.net sockets they make are the kernel's, in that namespace; the knobs' sysctls are set in both
 * namespaces (they are per namespace: net.ipv4.tcp_*).
 *
 * <p>Faults act as in real life, on the path or on the process: a crash blackholes the server in the
 * relay (nothing leaves it, nothing reaches it, its processes are never heard from again); a reboot
 * aborts every socket of the server while it is still cut off (so the RSTs are lost, and its kernel
 * forgets every connection) and then reconnects it; a kill closes the process's sockets as the kernel
 * does when a process exits.
 *
 * <p>Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for namespaces), /dev/net/tun and iproute2:
 * {@link #unavailable()} says why not.
 */
public final class LinuxWorld implements World {
    private static final AtomicInteger WORLDS = new AtomicInteger();
    static final String CLIENT_ADDR = "198.18.0.1", SERVER_ADDR = "198.18.0.2";

    private final String clientNs, serverNs;
    private final TunDevice clientTun, serverTun;
    private final Relay relay;
    private final long startNs;
    private final Timeline.Builder notes = new Timeline.Builder();
    private final LinuxEndpoint client, server;
    private final String source;

    /** Makes the namespaces, devices and relay, and sets the knobs' sysctls. */
    public LinuxWorld(Knobs k, int defaultRttMs) throws IOException {
        int n = WORLDS.incrementAndGet();
        String tag = ProcessHandle.current().pid() + "-" + n;
        clientNs = "synack-c-" + tag;
        serverNs = "synack-s-" + tag;
        TunDevice c = null, s = null;
        try {
            ip("netns", "add", clientNs);
            ip("netns", "add", serverNs);
            c = open(clientNs);
            s = open(serverNs);
            configure(clientNs, c.name(), CLIENT_ADDR);
            configure(serverNs, s.name(), SERVER_ADDR);
            for (Map.Entry<String, String> e : k.sysctls().entrySet()) {
                sysctl(clientNs, e.getKey(), e.getValue());
                sysctl(serverNs, e.getKey(), e.getValue());
            }
        } catch (IOException | RuntimeException e) {
            if (c != null) c.close();
            if (s != null) s.close();
            removeNamespaces();
            throw e;
        }
        clientTun = c;
        serverTun = s;
        congestionControl = useCubic(clientNs, serverNs);
        warmUp(clientNs);
        warmUp(serverNs);
        startNs = System.nanoTime();
        long oneWayNs = k.rttNsOr(defaultRttMs) / 2;
        relay = new Relay(clientTun, serverTun, oneWayNs, k.loss(), k.seed(), startNs);
        client = new LinuxEndpoint("client", clientNs, CLIENT_ADDR);
        server = new LinuxEndpoint("server", serverNs, SERVER_ADDR);
        source = "Linux " + uname();
    }

    /** The namespaces' congestion control, for the timeline's header. */
    private final String congestionControl;

    /**
     * CUBIC, synack's default, in both namespaces. A namespace inherits the machine's default and may
     * only choose one of tcp_allowed_congestion_control, a list kept for the whole machine (on these
     * machines the default is bbr and cubic is not in the list: EPERM outside the initial namespace).
     * The list is only consulted when a namespace chooses, so where cubic is built in but not allowed
     * the runner (root) adds it for that moment and puts the list back at once. If that fails too,
     * the namespaces keep the default and the timeline's header says what Linux ran.
     */
    private static String useCubic(String... namespaces) {
        if (!trySetCubic(namespaces)) {
            try {
                allowCubicWhile(() -> trySetCubic(namespaces));
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                // not allowed here: keep the inherited default
            }
        }
        String used = null;
        for (String ns : namespaces) {
            try {
                used = run("ip", "netns", "exec", ns, "sysctl", "-n", "net.ipv4.tcp_congestion_control");
            } catch (IOException e) {
                used = "unknown";
            }
        }
        return used;
    }

    /** An action of {@link #allowCubicWhile}. */
    @FunctionalInterface
    interface Action<T> {
        T run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code action} with cubic in tcp_allowed_congestion_control when cubic is built in but not
     * allowed, and puts the machine's list back after (at once: the list is only consulted when a
     * namespace chooses). Without root the list stays as it is.
     */
    static <T> T allowCubicWhile(Action<T> action) throws IOException, InterruptedException {
        String key = "net.ipv4.tcp_allowed_congestion_control";
        String allowed = null;
        try {
            String available = run("sysctl", "-n", "net.ipv4.tcp_available_congestion_control");
            String current = run("sysctl", "-n", key);
            if (List.of(available.split("\\s+")).contains("cubic") && !List.of(current.split("\\s+")).contains("cubic")) {
                run("sysctl", "-qw", key + "=" + current + " cubic");
                allowed = current;
            }
        } catch (IOException e) {
            // cannot widen it: run as it is
        }
        try {
            return action.run();
        } finally {
            if (allowed != null) {
                try {
                    run("sysctl", "-qw", key + "=" + allowed);
                } catch (IOException e) {
                    System.err.println("synack: could not put " + key + " back to \"" + allowed + "\": " + e.getMessage());
                }
            }
        }
    }

    /** Asks each namespace for cubic; whether all of them took it. */
    private static boolean trySetCubic(String... namespaces) {
        boolean all = true;
        for (String ns : namespaces) {
            try {
                run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.tcp_congestion_control=cubic");
            } catch (IOException e) {
                all = false;
            }
        }
        return all;
    }

    /** Why a LinuxWorld cannot be made here, or null if it can. */
    public static String unavailable() {
        if (!"Linux".equals(System.getProperty("os.name"))) return "not Linux";
        if (!Files.exists(Path.of("/dev/net/tun"))) return "no /dev/net/tun";
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String uid = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            if (!"0".equals(uid)) return "not root (network namespaces need CAP_SYS_ADMIN)";
            Process ipv = new ProcessBuilder("ip", "-V").redirectErrorStream(true).start();
            ipv.getInputStream().readAllBytes();
            if (ipv.waitFor() != 0) return "no iproute2 (ip)";
        } catch (IOException e) {
            return "cannot run id/ip: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    /**
     * Makes one connection over the namespace's loopback, so the JDK's socket classes are loaded and
     * linked before the world's clock starts (the first java.net connect of a JVM costs ~10 ms, which
     * would show as a late first segment).
     */
    private static void warmUp(String ns) throws IOException {
        try {
            Netns.call(ns, () -> {
                try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                     Socket c = new Socket()) {
                    c.connect(ss.getLocalSocketAddress(), 1000);
                    c.setSoTimeout(1000);
                    try (Socket a = ss.accept()) {
                        a.getOutputStream().write(1);
                        c.getInputStream().read(new byte[1]);
                        c.shutdownOutput();
                        a.getInputStream().read();
                    }
                }
                return null;
            });
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("warm-up in " + ns + ": " + e, e);
        }
    }

    private static TunDevice open(String ns) throws IOException {
        try {
            return Netns.call(ns, () -> TunDevice.open("synack0"));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("TUN device in " + ns + ": " + e.getMessage(), e);
        }
    }

    private static void configure(String ns, String dev, String addr) throws IOException {
        ip("-n", ns, "link", "set", "lo", "up");
        ip("-n", ns, "addr", "add", addr + "/24", "dev", dev);
        ip("-n", ns, "link", "set", dev, "up");
    }

    private static void sysctl(String ns, String name, String value) throws IOException {
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4." + name + "=" + value);
    }

    private static void ip(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        run(cmd);
    }

    static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
        return out;
    }

    private static String uname() {
        try {
            return run("uname", "-rm");
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    @Override
    public Endpoint client() { return client; }

    @Override
    public Endpoint server() { return server; }

    @Override
    public long nowNs() { return System.nanoTime() - startNs; }

    @Override
    public void sleepUntil(long atNs) throws InterruptedException {
        long d = atNs - nowNs();
        if (d > 0) Thread.sleep(d / 1_000_000L, (int) (d % 1_000_000L));
    }

    @Override
    public void runUntil(long atNs) throws InterruptedException { sleepUntil(atNs); }

    @Override
    public void runUntilDone(long limitNs) throws InterruptedException {
        for (Thread t : List.copyOf(threads)) {
            if (dead.contains(t)) continue; // a crashed host's process: never heard from again
            long left = limitNs - nowNs();
            if (left <= 0) break;
            t.join(Math.max(1, left / 1_000_000L));
        }
        // The story ends now. What the last calls sent (a close's FIN) reaches the relay a moment later:
        // let it read that, and keep it (up to 1 ms on), but not what the kernels do afterwards.
        endNs = nowNs();
        Thread.sleep(5);
    }

    /** When runUntilDone ended the story, or -1. */
    private volatile long endNs = -1;

    @Override
    public void crashServer() {
        relay.cut(true);
        server.crashed = true;
        for (Thread t : threads) if (t.getName().startsWith("server/")) dead.add(t);
    }

    /**
     * Aborts every socket of the server (SO_LINGER 0: its kernel forgets each connection, and the RSTs
     * it sends are dropped by the cut path), waits until the relay has read them, then reconnects.
     */
    @Override
    public void rebootServer() throws InterruptedException {
        for (AutoCloseable c : server.sockets) abort(c);
        server.sockets.clear();
        relay.drainServer(20);
        server.crashed = false;
        relay.cut(false);
    }

    /** Threads of processes that died with their host. */
    private final java.util.Set<Thread> dead = ConcurrentHashMap.newKeySet();

    private static void abort(AutoCloseable c) {
        try {
            if (c instanceof Socket s && !s.isClosed()) s.setSoLinger(true, 0);
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }

    @Override
    public void dropNth(boolean fromClient, int nth) { relay.dropNth(fromClient, nth); }

    /** {@code ip link set DEV down} in the client's namespace: the kernel removes the interface's routes. */
    @Override
    public void clientLinkDown() throws IOException { ip("-n", clientNs, "link", "set", clientTun.name(), "down"); }

    /** {@code ip link set DEV up}: the address's on-link route comes back. */
    @Override
    public void rejectOnPath(int code) { relay.reject(code); }

    @Override
    public void clientLinkUp() throws IOException { ip("-n", clientNs, "link", "set", clientTun.name(), "up"); }

    @Override
    public void note(String host, String call, String result) {
        if (host.equals("server") && server.crashed || dead.contains(Thread.currentThread())) return; // a crashed host's processes are gone
        notes.call(nowNs(), host, call, result);
    }

    @Override
    public Timeline timeline() {
        Timeline.Builder b = new Timeline.Builder().header("source", source).header("congestion_control", congestionControl);
        relay.replay(b);
        for (Timeline.Event e : notes.build().events()) {
            Timeline.App a = (Timeline.App) e;
            b.call(a.tNs(), a.host(), a.call(), a.result());
        }
        Timeline t = b.build();
        if (endNs < 0) return t;
        // Up to 1 ms on, and before anything arrives: what the client sent then is what its last calls
        // sent; what it sends once an answer arrives is the kernels' story after the end.
        long until = endNs + 1_000_000L;
        for (Timeline.Event e : t.events()) {
            if (e.tNs() > endNs && e instanceof Timeline.Segment seg && !seg.outbound()) {
                until = Math.min(until, e.tNs() - 1);
                break;
            }
        }
        long cut = until;
        return new Timeline(t.header(), t.events().stream().filter(e -> e.tNs() <= cut).toList());
    }

    @Override
    public String source() { return source; }

    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override
    public void close() {
        for (LinuxEndpoint e : List.of(client, server)) {
            for (AutoCloseable c : e.sockets) abort(c);
        }
        for (Thread t : threads) t.interrupt();
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        relay.close();
        clientTun.close();
        serverTun.close();
        removeNamespaces();
    }

    private void removeNamespaces() {
        for (String ns : List.of(clientNs, serverNs)) {
            try {
                ip("netns", "del", ns);
            } catch (IOException e) {
                // not made
            }
        }
    }

    /** A host: its namespace, its processes (threads in it) and the sockets they made. */
    private final class LinuxEndpoint implements Endpoint {
        private final String name, ns;
        private final InetAddress address;
        final List<AutoCloseable> sockets = new CopyOnWriteArrayList<>();
        private final Map<String, List<AutoCloseable>> byProcess = new ConcurrentHashMap<>();
        private final ThreadLocal<String> process = new ThreadLocal<>();
        volatile boolean crashed;

        LinuxEndpoint(String name, String ns, String addr) {
            this.name = name;
            this.ns = ns;
            try {
                this.address = InetAddress.getByName(addr);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String name() { return name; }

        @Override
        public InetAddress address() { return address; }

        private <T extends AutoCloseable> T track(T s) {
            sockets.add(s);
            String p = process.get();
            if (p != null) byProcess.computeIfAbsent(p, x -> new CopyOnWriteArrayList<>()).add(s);
            return s;
        }

        @Override
        public SocketFactory sockets() {
            return new SocketFactory() {
                @Override
                public Socket createSocket() { return track(new Socket()); }

                @Override
                public Socket createSocket(String host, int port) throws IOException { return track(new Socket(host, port)); }

                @Override
                public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
                    return track(new Socket(host, port, local, localPort));
                }

                @Override
                public Socket createSocket(InetAddress host, int port) throws IOException { return track(new Socket(host, port)); }

                @Override
                public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
                    return track(new Socket(host, port, local, localPort));
                }
            };
        }

        @Override
        public ServerSocketFactory serverSockets() {
            return new ServerSocketFactory() {
                @Override
                public ServerSocket createServerSocket() throws IOException { return track(new AcceptTracking(this)); }

                @Override
                public ServerSocket createServerSocket(int port) throws IOException {
                    ServerSocket ss = createServerSocket();
                    ss.setReuseAddress(true);
                    ss.bind(new java.net.InetSocketAddress(port));
                    return ss;
                }

                @Override
                public ServerSocket createServerSocket(int port, int backlog) throws IOException {
                    ServerSocket ss = createServerSocket();
                    ss.setReuseAddress(true);
                    ss.bind(new java.net.InetSocketAddress(port), backlog);
                    return ss;
                }

                @Override
                public ServerSocket createServerSocket(int port, int backlog, InetAddress addr) throws IOException {
                    ServerSocket ss = createServerSocket();
                    ss.setReuseAddress(true);
                    ss.bind(new java.net.InetSocketAddress(addr, port), backlog);
                    return ss;
                }
            };
        }

        /** A server socket whose accepted sockets are tracked too. */
        private final class AcceptTracking extends ServerSocket {
            AcceptTracking(Object unused) throws IOException { super(); }

            @Override
            public Socket accept() throws IOException { return track(super.accept()); }
        }

        @Override
        public void spawn(String processName, Body body) {
            Thread t = Thread.ofPlatform().name(name + "/" + processName).daemon().start(() -> {
                try {
                    Netns.enter(ns);
                } catch (IOException e) {
                    note(name, processName + " could not start", e.toString());
                    return;
                }
                process.set(processName);
                try {
                    body.run();
                } catch (Exception e) {
                    if (!crashed && !killed(processName) && !dead.contains(Thread.currentThread())) note(name, processName + " ended", Stories.describe(e));
                }
            });
            threads.add(t);
        }

        private final java.util.Set<String> killedProcesses = ConcurrentHashMap.newKeySet();

        private boolean killed(String p) { return killedProcesses.contains(p); }

        @Override
        public void kill(String processName) {
            killedProcesses.add(processName);
            for (AutoCloseable c : byProcess.getOrDefault(processName, List.of())) {
                try {
                    c.close(); // as exit(2) closes the descriptors: tcp_close, FIN or RST for unread data
                } catch (Exception e) {
                    // already closed
                }
            }
            for (Thread t : threads) if (t.getName().equals(name + "/" + processName)) t.interrupt();
        }
    }
}
