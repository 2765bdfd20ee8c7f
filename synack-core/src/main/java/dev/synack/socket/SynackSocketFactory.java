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
 * as OkHttp wants, which it then connects with a timeout. Host names are resolved with the JDK's
 * {@link InetAddress#getByName} (IPv4 literals need no resolver).
 */
public final class SynackSocketFactory extends SocketFactory {
    private final Kernel kernel;

    public SynackSocketFactory(Kernel kernel) { this.kernel = kernel; }

    @Override
    public Socket createSocket() throws IOException { return new SynackSocket(new TcpSocket(kernel)); }

    @Override
    public Socket createSocket(String remote, int port) throws IOException {
        return createSocket(InetAddress.getByName(remote), port);
    }

    @Override
    public Socket createSocket(InetAddress remote, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(remote, port));
        return s;
    }

    @Override
    public Socket createSocket(String remote, int port, InetAddress localAddr, int localPort) throws IOException {
        return createSocket(InetAddress.getByName(remote), port, localAddr, localPort);
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

        @Override
        public void setTrafficClass(int tc) {
            // IP_TOS is not modelled; accepted and ignored.
        }

        @Override
        public int getTrafficClass() { return 0; }

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

        @Override
        @SuppressWarnings("unchecked")
        public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
            if (name == StandardSocketOptions.TCP_NODELAY) s.setTcpNoDelay((Boolean) value);
            else if (name == StandardSocketOptions.SO_KEEPALIVE) s.setKeepAlive((Boolean) value);
            else if (name == StandardSocketOptions.SO_LINGER) s.setSoLinger((Integer) value >= 0, Math.max(0, (Integer) value));
            else if (name == StandardSocketOptions.SO_RCVBUF) s.setReceiveBufferSize((Integer) value);
            else if (name == StandardSocketOptions.SO_SNDBUF) s.setSendBufferSize((Integer) value);
            else if (name == StandardSocketOptions.SO_REUSEADDR) s.setReuseAddress((Boolean) value);
            else throw new UnsupportedOperationException("'" + name + "' not supported");
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getOption(SocketOption<T> name) throws IOException {
            Object v;
            if (name == StandardSocketOptions.TCP_NODELAY) v = s.getTcpNoDelay();
            else if (name == StandardSocketOptions.SO_KEEPALIVE) v = s.getKeepAlive();
            else if (name == StandardSocketOptions.SO_LINGER) v = s.getSoLinger();
            else if (name == StandardSocketOptions.SO_RCVBUF) v = s.getReceiveBufferSize();
            else if (name == StandardSocketOptions.SO_SNDBUF) v = s.getSendBufferSize();
            else if (name == StandardSocketOptions.SO_REUSEADDR) v = s.getReuseAddress();
            else throw new UnsupportedOperationException("'" + name + "' not supported");
            return (T) v;
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return Set.of(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_LINGER,
                    StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR);
        }

        @Override
        public String toString() { return "Synack" + s; }
    }
}
