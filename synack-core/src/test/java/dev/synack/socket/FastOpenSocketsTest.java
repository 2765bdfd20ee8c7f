package dev.synack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.stats.Counter;
import dev.synack.tcp.FastOpen;
import dev.synack.testbed.Veth;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Fast Open through the Java sockets: {@link TcpServerSocket#setFastOpen} and
 * {@link TcpSocket#setFastOpenConnect}. The first connection learns the cookie; the second's request
 * rides in its SYN and is read by the server before the handshake ends (TCPFastOpenPassive).
 */
class FastOpenSocketsTest {
    @Test
    void secondConnectionCarriesItsRequestInTheSyn() throws Exception {
        VirtualRuntime rt = new VirtualRuntime();
        Kernel client = Kernel.create(rt, "client", 1), server = Kernel.create(rt, "server", 2);
        server.stack().config().tcpFastopen = FastOpen.TFO_CLIENT_ENABLE | FastOpen.TFO_SERVER_ENABLE;
        Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 10_000_000);
        rt.spawn("echo", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, 7)) {
                ss.setFastOpen(16);
                assertEquals(16, ss.getFastOpen());
                for (int i = 0; i < 2; i++) {
                    try (TcpSocket s = ss.accept()) {
                        byte[] b = new byte[5];
                        int n = s.getInputStream().readNBytes(b, 0, 5);
                        s.getOutputStream().write(b, 0, n);
                    }
                }
            }
        });
        for (int i = 0; i < 2; i++) {
            try (TcpSocket s = new TcpSocket(client)) {
                s.setFastOpenConnect(true);
                assertTrue(s.getFastOpenConnect());
                s.connect(new InetSocketAddress("198.18.0.2", 7), 3000);
                s.getOutputStream().write("hello".getBytes());
                assertEquals("hello", new String(s.getInputStream().readNBytes(5)));
            }
        }
        rt.runUntilDone(10_000_000_000L);
        assertEquals(1, server.stack().counters().get(Counter.TcpExtTCPFastOpenCookieReqd));
        assertEquals(1, server.stack().counters().get(Counter.TcpExtTCPFastOpenPassive));
        assertEquals(1, client.stack().counters().get(Counter.TcpExtTCPFastOpenActive));
    }
}
