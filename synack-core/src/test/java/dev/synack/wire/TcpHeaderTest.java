package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpHeaderTest {
    static final int A = Ipv4.parse("10.0.0.1");
    static final int B = Ipv4.parse("10.0.0.2");

    static byte[] segment(int optionsLen, int payload) {
        byte[] b = new byte[20 + optionsLen + payload];
        TcpHeader.writeHeader(b, 0, 1234, 80, 1, 2, TcpHeader.ACK | TcpHeader.PSH, 502, optionsLen);
        for (int i = 0; i < optionsLen; i++) b[20 + i] = 1; // NOPs
        for (int i = 20 + optionsLen; i < b.length; i++) b[i] = (byte) i;
        TcpHeader.writeChecksum(b, 0, b.length, A, B);
        return b;
    }

    @Test
    void writtenSegmentValidatesAndChecksumMatchesReference() {
        byte[] b = segment(12, 33);
        assertNull(TcpHeader.validate(b, 0, b.length, A, B));
        assertEquals(0, Ref.tcpChecksum(A, B, b));
        assertEquals(32, TcpHeader.dataOffset(b, 0));
        assertEquals(TcpHeader.ACK | TcpHeader.PSH, TcpHeader.flags(b, 0));
        assertEquals(0x80, b[12] & 0xFF);
    }

    @Test
    void checksumIsOverWritten() {
        byte[] b = segment(0, 5);
        b[16] = 0x12;
        b[17] = 0x34;
        TcpHeader.writeChecksum(b, 0, b.length, A, B);
        assertNull(TcpHeader.validate(b, 0, b.length, A, B));
    }

    @Test
    void truncated() {
        byte[] b = segment(0, 0);
        assertEquals(DropReason.TRUNCATED, TcpHeader.validate(b, 0, 19, A, B));
    }

    @Test
    void dataOffsetBelowTwenty() {
        byte[] b = segment(0, 8);
        b[12] = 0x40;
        assertEquals(DropReason.BAD_TCP_OFFSET, TcpHeader.validate(b, 0, b.length, A, B));
    }

    @Test
    void dataOffsetBeyondLength() {
        byte[] b = segment(0, 8); // 28 bytes, offset claims 32
        b[12] = (byte) 0x80;
        assertEquals(DropReason.BAD_TCP_OFFSET, TcpHeader.validate(b, 0, b.length, A, B));
    }

    @Test
    void badChecksum() {
        byte[] b = segment(4, 10);
        b[25] ^= 0x40;
        assertEquals(DropReason.BAD_TCP_CHECKSUM, TcpHeader.validate(b, 0, b.length, A, B));
        // the pseudo-header counts too: same bytes, other addresses
        assertEquals(DropReason.BAD_TCP_CHECKSUM, TcpHeader.validate(segment(4, 10), 0, 34, A, A));
    }

    @Test
    void writeHeaderRejectsUnalignedOptions() {
        byte[] b = new byte[64];
        assertThrows(IllegalArgumentException.class, () -> TcpHeader.writeHeader(b, 0, 1, 2, 3, 4, 0, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> TcpHeader.writeHeader(b, 0, 1, 2, 3, 4, 0, 0, 44));
    }

    @Test
    void flagsExamples() {
        assertEquals("S", TcpHeader.flagsToString(TcpHeader.SYN));
        assertEquals("S.", TcpHeader.flagsToString(TcpHeader.SYN | TcpHeader.ACK));
        assertEquals(".", TcpHeader.flagsToString(TcpHeader.ACK));
        assertEquals("P.", TcpHeader.flagsToString(TcpHeader.PSH | TcpHeader.ACK));
        assertEquals("F.", TcpHeader.flagsToString(TcpHeader.FIN | TcpHeader.ACK));
        assertEquals("R", TcpHeader.flagsToString(TcpHeader.RST));
        assertEquals("R.", TcpHeader.flagsToString(TcpHeader.RST | TcpHeader.ACK));
        assertEquals("SEW", TcpHeader.flagsToString(TcpHeader.SYN | TcpHeader.ECE | TcpHeader.CWR));
        assertEquals("FSRP.UEW", TcpHeader.flagsToString(0xFF));
        assertEquals("", TcpHeader.flagsToString(0));
    }

    @Test
    void flagsRoundTripAll256() {
        for (int f = 0; f < 256; f++) {
            assertEquals(f, TcpHeader.parseFlags(TcpHeader.flagsToString(f)), "flags " + f);
        }
        assertEquals(TcpHeader.SYN | TcpHeader.ACK, TcpHeader.parseFlags(".S"));
        assertEquals(0, TcpHeader.parseFlags("none"));
    }

    @Test
    void parseFlagsRejectsBadText() {
        for (String s : List.of("A", "SS", "s", "S .", "X")) {
            assertThrows(IllegalArgumentException.class, () -> TcpHeader.parseFlags(s), s);
        }
        assertThrows(IllegalArgumentException.class, () -> TcpHeader.parseFlags(null));
    }

    @Test
    void segmentToStringExamples() {
        TcpSegment syn = new TcpSegment(1, 2, 0, 0, TcpHeader.SYN, 64240,
                List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(1, 0),
                        new TcpOption.Nop(), new TcpOption.WindowScale(10)), new byte[0]);
        assertEquals("S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 10>", syn.toString());
        TcpSegment data = new TcpSegment(1, 2, 1, 1, TcpHeader.PSH | TcpHeader.ACK, 502,
                List.of(new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.Timestamps(5, 4)), new byte[100]);
        assertEquals("P. 1:101(100) ack 1 win 502 <nop,nop,TS val 5 ecr 4>", data.toString());
        assertEquals(100, data.seqLength());
        TcpSegment big = new TcpSegment(1, 2, -1, -2, TcpHeader.FIN | TcpHeader.ACK, 0,
                List.of(new TcpOption.Sack(List.of(new TcpOption.SackBlock(-10, -5)))), new byte[0]);
        assertEquals("F. 4294967295:4294967295(0) ack 4294967294 win 0 <sack 4294967286:4294967291>",
                big.toString());
        assertEquals(1, big.seqLength());
        TcpSegment rst = new TcpSegment(1, 2, 7, 0, TcpHeader.RST, 0, List.of(), new byte[0]);
        assertEquals("R 7:7(0) win 0", rst.toString());
    }

    @Test
    void segmentDecodeReasons() {
        byte[] b = segment(0, 0);
        assertEquals(DropReason.TRUNCATED, TcpSegment.decode(b, 0, 10).reasonOrNull());
        b[12] = 0x10;
        assertEquals(DropReason.BAD_TCP_OFFSET, TcpSegment.decode(b, 0, 20).reasonOrNull());
        byte[] c = segment(4, 0);
        c[20] = 2;
        c[21] = 8; // MSS claiming 8 bytes in a 4-byte area
        assertEquals(DropReason.BAD_TCP_OPTION, TcpSegment.decode(c, 0, c.length).reasonOrNull());
    }

    @Test
    void segmentRejectsImpossibleValues() {
        assertThrows(IllegalArgumentException.class,
                () -> new TcpSegment(70000, 1, 0, 0, 0, 0, List.of(), new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new TcpSegment(1, 1, 0, 0, 0x100, 0, List.of(), new byte[0]));
        List<TcpOption> tooMany = List.of(new TcpOption.Timestamps(1, 1), new TcpOption.Timestamps(1, 1),
                new TcpOption.Timestamps(1, 1), new TcpOption.Timestamps(1, 1), new TcpOption.Mss(1));
        assertThrows(IllegalArgumentException.class, () -> new TcpSegment(1, 1, 0, 0, 0, 0, tooMany, new byte[0]));
    }

    @Test
    void unalignedOptionsArePaddedWithEol() {
        TcpSegment s = new TcpSegment(1, 2, 3, 4, TcpHeader.ACK, 5, List.of(new TcpOption.Nop()), new byte[] {9});
        byte[] b = new byte[s.encodedLength()];
        assertEquals(25, s.encode(b, 0, A, B));
        assertArrayEquals(Ref.hex("01 00 00 00 09"), java.util.Arrays.copyOfRange(b, 20, 25));
        TcpSegment back = TcpSegment.decode(b, 0, b.length).orElseThrow();
        assertEquals(List.of(new TcpOption.Nop(), new TcpOption.Eol()), back.options());
        assertNull(TcpHeader.validate(b, 0, b.length, A, B));
    }
}
