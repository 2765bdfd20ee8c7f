package dev.synack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.runtime.VirtualRuntime.Proc;
import dev.synack.stats.Counter;
import dev.synack.tcp.Errno;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.TcpState;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hosts, links and faults of the lab, driven with the raw engine API from simulated processes. */
class LabTest {
    static final long MS = 1_000_000L;

    static Network pair(long seed, LinkSpec spec) {
        Network net = new Network(seed);
        Host c = net.host("client", "198.18.0.1/24");
        Host s = net.host("server", "198.18.0.2/24");
        net.link(c, s, spec);
        return net;
    }

    static Host host(Network net, String name) { return (Host) net.node(name); }

    static List<String> states(Network net, String host) {
        List<String> out = new ArrayList<>();
        for (TraceEvent.StateChange s : net.trace().events(TraceEvent.StateChange.class)) {
            if (s.host().equals(host)) out.add(s.timeNs() / MS + "ms " + s.from() + "→" + s.to());
        }
        return out;
    }

    /** Flags and payload length of every TCP packet {@code host} sent, with its time in ms. */
    static List<String> sent(Network net, String host) {
        List<String> out = new ArrayList<>();
        for (TraceEvent.Packet p : net.trace().sent(host)) {
            byte[] b = p.bytes();
            if (Ipv4.protocol(b, 0) != Ipv4.PROTO_TCP) {
                out.add(p.timeNs() / MS + "ms icmp");
                continue;
            }
            int t = Ipv4.headerLength(b, 0);
            int len = Ipv4.totalLength(b, 0) - t - TcpHeader.dataOffset(b, t);
            out.add(p.timeNs() / MS + "ms " + TcpHeader.flagsToString(TcpHeader.flags(b, t)) + " " + len);
        }
        return out;
    }

    @Test
    void echoOverTenMillisecondLinkHasTheRfc9293HandshakeTimes() {
        Network net = pair(1, LinkSpec.delayMs(10));
        Host client = host(net, "client"), server = host(net, "server");
        byte[] got = new byte[5];
        server.spawn("echo", () -> {
            TcpListener l = Apps.listen(server, 7);
            TcpConnection c = Apps.accept(net, l);
            byte[] buf = new byte[100];
            int n = Apps.read(net, c, buf);
            Apps.write(net, c, java.util.Arrays.copyOf(buf, n));
            Apps.read(net, c, buf); // EOF
            c.close();
        });
        client.spawn("nc", () -> {
            TcpConnection c = Apps.connect(net, client, "198.18.0.2", 7);
            Apps.write(net, c, "hello".getBytes(StandardCharsets.US_ASCII));
            Apps.read(net, c, got);
            c.close();
        });
        net.runUntilDone(10_000);
        net.runFor(100);
        net.check(() -> {
            assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
            // RFC 9293 §3.5 figure 6: SYN at 0, SYN-ACK at 10, ACK at 20 (one-way delay 10 ms).
            assertEquals(List.of("0ms CLOSE→SYN_SENT", "20ms SYN_SENT→ESTABLISHED", "40ms ESTABLISHED→FIN_WAIT1",
                    "60ms FIN_WAIT1→FIN_WAIT2", "60ms FIN_WAIT2→TIME_WAIT"), states(net, "client").subList(0, 5));
            assertEquals("10ms LISTEN→SYN_RECV", states(net, "server").get(0));
            String ladder = Ladder.render(net);
            System.out.println(ladder);
            assertTrue(ladder.contains("    0.000  client ──► server  S    seq=0 len=0 win="), ladder);
            assertTrue(ladder.contains("    0.010  client ◄── server  S.   seq=0 ack=1 len=0"), ladder);
            assertTrue(ladder.contains("    0.020  client ──► server  P.   seq=1 ack=1 len=5"), ladder);
            assertTrue(ladder.contains("client: SYN_SENT → ESTABLISHED"), ladder);
        });
    }

    /**
     * Linux tcp_retries2 = 15: data to a crashed peer is retransmitted 15 times with exponential
     * backoff (RTO capped at 120 s) and the connection dies with ETIMEDOUT once tcp_model_timeout
     * (924.6 s for a 200 ms base) has passed since the first transmission (retransmits_timed_out).
     */
    @Test
    void crashedPeerTimesOutAfterFifteenRetransmissions() {
        long wall = System.nanoTime();
        Network net = pair(7, LinkSpec.delayMs(10));
        Host client = host(net, "client"), server = host(net, "server");
        server.spawn("sink", () -> {
            TcpConnection c = Apps.accept(net, Apps.listen(server, 9));
            Apps.read(net, c, new byte[10]);
        });
        long[] sentAt = new long[1], failedAt = new long[1];
        int[] result = new int[1];
        client.spawn("writer", () -> {
            TcpConnection c = Apps.connect(net, client, "198.18.0.2", 9);
            net.runtime().sleep(1000 * MS);
            sentAt[0] = net.nowNs();
            Apps.write(net, c, new byte[100]);
            result[0] = Apps.read(net, c, new byte[10]);
            failedAt[0] = net.nowNs();
        });
        net.runFor(500);
        server.crash();
        net.runUntilDone(2_000_000);
        double wallMs = (System.nanoTime() - wall) / 1e6;
        net.check(() -> {
            assertEquals(-Errno.ETIMEDOUT.number(), result[0]);
            long dataPackets = sent(net, "client").stream().filter(s -> s.endsWith(" 100")).count();
            // One transmission, one tail loss probe (RFC 8985 §7; Linux tcp_send_loss_probe), tcp_retries2 RTOs.
            assertEquals(17, dataPackets);
            var timers = net.trace().events(TraceEvent.TimerFired.class).stream().filter(t -> t.host().equals("client")).map(TraceEvent.TimerFired::timer).toList();
            // 15 RTOs retransmit; the 16th finds the time up (tcp_write_timeout) and aborts.
            assertEquals(16, timers.stream().filter("rto"::equals).count(), timers.toString());
            assertEquals(1, timers.stream().filter("tlp"::equals).count(), timers.toString());
            double story = (failedAt[0] - sentAt[0]) / 1e9;
            assertTrue(story >= 924.6 && story < 924.6 + 120, "timed out after " + story + " s");
            System.out.printf("retries2 story: ETIMEDOUT %.3f s after the send (%.1f virtual s in all), %.1f ms of wall time%n",
                    story, net.nowNs() / 1e9, wallMs);
            assertTrue(net.trace().all().stream().anyMatch(e -> e instanceof SimEvent.NetworkDrop w && w.fate() == SimEvent.Fate.HOST_DOWN));
        });
    }

    @Test
    void rebootedPeerAnswersOldConnectionWithRst() {
        Network net = pair(3, LinkSpec.delayMs(5));
        Host client = host(net, "client"), server = host(net, "server");
        server.spawn("sink", () -> {
            TcpConnection c = Apps.accept(net, Apps.listen(server, 9));
            Apps.read(net, c, new byte[10]);
        });
        int[] result = new int[1];
        client.spawn("writer", () -> {
            TcpConnection c = Apps.connect(net, client, "198.18.0.2", 9);
            net.runtime().sleep(2000 * MS);
            Apps.write(net, c, new byte[10]);
            result[0] = Apps.read(net, c, new byte[10]);
        });
        net.runFor(100);
        server.crash();
        net.runFor(500);
        server.reboot();
        net.runUntilDone(10_000);
        net.check(() -> {
            assertEquals(-Errno.ECONNRESET.number(), result[0]);
            // The data leaves at 2.010 s; the rebooted server has no socket: <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.1).
            List<String> s = sent(net, "server");
            assertEquals("2015ms R 0", s.get(s.size() - 1));
        });
    }

    @Test
    void shutdownSendsSigtermThenTheHandlerClosesWithFin() {
        Network net = pair(4, LinkSpec.delayMs(5));
        Host client = host(net, "client"), server = host(net, "server");
        server.spawn("daemon", () -> {
            TcpConnection c = Apps.accept(net, Apps.listen(server, 9));
            server.onTerm(c::close);
            Apps.read(net, c, new byte[10]);
        });
        int[] result = {-1};
        client.spawn("reader", () -> {
            TcpConnection c = Apps.connect(net, client, "198.18.0.2", 9);
            result[0] = Apps.read(net, c, new byte[10]);
            c.close();
        });
        net.runFor(100);
        server.shutdown(5000);
        net.runUntilDone(10_000);
        net.check(() -> {
            assertEquals(0, result[0], "end of stream");
            assertEquals("100ms F. 0", sent(net, "server").get(1));
        });
    }

    @Test
    void killWithUnreadDataSendsRstAndWithoutSendsFin() {
        for (boolean unread : new boolean[] {false, true}) {
            Network net = pair(5, LinkSpec.delayMs(5));
            Host client = host(net, "client"), server = host(net, "server");
            Proc p = server.spawn("daemon", () -> {
                TcpConnection c = Apps.accept(net, Apps.listen(server, 9));
                net.runtime().currentProcess().onKill(c::close); // the kernel closes its files
                net.runtime().sleep(1_000_000 * MS);
            });
            client.spawn("writer", () -> {
                TcpConnection c = Apps.connect(net, client, "198.18.0.2", 9);
                if (unread) Apps.write(net, c, new byte[10]);
                Apps.read(net, c, new byte[10]);
                c.close();
            });
            net.runFor(100);
            server.kill(p);
            net.runUntilDone(10_000);
            List<String> s = sent(net, "server");
            net.check(() -> assertEquals(unread ? "100ms R. 0" : "100ms F. 0", s.get(unread ? 2 : 1), s.toString()));
        }
    }

    @Test
    void frozenProcessReadsNothingWhileItsKernelAcks() {
        Network net = pair(6, LinkSpec.delayMs(5));
        Host client = host(net, "client"), server = host(net, "server");
        long[] readAt = new long[1];
        Proc reader = server.spawn("reader", () -> {
            TcpConnection c = Apps.accept(net, Apps.listen(server, 9));
            Apps.read(net, c, new byte[100]);
            readAt[0] = net.nowNs();
        });
        client.spawn("writer", () -> {
            TcpConnection c = Apps.connect(net, client, "198.18.0.2", 9);
            net.runtime().sleep(100 * MS);
            Apps.write(net, c, new byte[50]);
        });
        net.runFor(50);
        server.freeze(reader);
        net.runFor(950);
        server.thaw(reader);
        net.runUntilDone(10_000);
        net.check(() -> {
            assertEquals(1000 * MS, readAt[0], "the read completes at the thaw");
            assertTrue(sent(net, "server").stream().anyMatch(s -> s.matches("1[0-9][0-9]ms \\. 0")), "the kernel ACKed the data");
        });
    }

    /** ip link set dev X down: the routes go, connect() fails at once (ip_route_connect); packets in flight are lost. */
    @Test
    void interfaceDownGetsEnetunreachAndLosesPacketsInFlight() {
        Network net = pair(8, LinkSpec.delayMs(10));
        Host client = host(net, "client");
        client.linkDown();
        int[] errno = new int[1];
        client.spawn("c", () -> {
            try {
                Apps.connect(net, client, "198.18.0.2", 9);
            } catch (dev.synack.tcp.ErrnoException e) {
                errno[0] = e.errno().number();
            }
        });
        net.runUntilDone(1000);
        client.linkUp();
        client.spawn("c2", () -> Apps.connect(net, client, "198.18.0.2", 9));
        net.runFor(5);
        client.linkDown();
        client.linkUp();
        net.runFor(100);
        net.check(() -> {
            assertEquals(Errno.ENETUNREACH.number(), errno[0]);
            assertEquals(SimEvent.Fate.UNPLUGGED, net.trace().networkDrops().get(0).fate());
            assertEquals(0, host(net, "server").stack().counters().get(Counter.IpInReceives));
        });
    }

    /**
     * The cable pulled on a point-to-point link (NOARP, like a TUN device): the interface keeps its
     * routes, so connect() is not refused; its SYN is lost and retransmitted, and once the cable is
     * back the retransmission connects. Measured on Linux 6.18: a TUN with no reader (NO-CARRIER, route
     * "linkdown") times connect() out after its SYN retransmissions, with no error from below.
     */
    @Test
    void unpluggedPointToPointCableLosesSendsButKeepsTheRoute() {
        Network net = pair(8, LinkSpec.delayMs(10));
        Host client = host(net, "client");
        client.unplug();
        long[] connectedAt = {-1};
        client.spawn("c", () -> {
            Apps.connect(net, client, "198.18.0.2", 9);
            connectedAt[0] = net.nowNs();
        });
        net.runFor(500);
        client.plug();
        net.runUntilDone(5000);
        net.check(() -> {
            assertEquals(SimEvent.Fate.UNPLUGGED, net.trace().networkDrops().get(0).fate());
            assertEquals(1000 * MS + 20 * MS, connectedAt[0], "the SYN retransmitted at 1 s connects one RTT later");
        });
    }

    /** Linux: no ARP reply after 3 probes 1 s apart → ICMP host unreachable → connect() fails with EHOSTUNREACH. */
    @Test
    void connectToAbsentOnLinkHostFailsWithEhostunreachAfterThreeSeconds() {
        Network net = new Network(9);
        Host a = net.host("a", "10.0.0.1/24");
        Host b = net.host("b", "10.0.0.2/24");
        net.lan("lan", LinkSpec.delayMs(1)).attach(a).attach(b);
        long[] at = new long[2];
        TcpState[] st = new TcpState[1];
        Errno[] err = new Errno[2];
        a.spawn("c", () -> {
            TcpConnection c = Apps.connect(net, a, "10.0.0.9", 80);
            at[0] = net.nowNs();
            err[0] = c.takeError();
            TcpConnection ok = Apps.connect(net, a, "10.0.0.2", 80); // present: RST, ECONNREFUSED
            at[1] = net.nowNs();
            err[1] = ok.takeError();
            st[0] = ok.state();
        });
        net.runUntilDone(10_000);
        net.check(() -> {
            assertEquals(Errno.EHOSTUNREACH, err[0]);
            assertEquals(3000 * MS, at[0]);
            assertEquals(Errno.ECONNREFUSED, err[1]);
            assertEquals(3000 * MS + 2 * MS + 2 * MS, at[1], "ARP round trip 2 ms, then SYN and RST 1 ms each");
        });
    }

    @Test
    void routerForwardsDecrementingTtlAndAnswersRejectsWithIcmp() {
        Network net = new Network(10);
        Host a = net.host("a", "10.0.1.1/24").route("0.0.0.0/0", "10.0.1.254");
        Host b = net.host("b", "10.0.2.1/24").route("0.0.0.0/0", "10.0.2.254");
        Router r = net.router("r", "10.0.1.254/24", "10.0.2.254/24");
        net.link(a, r, LinkSpec.delayMs(5));
        net.link(r, b, LinkSpec.delayMs(5));
        r.reject("10.0.3.0/24", dev.synack.wire.Icmp.PORT_UNREACH);
        r.reject("10.0.4.0/24", dev.synack.wire.Icmp.ADMIN_PROHIBITED);
        b.spawn("srv", () -> Apps.accept(net, Apps.listen(b, 80)));
        List<Object> results = new ArrayList<>();
        a.spawn("c", () -> {
            results.add(Apps.connect(net, a, "10.0.2.1", 80).state());
            results.add(Apps.connect(net, a, "10.0.3.1", 80).takeError());
            results.add(Apps.connect(net, a, "10.0.4.1", 80).takeError());
            results.add(Apps.connect(net, a, "192.168.0.1", 80).takeError()); // router: no route → net unreachable
        });
        net.runUntilDone(10_000);
        net.check(() -> {
            assertEquals(List.of(TcpState.ESTABLISHED, Errno.ECONNREFUSED, Errno.EHOSTUNREACH, Errno.ENETUNREACH), results);
            TraceEvent.Packet syn = net.trace().received("b").get(0);
            assertEquals(Ipv4.DEFAULT_TTL - 1, Ipv4.ttl(syn.bytes(), 0));
            assertEquals(10 * MS, syn.timeNs());
            assertEquals(3, r.icmpSent());
        });
    }

    @Test
    void rateGivesSerializationDelayAndTheQueueDropsTail() {
        // 1 Mbit/s: a 60-byte SYN takes 480 µs to serialize, then 10 ms to propagate.
        Network net = pair(11, LinkSpec.builder().delayMs(10).rate(1_000_000).queue(3).build());
        Host client = host(net, "client"), server = host(net, "server");
        server.spawn("sink", () -> {
            TcpConnection c = Apps.accept(net, Apps.listen(server, 9));
            byte[] buf = new byte[65536];
            while (Apps.read(net, c, buf) > 0) {
                // drain
            }
        });
        client.spawn("burst", () -> {
            TcpConnection c = Apps.connect(net, client, "198.18.0.2", 9);
            Apps.write(net, c, new byte[10 * 1448]);
            c.close();
        });
        net.runUntilDone(60_000);
        SimLink up = net.links().get(0);
        net.check(() -> {
            TraceEvent.Packet syn = net.trace().received("server").get(0);
            int len = syn.bytes().length;
            assertEquals(10 * MS + (len * 8L * 1000), syn.timeNs());
            // The handshake's ACK is on the wire, then ten 1500-byte segments at once (initial window 10)
            // and the FIN of close(), which cwnd does not hold back (tcp_cwnd_test: the final FIN):
            // 3 wait in the queue, 8 are dropped.
            assertEquals(8, up.queueDrops(), up.toString());
            assertEquals(8, net.trace().networkDrops().stream().filter(w -> w.fate() == SimEvent.Fate.QUEUE_FULL).count());
        });
    }

    @Test
    void corruptedPacketsAreCaughtByTheChecksumAndRetransmitted() {
        Network net = pair(12, LinkSpec.builder().delayMs(2).corrupt(0.2).duplicate(0.1).reorder(0.1).build());
        Host client = host(net, "client"), server = host(net, "server");
        byte[] data = new byte[200_000];
        new java.util.Random(1).nextBytes(data);
        var got = new java.io.ByteArrayOutputStream();
        server.spawn("sink", () -> {
            TcpConnection c = Apps.accept(net, Apps.listen(server, 9));
            byte[] buf = new byte[65536];
            int n;
            while ((n = Apps.read(net, c, buf)) > 0) got.write(buf, 0, n);
        });
        client.spawn("src", () -> {
            TcpConnection c = Apps.connect(net, client, "198.18.0.2", 9);
            Apps.write(net, c, data);
            c.close();
        });
        net.runUntilDone(600_000);
        var links = net.links();
        long corruptedToServer = links.get(0).corrupted(), corruptedToClient = links.get(1).corrupted();
        net.check(() -> {
            assertTrue(java.util.Arrays.equals(data, got.toByteArray()), "data intact");
            assertTrue(corruptedToServer > 5, "corrupted " + corruptedToServer);
            var sc = server.stack().counters();
            var cc = client.stack().counters();
            // One flipped bit in the TCP segment: always caught (data offset first, else the checksum).
            assertEquals(corruptedToServer, sc.get(Counter.TcpInErrs));
            assertEquals(corruptedToClient, cc.get(Counter.TcpInErrs));
            assertTrue(sc.get(Counter.TcpInCsumErrors) > 0);
            assertTrue(Ladder.render(net).contains("server: ✗ checksum"));
        });
    }

    @Test
    void partitionLosesPacketsUntilHealed() {
        Network net = pair(13, LinkSpec.delayMs(5));
        Host client = host(net, "client"), server = host(net, "server");
        long[] at = new long[1];
        server.spawn("sink", () -> {
            TcpConnection c = Apps.accept(net, Apps.listen(server, 9));
            Apps.read(net, c, new byte[10]);
            at[0] = net.nowNs();
        });
        client.spawn("src", () -> {
            TcpConnection c = Apps.connect(net, client, "198.18.0.2", 9);
            net.runtime().sleep(100 * MS);
            Apps.write(net, c, new byte[10]);
        });
        net.runFor(50);
        net.partitionOneWay(java.util.Set.of(client), java.util.Set.of(server));
        net.runFor(2000);
        net.heal();
        net.runUntilDone(20_000);
        net.check(() -> {
            assertTrue(at[0] > 2050 * MS, "delivered after the heal: " + at[0]);
            assertTrue(net.trace().networkDrops().stream().allMatch(w -> w.fate() == SimEvent.Fate.PARTITIONED));
            assertTrue(net.trace().networkDrops().size() >= 3, "the data and its retransmissions were cut");
        });
    }
}
