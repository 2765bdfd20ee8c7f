package dev.synack.packetdrill;

import dev.synack.packetdrill.Event.SyscallEvent;
import dev.synack.socket.PosixSockets;
import dev.synack.stack.Stack;
import dev.synack.tcp.Errno;
import dev.synack.tcp.TcpInfo;
import dev.synack.wire.Ipv4;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The script's system calls, on the host's {@link PosixSockets} (packetdrill's run_system_call.c):
 * socket, bind (port 8080), listen, accept, connect (to the script's side, port 8080), read/recv,
 * write/send/sendmsg, close, shutdown, setsockopt/getsockopt, fcntl, ioctl SIOCINQ, poll of one
 * pollfd. The script's fds are mapped to the host's; names of options, flags and poll bits are
 * PosixSockets' constants.
 *
 * <p>No call waits (the host's runtime ends every wait at once): one that would block returns what a
 * non-blocking one returns, and while the script says it blocks, the {@link Timeline} retries it
 * ({@link Pending}) until it returns; then its result and its time are checked.
 */
final class Syscalls {
    /** What an attempt returns while the call still blocks. */
    static final long BLOCKED = Long.MIN_VALUE;
    private final String remoteText, localText;
    private static final int EAGAIN = -Errno.EAGAIN.number(), EINPROGRESS = -Errno.EINPROGRESS.number(),
            EALREADY = -Errno.EALREADY.number(), ENOPROTOOPT = -Errno.ENOPROTOOPT.number();

    private final PosixSockets posix;
    private final Stack stack;
    private final Timeline timeline;
    private final Packets packets;
    /** The script's fd numbers → the host's. */
    private final Map<Long, Integer> fdMap = new HashMap<>();
    /** The accepted or connecting socket, whose tcp_info the script's code blocks read; -1 before. */
    private int sutFd = -1;
    private byte[] readBuf = new byte[1 << 16], zeros = new byte[1 << 16];
    /** recvmsg, sendmsg's iovec and epoll. */
    private final MsgCalls msg;
    /** open and sendfile's files; null until {@link #useFiles}. */
    private FileCalls files;

    Syscalls(PosixSockets posix, Stack stack, Timeline timeline, Packets packets, int local, int remote) {
        this.localText = Ipv4.format(local);
        this.remoteText = Ipv4.format(remote);
        this.posix = posix;
        this.stack = stack;
        this.timeline = timeline;
        this.packets = packets;
        this.msg = new MsgCalls(posix, timeline, fd -> {
            Integer live = fdMap.get((long) fd);
            return live == null ? fd : live;
        });
    }

    /** The files the script's commands made, for open() and sendfile(). */
    void useFiles(Commands.HostSetup setup) { files = new FileCalls(setup); }

    /** The tcp_info of the socket under test, or null when there is none yet. */
    TcpInfo tcpInfo() { return sutFd < 0 ? null : posix.tcpInfo(sutFd); }

    /**
     * Makes the call {@code e} at {@code startUs}; one that blocks goes to the timeline, which retries
     * it until it returns.
     *
     * @param endUs when the script says it returns ({@code startUs} for one that does not block)
     */
    void call(SyscallEvent e, long startUs, long endUs) throws Failure {
        LongSupplier attempt;
        long wakeNs = Long.MAX_VALUE;
        try {
            attempt = attempt(e);
            if (e.name().equals("poll") && e.args().size() >= 3 && e.args().get(2) instanceof Expr.Int(long ms)
                    && ms >= 0) {
                wakeNs = timeline.nowNs() + ms * 1_000_000L;
            }
            if (e.name().equals("epoll_wait") && e.args().size() >= 4 && e.args().get(3) instanceof Expr.Int(long ms)
                    && ms > 0) {
                wakeNs = timeline.nowNs() + ms * 1_000_000L;
            }
        } catch (UnsupportedOperationException ex) {
            throw Failure.at(e, "unsupported: " + ex.getMessage(), "unsupported: " + ex.getMessage(), null, null);
        }
        long r;
        try {
            r = attempt.getAsLong();
        } catch (UnsupportedOperationException ex) {
            throw Failure.at(e, "unsupported: " + ex.getMessage(), "unsupported: " + ex.getMessage(), null, null);
        } catch (ValueMismatch ex) {
            throw Failure.at(e, "syscall: value", ex.getMessage(), ex.expected, ex.actual);
        }
        if (r == BLOCKED) {
            timeline.block(new Pending(e, endUs, attempt, wakeNs));
            return;
        }
        checkResult(e, r);
        long toleranceUs = timeline.toleranceUs();
        if (e.blocking() && (startUs < endUs - toleranceUs || startUs > endUs + toleranceUs)) {
            throw Failure.at(e, "timing", e.name() + "() expected to block until " + EventTime.secs(endUs)
                    + " s but returned at " + EventTime.secs(startUs) + " s", null, null);
        }
    }

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
                throw Failure.at(event, "syscall: value", ex.getMessage(), ex.expected, ex.actual);
            }
            if (r == BLOCKED) {
                if (timeline.nowUs() > endUs + toleranceUs) {
                    throw Failure.at(event, "timing", event.name() + "() expected to return by " + EventTime.secs(endUs)
                            + " s but it was still blocked at " + EventTime.secs(timeline.nowUs()) + " s", null, null);
                }
                return false;
            }
            long at = timeline.nowUs();
            checkResult(event, r);
            if (at < endUs - toleranceUs || at > endUs + toleranceUs) {
                throw Failure.at(event, "timing", event.name() + "() expected to return at " + EventTime.secs(endUs)
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
            return Failure.at(event, "timing", event.name() + "() expected to return by "
                    + EventTime.secs(event.endUs() < 0 ? 0 : event.endUs()) + " s but it was still blocked at "
                    + EventTime.secs(timeline.nowUs()) + " s", null, null);
        }
    }

    /** Checks a returned value against the script's (an fd the script names is mapped to the host's). */
    private void checkResult(SyscallEvent e, long r) throws Failure {
        Expr want = e.result();
        if (want instanceof Expr.Ellipsis) return;
        if (e.name().equals("socket") || e.name().equals("accept") || e.name().startsWith("epoll_create")
                || e.name().equals("open")) {
            if (r >= 0 && want instanceof Expr.Int(long fd) && fd >= 0) {
                fdMap.put(fd, (int) r);
                if (e.name().equals("accept")) sutFd = (int) r;
                return;
            }
        }
        String got = r >= 0 ? Long.toString(r) : "-1 " + errnoName((int) -r);
        if (!(want instanceof Expr.Int(long v))) {
            throw Failure.at(e, "unsupported: result " + want, "unsupported expected result " + want, null, null);
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
        throw Failure.at(e, "syscall: result", e.name() + "() returned " + got + ", expected " + expected, expected, got);
    }

    private static String errnoName(int n) {
        return Errno.ofNumber(n).map(Errno::name).orElse("errno " + n);
    }

    /** Argument {@code arg} as the host's fd. */
    private int fd(SyscallEvent e, int arg) throws Failure {
        if (e.args().size() <= arg || !(e.args().get(arg) instanceof Expr.Int(long v))) {
            throw Failure.at(e, "script", e.name() + "(): argument " + (arg + 1) + " must be a file descriptor", null, null);
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

    /**
     * The call {@code e} as an attempt the timeline can repeat: it returns the result, a negative
     * errno, or {@link #BLOCKED}. The arguments are read here; what PosixSockets cannot do throws
     * UnsupportedOperationException (the script fails as "unsupported").
     */
    private LongSupplier attempt(SyscallEvent e) throws Failure {
        return switch (e.name()) {
            case "socket" -> () -> posix.socket();
            case "bind" -> {
                int fd = fd(e, 0);
                yield () -> posix.bind(fd, localText, Runner.LOCAL_PORT);
            }
            case "listen" -> {
                int fd = fd(e, 0);
                int backlog = (int) intArg(e, 1);
                yield () -> {
                    int r = posix.listen(fd, backlog);
                    if (r == 0) packets.listening();
                    return r;
                };
            }
            case "accept", "accept4" -> {
                int fd = fd(e, 0);
                yield blockingIf(fd, () -> posix.accept(fd));
            }
            case "connect" -> connect(fd(e, 0));
            case "read", "recv", "recvfrom" -> read(fd(e, 0), (int) intArg(e, 2), nullBuffer(e));
            case "write" -> sender(fd(e, 0), (int) intArg(e, 2), 0, false, nullBuffer(e));
            case "send", "sendto" -> sender(fd(e, 0), (int) intArg(e, 2), e.args().size() > 3 ? bits(e.args().get(3), "send flag") : 0,
                    e.args().size() > 4 && e.args().get(4) instanceof Expr.Word(String w) && w.equals("AF_UNSPEC"),
                    nullBuffer(e));
            case "sendmsg" -> {
                int fd = fd(e, 0);
                int[] iov = iov(e);
                int flags = e.args().size() > 2 ? bits(e.args().get(2), "send flag") : 0;
                // MSG_FASTOPEN, or the first write after a deferred TCP_FASTOPEN_CONNECT: the SYN takes the data
                yield (flags & PosixSockets.MSG_FASTOPEN) != 0 || deferred.contains(fd)
                        ? sender(fd, java.util.Arrays.stream(iov).sum(), flags, false, false) : sendmsg(fd, iov, flags);
            }
            case "recvmsg" -> {
                int fd = fd(e, 0);
                // The error queue is never waited on (ip_recv_error): EAGAIN at once, also when blocking.
                boolean errqueue = e.args().size() > 2 && hasFlag(e.args().get(2), "MSG_ERRQUEUE");
                yield errqueue ? msg.recvmsg(e, fd) : blockingIf(fd, msg.recvmsg(e, fd));
            }
            case "epoll_create" -> msg.epollCreate(e, false);
            case "epoll_create1" -> msg.epollCreate(e, true);
            case "epoll_ctl" -> msg.epollCtl(e, fd(e, 0));
            case "epoll_wait" -> msg.epollWait(e, fd(e, 0));
            case "close" -> {
                int fd = fd(e, 0);
                yield () -> files != null && files.isFile(fd) ? files.close(fd) : posix.close(fd);
            }
            case "open" -> {
                if (files == null) throw new UnsupportedOperationException("system call open");
                yield () -> files.open(e);
            }
            case "sendfile" -> sendfile(e);
            case "shutdown" -> shutdown(e, fd(e, 0));
            case "setsockopt" -> setsockopt(e, fd(e, 0));
            case "getsockopt" -> getsockopt(e, fd(e, 0));
            case "fcntl" -> fcntl(e, fd(e, 0));
            case "ioctl" -> ioctl(e, fd(e, 0));
            case "poll" -> poll(e);
            default -> throw new UnsupportedOperationException("system call " + e.name());
        };
    }

    /** connect() to the script's side: the socket under test; EINPROGRESS/EALREADY block a blocking socket. */
    private LongSupplier connect(int fd) {
        boolean[] started = {false};
        return () -> {
            Object before = newestConnection();
            int r = posix.connect(fd, remoteText, Runner.LOCAL_PORT);
            if (!started[0] && r == 0 && newestConnection() == before) deferred.add(fd); // TCP_FASTOPEN_CONNECT
            if (!started[0] && r == EINPROGRESS) {
                sutFd = fd;
                packets.connecting(stackConnPort());
            }
            started[0] = true;
            return (r == EINPROGRESS || r == EALREADY) && !nonBlocking(fd) ? BLOCKED : r;
        };
    }

    private LongSupplier read(int fd, int len, boolean nullBuf) {
        if (len > readBuf.length) readBuf = new byte[len];
        return blockingIf(fd, () -> posix.read(fd, nullBuf ? null : readBuf, 0, len));
    }

    /**
     * Whether the call's buffer is {@code NULL} (syscall_bad_arg's invalid pointers): the host gets a null
     * array, which its socket calls answer as Linux answers a pointer it cannot copy from or to (EFAULT).
     */
    private static boolean nullBuffer(SyscallEvent e) {
        return e.args().size() > 1 && e.args().get(1) instanceof Expr.Word(String w) && w.equals("NULL");
    }

    private LongSupplier shutdown(SyscallEvent e, int fd) {
        Expr how = e.args().size() > 1 ? e.args().get(1) : null;
        int h = how instanceof Expr.Word(String w) ? constant(w, "shutdown " + w) : (int) intArg(e, 1);
        return () -> posix.shutdown(fd, h);
    }

    /** setsockopt() of an int option ({@code [1]}) or SO_LINGER ({@code {l_onoff=1, l_linger=0}}). */
    private LongSupplier setsockopt(SyscallEvent e, int fd) {
        String level = word(e, 1), name = word(e, 2);
        Expr v = e.args().size() > 3 ? e.args().get(3) : null;
        if (v instanceof Expr.Str(String text, boolean prefix) && !prefix) {
            // A byte string (TCP_FASTOPEN_KEY): each char of the literal is one byte.
            String what = "setsockopt " + level + " " + name;
            int lvl = constant(level, what), opt = constant(name, what);
            byte[] bytes = new byte[text.length()];
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) text.charAt(i);
            int optlen = e.args().size() > 4 && e.args().get(4) instanceof Expr.Int(long l) ? (int) l : bytes.length;
            return () -> optionResult(e, posix.setsockopt(fd, lvl, opt, bytes, optlen), level, name);
        }
        long[] value = switch (v) {
            case Expr.Array(List<Expr> items) when items.size() == 1 && items.getFirst() instanceof Expr.Int(long x) ->
                    new long[] {x};
            // flags or'ed by name: [SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_OPT_ID]
            case Expr.Array(List<Expr> items) when items.size() == 1
                    && (items.getFirst() instanceof Expr.Or || items.getFirst() instanceof Expr.Word) ->
                    new long[] {bits(items.getFirst(), "setsockopt flag")};
            case Expr.Struct st when st.field("l_onoff") instanceof Expr.Int(long on)
                    && st.field("l_linger") instanceof Expr.Int(long secs) -> new long[] {on, secs};
            case null, default -> throw new UnsupportedOperationException("setsockopt " + name + " value " + v);
        };
        String what = "setsockopt " + level + " " + name;
        int lvl = constant(level, what), opt = constant(name, what);
        int optlen = e.args().size() > 4 && e.args().get(4) instanceof Expr.Int(long l) ? (int) l : Integer.BYTES;
        return () -> optionResult(e, value.length == 2 ? posix.setsockoptLinger(fd, value[0] != 0, (int) value[1])
                : posix.setsockopt(fd, lvl, opt, (int) value[0], optlen), level, name);
    }

    /** getsockopt() of an int option; a value the script gives ({@code [0]}) must match. */
    private LongSupplier getsockopt(SyscallEvent e, int fd) {
        String level = word(e, 1), name = word(e, 2);
        Expr v = e.args().size() > 3 ? e.args().get(3) : null;
        String what = "getsockopt " + level + " " + name;
        int lvl = constant(level, what), opt = constant(name, what);
        return () -> {
            int[] value = new int[1];
            long r = optionResult(e, posix.getsockopt(fd, lvl, opt, value), level, name);
            if (r < 0) return r;
            long got = value[0];
            if (v instanceof Expr.Array(List<Expr> items) && items.size() == 1
                    && items.getFirst() instanceof Expr.Int(long want) && (int) want != got) { // an int, as C compares it
                throw new ValueMismatch("getsockopt " + name, Long.toString(want), Long.toString(got));
            }
            return 0;
        };
    }

    /** fcntl() F_SETFL, or F_GETFL with the flags the script expects (as a number or as names). */
    private LongSupplier fcntl(SyscallEvent e, int fd) {
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
                return 0;
            };
        }
        throw new UnsupportedOperationException("fcntl " + cmd);
    }

    /** ioctl() SIOCINQ/FIONREAD; a value the script gives must match. */
    private LongSupplier ioctl(SyscallEvent e, int fd) {
        String req = word(e, 1);
        if (!req.equals("SIOCINQ") && !req.equals("FIONREAD")) throw new UnsupportedOperationException("ioctl " + req);
        Expr v = e.args().size() > 2 ? e.args().get(2) : null;
        return () -> {
            long got = posix.ioctl(fd, PosixSockets.SIOCINQ);
            if (got < 0) return got;
            if (v instanceof Expr.Array(List<Expr> items) && items.size() == 1
                    && items.getFirst() instanceof Expr.Int(long want) && (int) want != got) { // an int, as C compares it
                throw new ValueMismatch("ioctl " + req, Long.toString(want), Long.toString(got));
            }
            return 0;
        };
    }

    /** poll() of one pollfd: blocks while nothing is ready (its timeout is the timeline's wake time); revents must match. */
    private LongSupplier poll(SyscallEvent e) {
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
            int r = revents(fd, events);
            if (r == 0) return BLOCKED;
            if (revents != null && bits(revents, "poll event") != r) {
                throw new ValueMismatch("poll revents", revents.toString(), PosixSockets.pollBits(r));
            }
            return 1;
        };
    }

    /** poll() of one fd without waiting: its revents. */
    private int revents(int fd, int events) {
        PosixSockets.PollFd[] pfd = {new PosixSockets.PollFd(fd, events)};
        posix.poll(pfd, 0);
        return pfd[0].revents;
    }

    /** A returned value (getsockopt, ioctl, poll) unlike the script's. */
    static final class ValueMismatch extends RuntimeException {
        final String expected;
        final String actual;

        ValueMismatch(String what, String expected, String actual) {
            super(what + ": expected " + expected + " but got " + actual);
            this.expected = expected;
            this.actual = actual;
        }
    }

    /** The port the host's newest connection uses (the one connect() just made). */
    private int stackConnPort() {
        var conns = stack.connections();
        return conns.isEmpty() ? Runner.LOCAL_PORT : conns.getLast().localPort();
    }

    /**
     * write(), send(), sendmsg() of {@code len} bytes with send()'s {@code flags} (MSG_MORE, MSG_EOR,
     * MSG_DONTWAIT, ...): a blocking one goes on until all are written.
     */
    /**
     * sendfile(out_fd, in_fd, [offset] or NULL, count) of a file to a socket: Linux splices the file's
     * pages into tcp_sendmsg (MSG_SPLICE_PAGES), which takes them as a write() of those bytes would.
     */
    private LongSupplier sendfile(SyscallEvent e) throws Failure {
        int out = fd(e, 0), in = fd(e, 1);
        Long offset = e.args().get(2) instanceof Expr.Array(List<Expr> items) && items.size() == 1
                && items.getFirst() instanceof Expr.Int(long off) ? off : null;
        int count = (int) intArg(e, 3);
        byte[] data = files == null ? null : files.read(in, offset, count);
        if (data == null) return () -> -Errno.EBADF.number();
        if (data.length == 0) return () -> 0;
        // Fewer bytes than asked for: splice_direct_to_actor passes SPLICE_F_MORE (MSG_MORE) while the count
        // is not reached, so their end is not pushed (measured on Linux 6.18: no PSH).
        return writer(out, data, data.length, data.length < count ? PosixSockets.MSG_MORE : 0);
    }

    private LongSupplier writer(int fd, int len, int flags) {
        if (len > zeros.length) zeros = new byte[len];
        return writer(fd, zeros, len, flags);
    }

    /** As {@link #writer(int, int, int)}, writing {@code len} bytes of {@code src}. */
    private LongSupplier writer(int fd, byte[] src, int len, int flags) {
        return sendLoop(fd, len, flags, (at, n) -> flags == 0 ? posix.write(fd, src, at, n) : posix.send(fd, src, at, n, flags));
    }

    /** One try to send {@code n} bytes from offset {@code at} of the call's data: the result of the system call. */
    @FunctionalInterface
    private interface SendPiece {
        long send(int at, int n);
    }

    /**
     * A blocking or non-blocking send of {@code len} bytes, piece by piece, played as Linux runs it: what
     * a full buffer leaves is sent after the writer is woken, and an error after some bytes returns the count.
     */
    private LongSupplier sendLoop(int fd, int len, int flags, SendPiece piece) {
        long[] done = {0};
        boolean[] slept = {false};
        return () -> {
            // sk_stream_wait_memory: a blocked writer runs again only when sk_stream_write_space wakes it,
            // which needs the POLLOUT condition (__sk_stream_is_writeable), not merely a free byte.
            int awake = PosixSockets.POLLOUT | PosixSockets.POLLERR | PosixSockets.POLLHUP;
            if (slept[0] && (revents(fd, PosixSockets.POLLOUT) & awake) == 0) return BLOCKED;
            while (done[0] < len) {
                long r = piece.send((int) done[0], (int) (len - done[0]));
                if (r == EAGAIN) {
                    if (nonBlocking(fd) || (flags & PosixSockets.MSG_DONTWAIT) != 0) return done[0] > 0 ? done[0] : r;
                    slept[0] = true;
                    return BLOCKED;
                }
                if (r < 0) return done[0] > 0 ? done[0] : r;
                done[0] += r;
            }
            return done[0];
        };
    }

    /**
     * write(), send(), sendto(), sendmsg(): with MSG_FASTOPEN, or the first write after a deferred
     * TCP_FASTOPEN_CONNECT, {@link #fastOpen}; else {@link #writer}. {@code unspec}: sendto's address is
     * AF_UNSPEC.
     */
    private LongSupplier sender(int fd, int len, int flags, boolean unspec, boolean nullBuf) {
        if ((flags & PosixSockets.MSG_FASTOPEN) != 0 || deferred.contains(fd)) {
            deferred.remove(fd);
            return fastOpen(fd, len, flags, unspec, nullBuf);
        }
        if (nullBuf) return writer(fd, null, len, flags);
        return writer(fd, len, flags);
    }

    /** Sockets whose TCP_FASTOPEN_CONNECT connect() returned 0 with no SYN sent yet (Linux's DEFER_CONNECT). */
    private final java.util.Set<Integer> deferred = new java.util.HashSet<>();

    /**
     * sendto()/sendmsg() with MSG_FASTOPEN to the script's side (the address packetdrill fills in for
     * {@code ...}). The host's runtime never waits, so a blocking call is played as the kernel runs it:
     * the SYN goes (with what data it takes), the call blocks while the handshake is in progress, then
     * it returns the handshake's error or writes the rest (tcp_sendmsg after tcp_sendmsg_fastopen).
     */
    private LongSupplier fastOpen(int fd, int len, int flags, boolean unspec, boolean nullBuf) {
        if (len > zeros.length) zeros = new byte[len];
        byte[] src = nullBuf ? null : zeros;
        long[] copied = {-1}, restDone = {0};
        boolean[] handshakeChecked = {false};
        return () -> {
            boolean blocking = !nonBlocking(fd) && (flags & PosixSockets.MSG_DONTWAIT) == 0;
            if (copied[0] < 0) {
                Object before = newestConnection();
                int r = (flags & PosixSockets.MSG_FASTOPEN) != 0
                        ? posix.sendto(fd, src, 0, len, flags | (blocking ? 0 : PosixSockets.MSG_DONTWAIT),
                                unspec ? null : remoteText, Runner.LOCAL_PORT)
                        : flags == 0 ? posix.write(fd, src, 0, len) : posix.send(fd, src, 0, len, flags);
                if (newestConnection() != before) { // it started a connection: the socket under test
                    sutFd = fd;
                    packets.connecting(stackConnPort());
                }
                if (!blocking || r < 0 && r != EINPROGRESS || !inProgress(fd)) return r;
                copied[0] = Math.max(r, 0);
            }
            if (inProgress(fd)) return BLOCKED;
            if (!handshakeChecked[0]) {
                handshakeChecked[0] = true;
                // The handshake ended: a failure is the call's error (sock_error), else the rest is written.
                int[] soError = new int[1];
                posix.getsockopt(fd, PosixSockets.SOL_SOCKET, PosixSockets.SO_ERROR, soError);
                if (soError[0] != 0) return -soError[0];
                if (copied[0] == len) return len;
            }
            long r = posix.write(fd, src, 0, (int) (len - copied[0] - restDone[0]));
            if (r == EAGAIN) return BLOCKED;
            if (r < 0) return copied[0] + restDone[0] > 0 ? copied[0] + restDone[0] : r;
            restDone[0] += r;
            return copied[0] + restDone[0] < len ? BLOCKED : len;
        };
    }

    /** The host's newest connection, or null. */
    private Object newestConnection() {
        var conns = stack.connections();
        return conns.isEmpty() ? null : conns.getLast();
    }

    /** Whether {@code fd}'s connection is still opening (SYN_SENT or SYN_RECV). */
    private boolean inProgress(int fd) {
        return (revents(fd, PosixSockets.POLLOUT | PosixSockets.POLLIN) & (PosixSockets.POLLOUT | PosixSockets.POLLERR | PosixSockets.POLLHUP)) == 0;
    }

    /** A sendmsg()'s iovec lengths. */
    private static int[] iov(SyscallEvent e) {
        if (e.args().size() > 1 && e.args().get(1) instanceof Expr.Struct m) return MsgCalls.iov(m);
        throw new UnsupportedOperationException("sendmsg without msg_iov");
    }

    /** sendmsg() of an iovec with send()'s flags (MSG_ZEROCOPY among them): as {@link #writer}, iovec by iovec. */
    private LongSupplier sendmsg(int fd, int[] iov, int flags) {
        int len = 0;
        for (int l : iov) len += l;
        if (len > zeros.length) zeros = new byte[len];
        return sendLoop(fd, len, flags, (at, n) -> posix.sendmsg(fd, zeros, 0, rest(iov, at), flags));
    }

    /** The iovec {@code iov} without its first {@code skip} bytes. */
    private static int[] rest(int[] iov, int skip) {
        int i = 0;
        while (i < iov.length && skip >= iov[i]) skip -= iov[i++];
        int[] r = java.util.Arrays.copyOfRange(iov, i, iov.length);
        if (r.length > 0) r[0] -= skip;
        return r;
    }
}
