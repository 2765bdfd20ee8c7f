package dev.synack.tun;

import dev.synack.runtime.Runtime;
import dev.synack.runtime.WaitList;
import dev.synack.stack.Stack;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;

/** A blocking accept() on a synack listener (interim, like {@link BlockingConnection}). */
public final class BlockingListener implements AutoCloseable {
    private final Runtime runtime;
    private final TcpListener listener;
    private final WaitList waiters = new WaitList();

    private BlockingListener(Runtime runtime, TcpListener listener) {
        this.runtime = runtime;
        this.listener = listener;
        listener.setObserver(waiters::wakeAll);
    }

    /** bind() + listen() on every address of {@code stack}, port {@code port}. */
    public static BlockingListener listen(Runtime runtime, Stack stack, int port, int backlog, SocketOptions options)
            throws ErrnoException {
        Object r = runtime.call(() -> {
            try {
                return new BlockingListener(runtime, stack.listen(stack.bind(0, port, options), backlog));
            } catch (ErrnoException e) {
                return e;
            }
        });
        if (r instanceof ErrnoException e) throw e;
        return (BlockingListener) r;
    }

    public int port() { return listener.localPort(); }

    /** Waits up to {@code timeoutNs} for an established connection; null on timeout or once closed. */
    public BlockingConnection accept(long timeoutNs) throws InterruptedException {
        while (true) {
            BlockingConnection c = runtime.call(() -> {
                TcpConnection t = listener.accept();
                return t == null ? null : new BlockingConnection(runtime, t);
            });
            if (c != null) return c;
            boolean ready = runtime.await(waiters,
                    () -> listener.isClosed() || listener.acceptQueueLength() > 0, timeoutNs);
            if (!ready || runtime.call(listener::isClosed)) return null;
        }
    }

    /** Stops listening; connections not yet accepted are reset. */
    @Override
    public void close() {
        runtime.call(() -> {
            if (!listener.isClosed()) listener.close();
            return null;
        });
        runtime.call(() -> {
            waiters.wakeAll();
            return null;
        });
    }
}
