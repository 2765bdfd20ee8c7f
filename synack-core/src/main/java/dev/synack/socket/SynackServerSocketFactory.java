package dev.synack.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import javax.net.ServerSocketFactory;

/**
 * A {@link ServerSocketFactory} whose server sockets listen on a synack host: {@link ServerSocket}
 * subclasses that delegate to a {@link TcpServerSocket} and accept {@link SynackSocketFactory.SynackSocket}s.
 */
public class SynackServerSocketFactory extends ServerSocketFactory {
    private final Kernel kernel;

    /** A factory on {@code kernel}. */
    public SynackServerSocketFactory(Kernel kernel) { this.kernel = java.util.Objects.requireNonNull(kernel); }

    /** A factory on {@link Kernel#current()} (for configuration by class name; see {@link SynackSocketFactory}). */
    public SynackServerSocketFactory() { this(Kernel.current()); }

    /** The kernel whose server sockets this factory makes. */
    public Kernel kernel() { return kernel; }

    @Override
    public ServerSocket createServerSocket() throws IOException { return new SynackServerSocket(new TcpServerSocket(kernel)); }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException { return createServerSocket(port, 50); }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return createServerSocket(port, backlog, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        ServerSocket s = createServerSocket();
        s.bind(ifAddress == null ? new InetSocketAddress(port) : new InetSocketAddress(ifAddress, port), backlog);
        return s;
    }

    /** A java.net.ServerSocket backed by a synack {@link TcpServerSocket}. */
    public static final class SynackServerSocket extends ServerSocket {
        private final TcpServerSocket s;

        SynackServerSocket(TcpServerSocket s) {
            super(new NoImpl());
            this.s = s;
        }

        /** The synack server socket underneath. */
        public TcpServerSocket tcpServerSocket() { return s; }

        @Override
        public void bind(SocketAddress endpoint) throws IOException { s.bind(endpoint); }

        @Override
        public void bind(SocketAddress endpoint, int backlog) throws IOException { s.bind(endpoint, backlog); }

        @Override
        public InetAddress getInetAddress() { return s.getInetAddress(); }

        @Override
        public int getLocalPort() { return s.getLocalPort(); }

        @Override
        public SocketAddress getLocalSocketAddress() { return s.getLocalSocketAddress(); }

        @Override
        public Socket accept() throws IOException { return new SynackSocketFactory.SynackSocket(s.accept()); }

        @Override
        public void close() { s.close(); }

        @Override
        public boolean isBound() { return s.isBound(); }

        @Override
        public boolean isClosed() { return s.isClosed(); }

        @Override
        public void setSoTimeout(int timeout) throws SocketException { s.setSoTimeout(timeout); }

        @Override
        public int getSoTimeout() { return s.getSoTimeout(); }

        @Override
        public void setReuseAddress(boolean on) throws SocketException { s.setReuseAddress(on); }

        @Override
        public boolean getReuseAddress() { return s.getReuseAddress(); }

        @Override
        public void setReceiveBufferSize(int size) throws SocketException { s.setReceiveBufferSize(size); }

        @Override
        public int getReceiveBufferSize() { return s.getReceiveBufferSize(); }

        @Override
        public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {}

        /** As the JDK's Linux server socket: see {@link TcpSocket#setOption}. */
        @Override
        public <T> ServerSocket setOption(java.net.SocketOption<T> name, T value) throws IOException {
            s.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(java.net.SocketOption<T> name) throws IOException { return s.getOption(name); }

        @Override
        public java.util.Set<java.net.SocketOption<?>> supportedOptions() { return s.supportedOptions(); }

        @Override
        public String toString() { return "Synack" + s; }
    }

    /** ServerSocket insists on an impl; every call is overridden above, so this one is never used. */
    private static final class NoImpl extends SocketImpl {
        private static IOException no() { return new SocketException("synack: not used"); }

        @Override protected void create(boolean stream) throws IOException { throw no(); }
        @Override protected void connect(String host, int port) throws IOException { throw no(); }
        @Override protected void connect(InetAddress address, int port) throws IOException { throw no(); }
        @Override protected void connect(SocketAddress address, int timeout) throws IOException { throw no(); }
        @Override protected void bind(InetAddress host, int port) throws IOException { throw no(); }
        @Override protected void listen(int backlog) throws IOException { throw no(); }
        @Override protected void accept(SocketImpl s) throws IOException { throw no(); }
        @Override protected InputStream getInputStream() throws IOException { throw no(); }
        @Override protected OutputStream getOutputStream() throws IOException { throw no(); }
        @Override protected int available() throws IOException { throw no(); }
        @Override protected void close() {}
        @Override protected void sendUrgentData(int data) throws IOException { throw no(); }
        @Override public void setOption(int optID, Object value) throws SocketException { throw new SocketException("synack: not used"); }
        @Override public Object getOption(int optID) throws SocketException { throw new SocketException("synack: not used"); }
    }
}
