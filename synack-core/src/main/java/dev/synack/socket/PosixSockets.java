package dev.synack.socket;

import dev.synack.tcp.Errno;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpState;
import dev.synack.wire.Ipv4;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The socket system calls of one host, as a C program (or a packetdrill script) sees them: file
 * descriptors, results ≥ 0 or −errno, Linux's constants and Linux's behaviour (inet_stream_connect,
 * tcp_sendmsg, tcp_recvmsg, inet_shutdown, tcp_poll, sock_setsockopt, tcp_ioctl). Blocking calls wait
 * through the host's runtime; {@code fcntl(fd, F_SETFL, O_NONBLOCK)} makes them return EAGAIN /
 * EINPROGRESS instead. {@link #constant} gives the constants by their C names, for callers that read
 * calls as text (the packetdrill runner).
 *
 * <p>Simplifications: one descriptor table per host (not per process); AF_INET and SOCK_STREAM only;
 * descriptors are allocated lowest-first from 3, as in a process with stdin, stdout and stderr open.
 */
public final class PosixSockets {
    // <sys/socket.h>, <netinet/tcp.h>, <poll.h>, <fcntl.h>, <linux/sockios.h> on Linux x86-64.
    public static final int SOL_SOCKET = 1, IPPROTO_TCP = 6, SOL_TCP = IPPROTO_TCP;
    public static final int SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8,
            SO_KEEPALIVE = 9, SO_LINGER = 13, SO_RCVTIMEO = 20, SO_SNDTIMEO = 21, SO_ACCEPTCONN = 30;
    public static final int TCP_NODELAY = 1, TCP_MAXSEG = 2, TCP_CORK = 3, TCP_KEEPIDLE = 4, TCP_KEEPINTVL = 5, TCP_KEEPCNT = 6,
            TCP_SYNCNT = 7, TCP_INFO = 11, TCP_QUICKACK = 12, TCP_USER_TIMEOUT = 18,
            TCP_FASTOPEN = 23, TCP_NOTSENT_LOWAT = 25, TCP_FASTOPEN_CONNECT = 30, TCP_FASTOPEN_KEY = 33,
            TCP_FASTOPEN_NO_COOKIE = 34;
    public static final int MSG_DONTWAIT = 0x40, MSG_EOR = 0x80, MSG_NOSIGNAL = 0x4000, MSG_MORE = 0x8000,
            MSG_FASTOPEN = 0x20000000;
    public static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
    public static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
            POLLRDNORM = 0x40, POLLWRNORM = 0x100, POLLRDHUP = 0x2000;
    public static final int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 04000, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    public static final int SIOCINQ = 0x541B, FIONREAD = SIOCINQ;
    // The error queue, zero-copy, timestamping, TCP_INQ and epoll (<linux/errqueue.h>, <linux/net_tstamp.h>,
    // <asm-generic/socket.h>, <linux/in.h>, <sys/epoll.h>).
    public static final int SOL_IP = 0, IP_TOS = 1, IP_MTU_DISCOVER = 10, IP_RECVERR = 11;
    public static final int IP_PMTUDISC_DONT = 0, IP_PMTUDISC_WANT = 1, IP_PMTUDISC_DO = 2, IP_PMTUDISC_PROBE = 3,
            IP_PMTUDISC_INTERPRET = 4, IP_PMTUDISC_OMIT = 5;
    public static final int SO_MARK = 36, SO_TIMESTAMPING = 37, SCM_TIMESTAMPING = SO_TIMESTAMPING, SO_ZEROCOPY = 60;
    public static final int TCP_INQ = 36, TCP_CM_INQ = TCP_INQ;
    public static final int MSG_CTRUNC = 0x8, MSG_TRUNC = 0x20, MSG_ERRQUEUE = 0x2000, MSG_ZEROCOPY = 0x4000000;
    public static final int SOF_TIMESTAMPING_TX_HARDWARE = 1, SOF_TIMESTAMPING_TX_SOFTWARE = 1 << 1,
            SOF_TIMESTAMPING_RX_HARDWARE = 1 << 2, SOF_TIMESTAMPING_RX_SOFTWARE = 1 << 3, SOF_TIMESTAMPING_SOFTWARE = 1 << 4,
            SOF_TIMESTAMPING_SYS_HARDWARE = 1 << 5, SOF_TIMESTAMPING_RAW_HARDWARE = 1 << 6, SOF_TIMESTAMPING_OPT_ID = 1 << 7,
            SOF_TIMESTAMPING_TX_SCHED = 1 << 8, SOF_TIMESTAMPING_TX_ACK = 1 << 9, SOF_TIMESTAMPING_OPT_CMSG = 1 << 10,
            SOF_TIMESTAMPING_OPT_TSONLY = 1 << 11, SOF_TIMESTAMPING_OPT_STATS = 1 << 12,
            SOF_TIMESTAMPING_OPT_PKTINFO = 1 << 13, SOF_TIMESTAMPING_OPT_TX_SWHW = 1 << 14,
            SOF_TIMESTAMPING_BIND_PHC = 1 << 15, SOF_TIMESTAMPING_OPT_ID_TCP = 1 << 16,
            SOF_TIMESTAMPING_OPT_RX_FILTER = 1 << 17;
    public static final int SO_EE_ORIGIN_NONE = ExtendedError.ORIGIN_NONE, SO_EE_ORIGIN_LOCAL = ExtendedError.ORIGIN_LOCAL,
            SO_EE_ORIGIN_ICMP = ExtendedError.ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6 = ExtendedError.ORIGIN_ICMP6,
            SO_EE_ORIGIN_TIMESTAMPING = ExtendedError.ORIGIN_TIMESTAMPING, SO_EE_ORIGIN_TXSTATUS = ExtendedError.ORIGIN_TIMESTAMPING,
            SO_EE_ORIGIN_ZEROCOPY = ExtendedError.ORIGIN_ZEROCOPY, SO_EE_ORIGIN_TXTIME = ExtendedError.ORIGIN_TXTIME,
            SO_EE_CODE_ZEROCOPY_COPIED = ExtendedError.CODE_ZEROCOPY_COPIED;
    public static final int SCM_TSTAMP_SND = ExtendedError.SCM_TSTAMP_SND, SCM_TSTAMP_SCHED = ExtendedError.SCM_TSTAMP_SCHED,
            SCM_TSTAMP_ACK = ExtendedError.SCM_TSTAMP_ACK;
    public static final int EPOLLIN = Epoll.EPOLLIN, EPOLLPRI = Epoll.EPOLLPRI, EPOLLOUT = Epoll.EPOLLOUT,
            EPOLLERR = Epoll.EPOLLERR, EPOLLHUP = Epoll.EPOLLHUP, EPOLLRDNORM = Epoll.EPOLLRDNORM,
            EPOLLRDBAND = Epoll.EPOLLRDBAND, EPOLLWRNORM = Epoll.EPOLLWRNORM, EPOLLWRBAND = Epoll.EPOLLWRBAND,
            EPOLLMSG = Epoll.EPOLLMSG, EPOLLRDHUP = Epoll.EPOLLRDHUP, EPOLLEXCLUSIVE = Epoll.EPOLLEXCLUSIVE,
            EPOLLWAKEUP = Epoll.EPOLLWAKEUP, EPOLLONESHOT = Epoll.EPOLLONESHOT, EPOLLET = Epoll.EPOLLET;
    public static final int EPOLL_CTL_ADD = Epoll.EPOLL_CTL_ADD, EPOLL_CTL_DEL = Epoll.EPOLL_CTL_DEL,
            EPOLL_CTL_MOD = Epoll.EPOLL_CTL_MOD, EPOLL_CLOEXEC = 02000000;

    /** The constants above by name. */
    private static final Map<String, Integer> CONSTANTS = new HashMap<>();

    static {
        for (Field f : PosixSockets.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == int.class) {
                try {
                    CONSTANTS.put(f.getName(), f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** The value of the constant C names {@code name} ("SO_SNDBUF" → 7, "SOL_TCP" → 6); empty if this class lacks it. */
    public static OptionalInt constant(String name) {
        Integer v = CONSTANTS.get(name);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    private final Kernel kernel;
    private final List<OpenFile> fds = new ArrayList<>();

    PosixSockets(Kernel kernel) { this.kernel = kernel; }

    private static final int FIRST_FD = 3;

    private synchronized int install(OpenFile s) {
        for (int i = 0; i < fds.size(); i++) {
            if (fds.get(i) == null) {
                fds.set(i, s);
                return i + FIRST_FD;
            }
        }
        fds.add(s);
        return fds.size() - 1 + FIRST_FD;
    }

    private synchronized OpenFile file(int fd) {
        int i = fd - FIRST_FD;
        return i >= 0 && i < fds.size() ? fds.get(i) : null;
    }

    /** The socket {@code fd} refers to; null for a bad descriptor or one that is not a socket ({@link #badFd}). */
    private KernelSocket get(int fd) { return file(fd) instanceof KernelSocket s ? s : null; }

    private synchronized OpenFile removeFile(int fd) {
        OpenFile f = file(fd);
        if (f != null) fds.set(fd - FIRST_FD, null);
        return f;
    }

    private static final int EBADF = -Errno.EBADF.number();

    /** A socket call's error for {@code fd} that is not a socket: ENOTSOCK for an epoll descriptor (sockfd_lookup), else EBADF. */
    private int badFd(int fd) { return file(fd) != null ? -Errno.ENOTSOCK.number() : EBADF; }

    /** socket(AF_INET, SOCK_STREAM, IPPROTO_TCP): a new descriptor. */
    public int socket() { return install(new KernelSocket(kernel, new SocketOptions())); }

    /** bind(fd, {addr, port}); addr "0.0.0.0" = INADDR_ANY, port 0 = an ephemeral port. */
    public int bind(int fd, String addr, int port) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        int r = s.bind(Ipv4.parse(addr), port);
        s.traceCall("bind(" + fd + ", " + addr + ":" + port + ")", r);
        return r;
    }

    /** listen(fd, backlog). */
    public int listen(int fd, int backlog) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        int r = s.listen(backlog);
        s.traceCall("listen(" + fd + ", " + backlog + ")", r);
        return r;
    }

    /** accept(fd): a new descriptor, −EAGAIN (non-blocking, or SO_RCVTIMEO passed), or −errno. */
    public int accept(int fd) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        int[] err = new int[1];
        KernelSocket c = s.accept(s.readTimeoutNs(), err);
        int r = c == null ? err[0] : install(c);
        s.traceCall("accept(" + fd + ")", r);
        return r;
    }

    /** connect(fd, {addr, port}), as Linux's inet_stream_connect (see {@link KernelSocket#connect}). */
    public int connect(int fd, String addr, int port) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        int r = s.connect(Ipv4.parse(addr), port, s.sendTimeoutNs());
        s.traceCall("connect(" + fd + ", " + addr + ":" + port + ")", r);
        return r;
    }

    /** read(fd, buf, len): bytes, 0 at end of stream, or −errno (EAGAIN when nothing and non-blocking). */
    public int read(int fd, byte[] buf, int off, int len) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        int r = s.read(buf, off, len, s.readTimeoutNs());
        s.traceCall("read(" + fd + ", " + len + ")", r);
        return r;
    }

    /** write(fd, buf, len): bytes taken or −errno (EPIPE; Linux would also raise SIGPIPE). */
    public int write(int fd, byte[] buf, int off, int len) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        int r = s.write(buf, off, len, s.sendTimeoutNs());
        s.traceCall("write(" + fd + ", " + len + ")", r);
        return r;
    }

    /**
     * send(fd, buf, len, flags): as write() with MSG_MORE (cork this call: a partial segment waits and
     * the data is not marked PSH, tcp_push), MSG_EOR (later data starts a new skb), MSG_DONTWAIT (this
     * call does not block) and MSG_NOSIGNAL (no SIGPIPE: there is none here). Linux's tcp_sendmsg
     * ignores the flags it does not know, and so does this.
     */
    public int send(int fd, byte[] buf, int off, int len, int flags) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        long timeoutNs = (flags & MSG_DONTWAIT) != 0 ? KernelSocket.NONBLOCK : s.sendTimeoutNs();
        int r = s.write(buf, off, len, timeoutNs, flags & (MSG_MORE | MSG_EOR | MSG_ZEROCOPY));
        s.traceCall("send(" + fd + ", " + len + ", " + flags + ")", r);
        return r;
    }

    /**
     * sendto(fd, buf, len, flags, {addr, port}): with MSG_FASTOPEN, Fast Open's connect-with-data (see
     * {@link KernelSocket#sendFastOpen}); an AF_UNSPEC address ({@code addr} null) is EOPNOTSUPP there
     * (tcp_sendmsg_fastopen); otherwise TCP ignores the address and this is {@link #send}.
     */
    public int sendto(int fd, byte[] buf, int off, int len, int flags, String addr, int port) {
        if ((flags & MSG_FASTOPEN) == 0) return send(fd, buf, off, len, flags);
        KernelSocket s = get(fd);
        if (s == null) return EBADF;
        if (addr == null) return -Errno.EOPNOTSUPP.number();
        long timeoutNs = (flags & MSG_DONTWAIT) != 0 || s.nonBlocking ? KernelSocket.NONBLOCK : s.sendTimeoutNs();
        int r = s.sendFastOpen(Ipv4.parse(addr), port, buf, off, len, timeoutNs, flags);
        s.traceCall("sendto(" + fd + ", " + len + ", MSG_FASTOPEN, " + addr + ":" + port + ")", r);
        return r;
    }

    /** shutdown(fd, how). */
    public int shutdown(int fd, int how) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        int r = s.shutdown(how);
        s.traceCall("shutdown(" + fd + ", " + (how == 0 ? "SHUT_RD" : how == 1 ? "SHUT_WR" : "SHUT_RDWR") + ")", r);
        return r;
    }

    /** close(fd): a socket (it leaves the epoll instances watching it) or an epoll instance. */
    public int close(int fd) {
        OpenFile f = removeFile(fd);
        return switch (f) {
            case null -> EBADF;
            case Epoll ep -> kernel.runtime().call(() -> {
                ep.close();
                return 0;
            });
            case KernelSocket s -> {
                int r = s.close();
                kernel.runtime().call(() -> {
                    s.leaveEpolls();
                    return null;
                });
                s.traceCall("close(" + fd + ")", r);
                yield r;
            }
        };
    }

    /** setsockopt of an int option (SOL_SOCKET or IPPROTO_TCP). */
    public int setsockopt(int fd, int level, int name, int value) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        if (level == SOL_SOCKET && (name == SO_LINGER || name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
            return -Errno.EINVAL.number(); // these take a struct: setsockoptLinger / setsockoptTimeval
        }
        return s.setsockopt(level, name, value);
    }

    /**
     * setsockopt of an int option with the length the caller passed: shorter than an int is EINVAL
     * before the option is even looked at (sk_setsockopt, do_tcp_setsockopt: "if (optlen <
     * sizeof(int)) return -EINVAL"); longer is fine, only the int is read.
     */
    public int setsockopt(int fd, int level, int name, int value, int optlen) {
        if (get(fd) == null) return EBADF;
        // do_ip_setsockopt reads its int options from a single byte too when optlen is below an int.
        if (level == SOL_IP && optlen >= 1 && optlen < Integer.BYTES) return setsockopt(fd, level, name, value & 0xff);
        if (optlen < Integer.BYTES) return -Errno.EINVAL.number();
        return setsockopt(fd, level, name, value);
    }

    /**
     * setsockopt of a byte-string option: TCP_FASTOPEN_KEY (a listener's own Fast Open key: 16 bytes, or
     * 32 with a backup key; any other length is EINVAL, do_tcp_setsockopt). Other options: ENOPROTOOPT.
     */
    public int setsockopt(int fd, int level, int name, byte[] value, int optlen) {
        KernelSocket s = get(fd);
        if (s == null) return EBADF;
        if (level != IPPROTO_TCP || name != TCP_FASTOPEN_KEY) return -Errno.ENOPROTOOPT.number();
        if (optlen != 16 && optlen != 32 || value.length < optlen) return -Errno.EINVAL.number();
        return s.setFastOpenKey(java.util.Arrays.copyOf(value, optlen));
    }

    /** setsockopt(SO_LINGER, {l_onoff, l_linger}). */
    public int setsockoptLinger(int fd, boolean onoff, int lingerSec) {
        KernelSocket s = get(fd);
        return s == null ? EBADF : s.setLinger(onoff, lingerSec);
    }

    /** setsockopt(SO_RCVTIMEO or SO_SNDTIMEO, struct timeval) with the time in µs; 0 = forever. */
    public int setsockoptTimeval(int fd, int name, long micros) {
        KernelSocket s = get(fd);
        return s == null ? EBADF : s.setTimeout(name, micros * 1000);
    }

    /**
     * getsockopt(SO_LINGER): {l_onoff, l_linger}, or null for a bad descriptor (EBADF).
     */
    public int[] getsockoptLinger(int fd) {
        KernelSocket s = get(fd);
        return s == null ? null : s.linger();
    }

    /** getsockopt(SO_RCVTIMEO or SO_SNDTIMEO) as µs (0 = forever), or −errno. */
    public long getsockoptTimeval(int fd, int name) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        long ns = s.timeout(name);
        return ns < 0 ? ns : ns / 1000;
    }

    /**
     * getsockopt of an int option: the value (≥ 0) or −errno; SO_ERROR returns the errno number and
     * clears it. The struct-valued SO_LINGER, SO_RCVTIMEO/SO_SNDTIMEO and TCP_INFO have their own calls
     * ({@link #getsockoptLinger}, {@link #getsockoptTimeval}, {@link #tcpInfo}); an int cannot carry
     * them, so here they are EINVAL (C's getsockopt would copy a truncated struct).
     */
    public int getsockopt(int fd, int level, int name) {
        int[] v = new int[1];
        int r = getsockopt(fd, level, name, v);
        return r < 0 ? r : v[0];
    }

    /**
     * getsockopt of an int option, as C has it: the value into {@code value[0]}, and 0 or −errno. Any
     * int comes back, also a negative one (TCP_NOTSENT_LOWAT of UINT_MAX is −1), which {@link
     * #getsockopt(int, int, int)} cannot tell from an error.
     */
    public int getsockopt(int fd, int level, int name, int[] value) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        if ((level == SOL_SOCKET && (name == SO_LINGER || name == SO_RCVTIMEO || name == SO_SNDTIMEO))
                || (level == IPPROTO_TCP && name == TCP_INFO)) {
            return -Errno.EINVAL.number();
        }
        return s.getsockopt(level, name, value);
    }

    /** getsockopt(TCP_INFO); null for a bad descriptor or a socket without a connection. */
    public TcpInfo tcpInfo(int fd) {
        KernelSocket s = get(fd);
        if (s == null) return null;
        return kernel.runtime().call(() -> s.conn == null ? null : s.conn.info());
    }

    /**
     * ioctl(fd, SIOCINQ) (= FIONREAD): the bytes waiting to be read, as tcp_ioctl computes them (tcp_inq):
     * EINVAL on a listening socket, 0 before the handshake is done or without a connection. Other
     * requests: ENOTTY, as sock_do_ioctl answers a request no layer knows.
     */
    public int ioctl(int fd, int request) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        if (request != SIOCINQ) return -Errno.ENOTTY.number();
        return kernel.runtime().call(() -> {
            if (s.listener != null) return -Errno.EINVAL.number();
            if (s.conn == null || s.conn.state() == TcpState.SYN_SENT || s.conn.state() == TcpState.SYN_RECV) return 0;
            return s.conn.readable();
        });
    }

    /** fcntl(fd, F_GETFL) / fcntl(fd, F_SETFL, flags): only O_NONBLOCK is kept. */
    public int fcntl(int fd, int cmd, int arg) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        return kernel.runtime().call(() -> {
            switch (cmd) {
                case F_GETFL -> {
                    return O_RDWR | (s.nonBlocking ? O_NONBLOCK : 0);
                }
                case F_SETFL -> {
                    s.nonBlocking = (arg & O_NONBLOCK) != 0;
                    return 0;
                }
                default -> {
                    return -Errno.EINVAL.number();
                }
            }
        });
    }

    /** One entry of poll()'s array (struct pollfd). */
    public static final class PollFd {
        public final int fd;
        public final int events;
        public int revents;

        public PollFd(int fd, int events) {
            this.fd = fd;
            this.events = events;
        }
    }

    /**
     * poll(fds, timeoutMs): waits until a descriptor has one of its events (POLLERR, POLLHUP and
     * POLLNVAL always count) or the timeout passes (−1 = forever, 0 = just look).
     *
     * @return how many descriptors have events; 0 on timeout
     */
    public int poll(PollFd[] pfds, int timeoutMs) {
        KernelSocket[] socks = new KernelSocket[pfds.length];
        int[] events = new int[pfds.length], revents = new int[pfds.length];
        for (int i = 0; i < pfds.length; i++) {
            socks[i] = get(pfds[i].fd);
            events[i] = pfds[i].events;
        }
        long timeoutNs = timeoutMs < 0 ? KernelSocket.FOREVER : timeoutMs * 1_000_000L;
        int n = KernelSocket.poll(kernel.runtime(), socks, events, revents, timeoutNs);
        for (int i = 0; i < pfds.length; i++) pfds[i].revents = revents[i];
        KernelSocket any = socks.length > 0 ? socks[0] : null;
        if (any != null) any.traceCall("poll(" + pfds.length + " fds, " + timeoutMs + ")", n);
        return n;
    }

    // ---- sendmsg / recvmsg, the error queue, epoll -------------------------------------------------

    /**
     * sendmsg(fd, {msg_iov}, flags): the iovec's pieces, {@code iov[i]} bytes each, taken from {@code buf}
     * from {@code off} on; flags as {@link #send}, and MSG_ZEROCOPY: on a socket with SO_ZEROCOPY the
     * call gets a notification id that completes on the error queue once its bytes are acknowledged
     * (without SO_ZEROCOPY the flag is ignored, as Linux does). See {@link TxReports}.
     */
    public int sendmsg(int fd, byte[] buf, int off, int[] iov, int flags) {
        KernelSocket s = get(fd);
        if (s == null) return badFd(fd);
        long timeoutNs = (flags & MSG_DONTWAIT) != 0 ? KernelSocket.NONBLOCK : s.sendTimeoutNs();
        int r = s.sendmsg(buf, off, iov.clone(), timeoutNs, flags & (MSG_MORE | MSG_EOR | MSG_ZEROCOPY));
        s.traceCall("sendmsg(" + fd + ", " + iov.length + " iov, " + flags + ")", r);
        return r;
    }

    /**
     * recvmsg(fd, {buf, len}, flags) with a control buffer of {@code controlLen} bytes (msg_controllen):
     * the result, msg_flags and the control messages. put_cmsg's rule: each takes CMSG_SPACE of the
     * buffer (the last only CMSG_LEN); one that does not fit is left out and msg_flags gets MSG_CTRUNC.
     * MSG_ERRQUEUE reads the error queue (EAGAIN when it is empty, never waiting); MSG_DONTWAIT does not
     * wait; see {@link KernelSocket#recvmsg}.
     */
    public RecvMsg recvmsg(int fd, byte[] buf, int off, int len, int flags, int controlLen) {
        KernelSocket s = get(fd);
        if (s == null) return RecvMsg.error(badFd(fd));
        long timeoutNs = (flags & MSG_DONTWAIT) != 0 ? KernelSocket.NONBLOCK : s.readTimeoutNs();
        RecvMsg m = s.recvmsg(buf, off, len, flags, timeoutNs);
        s.traceCall("recvmsg(" + fd + ", " + len + ", " + flags + ")", m.result());
        if (m.control().isEmpty()) return m;
        List<Cmsg> fit = new ArrayList<>();
        int room = controlLen, mflags = m.flags();
        for (Cmsg c : m.control()) {
            if (room < c.len()) {
                mflags |= MSG_CTRUNC;
                break;
            }
            fit.add(c);
            room -= Math.min(c.space(), room);
        }
        return new RecvMsg(m.result(), mflags, fit);
    }

    /** epoll_create(size): a new epoll descriptor; EINVAL when size ≤ 0 (the size is otherwise unused). */
    public int epollCreate(int size) {
        if (size <= 0) return -Errno.EINVAL.number();
        return install(new Epoll());
    }

    /** epoll_create1(flags): EINVAL for a flag other than EPOLL_CLOEXEC (there is no exec here). */
    public int epollCreate1(int flags) {
        if ((flags & ~EPOLL_CLOEXEC) != 0) return -Errno.EINVAL.number();
        return install(new Epoll());
    }

    /**
     * epoll_ctl(epfd, op, fd, {events, data}), as do_epoll_ctl (fs/eventpoll.c): EBADF for a bad
     * descriptor, EINVAL when epfd is not an epoll instance, fd is epfd (or another epoll instance: not
     * modelled), op is unknown, or EPOLLEXCLUSIVE comes with EPOLL_CTL_MOD, with a bit outside
     * EPOLLEXCLUSIVE_OK_BITS, or on an item added with it; EEXIST to add an fd twice; ENOENT to modify
     * or delete one not there. EPOLLERR and EPOLLHUP are always watched.
     */
    public int epollCtl(int epfd, int op, int fd, int events, long data) {
        OpenFile e = file(epfd), t = file(fd);
        if (e == null || t == null) return EBADF;
        if (!(e instanceof Epoll ep) || !(t instanceof KernelSocket s)) return -Errno.EINVAL.number();
        return kernel.runtime().call(() -> s.closed ? EBADF : ep.ctl(op, fd, s, events, data));
    }

    /**
     * epoll_wait(epfd, events, maxevents, timeoutMs): waits until an item has events or the timeout
     * passes (−1 forever, 0 just look), then fills {@code events} (ep_send_events; see {@link Epoll}).
     *
     * @return the number of events, 0 on timeout; EBADF, or EINVAL for a descriptor that is not an
     *         epoll instance or maxevents ≤ 0
     */
    public int epollWait(int epfd, EpollEvent[] events, int maxevents, int timeoutMs) {
        OpenFile f = file(epfd);
        if (f == null) return EBADF;
        if (!(f instanceof Epoll ep) || maxevents <= 0 || maxevents > Epoll.MAX_EVENTS) return -Errno.EINVAL.number();
        var rt = kernel.runtime();
        int max = Math.min(maxevents, events.length);
        int n = rt.call(() -> ep.send(events, max));
        if (n > 0 || timeoutMs == 0) return n;
        long timeoutNs = timeoutMs < 0 ? KernelSocket.FOREVER : timeoutMs * 1_000_000L;
        try {
            rt.await(ep.waiters, ep::hasEvents, timeoutNs);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return rt.call(() -> ep.send(events, max));
    }

    /** The names of the bits in a poll mask, Linux's order ("POLLOUT|POLLERR|POLLHUP"). */
    public static String pollBits(int mask) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL", "POLLRDNORM", "POLLRDBAND",
                "POLLWRNORM", "POLLWRBAND", "POLLMSG", "POLLREMOVE", "POLLRDHUP"};
        for (int i = 0; i < names.length; i++) {
            if ((mask & (1 << i)) != 0) sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
        }
        return sb.isEmpty() ? "0" : sb.toString();
    }
}
