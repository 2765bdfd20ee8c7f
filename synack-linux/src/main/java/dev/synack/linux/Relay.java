package dev.synack.linux;

import dev.synack.sim.oracle.Timeline;
import dev.synack.tun.TunDevice;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The path between two kernels: one thread per TUN device reads what its kernel sends, and one
 * delivery thread writes each packet into the other device after the one-way delay (unless the loss
 * draw or a cut drops it). The packets on the client's device are kept, with the time the client's
 * kernel sent them (read) or received them (written), for the {@link Timeline}.
 *
 * <p>The delay is a real-time schedule (about 0.1 ms late on an idle machine); the loss draw is
 * seeded, but which packet meets it depends on the kernel's timing, so a lossy run is not repeatable
 * packet for packet as the lab's is.
 */
final class Relay implements AutoCloseable {
    private record Seen(long tNs, boolean outbound, byte[] ip) {}

    private final TunDevice client, server;
    private final long oneWayNs, startNs;
    private final double loss;
    private final SplittableRandom random;
    private final ScheduledExecutorService delivery;
    private final List<Seen> seen = new ArrayList<>();
    private final Thread fromClient, fromServer;
    private volatile boolean cut, closed;

    Relay(TunDevice client, TunDevice server, long oneWayNs, double loss, long seed, long startNs) {
        this.client = client;
        this.server = server;
        this.oneWayNs = oneWayNs;
        this.loss = loss;
        this.random = new SplittableRandom(seed);
        this.startNs = startNs;
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().name("relay-delivery").daemon().unstarted(r));
        ex.setRemoveOnCancelPolicy(true);
        this.delivery = ex;
        fromClient = Thread.ofPlatform().name("relay-from-client").daemon().start(() -> pump(client, true));
        fromServer = Thread.ofPlatform().name("relay-from-server").daemon().start(() -> pump(server, false));
    }

    /** The router's address on the client's side, the source of its ICMP errors (as the lab's SimWorld has it). */
    static final int ROUTER = Ipv4.parse("198.18.0.254");

    /** The ICMP code the path answers the client's packets with, or -1 to forward them. */
    private volatile int rejectCode = -1;

    /**
     * From now on answers each packet from the client with an ICMP destination unreachable of {@code code},
     * arriving a full RTT after it was sent (the router is half the RTT away), instead of forwarding it;
     * a negative code forwards again.
     */
    void reject(int code) { rejectCode = code; }

    /** The ICMP error a router at {@link #ROUTER} sends back for the client's packet {@code p}. */
    private static byte[] unreachable(byte[] p, int code) {
        byte[] out = new byte[Ipv4.HEADER_LEN + Icmp.HEADER_LEN + Icmp.quoteLength(p, 0, p.length)];
        int icmpLen = Icmp.writeDestUnreachable(out, Ipv4.HEADER_LEN, code, 0, p, 0, p.length);
        Ipv4.write(out, 0, ROUTER, Ipv4.src(p, 0), Ipv4.PROTO_ICMP, Ipv4.DEFAULT_TTL, 0, icmpLen);
        return out;
    }

    /** Cuts the server off (true: nothing reaches it or leaves it) or reconnects it. */
    void cut(boolean on) { cut = on; }

    /**
     * Waits until the server's kernel has sent nothing for {@code quietMs} (at most a second), so what it
     * sent while cut off (a reboot's RSTs) is read and dropped before {@link #cut(boolean) cut(false)}.
     */
    void drainServer(long quietMs) throws InterruptedException {
        long deadline = System.nanoTime() + 1_000_000_000L;
        long seen = -1;
        while (System.nanoTime() < deadline) {
            long before = serverPackets;
            Thread.sleep(quietMs);
            if (serverPackets == before && seen == before) return;
            seen = serverPackets;
        }
    }

    private volatile long serverPackets;

    private void pump(TunDevice from, boolean clientSent) {
        byte[] buf = new byte[65536];
        try {
            while (!closed) {
                if (!from.awaitReadable(50)) continue;
                int n = from.read(buf);
                if (n < 0) return;
                if (n == 0) continue;
                long now = System.nanoTime();
                if (!clientSent) serverPackets++;
                byte[] p = Arrays.copyOf(buf, n);
                if (clientSent) record(now, true, p);
                boolean lost = scheduledDrop(clientSent);
                int reject = rejectCode;
                if (clientSent && reject >= 0 && !closed) {
                    byte[] icmp = unreachable(p, reject);
                    try {
                        delivery.schedule(() -> deliver(icmp, false), 2 * oneWayNs - (System.nanoTime() - now), TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        return; // closing
                    }
                    continue;
                }
                if (cut || lost || drop() || closed) continue;
                try {
                    delivery.schedule(() -> deliver(p, clientSent), oneWayNs - (System.nanoTime() - now), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    return; // closing
                }
            }
        } catch (IOException e) {
            if (!closed) System.err.println("relay: " + e.getMessage());
        }
    }

    private synchronized boolean drop() { return loss > 0 && random.nextDouble() < loss; }

    /** Packets read from each device (client, server), and the counts at which one is to be lost. */
    private final long[] handed = new long[2];
    private final java.util.List<java.util.Set<Long>> dropAt = java.util.List.of(new java.util.HashSet<>(), new java.util.HashSet<>());

    /** The {@code nth} packet (1 = the next) read from the client's (or the server's) device from now on is lost. */
    synchronized void dropNth(boolean fromClient, int nth) {
        int d = fromClient ? 0 : 1;
        dropAt.get(d).add(handed[d] + nth);
    }

    /** Counts a packet read from a device; whether it is one to lose. */
    private synchronized boolean scheduledDrop(boolean fromClient) {
        int d = fromClient ? 0 : 1;
        return dropAt.get(d).remove(++handed[d]);
    }

    private void deliver(byte[] p, boolean toServer) {
        if (closed) return;
        if (toServer) {
            if (!cut) server.write(p, 0, p.length);
        } else if (!cut) {
            record(System.nanoTime(), false, p); // a packet the server sent before the cut is lost with it
            client.write(p, 0, p.length);
        }
    }

    private synchronized void record(long nowNs, boolean outbound, byte[] p) {
        seen.add(new Seen(nowNs - startNs, outbound, p));
    }

    /** Adds every packet seen on the client's device to {@code b}. */
    synchronized void replay(Timeline.Builder b) {
        for (Seen s : seen) b.packet(s.tNs(), s.outbound(), s.ip(), s.ip().length);
    }

    @Override
    public void close() {
        closed = true;
        delivery.shutdownNow();
        try {
            fromClient.join(1000);
            fromServer.join(1000);
            delivery.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
