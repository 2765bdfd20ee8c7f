package dev.synack.packetdrill;

import dev.synack.packetdrill.Event.CodeEvent;
import dev.synack.packetdrill.Event.CommandEvent;
import dev.synack.packetdrill.Event.Direction;
import dev.synack.packetdrill.Event.PacketEvent;
import dev.synack.packetdrill.Event.SyscallEvent;
import dev.synack.runtime.WaitList;
import dev.synack.socket.NetHost;
import dev.synack.socket.PosixSockets;
import dev.synack.stack.Stack;
import dev.synack.tcp.Errno;
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
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Plays one packetdrill script against one synack host in virtual time, as packetdrill plays it
 * against a kernel through a tun device.
 *
 * <p>The host is 198.18.0.1 (packetdrill's local 192.168.0.1) and the script's side is 198.18.0.2
 * (packetdrill's remote 192.0.2.1); addresses never appear in the scripts' packets. bind() takes port
 * 8080, connect() goes to port 8080, and an injected SYN comes from port 40000.
 *
 * <p>Sequence numbers: inbound seq is taken as written (the script's ISN is its own, as in
 * packetdrill); outbound seq is relative to the host's ISN, learned from its SYN or SYN-ACK; ack and
 * SACK blocks map the other way round. Outbound timestamps: the first TS val the host sends is
 * matched to the script's, later ones are compared only with {@code --tcp_ts_tick_usecs}; a TS ecr
 * the script sends is mapped back to the TS val the host sent for that script value.
 *
 * <p>Timing (packetdrill's run.c): a relative time counts from the moment the previous event
 * finished, except that consecutive inbound packets count from each other's script time; an
 * outbound packet or a returning call must be within {@code --tolerance_usecs} (default 4000) of
 * its time. In virtual time the host has no jitter, so the tolerance only absorbs what Linux's
 * jiffies would.
 *
 * <p>System calls go to the host's {@link PosixSockets} over a {@link RetryRuntime}, where no call ever
 * waits: a call that would block returns what a non-blocking one returns (EAGAIN, EINPROGRESS /
 * EALREADY), and while the script says it blocks, the runner retries it after every step of the
 * simulation, as the kernel would wake it.
 */
public final class Runner {
    public static final int LOCAL = Ipv4.parse("198.18.0.1");
    public static final int REMOTE = Ipv4.parse("198.18.0.2");
    public static final int LOCAL_PORT = 8080;
    public static final int SCRIPT_CLIENT_PORT = 40000;

    private static final long BLOCKED = Long.MIN_VALUE;

    private final Path scriptDir;
    private final VirtualScheduler sched = new VirtualScheduler();
    private final TcpConfig config = new TcpConfig();
    private final Commands.HostSetup setup = new Commands.HostSetup(config);
    private final Stack stack;
    private final PosixSockets posix;
    private final Map<Long, Integer> fdMap = new HashMap<>();
    private final Script script;
    private final Timeline timeline;
    /** The host's one interface (packetdrill's tun0). */
    private final dev.synack.stack.NetInterface tun0;
    /** Names the script's Python blocks assigned (packetdrill runs them in one interpreter). */
    private final Map<String, Long> codeVars = new HashMap<>();
    private final Packets packets;
    private int sutFd = -1;

    private Runner(Script script, Options options, List<String> notes) {
        this.script = script;
        this.timeline = new Timeline(sched, options.toleranceUs());
        setup.notes.addAll(notes);
        Path p = Path.of(script.path()).toAbsolutePath().getParent();
        this.scriptDir = p == null ? Path.of(".") : p;
        config.randomTsOffset = false;
        stack = new Stack("host", sched, config, 1);
        packets = new Packets(stack, timeline, setup, options.tsTickUs());
        tun0 = stack.addInterface("tun0", LOCAL, 24, 1500, packets::capture);
        posix = new NetHost(new RetryRuntime(sched), stack).posix();
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
            return Result.pass(script.path(), r.setup.notes);
        } catch (Failure f) {
            return Result.fail(script.path(), f.line, f.reason, f.getMessage(), f.expected, f.actual, r.setup.notes);
        } catch (RuntimeException e) {
            Event last = r.timeline.last();
            return Result.fail(script.path(), last == null ? 0 : last.line(), "runner error",
                    "internal error: " + e, null, null, r.setup.notes);
        }
    }

    /**
     * The runner's options ({@code --tolerance_usecs}, {@code --tcp_ts_tick_usecs}); packetdrill's
     * others about the set-up are noted as ignored, any other fails the script.
     */
    private record Options(long toleranceUs, long tsTickUs) {
        static Options parse(List<String> options, List<String> notes) throws Failure {
            long toleranceUs = 4000, tsTickUs = 0;
            for (String o : options) {
                String body = o.substring(2);
                int eq = body.indexOf('=');
                String name = eq < 0 ? body : body.substring(0, eq);
                String value = eq < 0 ? "" : body.substring(eq + 1);
                try {
                    switch (name) {
                        case "tolerance_usecs" -> toleranceUs = Long.parseLong(value);
                        case "tcp_ts_tick_usecs" -> tsTickUs = Long.parseLong(value);
                        case "mss", "ip_version", "local_ip", "remote_ip", "gateway_ip", "netmask_ip", "bind_port",
                             "connect_port", "speed", "mtu", "non_fatal", "verbose", "define", "tolerance_percent" ->
                                notes.add("option --" + name + " ignored");
                        default -> throw new Failure(0, "unsupported option --" + name, "unsupported option " + o, null, null);
                    }
                } catch (NumberFormatException ex) {
                    throw new Failure(0, "bad option", "bad option value: " + o, null, null);
                }
            }
            return new Options(toleranceUs, tsTickUs);
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
                case SyscallEvent s -> syscall(s, t.startUs(), t.returnByUs(s));
                case CodeEvent c -> code(c);
                case CommandEvent c -> command(c);
            }
            timeline.played(e, t);
        }
        timeline.finishBlocked();
    }

    private static Failure fail(Event e, String reason, String message, String expected, String actual) {
        return Failure.at(e, reason, message, expected, actual);
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
            throw fail(c, reason, msg, null, null);
        }
    }

    private void code(CodeEvent c) throws Failure {
        TcpInfo info = sutFd < 0 ? null : posix.tcpInfo(sutFd);
        if (info == null) throw fail(c, "tcp_info", "no connected socket to take tcp_info from", null, null);
        try {
            TcpInfoCode.run(c.code(), info, codeVars);
        } catch (TcpInfoCode.CodeException ex) {
            throw fail(c, ex.unsupported() ? "unsupported: " + ex.getMessage() : "tcp_info assert",
                    ex.getMessage(), null, null);
        }
    }

    // ---- system calls -----------------------------------------------------------------------------

    /** A call that blocked: the timeline retries it until it returns, then its result and time are checked. */
    private final class Pending implements Timeline.BlockedCall {
        private final SyscallEvent event;
        private final long endUs;
        private final LongSupplier attempt;
        private final long wakeNs;

        Pending(SyscallEvent event, long endUs, LongSupplier attempt, long wakeNs) {
            this.event = event;
            this.endUs = endUs;
            this.attempt = attempt;
            this.wakeNs = wakeNs;
        }

        @Override
        public long wakeNs() { return wakeNs; }

        @Override
        public long endUs() { return endUs; }

        @Override
        public boolean retry() throws Failure {
            long toleranceUs = timeline.toleranceUs();
            long r;
            try {
                r = wakeNs != Long.MAX_VALUE && timeline.nowNs() >= wakeNs ? timeoutResult() : attempt.getAsLong();
            } catch (ValueMismatch ex) {
                throw fail(event, "syscall: value", ex.getMessage(), ex.expected, ex.actual);
            }
            if (r == BLOCKED) {
                if (timeline.nowUs() > endUs + toleranceUs) {
                    throw fail(event, "timing", event.name() + "() expected to return by " + EventTime.secs(endUs)
                            + " s but it was still blocked at " + EventTime.secs(timeline.nowUs()) + " s", null, null);
                }
                return false;
            }
            long at = timeline.nowUs();
            checkResult(event, r);
            if (at < endUs - toleranceUs || at > endUs + toleranceUs) {
                throw fail(event, "timing", event.name() + "() expected to return at " + EventTime.secs(endUs)
                        + " s but returned at " + EventTime.secs(at) + " s; tolerance " + EventTime.secs(toleranceUs) + " s",
                        null, null);
            }
            return true;
        }

        /** At its poll() timeout: what the call returns, 0 when nothing is ready. */
        private long timeoutResult() {
            long r = attempt.getAsLong();
            return r == BLOCKED ? 0 : r;
        }

        @Override
        public Failure stillBlocked() {
            // The end as the script writes it (for a relative call, not moved with its start).
            return fail(event, "timing", event.name() + "() expected to return by "
                    + EventTime.secs(event.endUs() < 0 ? 0 : event.endUs()) + " s but it was still blocked at "
                    + EventTime.secs(timeline.nowUs()) + " s", null, null);
        }
    }

    private void syscall(SyscallEvent e, long startUs, long endUs) throws Failure {
        LongSupplier attempt;
        long wakeNs = Long.MAX_VALUE;
        try {
            attempt = call(e);
            if (e.name().equals("poll") && e.args().size() >= 3 && e.args().get(2) instanceof Expr.Int(long ms)
                    && ms >= 0) {
                wakeNs = timeline.nowNs() + ms * 1_000_000L;
            }
        } catch (UnsupportedOperationException ex) {
            throw fail(e, "unsupported: " + ex.getMessage(), "unsupported: " + ex.getMessage(), null, null);
        }
        long r;
        try {
            r = attempt.getAsLong();
        } catch (UnsupportedOperationException ex) {
            throw fail(e, "unsupported: " + ex.getMessage(), "unsupported: " + ex.getMessage(), null, null);
        } catch (ValueMismatch ex) {
            throw fail(e, "syscall: value", ex.getMessage(), ex.expected, ex.actual);
        }
        if (r == BLOCKED) {
            timeline.block(new Pending(e, endUs, attempt, wakeNs));
            return;
        }
        checkResult(e, r);
        long toleranceUs = timeline.toleranceUs();
        if (e.blocking() && (startUs < endUs - toleranceUs || startUs > endUs + toleranceUs)) {
            throw fail(e, "timing", e.name() + "() expected to block until " + EventTime.secs(endUs)
                    + " s but returned at " + EventTime.secs(startUs) + " s", null, null);
        }
    }

    private void checkResult(SyscallEvent e, long r) throws Failure {
        Expr want = e.result();
        if (want instanceof Expr.Ellipsis) return;
        if (e.name().equals("socket") || e.name().equals("accept")) {
            if (r >= 0 && want instanceof Expr.Int(long fd) && fd >= 0) {
                fdMap.put(fd, (int) r);
                if (e.name().equals("accept")) sutFd = (int) r;
                return;
            }
        }
        String got = r >= 0 ? Long.toString(r) : "-1 " + errnoName((int) -r);
        if (!(want instanceof Expr.Int(long v))) {
            throw fail(e, "unsupported: result " + want, "unsupported expected result " + want, null, null);
        }
        String expected = v + (e.errno() != null ? " " + e.errno() : "");
        if (v == -1 && r < 0) {
            String name = errnoName((int) -r);
            if (e.errno() == null || e.errno().equals(name)
                    || (e.errno().equals("EWOULDBLOCK") && name.equals("EAGAIN"))) {
                return;
            }
        } else if (v == r) {
            return;
        }
        throw fail(e, "syscall: result", e.name() + "() returned " + got + ", expected " + expected, expected, got);
    }

    private static String errnoName(int n) {
        for (Errno x : Errno.values()) if (x.number() == n) return x.name();
        return "errno " + n;
    }

    private int fd(SyscallEvent e, int arg) throws Failure {
        if (e.args().size() <= arg || !(e.args().get(arg) instanceof Expr.Int(long v))) {
            throw fail(e, "script", e.name() + "(): argument " + (arg + 1) + " must be a file descriptor", null, null);
        }
        Integer live = fdMap.get(v);
        return live == null ? (int) v : live;
    }

    private static long intArg(SyscallEvent e, int arg) {
        if (e.args().size() > arg && e.args().get(arg) instanceof Expr.Int(long v)) return v;
        throw new UnsupportedOperationException(e.name() + " argument " + (arg + 1) + " " + (e.args().size() > arg
                ? e.args().get(arg) : "(missing)"));
    }

    private static String word(SyscallEvent e, int arg) {
        if (e.args().size() > arg && e.args().get(arg) instanceof Expr.Word(String w)) return w;
        throw new UnsupportedOperationException(e.name() + " argument " + (arg + 1) + " " + (e.args().size() > arg
                ? e.args().get(arg) : "(missing)"));
    }

    private static boolean hasFlag(Expr x, String flag) {
        return switch (x) {
            case Expr.Word(String w) -> w.equals(flag);
            case Expr.Or(Expr a, Expr b) -> hasFlag(a, flag) || hasFlag(b, flag);
            default -> false;
        };
    }

    private static final String REMOTE_TEXT = Ipv4.format(REMOTE), LOCAL_TEXT = Ipv4.format(LOCAL);
    private static final int EAGAIN = -Errno.EAGAIN.number(), EINPROGRESS = -Errno.EINPROGRESS.number(),
            EALREADY = -Errno.EALREADY.number(), ENOPROTOOPT = -Errno.ENOPROTOOPT.number();
    private byte[] readBuf = new byte[1 << 16], zeros = new byte[1 << 16];

    /** Whether the script made {@code fd} non-blocking (fcntl O_NONBLOCK). */
    private boolean nonBlocking(int fd) {
        int flags = posix.fcntl(fd, PosixSockets.F_GETFL, 0);
        return flags >= 0 && (flags & PosixSockets.O_NONBLOCK) != 0;
    }

    /** Wraps a call: on a blocking fd, -EAGAIN means "still blocked". */
    private LongSupplier blockingIf(int fd, LongSupplier op) {
        return () -> {
            long r = op.getAsLong();
            if (r == EAGAIN && !nonBlocking(fd)) return BLOCKED;
            return r;
        };
    }

    /** The value of a constant the script names, or unsupported ({@code what} says where it stood). */
    private static int constant(String name, String what) {
        var v = PosixSockets.constant(name);
        if (v.isEmpty()) throw new UnsupportedOperationException(what);
        return v.getAsInt();
    }

    /** Flags or'ed together ({@code O_RDWR|O_NONBLOCK}, {@code POLLIN|POLLOUT}, or a number). */
    private static int bits(Expr x, String what) {
        return switch (x) {
            case null -> 0;
            case Expr.Int(long v) -> (int) v;
            case Expr.Or(Expr a, Expr b) -> bits(a, what) | bits(b, what);
            case Expr.Word(String w) -> constant(w, what + " " + w);
            default -> throw new UnsupportedOperationException(what + "s " + x);
        };
    }

    /** ENOPROTOOPT the script did not expect means PosixSockets lacks the option: the script fails as unsupported. */
    private static long optionResult(SyscallEvent e, int r, String level, String name) {
        if (r == ENOPROTOOPT && !"ENOPROTOOPT".equals(e.errno())) {
            throw new UnsupportedOperationException(e.name() + " " + level + " " + name);
        }
        return r;
    }

    private LongSupplier call(SyscallEvent e) throws Failure {
        switch (e.name()) {
            case "socket" -> {
                return () -> posix.socket();
            }
            case "bind" -> {
                int fd = fd(e, 0);
                return () -> posix.bind(fd, LOCAL_TEXT, LOCAL_PORT);
            }
            case "listen" -> {
                int fd = fd(e, 0);
                int backlog = (int) intArg(e, 1);
                return () -> posix.listen(fd, backlog);
            }
            case "accept", "accept4" -> {
                int fd = fd(e, 0);
                return blockingIf(fd, () -> posix.accept(fd));
            }
            case "connect" -> {
                int fd = fd(e, 0);
                boolean[] started = {false};
                return () -> {
                    int r = posix.connect(fd, REMOTE_TEXT, LOCAL_PORT);
                    if (!started[0] && r == EINPROGRESS) {
                        sutFd = fd;
                        packets.connecting(stackConnPort());
                    }
                    started[0] = true;
                    return (r == EINPROGRESS || r == EALREADY) && !nonBlocking(fd) ? BLOCKED : r;
                };
            }
            case "read", "recv", "recvfrom" -> {
                int fd = fd(e, 0);
                int len = (int) intArg(e, 2);
                if (len > readBuf.length) readBuf = new byte[len];
                return blockingIf(fd, () -> posix.read(fd, readBuf, 0, len));
            }
            case "write", "send", "sendto" -> {
                int fd = fd(e, 0);
                int len = (int) intArg(e, 2);
                return writer(fd, len);
            }
            case "sendmsg" -> {
                int fd = fd(e, 0);
                int len = iovLength(e);
                return writer(fd, len);
            }
            case "close" -> {
                int fd = fd(e, 0);
                return () -> posix.close(fd);
            }
            case "shutdown" -> {
                int fd = fd(e, 0);
                Expr how = e.args().size() > 1 ? e.args().get(1) : null;
                int h = how instanceof Expr.Word(String w) ? constant(w, "shutdown " + w) : (int) intArg(e, 1);
                return () -> posix.shutdown(fd, h);
            }
            case "setsockopt" -> {
                int fd = fd(e, 0);
                String level = word(e, 1), name = word(e, 2);
                Expr v = e.args().size() > 3 ? e.args().get(3) : null;
                long[] value = switch (v) {
                    case Expr.Array(List<Expr> items) when items.size() == 1 && items.getFirst() instanceof Expr.Int(long x) ->
                            new long[] {x};
                    case Expr.Struct st when st.field("l_onoff") instanceof Expr.Int(long on)
                            && st.field("l_linger") instanceof Expr.Int(long secs) -> new long[] {on, secs};
                    case null, default -> throw new UnsupportedOperationException("setsockopt " + name + " value " + v);
                };
                String what = "setsockopt " + level + " " + name;
                int lvl = constant(level, what), opt = constant(name, what);
                return () -> optionResult(e, value.length == 2 ? posix.setsockoptLinger(fd, value[0] != 0, (int) value[1])
                        : posix.setsockopt(fd, lvl, opt, (int) value[0]), level, name);
            }
            case "getsockopt" -> {
                int fd = fd(e, 0);
                String level = word(e, 1), name = word(e, 2);
                Expr v = e.args().size() > 3 ? e.args().get(3) : null;
                String what = "getsockopt " + level + " " + name;
                int lvl = constant(level, what), opt = constant(name, what);
                return () -> {
                    long got = optionResult(e, posix.getsockopt(fd, lvl, opt), level, name);
                    if (got < 0) return got;
                    if (v instanceof Expr.Array(List<Expr> items) && items.size() == 1
                            && items.getFirst() instanceof Expr.Int(long want) && want != got) {
                        throw new ValueMismatch("getsockopt " + name, Long.toString(want), Long.toString(got));
                    }
                    return 0;
                };
            }
            case "fcntl" -> {
                int fd = fd(e, 0);
                String cmd = word(e, 1);
                if (cmd.equals("F_SETFL")) {
                    int flags = bits(e.args().get(2), "fcntl flag");
                    return () -> posix.fcntl(fd, PosixSockets.F_SETFL, flags);
                }
                if (cmd.equals("F_GETFL")) {
                    Expr want = e.result();
                    return () -> {
                        int flags = posix.fcntl(fd, PosixSockets.F_GETFL, 0);
                        if (flags < 0 || want instanceof Expr.Int) return flags;
                        boolean nb = (flags & PosixSockets.O_NONBLOCK) != 0;
                        if (hasFlag(want, "O_NONBLOCK") != nb) {
                            throw new ValueMismatch("fcntl F_GETFL", want.toString(), nb ? "O_RDWR|O_NONBLOCK" : "O_RDWR");
                        }
                        return RESULT_OK;
                    };
                }
                throw new UnsupportedOperationException("fcntl " + cmd);
            }
            case "ioctl" -> {
                int fd = fd(e, 0);
                String req = word(e, 1);
                if (!req.equals("SIOCINQ") && !req.equals("FIONREAD")) throw new UnsupportedOperationException("ioctl " + req);
                Expr v = e.args().size() > 2 ? e.args().get(2) : null;
                return () -> {
                    long got = posix.ioctl(fd, PosixSockets.SIOCINQ);
                    if (got < 0) return got;
                    if (v instanceof Expr.Array(List<Expr> items) && items.size() == 1
                            && items.getFirst() instanceof Expr.Int(long want) && want != got) {
                        throw new ValueMismatch("ioctl " + req, Long.toString(want), Long.toString(got));
                    }
                    return 0;
                };
            }
            case "poll" -> {
                if (!(e.args().getFirst() instanceof Expr.Array(List<Expr> items)) || items.size() != 1
                        || !(items.getFirst() instanceof Expr.Struct pfd)) {
                    throw new UnsupportedOperationException("poll with other than one pollfd");
                }
                if (!(pfd.field("fd") instanceof Expr.Int(long sfd))) throw new UnsupportedOperationException("poll fd");
                Integer live = fdMap.get(sfd);
                int fd = live == null ? (int) sfd : live;
                int events = bits(pfd.field("events"), "poll event");
                Expr revents = pfd.field("revents");
                return () -> {
                    int r = poll(fd, events);
                    if (r == 0) return BLOCKED;
                    if (revents != null && bits(revents, "poll event") != r) {
                        throw new ValueMismatch("poll revents", revents.toString(), PosixSockets.pollBits(r));
                    }
                    return 1;
                };
            }
            default -> throw new UnsupportedOperationException("system call " + e.name());
        }
    }

    /** poll() of one fd without waiting: its revents. */
    private int poll(int fd, int events) {
        PosixSockets.PollFd[] pfd = {new PosixSockets.PollFd(fd, events)};
        posix.poll(pfd, 0);
        return pfd[0].revents;
    }

    private static final long RESULT_OK = 0;

    /** A returned value (getsockopt, ioctl, poll) unlike the script's. */
    private static final class ValueMismatch extends RuntimeException {
        final String expected;
        final String actual;

        ValueMismatch(String what, String expected, String actual) {
            super(what + ": expected " + expected + " but got " + actual);
            this.expected = expected;
            this.actual = actual;
        }
    }

    private int stackConnPort() {
        var conns = stack.connections();
        return conns.isEmpty() ? LOCAL_PORT : conns.getLast().localPort();
    }

    private LongSupplier writer(int fd, int len) {
        if (len > zeros.length) zeros = new byte[len];
        long[] done = {0};
        boolean[] slept = {false};
        return () -> {
            // sk_stream_wait_memory: a blocked writer runs again only when sk_stream_write_space wakes it,
            // which needs the POLLOUT condition (__sk_stream_is_writeable), not merely a free byte.
            int awake = PosixSockets.POLLOUT | PosixSockets.POLLERR | PosixSockets.POLLHUP;
            if (slept[0] && (poll(fd, PosixSockets.POLLOUT) & awake) == 0) return BLOCKED;
            while (done[0] < len) {
                long r = posix.write(fd, zeros, 0, (int) (len - done[0]));
                if (r == EAGAIN) {
                    if (nonBlocking(fd)) return done[0] > 0 ? done[0] : r;
                    slept[0] = true;
                    return BLOCKED;
                }
                if (r < 0) return done[0] > 0 ? done[0] : r;
                done[0] += r;
            }
            return done[0];
        };
    }

    private static int iovLength(SyscallEvent e) {
        if (e.args().size() > 1 && e.args().get(1) instanceof Expr.Struct msg) {
            for (Expr item : msg.items()) {
                if (item instanceof Expr.Assign(String n, Expr.Array(List<Expr> iovs)) && n.startsWith("msg_iov")) {
                    int total = 0;
                    for (Expr iov : iovs) {
                        if (iov instanceof Expr.Struct st && st.items().size() == 2
                                && st.items().get(1) instanceof Expr.Int(long n2)) {
                            total += (int) n2;
                        } else {
                            throw new UnsupportedOperationException("sendmsg iovec " + iov);
                        }
                    }
                    return total;
                }
            }
        }
        throw new UnsupportedOperationException("sendmsg without msg_iov");
    }

    /** Whether {@code path} names a packetdrill script file. */
    public static boolean isScript(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".pkt");
    }
}
