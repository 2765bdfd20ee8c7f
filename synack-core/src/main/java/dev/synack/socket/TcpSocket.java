package dev.synack.socket;

import static dev.synack.socket.PosixSockets.IPPROTO_TCP;
import static dev.synack.socket.PosixSockets.SOL_SOCKET;

import dev.synack.socket.SynackExceptions.Op;
import dev.synack.socket.SynackExceptions.SynackSocketException;
import dev.synack.socket.SynackExceptions.SynackSocketTimeoutException;
import dev.synack.tcp.Errno;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpState;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Set;

/**
 * A TCP client socket on a synack host, with java.net.Socket's names, blocking semantics and
 * exceptions (same types, same messages as the JDK on Linux, plus {@link ErrnoCarrier#errno()}), and
 * the Linux options Java leaves out: {@link #setKeepAliveParams}, {@link #setUserTimeout},
 * {@link #setSendTimeout} (SO_SNDTIMEO), {@link #tcpInfo()}.
 *
 * <p>Writes block while the send buffer is full; reads return what is there (at least one byte) or
 * wait for it, up to {@link #setSoTimeout}.
 */
public final class TcpSocket implements Closeable, PollTarget {
    final Kernel kernel;
    final KernelSocket ks;
    private volatile int soTimeoutMs;
    private volatile int sendTimeoutMs;
    private volatile boolean connected, connectionReset, inputShutdown, outputShutdown, closed;
    private volatile InetSocketAddress remote;
    private InputStream in;
    private OutputStream out;

    /** An unconnected socket on {@code kernel}. */
    public TcpSocket(Kernel kernel) {
        this.kernel = Objects.requireNonNull(kernel);
        this.ks = new KernelSocket(kernel, new SocketOptions());
    }

    /** A socket connected to {@code remote} (blocking, no timeout). */
    public TcpSocket(Kernel kernel, InetSocketAddress remote) throws IOException {
        this(kernel);
        connect(remote);
    }

    /** A socket for a connection accepted by a {@link TcpServerSocket}. */
    TcpSocket(Kernel kernel, KernelSocket accepted) {
        this.kernel = kernel;
        this.ks = accepted;
        this.connected = true;
        this.remote = kernel.runtime().call(() -> new InetSocketAddress(Kernel.inet(ks.conn.remoteAddr()), ks.conn.remotePort()));
    }

    @Override
    public Kernel kernel() { return kernel; }

    // ---- connecting ----------------------------------------------------------------------------

    /** bind() before connect: a local address and port (port 0 = ephemeral). */
    public void bind(SocketAddress local) throws IOException {
        if (closed) throw SynackExceptions.isClosed();
        if (isBound()) throw new SocketException("Already bound");
        InetSocketAddress isa = local == null ? new InetSocketAddress(0) : checkAddress(local);
        int r = ks.bind(Kernel.addr(isa.getAddress()), isa.getPort());
        if (r < 0) throw fail(Op.BIND, "bind(" + isa.getAddress().getHostAddress() + ":" + isa.getPort() + ")", r);
    }

    /** Connects without a timeout (but SO_SNDTIMEO, if set, bounds the wait as on Linux). */
    public void connect(SocketAddress endpoint) throws IOException { connect(endpoint, 0); }

    /**
     * Connects, waiting at most {@code timeoutMs} (0 = no limit). On failure the socket is closed, as
     * java.net.Socket does: ConnectException "Connection refused" (ECONNREFUSED) or "Connection timed
     * out" (ETIMEDOUT, the SYN retries ran out), SocketTimeoutException "Connect timed out"
     * (EINPROGRESS: the connect was still in progress), NoRouteToHostException (EHOSTUNREACH),
     * SocketException "Network is unreachable" (ENETUNREACH).
     */
    public void connect(SocketAddress endpoint, int timeoutMs) throws IOException {
        if (timeoutMs < 0) throw new IllegalArgumentException("connect: timeout can't be negative");
        if (closed) throw SynackExceptions.isClosed();
        if (connected) throw new SocketException("already connected");
        InetSocketAddress isa = checkAddress(endpoint);
        int addr = Kernel.addr(isa.getAddress());
        long timeoutNs = timeoutMs > 0 ? timeoutMs * 1_000_000L
                : sendTimeoutMs > 0 ? sendTimeoutMs * 1_000_000L : KernelSocket.FOREVER;
        int r = ks.connect(addr, isa.getPort(), timeoutNs);
        String call = "connect(" + KernelSocket.addrText(addr, isa.getPort()) + ")";
        if (r < 0) {
            IOException e = r == -Errno.EINPROGRESS.number()
                    ? new SynackSocketTimeoutException(Errno.EINPROGRESS, "Connect timed out")
                    : r == -Errno.EBADF.number() ? SynackExceptions.closed() : SynackExceptions.of(Op.CONNECT, SynackExceptions.errno(r));
            trace(call, r, e);
            close();
            throw e;
        }
        trace(call, 0, null);
        remote = isa;
        connected = true;
    }

    /**
     * A non-blocking connect (connect() on an O_NONBLOCK socket): true if connected at once, false if
     * in progress (EINPROGRESS) — then {@link Poller} for POLLOUT and {@link #takeError()} (SO_ERROR)
     * or {@link #finishConnect()} tell the outcome.
     */
    public boolean startConnect(SocketAddress endpoint) throws IOException {
        if (closed) throw SynackExceptions.isClosed();
        InetSocketAddress isa = checkAddress(endpoint);
        int addr = Kernel.addr(isa.getAddress());
        remote = isa;
        int r = ks.connect(addr, isa.getPort(), KernelSocket.NONBLOCK);
        trace("connect(" + KernelSocket.addrText(addr, isa.getPort()) + ")", r, null);
        if (r == 0) connected = true;
        else if (r != -Errno.EINPROGRESS.number()) throw SynackExceptions.of(Op.CONNECT, SynackExceptions.errno(r));
        return connected;
    }

    /**
     * Completes a {@link #startConnect}: true when connected, false while still in progress
     * (EALREADY); the connect's error as an exception otherwise.
     */
    public boolean finishConnect() throws IOException {
        if (closed) throw SynackExceptions.isClosed();
        if (connected) return true;
        InetSocketAddress isa = remote;
        if (isa == null) throw new SocketException("Not connected");
        int r = ks.connect(Kernel.addr(isa.getAddress()), isa.getPort(), KernelSocket.NONBLOCK);
        if (r == 0 || r == -Errno.EISCONN.number()) connected = true;
        else if (r != -Errno.EALREADY.number() && r != -Errno.EINPROGRESS.number()) {
            throw SynackExceptions.of(Op.CONNECT, SynackExceptions.errno(r));
        }
        return connected;
    }

    /** getsockopt(SO_ERROR): the pending error, cleared by reading it; null when none. */
    public Errno takeError() throws SocketException {
        int v = ks.getsockopt(SOL_SOCKET, PosixSockets.SO_ERROR);
        if (v < 0) throw SynackExceptions.closed();
        if (v == 0) return null;
        return SynackExceptions.errno(-v);
    }

    private static InetSocketAddress checkAddress(SocketAddress a) throws IOException {
        if (a == null) throw new IllegalArgumentException("connect: The address can't be null");
        if (!(a instanceof InetSocketAddress isa)) throw new IllegalArgumentException("Unsupported address type");
        if (isa.isUnresolved()) throw new UnknownHostException(isa.getHostName());
        return isa;
    }

    // ---- streams -------------------------------------------------------------------------------

    /** The input stream (java.net.Socket's checks and messages). */
    public synchronized InputStream getInputStream() throws IOException {
        if (closed) throw SynackExceptions.isClosed();
        if (!connected) throw new SocketException("Socket is not connected");
        if (inputShutdown) throw new SocketException("Socket input is shutdown");
        if (in == null) in = new In();
        return in;
    }

    /** The output stream (java.net.Socket's checks and messages). */
    public synchronized OutputStream getOutputStream() throws IOException {
        if (closed) throw SynackExceptions.isClosed();
        if (!connected) throw new SocketException("Socket is not connected");
        if (outputShutdown) throw new SocketException("Socket output is shutdown");
        if (out == null) out = new Out();
        return out;
    }

    /** Reads like the JDK's NioSocketImpl: −1 at end of stream; "Connection reset" stays once seen. */
    int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) throw SynackExceptions.closed();
        if (connectionReset) throw new SynackSocketException(Errno.ECONNRESET, "Connection reset");
        if (inputShutdown) return -1;
        if (len == 0) return 0;
        int t = soTimeoutMs;
        int r = ks.read(b, off, len, t == 0 ? KernelSocket.FOREVER : t * 1_000_000L);
        if (r > 0) return r;
        if (r == 0) return -1;
        IOException e;
        if (r == -Errno.EAGAIN.number()) e = new SynackSocketTimeoutException(Errno.EAGAIN, "Read timed out");
        else if (r == -Errno.EBADF.number()) e = SynackExceptions.closed();
        else {
            if (r == -Errno.ECONNRESET.number()) connectionReset = true;
            e = SynackExceptions.of(Op.READ, SynackExceptions.errno(r));
        }
        trace("read(" + len + ")", r, e);
        throw e;
    }

    void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) throw SynackExceptions.closed();
        int t = sendTimeoutMs;
        int done = 0;
        while (done < len) {
            int r = ks.write(b, off + done, len - done, t == 0 ? KernelSocket.FOREVER : t * 1_000_000L);
            if (r > 0) {
                done += r;
                if (done < len && t > 0) {
                    throw new SynackSocketTimeoutException(Errno.EAGAIN, "Write timed out");
                }
                continue;
            }
            IOException e = r == -Errno.EAGAIN.number() ? new SynackSocketTimeoutException(Errno.EAGAIN, "Write timed out")
                    : r == -Errno.EBADF.number() ? SynackExceptions.closed()
                    : SynackExceptions.of(Op.WRITE, SynackExceptions.errno(r));
            trace("write(" + (len - done) + ")", r, e);
            throw e;
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = TcpSocket.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException { return TcpSocket.this.read(b, off, len); }

        @Override
        public int available() throws IOException {
            if (closed) throw SynackExceptions.closed();
            if (inputShutdown) return 0;
            return kernel.runtime().call(() -> ks.conn == null ? 0 : ks.conn.readable());
        }

        @Override
        public void close() throws IOException { TcpSocket.this.close(); }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException { TcpSocket.this.write(new byte[] {(byte) b}, 0, 1); }

        @Override
        public void write(byte[] b, int off, int len) throws IOException { TcpSocket.this.write(b, off, len); }

        @Override
        public void close() throws IOException { TcpSocket.this.close(); }
    }

    // ---- shutdown / close ----------------------------------------------------------------------

    /** shutdown(SHUT_RD): reads return end of stream; data that still arrives is acknowledged and dropped. */
    public void shutdownInput() throws IOException {
        if (closed) throw SynackExceptions.isClosed();
        if (!connected) throw new SocketException("Socket is not connected");
        if (inputShutdown) throw new SocketException("Socket input is already shutdown");
        int r = ks.shutdown(PosixSockets.SHUT_RD);
        trace("shutdown(SHUT_RD)", r, null);
        inputShutdown = true;
    }

    /** shutdown(SHUT_WR), the half-close: a FIN follows the data; reading goes on. */
    public void shutdownOutput() throws IOException {
        if (closed) throw SynackExceptions.isClosed();
        if (!connected) throw new SocketException("Socket is not connected");
        if (outputShutdown) throw new SocketException("Socket output is already shutdown");
        int r = ks.shutdown(PosixSockets.SHUT_WR);
        trace("shutdown(SHUT_WR)", r, null);
        outputShutdown = true;
    }

    /**
     * close(): FIN after the queued data; RST instead when unread data remains or SO_LINGER is on with
     * 0 s; with SO_LINGER on and a time, waits up to that time for the FIN to be acknowledged.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        int r = ks.close();
        trace("close()", r, null);
    }

    public boolean isClosed() { return closed; }

    public boolean isConnected() { return connected; }

    public boolean isBound() { return kernel.runtime().call(() -> ks.localPort != 0); }

    public boolean isInputShutdown() { return inputShutdown; }

    public boolean isOutputShutdown() { return outputShutdown; }

    // ---- addresses -----------------------------------------------------------------------------

    /** The peer's address, or null when not connected. */
    public InetAddress getInetAddress() { return connected ? remote.getAddress() : null; }

    /** The peer's port, or 0 when not connected. */
    public int getPort() { return connected ? remote.getPort() : 0; }

    /** The peer, or null when not connected. */
    public InetSocketAddress getRemoteSocketAddress() { return connected ? remote : null; }

    /** The local port, or −1 when not bound. */
    public int getLocalPort() {
        int p = kernel.runtime().call(() -> ks.localPort);
        return p == 0 ? -1 : p;
    }

    /** The local address (0.0.0.0 when not bound or bound to any). */
    public InetAddress getLocalAddress() { return Kernel.inet(kernel.runtime().call(() -> ks.localAddr)); }

    /** The local address and port, or null when not bound. */
    public InetSocketAddress getLocalSocketAddress() {
        int p = getLocalPort();
        return p < 0 ? null : new InetSocketAddress(getLocalAddress(), p);
    }

    // ---- options -------------------------------------------------------------------------------

    private void setOpt(int level, int name, int value) throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        int r = ks.setsockopt(level, name, value);
        if (r < 0) throw SynackExceptions.of(Op.OTHER, SynackExceptions.errno(r));
    }

    private int getOpt(int level, int name) throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        int r = ks.getsockopt(level, name);
        if (r < 0) throw SynackExceptions.of(Op.OTHER, SynackExceptions.errno(r));
        return r;
    }

    /** SO_TIMEOUT: how long a read waits (0 = forever) before SocketTimeoutException "Read timed out". */
    public void setSoTimeout(int timeoutMs) throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        if (timeoutMs < 0) throw new IllegalArgumentException("timeout < 0");
        soTimeoutMs = timeoutMs;
    }

    public int getSoTimeout() throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        return soTimeoutMs;
    }

    /**
     * TCP_CORK (Linux): hold partial segments until un-corked; full segments still go, and with
     * nothing in flight the probe timer sends the head after max(RTO, 200 ms). Turning it off pushes.
     */
    public void setTcpCork(boolean on) throws SocketException { setOpt(IPPROTO_TCP, PosixSockets.TCP_CORK, on ? 1 : 0); }

    /** Whether TCP_CORK is set. */
    public boolean getTcpCork() throws SocketException { return getOpt(IPPROTO_TCP, PosixSockets.TCP_CORK) != 0; }

    /**
     * TCP Fast Open for this socket's connect (setsockopt TCP_FASTOPEN_CONNECT, RFC 7413): set before
     * {@link #connect}. With a cookie from an earlier connection to the server, connect() returns at once
     * and the first write goes in the SYN; without one, connect() is a normal handshake that asks for
     * the cookie. The host's {@code tcp_fastopen} must have the client bit (Linux's default 1).
     */
    public void setFastOpenConnect(boolean on) throws SocketException {
        setOpt(IPPROTO_TCP, PosixSockets.TCP_FASTOPEN_CONNECT, on ? 1 : 0);
    }

    /** getsockopt(TCP_FASTOPEN_CONNECT). */
    public boolean getFastOpenConnect() throws SocketException { return getOpt(IPPROTO_TCP, PosixSockets.TCP_FASTOPEN_CONNECT) != 0; }

    /** TCP_NODELAY: turn Nagle's algorithm off. */
    public void setTcpNoDelay(boolean on) throws SocketException { setOpt(IPPROTO_TCP, PosixSockets.TCP_NODELAY, on ? 1 : 0); }

    public boolean getTcpNoDelay() throws SocketException { return getOpt(IPPROTO_TCP, PosixSockets.TCP_NODELAY) != 0; }

    /** SO_KEEPALIVE: probes after tcp_keepalive_time (7200 s) idle, or {@link #setKeepAliveParams}. */
    public void setKeepAlive(boolean on) throws SocketException { setOpt(SOL_SOCKET, PosixSockets.SO_KEEPALIVE, on ? 1 : 0); }

    public boolean getKeepAlive() throws SocketException { return getOpt(SOL_SOCKET, PosixSockets.SO_KEEPALIVE) != 0; }

    /**
     * TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT: first probe after {@code idleSec} idle, then one every
     * {@code intervalSec}; after {@code count} unanswered probes the connection is reset and reads fail
     * with "Connection timed out" (ETIMEDOUT). Linux accepts 1..32767 s and 1..127 probes (EINVAL else).
     */
    public void setKeepAliveParams(int idleSec, int intervalSec, int count) throws SocketException {
        setOpt(IPPROTO_TCP, PosixSockets.TCP_KEEPIDLE, idleSec);
        setOpt(IPPROTO_TCP, PosixSockets.TCP_KEEPINTVL, intervalSec);
        setOpt(IPPROTO_TCP, PosixSockets.TCP_KEEPCNT, count);
    }

    /** TCP_KEEPIDLE in s (the sysctl's value when not set). */
    public int getKeepAliveIdle() throws SocketException { return getOpt(IPPROTO_TCP, PosixSockets.TCP_KEEPIDLE); }

    /** TCP_KEEPINTVL in s. */
    public int getKeepAliveInterval() throws SocketException { return getOpt(IPPROTO_TCP, PosixSockets.TCP_KEEPINTVL); }

    /** TCP_KEEPCNT. */
    public int getKeepAliveCount() throws SocketException { return getOpt(IPPROTO_TCP, PosixSockets.TCP_KEEPCNT); }

    /**
     * TCP_USER_TIMEOUT (RFC 5482): give up when sent data stays unacknowledged this long (0 = the
     * tcp_retries2 rule); the connection ends with ETIMEDOUT.
     */
    public void setUserTimeout(int timeoutMs) throws SocketException { setOpt(IPPROTO_TCP, PosixSockets.TCP_USER_TIMEOUT, timeoutMs); }

    public int getUserTimeout() throws SocketException { return getOpt(IPPROTO_TCP, PosixSockets.TCP_USER_TIMEOUT); }

    /**
     * SO_SNDTIMEO: bounds blocking writes (SocketTimeoutException "Write timed out") and, as Linux
     * treats it, a blocking connect: when it passes the connect returns EINPROGRESS while the SYNs go
     * on — here SocketTimeoutException "Connect timed out" and the socket closed, as any failed connect.
     */
    public void setSendTimeout(int timeoutMs) throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        if (timeoutMs < 0) throw new IllegalArgumentException("timeout < 0");
        sendTimeoutMs = timeoutMs;
        ks.setTimeout(PosixSockets.SO_SNDTIMEO, timeoutMs * 1_000_000L);
    }

    public int getSendTimeout() { return sendTimeoutMs; }

    /**
     * SO_LINGER: on with 0 s, close() resets the connection (RST, no TIME_WAIT); on with a time, close()
     * waits up to that long for the FIN to be acknowledged. Times above 65535 are cut to 65535 (JDK).
     */
    public void setSoLinger(boolean on, int lingerSec) throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        if (on && lingerSec < 0) throw new IllegalArgumentException("invalid value for SO_LINGER");
        ks.setLinger(on, Math.min(lingerSec, 65535));
    }

    /** The SO_LINGER time, or −1 when off. */
    public int getSoLinger() throws SocketException {
        if (closed) throw SynackExceptions.isClosed();
        return kernel.runtime().call(() -> ks.opts.linger ? ks.opts.lingerSec : -1);
    }

    /**
     * SO_RCVBUF. Linux doubles the value (room for its bookkeeping), after capping it at
     * net.core.rmem_max (212992), and keeps at least 2304; {@link #getReceiveBufferSize} reports the
     * doubled value. Takes effect for a connection opened after it is set.
     */
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("invalid receive size");
        setOpt(SOL_SOCKET, PosixSockets.SO_RCVBUF, size);
    }

    public int getReceiveBufferSize() throws SocketException { return getOpt(SOL_SOCKET, PosixSockets.SO_RCVBUF); }

    /** SO_SNDBUF: doubled and capped as {@link #setReceiveBufferSize} (wmem_max 212992, at least 4608). */
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("negative send size");
        setOpt(SOL_SOCKET, PosixSockets.SO_SNDBUF, size);
    }

    public int getSendBufferSize() throws SocketException { return getOpt(SOL_SOCKET, PosixSockets.SO_SNDBUF); }

    /** SO_REUSEADDR: bind to a port a TIME_WAIT (or any non-listening) socket with SO_REUSEADDR still holds. */
    public void setReuseAddress(boolean on) throws SocketException { setOpt(SOL_SOCKET, PosixSockets.SO_REUSEADDR, on ? 1 : 0); }

    public boolean getReuseAddress() throws SocketException { return getOpt(SOL_SOCKET, PosixSockets.SO_REUSEADDR) != 0; }

    /**
     * java.net.Socket.setOption as the JDK does it on Linux: the standard options and jdk.net's
     * ExtendedSocketOptions TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT (the per-socket keepalive of
     * {@link #setKeepAliveParams}) and TCP_QUICKACK; out-of-range values fail as Linux's setsockopt does
     * (SocketException "Invalid argument"), other options with UnsupportedOperationException
     * "'NAME' not supported", a value of the wrong type with IllegalArgumentException "Invalid value '...'".
     * SO_REUSEPORT, which the JDK accepts, is not modelled and refused that way.
     */
    public <T> TcpSocket setOption(SocketOption<T> name, T value) throws IOException {
        JdkOptions.set(ks, closed, JdkOptions.SOCKET, name, value);
        return this;
    }

    /** java.net.Socket.getOption as the JDK does it on Linux (see {@link #setOption}). */
    public <T> T getOption(SocketOption<T> name) throws IOException { return JdkOptions.get(ks, closed, JdkOptions.SOCKET, name); }

    /** The options {@link #setOption} takes: the JDK's on Linux, without SO_REUSEPORT. */
    public Set<SocketOption<?>> supportedOptions() { return JdkOptions.SOCKET; }

    // ---- inspection ----------------------------------------------------------------------------

    /** getsockopt(TCP_INFO), or null before a connection exists. */
    public TcpInfo tcpInfo() { return kernel.runtime().call(() -> ks.conn == null ? null : ks.conn.info()); }

    /** The TCP state (CLOSE when there is no connection). */
    public TcpState state() { return kernel.runtime().call(() -> ks.conn == null ? TcpState.CLOSE : ks.conn.state()); }

    private void trace(String call, int r, IOException e) {
        String ex = e == null ? null : e.getClass().getSuperclass().getSimpleName() + ": " + e.getMessage();
        kernel.runtime().call(() -> {
            ks.trace(call, r, ex);
            return null;
        });
    }

    private IOException fail(Op op, String call, int r) {
        IOException e = SynackExceptions.of(op, SynackExceptions.errno(r));
        trace(call, r, e);
        return e;
    }

    @Override
    public String toString() {
        return connected ? "TcpSocket[" + kernel.name() + " " + getLocalSocketAddress() + " -> " + remote + "]"
                : "TcpSocket[" + kernel.name() + " unconnected]";
    }
}
