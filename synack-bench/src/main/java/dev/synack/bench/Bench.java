package dev.synack.bench;

import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConnection;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The stack's figures in one run (under a minute): bulk throughput and allocation per segment between
 * two engines on zero-delay in-memory links, 1-byte request/response rate, and heap per idle connection.
 * Everything runs on this one thread (the engines are single-threaded); times are wall-clock.
 */
public final class Bench {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        System.out.printf("synack bench: %s %s, %d cores%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        // Arguments pick parts, in order and repeatable (for profiling one of them): mss, 64k, rr, idle;
        // ofo, sack, conns (or structures, all three): what a peer can make the data structures cost.
        for (String arg : args.length == 0 ? new String[] {"mss", "64k", "rr", "idle"} : args) {
            String part = arg.replaceFirst(":.*", ""); // conns:N for N connections
            switch (part) {
                case "mss" -> besideLoopback(3);
                case "64k" -> bulk("64 KB segments (MTU 65535)", 65535, 16 << 20, 8_000_000_000L);
                case "rr" -> roundTrips();
                case "idle" -> idleConnections(2_000); // buffers are allocated as data arrives: an idle end costs ~3 KB
                // What a peer can make the data structures cost (not in the default run): Structures.
                case "ofo" -> Structures.ofo(32_000);
                case "sack" -> Structures.sack(60_000);
                case "conns" -> Structures.conns(arg.contains(":") ? Integer.parseInt(arg.substring(6)) : 200_000);
                case "structures" -> {
                    Structures.ofo(32_000);
                    Structures.sack(60_000);
                    Structures.conns(200_000);
                }
                default -> throw new IllegalArgumentException("unknown part " + part + " (mss, 64k, rr, idle, ofo, sack, conns, structures)");
            }
        }
    }

    /**
     * The pair at MSS 1448 and, when iperf3 is installed, Linux's own TCP over loopback with the same
     * MSS, alternately ({@code sittings} times each: this machine's speed moves between runs, so only
     * a ratio from one sitting means anything); medians and their ratio.
     */
    static void besideLoopback(int sittings) {
        var loopback = Loopback.find();
        List<Double> ours = new ArrayList<>(), linux = new ArrayList<>();
        for (int i = 0; i < sittings; i++) {
            ours.add(bulk("MSS 1448 (MTU 1500)", 1500, 4 << 20, 4_000_000_000L));
            loopback.ifPresent(l -> l.measure(3).ifPresent(bps -> {
                linux.add(bps / 1e9);
                System.out.printf("Linux loopback, iperf3 -M 1448  %6.2f Gbit/s payload  (3 s, 127.0.0.1; the kernel's GSO packets of up to 64 KB)%n", bps / 1e9);
            }));
        }
        if (!linux.isEmpty()) {
            System.out.printf("MSS 1448: synack's pair %.2f Gbit/s, Linux loopback %.2f Gbit/s (medians of %d alternate runs): %.2f×%n",
                    median(ours), median(linux), sittings, median(ours) / median(linux));
        }
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** One bulk run between a fresh pair (after a warm-up of an eighth as much); prints and returns its Gbit/s of payload. */
    static double bulk(String name, int mtu, int buf, long bytes) {
        Pair p = new Pair(mtu, buf, false);
        p.bulk(bytes / 8); // warm up
        long seg0 = p.dataSegmentsSent();
        long alloc0 = THREADS.getCurrentThreadAllocatedBytes();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long moved = p.bulk(bytes);
        long ns = System.nanoTime() - t0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long alloc = THREADS.getCurrentThreadAllocatedBytes() - alloc0;
        long segs = p.dataSegmentsSent() - seg0;
        System.out.printf("bulk %-28s %6.2f Gbit/s payload  (%d MB in %.2f s, %d segments, mss %d, %.1f bytes allocated/segment; %.2f Gbit per CPU second)%n",
                name, moved * 8.0 / ns, moved >> 20, ns / 1e9, segs, p.client.mss(), (double) alloc / segs, moved * 8.0 / cpu);
        return moved * 8.0 / ns;
    }

    static void roundTrips() {
        Pair p = new Pair(1500, 0, true);
        for (int i = 0; i < 200_000; i++) p.roundTrip();
        int n = 2_000_000;
        long alloc0 = THREADS.getCurrentThreadAllocatedBytes();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) p.roundTrip();
        long ns = System.nanoTime() - t0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long alloc = THREADS.getCurrentThreadAllocatedBytes() - alloc0;
        System.out.printf("1-byte request/response      %,10.0f round trips/s  (%.2f µs each, %.1f bytes allocated each; %,.0f per CPU second)%n",
                n * 1e9 / ns, ns / 1e3 / n, (double) alloc / n, n * 1e9 / cpu);
    }

    static void idleConnections(int n) {
        Pair p = new Pair(1500, 0, false);
        List<TcpConnection> keep = new ArrayList<>();
        long before = usedHeap();
        SocketOptions o = new SocketOptions();
        for (int i = 0; i < n; i++) {
            keep.add(p.connect(o));
            keep.add(p.acceptOne());
        }
        p.sched.runAll(Long.MAX_VALUE); // settle: nothing but idle connections remain
        long after = usedHeap();
        System.out.printf("idle established connections %,10d bytes of heap per connection (one end; %d ends, %.1f MB)%n",
                (after - before) / keep.size(), keep.size(), (after - before) / 1e6);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
