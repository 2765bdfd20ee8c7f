package dev.synack.sim;

import dev.synack.trace.TraceEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Capture files that Wireshark and tshark open: classic pcap (the libpcap format, magic 0xa1b2c3d4
 * written big-endian, version 2.4, snaplen 65535, LINKTYPE_RAW = 101: each record is a bare IPv4
 * packet; timestamps are the virtual time in microseconds since the start of the story), or pcapng
 * ({@link #writeNg}; chosen by {@link #write(Trace, Path)} for a name ending in {@code .pcapng}), the
 * same packets with nanosecond timestamps and a comment on each: why TCP sent it (its
 * {@link dev.synack.tcp.SendReason}) or why the receiving stack dropped it. Wireshark shows the comment
 * in the packet's details; {@code tshark -T fields -e frame.comment} prints it.
 *
 * <p>Capture points: by default ({@link #SENDERS}) every packet as it leaves its sender, host or
 * router (the routers' own ICMP errors; not the packets they forward), so retransmissions and packets
 * the network then lost are in the file, once each. {@link #at(String)} is tcpdump on one host: what
 * its stack sent and what reached it. Packets a sender's neighbour resolution held and then gave up on
 * are in the file (Linux's tcpdump would not see them: it taps after resolution).
 */
public final class Pcap {
    private Pcap() {}

    public static final int MAGIC = 0xa1b2c3d4;
    public static final int LINKTYPE_RAW = 101;
    public static final int SNAPLEN = 65535;

    /** Every packet as it leaves its sender. */
    public static final Predicate<TraceEvent.Packet> SENDERS = TraceEvent.Packet::outbound;

    /** Packets sent and received by {@code host} (tcpdump on that host). */
    public static Predicate<TraceEvent.Packet> at(String host) { return p -> p.host().equals(host); }

    /** Writes the trace's packets seen at {@code capture} to {@code out}. */
    public static void write(Trace trace, OutputStream out, Predicate<TraceEvent.Packet> capture) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(MAGIC);
        d.writeShort(2);
        d.writeShort(4);
        d.writeInt(0); // thiszone
        d.writeInt(0); // sigfigs
        d.writeInt(SNAPLEN);
        d.writeInt(LINKTYPE_RAW);
        for (TraceEvent.Packet p : trace.events(TraceEvent.Packet.class)) {
            if (!capture.test(p)) continue;
            long us = p.timeNs() / 1000;
            int len = Math.min(p.bytes().length, SNAPLEN);
            d.writeInt((int) (us / 1_000_000));
            d.writeInt((int) (us % 1_000_000));
            d.writeInt(len);
            d.writeInt(p.bytes().length);
            d.write(p.bytes(), 0, len);
        }
        d.flush();
    }

    /** Writes every packet as it left its sender to {@code file}: pcapng if its name ends in {@code .pcapng}, else pcap. */
    public static void write(Trace trace, Path file) {
        write(trace, file, SENDERS);
    }

    /** Writes the packets seen at {@code capture} to {@code file}: pcapng if its name ends in {@code .pcapng}, else pcap. */
    public static void write(Trace trace, Path file, Predicate<TraceEvent.Packet> capture) {
        boolean ng = file.getFileName() != null && file.getFileName().toString().endsWith(".pcapng");
        try (OutputStream out = Files.newOutputStream(file)) {
            if (ng) writeNg(trace, out, capture);
            else write(trace, out, capture);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- pcapng (draft-ietf-opsawg-pcapng) -----------------------------------------------------

    private static final int SHB = 0x0A0D0D0A, IDB = 1, EPB = 6, BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int OPT_END = 0, OPT_COMMENT = 1, SHB_USERAPPL = 4, IF_NAME = 2, IF_TSRESOL = 9;

    /**
     * Writes the trace's packets seen at {@code capture} to {@code out} as pcapng (little-endian): a
     * Section Header Block, one Interface Description Block (LINKTYPE_RAW, nanosecond timestamps) and an
     * Enhanced Packet Block per packet whose opt_comment says why its sender's TCP sent it ({@link #comment}),
     * or, for a packet that reached a host and was dropped there, "dropped: text [CODE]".
     */
    public static void writeNg(Trace trace, OutputStream out, Predicate<TraceEvent.Packet> capture) throws IOException {
        Map<byte[], String> dropped = new IdentityHashMap<>();
        for (SimEvent e : trace.all()) {
            switch (e) {
                case SimEvent.Stack(TraceEvent.Dropped d) ->
                        dropped.putIfAbsent(d.bytes(), "dropped: " + d.reason().description() + " [" + d.reason().code() + "]");
                case SimEvent.Stack(TraceEvent.SegmentDropped d) ->
                        dropped.putIfAbsent(d.bytes(), "dropped: " + d.reason().text() + " [" + d.reason().code() + "]");
                default -> {
                }
            }
        }
        Block shb = new Block(SHB);
        shb.i32(BYTE_ORDER_MAGIC).i16(1).i16(0).i64(-1); // version 1.0, section length unknown
        shb.option(SHB_USERAPPL, "synack".getBytes(StandardCharsets.UTF_8)).end();
        out.write(shb.bytes());
        Block idb = new Block(IDB);
        idb.i16(LINKTYPE_RAW).i16(0).i32(SNAPLEN);
        idb.option(IF_NAME, "synack".getBytes(StandardCharsets.UTF_8)).option(IF_TSRESOL, new byte[] {9}).end(); // 10^-9 s
        out.write(idb.bytes());
        for (TraceEvent.Packet p : trace.events(TraceEvent.Packet.class)) {
            if (!capture.test(p)) continue;
            int len = Math.min(p.bytes().length, SNAPLEN);
            Block epb = new Block(EPB);
            epb.i32(0).i32((int) (p.timeNs() >>> 32)).i32((int) p.timeNs()).i32(len).i32(p.bytes().length).data(p.bytes(), len);
            String comment = p.reason() != null ? comment(p) : p.outbound() ? null : dropped.get(p.bytes());
            if (comment != null) epb.option(OPT_COMMENT, comment.getBytes(StandardCharsets.UTF_8)).end();
            out.write(epb.bytes());
        }
        out.flush();
    }

    /** The comment of a packet TCP sent: its reason's text and code, e.g. "RTO expired, backoff 3 (tcp_retransmit_timer) [RTO]". */
    public static String comment(TraceEvent.Packet p) {
        return p.reason().text(p.reasonN()) + " [" + p.reason().code() + "]";
    }

    /** The pcapng of every packet as it left its sender, in memory. */
    public static byte[] toBytesNg(Trace trace) {
        var out = new ByteArrayOutputStream();
        try {
            writeNg(trace, out, SENDERS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** One pcapng block being built: type, length, body, length again; every field 32-bit aligned. */
    private static final class Block {
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private final int type;

        Block(int type) { this.type = type; }

        Block i16(int v) { return put(word.clear().putShort((short) v)); }

        Block i32(int v) { return put(word.clear().putInt(v)); }

        Block i64(long v) { return put(word.clear().putLong(v)); }

        private Block put(ByteBuffer w) {
            body.write(w.array(), 0, w.position());
            return this;
        }

        /** {@code len} bytes of {@code b}, padded to 32 bits. */
        Block data(byte[] b, int len) {
            body.write(b, 0, len);
            for (int i = len; (i & 3) != 0; i++) body.write(0);
            return this;
        }

        /** An option: code, length, value padded to 32 bits. */
        Block option(int code, byte[] value) { return i16(code).i16(value.length).data(value, value.length); }

        /** opt_endofopt. */
        Block end() { return i16(OPT_END).i16(0); }

        byte[] bytes() {
            int total = 12 + body.size();
            ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(type).putInt(total).put(body.toByteArray()).putInt(total);
            return b.array();
        }
    }

    /** The pcap of every packet as it left its sender, in memory. */
    public static byte[] toBytes(Trace trace) {
        var out = new ByteArrayOutputStream();
        try {
            write(trace, out, SENDERS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
