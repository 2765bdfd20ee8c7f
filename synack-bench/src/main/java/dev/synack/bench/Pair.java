package dev.synack.bench;

import dev.synack.link.MemoryLink;
import dev.synack.stack.Stack;
import dev.synack.stats.Counter;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.time.VirtualScheduler;
import dev.synack.wire.Ipv4;

/** Two stacks on one virtual time line, joined by two zero-delay {@link MemoryLink}s, with one connection. */
final class Pair {
    static final int A = Ipv4.parse("198.18.0.1"), B = Ipv4.parse("198.18.0.2");
    final VirtualScheduler sched = new VirtualScheduler();
    final Stack a, b;
    final TcpListener listener;
    TcpConnection client, server;
    private final byte[] chunk = new byte[1 << 20];
    private final byte[] sink = new byte[1 << 20];

    Pair(int mtu, int bufBytes, boolean noDelay) {
        TcpConfig ca = new TcpConfig(), cb = new TcpConfig();
        for (TcpConfig c : new TcpConfig[] {ca, cb}) {
            c.tcpRmem = new int[] {4096, Math.max(bufBytes, 131072), 33554432};
            c.tcpWmem = new int[] {4096, Math.max(bufBytes, 16384), 33554432};
            c.somaxconn = 65535;
        }
        a = new Stack("a", sched, ca, 1);
        b = new Stack("b", sched, cb, 2);
        a.addInterface("eth0", A, 24, mtu, new MemoryLink(sched, b, 0, 3));
        b.addInterface("eth0", B, 24, mtu, new MemoryLink(sched, a, 0, 4));
        SocketOptions o = new SocketOptions();
        o.noDelay = noDelay;
        try {
            listener = b.listen(b.bind(0, 80, o), 65535);
        } catch (ErrnoException e) {
            throw new IllegalStateException(e);
        }
        client = connect(o);
        server = acceptOne();
    }

    TcpConnection connect(SocketOptions o) {
        try {
            return a.connect(null, B, 80, o);
        } catch (ErrnoException e) {
            throw new IllegalStateException(e);
        }
    }

    TcpConnection acceptOne() {
        TcpConnection s;
        while ((s = listener.accept()) == null) {
            if (!sched.runNext(Long.MAX_VALUE)) throw new IllegalStateException("handshake did not complete");
        }
        return s;
    }

    /** Moves {@code bytes} from client to server; returns the bytes moved. */
    long bulk(long bytes) {
        long sent = 0, got = 0;
        while (got < bytes) {
            if (sent < bytes) {
                int n = client.send(chunk, 0, (int) Math.min(chunk.length, bytes - sent));
                if (n > 0) sent += n;
            }
            int r;
            while ((r = server.receive(sink, 0, sink.length)) > 0) got += r;
            if (!sched.runNext(Long.MAX_VALUE) && client.unacked() == 0 && sent >= bytes && got < bytes) {
                throw new IllegalStateException("stalled");
            }
        }
        return got;
    }

    /** One 1-byte request and its 1-byte response. */
    void roundTrip() {
        client.send(chunk, 0, 1);
        while (server.receive(sink, 0, 1) != 1) sched.runNext(Long.MAX_VALUE);
        server.send(chunk, 0, 1);
        while (client.receive(sink, 0, 1) != 1) sched.runNext(Long.MAX_VALUE);
    }

    long dataSegmentsSent() { return a.counters().get(Counter.TcpOutSegs); }
}
