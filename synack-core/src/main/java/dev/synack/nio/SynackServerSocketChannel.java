package dev.synack.nio;

import static dev.synack.socket.PosixSockets.POLLERR;
import static dev.synack.socket.PosixSockets.POLLHUP;
import static dev.synack.socket.PosixSockets.POLLIN;
import static dev.synack.socket.PosixSockets.POLLNVAL;

import dev.synack.runtime.Runtime;
import dev.synack.socket.ChannelSupport;
import dev.synack.socket.ChannelSupport.Call;
import dev.synack.socket.Kernel;
import dev.synack.socket.PollTarget;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.Errno;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ServerSocketChannel} over a synack {@link TcpServerSocket}: bind with a backlog, blocking and
 * non-blocking accept (OP_ACCEPT when the accept queue is not empty), the JDK's options, a
 * {@link #socket()} adaptor. Accepted channels are in blocking mode, as the JDK's.
 */
public final class SynackServerSocketChannel extends ServerSocketChannel implements SynackChannel {
    private final SynackSelectorProvider provider;
    private final Kernel kernel;
    private final TcpServerSocket sock;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private ServerSocket adaptor;

    /**
     * The JDK's ServerSocketChannel options on Linux: java.net.ServerSocket's without IP_TOS (the channel
     * refuses it, and so does its adaptor), and without SO_REUSEPORT, which synack does not model.
     */
    private final Set<SocketOption<?>> options;

    SynackServerSocketChannel(SynackSelectorProvider provider, Kernel kernel) {
        super(provider);
        this.provider = provider;
        this.kernel = kernel;
        this.sock = new TcpServerSocket(kernel);
        Set<SocketOption<?>> o = new java.util.HashSet<>(sock.supportedOptions());
        o.remove(java.net.StandardSocketOptions.IP_TOS);
        this.options = Set.copyOf(o);
    }

    /** The synack server socket under the channel. */
    public TcpServerSocket tcpServerSocket() { return sock; }

    @Override
    public PollTarget target() { return sock; }

    @Override
    public Runtime runtime() { return kernel.runtime(); }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        Boundary.check(runtime());
        synchronized (this) {
            ensureOpen();
            if (sock.isBound()) throw new AlreadyBoundException();
            sock.bind(local == null ? new InetSocketAddress(0) : SynackSocketChannel.checkAddress(local), backlog);
        }
        return this;
    }

    @Override
    public SocketChannel accept() throws IOException {
        Boundary.check(runtime());
        acceptLock.lock();
        try {
            ensureOpen();
            if (!sock.isBound()) throw new NotYetBoundException();
            int[] err = new int[1];
            TcpSocket s;
            boolean completed = false;
            try {
                begin();
                s = ChannelSupport.accept(sock, isBlocking() ? ChannelSupport.FOREVER : ChannelSupport.NONBLOCK, err);
                completed = s != null || err[0] != -Errno.EBADF.number() && err[0] != -Errno.EINVAL.number()
                        && !Thread.currentThread().isInterrupted(); // else end() throws
            } finally {
                Boundary.settleInterrupt(this);
                end(completed);
            }
            if (s != null) return new SynackSocketChannel(provider, kernel, s);
            if (err[0] == -Errno.EAGAIN.number()) return null;
            throw ChannelSupport.exception(sock, Call.OTHER, "accept()", err[0]);
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return sock.getLocalSocketAddress();
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        SynackSocketChannel.checkOption(options, name);
        if (!name.type().isInstance(value)) throw new IllegalArgumentException("Invalid value '" + value + "'");
        ensureOpen();
        Boundary.check(runtime());
        sock.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        SynackSocketChannel.checkOption(options, name);
        ensureOpen();
        Boundary.check(runtime());
        return sock.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() { return options; }

    @Override
    public synchronized ServerSocket socket() {
        if (adaptor == null) adaptor = new ServerSocketAdaptor(this);
        return adaptor;
    }

    @Override
    protected void implCloseSelectableChannel() {
        Boundary.check(runtime());
        sock.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // the mode is read by each call (isBlocking())
    }

    @Override
    public int readyOps(int mask, int interest) {
        if ((mask & POLLNVAL) != 0) return 0;
        if ((mask & (POLLERR | POLLHUP)) != 0) return interest;
        return (mask & POLLIN) != 0 && (interest & SelectionKey.OP_ACCEPT) != 0 ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public String toString() {
        return "SynackServerSocketChannel[" + (isOpen() ? String.valueOf(sock.getLocalSocketAddress()) : "closed") + "]";
    }
}
