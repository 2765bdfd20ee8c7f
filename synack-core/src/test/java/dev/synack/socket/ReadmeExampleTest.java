package dev.synack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.testbed.Veth;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The README's socket example, kept true: it must compile and do what the README says. */
class ReadmeExampleTest {
    @Test
    void echoOverTwoHostsInVirtualTime() throws Exception {
        VirtualRuntime rt = new VirtualRuntime();
        Kernel client = Kernel.create(rt, "client", 1), server = Kernel.create(rt, "server", 2);
        Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 10_000_000);
        rt.spawn("echo", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, 7); TcpSocket s = ss.accept()) {
                s.getInputStream().transferTo(s.getOutputStream());
            }
        });
        String echoed;
        try (TcpSocket s = new TcpSocket(client)) {
            s.connect(new InetSocketAddress("198.18.0.2", 7), 3000);
            s.getOutputStream().write("hello".getBytes());
            s.shutdownOutput();
            echoed = new String(s.getInputStream().readAllBytes());
        }
        assertEquals("hello", echoed);
        rt.runUntilDone(10_000_000_000L);
        assertTrue(SocketStats.ss(client.stack()).contains("TIME-WAIT"), SocketStats.ss(client.stack()));
    }

    @Test
    void refusedCarriesTheErrno() {
        VirtualRuntime rt = new VirtualRuntime();
        Kernel client = Kernel.create(rt, "client", 1), server = Kernel.create(rt, "server", 2);
        Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 10_000_000);
        try (TcpSocket s = new TcpSocket(client)) {
            s.connect(new InetSocketAddress("198.18.0.2", 7), 3000);
            throw new AssertionError("connected");
        } catch (ConnectException e) {
            assertEquals("Connection refused", e.getMessage());
            assertEquals(dev.synack.tcp.Errno.ECONNREFUSED, ((ErrnoCarrier) e).errno());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
