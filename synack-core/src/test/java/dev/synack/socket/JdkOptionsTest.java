package dev.synack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.tcp.Errno;
import dev.synack.testbed.Veth;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/**
 * The factories' sockets take and refuse socket options as the JDK's own sockets do on Linux: each case
 * is played on an unconnected {@code new java.net.Socket()} (no packet is sent) and on a synack socket,
 * and the results (value read back, or exception type and message) must be equal.
 */
class JdkOptionsTest {
    private final VirtualRuntime rt = new VirtualRuntime();
    private final Kernel a = Kernel.create(rt, "a", 1), b = Kernel.create(rt, "b", 2);

    private final Veth veth = Veth.connect(a, "198.18.0.1", b, "198.18.0.2", 24, 10_000_000);

    /** One setOption (null = none) then getOption, as text: the value read or the exception. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String play(Socket s, SocketOption o, Object value) {
        StringBuilder sb = new StringBuilder(o == null ? "null" : o.name()).append('=').append(value).append(": ");
        try {
            if (value != null) s.setOption(o, value);
            sb.append(s.getOption(o));
        } catch (Exception e) {
            sb.append(e.getClass().getSimpleName().replace("Synack", "")).append(' ').append(e.getMessage());
        }
        return sb.toString();
    }

    private static List<Object[]> cases() {
        List<Object[]> c = new ArrayList<>();
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPIDLE, null});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPINTERVAL, null});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPCOUNT, null});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPIDLE, 60});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPIDLE, 0});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPIDLE, 32768});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPINTERVAL, 10});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPINTERVAL, -1});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPCOUNT, 5});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPCOUNT, 128});
        c.add(new Object[] {ExtendedSocketOptions.TCP_QUICKACK, false});
        c.add(new Object[] {ExtendedSocketOptions.TCP_QUICKACK, true});
        c.add(new Object[] {ExtendedSocketOptions.SO_INCOMING_NAPI_ID, null});
        c.add(new Object[] {ExtendedSocketOptions.SO_INCOMING_NAPI_ID, 1});
        c.add(new Object[] {StandardSocketOptions.SO_KEEPALIVE, true});
        c.add(new Object[] {StandardSocketOptions.TCP_NODELAY, true});
        c.add(new Object[] {StandardSocketOptions.TCP_NODELAY, 1});
        c.add(new Object[] {StandardSocketOptions.SO_REUSEADDR, true});
        c.add(new Object[] {StandardSocketOptions.SO_LINGER, null});
        c.add(new Object[] {StandardSocketOptions.SO_LINGER, 5});
        c.add(new Object[] {StandardSocketOptions.SO_LINGER, 70000});
        c.add(new Object[] {StandardSocketOptions.SO_LINGER, -5});
        c.add(new Object[] {StandardSocketOptions.SO_RCVBUF, -1});
        // (buffer sizes themselves are left out: the value read back is the kernel's, and the machine
        // running the tests may not be Linux — SocketsTest pins Linux's doubling and clamping)
        c.add(new Object[] {StandardSocketOptions.IP_TOS, 16});
        c.add(new Object[] {StandardSocketOptions.IP_TOS, 256});
        c.add(new Object[] {StandardSocketOptions.IP_MULTICAST_TTL, 1});
        c.add(new Object[] {StandardSocketOptions.SO_BROADCAST, true});
        c.add(new Object[] {ExtendedSocketOptions.TCP_KEEPIDLE, "60"});
        return c;
    }

    @Test
    void socketOptionsAsTheJdksLinuxSocket() throws IOException {
        List<String> jdk = new ArrayList<>(), synack = new ArrayList<>();
        try (Socket real = new Socket(); Socket ours = new SynackSocketFactory(a).createSocket()) {
            for (Object[] c : cases()) {
                jdk.add(play(real, (SocketOption<?>) c[0], c[1]));
                synack.add(play(ours, (SocketOption<?>) c[0], c[1]));
            }
            Set<SocketOption<?>> expected = new HashSet<>(real.supportedOptions());
            expected.remove(StandardSocketOptions.SO_REUSEPORT); // not modelled: left out, and refused
            assertEquals(expected, ours.supportedOptions());
            assertEquals("SO_REUSEPORT=true: UnsupportedOperationException 'SO_REUSEPORT' not supported", play(ours, StandardSocketOptions.SO_REUSEPORT, true));
            assertThrows(NullPointerException.class, () -> ours.setOption(null, 1));
        }
        assertEquals(String.join("\n", jdk), String.join("\n", synack));
        try (Socket real = new Socket(); Socket ours = new SynackSocketFactory(a).createSocket()) {
            real.close();
            ours.close();
            assertEquals(play(real, ExtendedSocketOptions.TCP_KEEPIDLE, 10), play(ours, ExtendedSocketOptions.TCP_KEEPIDLE, 10));
            assertEquals(play(real, ExtendedSocketOptions.TCP_KEEPIDLE, null), play(ours, ExtendedSocketOptions.TCP_KEEPIDLE, null));
        }
    }

    @Test
    void serverSocketOptionsAsTheJdksLinuxServerSocket() throws IOException {
        try (ServerSocket real = new ServerSocket(); ServerSocket ours = new SynackServerSocketFactory(b).createServerSocket()) {
            Set<SocketOption<?>> expected = new HashSet<>(real.supportedOptions());
            expected.remove(StandardSocketOptions.SO_REUSEPORT);
            assertEquals(expected, ours.supportedOptions());
            for (Object[] c : cases()) {
                SocketOption<?> o = (SocketOption<?>) c[0];
                assertEquals(playServer(real, o, c[1]), playServer(ours, o, c[1]));
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String playServer(ServerSocket s, SocketOption o, Object value) {
        StringBuilder sb = new StringBuilder(o.name()).append('=').append(value).append(": ");
        try {
            if (value != null) s.setOption(o, value);
            sb.append(s.getOption(o));
        } catch (Exception e) {
            sb.append(e.getClass().getSimpleName().replace("Synack", "")).append(' ').append(e.getMessage());
        }
        return sb.toString();
    }

    /** Apache HttpClient 5's default config sets TCP_KEEPIDLE/KEEPINTERVAL/KEEPCOUNT: they drive the engine's keepalive. */
    @Test
    void extendedKeepaliveOptionsDriveTheEnginesKeepalive() throws Exception {
        rt.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(b, 80); TcpSocket s = ss.accept()) {
                rt.sleep(1_000_000_000_000L);
            }
        });
        Socket c = new SynackSocketFactory(a).createSocket("198.18.0.2", 80);
        c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        c.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 10);
        c.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 5);
        c.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        TcpSocket t = ((SynackSocketFactory.SynackSocket) c).tcpSocket();
        assertEquals(10, t.getKeepAliveIdle());
        long t0 = rt.nowNs();
        veth.bToA().loss(1.0); // the server goes silent: no probe is answered
        var e = assertThrows(SocketException.class, () -> c.getInputStream().read());
        assertEquals("Connection timed out", e.getMessage());
        // probes at 10, 15 and 20 s idle; the third unanswered at 25 s ends it (not tcp_keepalive_time's 7200 s)
        assertEquals(25_000_000_000L, rt.nowNs() - t0);
    }

    @Test
    void namesAreResolvedByTheKernelsResolver() throws IOException {
        a.setResolver(host -> {
            if (host.equals("db")) return Kernel.inet(0xC6120002); // 198.18.0.2
            throw new UnknownHostException(host + ": not in the test's table");
        });
        rt.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(b, 5432)) {
                ss.accept().close();
            }
        });
        try (Socket s = new SynackSocketFactory(a).createSocket("db", 5432)) {
            assertEquals("/198.18.0.2", s.getInetAddress().toString());
        }
        var e = assertThrows(UnknownHostException.class, () -> new SynackSocketFactory(a).createSocket("example.com", 80));
        assertEquals("example.com: not in the test's table", e.getMessage());
        assertEquals("/198.18.0.2", a.resolve("198.18.0.2").toString()); // literals never reach the resolver
    }

    @Test
    void aNoArgFactoryBindsToTheCurrentKernel() throws Exception {
        var e = assertThrows(IllegalStateException.class, SynackSocketFactory::new);
        assertTrue(e.getMessage().startsWith("no current synack kernel"), e.getMessage());
        SynackSocketFactory f = b.callAsCurrent(SynackSocketFactory::new);
        assertSame(b, f.kernel());
        assertSame(a, a.callAsCurrent(() -> new SynackServerSocketFactory().kernel()));
        Kernel.setDefault(a);
        try {
            assertSame(a, new SynackSocketFactory().kernel());
            assertSame(b, b.callAsCurrent(Kernel::current)); // a binding wins over the default
        } finally {
            Kernel.setDefault(null);
        }
        assertFalse(f.createSocket().isConnected());
        assertEquals(Errno.EBADF, ((ErrnoCarrier) assertThrows(SocketException.class, () -> {
            Socket s = f.createSocket();
            s.close();
            s.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        })).errno());
    }
}
