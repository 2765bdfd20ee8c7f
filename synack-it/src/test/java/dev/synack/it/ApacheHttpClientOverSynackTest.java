package dev.synack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.synack.junit.SynackLab;
import dev.synack.sim.Host;
import dev.synack.sim.Network;
import dev.synack.socket.ErrnoCarrier;
import dev.synack.socket.SynackServerSocketFactory;
import dev.synack.socket.SynackSocketFactory;
import dev.synack.tcp.Errno;
import dev.synack.trace.TraceEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.DetachedSocketFactory;
import org.apache.hc.client5.http.io.HttpClientConnectionOperator;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;

/**
 * Apache HttpClient 5 (classic, blocking) from Maven Central, unmodified and in its default
 * configuration, in the lab in virtual time. The one change: the connection manager makes its sockets
 * with {@link SynackSocketFactory} (a {@code DetachedSocketFactory}, HttpClient 5.4+'s replacement for
 * {@code PlainConnectionSocketFactory}). The URL's host name is looked up by HttpClient's default
 * {@code SystemDefaultDnsResolver}, that is {@code InetAddress.getAllByName}, which the lab answers
 * (synack-sim's {@code LabResolverProvider}; the JUnit extension makes the test method's network
 * current). The classic client has no threads of its own, so the test's thread drives the simulation
 * through it.
 */
@SynackLab(seed = 15, hosts = {"client", "server"}, delayMs = 5, strictNames = true)
class ApacheHttpClientOverSynackTest {

    /** HttpClient's default client, with a connection manager whose plain sockets are synack's. */
    static CloseableHttpClient client(Host host) { return client(host, new ArrayList<>()); }

    /** ... and every socket it made, in {@code made}. */
    static CloseableHttpClient client(Host host, List<Socket> made) {
        SynackSocketFactory sockets = new SynackSocketFactory(host.kernel());
        var manager = new PoolingHttpClientConnectionManagerBuilder() {
            @Override
            protected HttpClientConnectionOperator createConnectionOperator(SchemePortResolver ports, DnsResolver dns,
                    TlsSocketStrategy tls) {
                DetachedSocketFactory plain = proxy -> {
                    Socket s = sockets.createSocket();
                    made.add(s);
                    return s;
                };
                return new DefaultHttpClientConnectionOperator(plain, ports, dns,
                        RegistryBuilder.<TlsSocketStrategy>create().register("https", tls).build());
            }
        }.build();
        return HttpClients.custom().setConnectionManager(manager).build();
    }

    /** An HTTP/1.1 server on {@code host}: reads a request head, works {@code workMs}, answers; one request per connection. */
    static void serve(Host host, int port, long workMs) {
        host.spawn("httpd", () -> {
            try (ServerSocket ss = new SynackServerSocketFactory(host.kernel()).createServerSocket(port)) {
                while (true) {
                    try (Socket s = ss.accept()) {
                        String head = readHead(s.getInputStream());
                        host.network().sleep(Duration.ofMillis(workMs));
                        byte[] body = ("you asked: " + head.lines().findFirst().orElse("") + "\n").getBytes(StandardCharsets.UTF_8);
                        OutputStream out = s.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nServer: synack\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(body);
                        out.flush();
                    }
                }
            }
        });
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed in the request head");
            head.write(c);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static long ms(Network net) { return TimeUnit.NANOSECONDS.toMillis(net.nowNs()); }

    @Test
    void getSucceeds(Network net, Host client, Host server) throws Exception {
        serve(server, 8080, 40);
        List<Socket> sockets = new ArrayList<>();
        try (CloseableHttpClient http = client(client, sockets)) {
            String body = http.execute(new HttpGet("http://server:8080/hello"), response -> {
                assertEquals(200, response.getCode());
                assertEquals("synack", response.getFirstHeader("Server").getValue());
                return EntityUtils.toString(response.getEntity());
            });
            assertEquals("you asked: GET /hello HTTP/1.1\n", body);
            // ARP (10 ms) + SYN, SYN-ACK (10 ms) + request (5 ms) + 40 ms of work + response (5 ms)
            assertEquals(70, ms(net));
            // HttpClient's default SocketConfig sets TCP keepalive 5 s / 5 s / 3 through jdk.net's extended
            // options (once "'TCP_KEEPIDLE' not supported" here, issue 15); the pooled socket has them
            Socket s = sockets.getFirst();
            assertEquals(List.of(5, 5, 3), List.of(s.getOption(ExtendedSocketOptions.TCP_KEEPIDLE),
                    s.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL), s.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)));
            assertEquals(1, sockets.size());
        }
    }

    @Test
    void theServersHostCrashesMidRequestAndTheResponseTimeoutFires(Network net, Host client, Host server) throws Exception {
        serve(server, 8080, 500);
        net.after(Duration.ofMillis(100), server::crash);                    // while it works on the request
        RequestConfig config = RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(3)).build();
        HttpGet get = new HttpGet("http://server:8080/slow");
        get.setConfig(config);
        try (CloseableHttpClient http = client(client)) {
            var e = assertThrows(SocketTimeoutException.class, () -> http.execute(get, r -> EntityUtils.toString(r.getEntity())));
            assertEquals("Read timed out", e.getMessage());
            // the request went at 20 ms (ARP, handshake); its read waited 3 s: no FIN, no RST from a crashed host
            assertEquals(3020, ms(net));
        }
    }

    @Test
    void aRefusedConnectionIsAConnectException(Network net, Host client, Host server) throws Exception {
        try (CloseableHttpClient http = client(client)) {                  // nothing listens on server:8080
            var e = assertThrows(ConnectException.class, () -> http.execute(new HttpGet("http://server:8080/"), r -> r.getCode()));
            assertEquals(20, ms(net));                                       // ARP, SYN, RST: at once, no retry
            // HttpClient replaces the socket's ConnectException with its own HttpHostConnectException and
            // keeps only its message (ConnectExceptionSupport.enhance sets no cause), so the ErrnoCarrier the
            // socket threw does not reach the application ...
            assertEquals("Connect to http://server:8080 failed: Connection refused", e.getMessage());
            assertEquals(null, e.getCause());
            // ... the lab's trace has the call as the kernel answered it: ECONNREFUSED, the socket's ErrnoCarrier
            assertEquals(List.of("connect(198.18.0.2:8080) = ECONNREFUSED (ConnectException: Connection refused)", "close() = 0"),
                    net.trace().events(TraceEvent.AppCall.class).stream().map(c -> c.call() + " = " + c.result()).toList());
        }
    }

    /** Without HttpClient in between, the same refusal is a ConnectException that carries its errno. */
    @Test
    void theSocketsOwnConnectExceptionCarriesEconnrefused(Network net, Host client, Host server) {
        var e = assertThrows(ConnectException.class, () -> new SynackSocketFactory(client.kernel()).createSocket("server", 8080));
        assertEquals(Errno.ECONNREFUSED, ((ErrnoCarrier) e).errno());
        assertEquals(20, ms(net));
    }
}
