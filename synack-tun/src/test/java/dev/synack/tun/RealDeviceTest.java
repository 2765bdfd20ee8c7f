package dev.synack.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.socket.ErrnoCarrier;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.Errno;
import dev.synack.wire.Ipv4;
import java.io.IOException;
import dev.synack.stats.Counter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * synack correct on the real device (issue 16, item 0): a deep TUN queue, so a clean path (a TUN device
 * to the kernel, nothing lost by design) sees no packet dropped at synack's queue while the JVM warms
 * up and no spurious retransmission either way; and routes beyond the device's prefix. Root only (see
 * {@link TunLab}); the clean-path test prints the counters it checks.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RealDeviceTest {
    static final long BULK = Long.getLong("synack.tun.mb", 100) << 20;
    static final int PORT = 8080;

    TunLab lab;

    @BeforeEach
    void setUp() throws Exception {
        TunLab.assumeTunLab();
        lab = new TunLab(1500);
    }

    @AfterEach
    void tearDown() {
        if (lab != null) lab.close();
    }

    long synack(Counter c) { return lab.host.call(() -> lab.host.stack().counters().get(c)); }

    /** A kernel counter of the lab's namespace (nstat, absolute). */
    long kernel(String name) throws Exception {
        String out = TunLab.run("ip", "netns", "exec", lab.ns, "nstat", "-asz", name);
        for (String line : out.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals(name)) return Long.parseLong(f[1]);
        }
        return 0;
    }

    /** Spurious retransmissions tolerated in one run (see the bulk test). */
    static final long SPURIOUS_ALLOWED = 10;

    /** Packets the kernel dropped because synack's TUN queue was full (the device's tx_dropped). */
    long tunQueueDrops() throws Exception {
        return Long.parseLong(TunLab.run("ip", "netns", "exec", lab.ns, "cat", "/sys/class/net/" + lab.dev + "/statistics/tx_dropped").strip());
    }

    /** The device's queue for synack is deepened at open (the kernel's default for TUN is 500 packets). */
    @Test
    void theTunQueueIsDeep() throws Exception {
        String link = TunLab.run("ip", "-n", lab.ns, "-o", "link", "show", "dev", lab.dev);
        assertTrue(link.contains(" qlen " + TunDevice.TX_QUEUE_LEN), link);
    }

    /**
     * 100 MB each way at once (-Dsynack.tun.mb): no packet dropped at synack's TUN queue (tx_dropped,
     * 5,476–11,714 of them in three runs before the queue was deepened, with 4,853–10,441 retransmissions
     * by the kernel, 139–448 of them lost again), and at most a few spurious retransmissions: D-SACKs
     * (a duplicate the peer reports) and retransmissions lost again (RACK: TcpExtTCPLostRetransmit),
     * which on a path that loses nothing only a timestamp tie or a loss probe racing an ACK can cause.
     */
    @Test
    void bothWaysAtOnceWithoutEarlyDropsOrSpuriousRetransmissions() throws Exception {
        var peer = lab.python("server", String.valueOf(PORT), String.valueOf(BULK));
        assertEquals("listening", peer.line(20));
        TcpSocket c = new TcpSocket(lab.host.kernel());
        c.connect(new InetSocketAddress(lab.kernelAddr, PORT), 10_000);
        long total = TunLab.exchange(c, BULK, 11);
        assertEquals(BULK, total);
        peer.lineStarting("recv", 60);
        c.close();
        long drops = tunQueueDrops();
        long rtx = synack(Counter.TcpRetransSegs), lostRtx = synack(Counter.TcpExtTCPLostRetransmit);
        long dsack = synack(Counter.TcpExtTCPDSACKRecv);
        long kRtx = kernel("TcpRetransSegs"), kDsack = kernel("TcpExtTCPDSACKRecv"), kLostRtx = kernel("TcpExtTCPLostRetransmit");
        System.out.printf("clean path, %d MB each way: TUN queue drops %d; synack: %d retransmitted, %d retransmissions lost again,"
                + " %d D-SACKs received; kernel: %d retransmitted, %d retransmissions lost again, %d D-SACKs received%n",
                BULK >> 20, drops, rtx, lostRtx, dsack, kRtx, kLostRtx, kDsack);
        assertEquals(0, drops, "packets dropped at synack's TUN queue");
        // Not zero: on a loaded machine a loss probe may fire before an ACK already on its way (Linux's
        // own stack does the same), which the peer reports with a D-SACK. The bug this guards against
        // (timestamp ties within a batch) made 139–448 retransmissions lost again per run. Counted as
        // retransmissions, not D-SACKs received: one spurious retransmission once drew 45 ACKs that
        // each carried its D-SACK block (a run in CI on a fresh machine: 1 retransmitted, 45 D-SACKs).
        long spurious = rtx + lostRtx + kRtx + kLostRtx;
        assertTrue(spurious <= SPURIOUS_ALLOWED, "spurious retransmissions (synack: retransmitted, lost again; kernel:"
                + " retransmitted, lost again) " + List.of(rtx, lostRtx, kRtx, kLostRtx) + "; D-SACKs received " + List.of(dsack, kDsack));
    }

    /**
     * A route beyond the device's prefix: the kernel's second address 198.19.N.1 (on its loopback) is
     * unreachable from synack (ENETUNREACH) until synack has a default route via the kernel's address on
     * the device (synack tun --gateway); a gateway off the prefix is refused with one line.
     */
    @Test
    void aGatewayReachesBeyondThePrefix() throws Exception {
        String far = "198.19." + lab.subnet + ".1";
        TunLab.run("ip", "-n", lab.ns, "addr", "add", far + "/32", "dev", "lo");
        var peer = lab.python("server", String.valueOf(PORT), "1000");
        assertEquals("listening", peer.line(20));
        try (TcpSocket c = new TcpSocket(lab.host.kernel())) {
            var e = assertThrows(IOException.class, () -> c.connect(new InetSocketAddress(far, PORT), 5_000));
            assertEquals(Errno.ENETUNREACH, ((ErrnoCarrier) e).errno());
        }
        var bad = assertThrows(IllegalArgumentException.class, () -> lab.host.addRoute(0, 0, Ipv4.parse("198.19.0.1")));
        assertEquals("gateway 198.19.0.1 is not a neighbour on 198.18." + lab.subnet + ".0/24", bad.getMessage());
        lab.host.addRoute(0, 0, lab.kernel());
        try (TcpSocket c = new TcpSocket(lab.host.kernel())) {
            c.connect(new InetSocketAddress(far, PORT), 10_000);
            c.shutdownOutput();
            assertEquals(1000, c.getInputStream().readAllBytes().length);
        }
        assertTrue(peer.lineStarting("recv", 30).startsWith("recv 0 "));
    }
}
