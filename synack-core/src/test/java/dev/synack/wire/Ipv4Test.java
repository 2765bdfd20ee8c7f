package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4Test {
    static final int A = Ipv4.parse("10.0.0.1");
    static final int B = Ipv4.parse("10.0.0.2");

    /** A valid datagram with a 20-byte header and {@code payload} bytes of 0xAB. */
    static byte[] datagram(int payload) {
        byte[] b = new byte[20 + payload];
        Ipv4.write(b, 0, A, B, Ipv4.PROTO_TCP, 64, 7, payload);
        Arrays.fill(b, 20, b.length, (byte) 0xAB);
        return b;
    }

    /** Recomputes the header checksum after a test edits the header. */
    static void fixChecksum(byte[] b) {
        int hl = Math.min((b[0] & 0x0F) * 4, b.length);
        b[10] = 0;
        b[11] = 0;
        int c = Ref.checksum(Arrays.copyOf(b, hl));
        b[10] = (byte) (c >>> 8);
        b[11] = (byte) c;
    }

    @Test
    void writeProducesValidHeader() {
        byte[] b = datagram(8);
        assertNull(Ipv4.validate(b, 0, b.length));
        assertEquals(0x45, b[0]);
        assertEquals(28, Ipv4.totalLength(b, 0));
        assertTrue(Ipv4.dontFragment(b, 0));
        assertEquals(7, Ipv4.identification(b, 0));
        assertEquals(0, Ref.checksum(Arrays.copyOf(b, 20)));
    }

    /** RFC 3168 §5: the ECN field is the TOS byte's two low bits; write takes the whole TOS byte. */
    @Test
    void ecnFieldIsWrittenAndRead() {
        for (int ecn : new int[] {Ipv4.NOT_ECT, Ipv4.ECT_1, Ipv4.ECT_0, Ipv4.CE}) {
            byte[] b = new byte[28];
            Ipv4.write(b, 0, A, B, Ipv4.PROTO_TCP, 64, 7, 8, 0xB8 | ecn); // DSCP EF and the codepoint
            assertNull(Ipv4.validate(b, 0, b.length));
            assertEquals(ecn, Ipv4.ecn(b, 0));
            assertEquals(0xB8 | ecn, Ipv4.tos(b, 0));
            assertEquals(0, Ref.checksum(Arrays.copyOf(b, 20)));
        }
        assertEquals(0, Ipv4.tos(datagram(0), 0), "the plain write still writes TOS 0");
    }

    /** A router marking CE rewrites the field and patches the checksum (RFC 1624), as a recompute would. */
    @Test
    void setEcnKeepsTheChecksumRight() {
        for (int from = 0; from < 4; from++) {
            for (int id = 0; id < 70_000; id += 997) {
                byte[] b = new byte[20];
                Ipv4.write(b, 0, A + id, B - id, Ipv4.PROTO_TCP, 64, id & 0xFFFF, 0, from);
                Ipv4.setEcn(b, 0, Ipv4.CE);
                assertEquals(Ipv4.CE, Ipv4.ecn(b, 0));
                assertEquals(0, Ref.checksum(b), "from " + from + ", id " + id);
                assertNull(Ipv4.validate(b, 0, 20));
            }
        }
    }

    @Test
    void worksAtAnOffset() {
        byte[] b = new byte[5 + 28];
        Ipv4.write(b, 5, A, B, Ipv4.PROTO_ICMP, 3, 0xFFFF, 8);
        assertNull(Ipv4.validate(b, 5, 28));
        assertEquals(A, Ipv4.src(b, 5));
        assertEquals(B, Ipv4.dst(b, 5));
        assertEquals(3, Ipv4.ttl(b, 5));
        assertEquals(0xFFFF, Ipv4.identification(b, 5));
    }

    @Test
    void truncatedBelowTwentyBytes() {
        byte[] b = datagram(0);
        for (int len = 0; len < 20; len++) assertEquals(DropReason.TRUNCATED, Ipv4.validate(b, 0, len));
    }

    @Test
    void badVersion() {
        byte[] b = datagram(4);
        b[0] = 0x65;
        fixChecksum(b);
        assertEquals(DropReason.BAD_IP_VERSION, Ipv4.validate(b, 0, b.length));
    }

    @Test
    void ihlBelowFive() {
        byte[] b = datagram(4);
        b[0] = 0x44;
        assertEquals(DropReason.BAD_IP_HEADER_LENGTH, Ipv4.validate(b, 0, b.length));
    }

    @Test
    void ihlBeyondLength() {
        byte[] b = datagram(4); // 24 bytes, IHL 7 claims 28
        b[0] = 0x47;
        assertEquals(DropReason.BAD_IP_HEADER_LENGTH, Ipv4.validate(b, 0, b.length));
    }

    @Test
    void totalLengthTooSmall() {
        byte[] b = datagram(4);
        b[3] = 19;
        fixChecksum(b);
        assertEquals(DropReason.BAD_IP_TOTAL_LENGTH, Ipv4.validate(b, 0, b.length));
    }

    @Test
    void totalLengthBeyondBufferIsTruncated() {
        byte[] b = datagram(4);
        b[3] = 25;
        fixChecksum(b);
        assertEquals(DropReason.TRUNCATED, Ipv4.validate(b, 0, b.length));
        assertEquals(DropReason.TRUNCATED, Ipv4.validate(datagram(4), 0, 23));
    }

    @Test
    void linkPaddingAfterTotalLengthIsIgnored() {
        byte[] b = Arrays.copyOf(datagram(6), 46); // Ethernet minimum frame pads to 46 bytes
        assertNull(Ipv4.validate(b, 0, b.length));
        IpPacket p = IpPacket.decode(b, 0, b.length).orElseThrow();
        assertEquals(6, p.payload().length);
    }

    @Test
    void badChecksum() {
        byte[] b = datagram(4);
        b[11] ^= 1;
        assertEquals(DropReason.BAD_IP_CHECKSUM, Ipv4.validate(b, 0, b.length));
        b = datagram(4);
        b[8] = 1; // TTL changed without fixing the checksum
        assertEquals(DropReason.BAD_IP_CHECKSUM, Ipv4.validate(b, 0, b.length));
    }

    @Test
    void fragments() {
        byte[] mf = datagram(8);
        mf[6] = 0x20; // MF, offset 0
        fixChecksum(mf);
        assertTrue(Ipv4.moreFragments(mf, 0));
        assertEquals(DropReason.IP_FRAGMENT, Ipv4.validate(mf, 0, mf.length));
        byte[] last = datagram(8);
        last[6] = 0;
        last[7] = 0x03; // offset 3 * 8 bytes, no MF
        fixChecksum(last);
        assertEquals(3, Ipv4.fragmentOffset(last, 0));
        assertEquals(DropReason.IP_FRAGMENT, Ipv4.validate(last, 0, last.length));
        assertEquals(DropReason.IP_FRAGMENT, IpPacket.decode(last, 0, last.length).reasonOrNull());
    }

    @Test
    void optionsAreSkipped() {
        // IHL 6: a 4-byte option area (NOP NOP NOP EOL), then 4 payload bytes.
        byte[] b = Ref.hex("46 00 00 1c 00 01 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02 01 01 01 00 de ad be ef");
        fixChecksum(b);
        assertNull(Ipv4.validate(b, 0, b.length));
        assertEquals(24, Ipv4.headerLength(b, 0));
        assertArrayEquals(Ref.hex("deadbeef"), IpPacket.decode(b, 0, b.length).orElseThrow().payload());
    }

    @Test
    void formatAndParse() {
        assertEquals("198.18.0.1", Ipv4.format(Ipv4.parse("198.18.0.1")));
        assertEquals(0xC6120001, Ipv4.parse("198.18.0.1"));
        assertEquals("255.255.255.255", Ipv4.format(-1));
        assertEquals("0.0.0.0", Ipv4.format(0));
        assertEquals(0x0A000001, Ipv4.parse("10.0.0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "1..2.3", "a.b.c.d", " 1.2.3.4",
            "1.2.3.4 ", "01.2.3.4", "1.2.3.4.", "1234.1.1.1", "+1.2.3.4"})
    void parseRejectsBadText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(text));
        assertTrue(e.getMessage().contains("not an IPv4 address"), e.getMessage());
    }

    @Test
    void ipPacketRoundTrip() {
        IpPacket p = new IpPacket(A, B, 1, 255, Ref.hex("0102030405"));
        byte[] b = p.encode(99);
        assertEquals(99, Ipv4.identification(b, 0));
        assertEquals(p, IpPacket.decode(b, 0, b.length).orElseThrow());
    }

    @Test
    void everyReasonHasADescription() {
        for (DropReason r : DropReason.values()) {
            assertFalse(r.description().isBlank(), r.name());
        }
        assertEquals("TcpInCsumErrors", DropReason.BAD_TCP_CHECKSUM.counterName());
        assertEquals("IpInHdrErrors", DropReason.BAD_IP_CHECKSUM.counterName());
        assertEquals("IpReasmFails", DropReason.IP_FRAGMENT.counterName());
        assertEquals("TcpInErrs", DropReason.BAD_TCP_OFFSET.counterName());
        assertNull(DropReason.BAD_TCP_OPTION.counterName());
    }
}
