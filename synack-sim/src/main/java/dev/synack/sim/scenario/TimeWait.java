package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;
import static dev.synack.sim.scenario.Story.S;

import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpState;
import dev.synack.time.Timer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

/**
 * TIME_WAIT's two jobs (RFC 9293 §3.6.1, 2MSL): the server closes first, so it ends in TIME_WAIT; its
 * last ACK is lost (a one-way partition while it flies), so the client in LAST_ACK retransmits its
 * FIN after its RTO — srtt + max(2·srtt, 200 ms) after one RTT sample (tcp_rtt_estimator, tcp_set_rto;
 * the tail loss probe, 2·srtt + 200 ms for one packet, is later; when it comes is judged by the
 * recorded Linux run, the checks take it from the run) — and the TIME_WAIT socket ACKs it
 * again and restarts its 60 s (tcp_timewait_state_process). Meanwhile a new listener on port 80 gets
 * EADDRINUSE from bind(), unless it and the old socket both have SO_REUSEADDR (inet_bind_conflict).
 */
final class TimeWait implements Scenario {
    static final long CLOSE_AT_MS = 100;
    static final long BIND_AT_MS = 2_000;

    @Override
    public String name() { return "time-wait"; }

    @Override
    public String situation() { return "2MSL, lost last ACK"; }

    @Override
    public String linux() {
        return "the peer in LAST_ACK retransmits its FIN after its RTO; the side in TIME_WAIT ACKs it again; bind() to that local "
                + "address+port gets EADDRINUSE unless SO_REUSEADDR";
    }

    @Override
    public Outcome run(Knobs k) {
        Lab lab = Lab.of(k, 20);
        Network net = lab.net();
        long t0 = CLOSE_AT_MS * MS, r = lab.rttNs();
        Story.Notes n = new Story.Notes(net, t0);
        int[] port = {0};
        // The server's ACK of the client's FIN leaves at t0 + 1 RTT and would arrive ½ RTT later.
        net.scheduler().schedule(Timer.of(() -> net.partitionOneWay(Set.of(lab.server()), Set.of(lab.client()))), t0 + r + r / 4);
        net.scheduler().schedule(Timer.of(net::heal), t0 + r * 3 / 2 + r / 4);
        lab.server().spawn("server", () -> {
            TcpServerSocket ss = new TcpServerSocket(lab.server().kernel()); // SO_REUSEADDR, as java.net sets it
            ss.bind(new InetSocketAddress(80));
            TcpSocket s = ss.accept();
            Story.sleepUntil(net, t0);
            ss.close();
            n.call("server close()", () -> { s.close(); return null; });
            Story.sleepUntil(net, BIND_AT_MS * MS);
            try (TcpServerSocket again = new TcpServerSocket(lab.server().kernel())) {
                again.setReuseAddress(false); // java.net.ServerSocket sets SO_REUSEADDR by default on Linux
                n.call("bind(:80) without SO_REUSEADDR", () -> { again.bind(new InetSocketAddress(80)); return null; });
            }
            try (TcpServerSocket again = new TcpServerSocket(lab.server().kernel())) {
                again.setReuseAddress(true);
                n.call("bind(:80) with SO_REUSEADDR", () -> { again.bind(new InetSocketAddress(80)); return null; });
            }
        });
        lab.client().spawn("client", () -> {
            TcpSocket s = new TcpSocket(lab.client().kernel(), new InetSocketAddress(lab.server().inetAddress(), 80));
            port[0] = s.getLocalPort();
            n.call("client read()", () -> s.getInputStream().read());
            n.call("client close()", () -> { s.close(); return null; });
        });
        net.runUntilDone(100_000);
        net.runFor(70_000);
        var w = SegmentLog.sent(net, t0);
        // When the client's FIN comes again is its RTO (judged by the recorded Linux run of the story,
        // docs/ORACLE.md); the rules checked here are what follows from it: the TIME_WAIT socket ACKs it
        // half an RTT later and restarts its 60 s, and the client closes when that ACK arrives.
        long finAgain = w.size() > 3 ? w.get(3).tNs() : -1;
        return new Outcome(name(), net, n.get("bind(:80) without SO_REUSEADDR"), n.ns("bind(:80) without SO_REUSEADDR"), List.of(
                Check.of("segments", List.of(
                                "server F. 1:1(0) ack 1 at 0.000 ms",
                                "client F. 1:1(0) ack 2 at " + Story.time(r / 2),
                                "server . 2:2(0) ack 2 at " + Story.time(r) + " (lost)",
                                "client F. 1:1(0) ack 2 at " + Story.time(finAgain) + " (RTO)", // the time is the client's own
                                "server . 2:2(0) ack 2 at " + Story.time(finAgain + r / 2)),
                        List.of(w.get(0).briefAt(),
                                at(w, 1), at(w, 2) + " (lost)", at(w, 3) + " (RTO)", at(w, 4))),
                Check.of("segment count", 5, w.size()),
                Check.of("server states", "LISTEN→SYN_RECV→ESTABLISHED→FIN_WAIT1→FIN_WAIT2→TIME_WAIT→CLOSE",
                        Story.states(net, "server", 80)),
                Check.of("server CLOSE (60 s after the second ACK)", Story.time(finAgain + r / 2 + 60 * S),
                        Story.entered(net, "server", TcpState.CLOSE, t0)),
                Check.of("client states", "CLOSE→SYN_SENT→ESTABLISHED→CLOSE_WAIT→LAST_ACK→CLOSE", Story.states(net, "client", port[0])),
                Check.of("client CLOSE (the second ACK arrives)", Story.time(finAgain + r), Story.entered(net, "client", TcpState.CLOSE, t0)),
                Check.of("bind(:80) without SO_REUSEADDR", "BindException: Address already in use (EADDRINUSE)",
                        n.get("bind(:80) without SO_REUSEADDR")),
                Check.of("bind(:80) with SO_REUSEADDR", "ok", n.get("bind(:80) with SO_REUSEADDR"))));
    }

    private static String at(List<SegmentLog.Seg> w, int i) {
        return i < w.size() ? w.get(i).briefAt() : "(none)";
    }
}
