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
 * @param rttMs the round-trip time of the path
 * @param cable the link between them (forward: client to server)
 */
record Lab(Network net, Host client, Host server, int rttMs, Network.Cable cable) {
    /** The RTT in ns. */
    long rttNs() { return rttMs * Story.MS; }

    /** The usual lab with the knobs' RTT, or {@code defaultRttMs}. */
    static Lab of(Knobs k, int defaultRttMs) { return of(k, defaultRttMs, LinkSpec.builder()); }

    /** {@link #of(Knobs, int)} on a link built from {@code spec} (e.g. with a rate and a queue). */
    static Lab of(Knobs k, int defaultRttMs, LinkSpec.Builder spec) {
        Network net = network(k);
        int rtt = k.rttOr(defaultRttMs);
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

    /** A link spec with half of {@code rttMs} each way and the knobs' loss. */
    static LinkSpec link(Knobs k, int rttMs) { return link(k, rttMs, LinkSpec.builder()); }

    private static LinkSpec link(Knobs k, int rttMs, LinkSpec.Builder spec) {
        return spec.delay(java.time.Duration.ofNanos(rttMs * 500_000L)).loss(k.loss()).build();
    }
}
