package dev.synack.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.tcp.TcpConnection;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pcap and pcapng export, their determinism, and (when installed) what tshark makes of them. */
class PcapTest {
    /** A lossy, jittery transfer with a close: enough to have retransmissions, SACKs and FINs. */
    static Network story(long seed) {
        Network net = new Network(seed);
        Host c = net.host("client", "198.18.0.1/24");
        Host s = net.host("server", "198.18.0.2/24");
        net.link(c, s, LinkSpec.builder().delayMs(20).jitterMs(3).loss(0.05).duplicate(0.02).reorder(0.02).build());
        s.spawn("sink", () -> {
            TcpConnection conn = Apps.accept(net, Apps.listen(s, 9));
            byte[] buf = new byte[65536];
            while (Apps.read(net, conn, buf) > 0) {
                // drain
            }
            conn.close();
        });
        c.spawn("src", () -> {
            TcpConnection conn = Apps.connect(net, c, "198.18.0.2", 9);
            Apps.write(net, conn, new byte[300_000]);
            conn.close();
        });
        net.runUntilDone(600_000);
        net.runFor(70_000);
        return net;
    }

    record Rec(long sec, long usec, byte[] data) {}

    /** An independent reader of classic big-endian pcap. */
    static List<Rec> read(byte[] file) throws IOException {
        var in = new DataInputStream(new ByteArrayInputStream(file));
        assertEquals(0xa1b2c3d4, in.readInt());
        assertEquals(2, in.readUnsignedShort());
        assertEquals(4, in.readUnsignedShort());
        in.readInt();
        in.readInt();
        assertEquals(65535, in.readInt());
        assertEquals(101, in.readInt(), "LINKTYPE_RAW");
        List<Rec> out = new ArrayList<>();
        while (in.available() > 0) {
            long sec = in.readInt() & 0xFFFFFFFFL, usec = in.readInt() & 0xFFFFFFFFL;
            int incl = in.readInt(), orig = in.readInt();
            assertEquals(orig, incl);
            byte[] d = new byte[incl];
            in.readFully(d);
            out.add(new Rec(sec, usec, d));
        }
        return out;
    }

    @Test
    void pcapHoldsEveryPacketAsItLeftItsSender() throws IOException {
        Network net = story(21);
        byte[] file = Pcap.toBytes(net.trace());
        List<Rec> recs = read(file);
        List<TraceEvent.Packet> sent = net.trace().events(TraceEvent.Packet.class).stream().filter(TraceEvent.Packet::outbound).toList();
        net.check(() -> {
            assertEquals(sent.size(), recs.size());
            for (int i = 0; i < recs.size(); i++) {
                assertArrayEquals(sent.get(i).bytes(), recs.get(i).data());
                long us = sent.get(i).timeNs() / 1000;
                assertEquals(us / 1_000_000, recs.get(i).sec());
                assertEquals(us % 1_000_000, recs.get(i).usec());
            }
            assertTrue(net.links().get(0).lost() > 0, "the story has losses");
        });
    }

    @Test
    void sameSeedSamePacketsByteForByteAndAnotherSeedDiffers() {
        byte[] a = Pcap.toBytes(story(42).trace());
        byte[] b = Pcap.toBytes(story(42).trace());
        byte[] c = Pcap.toBytes(story(43).trace());
        assertArrayEquals(a, b, "seed 42 twice");
        assertFalse(Arrays.equals(a, c), "seeds 42 and 43 with loss");
    }

    @Test
    void jsonHasOneObjectPerEvent() {
        Network net = LabTest.pair(5, LinkSpec.delayMs(1));
        Host s = (Host) net.node("server"), c = (Host) net.node("client");
        s.spawn("l", () -> Apps.accept(net, Apps.listen(s, 80)));
        c.spawn("c", () -> Apps.connect(net, c, "198.18.0.2", 80));
        net.runUntilDone(1000);
        String json = Ladder.json(net);
        String[] lines = json.split("\n");
        assertEquals("[", lines[0]);
        assertEquals("]", lines[lines.length - 1]);
        assertEquals(net.trace().size(), lines.length - 2);
        assertTrue(json.contains("{\"t\":0.000000000,\"type\":\"packet\",\"host\":\"client\",\"dir\":\"out\",\"id\":0,\"src\":\"client\","
                + "\"dst\":\"server\",\"flags\":\"S\",\"seq\":0,\"len\":0,\"win\":64240,"), json);
        assertTrue(json.contains("\"type\":\"state\",\"host\":\"client\",\"conn\":"), json);
        // The SYN's arrival names its send; both carry the absolute numbers and every option as sent.
        assertTrue(json.contains("{\"t\":0.001000000,\"type\":\"packet\",\"host\":\"server\",\"dir\":\"in\",\"of\":0,"), json);
        assertTrue(json.contains("\"sport\":") && json.contains("\"abs_seq\":") && json.contains("\"options\":\"mss 1460,sackOK,TS val "), json);
    }

    /** tshark (CI installs it) must read the file and see, packet by packet, the flags, seq and ack we sent. */
    @Test
    void tsharkReadsTheFileAndAgreesOnEveryPacket(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(onPath("tshark"), "tshark is not on PATH: skipping the Wireshark cross-check");
        Network net = story(21);
        Path file = dir.resolve("story.pcap");
        Pcap.write(net.trace(), file);
        Process p = new ProcessBuilder("tshark", "-r", file.toString(), "-T", "fields", "-e", "frame.time_relative",
                "-e", "tcp.flags.str", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        List<TraceEvent.Packet> sent = net.trace().events(TraceEvent.Packet.class).stream().filter(TraceEvent.Packet::outbound).toList();
        String[] lines = out.strip().split("\n");
        assertEquals(sent.size(), lines.length);
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].split("\t", -1);
            byte[] b = sent.get(i).bytes();
            int t = Ipv4.headerLength(b, 0);
            assertEquals((sent.get(i).timeNs() / 1000) / 1e6, Double.parseDouble(f[0]), 1e-6, "time of packet " + (i + 1));
            assertEquals(Integer.toUnsignedLong(TcpHeader.seq(b, t)), Long.parseLong(f[2]), "seq of packet " + (i + 1));
            assertEquals(Integer.toUnsignedLong(TcpHeader.ack(b, t)), Long.parseLong(f[3]), "ack of packet " + (i + 1));
            assertEquals(tsharkFlags(TcpHeader.flags(b, t)), f[1].replace("\u00b7", "·"), "flags of packet " + (i + 1));
        }
    }

    record NgRec(long timeNs, byte[] data, String comment) {}

    /**
     * An independent reader of little-endian pcapng: a Section Header Block (version 1.0), one Interface
     * Description Block (LINKTYPE_RAW, if_tsresol 9: nanoseconds), then Enhanced Packet Blocks, each with
     * its opt_comment if any.
     */
    static List<NgRec> readNg(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<NgRec> out = new ArrayList<>();
        boolean nanos = false;
        int blocks = 0;
        while (b.hasRemaining()) {
            int start = b.position(), type = b.getInt(), total = b.getInt();
            assertEquals(0, total % 4, "block length is 32-bit aligned");
            assertEquals(total, b.getInt(start + total - 4), "trailing block length");
            switch (blocks++) {
                case 0 -> {
                    assertEquals(0x0A0D0D0A, type, "Section Header Block first");
                    assertEquals(0x1A2B3C4D, b.getInt());
                    assertEquals(1, b.getShort());
                    assertEquals(0, b.getShort());
                }
                case 1 -> {
                    assertEquals(1, type, "Interface Description Block second");
                    assertEquals(101, b.getShort(), "LINKTYPE_RAW");
                    b.getShort();
                    b.getInt();
                    for (int code = b.getShort(), len = b.getShort(); code != 0; code = b.getShort(), len = b.getShort()) {
                        if (code == 9) nanos = b.get(b.position()) == 9;
                        b.position(b.position() + (len + 3 & ~3));
                    }
                }
                default -> {
                    assertEquals(6, type, "Enhanced Packet Blocks after");
                    assertEquals(0, b.getInt(), "interface 0");
                    long ts = (b.getInt() & 0xFFFFFFFFL) << 32 | (b.getInt() & 0xFFFFFFFFL);
                    int caplen = b.getInt(), origlen = b.getInt();
                    assertEquals(origlen, caplen);
                    byte[] data = new byte[caplen];
                    b.get(data);
                    b.position(b.position() + (-caplen & 3));
                    String comment = null;
                    while (b.position() < start + total - 4) {
                        int code = b.getShort(), len = b.getShort();
                        if (code == 0) break;
                        byte[] v = new byte[len];
                        b.get(b.position(), v);
                        if (code == 1) comment = new String(v, StandardCharsets.UTF_8);
                        b.position(b.position() + (len + 3 & ~3));
                    }
                    out.add(new NgRec(ts, data, comment));
                }
            }
            b.position(start + total);
        }
        assertTrue(nanos, "if_tsresol 9");
        return out;
    }

    /** pcapng: the same packets as pcap, at the nanosecond, each with why its TCP sent it as the comment. */
    @Test
    void pcapngHoldsEveryPacketWithWhyItWasSent() {
        Network net = story(21);
        List<NgRec> recs = readNg(Pcap.toBytesNg(net.trace()));
        List<TraceEvent.Packet> sent = net.trace().events(TraceEvent.Packet.class).stream().filter(TraceEvent.Packet::outbound).toList();
        net.check(() -> {
            assertEquals(sent.size(), recs.size());
            for (int i = 0; i < recs.size(); i++) {
                TraceEvent.Packet p = sent.get(i);
                assertArrayEquals(p.bytes(), recs.get(i).data());
                assertEquals(p.timeNs(), recs.get(i).timeNs());
                assertEquals(p.reason().text(p.reasonN()) + " [" + p.reason().code() + "]", recs.get(i).comment());
            }
        });
        assertArrayEquals(Pcap.toBytesNg(story(21).trace()), Pcap.toBytesNg(net.trace()), "same seed, same file");
    }

    /** tcpdump on one host: what reached it and was dropped says so in its comment. */
    @Test
    void pcapngAtAHostCommentsDrops(@TempDir Path dir) throws IOException {
        Network net = ReasonsTest.refused();
        Path file = dir.resolve("server.pcapng");
        Pcap.write(net.trace(), file, Pcap.at("server"));
        List<NgRec> recs = readNg(Files.readAllBytes(file));
        assertEquals("dropped: no socket for this segment (tcp_v4_rcv) [NO_SOCKET]", recs.get(0).comment());
        assertEquals("RST: no socket (RFC 9293 §3.10.7.1) [RST_NO_SOCKET]", recs.get(1).comment());
    }

    /** tshark (CI installs it) must read the pcapng and show each packet's comment: why it was sent. */
    @Test
    void tsharkShowsWhyEachPacketWasSent(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(onPath("tshark"), "tshark is not on PATH: skipping the Wireshark check of pcapng comments");
        Network net = story(21);
        Path file = dir.resolve("story.pcapng");
        Pcap.write(net.trace(), file);
        // The field is frame.comment in tshark 4.x; older versions called it pkt_comment.
        String out = tshark(file, "frame.comment");
        if (out.isBlank()) out = tshark(file, "pkt_comment");
        List<TraceEvent.Packet> sent = net.trace().events(TraceEvent.Packet.class).stream().filter(TraceEvent.Packet::outbound).toList();
        String[] lines = out.strip().split("\n");
        assertEquals(sent.size(), lines.length);
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].split("\t", -1);
            TraceEvent.Packet p = sent.get(i);
            assertEquals(p.timeNs() / 1e9, Double.parseDouble(f[0]), 1e-9, "time of packet " + (i + 1));
            assertEquals(Pcap.comment(p), f[1], "comment of packet " + (i + 1));
        }
    }

    private static String tshark(Path file, String commentField) throws Exception {
        Process p = new ProcessBuilder("tshark", "-r", file.toString(), "-T", "fields", "-e", "frame.time_relative",
                "-e", commentField).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() == 0 ? out : "";
    }

    /** Wireshark's tcp.flags.str: 12 characters "RRRNCEUAPRSF" with · for a clear bit. */
    static String tsharkFlags(int flags) {
        String letters = "CEUAPRSF";
        StringBuilder sb = new StringBuilder("····");
        for (int bit = 7; bit >= 0; bit--) sb.append((flags & (1 << bit)) != 0 ? letters.charAt(7 - bit) : '·');
        return sb.toString();
    }

    static boolean onPath(String cmd) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(File.pathSeparator)) if (Files.isExecutable(Path.of(d, cmd))) return true;
        return false;
    }
}
