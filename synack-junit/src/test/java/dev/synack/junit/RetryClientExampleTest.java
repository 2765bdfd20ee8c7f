package dev.synack.junit;

// tag::example[]
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.sim.Host;
import dev.synack.sim.Network;
import dev.synack.socket.SynackServerSocketFactory;
import dev.synack.socket.SynackSocketFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;

@SynackLab(seed = 42, hosts = {"client", "server"}, delayMs = 5)
class RetryClientExampleTest {

    /** The code under test: one request, retried with exponential backoff until a deadline. */
    static final class RetryClient {
        interface Sleeper { void sleep(Duration d) throws InterruptedException; }

        private final SocketFactory sockets;
        private final Clock clock;
        private final Sleeper sleeper;
        final List<String> attempts = new ArrayList<>();

        RetryClient(SocketFactory sockets, Clock clock, Sleeper sleeper) {
            this.sockets = sockets;
            this.clock = clock;
            this.sleeper = sleeper;
        }

        String call(String host, int port, String request, Duration deadline) throws IOException, InterruptedException {
            Instant giveUp = clock.instant().plus(deadline);
            Duration backoff = Duration.ofMillis(100);
            while (true) {
                try (Socket s = sockets.createSocket(host, port)) {
                    s.setSoTimeout(1000);
                    new PrintWriter(s.getOutputStream(), true).println(request);
                    String reply = new BufferedReader(new InputStreamReader(s.getInputStream())).readLine();
                    attempts.add(clock.millis() + " ms: " + reply);
                    return reply;
                } catch (IOException e) {
                    attempts.add(clock.millis() + " ms: " + e.getMessage());
                    if (clock.instant().plus(backoff).isAfter(giveUp)) throw e;
                }
                sleeper.sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    /** The server: answers each line after 300 ms of work. A process of its host, so a crash kills it. */
    static void startServer(Host server) {
        server.spawn("api", () -> {
            try (ServerSocket ss = new SynackServerSocketFactory(server.kernel()).createServerSocket(8080)) {
                while (true) {
                    try (Socket s = ss.accept()) {
                        String line = new BufferedReader(new InputStreamReader(s.getInputStream())).readLine();
                        server.network().sleep(Duration.ofMillis(300));
                        new PrintWriter(s.getOutputStream(), true).println("done: " + line);
                    }
                }
            }
        });
    }

    @Test
    void retriesThroughACrashAndAReboot(Network net, Host client, Host server) throws Exception {
        startServer(server);
        net.after(Duration.ofMillis(100), server::crash);           // mid-request: no FIN, no RST
        net.after(Duration.ofMillis(1500), server::reboot);         // the machine is back ...
        net.after(Duration.ofMillis(3000), () -> startServer(server)); // ... and later its service

        RetryClient c = new RetryClient(new SynackSocketFactory(client.kernel()), net.clock(), net::sleep);
        String reply = c.call("server", 8080, "order 17", Duration.ofSeconds(30)); // "server": the lab's name table

        assertEquals("done: order 17", reply);
        assertEquals(List.of(
                "1020 ms: Read timed out",      // sent at 20 ms (ARP + handshake); the crash: never answered
                "2130 ms: Connection refused",  // SYN at 1120 ms lost (host down); its retry 1 s later meets
                                                // the rebooted host, with no listener yet: RST
                "2340 ms: Connection refused",  // after a backoff of 200 ms
                "2750 ms: Connection refused",  // 400 ms
                "3870 ms: done: order 17"),     // 800 ms: the service is up; 300 ms of work
                c.attempts);
    }
}
// end::example[]
