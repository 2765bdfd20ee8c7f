package dev.synack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.runtime.RealtimeRuntime;
import dev.synack.socket.Kernel;
import dev.synack.socket.SocketStats;
import dev.synack.socket.SynackSocketFactory;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.testbed.Veth;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OkHttp 4.12 from Maven Central, unmodified, fetches a page from an HTTP/1.1 server hosted on a
 * synack host. The client's only change is {@code .socketFactory(new SynackSocketFactory(host))} and a
 * Dns that maps a name to a 198.18.0.0/15 address. OkHttp has threads of its own, so the hosts run on a
 * RealtimeRuntime (2 ms one-way links).
 */
class OkHttpOverSynackTest {
    static final String BODY = "hello from synack\n";

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void okHttpClientFetchesFromASynackServer() throws Exception {
        try (RealtimeRuntime rt = new RealtimeRuntime()) {
            Kernel client = Kernel.create(rt, "client", 1);
            Kernel server = Kernel.create(rt, "server", 2);
            Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 2_000_000);
            TcpServerSocket ss = new TcpServerSocket(server, 80);
            Thread serverThread = Thread.ofPlatform().name("http-server").start(() -> serve(ss, 2));

            OkHttpClient http = new OkHttpClient.Builder()
                    .socketFactory(new SynackSocketFactory(client))
                    .dns(hostname -> {
                        if (hostname.equals("web.synack.test")) return List.of(InetAddress.getByName("198.18.0.2"));
                        throw new UnknownHostException(hostname);
                    })
                    .callTimeout(Duration.ofSeconds(20))
                    .build();
            for (int i = 0; i < 2; i++) {
                try (Response r = http.newCall(new Request.Builder().url("http://web.synack.test/hello").build()).execute()) {
                    assertEquals(200, r.code());
                    assertEquals("synack", r.header("Server"));
                    assertEquals(BODY, r.body().string());
                }
            }
            String listing = rt.call(() -> SocketStats.ss(server.stack()));
            System.out.println(listing);
            assertTrue(listing.contains("LISTEN"), listing);
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
            serverThread.join(10_000);
            ss.close();
        }
    }

    /** A minimal HTTP/1.1 server: reads the request head, answers, keeps the connection for the next request. */
    private static void serve(TcpServerSocket ss, int requests) {
        try (TcpSocket s = ss.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < requests; i++) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int c = in.read();
                    if (c < 0) return;
                    head.write(c);
                }
                if (!head.toString(StandardCharsets.ISO_8859_1).startsWith("GET /hello HTTP/1.1\r\n")) return;
                byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nServer: synack\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
            }
        } catch (Exception e) {
            e.printStackTrace();
        }
    }
}
