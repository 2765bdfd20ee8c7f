package dev.synack.socket;

import dev.synack.socket.SynackExceptions.Op;
import dev.synack.socket.SynackExceptions.SynackSocketTimeoutException;
import dev.synack.tcp.Errno;
import dev.synack.tcp.SocketOptions;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Objects;

/**
 * A listening TCP socket on a synack host, with java.net.ServerSocket's names and semantics: bind with a
 * backlog (the accept queue holds backlog + 1 as on Linux; 50 when ≤ 0, the JDK's default), accept()
 * blocking up to {@link #setSoTimeout} ("Accept timed out"), SO_REUSEADDR on by default as the JDK
 * sets it on Linux.
 */
public final class TcpServerSocket implements Closeable, PollTarget {
    final Kernel kernel;
    final KernelSocket ks;
    private volatile int soTimeoutMs;
    private volatile boolean bound, closed;

    /** An unbound server socket on {@code kernel}. */
    public TcpServerSocket(Kernel kernel) {
        this.kernel = Objects.requireNonNull(kernel);
        SocketOptions o = new SocketOptions();
        o.reuseAddr = true; // ServerSocket on Linux: SO_REUSEADDR is set at creation (NioSocketImpl)
        this.ks = new KernelSocket(kernel, o);
    }

    /** Listens on {@code port} of every address, backlog 50. */
    public TcpServerSocket(Kernel kernel, int port) throws IOException { this(kernel, port, 50); }

    /** Listens on {@code port} of every address. */
    public TcpServerSocket(Kernel kernel, int port, int backlog) throws IOException {
        this(kernel);
        bind(new InetSocketAddress(port), backlog);
    }

    @Override
    public Kernel kernel() { return kernel; }

    /** bind + listen, backlog 50. */
    public void bind(SocketAddress local) throws IOException { bind(local, 50); }

    /** bind + listen: BindException "Address already in use" (EADDRINUSE) when the port is taken. */
    public void bind(SocketAddress local, int backlog) throws IOException {
        if (closed) throw SynackExceptions.isClosed();
        if (bound) throw new SocketException("Already bound");
        InetSocketAddress isa = local == null ? new InetSocketAddress(0) : (InetSocketAddress) local;
        if (backlog < 1) backlog = 50;
        int addr = Kernel.addr(isa.getAddress());
        int r = ks.bind(addr, isa.getPort());
        if (r == 0) r = ks.listen(backlog);
        String call = "listen(" + KernelSocket.addrText(addr, isa.getPort()) + ", " + backlog + ")";
        if (r < 0) {
            IOException e = SynackExceptions.of(Op.BIND, SynackExceptions.errno(r));
            trace(call, r, e);
            throw e;
        }
        trace(call, 0, null);
        bound = true;
    }

    /**
     * TCP Fast Open on this listener (setsockopt TCP_FASTOPEN, RFC 7413): up to {@code queueLength}
     * connections whose SYN carried data under a valid cookie are accepted before their handshake ends
     * (0 turns it off). The host's {@code tcp_fastopen} must have the server bit (2).
     */
    public void setFastOpen(int queueLength) throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        int r = ks.setsockopt(PosixSockets.IPPROTO_TCP, PosixSockets.TCP_FASTOPEN, queueLength);
        if (r < 0) throw SynackExceptions.of(Op.OTHER, SynackExceptions.errno(r));
    }

    /** getsockopt(TCP_FASTOPEN): the Fast Open queue's length, 0 when off. */
    public int getFastOpen() { return ks.getsockopt(PosixSockets.IPPROTO_TCP, PosixSockets.TCP_FASTOPEN); }

    /**
     * Waits for a connection. SocketTimeoutException "Accept timed out" after {@link #setSoTimeout};
     * SocketException "Socket closed" when closed (also from another thread while waiting).
     */
    public TcpSocket accept() throws IOException {
        if (closed) throw SynackExceptions.isClosed();
        if (!bound) throw new SocketException("Socket is not bound yet");
        int t = soTimeoutMs;
        int[] err = new int[1];
        KernelSocket c = ks.accept(t == 0 ? KernelSocket.FOREVER : t * 1_000_000L, err);
        if (c == null) {
            IOException e = err[0] == -Errno.EAGAIN.number() ? new SynackSocketTimeoutException(Errno.EAGAIN, "Accept timed out")
                    : err[0] == -Errno.EBADF.number() || err[0] == -Errno.EINVAL.number() ? SynackExceptions.closed()
                    : SynackExceptions.of(Op.OTHER, SynackExceptions.errno(err[0]));
            trace("accept()", err[0], e);
            throw e;
        }
        TcpSocket s = new TcpSocket(kernel, c);
        trace("accept()", 0, null);
        return s;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        ks.close();
        trace("close()", 0, null);
    }

    public boolean isClosed() { return closed; }

    public boolean isBound() { return bound; }

    /** The port listened on, or −1 when not bound. */
    public int getLocalPort() { return bound ? kernel.runtime().call(() -> ks.localPort) : -1; }

    /** The address listened on (0.0.0.0 = every address), or null when not bound. */
    public InetAddress getInetAddress() { return bound ? Kernel.inet(kernel.runtime().call(() -> ks.localAddr)) : null; }

    public InetSocketAddress getLocalSocketAddress() { return bound ? new InetSocketAddress(getInetAddress(), getLocalPort()) : null; }

    public void setSoTimeout(int timeoutMs) throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        if (timeoutMs < 0) throw new IllegalArgumentException("timeout < 0");
        soTimeoutMs = timeoutMs;
    }

    public int getSoTimeout() { return soTimeoutMs; }

    /** SO_REUSEADDR (on by default, as the JDK on Linux). */
    public void setReuseAddress(boolean on) throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        ks.setsockopt(PosixSockets.SOL_SOCKET, PosixSockets.SO_REUSEADDR, on ? 1 : 0);
    }

    public boolean getReuseAddress() { return ks.getsockopt(PosixSockets.SOL_SOCKET, PosixSockets.SO_REUSEADDR) == 1; }

    /** SO_RCVBUF for the connections this listener accepts (doubled and capped as Linux does). */
    public void setReceiveBufferSize(int size) throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        if (size <= 0) throw new IllegalArgumentException("negative receive size");
        ks.setsockopt(PosixSockets.SOL_SOCKET, PosixSockets.SO_RCVBUF, size);
    }

    public int getReceiveBufferSize() { return ks.getsockopt(PosixSockets.SOL_SOCKET, PosixSockets.SO_RCVBUF); }

    /** Options the accepted connections inherit (TCP_NODELAY, keepalive, ...), as Linux's children do. */
    public void setOption(int level, int name, int value) throws SocketException {
        int r = ks.setsockopt(level, name, value);
        if (r < 0) throw SynackExceptions.of(Op.OTHER, SynackExceptions.errno(r));
    }

    /** java.net.ServerSocket.setOption as the JDK does it on Linux (see {@link TcpSocket#setOption}). */
    public <T> TcpServerSocket setOption(java.net.SocketOption<T> name, T value) throws IOException {
        JdkOptions.set(ks, closed, JdkOptions.SERVER, name, value);
        return this;
    }

    /** java.net.ServerSocket.getOption as the JDK does it on Linux. */
    public <T> T getOption(java.net.SocketOption<T> name) throws IOException { return JdkOptions.get(ks, closed, JdkOptions.SERVER, name); }

    /** The options {@link #setOption} takes: the JDK's on Linux, without SO_REUSEPORT. */
    public java.util.Set<java.net.SocketOption<?>> supportedOptions() { return JdkOptions.SERVER; }

    private void trace(String call, int r, IOException e) {
        String ex = e == null ? null : e.getClass().getSuperclass().getSimpleName() + ": " + e.getMessage();
        kernel.runtime().call(() -> {
            ks.trace(call, r, ex);
            return null;
        });
    }

    @Override
    public String toString() { return "TcpServerSocket[" + kernel.name() + " " + getLocalSocketAddress() + "]"; }
}
