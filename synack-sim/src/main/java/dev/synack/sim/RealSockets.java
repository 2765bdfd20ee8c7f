package dev.synack.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict sockets: with {@code -Dsynack.sockets=strict}, a real {@link java.net.Socket} or
 * {@link java.net.ServerSocket} — one the JDK makes, not synack's — fails when it connects or binds,
 * with a {@link SocketException} that says so, and the attempt is recorded ({@link #takeFailures}; the
 * JUnit extension fails the test with it, even if the code under test caught the exception). This is
 * how a test finds a library hook wired the wrong way, which would otherwise reach the machine's real
 * network silently while the test believes it runs in the lab.
 *
 * <p>The guard is the JDK's {@link Socket#setSocketImplFactory} and {@link ServerSocket#setSocketFactory},
 * which can be set once per JVM and never undone, and which give no way back to the JDK's own socket
 * implementation: so strict sockets hold for the whole JVM from the first {@link Network} made with the
 * property set, and every real java.net socket in it fails. Use it for a test run (or a surefire
 * execution) of lab tests only. NIO channels are not covered: opened from the JDK's default provider
 * they are real; {@code -Djava.nio.channels.spi.SelectorProvider=dev.synack.nio.SynackSelectorProvider}
 * makes every one a synack channel instead.
 */
public final class RealSockets {
    private RealSockets() {}

    /** The system property that turns strict sockets on: {@code -Dsynack.sockets=strict}. */
    public static final String PROPERTY = "synack.sockets";

    private static boolean guarded;
    private static final List<String> failures = new ArrayList<>();

    /** Whether {@code -Dsynack.sockets=strict} is set. */
    public static boolean strictByProperty() { return "strict".equalsIgnoreCase(System.getProperty(PROPERTY, "").strip()); }

    /** Guards the JVM's real sockets if {@code -Dsynack.sockets=strict} asks for it (every new {@link Network} calls this). */
    public static void guardIfAsked() {
        if (strictByProperty()) guard();
    }

    /**
     * From now on every real java.net socket in this JVM fails when it connects or binds.
     *
     * @throws IllegalStateException if another socket factory was installed in this JVM first
     */
    @SuppressWarnings("deprecation") // the JDK's only hook for its sockets; deprecated, not for removal
    public static synchronized void guard() {
        if (guarded) return;
        try {
            Socket.setSocketImplFactory(Blocked::new);
            ServerSocket.setSocketFactory(Blocked::new);
        } catch (IOException | IllegalStateException e) {
            throw new IllegalStateException("synack strict sockets: cannot guard the JDK's sockets, another SocketImplFactory "
                    + "is installed in this JVM (" + e.getMessage() + ")", e);
        }
        guarded = true;
    }

    /** Whether this JVM's real sockets are guarded. */
    public static synchronized boolean guarded() { return guarded; }

    /** The attempts recorded since the last call, oldest first. */
    public static synchronized List<String> takeFailures() {
        List<String> out = List.copyOf(failures);
        failures.clear();
        return out;
    }

    private static SocketException refuse(String what) {
        String where = StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("sun.")
                        && !f.getClassName().startsWith("jdk.") && !f.getClassName().startsWith(RealSockets.class.getName()))
                .findFirst().map(f -> " at " + f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse(""));
        String message = "synack strict sockets: a real JDK socket tried to " + what + where
                + ": it would use the machine's network, not the lab's; give that code synack's sockets"
                + " (SynackSocketFactory, SynackServerSocketFactory, or for NIO the SynackSelectorProvider)";
        synchronized (RealSockets.class) {
            failures.add(message);
        }
        return new SocketException(message);
    }

    /** The socket implementation every real java.net socket gets: it refuses to reach anything. */
    private static final class Blocked extends SocketImpl {
        @Override
        protected void create(boolean stream) {}

        @Override
        protected void connect(String host, int port) throws IOException { throw refuse("connect to " + host + ":" + port); }

        @Override
        protected void connect(InetAddress address, int port) throws IOException {
            throw refuse("connect to " + address.getHostAddress() + ":" + port);
        }

        @Override
        protected void connect(SocketAddress address, int timeout) throws IOException {
            throw refuse("connect to " + (address instanceof java.net.InetSocketAddress a
                    ? (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort() : String.valueOf(address)));
        }

        @Override
        protected void bind(InetAddress host, int port) throws IOException {
            throw refuse("bind " + (host == null || host.isAnyLocalAddress() ? "*" : host.getHostAddress()) + ":" + port);
        }

        @Override
        protected void listen(int backlog) throws IOException { throw refuse("listen"); }

        @Override
        protected void accept(SocketImpl s) throws IOException { throw refuse("accept"); }

        @Override
        protected InputStream getInputStream() throws IOException { throw new SocketException("not connected (synack strict sockets)"); }

        @Override
        protected OutputStream getOutputStream() throws IOException { throw new SocketException("not connected (synack strict sockets)"); }

        @Override
        protected int available() { return 0; }

        @Override
        protected void close() {}

        @Override
        protected void sendUrgentData(int data) throws IOException { throw new SocketException("not connected (synack strict sockets)"); }

        @Override
        public void setOption(int optID, Object value) {}

        @Override
        public Object getOption(int optID) { return null; }
    }
}
