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
 * Both sides close at the same instant (RFC 9293 §3.6, Figure 13): the FINs cross, each arrives in
 * FIN_WAIT1 and is ACKed at once (tcp_fin: "simultaneous close", tcp_send_ack) → CLOSING; the ACK
 * of its own FIN takes each side to TIME_WAIT, which lasts 60 s.
 */
final class SimultaneousClose implements Scenario {
    static final long CLOSE_AT_MS = 100;

    @Override
    public String name() { return "simultaneous-close"; }

    @Override
    public String situation() { return "both close at once"; }

    @Override
    public String linux() { return "crossing FINs: both FIN_WAIT_1→CLOSING→TIME_WAIT, ACKed at once, TIME_WAIT 60 s on both sides"; }

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
                Story.sleepUntil(net, t0);
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
        String half = Story.time(r / 2);
        return new Outcome(name(), net, "close() " + n.get("client close()"), n.ns("client close()"), List.of(
                Check.of("close() on both sides", "ok ok", n.get("client close()") + " " + n.get("server close()")),
                Check.of("client segments", List.of("client F. 1:1(0) ack 1 at 0.000 ms", "client . 2:2(0) ack 2 at " + half),
                        w.stream().filter(g -> g.host().equals("client")).map(SegmentLog.Seg::briefAt).toList()),
                Check.of("server segments", List.of("server F. 1:1(0) ack 1 at 0.000 ms", "server . 2:2(0) ack 2 at " + half),
                        w.stream().filter(g -> g.host().equals("server")).map(SegmentLog.Seg::briefAt).toList()),
                Check.of("client states", "CLOSE→SYN_SENT→ESTABLISHED→FIN_WAIT1→CLOSING→TIME_WAIT→CLOSE", Story.states(net, "client", port[0])),
                Check.of("server states", "LISTEN→SYN_RECV→ESTABLISHED→FIN_WAIT1→CLOSING→TIME_WAIT→CLOSE", Story.states(net, "server", 80)),
                Check.of("CLOSING entered at (½ RTT), both", half + " " + half,
                        Story.entered(net, "client", TcpState.CLOSING, t0) + " " + Story.entered(net, "server", TcpState.CLOSING, t0)),
                Check.of("TIME_WAIT entered at (1 RTT), both", Story.time(r) + " " + Story.time(r),
                        Story.entered(net, "client", TcpState.TIME_WAIT, t0) + " " + Story.entered(net, "server", TcpState.TIME_WAIT, t0)),
                Check.of("CLOSE at (TIME_WAIT + 60 s), both", Story.time(r + 60 * S) + " " + Story.time(r + 60 * S),
                        Story.entered(net, "client", TcpState.CLOSE, t0) + " " + Story.entered(net, "server", TcpState.CLOSE, t0))));
    }
}
