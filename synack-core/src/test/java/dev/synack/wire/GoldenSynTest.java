package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Linux client SYN, laid out by hand from RFC 791 §3.1, RFC 9293 §3.1 and Linux's option order:
 * 198.18.0.1:40000 > 198.18.0.2:80 S 1234567890:1234567890(0) win 64240
 * &lt;mss 1460,sackOK,TS val 2000000 ecr 0,nop,wscale 10&gt;, IP id 0x1c46, DF, TTL 64.
 */
class GoldenSynTest {
    static final int SRC = (198 << 24) | (18 << 16) | 1;
    static final int DST = (198 << 24) | (18 << 16) | 2;

    // IP header checksum 0x924e and TCP checksum 0x534d computed outside this code base (a separate RFC 1071
    // implementation) and cross-checked below with Ref.
    static final byte[] PACKET = Ref.hex("""
            45 00 00 3c 1c 46 40 00 40 06 92 4e c6 12 00 01
            c6 12 00 02 | 9c 40 00 50 49 96 02 d2 00 00 00 00
            a0 02 fa f0 53 4d 00 00 | 02 04 05 b4 | 04 02 08 0a
            00 1e 84 80 00 00 00 00 | 01 03 03 0a
            """);

    static byte[] tcpPart() { return Arrays.copyOfRange(PACKET, 20, 60); }

    @Test
    void checksumsAgreeWithIndependentReference() {
        byte[] ip = Arrays.copyOf(PACKET, 20);
        ip[10] = 0;
        ip[11] = 0;
        assertEquals(0x924e, Ref.checksum(ip));
        byte[] tcp = tcpPart();
        tcp[16] = 0;
        tcp[17] = 0;
        assertEquals(0x534d, Ref.tcpChecksum(SRC, DST, tcp));
        assertEquals(0, Ref.checksum(Arrays.copyOf(PACKET, 20)));
        assertEquals(0, Ref.tcpChecksum(SRC, DST, tcpPart()));
    }

    @Test
    void ipHeaderDecodes() {
        byte[] b = PACKET;
        assertNull(Ipv4.validate(b, 0, b.length));
        assertEquals(4, Ipv4.version(b, 0));
        assertEquals(5, Ipv4.ihl(b, 0));
        assertEquals(20, Ipv4.headerLength(b, 0));
        assertEquals(0, Ipv4.tos(b, 0));
        assertEquals(60, Ipv4.totalLength(b, 0));
        assertEquals(0x1c46, Ipv4.identification(b, 0));
        assertTrue(Ipv4.dontFragment(b, 0));
        assertFalse(Ipv4.moreFragments(b, 0));
        assertEquals(0, Ipv4.fragmentOffset(b, 0));
        assertEquals(64, Ipv4.ttl(b, 0));
        assertEquals(Ipv4.PROTO_TCP, Ipv4.protocol(b, 0));
        assertEquals(0x924e, Ipv4.checksum(b, 0));
        assertEquals("198.18.0.1", Ipv4.format(Ipv4.src(b, 0)));
        assertEquals("198.18.0.2", Ipv4.format(Ipv4.dst(b, 0)));
    }

    @Test
    void tcpHeaderAndOptionsDecode() {
        byte[] b = PACKET;
        int t = 20;
        assertNull(TcpHeader.validate(b, t, 40, SRC, DST));
        assertEquals(40000, TcpHeader.srcPort(b, t));
        assertEquals(80, TcpHeader.dstPort(b, t));
        assertEquals(1234567890, TcpHeader.seq(b, t));
        assertEquals(0, TcpHeader.ack(b, t));
        assertEquals(40, TcpHeader.dataOffset(b, t));
        assertEquals(TcpHeader.SYN, TcpHeader.flags(b, t));
        assertEquals(64240, TcpHeader.window(b, t));
        assertEquals(0x534d, TcpHeader.checksum(b, t));
        assertEquals(0, TcpHeader.urgentPointer(b, t));

        TcpOptions o = new TcpOptions();
        assertNull(o.parse(b, t + 20, 20));
        assertEquals(1460, o.mss());
        assertTrue(o.sackPermitted());
        assertTrue(o.hasTimestamps());
        assertEquals(2000000, o.tsVal());
        assertEquals(0, o.tsEcr());
        assertEquals(10, o.windowScale());
        assertEquals(0, o.sackBlockCount());
        assertEquals("mss 1460 wscale 10 sackOK TS val 2000000 ecr 0", o.toString());
    }

    @Test
    void valueDecodesInWireOrder() {
        IpPacket ip = IpPacket.decode(PACKET, 0, PACKET.length).orElseThrow();
        assertEquals(new IpPacket(SRC, DST, 6, 64, tcpPart()), ip);
        assertEquals("ipv4 198.18.0.1 > 198.18.0.2 proto 6 ttl 64 len 40", ip.toString());
        TcpSegment seg = TcpSegment.decode(PACKET, 20, 40).orElseThrow();
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(2000000, 0), new TcpOption.Nop(), new TcpOption.WindowScale(10)),
                seg.options());
        assertEquals("S 1234567890:1234567890(0) win 64240 <mss 1460,sackOK,TS val 2000000 ecr 0,nop,wscale 10>",
                seg.toString());
        assertEquals(1, seg.seqLength());
        assertTrue(seg.has(TcpHeader.SYN));
        assertFalse(seg.has(TcpHeader.ACK));
    }

    @Test
    void hotPathWritersReproduceTheBytes() {
        byte[] b = new byte[60];
        int optLen = TcpOptionWriter.synLength(1460, true, true, 10);
        assertEquals(20, optLen);
        assertEquals(20, Ipv4.write(b, 0, SRC, DST, Ipv4.PROTO_TCP, 64, 0x1c46, 20 + optLen));
        assertEquals(40, TcpHeader.writeHeader(b, 20, 40000, 80, 1234567890, 0, TcpHeader.SYN, 64240, optLen));
        assertEquals(20, TcpOptionWriter.writeSyn(b, 40, 1460, true, true, 2000000, 0, 10));
        TcpHeader.writeChecksum(b, 20, 40, SRC, DST);
        assertArrayEquals(PACKET, b);
    }

    @Test
    void valueEncodersReproduceTheBytes() {
        TcpSegment seg = new TcpSegment(40000, 80, 1234567890, 0, TcpHeader.SYN, 64240,
                List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(2000000, 0),
                        new TcpOption.Nop(), new TcpOption.WindowScale(10)),
                new byte[0]);
        assertEquals(40, seg.encodedLength());
        byte[] tcp = new byte[40];
        assertEquals(40, seg.encode(tcp, 0, SRC, DST));
        assertArrayEquals(tcpPart(), tcp);
        assertArrayEquals(PACKET, new IpPacket(SRC, DST, 6, 64, tcp).encode(0x1c46));
    }
}
