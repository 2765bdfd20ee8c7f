package dev.synack.socket;

import dev.synack.runtime.Runtime;
import dev.synack.stack.Stack;
import dev.synack.tcp.TcpConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A host's kernel as its applications reach it: a {@link Stack} driven by a {@link Runtime}, where
 * sockets are made ({@link TcpSocket}, {@link TcpServerSocket}, the factories, {@link #posix()}'s
 * system calls) and where their calls block. Several kernels may share one runtime (the two ends of a
 * test, a whole simulated network); every socket call goes through the runtime, so blocking code is
 * deterministic in a {@link dev.synack.runtime.VirtualRuntime} and works with real threads in a
 * {@link dev.synack.runtime.RealtimeRuntime}.
 *
 * <p>Make one with {@link #create} (a new stack) or {@code new Kernel(runtime, stack)}; the lab's
 * {@code Host.kernel()} and the TUN module's {@code TunStack.kernel()} hand out theirs. Join two in
 * memory with {@link dev.synack.testbed.Veth#connect}.
 */
public final class Kernel {
    private final Runtime runtime;
    private final Stack stack;
    private final PosixSockets posix;

    /** The kernel of {@code stack} on {@code runtime} (the stack must run on the runtime's scheduler). */
    public Kernel(Runtime runtime, Stack stack) {
        if (stack.scheduler() != runtime.scheduler()) {
            throw new IllegalArgumentException("stack " + stack.name() + " does not run on the runtime's scheduler");
        }
        this.runtime = runtime;
        this.stack = stack;
        this.posix = new PosixSockets(this);
    }

    /** A kernel with a new stack named {@code name}, Linux's default settings and a {@code seed} for its secrets. */
    public static Kernel create(Runtime runtime, String name, long seed) {
        return new Kernel(runtime, new Stack(name, runtime.scheduler(), new TcpConfig(), seed));
    }

    public Runtime runtime() { return runtime; }

    public Stack stack() { return stack; }

    /** The host's name (its stack's). */
    public String name() { return stack.name(); }

    /** The errno-returning, fd-based socket calls of this host. */
    public PosixSockets posix() { return posix; }

    /** The host's first address. */
    public InetAddress address() { return inet(stack.primaryAddress()); }

    /** An IPv4 address held in an int, as a java.net address. */
    public static InetAddress inet(int addr) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The IPv4 address as an int; IPv6 is not supported yet (EAFNOSUPPORT in Linux terms). */
    static int addr(InetAddress a) {
        if (!(a instanceof Inet4Address)) throw new IllegalArgumentException("only IPv4 addresses are supported: " + a);
        byte[] b = a.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    @Override
    public String toString() { return "Kernel[" + name() + "]"; }
}
