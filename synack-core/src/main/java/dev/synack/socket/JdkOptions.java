package dev.synack.socket;

import dev.synack.socket.SynackExceptions.Op;
import dev.synack.tcp.Errno;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Objects;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/**
 * {@code setOption}/{@code getOption} as the JDK's own TCP sockets on Linux do them (sun.nio.ch.NioSocketImpl
 * and jdk.net's LinuxSocketOptions): the same options, the same checks in the same order, the same
 * exception types and messages; every option maps to the kernel socket's setsockopt.
 *
 * <p>The JDK's Linux sockets also accept SO_REUSEPORT, which synack's engine does not model: it is not in
 * {@link #SOCKET} / {@link #SERVER} (libraries check {@code supportedOptions()} first), and setting it
 * throws UnsupportedOperationException "'SO_REUSEPORT' not supported" rather than being silently ignored.
 * IP_TOS is kept and reported back but not put on the wire (the IP layer sends TOS 0).
 */
final class JdkOptions {
    private JdkOptions() {}

    /** What {@code new java.net.Socket().supportedOptions()} lists on Linux (JDK 25), without SO_REUSEPORT. */
    static final Set<SocketOption<?>> SOCKET = Set.of(StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_LINGER,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.IP_TOS, ExtendedSocketOptions.TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT, ExtendedSocketOptions.TCP_QUICKACK,
            ExtendedSocketOptions.SO_INCOMING_NAPI_ID);

    /** What {@code new java.net.ServerSocket().supportedOptions()} lists on Linux (JDK 25), without SO_REUSEPORT. */
    static final Set<SocketOption<?>> SERVER = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.IP_TOS, ExtendedSocketOptions.TCP_KEEPIDLE, ExtendedSocketOptions.TCP_KEEPINTERVAL,
            ExtendedSocketOptions.TCP_KEEPCOUNT, ExtendedSocketOptions.TCP_QUICKACK, ExtendedSocketOptions.SO_INCOMING_NAPI_ID);

    /** Socket.setOption → NioSocketImpl.setOption. */
    static <T> void set(KernelSocket ks, boolean closed, Set<SocketOption<?>> supported, SocketOption<T> name, T value)
            throws IOException {
        Objects.requireNonNull(name);
        if (closed) throw SynackExceptions.isClosed();
        if (!supported.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
        if (!name.type().isInstance(value)) throw new IllegalArgumentException("Invalid value '" + value + "'");
        if (name == StandardSocketOptions.SO_LINGER) {
            int i = (Integer) value;
            check(ks.setLinger(i >= 0, Math.min(Math.max(i, 0), 65535)));
        } else if (name == StandardSocketOptions.IP_TOS) {
            int i = (Integer) value;
            if (i < 0 || i > 255) throw new IllegalArgumentException("Invalid IP_TOS value");
            ks.tos = i;
        } else if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
            int i = (Integer) value;
            if (i < 0) throw new IllegalArgumentException("Invalid send/receive buffer size");
            check(ks.setsockopt(PosixSockets.SOL_SOCKET,
                    name == StandardSocketOptions.SO_RCVBUF ? PosixSockets.SO_RCVBUF : PosixSockets.SO_SNDBUF, i));
        } else if (name == ExtendedSocketOptions.SO_INCOMING_NAPI_ID) {
            throw new SocketException("Attempt to set read only option " + name);
        } else {
            int[] o = intOption(name);
            int v = value instanceof Boolean b ? (b ? 1 : 0) : (Integer) value;
            check(ks.setsockopt(o[0], o[1], v));
        }
    }

    /** Socket.getOption → NioSocketImpl.getOption. */
    @SuppressWarnings("unchecked")
    static <T> T get(KernelSocket ks, boolean closed, Set<SocketOption<?>> supported, SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name);
        if (closed) throw SynackExceptions.isClosed();
        if (!supported.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
        Object v;
        if (name == StandardSocketOptions.SO_LINGER) {
            int[] l = ks.linger();
            if (l == null) throw SynackExceptions.isClosed();
            v = l[0] != 0 ? l[1] : -1;
        } else if (name == StandardSocketOptions.IP_TOS) {
            v = ks.tos;
        } else if (name == ExtendedSocketOptions.SO_INCOMING_NAPI_ID) {
            v = 0; // no NAPI: Linux reports 0
        } else {
            int[] o = intOption(name);
            int r = check(ks.getsockopt(o[0], o[1]));
            v = name.type() == Boolean.class ? (Object) (r != 0) : (Object) r;
        }
        return (T) v;
    }

    /** {level, optname} of an int- or boolean-valued option. */
    private static int[] intOption(SocketOption<?> name) {
        if (name == StandardSocketOptions.SO_KEEPALIVE) return new int[] {PosixSockets.SOL_SOCKET, PosixSockets.SO_KEEPALIVE};
        if (name == StandardSocketOptions.SO_REUSEADDR) return new int[] {PosixSockets.SOL_SOCKET, PosixSockets.SO_REUSEADDR};
        if (name == StandardSocketOptions.SO_RCVBUF) return new int[] {PosixSockets.SOL_SOCKET, PosixSockets.SO_RCVBUF};
        if (name == StandardSocketOptions.SO_SNDBUF) return new int[] {PosixSockets.SOL_SOCKET, PosixSockets.SO_SNDBUF};
        if (name == StandardSocketOptions.TCP_NODELAY) return new int[] {PosixSockets.IPPROTO_TCP, PosixSockets.TCP_NODELAY};
        if (name == ExtendedSocketOptions.TCP_KEEPIDLE) return new int[] {PosixSockets.IPPROTO_TCP, PosixSockets.TCP_KEEPIDLE};
        if (name == ExtendedSocketOptions.TCP_KEEPINTERVAL) return new int[] {PosixSockets.IPPROTO_TCP, PosixSockets.TCP_KEEPINTVL};
        if (name == ExtendedSocketOptions.TCP_KEEPCOUNT) return new int[] {PosixSockets.IPPROTO_TCP, PosixSockets.TCP_KEEPCNT};
        if (name == ExtendedSocketOptions.TCP_QUICKACK) return new int[] {PosixSockets.IPPROTO_TCP, PosixSockets.TCP_QUICKACK};
        throw new UnsupportedOperationException("'" + name + "' not supported");
    }

    /** A syscall-style result, or the JDK's SocketException for its errno ("Invalid argument" for EINVAL). */
    private static int check(int r) throws SocketException {
        if (r == -Errno.EBADF.number()) throw SynackExceptions.isClosed();
        if (r < 0) throw SynackExceptions.of(Op.OTHER, SynackExceptions.errno(r));
        return r;
    }
}
