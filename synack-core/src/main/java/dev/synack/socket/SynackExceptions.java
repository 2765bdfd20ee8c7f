package dev.synack.socket;

import dev.synack.tcp.Errno;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * The java.net exceptions of synack sockets, each carrying its errno, and the mapping from errno to
 * exception as the JDK's NioSocketImpl and Net (sun/nio/ch/Net.c handleSocketError) make it on Linux.
 * The mapping depends on the call, as in the JDK:
 *
 * <ul>
 *   <li>connect: ECONNREFUSED and ETIMEDOUT → ConnectException, EHOSTUNREACH → NoRouteToHostException,
 *       EADDRINUSE/EADDRNOTAVAIL → BindException, anything else → SocketException; the message is
 *       strerror's ("Connection refused", "Connection timed out", "No route to host", "Network is
 *       unreachable").</li>
 *   <li>read: ECONNRESET → SocketException "Connection reset" (the JDK's ConnectionResetException,
 *       and every later read says the same); other errors → SocketException with strerror's text.</li>
 *   <li>write: SocketException with strerror's text: "Connection reset by peer" for the first write
 *       after a RST, "Broken pipe" after that.</li>
 *   <li>bind: BindException "Address already in use" / "Cannot assign requested address".</li>
 * </ul>
 */
public final class SynackExceptions {
    private SynackExceptions() {}

    /** java.net.ConnectException with its errno. */
    public static final class SynackConnectException extends ConnectException implements ErrnoCarrier {
        private final Errno errno;

        public SynackConnectException(Errno errno, String message) {
            super(message);
            this.errno = errno;
        }

        @Override
        public Errno errno() { return errno; }
    }

    /** java.net.SocketTimeoutException with its errno. */
    public static final class SynackSocketTimeoutException extends SocketTimeoutException implements ErrnoCarrier {
        private final Errno errno;

        public SynackSocketTimeoutException(Errno errno, String message) {
            super(message);
            this.errno = errno;
        }

        @Override
        public Errno errno() { return errno; }
    }

    /** java.net.SocketException with its errno. */
    public static final class SynackSocketException extends SocketException implements ErrnoCarrier {
        private final Errno errno;

        public SynackSocketException(Errno errno, String message) {
            super(message);
            this.errno = errno;
        }

        @Override
        public Errno errno() { return errno; }
    }

    /** java.net.NoRouteToHostException with its errno. */
    public static final class SynackNoRouteToHostException extends NoRouteToHostException implements ErrnoCarrier {
        private final Errno errno;

        public SynackNoRouteToHostException(Errno errno, String message) {
            super(message);
            this.errno = errno;
        }

        @Override
        public Errno errno() { return errno; }
    }

    /** java.net.BindException with its errno. */
    public static final class SynackBindException extends BindException implements ErrnoCarrier {
        private final Errno errno;

        public SynackBindException(Errno errno, String message) {
            super(message);
            this.errno = errno;
        }

        @Override
        public Errno errno() { return errno; }
    }

    /** The call an errno came from: the JDK maps errors differently for each. */
    enum Op { CONNECT, READ, WRITE, BIND, OTHER }

    /** The errno whose value is {@code -ret} (a negative syscall-style result). */
    static Errno errno(int ret) {
        return Errno.ofNumber(-ret).orElseThrow(() -> new IllegalArgumentException("unknown errno " + -ret));
    }

    /** The exception the JDK throws for {@code errno} from {@code op}. */
    static SocketException of(Op op, Errno errno) {
        String msg = errno.message();
        return switch (op) {
            case CONNECT -> switch (errno) {
                case ECONNREFUSED, ETIMEDOUT -> new SynackConnectException(errno, msg);
                case EHOSTUNREACH -> new SynackNoRouteToHostException(errno, msg);
                // The JDK's Net.c handleSocketError maps EACCES (e.g. a prohibit route) to BindException.
                case EADDRINUSE, EADDRNOTAVAIL, EACCES -> new SynackBindException(errno, msg);
                default -> new SynackSocketException(errno, msg);
            };
            case BIND -> switch (errno) {
                case EADDRINUSE, EADDRNOTAVAIL -> new SynackBindException(errno, msg);
                default -> new SynackSocketException(errno, msg);
            };
            case READ -> errno == Errno.ECONNRESET ? new SynackSocketException(errno, "Connection reset")
                    : new SynackSocketException(errno, msg);
            case WRITE, OTHER -> errno == Errno.EHOSTUNREACH && op == Op.OTHER
                    ? new SynackNoRouteToHostException(errno, msg) : new SynackSocketException(errno, msg);
        };
    }

    /** SocketException "Socket closed" (EBADF): the socket was closed, possibly by another thread. */
    static SocketException closed() { return new SynackSocketException(Errno.EBADF, "Socket closed"); }

    /** SocketException "Socket is closed", the check java.net.Socket makes before any call. */
    static SocketException isClosed() { return new SynackSocketException(Errno.EBADF, "Socket is closed"); }
}
