package dev.synack.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The device's offloads (IFF_VNET_HDR, TSO4, checksum offload): super-segments both ways, and the wire
 * they stand for the same as synack's own trace. The splitting and merging themselves are tested without a
 * device; the capture test needs root (a namespace, a TUN device, tshark).
 */
class OffloadTest {
    TunLab lab;

    @AfterEach
    void tearDown() {
        if (lab != null) lab.close();
    }

    // ---- without a device ------------------------------------------------------------------------

    /** A TCP/IPv4 segment, checksums filled, as synack's stack writes it. */
    static byte[] segment(int ipId, int seq, int flags, int payloadLen, int tsVal) {
        int hl = 20, doff = 32;
        byte[] b = new byte[hl + doff + payloadLen];
        for (int i = 0; i < payloadLen; i++) b[hl + doff + i] = (byte) (seq + i);
        TcpHeader.writeHeader(b, hl, 40000, 8080, seq, 777, flags, 500, 12);
        b[hl + 20] = 1;
        b[hl + 21] = 1;
        b[hl + 22] = 8;
        b[hl + 23] = 10;
        VnetOffload.put32(b, hl + 24, tsVal);
        VnetOffload.put32(b, hl + 28, 99);
        TcpHeader.writeChecksum(b, hl, doff + payloadLen, Ipv4.parse("198.18.0.2"), Ipv4.parse("198.18.0.1"));
        Ipv4.write(b, 0, Ipv4.parse("198.18.0.2"), Ipv4.parse("198.18.0.1"), Ipv4.PROTO_TCP, 64, ipId, doff + payloadLen);
        return b;
    }

    /** What went to the device, each write as an array. */
    static List<byte[]> writes(VnetOffload o, List<byte[]> packets) {
        List<byte[]> out = new ArrayList<>();
        VnetOffload.Sink dev = (b, off, len) -> out.add(java.util.Arrays.copyOfRange(b, off, off + len));
        for (byte[] p : packets) o.transmit(p, 0, p.length, dev);
        o.flush(dev);
        return out;
    }

    /** What the stack was handed, each packet as an array. */
    static List<byte[]> received(byte[] write) {
        List<byte[]> out = new ArrayList<>();
        byte[] buf = java.util.Arrays.copyOf(write, VnetOffload.HDR + VnetOffload.MAX_PACKET);
        new VnetOffload().receive(buf, write.length, (b, off, len) -> out.add(java.util.Arrays.copyOfRange(b, off, off + len)), () -> {});
        return out;
    }

    @Test
    void aBurstOfFullSegmentsGoesDownAsOneSuperSegmentAndComesBackTheSame() {
        int mss = 1448;
        List<byte[]> burst = List.of(segment(10, 1000, TcpHeader.ACK, mss, 5), segment(11, 1000 + mss, TcpHeader.ACK, mss, 5),
                segment(12, 1000 + 2 * mss, TcpHeader.ACK, mss, 5), segment(13, 1000 + 3 * mss, TcpHeader.ACK | TcpHeader.PSH, 100, 5));
        VnetOffload o = new VnetOffload();
        List<byte[]> w = writes(o, burst);
        assertEquals(1, w.size());
        byte[] s = w.get(0);
        assertEquals(VnetOffload.F_NEEDS_CSUM, s[0]);
        assertEquals(VnetOffload.GSO_TCPV4, s[1]);
        assertEquals(52, VnetOffload.le16(s, 2));
        assertEquals(mss, VnetOffload.le16(s, 4));
        assertEquals(52 + 3 * mss + 100, Ipv4.totalLength(s, VnetOffload.HDR));
        assertEquals(TcpHeader.ACK | TcpHeader.PSH, TcpHeader.flags(s, VnetOffload.HDR + 20));
        assertEquals(1, o.superSegmentsOut());
        assertEquals(4, o.segmentsMerged());
        // The kernel's GSO would cut it into what synack sent; so does the receive side.
        List<byte[]> back = received(s);
        assertEquals(4, back.size());
        for (int i = 0; i < 4; i++) assertEquals(java.util.HexFormat.of().formatHex(burst.get(i)), java.util.HexFormat.of().formatHex(back.get(i)));
    }

    @Test
    void whatMayNotBeMergedGoesDownAlone() {
        int mss = 1448;
        // A different TSval, a gap in sequence, PSH in the middle, a pure ACK: four writes, none a super-segment.
        List<byte[]> packets = List.of(segment(1, 0, TcpHeader.ACK, mss, 5), segment(2, mss, TcpHeader.ACK, mss, 6),
                segment(3, 5 * mss, TcpHeader.ACK | TcpHeader.PSH, mss, 6), segment(4, 6 * mss, TcpHeader.ACK, 0, 6));
        VnetOffload o = new VnetOffload();
        List<byte[]> w = writes(o, packets);
        assertEquals(4, w.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(0, w.get(i)[1], "gso_type of write " + i);
            assertEquals(java.util.HexFormat.of().formatHex(packets.get(i)),
                    java.util.HexFormat.of().formatHex(w.get(i), VnetOffload.HDR, w.get(i).length));
        }
        assertEquals(0, o.superSegmentsOut());
    }

    @Test
    void aPartialChecksumIsCompleted() {
        byte[] p = segment(1, 0, TcpHeader.ACK, 10, 5);
        int good = TcpHeader.checksum(p, 20);
        byte[] w = new byte[VnetOffload.HDR + p.length];
        System.arraycopy(p, 0, w, VnetOffload.HDR, p.length);
        w[0] = VnetOffload.F_NEEDS_CSUM;
        VnetOffload.putLe16(w, 6, 20);
        VnetOffload.putLe16(w, 8, 16);
        // As the kernel leaves it: the pseudo-header's sum, not complemented.
        int pseudo = ~dev.synack.wire.Checksum.finish(dev.synack.wire.Checksum.pseudoHeader(Ipv4.src(p, 0), Ipv4.dst(p, 0), 6, p.length - 20)) & 0xFFFF;
        VnetOffload.put16(w, VnetOffload.HDR + 36, pseudo);
        List<byte[]> back = received(w);
        assertEquals(1, back.size());
        assertEquals(good, TcpHeader.checksum(back.get(0), 20));
    }

    // ---- on a device ---------------------------------------------------------------------------------

    /**
     * tshark on the device while synack and the kernel move 1 MB each way at once with offloads: both
     * sides' super-segments, cut at the MSS with their checksums completed (what the kernel's GSO puts on
     * a wire, and what synack's receive path hands its stack), are per direction synack's own trace, packet
     * for packet and byte for byte; and super-segments did go both ways.
     */
    @Test
    void theCaptureCutAtTheMssIsSynacksTrace() throws Exception {
        TunLab.assumeTunLab();
        assumeTrue(TunLab.onPath("tshark"), "no tshark (Debian package tshark; .ci/run installs it): capture test skipped");
        lab = new TunLab(1500, new TcpConfig(), true);
        long bulk = 1L << 20;
        Path pcap = Files.createTempFile("synack-offload", ".pcap");
        try {
            pcap.toFile().setWritable(true, false);
            var traced = Collections.synchronizedList(new ArrayList<TraceEvent.Packet>());
            lab.host.call(() -> {
                lab.host.stack().setTracer(ev -> {
                    if (ev instanceof TraceEvent.Packet p && p.bytes().length >= 20 && (p.bytes()[0] >> 4) == 4
                            && Ipv4.protocol(p.bytes(), 0) == Ipv4.PROTO_TCP) {
                        traced.add(p);
                    }
                });
                return null;
            });
            var tshark = lab.start("tshark", "-i", lab.dev, "-f", "tcp", "-F", "pcap", "-B", "64", "-w", pcap.toString(), "-P", "-l");
            tshark.lineContaining("Capture started", 20);
            var peer = lab.python("server", "8080", String.valueOf(bulk));
            assertEquals("listening", peer.line(20));
            TcpSocket c = new TcpSocket(lab.host.kernel());
            c.connect(new InetSocketAddress(lab.kernelAddr, 8080), 10_000);
            long total = TunLab.exchange(c, bulk, 3);
            assertEquals(bulk, total);
            assertTrue(peer.lineStarting("recv", 60).startsWith("recv " + bulk + " "));
            c.close();
            assertEquals(0, peer.waitFor(30), peer.output());
            // dumpcap hands packets over in blocks (up to a second late): wait, bounded, until its count has
            // not moved for a second, then stop it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20), last = -1, stableSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                long now = tshark.output().lines().filter(l -> l.matches("\\s*\\d+\\s+\\d+\\.\\d+ .*")).count();
                if (now != last) {
                    last = now;
                    stableSince = System.nanoTime();
                } else if (now > 0 && System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(1500)) {
                    break;
                }
                Thread.sleep(50);
            }
            TunLab.run("kill", "-INT", String.valueOf(tshark.process.pid()));
            assertTrue(tshark.process.waitFor(20, TimeUnit.SECONDS), "tshark did not stop: " + tshark.output());
            long[] counts = lab.host.offloadCounts();
            assertTrue(counts[0] > 0 && counts[2] > 0, "super-segments out/in: " + java.util.Arrays.toString(counts));
            int synack = lab.synack();
            List<String> traceOut = new ArrayList<>(), traceIn = new ArrayList<>();
            int mssOut = 0, mssIn = 0;
            synchronized (traced) {
                for (var p : traced) {
                    int payload = payload(p.bytes());
                    if (p.outbound()) {
                        traceOut.add(Pcap.describe(p.bytes()));
                        mssOut = Math.max(mssOut, payload);
                    } else {
                        traceIn.add(Pcap.describe(p.bytes()));
                        mssIn = Math.max(mssIn, payload);
                    }
                }
            }
            List<String> wireOut = new ArrayList<>(), wireIn = new ArrayList<>();
            for (byte[] p : Pcap.ipPackets(pcap)) {
                boolean out2 = Ipv4.src(p, 0) == synack;
                for (byte[] s : cut(p, out2 ? mssOut : mssIn)) (out2 ? wireOut : wireIn).add(Pcap.describe(s));
            }
            String said = tshark.output().lines().filter(l -> !l.matches("\\s*\\d+\\s+\\d+\\.\\d+ .*")).collect(java.util.stream.Collectors.joining("\n"));
            assertEquals(traceOut.size(), wireOut.size(), "synack → kernel: segments; tshark said: " + said);
            assertEquals(String.join("\n", traceOut), String.join("\n", wireOut), "synack → kernel");
            assertEquals(traceIn.size(), wireIn.size(), "kernel → synack: segments; tshark said: " + said);
            assertEquals(String.join("\n", traceIn), String.join("\n", wireIn), "kernel → synack");
        } finally {
            Files.deleteIfExists(pcap);
        }
    }

    static int payload(byte[] p) {
        int hl = Ipv4.headerLength(p, 0);
        return Ipv4.totalLength(p, 0) - hl - TcpHeader.dataOffset(p, hl);
    }

    /**
     * A captured packet as segments of at most {@code mss} bytes with complete checksums: through the
     * receive side's cutting, with a virtio-net header saying what the kernel's would (TCPV4 at the MSS,
     * a partial checksum to complete).
     */
    static List<byte[]> cut(byte[] p, int mss) {
        int hl = Ipv4.headerLength(p, 0);
        int len = Ipv4.totalLength(p, 0);
        byte[] w = new byte[VnetOffload.HDR + len];
        System.arraycopy(p, 0, w, VnetOffload.HDR, len);
        // The capture holds what was written to or read from the device: a partial checksum, or a full one.
        // Start from the pseudo-header's sum either way.
        int pseudo = ~dev.synack.wire.Checksum.finish(dev.synack.wire.Checksum.pseudoHeader(Ipv4.src(p, 0), Ipv4.dst(p, 0), 6, len - hl)) & 0xFFFF;
        VnetOffload.put16(w, VnetOffload.HDR + hl + 16, pseudo);
        w[0] = VnetOffload.F_NEEDS_CSUM;
        if (payload(p) > mss) {
            w[1] = VnetOffload.GSO_TCPV4;
            VnetOffload.putLe16(w, 4, mss);
        }
        VnetOffload.putLe16(w, 6, hl);
        VnetOffload.putLe16(w, 8, 16);
        return received(w);
    }
}
