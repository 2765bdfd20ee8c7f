package dev.synack.tun;

import dev.synack.wire.Decoded;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads the IPv4 packets of a classic pcap file (as tshark -F pcap writes a TUN device's capture). */
final class Pcap {
    private Pcap() {}

    /** LINKTYPE_RAW (101), LINKTYPE_IPV4 (228): the packet is the IP datagram; LINUX_SLL (113) / SLL2 (276): a 16 / 20-byte header first. */
    static List<byte[]> ipPackets(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        if (b.remaining() < 24) throw new IOException(file + ": no pcap header (" + b.remaining() + " bytes)");
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) b.order(ByteOrder.LITTLE_ENDIAN);
        else if (Integer.reverseBytes(magic) == 0xa1b2c3d4 || Integer.reverseBytes(magic) == 0xa1b23c4d) b.order(ByteOrder.BIG_ENDIAN);
        else throw new IOException(file + ": not a classic pcap file (magic " + Integer.toHexString(magic) + ")");
        int linkType = b.getInt(20) & 0x0FFFFFFF;
        int skip = switch (linkType) {
            case 101, 228, 12 -> 0;
            case 113 -> 16;
            case 276 -> 20;
            default -> throw new IOException(file + ": link type " + linkType + " not handled");
        };
        List<byte[]> out = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            int incl = b.getInt(pos + 8);
            pos += 16;
            if (incl < 0 || pos + incl > b.limit()) break; // a truncated last record
            byte[] p = new byte[incl - skip];
            b.get(pos + skip, p);
            pos += incl;
            if (p.length >= 20 && (p[0] >> 4) == 4) out.add(p);
        }
        return out;
    }

    /** One line per packet: addresses, ports, the segment in packetdrill syntax, then the IP id and TTL, and the bytes' hex. */
    static String describe(byte[] p) {
        int hl = Ipv4.headerLength(p, 0);
        int total = Math.min(Ipv4.totalLength(p, 0), p.length);
        String seg = switch (TcpSegment.decode(p, hl, total - hl)) {
            case Decoded.Ok<TcpSegment> ok -> ok.value().toString();
            case Decoded.Malformed<TcpSegment> m -> "malformed " + m.reason();
        };
        return Ipv4.format(Ipv4.src(p, 0)) + " > " + Ipv4.format(Ipv4.dst(p, 0)) + " " + seg
                + " [" + HexFormat.of().formatHex(p, 0, total) + "]";
    }
}
