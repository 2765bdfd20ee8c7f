package dev.synack.sim.scenario;

import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.wire.TcpHeader;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The three-way handshake (RFC 9293 §3.5) with Linux 6.18's defaults: the SYN carries
 * {@code <mss 1460,sackOK,TS val ecr 0,nop,wscale 10>} with window 64240 (tcp_rmem[1] 131072 needs
 * wscale 10 in tcp_select_initial_window), the SYN-ACK the same options with window 65160
 * (tcp_openreq_init_rwin); connect() returns when the SYN-ACK arrives (1 RTT), accept() when the
 * ACK does (1.5 RTT); with timestamps the MSS in use is 1460 − 12 = 1448 (tcp_current_mss).
 */
final class Handshake implements Scenario {
    @Override
    public String name() { return "handshake"; }

    @Override
    public String situation() { return "3-way handshake"; }

    @Override
    public String linux() {
        return "client CLOSE→SYN_SENT→ESTABLISHED, server LISTEN→SYN_RECV→ESTABLISHED; SYN win 64240 and SYN-ACK win 65160 "
                + "with <mss 1460,sackOK,TS,nop,wscale 10>; connect() returns after 1 RTT; MSS in use 1448";
    }

    @Override
    public Outcome run(Knobs k) {
        Lab lab = Lab.of(k, 20);
        Network net = lab.net();
        Story.Notes n = new Story.Notes(net, net.nowNs());
        int[] port = {0};
        lab.server().spawn("server", () -> {
            TcpServerSocket ss = new TcpServerSocket(lab.server().kernel(), 80);
            n.call("accept()", () -> {
                TcpSocket s = ss.accept();
                return "a socket from port " + s.getPort();
            });
        });
        lab.client().spawn("client", () -> {
            TcpSocket s = new TcpSocket(lab.client().kernel());
            if (n.call("connect()", () -> {
                s.connect(new InetSocketAddress(lab.server().inetAddress(), 80));
                return null;
            })) {
                port[0] = s.getLocalPort();
                n.put("mss", s.tcpInfo().sndMss());
            }
        });
        net.runUntilDone(10_000);
        long r = lab.rttNs();
        List<SegmentLog.Seg> w = SegmentLog.sent(net, 0);
        return new Outcome(name(), net, "connect() " + n.get("connect()"), n.ns("connect()"), List.of(
                Check.of("connect()", "ok", n.get("connect()")),
                Check.of("connect() returned at (1 RTT)", Story.time(r), n.at("connect()")),
                Check.of("accept() returned at (1.5 RTT)", Story.time(r * 3 / 2), n.at("accept()")),
                Check.of("segments", List.of(
                        "client S 0:0(0) win 64240 <mss 1460,sackOK,TS val ecr 0,nop,wscale 10>",
                        "server S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val ecr,nop,wscale 10>",
                        "client . 1:1(0) ack 1"),
                        w.stream().map(g -> g.is(TcpHeader.ACK) ? g.brief() : g.withOptions()).toList()),
                Check.of("segment times", Story.times(List.of(0L, r / 2, r)), w.stream().map(g -> Story.time(g.tNs())).toList()),
                Check.of("client states", "CLOSE→SYN_SENT→ESTABLISHED", Story.states(net, "client", port[0])),
                Check.of("server states", "LISTEN→SYN_RECV→ESTABLISHED", Story.states(net, "server", 80)),
                Check.of("MSS in use (tcpi_snd_mss)", "1448", n.get("mss"))));
    }
}
