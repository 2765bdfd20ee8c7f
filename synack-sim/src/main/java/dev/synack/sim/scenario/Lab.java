package dev.synack.sim.scenario;

import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;

/**
 * The usual lab of a scenario: "client" 198.18.0.1 and "server" 198.18.0.2 on one point-to-point link
 * whose delay is half the RTT each way, with the knobs' loss; the knobs' sysctls are set on both hosts.
 *
 * @param net the network
 * @param client the client host
 * @param server the server host
 * @param rttNs the round-trip time of the path, in ns
 * @param cable the link between them (forward: client to server)
 */
record Lab(Network net, Host client, Host server, long rttNs, Network.Cable cable) {
    /** The RTT as text: "20 ms", "0.05 ms". */
    String rttText() { return Knobs.msText(rttNs / 1000) + " ms"; }

    /** The usual lab with the knobs' RTT, or {@code defaultRttMs}. */
    static Lab of(Knobs k, int defaultRttMs) { return of(k, defaultRttMs, LinkSpec.builder()); }

    /** {@link #of(Knobs, int)} on a link built from {@code spec} (e.g. with a rate and a queue). */
    static Lab of(Knobs k, int defaultRttMs, LinkSpec.Builder spec) {
        Network net = network(k);
        long rtt = k.rttNsOr(defaultRttMs);
        Host client = net.host("client", "198.18.0.1/24");
        Host server = net.host("server", "198.18.0.2/24");
        Network.Cable cable = net.link(client, server, link(k, rtt, spec));
        return new Lab(net, client, server, rtt, cable);
    }

    /** A network with the knobs' seed and sysctls, before any host is made (hosts copy the sysctls). */
    static Network network(Knobs k) {
        Network net = new Network(k.seed());
        k.sysctls().forEach(net.config()::set);
        return net;
    }

    /** A link spec with half of {@code rttNs} each way and the knobs' loss. */
    static LinkSpec link(Knobs k, long rttNs) { return link(k, rttNs, LinkSpec.builder()); }

    private static LinkSpec link(Knobs k, long rttNs, LinkSpec.Builder spec) {
        return spec.delay(java.time.Duration.ofNanos(rttNs / 2)).loss(k.loss()).build();
    }
}
