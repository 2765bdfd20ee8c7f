package dev.synack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.testbed.Veth;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same client code, once over synack (through the java.net factories) and once over the JDK's own
 * sockets on 127.0.0.1: the same exception types and messages for refused, connect timeout, read
 * timeout and reset. The JDK side is real and bounded (sub-second timeouts).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JdkParityTest {
    /** What a client saw: the most specific java.net type of the exception and its message. */
    record Outcome(String type, String message) {
        static Outcome of(Throwable t) {
            for (Class<?> c : List.of(SocketTimeoutException.class, ConnectException.class, NoRouteToHostException.class,
                    BindException.class, SocketException.class)) {
                if (c.isInstance(t)) return new Outcome(c.getSimpleName(), t.getMessage());
            }
            return new Outcome(t.getClass().getName(), t.getMessage());
        }
    }

    interface ServerAction {
        void run(Socket s) throws Exception;
    }

    /** A network the client code runs on. */
    interface Net {
        SocketFactory sockets();

        /** A listener that runs {@code action} on each accepted connection (null: never accept). */
        InetSocketAddress listen(int backlog, ServerAction action) throws IOException;

        /** An address where nobody listens. */
        InetSocketAddress closedPort() throws IOException;

        void pause(long ms) throws InterruptedException;
    }

    final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) c.close();
    }

    final class JdkNet implements Net {
        final InetAddress lo = InetAddress.getByName("127.0.0.1");

        JdkNet() throws IOException {}

        @Override
        public SocketFactory sockets() { return SocketFactory.getDefault(); }

        @Override
        public InetSocketAddress listen(int backlog, ServerAction action) throws IOException {
            ServerSocket ss = ServerSocketFactory.getDefault().createServerSocket(0, backlog, lo);
            cleanup.add(ss);
            if (action != null) Thread.ofPlatform().daemon().start(() -> acceptLoop(ss, action));
            return (InetSocketAddress) ss.getLocalSocketAddress();
        }

        @Override
        public InetSocketAddress closedPort() throws IOException {
            try (ServerSocket ss = new ServerSocket(0, 1, lo)) {
                return (InetSocketAddress) ss.getLocalSocketAddress();
            }
        }

        @Override
        public void pause(long ms) throws InterruptedException { Thread.sleep(ms); }
    }

    final class SynackNet implements Net {
        final VirtualRuntime rt = new VirtualRuntime();
        final Kernel client = Kernel.create(rt, "client", 1), server = Kernel.create(rt, "server", 2);
        int nextPort = 8000;

        SynackNet() { Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 10_000_000); }

        @Override
        public SocketFactory sockets() { return new SynackSocketFactory(client); }

        @Override
        public InetSocketAddress listen(int backlog, ServerAction action) throws IOException {
            int port = nextPort++;
            ServerSocket ss = new SynackServerSocketFactory(server).createServerSocket(port, backlog);
            if (action != null) rt.spawn("server", () -> acceptLoop(ss, action));
            return new InetSocketAddress("198.18.0.2", port);
        }

        @Override
        public InetSocketAddress closedPort() { return new InetSocketAddress("198.18.0.2", 9); }

        @Override
        public void pause(long ms) { rt.sleep(ms * 1_000_000); }
    }

    static void acceptLoop(ServerSocket ss, ServerAction action) {
        try {
            while (true) {
                Socket s = ss.accept();
                action.run(s);
            }
        } catch (Exception e) {
            // closed
        }
    }

    // ---- the client code, written once ---------------------------------------------------------

    static Outcome refused(Net net) throws Exception {
        try (Socket s = net.sockets().createSocket()) {
            s.connect(net.closedPort(), 1000);
            return new Outcome("connected", null);
        } catch (IOException e) {
            return Outcome.of(e);
        }
    }

    /** A listener with backlog 1 holds two unaccepted connections; the third SYN is dropped (tcp_conn_request). */
    static Outcome connectTimeout(Net net) throws Exception {
        InetSocketAddress addr = net.listen(1, null);
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket s = net.sockets().createSocket();
                s.connect(addr, 1000);
                held.add(s);
            }
            net.pause(100);
            try (Socket s = net.sockets().createSocket()) {
                s.connect(addr, 300);
                return new Outcome("connected", null);
            } catch (IOException e) {
                return Outcome.of(e);
            }
        } finally {
            for (Socket s : held) s.close();
        }
    }

    static Outcome readTimeout(Net net) throws Exception {
        InetSocketAddress addr = net.listen(50, s -> {});
        try (Socket s = net.sockets().createSocket()) {
            s.connect(addr, 1000);
            s.setSoTimeout(200);
            s.getInputStream().read();
            return new Outcome("read", null);
        } catch (IOException e) {
            return Outcome.of(e);
        }
    }

    static Outcome reset(Net net) throws Exception {
        // The server resets only after the client's byte came: on loopback an earlier RST could beat the
        // client's own connect() and fail it instead.
        InetSocketAddress addr = net.listen(50, s -> {
            s.getInputStream().read();
            s.setSoLinger(true, 0);
            s.close();
        });
        try (Socket s = net.sockets().createSocket()) {
            s.connect(addr, 1000);
            s.getOutputStream().write(1);
            net.pause(200);
            s.getInputStream().read();
            return new Outcome("read", null);
        } catch (IOException e) {
            return Outcome.of(e);
        }
    }

    // ---- the comparisons -----------------------------------------------------------------------

    @Test
    void refusedIsConnectExceptionConnectionRefused() throws Exception {
        Outcome jdk = refused(new JdkNet());
        assertEquals(new Outcome("ConnectException", "Connection refused"), jdk);
        assertEquals(jdk, refused(new SynackNet()));
    }

    @Test
    void connectTimeoutIsSocketTimeoutExceptionConnectTimedOut() throws Exception {
        Outcome jdk = connectTimeout(new JdkNet());
        assumeTrue(!jdk.type().equals("connected"), "this kernel accepted a SYN over a full accept queue; no JDK reference");
        assertEquals(new Outcome("SocketTimeoutException", "Connect timed out"), jdk);
        assertEquals(jdk, connectTimeout(new SynackNet()));
    }

    @Test
    void readTimeoutIsSocketTimeoutExceptionReadTimedOut() throws Exception {
        Outcome jdk = readTimeout(new JdkNet());
        assertEquals(new Outcome("SocketTimeoutException", "Read timed out"), jdk);
        assertEquals(jdk, readTimeout(new SynackNet()));
    }

    @Test
    void resetIsSocketExceptionConnectionReset() throws Exception {
        Outcome jdk = reset(new JdkNet());
        assertEquals(new Outcome("SocketException", "Connection reset"), jdk);
        assertEquals(jdk, reset(new SynackNet()));
    }

    @Test
    void synackExceptionsAreTheJdkTypesWithAnErrno() throws Exception {
        SynackNet net = new SynackNet();
        try (Socket s = net.sockets().createSocket()) {
            s.connect(net.closedPort());
        } catch (ConnectException e) {
            assertInstanceOf(ErrnoCarrier.class, e);
            assertEquals(dev.synack.tcp.Errno.ECONNREFUSED, ((ErrnoCarrier) e).errno());
        }
    }
}
