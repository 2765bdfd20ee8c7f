package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.S;

import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.sim.Router;
import dev.synack.socket.TcpSocket;
import dev.synack.wire.Icmp;
import dev.synack.wire.TcpHeader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Exception 2 across a router: the router answers the SYN with an ICMP destination unreachable, and
 * in SYN_SENT any such error ends the connect at once (tcp_v4_err: sk_err = icmp_err_convert[code],
 * tcp_done). One run shows the four variants a second apart: host unreachable and
 * communication administratively prohibited → EHOSTUNREACH (NoRouteToHostException "No route to
 * host"), net unreachable → ENETUNREACH (SocketException "Network is unreachable"), port unreachable
 * → ECONNREFUSED (ConnectException "Connection refused"). The router is RTT/2 away, so each connect()
 * fails one RTT after its SYN.
 */
final class IcmpUnreachable implements Scenario {
    private record Variant(String name, int code, String linux) {}

    private static final List<Variant> VARIANTS = List.of(
            new Variant("host unreachable", Icmp.HOST_UNREACH, "NoRouteToHostException: No route to host (EHOSTUNREACH)"),
            new Variant("admin prohibited", Icmp.ADMIN_PROHIBITED, "NoRouteToHostException: No route to host (EHOSTUNREACH)"),
            new Variant("net unreachable", Icmp.NET_UNREACH, "SocketException: Network is unreachable (ENETUNREACH)"),
            new Variant("port unreachable", Icmp.PORT_UNREACH, "ConnectException: Connection refused (ECONNREFUSED)"));

    @Override
    public String name() { return "icmp-unreachable"; }

    @Override
    public String situation() { return "exception 2 across a router"; }

    @Override
    public String linux() {
        return "the router answers the SYN with ICMP: host unreachable or admin-prohibited → EHOSTUNREACH, net unreachable → "
                + "ENETUNREACH, port unreachable → ECONNREFUSED, as soon as the ICMP arrives";
    }

    @Override
    public Outcome run(Knobs k) {
        Network net = Lab.network(k);
        long rtt = k.rttNsOr(20);
        Host client = net.host("client", "198.18.0.1/24");
        Router router = net.router("router", "198.18.0.254/24", "198.19.0.254/24");
        Host server = net.host("server", "198.19.0.2/24");
        net.link(client, router, Lab.link(k, rtt));
        net.link(router, server, LinkSpec.delayMs(1));
        client.route("0.0.0.0/0", "198.18.0.254");
        server.route("0.0.0.0/0", "198.19.0.254");
        Story.Notes n = new Story.Notes(net, net.nowNs());
        client.spawn("app", () -> {
            for (int i = 0; i < VARIANTS.size(); i++) {
                Variant v = VARIANTS.get(i);
                Story.sleepUntil(net, i * S);
                router.clearRejects().reject("198.19.0.2/32", v.code());
                try (TcpSocket s = new TcpSocket(client.kernel())) {
                    n.call(v.name(), () -> { s.connect(new InetSocketAddress(server.inetAddress(), 80)); return null; });
                }
            }
        });
        net.runUntilDone(300_000);
        long r = rtt;
        List<Check> checks = new ArrayList<>();
        List<String> linuxSyns = new ArrayList<>();
        for (int i = 0; i < VARIANTS.size(); i++) {
            Variant v = VARIANTS.get(i);
            checks.add(Check.of("connect(), " + v.name(), v.linux(), n.get(v.name())));
            checks.add(Check.of("when, " + v.name() + " (1 RTT)", Story.time(i * S + r), n.at(v.name())));
            linuxSyns.add(Story.time(i * S));
        }
        checks.add(Check.of("SYN times (one each, no retransmission)", linuxSyns, Story.times(SegmentLog.from(SegmentLog.sent(net, 0), "client", g -> g.is(TcpHeader.SYN)).stream().map(SegmentLog.Seg::tNs).toList())));
        checks.add(Check.of("segments other than SYNs", List.of(),
                SegmentLog.sent(net, 0).stream().filter(g -> !g.is(TcpHeader.SYN)).map(SegmentLog.Seg::brief).toList()));
        checks.add(Check.of("ICMP errors the router sent", VARIANTS.size(), router.icmpSent()));
        Variant first = VARIANTS.getFirst();
        return new Outcome(name(), net, n.get(first.name()), n.ns(first.name()), checks);
    }
}
