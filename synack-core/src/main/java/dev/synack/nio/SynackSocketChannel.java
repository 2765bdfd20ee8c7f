package dev.synack.nio;

import static dev.synack.socket.PosixSockets.POLLERR;
import static dev.synack.socket.PosixSockets.POLLHUP;
import static dev.synack.socket.PosixSockets.POLLIN;
import static dev.synack.socket.PosixSockets.POLLNVAL;
import static dev.synack.socket.PosixSockets.POLLOUT;

import dev.synack.runtime.Runtime;
import dev.synack.socket.ChannelSupport;
import dev.synack.socket.ChannelSupport.Call;
import dev.synack.socket.Kernel;
import dev.synack.socket.PollTarget;
import dev.synack.socket.Poller;
import dev.synack.socket.PosixSockets;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.Errno;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link SocketChannel} over a synack {@link TcpSocket}: blocking and non-blocking connect, read and
 * write (scatter/gather), shutdown, the JDK's options and exceptions (java.net exceptions carrying the
 * errno, {@link dev.synack.socket.ErrnoCarrier}), and a {@link #socket()} adaptor.
 */
public final class SynackSocketChannel extends SocketChannel implements SynackChannel {
    /** The most a single read or write call copies through its staging array. */
    private static final int CHUNK = 64 * 1024;

    private final Kernel kernel;
    private final TcpSocket sock;
    private final ReentrantLock readLock = new ReentrantLock(), writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile boolean pending, inputShut, outputShut;
    /** Where connect() was asked to go (the JDK reports it while the connection is pending). */
    private volatile InetSocketAddress remote;
    private Socket adaptor;

    SynackSocketChannel(SynackSelectorProvider provider, Kernel kernel) {
        this(provider, kernel, new TcpSocket(kernel));
    }

    SynackSocketChannel(SynackSelectorProvider provider, Kernel kernel, TcpSocket sock) {
        super(provider);
        this.kernel = kernel;
        this.sock = sock;
    }

    /** The synack socket under the channel (tcpInfo(), state(), the Linux options Java leaves out). */
    public TcpSocket tcpSocket() { return sock; }

    @Override
    public PollTarget target() { return sock; }

    @Override
    public Runtime runtime() { return kernel.runtime(); }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    private void ensureConnected() throws IOException {
        ensureOpen();
        if (!sock.isConnected()) throw new NotYetConnectedException();
    }

    // ---- connecting ------------------------------------------------------------------------------

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        Boundary.check(runtime());
        synchronized (stateLock) {
            ensureOpen();
            if (pending) throw new ConnectionPendingException();
            if (sock.isConnected()) throw new AlreadyConnectedException();
            if (sock.isBound()) throw new AlreadyBoundException();
            sock.bind(local == null ? new InetSocketAddress(0) : checkAddress(local));
        }
        return this;
    }

    static InetSocketAddress checkAddress(SocketAddress sa) {
        Objects.requireNonNull(sa);
        if (!(sa instanceof InetSocketAddress isa)) throw new UnsupportedAddressTypeException();
        if (isa.isUnresolved()) throw new UnresolvedAddressException();
        if (!(isa.getAddress() instanceof Inet4Address)) throw new UnsupportedAddressTypeException(); // synack is IPv4 only
        return isa;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        InetSocketAddress isa = checkAddress(remote);
        Boundary.check(runtime());
        synchronized (stateLock) {
            ensureOpen();
            if (sock.isConnected()) throw new AlreadyConnectedException();
            if (pending) throw new ConnectionPendingException();
            this.remote = isa;
        }
        if (isBlocking()) {
            boolean completed = false;
            IOException failure = null;
            try {
                begin();
                sock.connect(isa);
                completed = true;
            } catch (IOException e) {
                completed = isOpen(); // else closed under us: end() throws AsynchronousCloseException
                failure = e;
            } finally {
                Boundary.settleInterrupt(this);
                end(completed);
            }
            if (failure != null) {
                close(); // a failed connect closes the channel, as the JDK's does
                throw failure;
            }
            return true;
        }
        try {
            if (sock.startConnect(isa)) return true;
            pending = true;
            return false;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        Boundary.check(runtime());
        ensureOpen();
        if (sock.isConnected()) return true;
        if (!pending) throw new NoConnectionPendingException();
        boolean completed = false, done = false;
        IOException failure = null;
        try {
            begin();
            if (isBlocking()) Poller.poll(List.of(new Poller.Interest(sock, PosixSockets.POLLOUT)), -1);
            done = sock.finishConnect();
            completed = true;
        } catch (IOException e) {
            completed = isOpen(); // else closed under us: end() throws AsynchronousCloseException
            failure = e;
        } finally {
            Boundary.settleInterrupt(this);
            end(completed);
        }
        if (failure != null) {
            pending = false;
            close(); // the JDK closes the channel when finishConnect fails
            throw failure;
        }
        if (done) pending = false;
        return done;
    }

    @Override
    public boolean isConnected() { return sock.isConnected(); }

    @Override
    public boolean isConnectionPending() { return pending && !sock.isConnected(); }

    // ---- reading and writing ---------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        return (int) read(new ByteBuffer[] {dst}, 0, 1);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return read(dsts, offset, length, isBlocking() ? ChannelSupport.FOREVER : ChannelSupport.NONBLOCK);
    }

    /**
     * A scattering read waiting up to {@code timeoutNs}: bytes read, −1 at end of stream, 0 when
     * nothing came (non-blocking), or −2 when a timed wait ran out (the socket adaptor's SO_TIMEOUT).
     */
    long read(ByteBuffer[] dsts, int offset, int length, long timeoutNs) throws IOException {
        Boundary.check(runtime());
        readLock.lock();
        try {
            ensureConnected();
            if (inputShut) return -1;
            long room = 0;
            for (int i = offset; i < offset + length; i++) {
                if (dsts[i].isReadOnly()) throw new IllegalArgumentException("Read-only buffer");
                room += dsts[i].remaining();
            }
            if (room == 0) return 0;
            // One heap buffer: straight into its array; else through a staging array
            ByteBuffer only = length == 1 && dsts[offset].hasArray() ? dsts[offset] : null;
            byte[] buf = only != null ? only.array() : new byte[(int) Math.min(room, CHUNK)];
            int off = only != null ? only.arrayOffset() + only.position() : 0;
            int len = only != null ? only.remaining() : buf.length;
            int r;
            boolean completed = false;
            try {
                begin();
                r = ChannelSupport.read(sock, buf, off, len, timeoutNs);
                completed = r != -Errno.EBADF.number() && !Thread.currentThread().isInterrupted(); // else end() throws
            } finally {
                Boundary.settleInterrupt(this);
                end(completed);
            }
            if (r == 0) return -1; // end of stream
            if (r == -Errno.EAGAIN.number()) return timeoutNs == ChannelSupport.NONBLOCK ? 0 : -2;
            if (r < 0) {
                if (inputShut) return -1;
                throw ChannelSupport.exception(sock, Call.READ, "read(" + len + ")", r);
            }
            if (only != null) {
                only.position(only.position() + r);
                return r;
            }
            int at = 0;
            for (int i = offset; i < offset + length && at < r; i++) {
                int n = Math.min(dsts[i].remaining(), r - at);
                dsts[i].put(buf, at, n);
                at += n;
            }
            return r;
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        Boundary.check(runtime());
        writeLock.lock();
        try {
            ensureConnected();
            if (outputShut) throw new ClosedChannelException();
            boolean blocking = isBlocking();
            long total = 0;
            while (true) {
                long left = 0;
                for (int i = offset; i < offset + length; i++) left += srcs[i].remaining();
                if (left == 0) return total;
                // One heap buffer with all the bytes: straight from its array; else through a staging array
                ByteBuffer only = null;
                for (int i = offset; i < offset + length; i++) {
                    if (srcs[i].hasRemaining()) only = only == null && srcs[i].remaining() == left && srcs[i].hasArray() ? srcs[i] : null;
                }
                byte[] buf;
                int off, len;
                if (only != null) {
                    buf = only.array();
                    off = only.arrayOffset() + only.position();
                    len = only.remaining();
                } else {
                    buf = new byte[(int) Math.min(left, CHUNK)];
                    off = 0;
                    len = buf.length;
                    int at = 0;
                    for (int i = offset; i < offset + length && at < buf.length; i++) {
                        ByteBuffer s = srcs[i];
                        int n = Math.min(s.remaining(), buf.length - at);
                        s.get(s.position(), buf, at, n); // absolute: positions move only for what the socket takes
                        at += n;
                    }
                }
                int r;
                boolean completed = false;
                try {
                    begin();
                    r = ChannelSupport.write(sock, buf, off, len, blocking ? ChannelSupport.FOREVER : ChannelSupport.NONBLOCK);
                    completed = r != -Errno.EBADF.number() && !Thread.currentThread().isInterrupted(); // else end() throws
                } finally {
                    Boundary.settleInterrupt(this);
                    end(completed);
                }
                if (r == -Errno.EAGAIN.number()) return total;
                if (r < 0) {
                    if (total > 0) return total;
                    throw ChannelSupport.exception(sock, Call.WRITE, "write(" + len + ")", r);
                }
                int taken = r;
                for (int i = offset; i < offset + length && taken > 0; i++) {
                    ByteBuffer s = srcs[i];
                    int n = Math.min(s.remaining(), taken);
                    s.position(s.position() + n);
                    taken -= n;
                }
                total += r;
                if (!blocking || r < len) return total;
            }
        } finally {
            writeLock.unlock();
        }
    }

    // ---- shutdown, close, blocking mode ----------------------------------------------------------

    @Override
    public SocketChannel shutdownInput() throws IOException {
        Boundary.check(runtime());
        synchronized (stateLock) {
            ensureConnected();
            if (!inputShut) {
                sock.shutdownInput();
                inputShut = true;
            }
        }
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        Boundary.check(runtime());
        synchronized (stateLock) {
            ensureConnected();
            if (!outputShut) {
                sock.shutdownOutput();
                outputShut = true;
            }
        }
        return this;
    }

    boolean isInputShut() { return inputShut; }

    boolean isOutputShut() { return outputShut; }

    @Override
    protected void implCloseSelectableChannel() {
        Boundary.check(runtime());
        sock.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // the mode is read by each call (isBlocking())
    }

    // ---- addresses, options ----------------------------------------------------------------------

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return sock.getLocalSocketAddress();
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return sock.isConnected() || pending ? remote : null;
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        checkOption(supportedOptions(), name);
        if (!name.type().isInstance(value)) throw new IllegalArgumentException("Invalid value '" + value + "'");
        ensureOpen();
        Boundary.check(runtime());
        sock.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        checkOption(supportedOptions(), name);
        ensureOpen();
        Boundary.check(runtime());
        return sock.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() { return sock.supportedOptions(); }

    /** The JDK's first checks of setOption/getOption, made before it looks at whether the channel is open. */
    static void checkOption(Set<SocketOption<?>> supported, SocketOption<?> name) {
        Objects.requireNonNull(name);
        if (!supported.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
    }

    @Override
    public synchronized Socket socket() {
        if (adaptor == null) {
            try {
                adaptor = new SocketAdaptor(this);
            } catch (java.net.SocketException e) {
                throw new java.io.UncheckedIOException(e); // Socket(SocketImpl null) does not throw
            }
        }
        return adaptor;
    }

    // ---- readiness -------------------------------------------------------------------------------

    @Override
    public int readyOps(int mask, int interest) {
        if ((mask & POLLNVAL) != 0) return 0;
        int wanted = 0;
        if ((interest & SelectionKey.OP_READ) != 0) wanted |= POLLIN;
        if ((interest & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) wanted |= POLLOUT;
        mask &= wanted | POLLERR | POLLHUP; // what epoll reports for the key's events
        if ((mask & (POLLERR | POLLHUP)) != 0) return interest;
        boolean connected = sock.isConnected();
        int ops = 0;
        if ((mask & POLLIN) != 0 && (interest & SelectionKey.OP_READ) != 0 && connected) ops |= SelectionKey.OP_READ;
        if ((mask & POLLOUT) != 0 && (interest & SelectionKey.OP_CONNECT) != 0 && isConnectionPending()) ops |= SelectionKey.OP_CONNECT;
        if ((mask & POLLOUT) != 0 && (interest & SelectionKey.OP_WRITE) != 0 && connected) ops |= SelectionKey.OP_WRITE;
        return ops;
    }

    @Override
    public String toString() {
        return "SynackSocketChannel[" + (isOpen() ? sock.isConnected() ? "connected local=" + sock.getLocalSocketAddress()
                + " remote=" + sock.getRemoteSocketAddress() : pending ? "connection-pending" : "unconnected" : "closed") + "]";
    }
}
