package dev.synack.packetdrill;

import dev.synack.packetdrill.Event.CodeEvent;
import dev.synack.packetdrill.Event.CommandEvent;
import dev.synack.packetdrill.Event.Direction;
import dev.synack.packetdrill.Event.PacketEvent;
import dev.synack.packetdrill.Event.SyscallEvent;
import dev.synack.runtime.WaitList;
import dev.synack.socket.Kernel;
import dev.synack.socket.PosixSockets;
import dev.synack.stack.NetInterface;
import dev.synack.stack.Stack;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpInfo;
import dev.synack.time.VirtualScheduler;
import dev.synack.wire.Ipv4;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Plays one packetdrill script against one synack host in virtual time, as packetdrill plays it
 * against a kernel through a tun device.
 *
 * <p>The host is packetdrill's local 192.168.0.1 and the script's side its remote 192.0.2.1, or what the
 * script's {@code --local_ip}/{@code --remote_ip} say; addresses never appear in the scripts' packets,
 * but the server's Fast Open cookie is computed from them, so they are packetdrill's own. bind() takes port
 * 8080, connect() goes to port 8080, and an injected SYN comes from port 40000.
 *
 * <p>The runner reads the options ({@code --tolerance_usecs}, default 4000 µs: how far an outbound
 * packet or a returning call may be from its time; in virtual time the host has no jitter, so it only
 * absorbs what Linux's jiffies would), builds the host (a {@link Stack} with one interface, tun0, and
 * {@link PosixSockets} over a {@link RetryRuntime}) and plays the events in order, each by one
 * collaborator: {@link Timeline} says when and moves virtual time, {@link Packets} injects the script's
 * packets and matches the host's, {@link Syscalls} makes the system calls, {@link Commands} runs the
 * shell commands and {@link TcpInfoCode} the {@code %{ }%} blocks. The first difference is a
 * {@link Failure}, reported as a {@link Result}.
 */
public final class Runner {
    /** packetdrill's default addresses (run_all.py's IPv4 run): the host, and the script's side. */
    public static final int LOCAL = Ipv4.parse("192.168.0.1");
    public static final int REMOTE = Ipv4.parse("192.0.2.1");
    public static final int LOCAL_PORT = 8080;
    public static final int SCRIPT_CLIENT_PORT = 40000;

    private final Script script;
    private final Path scriptDir;
    private final VirtualScheduler sched = new VirtualScheduler();
    private final TcpConfig config = new TcpConfig();
    /** What the script's commands set up (sysctls, offload, the qdisc) and the notes. */
    private final Commands.HostSetup setup = new Commands.HostSetup(config);
    private final Stack stack;
    /** The host's one interface (packetdrill's tun0). */
    private final NetInterface tun0;
    private final Timeline timeline;
    private final Packets packets;
    private final Syscalls syscalls;
    /** Names the script's Python blocks assigned (packetdrill runs them in one interpreter). */
    private final Map<String, Long> codeVars = new HashMap<>();

    private Runner(Script script, Options options, List<String> notes) {
        // packetdrill injects through a TUN device: each segment is its own buffer (truesize), as in
        // TcpConfig.rxPerSegmentTruesize, not veth's aggregated super-segments.
        config.rxPerSegmentTruesize = true;
        this.script = script;
        this.timeline = new Timeline(sched, options.toleranceUs());
        setup.notes.addAll(notes);
        Path p = Path.of(script.path()).toAbsolutePath().getParent();
        this.scriptDir = p == null ? Path.of(".") : p;
        config.randomTsOffset = false;
        stack = new Stack("host", sched, config, 1);
        packets = new Packets(stack, timeline, setup, options.tsTickUs(), options.local(), options.remote());
        // One link to the script's side: a prefix wide enough to hold both addresses.
        int prefix = Math.min(24, Integer.numberOfLeadingZeros(options.local() ^ options.remote()));
        tun0 = stack.addInterface("tun0", options.local(), prefix, 1500, packets::capture);
        syscalls = new Syscalls(new Kernel(new RetryRuntime(sched), stack).posix(), stack, timeline, packets,
                options.local(), options.remote());
        setup.flushMetrics = stack::flushTcpMetrics;
        setup.counters = () -> stack.counters().nonZero();
        syscalls.useFiles(setup);
        // /proc/net/tcp as the host's sockets make it (tcp4_seq_show); no IPv6 sockets: tcp6 has its header only.
        setup.procFile = path -> switch (path) {
            case "/proc/net/tcp" -> dev.synack.socket.SocketStats.procNetTcp(stack);
            case "/proc/net/tcp6" -> "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
            default -> null;
        };
    }

    /**
     * The runtime of the runner's host: the runner is its only thread and drives the scheduler itself,
     * so a call runs at once and a wait ends at once, as a wait whose time is up (the blocking call
     * returns EAGAIN or EINPROGRESS; the runner retries it, see {@link Timeline}).
     */
    private record RetryRuntime(VirtualScheduler scheduler) implements dev.synack.runtime.Runtime {
        @Override
        public <T> T call(Supplier<T> op) { return op.get(); }

        @Override
        public boolean await(WaitList waitList, BooleanSupplier ready, long timeoutNs) { return ready.getAsBoolean(); }

        @Override
        public void sleep(long durationNs) { throw new IllegalStateException("the packetdrill runner never sleeps"); }
    }

    /** Reads, parses and plays the script at {@code file}. */
    public static Result run(Path file) { return run(file, List.of()); }

    /**
     * Reads, parses and plays the script at {@code file} with packetdrill command-line options
     * ({@code --tolerance_usecs=N}, ...), which the script's own options may override.
     */
    public static Result run(Path file, List<String> options) {
        Script s;
        try {
            s = Parser.parse(file);
        } catch (IOException e) {
            return Result.fail(file.toString(), 0, "cannot read", e.getMessage(), null, null, List.of());
        } catch (ScriptException e) {
            return Result.fail(file.toString(), e.line(), "parse error", e.getMessage(), null, null, List.of());
        }
        return run(s, options);
    }

    /** Plays a parsed script. */
    public static Result run(Script script) { return run(script, List.of()); }

    /** Plays a parsed script with packetdrill command-line options (then the script's own). */
    public static Result run(Script script, List<String> options) {
        List<String> notes = new ArrayList<>();
        Options o;
        try {
            o = Options.parse(Stream.concat(options.stream(), script.options().stream()).toList(), notes);
        } catch (Failure f) {
            return Result.fail(script.path(), f.line, f.reason, f.getMessage(), f.expected, f.actual, notes);
        }
        Runner r = new Runner(script, o, notes);
        try {
            r.play();
            return Result.pass(script.path(), r.setup.notes, r.setup.notModelled);
        } catch (Failure f) {
            return Result.fail(script.path(), f.line, f.reason, f.getMessage(), f.expected, f.actual, r.setup.notes,
                    r.setup.notModelled);
        } catch (RuntimeException e) {
            Event last = r.timeline.last();
            return Result.fail(script.path(), last == null ? 0 : last.line(), "runner error",
                    "internal error: " + e, null, null, r.setup.notes, r.setup.notModelled);
        }
    }

    /**
     * The runner's options ({@code --tolerance_usecs}, {@code --tcp_ts_tick_usecs}); packetdrill's
     * others about the set-up are noted as ignored, any other fails the script.
     */
    private record Options(long toleranceUs, long tsTickUs, int local, int remote) {
        static Options parse(List<String> options, List<String> notes) throws Failure {
            long toleranceUs = 4000, tsTickUs = 0;
            int local = LOCAL, remote = REMOTE;
            for (String o : options) {
                String body = o.substring(2);
                int eq = body.indexOf('=');
                String name = eq < 0 ? body : body.substring(0, eq);
                String value = eq < 0 ? "" : body.substring(eq + 1);
                try {
                    switch (name) {
                        case "tolerance_usecs" -> toleranceUs = Long.parseLong(value);
                        case "tcp_ts_tick_usecs" -> tsTickUs = Long.parseLong(value);
                        // packetdrill's map_inbound_packet: an inbound TS ecr with no outbound TS val of that
                        // script value is interpolated from the first TS val pair instead of failing. This
                        // runner always interpolates (Packets.liveEcr), so the option changes nothing here.
                        case "tcp_ts_ecr_scaled" -> { }
                        case "local_ip" -> local = address(o, value);
                        case "remote_ip" -> remote = address(o, value);
                        case "mss", "ip_version", "gateway_ip", "netmask_ip", "bind_port",
                             "connect_port", "speed", "mtu", "non_fatal", "verbose", "define", "tolerance_percent" ->
                                notes.add("option --" + name + " ignored");
                        default -> throw new Failure(0, "unsupported option --" + name, "unsupported option " + o, null, null);
                    }
                } catch (NumberFormatException ex) {
                    throw new Failure(0, "bad option", "bad option value: " + o, null, null);
                }
            }
            return new Options(toleranceUs, tsTickUs, local, remote);
        }

        private static int address(String option, String value) throws Failure {
            try {
                return Ipv4.parse(value);
            } catch (IllegalArgumentException e) {
                throw new Failure(0, "bad option", "not an IPv4 address: " + option, null, null);
            }
        }
    }

    // ---- the script -------------------------------------------------------------------------------

    private void play() throws Failure {
        for (Event e : script.events()) {
            if (e.time().kind() == EventTime.Kind.NONE) {
                if (e instanceof CommandEvent c) command(c);
                timeline.played(e);
                continue;
            }
            Timeline.Slot t = timeline.slot(e);
            if (!(e instanceof PacketEvent p && p.direction() == Direction.OUT)) {
                // An outbound packet is awaited from wherever the clock is; everything else happens at its time.
                if (e instanceof SyscallEvent && timeline.blocked()) timeline.finishBlocked();
                timeline.advanceTo(t.startUs());
            }
            switch (e) {
                case PacketEvent p when p.direction() == Direction.IN -> {
                    packets.inject(p);
                    timeline.retryBlocked(); // the packet may wake the blocked call
                }
                case PacketEvent p -> packets.expect(p, t.startUs(), t.endUs());
                case Event.IcmpEvent i -> {
                    packets.injectIcmp(i);
                    timeline.retryBlocked();
                }
                case SyscallEvent s -> syscalls.call(s, t.startUs(), t.returnByUs(s));
                case CodeEvent c -> code(c);
                case CommandEvent c -> command(c);
            }
            timeline.played(e, t);
        }
        timeline.finishBlocked();
    }

    // ---- commands and code ------------------------------------------------------------------------

    private void command(CommandEvent c) throws Failure {
        try {
            Commands.run(c.command(), scriptDir, setup);
            tun0.setTxRefused(setup.qdiscRefusesAll);
        } catch (Commands.CommandException ex) {
            String msg = ex.getMessage();
            String reason = msg.startsWith("unknown sysctl") ? msg : msg.startsWith("unsupported command")
                    ? "unsupported command" : "command";
            throw Failure.at(c, reason, msg, null, null);
        }
    }

    private void code(CodeEvent c) throws Failure {
        TcpInfo info = syscalls.tcpInfo();
        if (info == null) throw Failure.at(c, "tcp_info", "no connected socket to take tcp_info from", null, null);
        try {
            TcpInfoCode.run(c.code(), info, codeVars);
        } catch (TcpInfoCode.CodeException ex) {
            throw Failure.at(c, ex.unsupported() ? "unsupported: " + ex.getMessage() : "tcp_info assert",
                    ex.getMessage(), null, null);
        }
    }

    /** Whether {@code path} names a packetdrill script file. */
    public static boolean isScript(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".pkt");
    }
}
