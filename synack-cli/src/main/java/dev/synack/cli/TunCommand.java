package dev.synack.cli;

import dev.synack.socket.ErrnoCarrier;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpConfig;
import dev.synack.tun.TunStack;
import dev.synack.tun.TunServices;
import dev.synack.wire.Ipv4;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code synack tun}: synack on a Linux TUN device, talking to the kernel's own TCP (see docs/TUN.md
 * for the set-up).
 */
@Command(name = "tun",
        description = "Run synack on a Linux TUN device (see docs/TUN.md).",
        subcommands = {TunCommand.Serve.class, TunCommand.Connect.class})
final class TunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dev", required = true, scope = ScopeType.INHERIT, paramLabel = "NAME", description = "TUN device (created if missing; needs CAP_NET_ADMIN)")
    String dev;

    @Option(names = "--addr", required = true, scope = ScopeType.INHERIT, paramLabel = "A.B.C.D/P", description = "synack's address and prefix, e.g. 198.18.0.2/24")
    String addr;

    @Option(names = "--gateway", scope = ScopeType.INHERIT, paramLabel = "A.B.C.D",
            description = "default route via this neighbour on the device (e.g. 198.18.0.1): reach beyond --addr's prefix")
    String gateway;

    @Option(names = "--route", scope = ScopeType.INHERIT, paramLabel = "A.B.C.D/P", arity = "1",
            description = "a route through the device (via --gateway when given, else on-link); repeatable, e.g. 198.19.0.0/16")
    java.util.List<String> routes = new java.util.ArrayList<>();

    @Option(names = "--offload", scope = ScopeType.INHERIT, paramLabel = "MODE",
            description = "the device's offloads (IFF_VNET_HDR: TSO and checksum offload, 64 KB super-segments both ways): auto (on at an MTU up to 32807, where they help), on, off (default ${DEFAULT-VALUE})",
            defaultValue = "auto")
    String offload;

    @Option(names = "--seed", scope = ScopeType.INHERIT, paramLabel = "N", description = "seed for ISNs and ports (default: random)")
    Long seed;

    final Console console;

    TunCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command (serve or connect)");
    }

    /** Parses --addr; a bad one is a parameter error (one line, status 2). */
    int[] address(CommandSpec sub) {
        int slash = addr.indexOf('/');
        try {
            if (slash < 0) throw new IllegalArgumentException("no /PREFIX");
            int a = Ipv4.parse(addr.substring(0, slash));
            int p = Integer.parseInt(addr.substring(slash + 1));
            if (p < 1 || p > 32) throw new IllegalArgumentException("prefix " + p);
            return new int[] {a, p};
        } catch (IllegalArgumentException e) {
            throw new ParameterException(sub.commandLine(), "bad --addr '" + addr + "': expected A.B.C.D/PREFIX, e.g. 198.18.0.2/24");
        }
    }

    /** --gateway and --route checked before the device is opened: {gateway or 0, dst, prefix, dst, prefix, ...}. */
    int[] routing(CommandSpec sub, int[] a) {
        int gw = 0;
        if (gateway != null) {
            try {
                gw = Ipv4.parse(gateway);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(sub.commandLine(), "bad --gateway '" + gateway + "': expected an IPv4 address, e.g. 198.18.0.1");
            }
            int mask = -1 << (32 - a[1]);
            if ((gw & mask) != (a[0] & mask) || gw == a[0]) {
                throw new ParameterException(sub.commandLine(), "bad --gateway '" + gateway + "': not a neighbour on "
                        + Ipv4.format(a[0] & mask) + "/" + a[1] + " (--addr)");
            }
        }
        int[] r = new int[1 + 2 * routes.size()];
        r[0] = gw;
        for (int i = 0; i < routes.size(); i++) {
            String spec = routes.get(i);
            int slash = spec.indexOf('/');
            try {
                if (slash < 0) throw new IllegalArgumentException("no /PREFIX");
                r[1 + 2 * i] = Ipv4.parse(spec.substring(0, slash));
                int p = Integer.parseInt(spec.substring(slash + 1));
                if (p < 0 || p > 32) throw new IllegalArgumentException("prefix " + p);
                r[2 + 2 * i] = p;
            } catch (IllegalArgumentException e) {
                throw new ParameterException(sub.commandLine(), "bad --route '" + spec + "': expected A.B.C.D/PREFIX, e.g. 198.19.0.0/16");
            }
        }
        return r;
    }

    TunStack open(CommandSpec sub) throws IOException {
        int[] a = address(sub);
        int[] r = routing(sub, a);
        // A real host's secrets (ISNs, ports, cookies) must not be guessable: random unless --seed asks.
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong();
        TunStack host = switch (offload) {
            case "auto" -> TunStack.open(dev, a[0], a[1], new TcpConfig(), s);
            case "on", "off" -> TunStack.open(dev, a[0], a[1], new TcpConfig(), s, offload.equals("on"));
            default -> throw new ParameterException(sub.commandLine(), "bad --offload " + offload + ": auto, on or off");
        };
        if (r[0] != 0) host.addRoute(0, 0, r[0]);
        for (int i = 1; i < r.length; i += 2) host.addRoute(r[i], r[i + 1], r[0]);
        return host;
    }

    /** "ECONNREFUSED (Connection refused)" for a synack socket's failure; the message otherwise. */
    static String describe(IOException e) {
        return e instanceof ErrnoCarrier c ? c.errno() + " (" + e.getMessage() + ")" : e.getMessage();
    }

    static int port(CommandSpec sub, String s) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) return p;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ParameterException(sub.commandLine(), "bad port '" + s + "': expected 1 to 65535");
    }

    @Command(name = "serve", description = "Serve echo, discard or http on PORT until killed.")
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        TunCommand tun;

        @Parameters(index = "0", paramLabel = "KIND", description = "echo | discard | http")
        String kind;

        @Parameters(index = "1", paramLabel = "PORT")
        String port;

        @Override
        public Integer call() throws Exception {
            TunServices.Kind k = TunServices.kind(kind);
            if (k == null) throw new ParameterException(spec.commandLine(), "bad KIND '" + kind + "': expected echo, discard or http");
            int p = port(spec, port);
            int[] a = tun.address(spec);
            tun.routing(spec, a);
            try (TunStack host = tun.open(spec); TcpServerSocket l = new TcpServerSocket(host.kernel(), p, 128)) {
                tun.console.out().printf("synack: %s server on %s:%d (device %s, mtu %d); Ctrl-C stops it%n",
                        kind, Ipv4.format(a[0]), p, host.device().name(), host.mtu());
                TunServices.serve(l, k);
                return 0;
            } catch (IOException e) {
                tun.console.err().println("synack tun serve: " + describe(e));
                return 1;
            }
        }
    }

    @Command(name = "connect",
            description = "Connect to HOST:PORT; stdin goes to the connection, the connection to stdout (like nc).")
    static final class Connect implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        TunCommand tun;

        @Parameters(index = "0", paramLabel = "HOST", description = "IPv4 address")
        String host;

        @Parameters(index = "1", paramLabel = "PORT")
        String port;

        @Option(names = "--connect-timeout", paramLabel = "MS",
                description = "give up connecting after MS milliseconds (default: none; the SYN retries end after about 131 s, tcp_syn_retries 6)")
        Integer connectTimeoutMs;

        @Override
        public Integer call() throws Exception {
            int remote;
            try {
                remote = Ipv4.parse(host);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "bad HOST '" + host + "': expected an IPv4 address");
            }
            int p = port(spec, port);
            if (connectTimeoutMs != null && connectTimeoutMs <= 0) {
                throw new ParameterException(spec.commandLine(), "bad --connect-timeout '" + connectTimeoutMs + "': expected milliseconds above 0");
            }
            tun.routing(spec, tun.address(spec));
            try (TunStack h = tun.open(spec); TcpSocket c = new TcpSocket(h.kernel())) {
                // stderr, so the progress line never mixes with the connection's bytes on stdout
                tun.console.err().println("synack tun connect: connecting to " + Ipv4.format(remote) + ":" + p + "...");
                c.connect(new InetSocketAddress(Ipv4.format(remote), p), connectTimeoutMs == null ? 0 : connectTimeoutMs);
                tun.console.err().println("synack tun connect: connected");
                Thread pump = Thread.ofPlatform().daemon().name("synack-stdin").start(() -> {
                    byte[] buf = new byte[65536];
                    try {
                        OutputStream co = c.getOutputStream();
                        int n;
                        while ((n = tun.console.in().read(buf)) > 0) co.write(buf, 0, n);
                        c.shutdownOutput();
                    } catch (IOException e) {
                        c.close();
                    }
                });
                byte[] buf = new byte[65536];
                InputStream ci = c.getInputStream();
                OutputStream o = tun.console.out();
                int n;
                while ((n = ci.read(buf)) > 0) {
                    o.write(buf, 0, n);
                    o.flush();
                }
                pump.join(100);
                return 0;
            } catch (IOException e) {
                tun.console.err().println("synack tun connect: " + describe(e));
                return 1;
            }
        }
    }
}
