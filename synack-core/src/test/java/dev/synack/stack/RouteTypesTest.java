package dev.synack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.synack.tcp.Errno;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.testing.TcpTester;
import dev.synack.wire.Ipv4;
import org.junit.jupiter.api.Test;

/**
 * Routes of another type than unicast ({@code ip route add blackhole|unreachable|prohibit|throw}):
 * connect() fails at once with the error fib_props gives the type and nothing is sent. Measured on
 * Linux 6.18 in a network namespace with a Python client: blackhole EINVAL ("Invalid argument"),
 * unreachable EHOSTUNREACH, prohibit EACCES ("Permission denied"), throw with no other route
 * ENETUNREACH.
 */
class RouteTypesTest {
    final TcpTester t = new TcpTester();

    Errno connectTo(String prefix, Route.Type type) {
        int dst = Ipv4.parse(prefix);
        t.stack.addRoute(dst, 24, type);
        var e = assertThrows(ErrnoException.class, () -> t.stack.connect(null, dst + 1, 80, new SocketOptions()));
        assertEquals(0, t.pending());
        return e.errno();
    }

    @Test
    void blackhole_einval() { assertEquals(Errno.EINVAL, connectTo("198.19.1.0", Route.Type.BLACKHOLE)); }

    @Test
    void unreachable_ehostunreach() { assertEquals(Errno.EHOSTUNREACH, connectTo("198.19.2.0", Route.Type.UNREACHABLE)); }

    @Test
    void prohibit_eacces() { assertEquals(Errno.EACCES, connectTo("198.19.3.0", Route.Type.PROHIBIT)); }

    @Test
    void throwWithNoOtherRoute_enetunreach() { assertEquals(Errno.ENETUNREACH, connectTo("198.19.4.0", Route.Type.THROW)); }
}
