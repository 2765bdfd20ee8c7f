package dev.synack.junit.strictsockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.synack.junit.SynackLab;
import dev.synack.sim.Host;
import dev.synack.sim.Network;
import dev.synack.sim.RealSockets;
import dev.synack.socket.SynackSocketFactory;
import dev.synack.socket.TcpServerSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * {@code -Dsynack.sockets=strict} (this package runs in a JVM of its own with it: the guard cannot be
 * undone): the JDK's own sockets fail loudly, a test whose code swallowed the failure still fails, and
 * the lab's sockets work as ever.
 */
@SynackLab(seed = 3, hosts = {"client", "server"})
class StrictSocketsTest {

    /** A library hook wired the wrong way: the JDK's socket instead of the lab's, its failure swallowed. */
    @SynackLab(seed = 8)
    static class SwallowingFixture {
        @Test
        void callsTheRealNetwork(Network net) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("198.18.0.9", 6379), 1000);
            } catch (IOException e) {
                // a retry loop or a health check that logs and carries on
            }
        }
    }

    @Test
    void aSwallowedRealSocketStillFailsTheTest() {
        var listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(SwallowingFixture.class)).build(), listener);
        List<Throwable> failures = listener.getSummary().getFailures().stream().map(TestExecutionSummary.Failure::getException).toList();
        assertEquals(1, failures.size(), failures.toString());
        String m = failures.getFirst().getMessage();
        assertTrue(m.startsWith("[seed 8] synack strict sockets: a real JDK socket tried to connect to 198.18.0.9:6379 at "
                + SwallowingFixture.class.getName() + ".callsTheRealNetwork(StrictSocketsTest.java:"), m);
        assertTrue(m.endsWith("give that code synack's sockets (SynackSocketFactory, SynackServerSocketFactory, or for NIO the SynackSelectorProvider)"), m);
    }

    @Test
    void realSocketsFailLoudly_labSocketsWork(Network net, Host client, Host server) throws Exception {
        assertTrue(RealSockets.guarded());
        var e = assertThrows(SocketException.class, () -> new ServerSocket(0));
        assertTrue(e.getMessage().startsWith("synack strict sockets: a real JDK socket tried to bind *:0 at " + StrictSocketsTest.class.getName() + "."), e.getMessage());
        var e2 = assertThrows(SocketException.class, () -> new Socket("198.18.0.2", 80));
        assertTrue(e2.getMessage().startsWith("synack strict sockets: a real JDK socket tried to connect to 198.18.0.2:80 at "), e2.getMessage());
        assertEquals(2, RealSockets.takeFailures().size()); // taken here, so this test passes
        // The lab's own sockets are not the JDK's: an exchange in virtual time as ever.
        server.spawn("echo", () -> {
            try (var l = new TcpServerSocket(server.kernel(), 7); var s = l.accept()) {
                s.getOutputStream().write(s.getInputStream().read());
            }
        });
        try (Socket s = new SynackSocketFactory(client.kernel()).createSocket(server.inetAddress(), 7)) {
            s.getOutputStream().write(42);
            assertEquals(42, s.getInputStream().read());
        }
    }
}
