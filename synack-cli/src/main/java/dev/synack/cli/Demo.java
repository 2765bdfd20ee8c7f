package dev.synack.cli;

import dev.synack.link.MemoryLink;
import dev.synack.stack.Stack;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.time.VirtualScheduler;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Decoded;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpSegment;
import java.io.PrintStream;

/**
 * {@code synack demo}: two hosts joined by an in-memory wire (10 ms each way) open a connection,
 * move 20 KB, and close it, in virtual time; every segment and state change is printed as it happens.
 */
public final class Demo {
    private Demo() {}

    /** Runs the demo, printing to {@code out}; returns the process exit code. */
    public static int run(PrintStream out) {
        long wallStart = System.nanoTime();
        var sched = new VirtualScheduler();
        int addrA = Ipv4.parse("198.18.0.1"), addrB = Ipv4.parse("198.18.0.2");
        var client = new Stack("client", sched, new TcpConfig(), 1);
        var server = new Stack("server", sched, new TcpConfig(), 2);
        client.addInterface("eth0", addrA, 24, 1500, new MemoryLink(sched, server, 10_000_000, 1));
        server.addInterface("eth0", addrB, 24, 1500, new MemoryLink(sched, client, 10_000_000, 2));
        client.setTracer(e -> print(out, e));
        server.setTracer(e -> print(out, e));
        out.println("synack demo: client 198.18.0.1 and server 198.18.0.2, 10 ms one way, virtual time");
        out.println();
        try {
            TcpListener listener = server.listen(server.bind(0, 80, new SocketOptions()), 16);
            TcpConnection c = client.connect(null, addrB, 80, new SocketOptions());
            sched.advance(30_000_000);
            TcpConnection s = listener.accept();
            byte[] data = new byte[20_000];
            int sent = c.send(data, 0, data.length);
            out.printf("%10.3f  client app: send(20000) = %d%n", sched.nowNs() / 1e9, sent);
            sched.advance(200_000_000);
            byte[] buf = new byte[65536];
            int got = s.receive(buf, 0, buf.length);
            out.printf("%10.3f  server app: recv() = %d%n", sched.nowNs() / 1e9, got);
            c.close();
            out.printf("%10.3f  client app: close()%n", sched.nowNs() / 1e9);
            sched.advance(100_000_000);
            out.printf("%10.3f  server app: recv() = %d (end of stream)%n", sched.nowNs() / 1e9, s.receive(buf, 0, buf.length));
            s.close();
            out.printf("%10.3f  server app: close()%n", sched.nowNs() / 1e9);
            sched.advance(61_000_000_000L);
        } catch (ErrnoException e) {
            out.println("demo failed: " + e.getMessage());
            return 1;
        }
        out.println();
        out.println("client counters: " + client.counters());
        out.println("server counters: " + server.counters());
        out.printf("%.3f s of virtual time in %.0f ms of wall time%n", sched.nowNs() / 1e9, (System.nanoTime() - wallStart) / 1e6);
        return 0;
    }

    private static void print(PrintStream out, TraceEvent e) {
        switch (e) {
            case TraceEvent.Packet p when p.outbound() -> {
                int hl = Ipv4.headerLength(p.bytes(), 0);
                if (TcpSegment.decode(p.bytes(), hl, p.bytes().length - hl) instanceof Decoded.Ok<TcpSegment>(TcpSegment seg)) {
                    String arrow = p.host().equals("client") ? "client ──► server" : "client ◄── server";
                    out.printf("%10.3f  %s  %s%n", p.timeNs() / 1e9, arrow, seg);
                }
            }
            case TraceEvent.StateChange sc ->
                    out.printf("%10.3f  %s: %s → %s%n", sc.timeNs() / 1e9, sc.host(), sc.from(), sc.to());
            case TraceEvent.TimerFired t -> out.printf("%10.3f  %s: %s timer%n", t.timeNs() / 1e9, t.host(), t.timer());
            default -> {
            }
        }
    }
}
