package dev.synack.nio;

import dev.synack.socket.ChannelSupport;
import dev.synack.socket.SynackExceptions.SynackSocketTimeoutException;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.util.Set;

/**
 * {@link SynackSocketChannel#socket()}: a java.net.Socket view of the channel, as the JDK's SocketAdaptor
 * (options, addresses, shutdown state; streams in blocking mode only, reads honouring SO_TIMEOUT).
 */
final class SocketAdaptor extends Socket {
    private final SynackSocketChannel ch;
    private final TcpSocket s;
    private volatile int timeoutMs;

    SocketAdaptor(SynackSocketChannel ch) throws SocketException {
        super((java.net.SocketImpl) null); // no impl: every method is overridden
        this.ch = ch;
        this.s = ch.tcpSocket();
    }

    @Override
    public void connect(SocketAddress remote) throws IOException { connect(remote, 0); }

    @Override
    public void connect(SocketAddress remote, int timeout) throws IOException {
        if (remote == null) throw new IllegalArgumentException("connect: The address can't be null");
        if (timeout < 0) throw new IllegalArgumentException("connect: timeout can't be negative");
        if (!ch.isBlocking()) throw new IllegalBlockingModeException();
        if (timeout == 0) {
            ch.connect(remote);
            return;
        }
        Boundary.check(ch.runtime());
        s.connect(SynackSocketChannel.checkAddress(remote), timeout); // java.net.Socket's timed connect; closes on failure
    }

    @Override
    public void bind(SocketAddress local) throws IOException { ch.bind(local); }

    @Override public InetAddress getInetAddress() { return s.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return s.getLocalAddress(); }
    @Override public int getPort() { return s.getPort(); }
    @Override public int getLocalPort() { return s.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return s.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return s.getLocalSocketAddress(); }

    private void ensureStreamable() throws IOException {
        if (!ch.isOpen()) throw new SocketException("Socket is closed");
        if (!ch.isConnected()) throw new SocketException("Socket is not connected");
    }

    @Override
    public InputStream getInputStream() throws IOException {
        ensureStreamable();
        if (ch.isInputShut()) throw new SocketException("Socket input is shutdown");
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!ch.isBlocking()) throw new IllegalBlockingModeException();
                if (len == 0) return 0;
                int t = timeoutMs;
                long n = ch.read(new ByteBuffer[] {ByteBuffer.wrap(b, off, len)}, 0, 1,
                        t == 0 ? ChannelSupport.FOREVER : t * 1_000_000L);
                if (n == -2) throw new SynackSocketTimeoutException(Errno.EAGAIN, "Read timed out");
                return (int) n;
            }

            @Override
            public void close() throws IOException { ch.close(); }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        ensureStreamable();
        if (ch.isOutputShut()) throw new SocketException("Socket output is shutdown");
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (!ch.isBlocking()) throw new IllegalBlockingModeException();
                ByteBuffer bb = ByteBuffer.wrap(b, off, len);
                while (bb.hasRemaining()) ch.write(bb);
            }

            @Override
            public void close() throws IOException { ch.close(); }
        };
    }

    @Override public void setTcpNoDelay(boolean on) throws SocketException { s.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return s.getTcpNoDelay(); }
    @Override public void setSoLinger(boolean on, int linger) throws SocketException { s.setSoLinger(on, linger); }
    @Override public int getSoLinger() throws SocketException { return s.getSoLinger(); }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data not supported");
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        if (on) throw new SocketException("synack: urgent data (SO_OOBINLINE) is not modelled");
    }

    @Override public boolean getOOBInline() { return false; }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (!ch.isOpen()) throw new SocketException("Socket is closed");
        if (timeout < 0) throw new IllegalArgumentException("timeout < 0");
        timeoutMs = timeout;
    }

    @Override public int getSoTimeout() throws SocketException { return timeoutMs; }
    @Override public void setSendBufferSize(int size) throws SocketException { s.setSendBufferSize(size); }
    @Override public int getSendBufferSize() throws SocketException { return s.getSendBufferSize(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException { s.setReceiveBufferSize(size); }
    @Override public int getReceiveBufferSize() throws SocketException { return s.getReceiveBufferSize(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { s.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return s.getKeepAlive(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { s.setReuseAddress(on); }
    @Override public boolean getReuseAddress() throws SocketException { return s.getReuseAddress(); }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        try {
            s.setOption(java.net.StandardSocketOptions.IP_TOS, tc);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public int getTrafficClass() throws SocketException {
        try {
            return s.getOption(java.net.StandardSocketOptions.IP_TOS);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public void close() throws IOException { ch.close(); }

    @Override
    public void shutdownInput() throws IOException {
        if (ch.isInputShut()) throw new SocketException("Socket input is already shutdown");
        ch.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (ch.isOutputShut()) throw new SocketException("Socket output is already shutdown");
        ch.shutdownOutput();
    }

    @Override public boolean isConnected() { return ch.isConnected(); }
    @Override public boolean isBound() { return s.isBound(); }
    @Override public boolean isClosed() { return !ch.isOpen(); }
    @Override public boolean isInputShutdown() { return ch.isInputShut(); }
    @Override public boolean isOutputShutdown() { return ch.isOutputShut(); }
    @Override public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {}

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        ch.setOption(name, value);
        return this;
    }

    @Override public <T> T getOption(SocketOption<T> name) throws IOException { return ch.getOption(name); }
    @Override public Set<SocketOption<?>> supportedOptions() { return ch.supportedOptions(); }

    @Override
    public String toString() {
        return ch.isConnected() ? "Socket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport=" + getLocalPort() + "]"
                : "Socket[unconnected]";
    }
}
