package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpOptionsTest {
    final TcpOptions o = new TcpOptions();

    DropReason parse(String hex) {
        byte[] b = Ref.hex(hex);
        return o.parse(b, 0, b.length);
    }

    @Test
    void emptyArea() {
        assertNull(parse(""));
        assertEquals(-1, o.mss());
        assertEquals(-1, o.windowScale());
        assertFalse(o.sackPermitted());
        assertFalse(o.hasTimestamps());
        assertEquals(0, o.sackBlockCount());
    }

    @Test
    void lengthZeroOrOneIsBad() {
        assertEquals(DropReason.BAD_TCP_OPTION, parse("02 00 05 b4"));
        assertEquals(DropReason.BAD_TCP_OPTION, parse("fe 01 00 00"));
        assertEquals(DropReason.BAD_TCP_OPTION, TcpOption.decodeAll(Ref.hex("fe 01"), 0, 2).reasonOrNull());
    }

    @Test
    void optionRunningPastTheEndIsBad() {
        assertEquals(DropReason.BAD_TCP_OPTION, parse("01 01 08 0a 00 00 00 01"));
        assertEquals(DropReason.BAD_TCP_OPTION, parse("01 01 01 02")); // kind without a length byte
        assertEquals(DropReason.BAD_TCP_OPTION, TcpOption.decodeAll(Ref.hex("01 02"), 0, 2).reasonOrNull());
    }

    @Test
    void optionsBeforeABadOneAreKept() {
        // Linux stops at the bad option but keeps what it parsed; the holder does too.
        assertEquals(DropReason.BAD_TCP_OPTION, parse("02 04 05 b4 03 01 00 00"));
        assertEquals(1460, o.mss());
    }

    @Test
    void knownKindWithWrongLengthIsIgnored() {
        // MSS of length 5, WS of length 4, SACK-permitted of length 3, TS of length 9: all skipped, as Linux does
        String area = "02 05 05 b4 00 | 03 04 07 00 | 04 03 00 | 08 09 00 00 00 01 00 00 00 | 01 01";
        assertNull(parse(area));
        assertEquals(-1, o.mss());
        assertEquals(-1, o.windowScale());
        assertFalse(o.sackPermitted());
        assertFalse(o.hasTimestamps());
        byte[] b = Ref.hex(area);
        assertEquals(List.of(new TcpOption.Unknown(2, Ref.hex("05b400")), new TcpOption.Unknown(3, Ref.hex("0700")),
                        new TcpOption.Unknown(4, Ref.hex("00")), new TcpOption.Unknown(8, Ref.hex("00000001000000")),
                        new TcpOption.Nop(), new TcpOption.Nop()),
                TcpOption.decodeAll(b, 0, b.length).orElseThrow());
    }

    @Test
    void sackWithBadLengthIsIgnored() {
        assertNull(parse("01 01 05 0b 00 00 00 01 00 00 00 02 00 00")); // 2 + 9
        assertEquals(0, o.sackBlockCount());
        assertNull(parse("01 01 05 02")); // no blocks
        assertEquals(0, o.sackBlockCount());
        assertNull(parse("01 01 05 0a 00 00 00 01 00 00 00 02"));
        assertEquals(1, o.sackBlockCount());
        assertEquals(1, o.sackStart(0));
        assertEquals(2, o.sackEnd(0));
        assertThrows(IndexOutOfBoundsException.class, () -> o.sackStart(1));
    }

    @Test
    void fourSackBlocks() {
        StringBuilder hex = new StringBuilder("05 22");
        for (int i = 0; i < 8; i++) hex.append(String.format(" %08x", 0xF0000000 + i));
        assertNull(parse(hex.toString()));
        assertEquals(4, o.sackBlockCount());
        for (int i = 0; i < 4; i++) {
            assertEquals(0xF0000000 + 2 * i, o.sackStart(i));
            assertEquals(0xF0000000 + 2 * i + 1, o.sackEnd(i));
        }
        assertTrue(o.toString().startsWith("sack 4026531840:4026531841"), o.toString());
    }

    @Test
    void windowScaleAboveFourteenIsClamped() {
        assertNull(parse("01 03 03 0f"));
        assertEquals(14, o.windowScale());
        assertNull(parse("01 03 03 ff"));
        assertEquals(14, o.windowScale());
        assertNull(parse("01 03 03 00"));
        assertEquals(0, o.windowScale());
    }

    @Test
    void unknownOptionIsSkipped() {
        assertNull(parse("fd 06 de ad be ef 02 04 02 18"));
        assertEquals(536, o.mss());
        assertEquals(List.of(new TcpOption.Unknown(0xfd, Ref.hex("deadbeef")), new TcpOption.Mss(536)),
                TcpOption.decodeAll(Ref.hex("fd 06 de ad be ef 02 04 02 18"), 0, 10).orElseThrow());
        assertEquals("opt 253 deadbeef", new TcpOption.Unknown(0xfd, Ref.hex("deadbeef")).toString());
    }

    @Test
    void eolStopsParsing() {
        // after EOL comes garbage that would be malformed if parsed
        assertNull(parse("02 04 05 b4 00 03 01 ff"));
        assertEquals(1460, o.mss());
        assertEquals(-1, o.windowScale());
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.Eol()),
                TcpOption.decodeAll(Ref.hex("02 04 05 b4 00 03 01 ff"), 0, 8).orElseThrow());
    }

    @Test
    void clearAndReuse() {
        assertNull(parse("02 04 05 b4 04 02 08 0a 00 00 00 07 00 00 00 09 01 03 03 07"));
        assertEquals(7, o.tsVal());
        assertEquals(9, o.tsEcr());
        assertNull(parse("01 01 01 01"));
        assertEquals(-1, o.mss());
        assertFalse(o.hasTimestamps());
        assertFalse(o.sackPermitted());
        assertEquals(-1, o.windowScale());
    }

    @Test
    void parseAtAnOffsetIgnoresBytesAround() {
        byte[] b = Ref.hex("02 04 ff ff 02 04 01 00 02");
        assertNull(o.parse(b, 4, 4));
        assertEquals(256, o.mss());
    }

    @Test
    void timestampsUnsigned() {
        assertNull(parse("01 01 08 0a ff ff ff ff 80 00 00 00"));
        assertEquals(-1, o.tsVal());
        assertEquals(Integer.MIN_VALUE, o.tsEcr());
        assertEquals("TS val 4294967295 ecr 2147483648", o.toString());
        assertEquals("TS val 4294967295 ecr 2147483648", new TcpOption.Timestamps(-1, Integer.MIN_VALUE).toString());
    }

    @Test
    void optionToStrings() {
        assertEquals("mss 1460", new TcpOption.Mss(1460).toString());
        assertEquals("wscale 10", new TcpOption.WindowScale(10).toString());
        assertEquals("sackOK", new TcpOption.SackPermitted().toString());
        assertEquals("sack 1:2 3:4", new TcpOption.Sack(
                List.of(new TcpOption.SackBlock(1, 2), new TcpOption.SackBlock(3, 4))).toString());
        assertEquals("TS val 100 ecr 0", new TcpOption.Timestamps(100, 0).toString());
        assertEquals("nop", new TcpOption.Nop().toString());
        assertEquals("eol", new TcpOption.Eol().toString());
    }
}
