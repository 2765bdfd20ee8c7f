package dev.synack.sim.oracle;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.sim.Router;
import dev.synack.sim.scenario.Knobs;
import dev.synack.socket.SynackServerSocketFactory;
import dev.synack.socket.SynackSocketFactory;
import dev.synack.trace.TraceEvent;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * A {@link World} in the lab: two simulated hosts running synack's stack, in virtual time, joined
 * through a router: the client's link to it has half the RTT each way and the knobs' loss, the
 * server's none (the router forwards at once, so the path is the kernel runner's relay: one delay,
 * one loss draw). The router is there to answer for the path ({@link #rejectOnPath}). The timeline is
 * read off the lab's trace (the client's packets) and the notes.
 */
public final class SimWorld implements World {
    /**
     * What the kernel runner's relay adds to the knobs' RTT: it delivers each packet a little late (a
     * real-time schedule and two TUN devices). Measured in the 83 recordings: the handshake's RTT exceeds
     * the nominal one by 0.17 to 0.69 ms, median 0.37. It matters where Linux rounds: an RTO of
     * 200 ms + 20.37 ms is 56 jiffies, 200 ms + 20 ms exactly 55, and the difference doubles with each
     * backoff (host-crash with tcp_retries2 5: ETIMEDOUT 0.4 s apart after six retransmissions).
     */
    static final long RELAY_RTT_NS = 370_000;

    private final Network net;
    private final SimEndpoint client, server;
    private final Timeline.Builder notes = new Timeline.Builder();
    private final Network.Cable cable;
    private final Router router;

    /** A world with the knobs' seed, RTT (or {@code defaultRttMs}), loss and sysctls. */
    public SimWorld(Knobs k, int defaultRttMs) {
        net = new Network(k.seed());
        k.sysctls().forEach(net.config()::set);
        // The kernel runner's path is a TUN device: one buffer per segment (skb truesize), not veth's
        // aggregated super-segments, so the lab's hosts here size received segments as TUN does.
        net.config().rxPerSegmentTruesize = true;
        // Linux's timers fire where its timer wheel puts them (up to a level's granularity late), and
        // the recordings are compared gap by gap: the lab's timers do the same here, each host's jiffies
        // seeded from the knobs' seed.
        net.config().timerWheel = true;
        Host c = net.host("client", "198.18.0.1/24");
        router = net.router("router", "198.18.0.254/24", "198.19.0.254/24");
        Host s = net.host("server", "198.19.0.2/24");
        long rttNs = k.rttNsOr(defaultRttMs) + RELAY_RTT_NS;
        cable = net.link(c, router, LinkSpec.builder().delay(Duration.ofNanos(rttNs / 2)).loss(k.loss()).build());
        net.link(router, s, LinkSpec.builder().build());
        c.route("0.0.0.0/0", "198.18.0.254");
        s.route("0.0.0.0/0", "198.19.0.254");
        client = new SimEndpoint("client", c);
        server = new SimEndpoint("server", s);
    }

    /** The lab's network (its trace draws the ladder and writes the pcap). */
    public Network network() { return net; }

    @Override
    public Endpoint client() { return client; }

    @Override
    public Endpoint server() { return server; }

    @Override
    public long nowNs() { return net.nowNs(); }

    @Override
    public void sleepUntil(long atNs) throws InterruptedException {
        long d = atNs - net.nowNs();
        if (d > 0) net.runtime().sleep(d);
    }

    @Override
    public void runUntil(long atNs) { net.runUntil(atNs); }

    @Override
    public void runUntilDone(long limitNs) {
        net.runUntilDone(Math.max(1, (limitNs - net.nowNs()) / 1_000_000L)); // the limit is a time of the story, not a duration
    }

    @Override
    public void crashServer() { server.host.crash(); }

    @Override
    public void rebootServer() { server.host.reboot(); }

    @Override
    public void rejectOnPath(int code) {
        router.clearRejects();
        if (code >= 0) router.reject("198.19.0.0/24", code); // what the client sends to the server
    }

    @Override
    public void dropNth(boolean fromClient, int nth) { (fromClient ? cable.forward() : cable.backward()).dropNth(nth); }

    @Override
    public void clientLinkDown() { client.host.linkDown(); }

    @Override
    public void clientLinkUp() { client.host.linkUp(); }

    @Override
    public void note(String host, String call, String result) { notes.call(net.nowNs(), host, call, result); }

    @Override
    public Timeline timeline() {
        Timeline.Builder b = new Timeline.Builder().header("source", source());
        for (TraceEvent.Packet p : net.trace().events(TraceEvent.Packet.class)) {
            if (p.host().equals("client")) b.packet(p.timeNs(), p.outbound(), p.bytes(), p.bytes().length);
        }
        for (Timeline.Event e : notes.build().events()) {
            Timeline.App a = (Timeline.App) e;
            b.call(a.tNs(), a.host(), a.call(), a.result());
        }
        return b.build();
    }

    @Override
    public String source() { return "synack lab (seed " + net.seed() + ")"; }

    @Override
    public void close() {}

    private final class SimEndpoint implements Endpoint {
        private final String name;
        private final Host host;
        private final Map<String, VirtualRuntime.Proc> procs = new HashMap<>();

        SimEndpoint(String name, Host host) {
            this.name = name;
            this.host = host;
        }

        @Override
        public String name() { return name; }

        @Override
        public InetAddress address() { return host.inetAddress(); }

        @Override
        public SocketFactory sockets() { return new SynackSocketFactory(host.kernel()); }

        @Override
        public ServerSocketFactory serverSockets() { return new SynackServerSocketFactory(host.kernel()); }

        @Override
        public void spawn(String process, Body body) {
            procs.put(process, host.spawn(process, () -> {
                try {
                    body.run();
                } catch (Exception e) {
                    VirtualRuntime.Proc p = procs.get(process);
                    if (host.isUp() && (p == null || !p.isKilled())) note(name, process + " ended", Stories.describe(e));
                }
            }));
        }

        @Override
        public void kill(String process) {
            VirtualRuntime.Proc p = procs.get(process);
            if (p != null) host.kill(p);
        }
    }
}
