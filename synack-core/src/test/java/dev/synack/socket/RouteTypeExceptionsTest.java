package dev.synack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.stack.Route;
import dev.synack.testbed.Veth;
import dev.synack.wire.Ipv4;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * What java.net.Socket.connect throws for a destination behind a route of another type, as the JDK 25
 * does on Linux 6.18 (measured in a network namespace with {@code ip route add TYPE PREFIX}):
 * blackhole → SocketException "Invalid argument", unreachable → NoRouteToHostException "No route to
 * host", prohibit → BindException "Permission denied" (the JDK maps EACCES so), throw with no other
 * route → SocketException "Network is unreachable".
 */
class RouteTypeExceptionsTest {
    String connect(Route.Type type) {
        VirtualRuntime rt = new VirtualRuntime();
        Kernel client = Kernel.create(rt, "client", 1), server = Kernel.create(rt, "server", 2);
        Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 10_000_000);
        client.stack().addRoute(Ipv4.parse("198.19.3.0"), 24, type);
        try (TcpSocket s = new TcpSocket(client)) {
            s.connect(new InetSocketAddress("198.19.3.1", 80), 2000);
            return "connected";
        } catch (Exception e) {
            return e.getClass().getSuperclass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Test
    void eachTypeThrowsWhatTheJdkThrows() {
        assertEquals("SocketException: Invalid argument", connect(Route.Type.BLACKHOLE));
        assertEquals("NoRouteToHostException: No route to host", connect(Route.Type.UNREACHABLE));
        assertEquals("BindException: Permission denied", connect(Route.Type.PROHIBIT));
        assertEquals("SocketException: Network is unreachable", connect(Route.Type.THROW));
    }
}
