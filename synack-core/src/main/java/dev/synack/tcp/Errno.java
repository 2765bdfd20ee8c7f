package dev.synack.tcp;

import java.util.Optional;

/**
 * The Linux errno values a TCP user can see (include/uapi/asm-generic/errno*.h), with the message
 * strerror(3) gives. The socket layer maps them onto java.net exceptions.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    EINTR(4, "Interrupted system call"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    EACCES(13, "Permission denied"),
    EEXIST(17, "File exists"),
    EINVAL(22, "Invalid argument"),
    ENOTTY(25, "Inappropriate ioctl for device"),
    EPIPE(32, "Broken pipe"),
    ENOMSG(42, "No message of desired type"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    ENOPROTOOPT(92, "Protocol not available"),
    EOPNOTSUPP(95, "Operation not supported"),
    EADDRINUSE(98, "Address already in use"),
    EADDRNOTAVAIL(99, "Cannot assign requested address"),
    ENETDOWN(100, "Network is down"),
    ENETUNREACH(101, "Network is unreachable"),
    ECONNABORTED(103, "Software caused connection abort"),
    ECONNRESET(104, "Connection reset by peer"),
    EISCONN(106, "Transport endpoint is already connected"),
    ENOTCONN(107, "Transport endpoint is not connected"),
    ETIMEDOUT(110, "Connection timed out"),
    ECONNREFUSED(111, "Connection refused"),
    EHOSTUNREACH(113, "No route to host"),
    EFAULT(14, "Bad address"),
    EALREADY(114, "Operation already in progress"),
    EINPROGRESS(115, "Operation now in progress"),
    EMSGSIZE(90, "Message too long");

    private final int number;
    private final String message;

    Errno(int number, String message) {
        this.number = number;
        this.message = message;
    }

    /** The errno number on Linux x86-64. */
    public int number() { return number; }

    /** strerror(3)'s text. */
    public String message() { return message; }

    private static final Errno[] VALUES = values();

    /**
     * The errno whose Linux x86-64 number is {@code number} (positive, as in errno(3); a syscall-style
     * result {@code ret < 0} is {@code ofNumber(-ret)}), or empty for a number this enum does not
     * list. The one number-to-errno lookup: the socket layer, the packetdrill runner and the lab's
     * scenarios all use it.
     */
    public static Optional<Errno> ofNumber(int number) {
        for (Errno e : VALUES) if (e.number == number) return Optional.of(e);
        return Optional.empty();
    }
}
