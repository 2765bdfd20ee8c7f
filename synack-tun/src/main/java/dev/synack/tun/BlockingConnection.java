package dev.synack.tun;

import dev.synack.runtime.Runtime;
import dev.synack.runtime.WaitList;
import dev.synack.stack.Stack;
import dev.synack.tcp.Errno;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpState;

/**
 * A blocking handle on one synack connection for threads outside the stack (the TUN commands and
 * tests): each call takes the runtime's lock, and waits through {@link Runtime#await} on the
 * connection's {@link WaitList} when the stack has nothing for it yet. An interim helper until the
 * socket layer ({@code dev.synack.socket}) is there; it maps nothing onto java.net exceptions, it
 * reports Linux's errno.
 */
public final class BlockingConnection implements AutoCloseable {
    private final Runtime runtime;
    private final TcpConnection conn;
    private final WaitList waiters = new WaitList();

    /** Wraps {@code conn}; call with exclusive access (inside {@link Runtime#call}). */
    BlockingConnection(Runtime runtime, TcpConnection conn) {
        this.runtime = runtime;
        this.conn = conn;
        conn.setObserver(waiters::wakeAll);
    }

    /**
     * connect(): opens a connection from {@code stack} and waits until it is established or fails.
     *
     * @throws ErrnoException ECONNREFUSED (a RST answered the SYN), ETIMEDOUT (tcp_syn_retries), ENETUNREACH, …
     */
    public static BlockingConnection connect(Runtime runtime, Stack stack, int remoteAddr, int remotePort,
            SocketOptions options) throws ErrnoException, InterruptedException {
        Object r = runtime.call(() -> {
            try {
                return new BlockingConnection(runtime, stack.connect(null, remoteAddr, remotePort, options));
            } catch (ErrnoException e) {
                return e;
            }
        });
        if (r instanceof ErrnoException e) throw e;
        BlockingConnection c = (BlockingConnection) r;
        runtime.await(c.waiters, () -> c.conn.state() != TcpState.SYN_SENT, Long.MAX_VALUE);
        Errno err = runtime.call(() -> c.conn.state() == TcpState.CLOSE ? orElse(c.conn.takeError(), Errno.ECONNREFUSED) : null);
        if (err != null) throw new ErrnoException(err);
        return c;
    }

    private static Errno orElse(Errno e, Errno dflt) { return e != null ? e : dflt; }

    /** The connection itself, for calls made inside {@link Runtime#call}. */
    public TcpConnection connection() { return conn; }

    public TcpState state() { return runtime.call(conn::state); }

    /**
     * recv(): waits for data; returns bytes read, or 0 at end of stream.
     *
     * @throws ErrnoException ECONNRESET, ETIMEDOUT, … (the connection's error)
     */
    public int read(byte[] buf, int off, int len) throws ErrnoException, InterruptedException {
        return read(buf, off, len, Long.MAX_VALUE);
    }

    /** recv() with a timeout: -1 when nothing came within {@code timeoutNs}. */
    public int read(byte[] buf, int off, int len, long timeoutNs) throws ErrnoException, InterruptedException {
        if (len == 0) return 0;
        while (true) {
            int n = runtime.call(() -> conn.receive(buf, off, len));
            if (n >= 0) return n;
            if (n != -Errno.EAGAIN.number()) throw new ErrnoException(errno(-n));
            if (!runtime.await(waiters, conn::readable0, timeoutNs)) return -1;
        }
    }

    /**
     * send() of all of {@code len} bytes: waits for room in the send buffer as often as needed.
     *
     * @throws ErrnoException EPIPE, ECONNRESET, ETIMEDOUT, …
     */
    public void write(byte[] buf, int off, int len) throws ErrnoException, InterruptedException {
        int done = 0;
        while (done < len) {
            int from = off + done, left = len - done;
            int n = runtime.call(() -> conn.send(buf, from, left));
            if (n < 0) throw new ErrnoException(errno(-n));
            done += n;
            if (done < len) runtime.await(waiters, conn::writable, Long.MAX_VALUE);
        }
    }

    /** shutdown(SHUT_WR): a FIN after the queued data. */
    public void shutdownOutput() {
        runtime.call(conn::shutdownOutput);
    }

    /** Waits up to {@code timeoutNs} for the connection to reach {@code state}; returns whether it did. */
    public boolean awaitState(TcpState state, long timeoutNs) throws InterruptedException {
        return runtime.await(waiters, () -> conn.state() == state, timeoutNs);
    }

    /** close(): FIN after the queued data (or RST with unread data, as Linux). */
    @Override
    public void close() {
        runtime.call(() -> {
            conn.close();
            return null;
        });
    }

    /** close() with SO_LINGER {on, 0}: a RST. */
    public void abort() {
        runtime.call(() -> {
            conn.abort();
            return null;
        });
    }

    static Errno errno(int number) {
        for (Errno e : Errno.values()) if (e.number() == number) return e;
        return Errno.EINVAL;
    }
}
