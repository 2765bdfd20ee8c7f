package dev.synack.nio;

import dev.synack.socket.TcpServerSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;
import java.util.Set;

/** {@link SynackServerSocketChannel#socket()}: a java.net.ServerSocket view of the channel, as the JDK's ServerSocketAdaptor. */
final class ServerSocketAdaptor extends ServerSocket {
    private final SynackServerSocketChannel ch;
    private final TcpServerSocket s;

    ServerSocketAdaptor(SynackServerSocketChannel ch) {
        super(new NoImpl());
        this.ch = ch;
        this.s = ch.tcpServerSocket();
    }

    @Override public void bind(SocketAddress local) throws IOException { bind(local, 50); }
    @Override public void bind(SocketAddress local, int backlog) throws IOException { ch.bind(local, backlog); }
    @Override public InetAddress getInetAddress() { return s.getInetAddress(); }
    @Override public int getLocalPort() { return s.getLocalPort(); }
    @Override public SocketAddress getLocalSocketAddress() { return s.getLocalSocketAddress(); }

    @Override
    public Socket accept() throws IOException {
        if (!ch.isBlocking()) throw new IllegalBlockingModeException();
        SocketChannel c = ch.accept();
        return c.socket();
    }

    @Override public void close() throws IOException { ch.close(); }
    @Override public boolean isBound() { return s.isBound(); }
    @Override public boolean isClosed() { return !ch.isOpen(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { s.setSoTimeout(timeout); }
    @Override public int getSoTimeout() { return s.getSoTimeout(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { s.setReuseAddress(on); }
    @Override public boolean getReuseAddress() { return s.getReuseAddress(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException { s.setReceiveBufferSize(size); }
    @Override public int getReceiveBufferSize() { return s.getReceiveBufferSize(); }
    @Override public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {}

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        ch.setOption(name, value);
        return this;
    }

    @Override public <T> T getOption(SocketOption<T> name) throws IOException { return ch.getOption(name); }
    @Override public Set<SocketOption<?>> supportedOptions() { return ch.supportedOptions(); }

    @Override
    public String toString() {
        return s.isBound() ? "ServerSocket[addr=" + getInetAddress() + ",localport=" + getLocalPort() + "]" : "ServerSocket[unbound]";
    }

    /** The SocketImpl ServerSocket's constructor insists on; never used. */
    private static final class NoImpl extends SocketImpl {
        private static IOException no() { return new SocketException("synack: not used"); }

        @Override protected void create(boolean stream) throws IOException { throw no(); }
        @Override protected void connect(String host, int port) throws IOException { throw no(); }
        @Override protected void connect(InetAddress address, int port) throws IOException { throw no(); }
        @Override protected void connect(SocketAddress address, int timeout) throws IOException { throw no(); }
        @Override protected void bind(InetAddress host, int port) throws IOException { throw no(); }
        @Override protected void listen(int backlog) throws IOException { throw no(); }
        @Override protected void accept(SocketImpl s) throws IOException { throw no(); }
        @Override protected java.io.InputStream getInputStream() throws IOException { throw no(); }
        @Override protected java.io.OutputStream getOutputStream() throws IOException { throw no(); }
        @Override protected int available() throws IOException { throw no(); }
        @Override protected void close() {}
        @Override protected void sendUrgentData(int data) throws IOException { throw no(); }
        @Override public void setOption(int optID, Object value) throws SocketException { throw new SocketException("synack: not used"); }
        @Override public Object getOption(int optID) throws SocketException { throw new SocketException("synack: not used"); }
    }
}
