package dev.synack.it.jvmwide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.nio.SynackSelectorProvider;
import dev.synack.nio.SynackSocketChannel;
import dev.synack.runtime.RealtimeRuntime;
import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.socket.Kernel;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.testbed.Veth;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JDK's own java.net.http.HttpClient, unmodified, over synack: this JVM runs with
 * {@code -Djava.nio.channels.spi.SelectorProvider=dev.synack.nio.SynackSelectorProvider} (synack-it's pom runs
 * the tests of this package in a JVM of their own), so HttpClient's {@code Selector.open()} and
 * {@code SocketChannel.open()} are synack's. The provider opens each channel on {@link Kernel#current()}: the
 * tests set the client host as the default, since HttpClient opens channels on its own threads.
 *
 * <p>Real time: HttpClient runs a selector-manager thread of its own and times its requests with
 * System.nanoTime, so the hosts run on a {@link RealtimeRuntime} (2 ms one-way link). The last test shows the
 * boundary: over a virtual-time lab its selector thread is refused at once, and the request fails with that.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdkHttpClientOverSynackTest {
    static final String BODY = "hello from synack over NIO\n";

    RealtimeRuntime rt;
    Kernel client, server;
    TcpServerSocket listener;

    @BeforeEach
    void hosts() throws IOException {
        // -Dtest=... also runs this class in the module's default JVM, where NIO is the machine's: skip it there
        assumeTrue(SelectorProvider.provider() instanceof SynackSelectorProvider,
                "runs only in synack-it's jvm-wide-selector-provider execution");
        rt = new RealtimeRuntime();
        client = Kernel.create(rt, "client", 1);
        server = Kernel.create(rt, "server", 2);
        Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 2_000_000);
        listener = new TcpServerSocket(server, 8080);
        Kernel.setDefault(client);
    }

    @AfterEach
    void clear() {
        if (rt == null) return;
        Kernel.setDefault(null);
        listener.close();
        rt.close();
    }

    @Test
    void theProviderIsSynacksForTheWholeJvm() throws IOException {
        assertInstanceOf(SynackSelectorProvider.class, SelectorProvider.provider());
        try (SocketChannel ch = SocketChannel.open()) {
            assertInstanceOf(SynackSocketChannel.class, ch);
            assertEquals(client, ((SynackSocketChannel) ch).tcpSocket().kernel());
        }
    }

    @Test
    void getsAPageFromASynackServer() throws Exception {
        Thread srv = Thread.ofPlatform().name("http-server").start(() -> serve(false, null));
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://198.18.0.2:8080/hello"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("synack", r.headers().firstValue("server").orElseThrow());
            assertEquals(BODY, r.body());
        }
        srv.join(10_000);
    }

    @Test
    void aFrozenServerMeetsTheRequestTimeout() throws Exception {
        CountDownLatch requestRead = new CountDownLatch(1);
        Thread srv = Thread.ofPlatform().name("frozen-server").start(() -> serve(true, requestRead));
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            long t0 = System.nanoTime();
            HttpTimeoutException e = assertThrows(HttpTimeoutException.class, () -> http.send(
                    HttpRequest.newBuilder(URI.create("http://198.18.0.2:8080/hello")).timeout(Duration.ofMillis(300)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("request timed out", e.getMessage());
            assertTrue(requestRead.await(5, TimeUnit.SECONDS), "the server got the request");
            assertTrue(ms >= 300 && ms < 10_000, "timed out after " + ms + " ms");
        }
        listener.close(); // the frozen server's accept loop ends
        srv.join(10_000);
    }

    @Test
    void overAVirtualTimeLabTheSelectorThreadIsRefusedAtOnce() throws Exception {
        Network net = new Network(1);
        Host c = net.host("client", "198.18.0.1/24");
        Host s = net.host("server", "198.18.0.2/24");
        net.link(c, s, LinkSpec.delayMs(5));
        Kernel.setDefault(c.kernel());
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            IOException e = assertThrows(IOException.class, () -> http.send(
                    HttpRequest.newBuilder(URI.create("http://198.18.0.2:8080/")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            Throwable cause = e;
            while (cause != null && !(cause instanceof IllegalStateException)) cause = cause.getCause();
            assertInstanceOf(IllegalStateException.class, cause, () -> "no IllegalStateException in " + e);
            assertTrue(cause.getMessage().contains("SelectorManager' is not a simulated process"), cause.getMessage());
            assertTrue(cause.getMessage().contains("RealtimeRuntime"), cause.getMessage());
        }
        assertEquals(0, net.nowNs()); // nothing ran in virtual time
    }

    @Test
    void ownNioCodeInTheLabOpensOnItsHostAndRunsInVirtualTime() {
        Network net = new Network(1);
        Host c = net.host("client", "198.18.0.1/24");
        Host s = net.host("server", "198.18.0.2/24");
        net.link(c, s, LinkSpec.delayMs(5));
        java.util.List<String> log = new java.util.ArrayList<>();
        s.spawn("echo", () -> {
            try (ServerSocketChannel ssc = ServerSocketChannel.open().bind(new InetSocketAddress(7)); // on s: Kernel.current()
                    SocketChannel ch = ssc.accept()) {
                ByteBuffer b = ByteBuffer.allocate(16);
                ch.read(b);
                ch.write(b.flip());
            }
        });
        c.spawn("app", () -> {
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("198.18.0.2", 7))) {
                ch.write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer b = ByteBuffer.allocate(16);
                ch.read(b);
                log.add(net.nowNs() / 1_000_000 + " ms " + new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII)
                        + " from " + ch.getRemoteAddress());
            }
        });
        net.runUntilDone(1000);
        assertEquals(java.util.List.of("20 ms hi from /198.18.0.2:7"), log);
    }

    /** A minimal HTTP/1.1 server on synack's blocking sockets: answers one request, or (frozen) reads it and says nothing. */
    private void serve(boolean frozen, CountDownLatch requestRead) {
        try (TcpSocket s = listener.accept()) {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) return;
                head.write(c);
            }
            if (frozen) {
                requestRead.countDown();
                in.read(); // until the client gives up and closes
                return;
            }
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(("HTTP/1.1 200 OK\r\nServer: synack\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(body);
            in.read(); // until the client closes
        } catch (IOException e) {
            // the listener closed under us, or the client went away
        }
    }
}
