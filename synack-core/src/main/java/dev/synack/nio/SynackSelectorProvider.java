package dev.synack.nio;

import dev.synack.socket.Kernel;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/**
 * java.nio over synack: {@link java.nio.channels.SocketChannel}s, {@link java.nio.channels.ServerSocketChannel}s
 * and {@link java.nio.channels.Selector}s on a synack host, so that code and libraries written against NIO
 * run over the simulated network unchanged.
 *
 * <p>Two ways in:
 * <ul>
 *   <li>Explicitly: {@code new SynackSelectorProvider(host.kernel())}, then {@code provider.openSocketChannel()},
 *       {@code provider.openSelector()}, ... (or hand the provider to a library that takes one: Netty's
 *       {@code NioIoHandler.newFactory(provider)} and {@code new NioSocketChannel(provider)}).</li>
 *   <li>JVM-wide: {@code -Djava.nio.channels.spi.SelectorProvider=dev.synack.nio.SynackSelectorProvider}, for a
 *       library that opens channels with {@code SocketChannel.open()} and {@code Selector.open()} (the JDK's
 *       HttpClient). This no-arg provider opens each channel and selector on {@link Kernel#current()} at that
 *       moment: the host of the simulated process, the kernel of {@code kernel.runAsCurrent(...)}, else
 *       {@link Kernel#setDefault}. Every NIO socket of the JVM is then a synack socket.</li>
 * </ul>
 *
 * <p>What runs in virtual time: NIO code in simulated processes ({@code host.spawn}) or on the thread that made
 * the network (a test method); a select with no ready key lets the simulation run, and its timeout is virtual
 * time. A library whose threads start through an Executor it is given (Netty's event loop groups) runs in
 * virtual time when that Executor spawns simulated processes ({@code command -> host.spawn("loop", command::run)}).
 * A thread a library starts for itself (HttpClient's selector manager) cannot be parked by the simulation: its
 * first call into a virtual-time host fails with an IllegalStateException naming the fix — run such libraries
 * over hosts on a {@link dev.synack.runtime.RealtimeRuntime}.
 *
 * <p>TCP over IPv4 only: datagram channels, pipes and Unix-domain channels throw UnsupportedOperationException.
 */
public class SynackSelectorProvider extends SelectorProvider {
    private final Kernel kernel;

    /** A provider on {@link Kernel#current()}, looked up at each open (for the system property). */
    public SynackSelectorProvider() { this.kernel = null; }

    /** A provider whose channels and selectors are on {@code kernel}. */
    public SynackSelectorProvider(Kernel kernel) { this.kernel = Objects.requireNonNull(kernel); }

    /** The kernel the next channel is opened on. */
    public Kernel kernel() { return kernel != null ? kernel : Kernel.current(); }

    @Override
    public DatagramChannel openDatagramChannel() { throw unsupported("DatagramChannel (UDP is not modelled)"); }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) { throw unsupported("DatagramChannel (UDP is not modelled)"); }

    @Override
    public Pipe openPipe() { throw unsupported("Pipe"); }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return new SynackSelector(this, Boundary.check(kernel().runtime()));
    }

    @Override
    public SynackServerSocketChannel openServerSocketChannel() throws IOException {
        Kernel k = kernel();
        Boundary.check(k.runtime());
        return new SynackServerSocketChannel(this, k);
    }

    @Override
    public SynackSocketChannel openSocketChannel() throws IOException {
        Kernel k = kernel();
        Boundary.check(k.runtime());
        return new SynackSocketChannel(this, k);
    }

    @Override
    public SynackSocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        checkFamily(family);
        return openSocketChannel();
    }

    @Override
    public SynackServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        checkFamily(family);
        return openServerSocketChannel();
    }

    private static void checkFamily(ProtocolFamily family) {
        Objects.requireNonNull(family);
        if (family != StandardProtocolFamily.INET) throw unsupported("protocol family " + family + " (synack is IPv4 only)");
    }

    private static UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("synack NIO: " + what + " is not supported; TCP SocketChannel,"
                + " ServerSocketChannel and Selector are");
    }

    @Override
    public String toString() { return "SynackSelectorProvider[" + (kernel != null ? kernel.name() : "current kernel") + "]"; }
}
