package dev.synack.sim;

import dev.synack.runtime.WaitList;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.TcpState;
import dev.synack.wire.Ipv4;

/**
 * Blocking application calls over the raw engine API, for tests run inside simulated processes
 * (the socket layer will replace these): each parks the process on a WaitList set as the
 * connection's observer, so virtual time moves while it waits.
 */
final class Apps {
    private Apps() {}

    /** connect(): the SYN leaves now; returns once the handshake ends (0) or fails (-errno). */
    static TcpConnection connect(Network net, Host h, String dst, int port) throws ErrnoException {
        TcpConnection c = h.stack().connect(null, Ipv4.parse(dst), port, new SocketOptions());
        await(net, c, () -> c.state() != TcpState.SYN_SENT && c.state() != TcpState.SYN_RECV);
        return c;
    }

    static TcpListener listen(Host h, int port) throws ErrnoException {
        return h.stack().listen(h.stack().bind(0, port, new SocketOptions()), 16);
    }

    static TcpConnection accept(Network net, TcpListener l) {
        WaitList w = new WaitList();
        l.setObserver(w::wakeAll);
        net.runtime().await(w, () -> l.acceptQueueLength() > 0, Long.MAX_VALUE);
        return l.accept();
    }

    /** recv(): blocks until data, end of stream or an error; returns bytes, 0 or -errno. */
    static int read(Network net, TcpConnection c, byte[] buf) {
        await(net, c, c::readable0);
        return c.receive(buf, 0, buf.length);
    }

    /** send() of everything; returns bytes sent or -errno. */
    static int write(Network net, TcpConnection c, byte[] data) {
        int sent = 0;
        while (sent < data.length) {
            await(net, c, c::writable);
            int n = c.send(data, sent, data.length - sent);
            if (n < 0) return n;
            sent += n;
        }
        return sent;
    }

    static void await(Network net, TcpConnection c, java.util.function.BooleanSupplier ready) {
        WaitList w = new WaitList();
        c.setObserver(w::wakeAll);
        net.runtime().await(w, ready, Long.MAX_VALUE);
    }
}
