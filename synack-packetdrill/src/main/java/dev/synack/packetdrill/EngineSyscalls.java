package dev.synack.packetdrill;

import dev.synack.stack.Stack;
import dev.synack.tcp.Errno;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.TcpState;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link Syscalls} straight on a {@link Stack}: an fd table of sockets (options, reservation,
 * listener or connection). Until the socket layer (dev.synack.socket) is in, this is the runner's
 * system-call layer.
 */
public final class EngineSyscalls implements Syscalls {
    private final Stack stack;
    private final int localAddr;
    private final int localPort;
    private final int remoteAddr;
    private final int remotePort;
    private final Map<Integer, Sock> fds = new HashMap<>();
    private int nextFd = 3;
    private final byte[] scratch = new byte[1 << 16];

    private static final class Sock {
        final SocketOptions opts = new SocketOptions();
        Stack.Bound bound;
        TcpListener listener;
        TcpConnection conn;
        boolean nonBlocking;
        boolean connecting;
    }

    /**
     * @param localAddr the host's address, {@code bind()} uses it with {@code localPort}
     * @param remoteAddr the script's address, {@code connect()} goes to it at {@code remotePort}
     */
    public EngineSyscalls(Stack stack, int localAddr, int localPort, int remoteAddr, int remotePort) {
        this.stack = stack;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
    }

    private static int err(Errno e) { return -e.number(); }

    private Sock sock(int fd) { return fds.get(fd); }

    @Override
    public int socket() {
        int fd = nextFd++;
        fds.put(fd, new Sock());
        return fd;
    }

    @Override
    public int bind(int fd) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        if (s.bound != null || s.listener != null || s.conn != null) return err(Errno.EINVAL);
        try {
            s.bound = stack.bind(localAddr, localPort, s.opts);
            return 0;
        } catch (ErrnoException e) {
            return err(e.errno());
        }
    }

    @Override
    public int listen(int fd, int backlog) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        if (s.listener != null) {
            s.listener.setBacklog(backlog);
            return 0;
        }
        if (s.conn != null) return err(Errno.EINVAL);
        try {
            if (s.bound == null) s.bound = stack.bind(localAddr, 0, s.opts);
            s.listener = stack.listen(s.bound, backlog);
            s.bound = null;
            return 0;
        } catch (ErrnoException e) {
            return err(e.errno());
        }
    }

    @Override
    public int accept(int fd) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        if (s.listener == null) return err(Errno.EINVAL);
        TcpConnection c = s.listener.accept();
        if (c == null) return err(Errno.EAGAIN);
        int nfd = nextFd++;
        Sock n = new Sock();
        n.conn = c;
        fds.put(nfd, n);
        return nfd;
    }

    @Override
    public int connect(int fd) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        if (s.listener != null) return err(Errno.EISCONN);
        if (s.conn != null) {
            if (s.connecting) return err(Errno.EALREADY);
            return err(Errno.EISCONN);
        }
        try {
            s.conn = stack.connect(s.bound, remoteAddr, remotePort, s.opts);
            s.bound = null;
            s.connecting = true;
            return err(Errno.EINPROGRESS);
        } catch (ErrnoException e) {
            return err(e.errno());
        }
    }

    @Override
    public int connectResult(int fd) {
        Sock s = sock(fd);
        if (s == null || s.conn == null) return err(Errno.EBADF);
        TcpConnection c = s.conn;
        if (c.state() == TcpState.SYN_SENT) return err(Errno.EINPROGRESS);
        s.connecting = false;
        Errno e = c.takeError();
        if (e != null) return err(e);
        if (c.state() == TcpState.CLOSE) return err(Errno.ECONNREFUSED);
        return 0;
    }

    @Override
    public long read(int fd, int len) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        if (s.conn == null) return err(Errno.ENOTCONN);
        byte[] buf = len <= scratch.length ? scratch : new byte[len];
        return s.conn.receive(buf, 0, len);
    }

    @Override
    public long write(int fd, int len) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        if (s.conn == null) return err(Errno.EPIPE);
        byte[] buf = len <= scratch.length ? new byte[len] : new byte[len];
        int n = s.conn.send(buf, 0, len);
        if (n == 0 && len > 0) return err(Errno.EAGAIN);
        return n;
    }

    @Override
    public int close(int fd) {
        Sock s = fds.remove(fd);
        if (s == null) return err(Errno.EBADF);
        if (s.conn != null) s.conn.close();
        if (s.listener != null) s.listener.close();
        if (s.bound != null) stack.unbind(s.bound);
        return 0;
    }

    @Override
    public int shutdown(int fd, int how) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        if (s.conn == null) return err(Errno.ENOTCONN);
        int r = 0;
        if (how == 0 || how == 2) r = s.conn.shutdownInput();
        if (r == 0 && (how == 1 || how == 2)) r = s.conn.shutdownOutput();
        return r;
    }

    private SocketOptions opts(Sock s) {
        return s.conn != null ? s.conn.options : s.listener != null ? s.listener.options : s.opts;
    }

    @Override
    public int setsockopt(int fd, String level, String name, long[] v) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        SocketOptions o = opts(s);
        int x = v.length > 0 ? (int) v[0] : 0;
        switch (level + "/" + name) {
            case "SOL_SOCKET/SO_REUSEADDR" -> o.reuseAddr = x != 0;
            case "SOL_SOCKET/SO_KEEPALIVE" -> o.keepAlive = x != 0;
            // sock_setsockopt doubles the value to leave room for struct sk_buff overhead.
            case "SOL_SOCKET/SO_SNDBUF" -> o.sndBuf = Math.max(2 * x, 4608);
            case "SOL_SOCKET/SO_RCVBUF" -> o.rcvBuf = Math.max(2 * x, 2304);
            case "SOL_SOCKET/SO_LINGER" -> {
                o.linger = x != 0;
                o.lingerSec = v.length > 1 ? (int) v[1] : 0;
            }
            case "SOL_TCP/TCP_NODELAY", "IPPROTO_TCP/TCP_NODELAY" -> o.noDelay = x != 0;
            case "SOL_TCP/TCP_USER_TIMEOUT", "IPPROTO_TCP/TCP_USER_TIMEOUT" -> {
                if (x < 0) return err(Errno.EINVAL);
                o.userTimeoutMs = x;
            }
            case "SOL_TCP/TCP_KEEPIDLE", "IPPROTO_TCP/TCP_KEEPIDLE" -> {
                if (x < 1 || x > 32767) return err(Errno.EINVAL);
                o.keepIdleSec = x;
            }
            case "SOL_TCP/TCP_KEEPINTVL", "IPPROTO_TCP/TCP_KEEPINTVL" -> {
                if (x < 1 || x > 32767) return err(Errno.EINVAL);
                o.keepIntvlSec = x;
            }
            case "SOL_TCP/TCP_KEEPCNT", "IPPROTO_TCP/TCP_KEEPCNT" -> {
                if (x < 1 || x > 127) return err(Errno.EINVAL);
                o.keepCnt = x;
            }
            case "SOL_TCP/TCP_SYNCNT", "IPPROTO_TCP/TCP_SYNCNT" -> {
                if (x < 1 || x > 127) return err(Errno.EINVAL);
                o.synCnt = x;
            }
            case "SOL_TCP/TCP_QUICKACK", "IPPROTO_TCP/TCP_QUICKACK" -> o.quickAck = x != 0;
            // do_tcp_setsockopt TCP_MAXSEG: 0 or TCP_MIN_MSS (88)..MAX_TCP_WINDOW (32767): tp->rx_opt.user_mss.
            case "SOL_TCP/TCP_MAXSEG", "IPPROTO_TCP/TCP_MAXSEG" -> {
                if (x != 0 && (x < 88 || x > 32767)) return err(Errno.EINVAL);
                o.userMss = x;
            }
            default -> throw new UnsupportedOperationException("setsockopt " + level + " " + name);
        }
        if (s.conn != null) s.conn.optionsChanged();
        return 0;
    }

    @Override
    public long getsockopt(int fd, String level, String name) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        SocketOptions o = opts(s);
        return switch (level + "/" + name) {
            case "SOL_SOCKET/SO_REUSEADDR" -> o.reuseAddr ? 1 : 0;
            case "SOL_SOCKET/SO_KEEPALIVE" -> o.keepAlive ? 1 : 0;
            case "SOL_SOCKET/SO_SNDBUF" -> s.conn != null && s.conn.sendBufferCapacity() > 0
                    ? s.conn.sendBufferCapacity() : o.sndBuf > 0 ? o.sndBuf : stack.config().tcpWmem[1];
            case "SOL_SOCKET/SO_RCVBUF" -> o.rcvBuf > 0 ? o.rcvBuf : stack.config().tcpRmem[1];
            case "SOL_SOCKET/SO_ERROR" -> {
                Errno e = s.conn == null ? null : s.conn.takeError();
                yield e == null ? 0 : e.number();
            }
            case "SOL_TCP/TCP_NODELAY", "IPPROTO_TCP/TCP_NODELAY" -> o.noDelay ? 1 : 0;
            case "SOL_TCP/TCP_USER_TIMEOUT", "IPPROTO_TCP/TCP_USER_TIMEOUT" -> o.userTimeoutMs;
            // do_tcp_getsockopt TCP_MAXSEG: mss_cache once connected, else user_mss or TCP_MSS_DEFAULT.
            case "SOL_TCP/TCP_MAXSEG", "IPPROTO_TCP/TCP_MAXSEG" -> s.conn != null
                    && s.conn.state() != TcpState.SYN_SENT ? s.conn.mss() : o.userMss > 0 ? o.userMss : 536;
            default -> throw new UnsupportedOperationException("getsockopt " + level + " " + name);
        };
    }

    @Override
    public int setNonBlocking(int fd, boolean on) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        s.nonBlocking = on;
        return 0;
    }

    @Override
    public boolean nonBlocking(int fd) {
        Sock s = sock(fd);
        return s != null && s.nonBlocking;
    }

    @Override
    public int poll(int fd, int events) {
        Sock s = sock(fd);
        if (s == null) return 0x20; // POLLNVAL
        int r = 0;
        if (s.listener != null) {
            if (s.listener.acceptQueueLength() > 0) r |= 1;
        } else if (s.conn != null) {
            TcpConnection c = s.conn;
            if (c.readable0()) r |= 1;
            if (c.writable()) r |= 4;
            if (c.pendingError() != null) r |= 8;
            if (c.isClosed()) r |= 16;
        } else {
            r |= 4 | 16; // an unconnected socket: POLLOUT|POLLHUP (tcp_poll)
        }
        return r & (events | 8 | 16);
    }

    @Override
    public long inq(int fd) {
        Sock s = sock(fd);
        if (s == null) return err(Errno.EBADF);
        return s.conn == null ? 0 : s.conn.readable();
    }

    @Override
    public TcpInfo info(int fd) {
        Sock s = sock(fd);
        return s == null || s.conn == null ? null : s.conn.info();
    }
}
