package dev.synack.packetdrill;

import dev.synack.tcp.TcpInfo;

/**
 * The socket calls a script makes, as file descriptors and errno results: each returns ≥ 0 or
 * {@code -errno}, and never blocks. A call that would wait returns {@code -EAGAIN} (connect:
 * {@code -EINPROGRESS}); the runner retries it while the script says it blocks. Options are named as
 * the script names them ({@code SOL_SOCKET}, {@code SO_REUSEADDR}); an option the layer does not
 * implement throws {@link UnsupportedOperationException} (the script fails as "unsupported", not as an
 * errno mismatch).
 */
public interface Syscalls {
    /** socket(AF_INET, SOCK_STREAM, IPPROTO_TCP). */
    int socket();

    /** bind() to the host's address and the script's port. */
    int bind(int fd);

    int listen(int fd, int backlog);

    /** accept(): a new fd, or -EAGAIN when no connection waits. */
    int accept(int fd);

    /** connect() to the script's address; -EINPROGRESS while the handshake runs. */
    int connect(int fd);

    /** The outcome of a connect in progress: 0 when established, -EINPROGRESS while waiting, or -errno. */
    int connectResult(int fd);

    /** read(): bytes read, 0 at end of stream, -EAGAIN when nothing is there. */
    long read(int fd, int len);

    /** write(): bytes taken, -EAGAIN when the send buffer is full. */
    long write(int fd, int len);

    int close(int fd);

    /** shutdown(): how is 0 (SHUT_RD), 1 (SHUT_WR) or 2 (SHUT_RDWR). */
    int shutdown(int fd, int how);

    /** setsockopt with an integer value (or a {onoff, linger} pair for SO_LINGER). */
    int setsockopt(int fd, String level, String name, long[] value);

    /** getsockopt: the value, or a negative errno. */
    long getsockopt(int fd, String level, String name);

    /** fcntl(F_SETFL) with O_NONBLOCK on or off. */
    int setNonBlocking(int fd, boolean on);

    /** Whether the fd has O_NONBLOCK. */
    boolean nonBlocking(int fd);

    /** poll() of one fd: the ready events (POLLIN 1, POLLOUT 4, POLLERR 8, POLLHUP 16, POLLRDHUP 0x2000). */
    int poll(int fd, int events);

    /** ioctl(SIOCINQ): bytes waiting to be read. */
    long inq(int fd);

    /** tcp_info of the connection behind {@code fd}, or null. */
    TcpInfo info(int fd);
}
