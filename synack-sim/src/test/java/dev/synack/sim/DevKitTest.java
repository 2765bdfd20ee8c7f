package dev.synack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.socket.Kernel;
import dev.synack.socket.SynackServerSocketFactory;
import dev.synack.socket.SynackSocketFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the lab gives code under test: names, the current kernel, virtual time, failures reported. */
class DevKitTest {
    static Network pair(long seed) {
        Network net = new Network(seed);
        Host c = net.host("client", "198.18.0.1/24");
        Host s = net.host("server", "198.18.0.2/24");
        net.link(c, s, LinkSpec.delayMs(10));
        return net;
    }

    static Host host(Network net, String name) { return (Host) net.node(name); }

    @Test
    void hostsResolveNamesInTheNetworkNeverInTheMachinesDns() throws Exception {
        Network net = pair(1);
        Host client = host(net, "client"), server = host(net, "server");
        net.name("db.internal", server);
        server.spawn("db", () -> {
            try (ServerSocket ss = new SynackServerSocketFactory().createServerSocket(5432)) {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = ss.accept()) {
                        s.getOutputStream().write('!');
                    }
                }
            }
        });
        List<String> seen = new ArrayList<>();
        client.spawn("app", () -> {
            SynackSocketFactory f = new SynackSocketFactory(); // by class name: the process's host
            for (String name : List.of("server", "DB.internal")) {
                try (Socket s = f.createSocket(name, 5432)) {
                    seen.add(s.getInetAddress() + " " + s.getInputStream().read());
                } catch (IOException e) {
                    seen.add(e.getClass().getSimpleName() + " " + e.getMessage());
                }
            }
            try {
                f.createSocket("example.com", 80);
            } catch (UnknownHostException e) {
                seen.add("UnknownHostException " + e.getMessage());
            }
        });
        net.runUntilDone(10_000);
        assertEquals(List.of("server/198.18.0.2 33", "DB.internal/198.18.0.2 33",
                "UnknownHostException example.com: Name or service not known"), seen);
        assertEquals("{client=198.18.0.1, server=198.18.0.2, db.internal=198.18.0.2}", net.names().toString());
        assertSame(client.kernel(), client.kernel().callAsCurrent(Kernel::current));
    }

    @Test
    void runForRethrowsAProcessFailureWithTheSeedOnce() {
        Network net = pair(77);
        host(net, "client").spawn("app", () -> {
            net.sleep(Duration.ofMillis(300));
            throw new IllegalStateException("app gave up");
        });
        AssertionError e = assertThrows(AssertionError.class, () -> net.runFor(1_000));
        assertEquals("[seed 77, t=1.000000 s] process app failed: java.lang.IllegalStateException: app gave up", e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause().getCause());
        net.runFor(1_000);
    }

    @Test
    void clockAndSleepMoveWithTheSimulation() throws Exception {
        Network net = pair(1);
        Clock clock = net.clock();
        assertEquals(Instant.EPOCH, clock.instant());
        List<String> log = new ArrayList<>();
        host(net, "client").spawn("backoff", () -> {
            for (long d = 100; d <= 800; d *= 2) {
                net.sleep(Duration.ofMillis(d));
                log.add(clock.millis() + "");
            }
        });
        net.sleep(Duration.ofSeconds(10)); // the driving thread runs the simulation for 10 s
        assertEquals(List.of("100", "300", "700", "1500"), log);
        assertEquals(Instant.ofEpochSecond(10), clock.instant());
    }

    @Test
    void theExecutorRunsTasksInVirtualTimeAndDiesWithItsHost() throws Exception {
        Network net = pair(1);
        Host server = host(net, "server");
        var ex = server.executor("sched");
        List<Long> ticks = new ArrayList<>();
        ScheduledFuture<?> heartbeat = ex.scheduleAtFixedRate(() -> ticks.add(net.nowNs() / 1_000_000), 100, 250, TimeUnit.MILLISECONDS);
        ScheduledFuture<String> once = ex.schedule(() -> "at " + net.nowNs() / 1_000_000, 400, TimeUnit.MILLISECONDS);
        ScheduledFuture<Object> failing = ex.schedule(() -> {
            throw new IOException("task failed");
        }, 10, TimeUnit.MILLISECONDS);
        assertEquals("at 400", once.get()); // the driving thread waits in virtual time
        assertEquals(400, net.nowNs() / 1_000_000);
        assertEquals("task failed", assertThrows(ExecutionException.class, failing::get).getCause().getMessage());
        net.after(Duration.ofMillis(500), server::crash);
        net.runFor(2_000); // a task's exception stays in its future: no process failed
        assertEquals(List.of(100L, 350L, 600L, 850L), ticks);
        assertTrue(heartbeat.isCancelled());
        assertThrows(CancellationException.class, heartbeat::get);
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> ex.submit(() -> 1));
        server.reboot();
        var later = ex.schedule(() -> 42, 1, TimeUnit.SECONDS);
        assertEquals(42, later.get(2, TimeUnit.SECONDS));
        ex.shutdown();
        assertTrue(ex.awaitTermination(1, TimeUnit.SECONDS));
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> ex.submit(() -> 0));
    }
}
