package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpState;
import dev.synack.wire.TcpHeader;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Why closing takes four segments: each direction closes on its own (RFC 9293 §3.6). The client
 * sends a 100-byte request and shutdown(SHUT_WR)s; the server reads the request and EOF, then still
 * sends a 5000-byte answer and closes; the client, in FIN_WAIT2, reads and ACKs all of it, then
 * the server's FIN.
 */
final class HalfClose implements Scenario {
    static final long START_MS = 100;
    static final int ANSWER = 5000;

    @Override
    public String name() { return "half-close"; }

    @Override
    public String situation() { return "why closing takes 4 segments"; }

    @Override
    public String linux() {
        return "client shutdown(SHUT_WR): the server reads EOF and still sends; the client (FIN_WAIT_2) reads and ACKs all of it until the server's FIN";
    }

    @Override
    public Outcome run(Knobs k) {
        Lab lab = Lab.of(k, 20);
        Network net = lab.net();
        long t0 = START_MS * MS;
        Story.Notes n = new Story.Notes(net, t0);
        int[] port = {0};
        lab.server().spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(lab.server().kernel(), 80); TcpSocket s = ss.accept()) {
                n.call("server read request", () -> s.getInputStream().readAllBytes().length + " bytes then EOF");
                n.call("server write answer", () -> { s.getOutputStream().write(new byte[ANSWER]); return null; });
            }
        });
        lab.client().spawn("client", () -> {
            TcpSocket s = new TcpSocket(lab.client().kernel(), new InetSocketAddress(lab.server().inetAddress(), 80));
            port[0] = s.getLocalPort();
            Story.sleepUntil(net, t0);
            n.call("client write request", () -> { s.getOutputStream().write(new byte[100]); return null; });
            n.call("client shutdownOutput()", () -> { s.shutdownOutput(); return null; });
            n.call("client state", s::state);
            InputStream in = s.getInputStream();
            n.call("client read answer", () -> in.readAllBytes().length + " bytes then EOF");
            s.close();
        });
        net.runUntilDone(100_000);
        net.runFor(1_000);
        long r = lab.rttNs();
        var w = SegmentLog.sent(net, t0);
        long fw2 = nsOrMinus(Story.entered(net, "client", TcpState.FIN_WAIT2, t0));
        long tw = nsOrMinus(Story.entered(net, "client", TcpState.TIME_WAIT, t0));
        List<String> clientAcks = w.stream().filter(g -> g.host().equals("client") && g.is(TcpHeader.ACK)).map(SegmentLog.Seg::brief).toList();
        boolean ackedInFw2 = w.stream().filter(g -> g.host().equals("client") && g.is(TcpHeader.ACK) && g.ack() > 1 && g.ack() <= 1 + ANSWER)
                .allMatch(g -> g.tNs() >= fw2 && g.tNs() <= tw);
        return new Outcome(name(), net, "client read " + n.get("client read answer"), n.ns("client read answer"), List.of(
                Check.of("server read", "returned 100 bytes then EOF", n.get("server read request")),
                Check.of("server read EOF at (½ RTT)", Story.time(r / 2), n.at("server read request")),
                Check.of("server write after EOF", "ok", n.get("server write answer")),
                Check.of("client read", "returned " + ANSWER + " bytes then EOF", n.get("client read answer")),
                Check.of("client read EOF at (1 RTT)", Story.time(r), n.at("client read answer")),
                Check.of("client segments before the answer", List.of("client P. 1:101(100) ack 1", "client F. 101:101(0) ack 1"),
                        w.stream().filter(g -> g.host().equals("client") && !g.is(TcpHeader.ACK)).map(SegmentLog.Seg::brief).toList()),
                Check.of("client's last ACK (answer + FIN)", "client . 102:102(0) ack " + (ANSWER + 2),
                        clientAcks.isEmpty() ? "none" : clientAcks.getLast()),
                Check.of("client ACKs the answer in FIN_WAIT2", true, fw2 >= 0 && ackedInFw2),
                Check.of("client states", "CLOSE→SYN_SENT→ESTABLISHED→FIN_WAIT1→FIN_WAIT2→TIME_WAIT", Story.states(net, "client", port[0])),
                Check.of("server states", "LISTEN→SYN_RECV→ESTABLISHED→CLOSE_WAIT→LAST_ACK→CLOSE", Story.states(net, "server", 80))));
    }

    private static long nsOrMinus(String time) {
        if (time.equals("never")) return -1;
        String[] p = time.split(" ");
        double v = Double.parseDouble(p[0]);
        return Math.round(p[1].equals("s") ? v * 1e9 : v * 1e6);
    }
}
