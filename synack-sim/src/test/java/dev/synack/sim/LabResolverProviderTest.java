package dev.synack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolver.LookupPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** InetAddress lookups answered by the lab's name table (LabResolverProvider, installed through META-INF/services). */
class LabResolverProviderTest {

    static Network lan(long seed, String serverAddress) {
        Network net = new Network(seed);
        Host c = net.host("client", "198.18.0.1/24");
        Host s = net.host("server", serverAddress + "/24");
        net.link(c, s, LinkSpec.delayMs(5));
        return net;
    }

    @Test
    void aProcessResolvesLabNamesWithInetAddress() {
        Network net = lan(1, "198.18.0.2");
        Host client = (Host) net.node("client"), server = (Host) net.node("server");
        net.name("db.lab", server);
        server.spawn("echo", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server.kernel(), 5432); TcpSocket s = ss.accept()) {
                s.getInputStream().transferTo(s.getOutputStream());
            }
        });
        List<String> seen = new ArrayList<>();
        client.spawn("app", () -> {
            InetAddress db = InetAddress.getByName("db.lab");               // the JDK's API, the lab's answer
            seen.add(db.toString());
            seen.add(InetAddress.getByName("SERVER").getHostAddress());     // names are case-insensitive
            seen.add(InetAddress.getByAddress(db.getAddress()).getHostName()); // reverse: the table's first name
            InetSocketAddress to = new InetSocketAddress("db.lab", 5432);    // resolved at construction
            seen.add("unresolved=" + to.isUnresolved());
            try (TcpSocket s = new TcpSocket(client.kernel())) {
                s.connect(to, 3000);
                s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                seen.add(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
            seen.add(InetAddress.getByName("localhost").getHostAddress());
            try {
                InetAddress.getByName("nowhere.example");
            } catch (UnknownHostException e) {
                seen.add(e.getMessage());
            }
        });
        net.runUntilDone(10_000);
        assertEquals(List.of("db.lab/198.18.0.2", "198.18.0.2", "server", "unresolved=false", "ping", "127.0.0.1",
                "nowhere.example: Name or service not known"), seen);
        assertEquals(List.of(), net.takeNameFailures(), "not strict: an unknown name is the code's business");
    }

    @Test
    void theDriverResolvesInsideRunAsCurrentAndEachNetworkHasItsOwnNames() throws Exception {
        Network a = lan(1, "198.18.0.2"), b = lan(2, "198.18.0.9");
        // The JDK caches lookups by name; the provider turns that off, so "server" follows the network.
        assertEquals("198.18.0.2", a.callAsCurrent(() -> InetAddress.getByName("server").getHostAddress()));
        assertEquals("198.18.0.9", b.callAsCurrent(() -> InetAddress.getByName("server").getHostAddress()));
        b.name("late.lab", "198.18.0.77");
        assertEquals("198.18.0.77", b.callAsCurrent(() -> InetAddress.getByName("late.lab").getHostAddress()));
        assertThrows(UnknownHostException.class, () -> a.callAsCurrent(() -> InetAddress.getByName("late.lab")));
        assertTrue(Network.current().isEmpty());
    }

    @Test
    void strictNamesRecordAnUnknownNameEvenWhenTheCodeCatchesIt() {
        Network net = lan(1, "198.18.0.2");
        net.strictNames(true);
        try {
            List<String> seen = new ArrayList<>();
            ((Host) net.node("client")).spawn("app", () -> {
                try {
                    InetAddress.getByName("db.prod.example.com");
                } catch (UnknownHostException swallowed) {
                    seen.add(swallowed.getMessage());
                }
            });
            net.runUntilDone(1_000);
            String expected = "db.prod.example.com: synack strict names: not in the lab's name table [client, server]; "
                    + "add it with net.name(\"db.prod.example.com\", host)";
            assertEquals(List.of(expected), seen);
            assertEquals(List.of(expected), net.takeNameFailures());
            assertEquals(List.of(), net.takeNameFailures(), "each failure is reported once");
        } finally {
            net.strictNames(false);
        }
    }

    @Test
    void strictNamesStopALookupOutsideEveryLabFromReachingDns() throws Exception {
        Network net = lan(1, "198.18.0.2");
        net.strictNames(true);
        try {
            Thread t = Thread.ofPlatform().name("library-pool-1").start(() -> assertThrows(UnknownHostException.class,
                    () -> InetAddress.getByName("api.example.com")));
            t.join();
            assertEquals(List.of("api.example.com: synack strict names: looked up on thread library-pool-1, which runs in "
                    + "no lab network (not a simulated process, not inside net.runAsCurrent); the machine's DNS is not asked"),
                    net.takeNameFailures());
            assertTrue(InetAddress.getByName("localhost").isLoopbackAddress(), "localhost is the hosts file's, not DNS");
        } finally {
            net.strictNames(false);
        }
    }

    /** Outside a lab the JDK's resolver answers: a fake one stands in for it, so no DNS is asked here. */
    @Test
    void outsideEveryLabTheJdkResolverAnswers() throws Exception {
        List<String> asked = new ArrayList<>();
        InetAddressResolver jdk = new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                asked.add(host);
                return Stream.of(InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3}));
            }

            @Override
            public String lookupByAddress(byte[] addr) {
                asked.add("reverse");
                return "jdk.example";
            }
        };
        var r = new LabResolverProvider.Resolver(jdk, "this-machine");
        LookupPolicy v4 = LookupPolicy.of(LookupPolicy.IPV4);
        assertEquals("10.1.2.3", r.lookupByName("server", v4).findFirst().orElseThrow().getHostAddress());
        assertEquals("jdk.example", r.lookupByAddress(new byte[] {10, 1, 2, 3}));
        Network net = lan(1, "198.18.0.2");
        assertEquals("198.18.0.2", net.callAsCurrent(() -> r.lookupByName("server", v4).findFirst().orElseThrow().getHostAddress()));
        assertEquals("server", net.callAsCurrent(() -> r.lookupByAddress(new byte[] {(byte) 198, 18, 0, 2})));
        assertThrows(UnknownHostException.class, () -> net.callAsCurrent(() -> r.lookupByName("db.example.com", v4)));
        assertEquals(List.of("server", "reverse"), asked, "in the lab the JDK's resolver is never asked for a name ...");
        assertEquals("10.1.2.3", net.callAsCurrent(() -> r.lookupByName("THIS-MACHINE", v4).findFirst().orElseThrow().getHostAddress()));
        assertEquals(List.of("server", "reverse", "THIS-MACHINE"), asked, "... but the machine's own (InetAddress.getLocalHost)");
        assertFalse(net.strictNames());

        // And the JVM-wide resolver, outside a lab, is the JDK's: localhost from the hosts file.
        assertTrue(InetAddress.getByName("localhost").isLoopbackAddress());
    }

    @Test
    void aBadStrictPropertyIsAOneLineError() {
        String old = System.getProperty(LabResolverProvider.PROPERTY);
        System.setProperty(LabResolverProvider.PROPERTY, "yes");
        try {
            var e = assertThrows(IllegalArgumentException.class, () -> new Network(1));
            assertEquals("-Dsynack.names must be 'strict' or 'off', not yes", e.getMessage());
        } finally {
            if (old == null) System.clearProperty(LabResolverProvider.PROPERTY);
            else System.setProperty(LabResolverProvider.PROPERTY, old);
        }
    }
}
