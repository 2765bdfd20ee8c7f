package dev.synack.tcp;

import dev.synack.stats.Counter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A listening socket (RFC 9293 LISTEN): a SYN queue of connections in SYN_RECV and an accept queue
 * of established ones waiting for accept(), bounded as Linux bounds them (inet_csk_listen_start,
 * sk_acceptq_is_full: the accept queue holds backlog + 1).
 */
public final class TcpListener {
    final TcpHost host;
    private final TcpDemux demux;
    final int localAddr, localPort;
    public final SocketOptions options;
    int backlog;
    final List<TcpConnection> synQueue = new ArrayList<>();
    final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    boolean closed;
    private Runnable observer;

    /** A listener of {@code host}; the demux creates it for listen(). */
    TcpListener(TcpHost host, TcpDemux demux, int localAddr, int localPort, int backlog, SocketOptions options) {
        this.host = host;
        this.demux = demux;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.options = options;
        setBacklog(backlog);
    }

    /** listen(backlog) again changes the bound, as Linux allows. */
    public void setBacklog(int backlog) {
        this.backlog = Math.max(0, Math.min(backlog, host.config().somaxconn));
    }

    public int localAddr() { return localAddr; }

    public int localPort() { return localPort; }

    /** Connections waiting for accept() (ss Recv-Q of a listener). */
    public int acceptQueueLength() { return acceptQueue.size(); }

    /** The backlog (ss Send-Q of a listener). */
    public int backlog() { return backlog; }

    /** Connections in SYN_RECV. */
    public int synQueueLength() { return synQueue.size(); }

    /** Registers the observer told when a connection is ready to accept. */
    public void setObserver(Runnable observer) { this.observer = observer; }

    /** The next established connection, or null when none is waiting. */
    public TcpConnection accept() {
        TcpConnection c = acceptQueue.poll();
        if (c != null) c.detachFromListener();
        return c;
    }

    private boolean acceptQueueFull() { return acceptQueue.size() > backlog; }

    /**
     * A SYN for this listener (tcp_conn_request).
     *
     * @return the new connection in SYN_RECV, for the demux table, or null when the SYN is dropped
     */
    TcpConnection onSyn(InSegment seg) {
        if (acceptQueueFull()) {
            // tcp_conn_request: a full accept queue drops the SYN (the client retransmits).
            host.counters().inc(Counter.TcpExtListenOverflows);
            host.counters().inc(Counter.TcpExtListenDrops);
            return null;
        }
        if (synQueue.size() >= host.config().tcpMaxSynBacklog) {
            host.counters().inc(Counter.TcpExtListenDrops);
            return null;
        }
        TcpConnection c = new TcpConnection(host, demux, options.copy());
        synQueue.add(c);
        c.acceptSyn(this, seg);
        return c;
    }

    /** Whether the listener was closed. */
    public boolean isClosed() { return closed; }

    /** The host lost its state (crash): forget the queued connections without a word. */
    void forget() {
        closed = true;
        observer = null;
        for (TcpConnection c : synQueue) c.forget();
        for (TcpConnection c : acceptQueue) c.forget();
        synQueue.clear();
        acceptQueue.clear();
    }

    void childEstablished(TcpConnection c) {
        synQueue.remove(c);
        if (acceptQueueFull()) {
            // tcp_check_req with a full queue: the final ACK is dropped; the SYN-ACK timer retries later.
            // We model the common outcome: the client's connection stays ESTABLISHED, ours is dropped.
            host.counters().inc(Counter.TcpExtListenOverflows);
            host.counters().inc(Counter.TcpExtListenDrops);
            c.detachFromListener();
            if (host.config().tcpAbortOnOverflow) c.abort();
            else c.done(null);
            return;
        }
        acceptQueue.add(c);
        notifyApp();
    }

    void childClosed(TcpConnection c) {
        synQueue.remove(c);
        // An accepted-but-not-yet-taken connection that closes stays in the queue: accept() returns it
        // and the application sees the reset or EOF, as on Linux.
    }

    /** close() of the listener: pending connections are reset (inet_csk_listen_stop). */
    public void close() {
        closed = true;
        for (TcpConnection c : new ArrayList<>(synQueue)) c.abort();
        synQueue.clear();
        for (TcpConnection c : acceptQueue) {
            c.detachFromListener();
            c.abort();
        }
        acceptQueue.clear();
        observer = null;
        demux.listenerClosed(this);
    }

    void notifyApp() {
        Runnable o = observer;
        if (o != null) o.run();
    }
}
