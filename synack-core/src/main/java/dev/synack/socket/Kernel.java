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
 *
 * <h2>Names</h2>
 * The factories' {@code createSocket(String host, ...)} resolve names with the kernel's {@link Resolver}
 * ({@link #resolve}): the JDK's (the machine's DNS) unless {@link #setResolver} installed another; the
 * lab's hosts resolve with their network's name table, and never reach the machine's DNS.
 *
 * <h2>The current kernel</h2>
 * Code that builds a socket factory by class name (a JDBC driver's {@code socketFactory=} property) calls
 * the factories' no-arg constructors, which bind to {@link #current()}: the kernel bound on the calling
 * thread by {@link #runAsCurrent}/{@link #callAsCurrent} (the lab binds a host's kernel around each of
 * its processes), else the process-wide default ({@link #setDefault}).
 */
public final class Kernel {
    private final Runtime runtime;
    private final Stack stack;
    private final PosixSockets posix;
    private volatile Resolver resolver = Resolver.JDK;

    private static final ScopedValue<Kernel> CURRENT = ScopedValue.newInstance();
    private static volatile Kernel defaultKernel;

    /** Turns a host name into addresses, as the kernel's applications see names. */
    @FunctionalInterface
    public interface Resolver {
        /** The JDK's resolver: {@link InetAddress#getByName} (the machine's hosts file and DNS). */
        Resolver JDK = InetAddress::getByName;

        /** The address of {@code host} (a name or a literal); UnknownHostException if it has none. */
        InetAddress resolve(String host) throws UnknownHostException;
    }

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

    /** Replaces the resolver {@link #resolve} uses (the default is {@link Resolver#JDK}). */
    public void setResolver(Resolver resolver) { this.resolver = java.util.Objects.requireNonNull(resolver); }

    public Resolver resolver() { return resolver; }

    /**
     * {@code host} as this kernel's applications resolve it (the factories' {@code createSocket(String, ...)}):
     * an IPv4 literal as is, anything else through the {@link #setResolver resolver}; {@code null} is the
     * loopback address, as for InetAddress.getByName.
     */
    public InetAddress resolve(String host) throws UnknownHostException {
        if (host == null || host.isEmpty()) return InetAddress.getLoopbackAddress();
        if (isIpv4Literal(host)) return InetAddress.getByName(host);
        return resolver.resolve(host);
    }

    private static boolean isIpv4Literal(String s) {
        int dots = 0, digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (digits == 0) return false;
                dots++;
                digits = 0;
            } else if (c >= '0' && c <= '9' && ++digits <= 3) {
                // a digit
            } else {
                return false;
            }
        }
        return dots == 3 && digits > 0;
    }

    // ---- the current kernel ----------------------------------------------------------------------

    /**
     * The kernel bound on this thread ({@link #runAsCurrent}, {@link #callAsCurrent}; in the lab, the
     * host of the running process), else the default ({@link #setDefault}).
     *
     * @throws IllegalStateException when neither is set
     */
    public static Kernel current() {
        if (CURRENT.isBound()) return CURRENT.get();
        Kernel k = defaultKernel;
        if (k == null) {
            throw new IllegalStateException("no current synack kernel on thread " + Thread.currentThread().getName()
                    + ": run the code in a simulated process (Host.spawn), inside kernel.runAsCurrent(...), "
                    + "or set Kernel.setDefault(kernel)");
        }
        return k;
    }

    /** Runs {@code body} with this kernel as {@link #current()} on this thread (and only for its duration). */
    public void runAsCurrent(Runnable body) { ScopedValue.where(CURRENT, this).run(body); }

    /** Calls {@code body} with this kernel as {@link #current()} on this thread, and returns its result. */
    public <T, X extends Throwable> T callAsCurrent(ScopedValue.CallableOp<? extends T, X> body) throws X {
        return ScopedValue.where(CURRENT, this).call(body);
    }

    /**
     * The kernel {@link #current()} falls back to on threads that have none bound (threads of a library,
     * a test's own thread); {@code null} clears it. Process-wide: tests that set it should clear it.
     */
    public static void setDefault(Kernel kernel) { defaultKernel = kernel; }

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
