package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Network;
import dev.synack.socket.Poller;
import dev.synack.socket.PosixSockets;
import dev.synack.socket.TcpSocket;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Exception 1 of the note: the server's port is not listening. The SYN reaches a host whose kernel
 * answers at once with RST,ACK (RFC 9293 §3.10.7.1); connect() fails after one RTT with ECONNREFUSED.
 * Then the same with a non-blocking connect: poll(POLLOUT) reports POLLOUT|POLLERR|POLLHUP after one
 * RTT (tcp_poll: sk_err set and the socket CLOSE, so SHUTDOWN_MASK → POLLHUP, and POLLOUT with it)
 * and getsockopt(SO_ERROR) gives ECONNREFUSED.
 */
final class Refused implements Scenario {
    /** When the non-blocking attempt starts. */
    static final long SECOND_MS = 1_000;

    @Override
    public String name() { return "refused"; }

    @Override
    public String situation() { return "exception 1: the server port is not listening"; }

    @Override
    public String linux() {
        return "SYN → RST,ACK at once; connect() fails after 1 RTT with ECONNREFUSED (ConnectException \"Connection refused\"); "
                + "non-blocking: poll reports POLLOUT|POLLERR|POLLHUP and SO_ERROR = ECONNREFUSED";
    }

    @Override
    public Outcome run(Knobs k) {
        Lab lab = Lab.of(k, 20);
        Network net = lab.net();
        Story.Notes n = new Story.Notes(net, net.nowNs());
        int[] ports = {0, 0};
        InetSocketAddress to = new InetSocketAddress(lab.server().inetAddress(), 80);
        lab.client().spawn("app", () -> {
            try (TcpSocket s = new TcpSocket(lab.client().kernel())) {
                s.bind(null);
                ports[0] = s.getLocalPort();
                n.call("connect()", () -> { s.connect(to); return null; });
            }
            Story.sleepUntil(net, SECOND_MS * MS);
            try (TcpSocket s = new TcpSocket(lab.client().kernel())) {
                s.bind(null);
                ports[1] = s.getLocalPort();
                n.call("non-blocking connect()", () -> s.startConnect(to) ? "connected" : "EINPROGRESS");
                n.call("poll(POLLOUT)", () -> PosixSockets.pollBits(
                        Poller.poll(List.of(new Poller.Interest(s, PosixSockets.POLLOUT)), -1)[0]));
                n.call("SO_ERROR", s::takeError);
            }
        });
        net.runUntilDone(300_000);
        long r = lab.rttNs();
        String rst = "server R. 0:0(0) ack 1";
        return new Outcome(name(), net, n.get("connect()"), n.ns("connect()"), List.of(
                Check.of("connect()", "ConnectException: Connection refused (ECONNREFUSED)", n.get("connect()")),
                Check.of("when", Story.time(r), n.at("connect()")),
                Check.of("segments", List.of("client S 0:0(0) at 0.000 ms", rst + " at " + Story.time(r / 2),
                                "client S 0:0(0) at " + Story.time(SECOND_MS * MS),
                                rst + " at " + Story.time(SECOND_MS * MS + r / 2)),
                        SegmentLog.sent(net, 0).stream().map(SegmentLog.Seg::briefAt).toList()),
                Check.of("client states", "CLOSE→SYN_SENT→CLOSE", Story.states(net, "client", ports[0], 0, SECOND_MS * MS)),
                Check.of("non-blocking connect()", "returned EINPROGRESS", n.get("non-blocking connect()")),
                Check.of("poll(POLLOUT)", "returned POLLOUT|POLLERR|POLLHUP", n.get("poll(POLLOUT)")),
                Check.of("poll returned at (1 RTT)", Story.time(SECOND_MS * MS + r), n.at("poll(POLLOUT)")),
                Check.of("SO_ERROR", "returned ECONNREFUSED", n.get("SO_ERROR")),
                Check.of("non-blocking client states", "CLOSE→SYN_SENT→CLOSE", Story.states(net, "client", ports[1], SECOND_MS * MS, Long.MAX_VALUE))));
    }
}
