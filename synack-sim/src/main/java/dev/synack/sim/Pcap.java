package dev.synack.sim;

import dev.synack.trace.TraceEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Classic pcap files (the libpcap format, magic 0xa1b2c3d4 written big-endian, version 2.4, snaplen
 * 65535, LINKTYPE_RAW = 101: each record is a bare IPv4 packet) that Wireshark and tshark open.
 * Timestamps are the virtual time in microseconds since the start of the story.
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

    /** Writes every packet as it left its sender to {@code file}. */
    public static void write(Trace trace, Path file) {
        write(trace, file, SENDERS);
    }

    /** Writes the packets seen at {@code capture} to {@code file}. */
    public static void write(Trace trace, Path file, Predicate<TraceEvent.Packet> capture) {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(trace, out, capture);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
