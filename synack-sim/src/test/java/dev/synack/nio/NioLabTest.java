package dev.synack.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.socket.ErrnoCarrier;
import dev.synack.tcp.Errno;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/**
 * synack's java.nio channels and selector in the lab, in virtual time: each outcome at its exact virtual
 * instant. Two hosts on a point-to-point cable with 5 ms one way (a 10 ms round trip).
 */
class NioLabTest {
    static final long MS = 1_000_000L;
    static final InetSocketAddress SERVER = new InetSocketAddress("198.18.0.2", 7);

    final Network net;
    final Host client, server;
    final SynackSelectorProvider clientNio, serverNio;
    final List<String> log = new ArrayList<>();

    NioLabTest() {
        net = new Network(1);
        client = net.host("client", "198.18.0.1/24");
        server = net.host("server", "198.18.0.2/24");
        clientNio = new SynackSelectorProvider(client.kernel());
        serverNio = new SynackSelectorProvider(server.kernel());
        net.link(client, server, LinkSpec.delayMs(5));
    }

    void log(String s) { log.add(net.nowNs() / MS + " ms " + s); }

    /** An echo server with one selector thread: OP_ACCEPT, OP_READ, and OP_WRITE while a reply waits. */
    void startEchoServer() {
        server.spawn("echo", () -> {
            try (ServerSocketChannel ssc = serverNio.openServerSocketChannel(); Selector sel = serverNio.openSelector()) {
                ssc.bind(new InetSocketAddress(7));
                ssc.configureBlocking(false);
                ssc.register(sel, SelectionKey.OP_ACCEPT);
                while (true) {
                    sel.select();
                    for (Iterator<SelectionKey> it = sel.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey k = it.next();
                        it.remove();
                        if (k.isAcceptable()) {
                            SocketChannel c = ssc.accept();
                            c.configureBlocking(false);
                            c.register(sel, SelectionKey.OP_READ, ByteBuffer.allocate(1024));
                        } else {
                            // Level-triggered: ask for OP_READ only while the buffer has room, or a full buffer
                            // makes every select return at once and the loop never parks (in the lab: "ran
                            // 20000 ms of wall time without parking")
                            SocketChannel c = (SocketChannel) k.channel();
                            ByteBuffer b = (ByteBuffer) k.attachment();
                            if (k.isReadable() && c.read(b) < 0) {
                                c.close();
                                continue;
                            }
                            c.write(b.flip());
                            b.compact();
                            k.interestOps((b.hasRemaining() ? SelectionKey.OP_READ : 0) | (b.position() > 0 ? SelectionKey.OP_WRITE : 0));
                        }
                    }
                }
            }
        });
    }

    @Test
    void blockingClientAgainstASelectorEchoServer() {
        startEchoServer();
        client.spawn("app", () -> {
            try (SocketChannel ch = clientNio.openSocketChannel()) {
                ch.connect(SERVER);
                log("connected " + ch.isConnected());
                ch.configureBlocking(false);
                assertThrows(IllegalBlockingModeException.class, () -> ch.socket().getInputStream().read());
                ch.configureBlocking(true);
                // gather: three buffers in one write
                ch.write(new ByteBuffer[] {bytes("he"), bytes("llo "), bytes("nio")});
                ByteBuffer a = ByteBuffer.allocate(4), b = ByteBuffer.allocate(16);
                long got = 0;
                while (got < 9) got += ch.read(new ByteBuffer[] {a, b}); // scatter
                log("echo " + text(a) + "|" + text(b));
                ch.shutdownOutput();
                log("read after our FIN " + ch.read(ByteBuffer.allocate(8))); // the server closes: end of stream
            }
        });
        net.runUntilDone(1000);
        assertEquals(List.of(
                "10 ms connected true",         // SYN 5 ms there, SYN-ACK 5 ms back
                "20 ms echo hell|o nio",        // one round trip for the data and its echo
                "30 ms read after our FIN -1"), // our FIN 5 ms there, the server's FIN 5 ms back
                log);
    }

    @Test
    void nonBlockingConnectToACrashedHostFailsAfterTheSynRetries() {
        server.crash();
        client.spawn("app", () -> {
            SocketChannel ch = clientNio.openSocketChannel();
            ch.configureBlocking(false);
            log("connect " + ch.connect(SERVER) + " pending " + ch.isConnectionPending() + " to " + ch.getRemoteAddress());
            Selector sel = clientNio.openSelector();
            SelectionKey key = ch.register(sel, SelectionKey.OP_CONNECT);
            log("select " + sel.select() + " connectable " + key.isConnectable());
            ConnectException e = assertThrows(ConnectException.class, ch::finishConnect);
            log(e.getMessage() + " " + ((ErrnoCarrier) e).errno() + " open " + ch.isOpen());
        });
        net.runUntilDone(200_000);
        assertEquals(List.of(
                "0 ms connect false pending true to /198.18.0.2:7",
                // Linux's SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s (tcp_syn_retries 6 + tcp_syn_linear_timeouts 4),
                // then ETIMEDOUT at 131 s: POLLERR|POLLHUP make the key connectable
                "131000 ms select 1 connectable true",
                "131000 ms Connection timed out ETIMEDOUT open false"), // a failed finishConnect closes the channel
                log);
    }

    @Test
    void refusedNonBlockingConnectIsReportedByFinishConnect() {
        client.spawn("app", () -> {
            try (SocketChannel ch = clientNio.openSocketChannel(); Selector sel = clientNio.openSelector()) {
                ch.configureBlocking(false);
                ch.connect(SERVER);
                ch.register(sel, SelectionKey.OP_CONNECT);
                log("select " + sel.select());
                ConnectException e = assertThrows(ConnectException.class, ch::finishConnect);
                log(e.getMessage() + " " + ((ErrnoCarrier) e).errno());
            }
        });
        net.runUntilDone(10_000);
        assertEquals(List.of("10 ms select 1", "10 ms Connection refused ECONNREFUSED"), log);
    }

    @Test
    void selectWithATimeoutReturnsZeroAfterExactlyThatVirtualTime() {
        client.spawn("app", () -> {
            try (SocketChannel ch = clientNio.openSocketChannel(); Selector sel = clientNio.openSelector()) {
                log("selectNow " + sel.selectNow());
                log("select(250) " + sel.select(250)); // no keys at all
                ch.connect(new InetSocketAddress("198.18.0.2", 9)); // no listener: refused
            } catch (ConnectException e) {
                log("refused");
            }
        });
        startEchoServer();
        client.spawn("idle", () -> {
            try (SocketChannel ch = clientNio.openSocketChannel(); Selector sel = clientNio.openSelector()) {
                ch.connect(SERVER);
                ch.configureBlocking(false);
                SelectionKey k = ch.register(sel, SelectionKey.OP_READ);
                log("idle select(1000) " + sel.select(1000) + " ready " + k.readyOps()); // nothing to read
                k.interestOps(SelectionKey.OP_WRITE);
                log("idle select(1000) for OP_WRITE " + sel.select(1000) + " writable " + k.isWritable());
            }
        });
        net.runUntilDone(10_000);
        assertEquals(List.of(
                "0 ms selectNow 0",
                "250 ms select(250) 0",
                "260 ms refused",
                "1010 ms idle select(1000) 0 ready 0",
                "1010 ms idle select(1000) for OP_WRITE 1 writable true"), log);
    }

    @Test
    void wakeupFromAnotherProcessEndsASelectAtThatInstant() {
        AtomicReference<Selector> shared = new AtomicReference<>();
        client.spawn("selector", () -> {
            try (Selector sel = clientNio.openSelector()) {
                shared.set(sel);
                log("select " + sel.select());
                sel.wakeup();
                log("select after a wakeup " + sel.select()); // a wakeup before a select makes it return at once
                log("selectNow " + sel.selectNow());
            }
        });
        client.spawn("waker", () -> {
            net.sleep(java.time.Duration.ofMillis(100));
            shared.get().wakeup();
        });
        net.runUntilDone(10_000);
        assertEquals(List.of("100 ms select 0", "100 ms select after a wakeup 0", "100 ms selectNow 0"), log);
    }

    @Test
    void anotherProcessClosingTheSelectorOrTheChannelEndsTheWaitAtThatInstant() {
        startEchoServer();
        AtomicReference<Selector> sel = new AtomicReference<>();
        AtomicReference<SocketChannel> ch = new AtomicReference<>();
        client.spawn("selector", () -> {
            sel.set(clientNio.openSelector());
            log("select " + sel.get().select() + " open " + sel.get().isOpen());
        });
        client.spawn("reader", () -> {
            ch.set(clientNio.openSocketChannel());
            ch.get().connect(SERVER);
            Exception e = assertThrows(Exception.class, () -> ch.get().read(ByteBuffer.allocate(8)));
            log("read " + e.getClass().getSimpleName());
        });
        client.spawn("closer", () -> {
            net.sleep(java.time.Duration.ofMillis(100));
            sel.get().close();
            net.sleep(java.time.Duration.ofMillis(100));
            ch.get().close();
        });
        net.runUntilDone(10_000);
        assertEquals(List.of("100 ms select 0 open false", "200 ms read AsynchronousCloseException"), log);
    }

    @Test
    void readinessFollowsTheStackEofErrorAndWritableRoom() {
        startEchoServer();
        client.spawn("app", () -> {
            try (SocketChannel ch = clientNio.openSocketChannel(); Selector sel = clientNio.openSelector()) {
                ch.connect(SERVER);
                ch.configureBlocking(false);
                SelectionKey k = ch.register(sel, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                sel.select();
                log("ready " + k.readyOps()); // writable at once, nothing to read
                sel.selectedKeys().clear();
                k.interestOps(SelectionKey.OP_READ);
                ch.shutdownOutput(); // the echo server sees EOF and closes: our read side gets its FIN
                sel.select();
                log("readable " + k.isReadable() + " read " + ch.read(ByteBuffer.allocate(8)));
            }
        });
        net.runUntilDone(10_000);
        assertEquals(List.of("10 ms ready 4", "20 ms readable true read -1"), log);
    }

    @Test
    void closedAndUnconnectedChannelsThrowTheJdksExceptionsAndOptionsMapLikeTheJdks() throws Exception {
        // the test's own thread (it made the network) may use channels: each blocking call runs the simulation
        SocketChannel ch = clientNio.openSocketChannel();
        assertThrows(NotYetConnectedException.class, () -> ch.read(ByteBuffer.allocate(1)));
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(ch.getOption(StandardSocketOptions.TCP_NODELAY));
        ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 30);
        assertEquals(30, ch.socket().getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        assertTrue(ch.socket().getTcpNoDelay());
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                () -> ch.setOption(StandardSocketOptions.SO_REUSEPORT, true));
        assertEquals("'SO_REUSEPORT' not supported", u.getMessage());
        SocketException inval = assertThrows(SocketException.class, () -> ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 0));
        assertEquals("Invalid argument", inval.getMessage());
        assertEquals(Errno.EINVAL, ((ErrnoCarrier) inval).errno());
        ch.configureBlocking(false);
        assertEquals("Socket is not connected", assertThrows(SocketException.class, () -> ch.socket().getInputStream()).getMessage());
        ch.close();
        assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> ch.getOption(StandardSocketOptions.TCP_NODELAY));
        assertThrows(UnsupportedOperationException.class, () -> ch.getOption(StandardSocketOptions.SO_REUSEPORT)); // checked first
        assertThrows(ClosedChannelException.class, () -> ch.connect(SERVER));
        assertTrue(ch.socket().isClosed());

        ServerSocketChannel ssc = serverNio.openServerSocketChannel();
        assertNull(ssc.getLocalAddress());
        ssc.bind(new InetSocketAddress(80));
        ssc.configureBlocking(false);
        assertNull(ssc.accept()); // nothing in the accept queue
        assertEquals(80, ssc.socket().getLocalPort());
        assertTrue(ssc.getOption(StandardSocketOptions.SO_REUSEADDR)); // set at creation, as the JDK does on Linux
        assertEquals("'IP_TOS' not supported", assertThrows(UnsupportedOperationException.class,
                () -> ssc.setOption(StandardSocketOptions.IP_TOS, 0)).getMessage()); // as the JDK's ServerSocketChannel
        ssc.close();
        assertEquals(0, net.nowNs());
    }

    @Test
    void blockingAcceptAndReadInTheDriverThreadAndAProcess() throws Exception {
        ServerSocketChannel ssc = serverNio.openServerSocketChannel().bind(new InetSocketAddress(7));
        client.spawn("app", () -> {
            try (SocketChannel ch = clientNio.openSocketChannel()) {
                ch.connect(SERVER);
                net.sleep(java.time.Duration.ofMillis(50));
                ch.write(bytes("late"));
            }
        });
        SocketChannel accepted = ssc.accept(); // the test's thread blocks: the simulation runs
        assertTrue(accepted.isBlocking());
        assertEquals(15, net.nowNs() / MS); // SYN at 5 ms, SYN-ACK back at 10, the handshake's ACK at 15 ms
        ByteBuffer b = ByteBuffer.allocate(8);
        assertEquals(4, accepted.read(b));
        assertEquals(65, net.nowNs() / MS);
        assertArrayEquals("late".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(b.array(), 4));
        accepted.close();
        ssc.close();
    }

    @Test
    void aThreadOfItsOwnIsRefusedAtOnceNamingTheFix() throws Exception {
        Selector sel = clientNio.openSelector();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("library-selector").start(() -> {
            try {
                sel.select(1000);
            } catch (Throwable e) {
                seen.set(e);
            }
        });
        t.join(10_000);
        assertFalse(t.isAlive());
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, seen.get());
        assertTrue(e.getMessage().startsWith("synack NIO: thread 'library-selector' is not a simulated process"), e.getMessage());
        assertTrue(e.getMessage().contains("RealtimeRuntime"), e.getMessage());
        sel.close();
    }

    @Test
    void aSelectorFindsACrashedPeerByKeepaliveAtTheLinuxTime() {
        startEchoServer();
        client.spawn("app", () -> {
            try (SocketChannel ch = clientNio.openSocketChannel(); Selector sel = clientNio.openSelector()) {
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 10);
                ch.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 5);
                ch.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
                ch.connect(SERVER);
                ch.write(bytes("ping"));
                ch.read(ByteBuffer.allocate(4));
                log("echoed");
                server.crash(); // no FIN, no RST: only keepalive can tell
                ch.configureBlocking(false);
                SelectionKey k = ch.register(sel, SelectionKey.OP_READ);
                log("select " + sel.select() + " readable " + k.isReadable());
                IOException e = assertThrows(IOException.class, () -> ch.read(ByteBuffer.allocate(4)));
                log(e.getMessage() + " " + ((ErrnoCarrier) e).errno());
            }
        });
        net.runUntilDone(100_000);
        assertEquals(List.of(
                "20 ms echoed",
                // idle 10 s after the last segment (the ACK of the echo, at 20 ms), then 3 probes 5 s apart, unanswered:
                // ETIMEDOUT at 10 + 3 × 5 = 25 s after it; POLLERR makes the key readable, the read reports the error
                "25020 ms select 1 readable true",
                "25020 ms Connection timed out ETIMEDOUT"), log);
    }

    @Test
    void aMegabyteThroughTheEchoServerWithHeapAndDirectBuffersWhileAnotherProcessReads() throws Exception {
        startEchoServer();
        byte[] data = new byte[1 << 20];
        new java.util.Random(3).nextBytes(data);
        AtomicReference<SocketChannel> shared = new AtomicReference<>();
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        client.spawn("writer", () -> {
            SocketChannel ch = clientNio.openSocketChannel();
            ch.connect(SERVER);
            shared.set(ch);
            ch.write(ByteBuffer.wrap(data, 0, data.length / 2));                                    // heap
            ByteBuffer direct = ByteBuffer.allocateDirect(data.length / 2).put(data, data.length / 2, data.length / 2).flip();
            ch.write(direct);                                                                      // direct: staged
            log("written");
        });
        client.spawn("reader", () -> {
            while (shared.get() == null) net.sleep(java.time.Duration.ofMillis(1));
            SocketChannel ch = shared.get();
            ByteBuffer heap = ByteBuffer.allocate(7000), direct = ByteBuffer.allocateDirect(5000);
            while (got.size() < data.length) {
                ByteBuffer b = got.size() % 2 == 0 ? heap : direct;
                b.clear();
                int n = ch.read(b);
                if (n < 0) break;
                b.flip();
                byte[] chunk = new byte[n];
                b.get(chunk);
                got.write(chunk);
            }
            ch.close();
        });
        net.runUntilDone(60_000);
        assertEquals(List.of("written"), log.stream().map(l -> l.substring(l.indexOf("ms ") + 3)).toList());
        assertArrayEquals(data, got.toByteArray());
    }

    @Test
    void selectorLoopsOnBothSidesGiveTheSamePacketsForTheSameSeed() {
        List<String> first = new NioLabTest().manyConnectionsStory(), second = new NioLabTest().manyConnectionsStory();
        assertTrue(first.size() > 100, "packets: " + first.size());
        assertEquals(first, second);
    }

    /**
     * Six non-blocking connections from one selector loop to the echo server's, each sending a different
     * amount; every packet of the run, with its time.
     */
    List<String> manyConnectionsStory() {
        startEchoServer();
        client.spawn("loop", () -> {
            try (Selector sel = clientNio.openSelector()) {
                int open = 6;
                for (int i = 1; i <= open; i++) {
                    SocketChannel ch = clientNio.openSocketChannel();
                    ch.configureBlocking(false);
                    ch.connect(SERVER);
                    ByteBuffer out = ByteBuffer.allocate(3000 * i);
                    ch.register(sel, SelectionKey.OP_CONNECT, new ByteBuffer[] {out, ByteBuffer.allocate(out.capacity())});
                }
                while (open > 0) {
                    sel.select();
                    for (Iterator<SelectionKey> it = sel.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey k = it.next();
                        it.remove();
                        SocketChannel ch = (SocketChannel) k.channel();
                        ByteBuffer[] bufs = (ByteBuffer[]) k.attachment();
                        if (k.isConnectable() && ch.finishConnect()) k.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
                        if (k.isValid() && k.isWritable()) {
                            ch.write(bufs[0]);
                            if (!bufs[0].hasRemaining()) k.interestOps(SelectionKey.OP_READ);
                        }
                        if (k.isValid() && k.isReadable()) {
                            ch.read(bufs[1]);
                            if (!bufs[1].hasRemaining()) {
                                ch.close();
                                open--;
                            }
                        }
                    }
                }
                log("all echoed");
            }
        });
        net.runUntilDone(60_000);
        assertEquals(1, log.size(), "the story ends: " + log);
        List<String> packets = new ArrayList<>();
        for (var p : net.trace().events(dev.synack.trace.TraceEvent.Packet.class)) {
            packets.add(p.timeNs() + " " + java.util.HexFormat.of().formatHex(p.bytes()));
        }
        return packets;
    }

    static ByteBuffer bytes(String s) { return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)); }

    static String text(ByteBuffer b) { return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII); }

}
