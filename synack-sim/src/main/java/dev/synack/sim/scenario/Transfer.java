package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The data phase (RFC 9293 §3.4): the client writes 4000 bytes, which leave as 1448 + 1448 + 1104
 * bytes (MSS 1448 with timestamps; PSH on the last segment of the write, tcp_push); each segment's
 * seq is the previous seq + its length and each ACK is the next byte expected. The server's
 * reader is waiting and the data is the first of the connection, so the server is in quick-ACK
 * mode (tcp_event_data_recv → tcp_incr_quickack) and ACKs every segment at once; the same holds
 * for the client when the 100-byte answer arrives. (After the 16 quick ACKs, or in ping-pong mode,
 * a lone segment's ACK waits for the 40 ms delayed-ACK timer.)
 */
final class Transfer implements Scenario {
    static final long START_MS = 100;
    static final int REQUEST = 4000;

    @Override
    public String name() { return "transfer"; }

    @Override
    public String situation() { return "data phase, seq/ack"; }

    @Override
    public String linux() {
        return "seq advances by payload, ack = next expected byte; the receiver's ACK is delayed 40 ms unless a second full "
                + "segment arrives or the reader is waiting (quick ACK)";
    }

    @Override
    public Outcome run(Knobs k) {
        Lab lab = Lab.of(k, 20);
        Network net = lab.net();
        long t0 = START_MS * MS;
        Story.Notes n = new Story.Notes(net, t0);
        lab.server().spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(lab.server().kernel(), 80); TcpSocket s = ss.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[REQUEST];
                n.call("server read", () -> {
                    int got = 0;
                    while (got < REQUEST) {
                        int r = in.read(buf, got, REQUEST - got);
                        if (r < 0) break;
                        got += r;
                    }
                    return got + " bytes";
                });
                n.call("server write", () -> { s.getOutputStream().write(new byte[100]); return null; });
                in.read(); // until the client closes
            }
        });
        lab.client().spawn("client", () -> {
            try (TcpSocket s = new TcpSocket(lab.client().kernel(), new InetSocketAddress(lab.server().inetAddress(), 80))) {
                Story.sleepUntil(net, t0);
                n.call("client write", () -> { s.getOutputStream().write(new byte[REQUEST]); return null; });
                n.call("client read", () -> s.getInputStream().readNBytes(100).length + " bytes");
                Story.sleepUntil(net, t0 + 500 * MS);
            }
        });
        net.runUntilDone(100_000);
        long r = lab.rttNs();
        var w = SegmentLog.sent(net, t0).stream().filter(g -> g.tNs() < 500 * MS).toList();
        String half = Story.time(r / 2);
        return new Outcome(name(), net, "client read " + n.get("client read"), n.ns("client read"), List.of(
                Check.of("server read", "returned " + REQUEST + " bytes", n.get("server read")),
                Check.of("server read returned at (½ RTT)", half, n.at("server read")),
                Check.of("client read", "returned 100 bytes", n.get("client read")),
                Check.of("client read returned at (1 RTT)", Story.time(r), n.at("client read")),
                // Linux 6.18 sends the write as TSO packets of two segments (tcp_tso_autosize's
                // tcp_min_tso_segs at 20 ms), each with PSH on its last: the oracle's recording
                // (oracle/linux/transfer/default.jsonl) has `P. 1449:2897(1448)`.
                Check.of("segments", List.of(
                                "client . 1:1449(1448) ack 1 at 0.000 ms",
                                "client P. 1449:2897(1448) ack 1 at 0.000 ms",
                                "client P. 2897:4001(1104) ack 1 at 0.000 ms",
                                "server . 1:1(0) ack 1449 at " + half,
                                "server . 1:1(0) ack 2897 at " + half,
                                "server . 1:1(0) ack 4001 at " + half,
                                "server P. 1:101(100) ack 4001 at " + half,
                                "client . 4001:4001(0) ack 101 at " + Story.time(r)),
                        w.stream().map(SegmentLog.Seg::briefAt).toList())));
    }
}
