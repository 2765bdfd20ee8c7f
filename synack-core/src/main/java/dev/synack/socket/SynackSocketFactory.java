package dev.synack.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} whose sockets are synack sockets on one host: hand it to any library that
 * takes a SocketFactory (OkHttp's {@code OkHttpClient.Builder.socketFactory}, JDBC drivers, ...) and it
 * runs unchanged over the simulated network. The sockets are {@link java.net.Socket} subclasses that
 * delegate every network call to a {@link TcpSocket}; {@link #createSocket()} gives an unconnected one,
 * as OkHttp wants, which it then connects with a timeout. Host names are resolved by the kernel
 * ({@link Kernel#resolve}: in the lab, the network's name table; else the JDK's resolver).
 *
 * <p>By class name ({@code socketFactory=dev.synack.socket.SynackSocketFactory}, as JDBC drivers take it):
 * the public no-arg constructor binds the factory to {@link Kernel#current()} at construction — the
 * host of the simulated process that builds it, or the kernel bound with {@link Kernel#runAsCurrent},
 * or {@link Kernel#setDefault}. The factory is not final so a configuration that wants a fixed host can
 * subclass it with a no-arg constructor calling {@code super(kernel)}.
 */
public class SynackSocketFactory extends SocketFactory {
    private final Kernel kernel;

    /** A factory on {@code kernel}. */
    public SynackSocketFactory(Kernel kernel) { this.kernel = java.util.Objects.requireNonNull(kernel); }

    /** A factory on {@link Kernel#current()} (for configuration by class name). */
    public SynackSocketFactory() { this(Kernel.current()); }

    /** The kernel whose sockets this factory makes. */
    public Kernel kernel() { return kernel; }

    @Override
    public Socket createSocket() throws IOException { return new SynackSocket(new TcpSocket(kernel)); }

    @Override
    public Socket createSocket(String remote, int port) throws IOException {
        return createSocket(kernel.resolve(remote), port);
    }

    @Override
    public Socket createSocket(InetAddress remote, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(remote, port));
        return s;
    }

    @Override
    public Socket createSocket(String remote, int port, InetAddress localAddr, int localPort) throws IOException {
        return createSocket(kernel.resolve(remote), port, localAddr, localPort);
    }

    @Override
    public Socket createSocket(InetAddress remote, int port, InetAddress localAddr, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddr, localPort));
        s.connect(new InetSocketAddress(remote, port));
        return s;
    }

    /** A java.net.Socket backed by a synack {@link TcpSocket}. */
    public static final class SynackSocket extends Socket {
        private final TcpSocket s;

        SynackSocket(TcpSocket s) throws SocketException {
            super((java.net.SocketImpl) null);
            this.s = s;
        }

        /** The synack socket underneath (for tcpInfo() and the Linux options). */
        public TcpSocket tcpSocket() { return s; }

        @Override
        public void connect(SocketAddress endpoint) throws IOException { s.connect(endpoint); }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException { s.connect(endpoint, timeout); }

        @Override
        public void bind(SocketAddress local) throws IOException { s.bind(local); }

        @Override
        public InetAddress getInetAddress() { return s.getInetAddress(); }

        @Override
        public InetAddress getLocalAddress() { return s.getLocalAddress(); }

        @Override
        public int getPort() { return s.getPort(); }

        @Override
        public int getLocalPort() { return s.getLocalPort(); }

        @Override
        public SocketAddress getRemoteSocketAddress() { return s.getRemoteSocketAddress(); }

        @Override
        public SocketAddress getLocalSocketAddress() { return s.getLocalSocketAddress(); }

        @Override
        public InputStream getInputStream() throws IOException { return s.getInputStream(); }

        @Override
        public OutputStream getOutputStream() throws IOException { return s.getOutputStream(); }

        @Override
        public void setTcpNoDelay(boolean on) throws SocketException { s.setTcpNoDelay(on); }

        @Override
        public boolean getTcpNoDelay() throws SocketException { return s.getTcpNoDelay(); }

        @Override
        public void setSoLinger(boolean on, int linger) throws SocketException { s.setSoLinger(on, linger); }

        @Override
        public int getSoLinger() throws SocketException { return s.getSoLinger(); }

        @Override
        public void sendUrgentData(int data) throws IOException {
            throw new SocketException("Urgent data not supported");
        }

        @Override
        public void setOOBInline(boolean on) throws SocketException {
            if (on) throw new SocketException("OOBINLINE not supported");
        }

        @Override
        public boolean getOOBInline() { return false; }

        @Override
        public void setSoTimeout(int timeout) throws SocketException { s.setSoTimeout(timeout); }

        @Override
        public int getSoTimeout() throws SocketException { return s.getSoTimeout(); }

        @Override
        public void setSendBufferSize(int size) throws SocketException { s.setSendBufferSize(size); }

        @Override
        public int getSendBufferSize() throws SocketException { return s.getSendBufferSize(); }

        @Override
        public void setReceiveBufferSize(int size) throws SocketException { s.setReceiveBufferSize(size); }

        @Override
        public int getReceiveBufferSize() throws SocketException { return s.getReceiveBufferSize(); }

        @Override
        public void setKeepAlive(boolean on) throws SocketException { s.setKeepAlive(on); }

        @Override
        public boolean getKeepAlive() throws SocketException { return s.getKeepAlive(); }

        /** IP_TOS: kept and reported back, not put on the wire. */
        @Override
        public void setTrafficClass(int tc) throws SocketException {
            if (tc < 0 || tc > 255) throw new IllegalArgumentException("tc is not in range 0 -- 255");
            try {
                s.setOption(StandardSocketOptions.IP_TOS, tc);
            } catch (SocketException e) {
                throw e;
            } catch (IOException e) {
                throw new SocketException(e.getMessage());
            }
        }

        @Override
        public int getTrafficClass() throws SocketException {
            try {
                return s.getOption(StandardSocketOptions.IP_TOS);
            } catch (SocketException e) {
                throw e;
            } catch (IOException e) {
                throw new SocketException(e.getMessage());
            }
        }

        @Override
        public void setReuseAddress(boolean on) throws SocketException { s.setReuseAddress(on); }

        @Override
        public boolean getReuseAddress() throws SocketException { return s.getReuseAddress(); }

        @Override
        public void close() { s.close(); }

        @Override
        public void shutdownInput() throws IOException { s.shutdownInput(); }

        @Override
        public void shutdownOutput() throws IOException { s.shutdownOutput(); }

        @Override
        public boolean isConnected() { return s.isConnected(); }

        @Override
        public boolean isBound() { return s.isBound(); }

        @Override
        public boolean isClosed() { return s.isClosed(); }

        @Override
        public boolean isInputShutdown() { return s.isInputShutdown(); }

        @Override
        public boolean isOutputShutdown() { return s.isOutputShutdown(); }

        @Override
        public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {}

        /** As the JDK's Linux socket: see {@link TcpSocket#setOption}. */
        @Override
        public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
            s.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException { return s.getOption(name); }

        @Override
        public Set<SocketOption<?>> supportedOptions() { return s.supportedOptions(); }

        @Override
        public String toString() { return "Synack" + s; }
    }
}
