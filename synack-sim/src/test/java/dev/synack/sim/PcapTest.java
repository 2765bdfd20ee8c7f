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

/** pcap export, its determinism, and (when installed) what tshark makes of it. */
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
