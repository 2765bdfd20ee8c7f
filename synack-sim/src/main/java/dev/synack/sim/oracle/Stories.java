package dev.synack.sim.oracle;

import dev.synack.sim.scenario.Knobs;
import dev.synack.wire.Icmp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;

/**
 * The stories both worlds play, in the order of the note. Each is plain blocking java.net code: on
 * Linux the JDK's own sockets run it, in the lab synack's ({@link World.Endpoint#sockets()}).
 */
public final class Stories {
    private Stories() {}

    static final long MS = 1_000_000L, S = 1_000_000_000L;
    static final int PORT = 80;

    private static final Map<String, OracleStory> ALL = new LinkedHashMap<>();

    static {
        for (OracleStory s : List.of(new Handshake(), new Transfer(), new Close(), new SimultaneousClose(), new HalfClose(), new Orphan(), new Refused(), new NoRoute(), new IcmpUnreachable(), new SynTimeout(),
                new ConnectTimeout(), new ServerFrozen(), new FlowControl(), new ServerKilled(), new HostShutdown(), new HostCrash(), new HostReboot(),
                new RetransmitTimeout(), new FastRetransmit(), new TimeWait(), new FiveTuple())) {
            ALL.put(s.name(), s);
        }
    }

    /** Every story, in the note's order. */
    public static List<OracleStory> all() { return List.copyOf(ALL.values()); }

    /** The story of the scenario called {@code name}, if it has one. */
    public static Optional<OracleStory> find(String name) { return Optional.ofNullable(ALL.get(name)); }

    /**
     * An exception as both worlds can name it: "ConnectException: Connection refused". The JDK's
     * exceptions carry no errno, so the errno synack adds is left out; synack's own exception classes
     * are named as the JDK's they extend.
     */
    public static String describe(Throwable t) {
        Class<?> c = t.getClass();
        while (c.getName().startsWith("dev.synack") && c.getSuperclass() != null) c = c.getSuperclass();
        return c.getSimpleName() + ": " + t.getMessage();
    }

    /** A call for {@link #call}. */
    @FunctionalInterface
    interface Call {
        Object run() throws Exception;
    }

    /** Runs {@code call} in a process of {@code host} and notes "ok", "returned V" or the exception; true if it did not throw. */
    static boolean call(World w, String host, String what, Call call) {
        try {
            Object v = call.run();
            w.note(host, what, v == null ? "ok" : "returned " + v);
            return true;
        } catch (Exception e) {
            w.note(host, what, describe(e));
            return false;
        }
    }

    /** The server's address and port. */
    static InetSocketAddress server(World w) { return new InetSocketAddress(w.server().address(), PORT); }

    /** Reads until EOF or an error; the count, as "returned N". */
    static int drain(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        int total = 0;
        for (int n; (n = in.read(buf)) > 0; ) total += n;
        return total;
    }

    /** Accepts one connection on a listener of {@code w}'s server, and hands it to {@code then}. */
    static void serve(World w, String process, SocketBody then) {
        w.server().spawn(process, () -> {
            try (ServerSocket ss = w.server().serverSockets().createServerSocket(PORT); Socket s = ss.accept()) {
                then.run(s);
            }
        });
    }

    /**
     * The client's process {@code process}: at 100 ms it makes a socket, connects to the server (a noted
     * call), runs {@code then} whatever connect() returned, and closes the socket.
     */
    static void client(World w, String process, SocketBody then) {
        w.client().spawn(process, () -> {
            w.sleepUntil(100 * MS);
            try (Socket s = w.client().sockets().createSocket()) {
                call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                then.run(s);
            }
        });
    }

    @FunctionalInterface
    interface SocketBody {
        void run(Socket s) throws Exception;
    }

    // ---- the stories ----------------------------------------------------------------------------

    /** The three-way handshake, one request and response, and the four-way close from the client. */
    record Handshake() implements OracleStory {
        public String name() { return "handshake"; }

        public long limitNs(Knobs k) { return 5 * S; }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "httpd", s -> {
                byte[] req = new byte[100];
                call(w, "server", "read()", () -> s.getInputStream().readNBytes(req, 0, 100));
                call(w, "server", "write(200)", () -> { s.getOutputStream().write(new byte[200]); return null; });
                call(w, "server", "read() at EOF", () -> s.getInputStream().read());
            });
            w.client().spawn("app", () -> {
                w.sleepUntil(100 * MS);
                try (Socket s = w.client().sockets().createSocket()) {
                    call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                    call(w, "client", "write(100)", () -> { s.getOutputStream().write(new byte[100]); return null; });
                    call(w, "client", "read()", () -> s.getInputStream().readNBytes(200).length);
                }
                w.note("client", "close()", "ok");
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * The data phase: the client writes 4000 bytes (three segments with MSS 1448), the server reads
     * them all and answers 100 bytes; the client holds the connection until 600 ms, then closes.
     */
    record Transfer() implements OracleStory {
        public String name() { return "transfer"; }

        public long limitNs(Knobs k) { return 5 * S; }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "server", s -> {
                call(w, "server", "read(4000)", () -> s.getInputStream().readNBytes(4000).length);
                call(w, "server", "write(100)", () -> { s.getOutputStream().write(new byte[100]); return null; });
                call(w, "server", "read() at EOF", () -> s.getInputStream().read());
            });
            client(w, "client", s -> {
                call(w, "client", "write(4000)", () -> { s.getOutputStream().write(new byte[4000]); return null; });
                call(w, "client", "read(100)", () -> s.getInputStream().readNBytes(100).length);
                w.sleepUntil(600 * MS);
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * Both sides close: the server at 300 ms, the client 2 ms later, before the server's FIN can reach it
     * (half an RTT away), so the FINs cross and both ends pass through CLOSING. (Two milliseconds, not
     * the same instant, so that the two close() calls are noted in one order in both worlds; the RTT-1
     * grid point is left out because the FINs would not cross.)
     */
    record SimultaneousClose() implements OracleStory {
        public String name() { return "simultaneous-close"; }

        public long limitNs(Knobs k) { return 3 * S; }

        public List<Knobs> grid() {
            Knobs d = Knobs.defaults();
            return List.of(d, d.withRttMs(100), d.withRttMs(200));
        }

        public void play(World w, Knobs k) throws Exception {
            long after = 302 * MS + 3 * k.rttNsOr(defaultRttMs()); // the FINs and their ACKs have crossed by then
            serve(w, "server", s -> {
                w.sleepUntil(300 * MS);
                call(w, "server", "close()", () -> { s.close(); return null; });
                w.sleepUntil(after);
            });
            w.client().spawn("client", () -> {
                w.sleepUntil(100 * MS);
                Socket s = w.client().sockets().createSocket();
                call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                w.sleepUntil(302 * MS);
                call(w, "client", "close()", () -> { s.close(); return null; });
                w.sleepUntil(after);
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * The four-way close: the client closes 200 ms after connecting; the server reads EOF and closes,
     * its FIN carrying the delayed ACK of the client's FIN.
     */
    record Close() implements OracleStory {
        public String name() { return "close"; }

        public long limitNs(Knobs k) { return 5 * S; }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "server", s -> {
                call(w, "server", "read()", () -> s.getInputStream().read(new byte[100]));
                call(w, "server", "close()", () -> { s.close(); return null; });
            });
            w.client().spawn("client", () -> {
                w.sleepUntil(100 * MS);
                Socket s = w.client().sockets().createSocket();
                call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                w.sleepUntil(300 * MS);
                call(w, "client", "close()", () -> { s.close(); return null; });
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * An orphan: the client closes; the server goes on and writes 2 s later. The client's socket, gone
     * from the application but in FIN_WAIT2, answers the data with RST; the server's next write fails.
     */
    record Orphan() implements OracleStory {
        public String name() { return "orphan"; }

        public long limitNs(Knobs k) { return 6 * S; }

        public List<Knobs> grid() {
            Knobs d = Knobs.defaults();
            return List.of(d, d.withRttMs(100));
        }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "server", s -> {
                w.sleepUntil(2200 * MS);
                call(w, "server", "write(100)", () -> { s.getOutputStream().write(new byte[100]); return null; });
                w.sleepUntil(3200 * MS);
                call(w, "server", "write(100) again", () -> { s.getOutputStream().write(new byte[100]); return null; });
            });
            w.client().spawn("client", () -> {
                w.sleepUntil(100 * MS);
                Socket s = w.client().sockets().createSocket();
                call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                w.sleepUntil(300 * MS);
                call(w, "client", "close()", () -> { s.close(); return null; });
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * Exception 3: the server process is frozen after accepting (it never reads). Its kernel ACKs the
     * request; the client's read with a timeout (setSoTimeout, default 2 s here) fails with
     * SocketTimeoutException and the connection stays up.
     */
    record ServerFrozen() implements OracleStory {
        public String name() { return "server-frozen"; }

        public long limitNs(Knobs k) { return 8 * S; }

        public List<Knobs> grid() {
            Knobs d = Knobs.defaults();
            return List.of(d, d.withRttMs(100), d.withSoTimeoutMs(500));
        }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "httpd", s -> w.sleepUntil(7 * S));
            w.client().spawn("app", () -> {
                w.sleepUntil(100 * MS);
                try (Socket s = w.client().sockets().createSocket()) {
                    s.setSoTimeout(k.soTimeoutMs().orElse(2000));
                    call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                    call(w, "client", "write(100)", () -> { s.getOutputStream().write(new byte[100]); return null; });
                    call(w, "client", "read()", () -> s.getInputStream().read(new byte[100]));
                    call(w, "client", "read() again", () -> s.getInputStream().read(new byte[100]));
                }
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /** Half-close: the client sends its request and shuts its output; the server reads to EOF, answers and closes. */
    record HalfClose() implements OracleStory {
        public String name() { return "half-close"; }

        public long limitNs(Knobs k) { return 5 * S; }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "sort", s -> {
                call(w, "server", "read to EOF", () -> drain(s.getInputStream()));
                call(w, "server", "write(1000)", () -> { s.getOutputStream().write(new byte[1000]); return null; });
            });
            client(w, "app", s -> {
                call(w, "client", "write(3000)", () -> { s.getOutputStream().write(new byte[3000]); return null; });
                call(w, "client", "shutdownOutput()", () -> { s.shutdownOutput(); return null; });
                call(w, "client", "read to EOF", () -> drain(s.getInputStream()));
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /** Exception 1: nothing listens on the port; the SYN is answered with RST,ACK. */
    record Refused() implements OracleStory {
        public String name() { return "refused"; }

        public long limitNs(Knobs k) { return 5 * S; }

        public void play(World w, Knobs k) throws Exception {
            client(w, "app", s -> { });
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * Exception 2 across a router: the router answers each SYN with an ICMP destination unreachable,
     * and in SYN_SENT any such error ends connect() at once (tcp_v4_err: sk_err = icmp_err_convert[code],
     * tcp_done). Four connects a second apart, one per code: host unreachable and administratively
     * prohibited → EHOSTUNREACH, net unreachable → ENETUNREACH, port unreachable → ECONNREFUSED.
     */
    record IcmpUnreachable() implements OracleStory {
        private static final int[] CODES = {Icmp.HOST_UNREACH, Icmp.ADMIN_PROHIBITED, Icmp.NET_UNREACH, Icmp.PORT_UNREACH};
        private static final String[] NAMES = {"host unreachable", "admin prohibited", "net unreachable", "port unreachable"};

        public String name() { return "icmp-unreachable"; }

        public long limitNs(Knobs k) { return 6 * S; }

        public void play(World w, Knobs k) throws Exception {
            w.client().spawn("app", () -> {
                for (int i = 0; i < CODES.length; i++) {
                    w.sleepUntil(100 * MS + i * S);
                    w.rejectOnPath(CODES[i]);
                    try (Socket s = w.client().sockets().createSocket()) {
                        call(w, "client", "connect(), " + NAMES[i], () -> { s.connect(server(w)); return null; });
                    }
                }
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * The cable is unplugged: connect() with the interface down fails at once (no route); on an open
     * connection whose interface goes down, write() succeeds and the connection dies later, as Linux's
     * retransmission timer sees every transmission fail below TCP.
     */
    record NoRoute() implements OracleStory {
        public String name() { return "no-route"; }

        public long limitNs(Knobs k) { return new HostCrash().limitNs(k) + 3 * S; }

        public List<Knobs> grid() {
            Knobs d = Knobs.defaults();
            return List.of(d, d.withRetries2(3), d.withRetries2(5), d.withRttMs(100).withRetries2(5));
        }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "httpd", s -> s.getInputStream().read(new byte[1000]));
            w.clientLinkDown();
            w.client().spawn("app", () -> {
                w.sleepUntil(100 * MS);
                try (Socket s = w.client().sockets().createSocket()) {
                    call(w, "client", "connect() unplugged", () -> { s.connect(server(w)); return null; });
                }
                w.sleepUntil(1 * S);
                try (Socket s = w.client().sockets().createSocket()) {
                    call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                    w.sleepUntil(3 * S);
                    call(w, "client", "write(100) unplugged", () -> { s.getOutputStream().write(new byte[100]); return null; });
                    call(w, "client", "read()", () -> s.getInputStream().read(new byte[100]));
                    call(w, "client", "write(100) after", () -> { s.getOutputStream().write(new byte[100]); return null; });
                }
            });
            w.runUntil(300 * MS);
            w.clientLinkUp();
            w.runUntil(2 * S);
            w.clientLinkDown();
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * Java's connect(addr, timeout) against a silent host: SocketTimeoutException "Connect timed out"
     * at the timeout (3 s unless --connect-timeout), the SYNs sent until then, none after.
     */
    record ConnectTimeout() implements OracleStory {
        public String name() { return "connect-timeout"; }

        public boolean accepts(Knobs k) { return k.userTimeoutMs().isEmpty(); }

        public long limitNs(Knobs k) { return (k.connectTimeoutMs().orElse(3000) + 3000L) * MS; }

        public List<Knobs> grid() {
            Knobs d = Knobs.defaults();
            return List.of(d, d.withConnectTimeoutMs(10_000), d.withConnectTimeoutMs(10_000).withSynLinearTimeouts(0), d.withRttMs(200));
        }

        public void play(World w, Knobs k) throws Exception {
            w.crashServer();
            w.client().spawn("app", () -> {
                w.sleepUntil(100 * MS);
                try (Socket s = w.client().sockets().createSocket()) {
                    call(w, "client", "connect(addr, timeout)", () -> { s.connect(server(w), k.connectTimeoutMs().orElse(3000)); return null; });
                }
                w.sleepUntil(limitNs(k) - 500 * MS); // no SYN after the close
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /** Exception 3: the server's host answers nothing; the SYN is retried, then connect() times out. */
    record SynTimeout() implements OracleStory {
        public String name() { return "syn-timeout"; }

        public long limitNs(Knobs k) {
            // A bound, not a prediction: Linux gives up once the time tcp_syn_retries exponential retries
            // would take (from 1 s) has passed; the timer wheel adds up to an eighth.
            long model = (2L << Math.min(k.synRetries(), 12)) - 1;
            return (model + model / 8 + 10) * S;
        }

        public List<Knobs> grid() {
            Knobs d = Knobs.defaults();
            return List.of(d, d.withSynRetries(2), d.withSynRetries(5), d.withSynRetries(6).withSynLinearTimeouts(0), d.withRttMs(200).withSynRetries(2));
        }

        public void play(World w, Knobs k) throws Exception {
            w.crashServer();
            client(w, "app", s -> { });
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * Flow control: the server never reads; the client writes 300 KB. The server's window closes as its
     * receive buffer fills (each segment costing its truesize), the client's write blocks, and the
     * client probes the zero window (tcp_probe_timer) with backoff.
     */
    record FlowControl() implements OracleStory {
        public String name() { return "flow-control"; }

        public long limitNs(Knobs k) { return 6 * S; }

        public List<Knobs> grid() {
            Knobs d = Knobs.defaults();
            return List.of(d, d.withRttMs(100));
        }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "reader", s -> w.sleepUntil(limitNs(k) + 10 * S));
            w.client().spawn("writer", () -> {
                w.sleepUntil(100 * MS);
                Socket s = w.client().sockets().createSocket();
                call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                call(w, "client", "write(300000)", () -> { s.getOutputStream().write(new byte[300_000]); return null; });
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /** Exception 5: the server process is killed while the client is connected; its kernel sends FIN. */
    record ServerKilled() implements OracleStory {
        public String name() { return "server-killed"; }

        public long limitNs(Knobs k) { return 10 * S; }

        public void play(World w, Knobs k) throws Exception { serverKilledAt(w, 1 * S, limitNs(k)); }
    }

    /**
     * An idle server process killed at {@code killNs}: a second later the client reads (EOF from the
     * kernel's FIN) and writes (which draws RST), a second after that it writes again (EPIPE) and reads.
     */
    static void serverKilledAt(World w, long killNs, long limitNs) throws InterruptedException {
        serve(w, "httpd", s -> w.sleepUntil(60 * S));
        client(w, "app", s -> {
            w.sleepUntil(killNs + 1 * S);
            call(w, "client", "read()", () -> s.getInputStream().read());
            call(w, "client", "write(100)", () -> { s.getOutputStream().write(new byte[100]); return null; });
            w.sleepUntil(killNs + 2 * S);
            call(w, "client", "write(100) again", () -> { s.getOutputStream().write(new byte[100]); return null; });
            call(w, "client", "read() again", () -> s.getInputStream().read());
        });
        w.runUntil(killNs);
        w.server().kill("httpd");
        w.runUntilDone(limitNs);
    }

    /**
     * Exception 5: the server's host shuts down at 1 s. Its process ignores SIGTERM and is killed when
     * the grace period (2 s) ends, and its kernel closes its socket then, as in server-killed; the host
     * stays up meanwhile, so the client's later write draws RST. Both worlds act it out as the kill at
     * 3 s: a SIGTERM the process ignores changes nothing on the wire.
     */
    record HostShutdown() implements OracleStory {
        public String name() { return "host-shutdown"; }

        public long limitNs(Knobs k) { return 12 * S; }

        public void play(World w, Knobs k) throws Exception {
            serverKilledAt(w, 3 * S, limitNs(k)); // shutdown at 1 s + the 2 s grace period
        }
    }

    /**
     * Exception 6: the server's host dies silently with one segment of the client outstanding: TLP, RTO
     * retransmissions, then ETIMEDOUT after tcp_retries2 (or keepalive probes with --keepalive).
     */
    record HostCrash() implements OracleStory {
        public String name() { return "host-crash"; }

        public long limitNs(Knobs k) {
            if (k.keepalive().isPresent()) {
                Knobs.Keepalive ka = k.keepalive().get();
                return (ka.idleS() + (long) ka.intvlS() * ka.cnt() + 15) * S;
            }
            // tcp_model_timeout for tcp_retries2 with TCP_RTO_MIN, plus the wheel's rounding of the last timers.
            int r = k.retries2();
            long model = r <= 9 ? ((2L << r) - 1) * 200 : ((2L << 9) - 1) * 200 + (r - 9) * 120_000L;
            return (model * 3 / 2 + 30_000) * MS;
        }

        public List<Knobs> grid() {
            Knobs d = Knobs.defaults();
            return List.of(d, d.withRetries2(3), d.withRetries2(5), d.withRttMs(1).withRetries2(5), d.withRttMs(100).withRetries2(5),
                    d.withRttMs(200).withRetries2(3), d.withRetries2(5).withSoTimeoutMs(2000), d.withKeepalive(2, 1, 3), d.withRttMs(100).withKeepalive(5, 2, 2));
        }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "httpd", s -> s.getInputStream().read(new byte[1000]));
            w.client().spawn("app", () -> {
                w.sleepUntil(100 * MS);
                try (Socket s = w.client().sockets().createSocket()) {
                    if (k.keepalive().isPresent()) {
                        Knobs.Keepalive ka = k.keepalive().get();
                        s.setKeepAlive(true);
                        s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, ka.idleS());
                        s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, ka.intvlS());
                        s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, ka.cnt());
                    }
                    if (k.soTimeoutMs().isPresent()) s.setSoTimeout(k.soTimeoutMs().getAsInt());
                    call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                    if (k.keepalive().isEmpty()) {
                        w.sleepUntil(2 * S);
                        call(w, "client", "write(100)", () -> { s.getOutputStream().write(new byte[100]); return null; });
                    }
                    while (true) {
                        try {
                            int n = s.getInputStream().read(new byte[100]);
                            w.note("client", "read()", "returned " + n);
                            break;
                        } catch (SocketTimeoutException e) {
                            w.note("client", "read()", describe(e));
                        } catch (IOException e) {
                            w.note("client", "read()", describe(e));
                            break;
                        }
                    }
                    call(w, "client", "write(100) after", () -> { s.getOutputStream().write(new byte[100]); return null; });
                }
            });
            w.runUntil(1 * S);
            w.crashServer();
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * A lost segment with nothing after it: the data and its tail loss probe are lost; the RTO
     * retransmits it and it is delivered.
     */
    record RetransmitTimeout() implements OracleStory {
        public String name() { return "retransmit-timeout"; }

        public long limitNs(Knobs k) { return 5 * S; }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "sink", s -> call(w, "server", "read()", () -> s.getInputStream().read(new byte[1000])));
            client(w, "app", s -> {
                w.sleepUntil(1 * S);
                w.dropNth(true, 1); // the segment
                w.dropNth(true, 2); // and its tail loss probe
                call(w, "client", "write(100)", () -> { s.getOutputStream().write(new byte[100]); return null; });
                w.sleepUntil(3 * S);
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /** One segment lost inside a window of ten: duplicate ACKs with SACK, then the fast retransmit. */
    record FastRetransmit() implements OracleStory {
        public String name() { return "fast-retransmit"; }

        public long limitNs(Knobs k) { return 5 * S; }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "sink", s -> call(w, "server", "read to EOF", () -> drain(s.getInputStream())));
            client(w, "app", s -> {
                w.sleepUntil(1 * S);
                w.dropNth(true, 3);
                call(w, "client", "write(14480)", () -> { s.getOutputStream().write(new byte[14480]); return null; });
                w.sleepUntil(3 * S);
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /**
     * 2MSL and a lost last ACK: the client closes first; its ACK of the server's FIN is lost, so the
     * server, in LAST_ACK, retransmits its FIN after its RTO and the client, in TIME_WAIT, ACKs it again.
     */
    record TimeWait() implements OracleStory {
        public String name() { return "time-wait"; }

        public long limitNs(Knobs k) { return 5 * S; }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "server", s -> {
                call(w, "server", "read()", () -> s.getInputStream().read(new byte[100]));
                call(w, "server", "close()", () -> { s.close(); return null; });
            });
            w.client().spawn("client", () -> {
                w.sleepUntil(100 * MS);
                Socket s = w.client().sockets().createSocket();
                call(w, "client", "connect()", () -> { s.connect(server(w)); return null; });
                w.sleepUntil(300 * MS);
                w.dropNth(true, 2); // after the FIN: the ACK of the server's FIN
                call(w, "client", "close()", () -> { s.close(); return null; });
                w.sleepUntil(2 * S); // the story goes on in the kernels: the FIN again, the ACK again
            });
            w.runUntilDone(limitNs(k));
        }
    }

    /** Exception 7: the server's host crashes and comes back; the client's next segment meets RST. */
    record HostReboot() implements OracleStory {
        public String name() { return "host-reboot"; }

        public long limitNs(Knobs k) { return 15 * S; }

        public void play(World w, Knobs k) throws Exception {
            serve(w, "httpd", s -> s.getInputStream().read(new byte[1000]));
            client(w, "app", s -> {
                w.sleepUntil(5 * S);
                call(w, "client", "write(100)", () -> { s.getOutputStream().write(new byte[100]); return null; });
                call(w, "client", "read()", () -> s.getInputStream().read(new byte[100]));
                call(w, "client", "write(100) after", () -> { s.getOutputStream().write(new byte[100]); return null; });
            });
            w.runUntil(1 * S);
            w.crashServer();
            w.runUntil(3 * S);
            w.rebootServer();
            w.runUntilDone(limitNs(k));
        }
    }
    /**
     * Demultiplexing by the 4-tuple: the client opens six connections to one server port, 100 ms apart,
     * and keeps them all open; each sends its number and reads it back from its own echo. Every accepted
     * socket has the listening port as its local port, and the remote ports are six different ones.
     * (The lab's five-tuple scenario spreads the clients over three hosts; the kernel runner has one
     * client host, so here only the ports tell the connections apart.)
     */
    record FiveTuple() implements OracleStory {
        static final int CONNECTIONS = 6;

        public String name() { return "five-tuple"; }

        public long limitNs(Knobs k) { return 3 * S + CONNECTIONS * 2 * k.rttNsOr(defaultRttMs()); }

        public List<Knobs> grid() {
            Knobs d = Knobs.defaults();
            return List.of(d, d.withRttMs(100), d.withRttMs(200));
        }

        public void play(World w, Knobs k) throws Exception {
            long gap = Math.max(100 * MS, 3 * k.rttNsOr(defaultRttMs())); // one connection's story ends before the next starts
            w.server().spawn("server", () -> {
                try (ServerSocket ss = w.server().serverSockets().createServerSocket(PORT)) {
                    java.util.Set<Integer> remotePorts = new java.util.TreeSet<>();
                    List<Socket> open = new java.util.ArrayList<>();
                    for (int i = 1; i <= CONNECTIONS; i++) {
                        Socket s = ss.accept();
                        open.add(s);
                        remotePorts.add(s.getPort());
                        w.note("server", "accept() #" + i, "local port " + s.getLocalPort() + ", remote " + s.getInetAddress().getHostAddress()
                                + ", remote ports so far all different: " + (remotePorts.size() == i));
                        int n = s.getInputStream().read();
                        s.getOutputStream().write(n);
                    }
                    for (Socket s : open) s.getInputStream().read(); // until each client closes
                    for (Socket s : open) s.close();
                }
            });
            w.client().spawn("client", () -> {
                List<Socket> open = new java.util.ArrayList<>();
                for (int i = 1; i <= CONNECTIONS; i++) {
                    w.sleepUntil(100 * MS + (i - 1) * gap);
                    Socket s = w.client().sockets().createSocket();
                    open.add(s);
                    int id = i;
                    call(w, "client", "connect() #" + i, () -> { s.connect(server(w)); return null; });
                    call(w, "client", "write #" + i + ", read the echo", () -> {
                        s.getOutputStream().write(id);
                        return s.getInputStream().read();
                    });
                }
                w.sleepUntil(100 * MS + CONNECTIONS * gap);
                for (Socket s : open) s.close();
                w.note("client", "close() all", "ok");
            });
            w.runUntilDone(limitNs(k));
        }
    }
}
