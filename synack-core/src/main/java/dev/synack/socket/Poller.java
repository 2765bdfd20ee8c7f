package dev.synack.socket;

import java.util.List;

/**
 * poll(2) for synack sockets: wait until one of several sockets is readable, writable, in error or
 * hung up, with a timeout. Events are {@link PosixSockets#POLLIN}, {@link PosixSockets#POLLOUT}, ... and
 * the result is what Linux's tcp_poll reports: after a refused non-blocking connect,
 * {@code POLLOUT|POLLERR|POLLHUP} for {@code POLLOUT}; at the peer's FIN, {@code POLLIN|POLLRDHUP};
 * POLLERR and POLLHUP are reported whether asked for or not.
 *
 * <pre>{@code
 * TcpSocket s = new TcpSocket(kernel);
 * if (!s.startConnect(new InetSocketAddress("198.18.0.2", 80))) {          // EINPROGRESS
 *     int[] rev = Poller.poll(List.of(new Poller.Interest(s, PosixSockets.POLLOUT)), 3000);
 *     if (rev[0] == 0) { ... timed out ... }
 *     Errno err = s.takeError();                                          // SO_ERROR: null = connected
 * }
 * }</pre>
 */
public final class Poller {
    private Poller() {}

    /** One socket and the events wanted from it (struct pollfd without the fd). */
    public record Interest(PollTarget target, int events) {}

    /**
     * Waits up to {@code timeoutMs} (−1 = forever, 0 = just look) for an event on one of the sockets,
     * which must all run on one runtime.
     *
     * @return each socket's revents, in the order given; all zero on timeout
     */
    public static int[] poll(List<Interest> interests, int timeoutMs) {
        if (interests.isEmpty()) throw new IllegalArgumentException("nothing to poll");
        KernelSocket[] socks = new KernelSocket[interests.size()];
        int[] events = new int[socks.length], revents = new int[socks.length];
        var rt = interests.getFirst().target().kernel().runtime();
        for (int i = 0; i < socks.length; i++) {
            Interest in = interests.get(i);
            if (in.target().kernel().runtime() != rt) throw new IllegalArgumentException("sockets of different runtimes");
            socks[i] = switch (in.target()) {
                case TcpSocket s -> s.ks;
                case TcpServerSocket s -> s.ks;
            };
            events[i] = in.events();
        }
        long timeoutNs = timeoutMs < 0 ? KernelSocket.FOREVER : timeoutMs * 1_000_000L;
        int n = KernelSocket.poll(rt, socks, events, revents, timeoutNs);
        socks[0].traceCall("poll(" + socks.length + ", " + timeoutMs + ")", n);
        return revents;
    }
}
