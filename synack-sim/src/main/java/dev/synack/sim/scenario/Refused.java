package dev.synack.sim.scenario;

import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.socket.TcpSocket;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Exception 1 of the note: the server's port is not listening. The SYN reaches a host whose kernel
 * answers at once with RST,ACK (RFC 9293 §3.10.7.1); connect() fails after one RTT with ECONNREFUSED.
 */
final class Refused implements Scenario {
    @Override
    public String name() { return "refused"; }

    @Override
    public String situation() { return "exception 1: the server port is not listening"; }

    @Override
    public String linux() {
        return "SYN → RST,ACK at once; connect() fails after 1 RTT with ECONNREFUSED (ConnectException \"Connection refused\")";
    }

    @Override
    public Outcome run(Knobs k) {
        Network net = new Network(k.seed());
        int rtt = k.rttOr(20);
        Host client = net.host("client", "198.18.0.1/24");
        Host server = net.host("server", "198.18.0.2/24");
        net.link(client, server, LinkSpec.builder().delay(java.time.Duration.ofNanos(rtt * 500_000L)).loss(k.loss() == null ? 0 : k.loss()).build());
        String[] saw = {"connect() returned normally"};
        long[] at = {-1};
        long start = net.nowNs();
        client.spawn("app", () -> {
            try (TcpSocket s = new TcpSocket(client.sockets())) {
                s.connect(new InetSocketAddress(server.inetAddress(), 80));
            } catch (Exception e) {
                saw[0] = Story.describe(e);
            }
            at[0] = net.nowNs() - start;
        });
        net.runUntilDone(300_000);
        return new Outcome(name(), net, saw[0], at[0], List.of(
                Check.of("connect()", "ConnectException: Connection refused (ECONNREFUSED)", saw[0]),
                Check.of("when", Story.time(rtt * 1_000_000L), Story.time(at[0])),
                Check.of("segments", List.of("client S", "server R."), Story.segments(net)),
                Check.of("client states", "CLOSE→SYN_SENT→CLOSE", Story.states(net, "client"))));
    }
}
