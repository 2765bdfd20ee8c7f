package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;
import static dev.synack.sim.scenario.Story.S;

import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpState;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * close() then the peer goes on: the client's socket is orphaned (no process holds it) in FIN_WAIT2,
 * and Linux destroys it tcp_fin_timeout (60 s) after it got there (tcp_rcv_state_process →
 * tcp_time_wait(TCP_FIN_WAIT2, tmo)). The server never closes; 70 s after the client's close it
 * writes, and the client's host, which has no socket for it, answers with a RST whose seq is the
 * segment's ACK and which has no ACK flag (RFC 9293 §3.10.7.1, tcp_v4_send_reset); the RST meets
 * the server in CLOSE_WAIT, so tcp_reset sets EPIPE and the server's next write fails with "Broken pipe".
 */
final class Orphan implements Scenario {
    static final long CLOSE_AT_MS = 100;
    static final long WRITE_AT_S = 70;

    @Override
    public String name() { return "orphan"; }

    @Override
    public String situation() { return "close() then the peer goes on"; }

    @Override
    public String linux() {
        return "an orphaned FIN_WAIT_2 socket is destroyed after tcp_fin_timeout (60 s); data arriving for a closed socket is answered with RST";
    }

    @Override
    public Outcome run(Knobs k) {
        Lab lab = Lab.of(k, 20);
        Network net = lab.net();
        long t0 = CLOSE_AT_MS * MS, r = lab.rttNs();
        Story.Notes n = new Story.Notes(net, t0);
        int[] port = {0};
        lab.server().spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(lab.server().kernel(), 80); TcpSocket s = ss.accept()) {
                Story.sleepUntil(net, t0 + WRITE_AT_S * S);
                n.call("server write", () -> { s.getOutputStream().write(new byte[100]); return null; });
                Story.sleepUntil(net, t0 + (WRITE_AT_S + 1) * S);
                n.call("server write again", () -> { s.getOutputStream().write(new byte[100]); return null; });
            }
        });
        lab.client().spawn("client", () -> {
            TcpSocket s = new TcpSocket(lab.client().kernel(), new InetSocketAddress(lab.server().inetAddress(), 80));
            port[0] = s.getLocalPort();
            Story.sleepUntil(net, t0);
            n.call("client close()", () -> { s.close(); return null; });
        });
        net.runUntilDone(200_000);
        net.runFor(1_000);
        long jiffy = 4 * MS; // the ACK of a FIN before any data leaves on the next tick (HZ=250)
        long fw2 = r + jiffy;
        long write = WRITE_AT_S * S;
        var w = SegmentLog.sent(net, t0);
        return new Outcome(name(), net, "server write " + n.get("server write again"), n.ns("server write again"), List.of(
                Check.of("segments", List.of(
                                "client F. 1:1(0) ack 1 at 0.000 ms",
                                "server . 1:1(0) ack 2 at " + Story.time(r / 2 + jiffy),
                                "server P. 1:101(100) ack 2 at " + Story.time(write),
                                "client R 2:2(0) at " + Story.time(write + r / 2)),
                        w.stream().map(SegmentLog.Seg::briefAt).toList()),
                Check.of("client states", "CLOSE→SYN_SENT→ESTABLISHED→FIN_WAIT1→FIN_WAIT2→CLOSE", Story.states(net, "client", port[0])),
                Check.of("client FIN_WAIT2 at", Story.time(fw2), Story.entered(net, "client", TcpState.FIN_WAIT2, t0)),
                Check.of("client CLOSE (tcp_fin_timeout 60 s later)", Story.time(fw2 + 60 * S),
                        Story.entered(net, "client", TcpState.CLOSE, t0)),
                Check.of("server write", "ok", n.get("server write")),
                // tcp_reset in CLOSE_WAIT sets sk_err = EPIPE.
                Check.of("server write after the RST", "SocketException: Broken pipe (EPIPE)", n.get("server write again")),
                Check.of("server states", "LISTEN→SYN_RECV→ESTABLISHED→CLOSE_WAIT→CLOSE", Story.states(net, "server", 80))));
    }
}
