package dev.synack.socket;

import dev.synack.runtime.WaitList;
import dev.synack.socket.SynackExceptions.Op;
import dev.synack.tcp.Errno;
import java.io.IOException;
import java.net.SocketException;
import java.util.Objects;

/**
 * What synack's java.nio channels ({@code dev.synack.nio}) need from the socket layer beyond the public
 * socket API: reads, writes and accepts that do not wait (or wait a given time) with syscall-style
 * results, the socket's readiness as tcp_poll reports it, waiters for a selector, and the JDK's
 * exception for an errno. Not meant for applications: they use {@link TcpSocket}, {@link TcpServerSocket}
 * and {@link Poller}.
 */
public final class ChannelSupport {
    private ChannelSupport() {}

    /** A timeout of "do not wait". */
    public static final long NONBLOCK = KernelSocket.NONBLOCK;
    /** A timeout of "wait forever". */
    public static final long FOREVER = KernelSocket.FOREVER;

    private static KernelSocket ks(PollTarget t) {
        return switch (Objects.requireNonNull(t)) {
            case TcpSocket s -> s.ks;
            case TcpServerSocket s -> s.ks;
        };
    }

    /** read(): bytes read, 0 at end of stream, −EAGAIN when nothing came within {@code timeoutNs}, or −errno. */
    public static int read(TcpSocket s, byte[] b, int off, int len, long timeoutNs) { return s.ks.read(b, off, len, timeoutNs); }

    /**
     * write(): bytes taken (a blocking write with {@link #FOREVER} takes them all), −EAGAIN when the
     * send buffer had no room within {@code timeoutNs}, or −errno.
     */
    public static int write(TcpSocket s, byte[] b, int off, int len, long timeoutNs) { return s.ks.write(b, off, len, timeoutNs); }

    /** accept(): the connection, or null with −errno in {@code err[0]} (−EAGAIN: none within the timeout). */
    public static TcpSocket accept(TcpServerSocket s, long timeoutNs, int[] err) {
        KernelSocket c = s.ks.accept(timeoutNs, err);
        if (c == null) return null;
        TcpSocket t = new TcpSocket(s.kernel, c);
        t.kernel.runtime().call(() -> {
            c.trace("accept()", 0, null);
            return null;
        });
        return t;
    }

    /**
     * The socket's poll mask ({@link PosixSockets#POLLIN}, POLLOUT, POLLERR, POLLHUP, POLLRDHUP,
     * POLLNVAL when closed), as Linux's tcp_poll reports it. Only with exclusive access (inside the
     * runtime's {@code call} or an {@code await} condition).
     */
    public static int pollMask(PollTarget t) { return ks(t).pollMask(); }

    /** Adds {@code w} to the socket's waiters (woken at each change of its state), with exclusive access. */
    public static void addWaiter(PollTarget t, WaitList w) { ks(t).addPoller(w); }

    /** Removes a waiter {@link #addWaiter} added, with exclusive access. */
    public static void removeWaiter(PollTarget t, WaitList w) { ks(t).removePoller(w); }

    /** The socket's pending error (SO_ERROR) without clearing it, or null; with exclusive access. */
    public static Errno pendingError(TcpSocket s) { return s.ks.conn == null ? null : s.ks.conn.pendingError(); }

    /** Which call an errno came from: the JDK maps it to a different exception for each. */
    public enum Call { CONNECT, READ, WRITE, BIND, OTHER }

    /**
     * The exception the JDK throws for {@code -ret} from {@code call} (a java.net exception carrying the
     * errno, {@link ErrnoCarrier}), and puts the failed call on the lab's trace.
     */
    public static SocketException exception(PollTarget t, Call call, String callText, int ret) {
        Errno e = SynackExceptions.errno(ret);
        SocketException ex = e == Errno.EBADF ? SynackExceptions.closed() : SynackExceptions.of(switch (call) {
            case CONNECT -> Op.CONNECT;
            case READ -> Op.READ;
            case WRITE -> Op.WRITE;
            case BIND -> Op.BIND;
            case OTHER -> Op.OTHER;
        }, e);
        trace(t, callText, ret, ex);
        return ex;
    }

    /** Puts a call and its result on the lab's trace (an AppCall event), as the socket classes do. */
    public static void trace(PollTarget t, String callText, int ret, IOException e) {
        KernelSocket k = ks(t);
        String ex = e == null ? null : e.getClass().getSuperclass().getSimpleName() + ": " + e.getMessage();
        k.rt.call(() -> {
            k.trace(callText, ret, ex);
            return null;
        });
    }
}
