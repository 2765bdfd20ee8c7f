package dev.synack.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.runtime.RealtimeRuntime;
import dev.synack.socket.Kernel;
import dev.synack.testbed.Veth;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * synack's channels with real threads (a {@link RealtimeRuntime}, 1 ms one-way link): a close or an
 * interrupt from another thread ends a blocked call as the JDK's channels do, wakeup() ends a select, and
 * channels of another runtime are refused by a selector.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RealtimeChannelsTest {
    final RealtimeRuntime rt = new RealtimeRuntime();
    final Kernel a = Kernel.create(rt, "a", 1), b = Kernel.create(rt, "b", 2);
    final SynackSelectorProvider aNio = new SynackSelectorProvider(a), bNio = new SynackSelectorProvider(b);

    RealtimeChannelsTest() {
        Veth.connect(a, "198.18.0.1", b, "198.18.0.2", 24, 1_000_000);
    }

    @AfterEach
    void close() { rt.close(); }

    /** A connected pair: [client on a, accepted on b]. */
    SocketChannel[] pair() throws Exception {
        ServerSocketChannel ssc = bNio.openServerSocketChannel().bind(new InetSocketAddress(7));
        SocketChannel c = aNio.openSocketChannel();
        c.connect(new InetSocketAddress("198.18.0.2", 7));
        SocketChannel s = ssc.accept();
        ssc.close();
        return new SocketChannel[] {c, s};
    }

    @Test
    void aCloseFromAnotherThreadEndsABlockedRead() throws Exception {
        SocketChannel[] p = pair();
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                p[0].read(ByteBuffer.allocate(8));
                seen.complete(null);
            } catch (Throwable e) {
                seen.complete(e);
            }
        });
        while (reader.getState() != Thread.State.WAITING && reader.getState() != Thread.State.TIMED_WAITING) Thread.onSpinWait();
        p[0].close();
        assertInstanceOf(AsynchronousCloseException.class, seen.get(10, TimeUnit.SECONDS));
        p[1].close();
    }

    @Test
    void anInterruptClosesTheChannelOfABlockedRead() throws Exception {
        SocketChannel[] p = pair();
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                int n = p[0].read(ByteBuffer.allocate(8));
                seen.complete(new AssertionError("read returned " + n + " open " + p[0].isOpen()));
            } catch (Throwable e) {
                seen.complete(e);
            }
        });
        while (reader.getState() != Thread.State.WAITING && reader.getState() != Thread.State.TIMED_WAITING) Thread.onSpinWait();
        reader.interrupt();
        Throwable t = seen.get(10, TimeUnit.SECONDS);
        assertInstanceOf(ClosedByInterruptException.class, t, String.valueOf(t));
        assertFalse(p[0].isOpen());
        p[1].close();
    }

    @Test
    void wakeupFromAnotherThreadEndsASelectAndSelectTimesOut() throws Exception {
        SocketChannel[] p = pair();
        p[0].configureBlocking(false);
        try (Selector sel = aNio.openSelector()) {
            p[0].register(sel, SelectionKey.OP_READ);
            long t0 = System.nanoTime();
            assertEquals(0, sel.select(50));
            assertTrue(System.nanoTime() - t0 >= 50_000_000L);
            CompletableFuture<Integer> selected = CompletableFuture.supplyAsync(() -> {
                try {
                    return sel.select();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread waker = Thread.ofPlatform().start(() -> {
                while (!selected.isDone()) sel.wakeup();
            });
            assertEquals(0, selected.get(10, TimeUnit.SECONDS));
            waker.join();
            sel.selectNow(); // clears a wake-up the waker made after the select returned
            p[1].write(ByteBuffer.wrap(new byte[] {42}));
            assertEquals(1, sel.select(10_000));
            assertEquals(SelectionKey.OP_READ, sel.selectedKeys().iterator().next().readyOps());
        }
        p[0].close();
        p[1].close();
    }

    @Test
    void selectorsAndAddressesAreChecked() throws Exception {
        SocketChannel c = aNio.openSocketChannel();
        c.configureBlocking(false);
        try (RealtimeRuntime other = new RealtimeRuntime();
                Selector foreign = new SynackSelectorProvider(Kernel.create(other, "x", 3)).openSelector();
                Selector jdks = Selector.open()) {
            assertThrows(IllegalSelectorException.class, () -> c.register(foreign, SelectionKey.OP_READ));
            assertThrows(IllegalSelectorException.class, () -> c.register(jdks, SelectionKey.OP_READ));
        }
        assertThrows(UnresolvedAddressException.class, () -> c.connect(InetSocketAddress.createUnresolved("nowhere", 80)));
        assertThrows(UnsupportedAddressTypeException.class, () -> c.connect(new InetSocketAddress("::1", 80)));
        assertThrows(UnsupportedOperationException.class, () -> aNio.openDatagramChannel());
        c.close();
    }
}
