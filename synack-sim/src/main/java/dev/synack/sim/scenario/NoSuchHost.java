package dev.synack.sim.scenario;

import dev.synack.sim.Host;
import dev.synack.sim.Network;
import dev.synack.socket.TcpSocket;
import dev.synack.wire.TcpHeader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Exception 2 on the local network: 198.18.0.99 is on-link but no host has it. The SYN waits in the
 * neighbour entry while ARP asks (mcast_solicit 3 probes, retrans_time 1 s apart); at 3 s the entry
 * fails and every held packet is answered with a locally made ICMP host unreachable
 * (neigh_invalidate → arp_error_report), so connect() fails with EHOSTUNREACH, "No route to host".
 * Nothing reaches the wire; the SYN retransmissions before 3 s wait in the same queue.
 */
final class NoSuchHost implements Scenario {
    static final long ARP_FAILS_NS = 3_000_000_000L;

    @Override
    public String name() { return "no-such-host"; }

    @Override
    public String situation() { return "exception 2 on the local network"; }

    @Override
    public String linux() {
        return "the address is on-link but no host has it: neighbour (ARP) resolution fails after 3 s → EHOSTUNREACH (\"No route to host\")";
    }

    @Override
    public java.util.Set<Knob> knobs() { return java.util.EnumSet.of(Knob.SEED, Knob.RTT, Knob.LOSS, Knob.SYN_RETRIES, Knob.SYN_LINEAR_TIMEOUTS); }

    @Override
    public Outcome run(Knobs k) {
        Network net = Lab.network(k);
        Host client = net.host("client", "198.18.0.1/24");
        Host server = net.host("server", "198.18.0.2/24");
        net.lan("lan", Lab.link(k, k.rttNsOr(1))).attach(client).attach(server);
        Story.Notes n = new Story.Notes(net, net.nowNs());
        int[] port = {0};
        client.spawn("app", () -> {
            try (TcpSocket s = new TcpSocket(client.kernel())) {
                s.bind(null);
                port[0] = s.getLocalPort();
                n.call("connect()", () -> {
                    s.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 198, 18, 0, 99}), 80));
                    return null;
                });
            }
        });
        net.runUntilDone(300_000);
        int retries = k.synRetries(), linear = k.synLinearTimeouts();
        List<Long> syns = new ArrayList<>();
        for (long t : SynTimeout.linuxSynTimes(retries, linear)) if (t < ARP_FAILS_NS) syns.add(t);
        return new Outcome(name(), net, n.get("connect()"), n.ns("connect()"), List.of(
                Check.of("connect()", "NoRouteToHostException: No route to host (EHOSTUNREACH)", n.get("connect()")),
                Check.of("when (ARP fails)", Story.time(ARP_FAILS_NS), n.at("connect()")),
                Check.of("SYNs sent (held by ARP)", Story.times(syns), Story.times(SegmentLog.from(SegmentLog.sent(net, 0), "client", g -> g.is(TcpHeader.SYN)).stream().map(SegmentLog.Seg::tNs).toList())),
                Check.of("packets on the wire", 0L, net.links().stream().mapToLong(l -> l.delivered()).sum()),
                Check.of("client states", "CLOSE→SYN_SENT→CLOSE", Story.states(net, "client", port[0]))));
    }
}
