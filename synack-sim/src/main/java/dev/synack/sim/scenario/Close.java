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
 * The four-way close (RFC 9293 §3.6, Figure 12). The client closes 100 ms after connecting; the
 * server reads EOF when the FIN arrives and closes at once, so its FIN carries the ACK of the
 * client's FIN (Linux delays that ACK: tcp_fin enters ping-pong mode, and before any data the
 * delayed ACK waits for the next tick, so the FIN sent meanwhile takes it along). The client
 * passes FIN_WAIT1 → FIN_WAIT2 → TIME_WAIT on that one segment and leaves TIME_WAIT after
 * TCP_TIMEWAIT_LEN (60 s); the server leaves LAST_ACK on the client's ACK.
 */
final class Close implements Scenario {
    static final long CLOSE_AT_MS = 100;

    @Override
    public String name() { return "close"; }

    @Override
    public String situation() { return "4-way close, TIME_WAIT"; }

    @Override
    public String linux() {
        return "closer FIN_WAIT_1→FIN_WAIT_2→TIME_WAIT (60 s)→CLOSED; the other side CLOSE_WAIT→LAST_ACK→CLOSED; "
                + "read() returns 0 (Java -1) on the FIN; the ACK of a FIN is delayed, so it rides on the peer's own FIN";
    }

    @Override
    public Outcome run(Knobs k) {
        Lab lab = Lab.of(k, 20);
        Network net = lab.net();
        long t0 = CLOSE_AT_MS * MS;
        Story.Notes n = new Story.Notes(net, t0);
        int[] port = {0};
        lab.server().spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(lab.server().kernel(), 80)) {
                TcpSocket s = ss.accept();
                n.call("server read()", () -> s.getInputStream().read(new byte[100]));
                n.call("server close()", () -> { s.close(); return null; });
            }
        });
        lab.client().spawn("client", () -> {
            TcpSocket s = new TcpSocket(lab.client().kernel(), new InetSocketAddress(lab.server().inetAddress(), 80));
            port[0] = s.getLocalPort();
            Story.sleepUntil(net, t0);
            n.call("client close()", () -> { s.close(); return null; });
        });
        net.runUntilDone(100_000);
        net.runFor(70_000);
        long r = lab.rttNs();
        var w = SegmentLog.sent(net, t0);
        return new Outcome(name(), net, "server read() " + n.get("server read()"), n.ns("server read()"), List.of(
                Check.of("server read() at the FIN", "returned -1", n.get("server read()")),
                Check.of("server read() returned at (½ RTT)", Story.time(r / 2), n.at("server read()")),
                Check.of("segments", List.of("client F. 1:1(0) ack 1", "server F. 1:1(0) ack 2", "client . 2:2(0) ack 2"),
                        w.stream().map(SegmentLog.Seg::brief).toList()),
                Check.of("segment times", Story.times(List.of(0L, r / 2, r)), w.stream().map(g -> Story.time(g.tNs())).toList()),
                Check.of("client states", "CLOSE→SYN_SENT→ESTABLISHED→FIN_WAIT1→FIN_WAIT2→TIME_WAIT→CLOSE",
                        Story.states(net, "client", port[0])),
                Check.of("client TIME_WAIT entered at", Story.time(r), Story.entered(net, "client", TcpState.TIME_WAIT, t0)),
                Check.of("client CLOSE at (TIME_WAIT + 60 s)", Story.time(r + 60 * S), Story.entered(net, "client", TcpState.CLOSE, t0)),
                Check.of("server states", "LISTEN→SYN_RECV→ESTABLISHED→CLOSE_WAIT→LAST_ACK→CLOSE", Story.states(net, "server", 80)),
                Check.of("server CLOSE at (1½ RTT)", Story.time(r * 3 / 2), Story.entered(net, "server", TcpState.CLOSE, t0))));
    }
}
