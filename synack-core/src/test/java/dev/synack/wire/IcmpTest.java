package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IcmpTest {
    static final int US = Ipv4.parse("198.18.0.1");
    static final int PEER = Ipv4.parse("198.18.0.2");

    /** An IP datagram carrying a SYN with 8 payload bytes, as we would have sent it. */
    static byte[] original(int payload) {
        TcpSegment seg = new TcpSegment(40000, 80, 0xDEADBEEF, 0, TcpHeader.SYN, 64240,
                java.util.List.of(new TcpOption.Mss(1460)), new byte[payload]);
        byte[] tcp = new byte[seg.encodedLength()];
        seg.encode(tcp, 0, US, PEER);
        return new IpPacket(US, PEER, Ipv4.PROTO_TCP, 64, tcp).encode(1);
    }

    @Test
    void fragNeededQuotesHeaderPlusEightAndParsesBack() {
        byte[] orig = original(100);
        byte[] b = new byte[100];
        int n = Icmp.writeDestUnreachable(b, 0, Icmp.FRAG_NEEDED, 1400, orig, 0, orig.length);
        assertEquals(8 + 20 + 8, n);
        assertEquals(n, 8 + Icmp.quoteLength(orig, 0, orig.length));
        assertNull(Icmp.validate(b, 0, n));
        assertEquals(0, Ref.checksum(Arrays.copyOf(b, n)));
        assertEquals(Icmp.TYPE_DEST_UNREACH, Icmp.type(b, 0));
        assertEquals(Icmp.FRAG_NEEDED, Icmp.code(b, 0));
        assertEquals(1400, Icmp.nextHopMtu(b, 0));
        assertArrayEquals(Arrays.copyOf(orig, 28), Arrays.copyOfRange(b, 8, 36));
        assertNull(Icmp.validateQuote(b, 0, n));
        assertEquals(US, Icmp.quotedSrc(b, 0));
        assertEquals(PEER, Icmp.quotedDst(b, 0));
        assertEquals(Ipv4.PROTO_TCP, Icmp.quotedProtocol(b, 0));
        assertEquals(40000, Icmp.quotedSrcPort(b, 0));
        assertEquals(80, Icmp.quotedDstPort(b, 0));
        assertEquals(0xDEADBEEF, Icmp.quotedTcpSeq(b, 0));
    }

    @Test
    void writesAtAnOffsetInsideAnIpPacket() {
        byte[] orig = original(0);
        byte[] b = new byte[20 + 8 + 28];
        int n = Icmp.writeDestUnreachable(b, 20, Icmp.PORT_UNREACH, 0, orig, 0, orig.length);
        Ipv4.write(b, 0, PEER, US, Ipv4.PROTO_ICMP, 64, 0, n);
        IpPacket p = IpPacket.decode(b, 0, b.length).orElseThrow();
        byte[] icmp = p.payload();
        assertNull(Icmp.validate(icmp, 0, icmp.length));
        assertEquals(Icmp.PORT_UNREACH, Icmp.code(icmp, 0));
        assertEquals(0, Icmp.nextHopMtu(icmp, 0));
        assertEquals(0xDEADBEEF, Icmp.quotedTcpSeq(icmp, 0));
    }

    @Test
    void quotesIpOptions() {
        // IHL 6 original: the quote covers the 24-byte header and 8 more bytes.
        byte[] orig = new byte[24 + 20];
        orig[0] = 0x46;
        orig[9] = 6;
        orig[24] = 0x12;
        orig[25] = 0x34;
        byte[] b = new byte[64];
        int n = Icmp.writeDestUnreachable(b, 0, Icmp.HOST_UNREACH, 0, orig, 0, orig.length);
        assertEquals(8 + 32, n);
        assertNull(Icmp.validateQuote(b, 0, n));
        assertEquals(0x1234, Icmp.quotedSrcPort(b, 0));
        assertEquals(32, Icmp.quotedPayloadOffset(b, 0));
    }

    @Test
    void shortOriginalIsQuotedWhole() {
        byte[] orig = Arrays.copyOf(original(0), 24);
        byte[] b = new byte[64];
        assertEquals(8 + 24, Icmp.writeDestUnreachable(b, 0, Icmp.ADMIN_PROHIBITED, 0, orig, 0, 24));
        assertNull(Icmp.validate(b, 0, 32));
        assertEquals(DropReason.BAD_ICMP_QUOTE, Icmp.validateQuote(b, 0, 32));
    }

    @Test
    void badIcmp() {
        byte[] orig = original(0);
        byte[] b = new byte[64];
        int n = Icmp.writeDestUnreachable(b, 0, Icmp.NET_UNREACH, 0, orig, 0, orig.length);
        assertEquals(DropReason.BAD_ICMP, Icmp.validate(b, 0, 7));
        b[20] ^= 1;
        assertEquals(DropReason.BAD_ICMP_CHECKSUM, Icmp.validate(b, 0, n));
    }

    @Test
    void badQuotes() {
        byte[] orig = original(0);
        byte[] b = new byte[64];
        int n = Icmp.writeDestUnreachable(b, 0, Icmp.NET_PROHIBITED, 0, orig, 0, orig.length);
        assertEquals(DropReason.BAD_ICMP_QUOTE, Icmp.validateQuote(b, 0, 8 + 19));
        assertEquals(DropReason.BAD_ICMP_QUOTE, Icmp.validateQuote(b, 0, n - 1));
        byte[] v6 = b.clone();
        v6[8] = 0x65;
        assertEquals(DropReason.BAD_ICMP_QUOTE, Icmp.validateQuote(v6, 0, n));
        byte[] shortIhl = b.clone();
        shortIhl[8] = 0x44;
        assertEquals(DropReason.BAD_ICMP_QUOTE, Icmp.validateQuote(shortIhl, 0, n));
    }
}
