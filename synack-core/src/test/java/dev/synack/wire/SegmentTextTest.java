package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.*;

import dev.synack.wire.SegmentSpec.Ecn;
import dev.synack.wire.SegmentText.Style;
import dev.synack.wire.SegmentText.SyntaxException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one text form of segments: parsing, each style of printing, round trips and errors. */
class SegmentTextTest {

    @Test
    void parsesEveryPart() {
        SegmentSpec s = SegmentText.parse("[ect0] P. 1:1001(1000) ack 1 win 257 urg 3 <nop,nop,TS val 1 ecr 2>");
        assertEquals(new SegmentSpec(Ecn.ECT0, TcpHeader.PSH | TcpHeader.ACK, 1, 1000, 1L, 257, 3,
                List.of(new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.Timestamps(1, 2)), false), s);
        SegmentSpec bare = SegmentText.parse("S 0:0(0)");
        assertEquals(new SegmentSpec(null, TcpHeader.SYN, 0, 0, null, null, null, null, false), bare);
        assertEquals(List.of(), bare.optionsOrNone());
        SegmentSpec any = SegmentText.parse("S. 0:0(0) ack 1 <...>");
        assertTrue(any.anyOptions());
        assertNull(any.options());
        assertEquals(List.of(), SegmentText.parse(". 1:1(0) ack 1 <>").options());
    }

    @Test
    void parsesEachOptionKind() {
        assertEquals(List.of(new TcpOption.Mss(1460)), options("mss 1460"));
        assertEquals(List.of(new TcpOption.WindowScale(14)), options("wscale 14"));
        assertEquals(List.of(new TcpOption.SackPermitted()), options("sackOK"));
        assertEquals(List.of(new TcpOption.Sack(List.of(new TcpOption.SackBlock(1, 1001),
                new TcpOption.SackBlock(-2, -1)))), options("sack 1:1001 4294967294:4294967295"));
        assertEquals(List.of(new TcpOption.Timestamps(-1, 0)), options("TS val 4294967295 ecr 0"));
        assertEquals(List.of(new TcpOption.Nop(), new TcpOption.Eol()), options("nop, eol"));
        assertEquals(List.of(new TcpOption.Unknown(34, new byte[] {0x12, 0x34, (byte) 0xab, (byte) 0xcd})),
                options("FO 1234abcd"));
        assertEquals(List.of(new TcpOption.Unknown(34, new byte[0])), options("FO"));
        assertEquals(List.of(new TcpOption.Unknown(254, new byte[] {(byte) 0xF9, (byte) 0x89, 0x01})),
                options("FOEXP 0x01"));
        assertEquals(List.of(new TcpOption.Unknown(254, new byte[] {(byte) 0xF9, (byte) 0x89})),
                options("FOEXP TFO_COOKIE")); // a name, not hex: no data
        assertEquals(List.of(new TcpOption.Unknown(19, new byte[] {0x0a})), options("md5 0a"));
        assertEquals(List.of(new TcpOption.Unknown(2, new byte[] {1, 2, 3})), options("opt 2 010203"));
        assertEquals(List.of(new TcpOption.Unknown(200, new byte[0])), options("opt 200"));
    }

    private static List<TcpOption> options(String text) {
        return SegmentText.parse(". 1:1(0) ack 1 <" + text + ">").options();
    }

    @Test
    void flagsEcnAndNumbers() {
        assertEquals(0, SegmentText.parse("- 1:1(0)").flags());
        assertEquals(TcpHeader.SYN | TcpHeader.ECE | TcpHeader.CWR, SegmentText.parse("SEW 0:0(0)").flags());
        assertEquals(TcpHeader.SYN | TcpHeader.ACK | TcpHeader.ECE, SegmentText.parse("S.E 0:0(0)").flags());
        assertEquals(TcpHeader.SYN | TcpHeader.ACK | TcpHeader.ECE, SegmentText.parse("SE. 0:0(0)").flags());
        assertEquals(TcpHeader.ACK | TcpHeader.ECE, SegmentText.parse(".E 1:1(0)").flags());
        assertEquals(Ecn.CE, SegmentText.parse("(ce) S 0:0(0)").ecn());
        for (Ecn e : Ecn.values()) assertEquals(e, SegmentText.parse("[" + e + "] S 0:0(0)").ecn());
        assertEquals(Ecn.ECT0, Ecn.of(2));
        assertEquals(Ecn.ECT1, Ecn.of(1));
        SegmentSpec hex = SegmentText.parse(". 0x10:0x20(16) ack 0xffffffff win 0x100");
        assertEquals(16, hex.seq());
        assertEquals(0xFFFF_FFFFL, hex.ack());
        assertEquals(256, hex.window());
        assertEquals(-5, SegmentText.parse("R -5:-5(0)").seq());
        assertEquals(10, SegmentText.parse("S 4294967290:4(10)").length()); // the end wraps
    }

    @Test
    void roundTrips() {
        for (String t : List.of(
                "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
                "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 10>",
                "P. 1:11(10) ack 1",
                "[ect0] P. 1:1001(1000) ack 1 win 257 urg 5 <nop,nop,TS val 4294967295 ecr 2>",
                "[ect01] . 1:1(0) ack 1 <...>",
                ". 1:1(0) ack 8001 win 502 <nop,nop,sack 1:1001 2001:3001 4001:5001>",
                "- 7:7(0)",
                "SEW 0:0(0) <mss 1460,eol>",
                "F. 4294967295:9(10) ack 4294967294",
                ". 1:1(0) ack 1 <>",
                "S 0:0(0) <mss 1460,FO 1234abcd,FOEXP,FOEXP 0011223344556677,FO,opt 19>")) {
            assertEquals(t, SegmentText.format(SegmentText.parse(t), Style.PACKETDRILL), t);
            assertEquals(t, SegmentText.parse(t).toString(), t);
        }
    }

    @Test
    void segmentValuesPrintAndReadBack() {
        TcpSegment seg = new TcpSegment(1, 2, -6, 3, TcpHeader.FIN | TcpHeader.ACK, 100,
                List.of(new TcpOption.Nop(), new TcpOption.Unknown(34, new byte[] {1, 2})), new byte[10]);
        assertEquals("F. 4294967290:4(10) ack 3 win 100 <nop,FO 0102>", seg.toString());
        SegmentSpec back = SegmentText.parse(seg.toString());
        assertEquals(seg.options(), back.options());
        assertEquals(seg.seq(), (int) back.seq());
        TcpSegment none = new TcpSegment(1, 2, 5, 0, 0, 0, List.of(), new byte[0]);
        assertEquals("- 5:5(0) win 0", none.toString());
        assertEquals(0, SegmentText.parse(none.toString()).flags());
    }

    @Test
    void stylesKeepEachCallersText() {
        var opts = List.<TcpOption>of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(700, 0), new TcpOption.Nop(), new TcpOption.WindowScale(7));
        SegmentSpec syn = SegmentSpec.of(TcpHeader.SYN, 0, 0, null, 64240, opts);
        assertEquals("S 0:0(0) win 64240 <mss 1460,sackOK,TS val 700 ecr 0,nop,wscale 7>",
                SegmentText.format(syn, Style.RELATIVE));
        assertEquals("S 0:0(0) win 64240 <mss 1460,sackOK,TS val ecr 0,nop,wscale 7>",
                SegmentText.format(syn, Style.RELATIVE_NO_TS_VALUES));
        SegmentSpec ack = SegmentSpec.of(TcpHeader.ACK, 1, 0, 1L, 502,
                List.of(new TcpOption.Timestamps(5, 4)));
        assertEquals(". 1:1(0) ack 1 win 502 <TS val ecr>", SegmentText.format(ack, Style.RELATIVE_NO_TS_VALUES));
        // RELATIVE prints the caller's numbers: a seq before the ISN stays negative, the end does not wrap.
        SegmentSpec before = SegmentSpec.of(TcpHeader.RST, -5, 0, null, 0, List.of());
        assertEquals("R -5:-5(0) win 0", SegmentText.format(before, Style.RELATIVE));
        assertEquals("R 4294967291:4294967291(0) win 0", SegmentText.format(before, Style.PACKETDRILL));
        assertEquals(" 4294967295:4294967305(10) win 0",
                SegmentText.format(SegmentSpec.of(0, 4294967295L, 10, null, 0, null), Style.RELATIVE));
        assertEquals("- 4294967295:9(10) win 0",
                SegmentText.format(SegmentSpec.of(0, 4294967295L, 10, null, 0, null), Style.PACKETDRILL));
        // brief forms: no window, no options
        assertEquals("P. 1:101(100) ack 1", SegmentText.format(SegmentSpec.of(0x18, 1, 100, 1L, null, null), Style.RELATIVE));
        // the ladder: padded flags, key=value, TS by name, one "sack" per block
        SegmentSpec sacks = SegmentSpec.of(TcpHeader.ACK, 1, 0, 1L, 502, List.of(new TcpOption.Sack(List.of(
                new TcpOption.SackBlock(1449, 2897), new TcpOption.SackBlock(4345, 5793)))));
        assertEquals(".    seq=1 ack=1 len=0 win=502 <sack 1449:2897,sack 4345:5793>", SegmentText.format(sacks, Style.LADDER));
        assertEquals("S    seq=0 len=0 win=64240 <mss 1460,sackOK,TS,nop,wscale 7>", SegmentText.format(syn, Style.LADDER));
        assertEquals("FSRP. seq=0 len=0 win=0", SegmentText.format(SegmentSpec.of(0x1F, 0, 0, null, 0, null), Style.LADDER));
        assertEquals("     seq=0 len=0 win=0", SegmentText.format(SegmentSpec.of(0, 0, 0, null, 0, null), Style.LADDER));
        // the ECN field, when the ladder gives it (set in the packet), before the flags
        assertEquals("[ect0] P.W  seq=1 ack=1 len=100 win=502", SegmentText.format(SegmentSpec.of(0x98 | TcpHeader.PSH, 1, 100, 1L, 502, null)
                .withEcn(SegmentSpec.Ecn.ECT0), Style.LADDER));
        assertEquals("[ce] .    seq=1 ack=1 len=0 win=502", SegmentText.format(SegmentSpec.of(TcpHeader.ACK, 1, 0, 1L, 502, null)
                .withEcn(SegmentSpec.Ecn.CE), Style.LADDER));
        assertEquals("sack 1:2 3:4", SegmentText.option(new TcpOption.Sack(List.of(
                new TcpOption.SackBlock(1, 2), new TcpOption.SackBlock(3, 4)))));
    }

    @Test
    void parsesTheFrontOfALongerText() {
        String script = "+0 > . 1:1(0) ack 1 // the ACK\n+0.1 < P. 1:11(10) ack 1 win 257\n";
        SegmentText.Parsed p = SegmentText.parse(script, 5);
        assertEquals(". 1:1(0) ack 1", p.spec().toString());
        assertEquals(script.indexOf(" // the"), p.end());
        SegmentText.Parsed q = SegmentText.parse(script, script.indexOf("P."));
        assertEquals(257, q.spec().window());
        assertEquals(script.length() - 1, q.end());
        // A packet may span lines, with comments between its parts.
        SegmentText.Parsed r = SegmentText.parse("S 0:0(0) /* SYN */ win 65535\n  <mss 1460,\n   nop>\n+0 close", 0);
        assertEquals("S 0:0(0) win 65535 <mss 1460,nop>", r.spec().toString());
    }

    @Test
    void malformedTextSaysWhatAndWhere() {
        assertError("S 0:0(0) win 65535 <mss 1460,bogus>", 29, "unknown TCP option 'bogus'");
        assertError("P. 1:11(9) ack 1", 8, "inconsistent length: 1:11 is 10 bytes, not 9");
        assertError("S 0:0(0) win 70000", 13, "the window must be in 0..65535: 70000");
        assertError("S 0:0(0) <mss 70000>", 14, "mss must be in 0..65535: 70000");
        assertError(". 1:1(0) ack -1", 13, "the ack number must be in 0..4294967295: -1");
        assertError(". 1:1(0) ack 1 <sack>", 20, "expected SACK blocks (start:end) but found '>'");
        assertError(". 1:1(0) ack 1 <sack 1:2 3:4 5:6 7:8 9:10>", 16, "at most 4 SACK blocks fit in a TCP header");
        assertError(". 1:1(0) ack 1 <TS 1 ecr 2>", 19, "expected 'val' but found '1'");
        assertError("X 1:1(0)", 0, "bad TCP flags \"X\": unknown flag 'X' (expected F S R P . U E W)");
        assertError("S.. 1:1(0)", 2, "expected a sequence number (an integer) but found '.'");
        assertError("[foo] S 0:0(0)", 1, "unsupported IP field 'foo' (this runner knows noecn, ect0, ect1, ce, ect01)");
        assertError("S 0:0(0", 7, "expected ')' but found end of text");
        assertError("S 0:0(0) <nop,>", 14, "expected a TCP option (nop, mss N, wscale N, sackOK, sack ..., TS val N ecr N) but found '>'");
        assertError("S 0:0(0) <nop", 13, "expected '>' but found end of text");
        assertError("S 99999999999999999999:0(0)", 2, "a sequence number out of range: 99999999999999999999");
        assertError("S 0:0(0) <opt 1>", 14, "an option kind must be in 2..255: 1");
        assertError("S 0:0(0) <opt 34 abc>", 17, "option data must be pairs of hex digits: abc");
        assertError(". 1:1(0) win 5 ack 1", 15, "unexpected 'ack' after the segment");
        assertError("", 0, "expected TCP flags (like S, S., ., P., F., R) but found end of text");
        SyntaxException e = assertThrows(SyntaxException.class, () -> SegmentText.parse("S 0:0(0) <bogus>"));
        assertEquals("unknown TCP option 'bogus' (column 11 of \"S 0:0(0) <bogus>\")", e.getMessage());
        SyntaxException second = assertThrows(SyntaxException.class, () -> SegmentText.parse("+0 close(3) = 0\n+0 < S 0:0(0) <x>", 20));
        assertEquals("unknown TCP option 'x' (column 16 of \"+0 < S 0:0(0) <x>\")", second.getMessage());
    }

    private static void assertError(String text, int index, String reason) {
        SyntaxException e = assertThrows(SyntaxException.class, () -> SegmentText.parse(text), text);
        assertEquals(reason, e.reason(), text);
        assertEquals(index, e.index(), text);
    }

    @Test
    void specChecksItsRanges() {
        assertThrows(IllegalArgumentException.class, () -> SegmentSpec.of(0x100, 0, 0, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> SegmentSpec.of(0, 0, 65536, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> SegmentSpec.of(0, 0, 0, 1L << 32, null, null));
        assertThrows(IllegalArgumentException.class, () -> SegmentSpec.of(0, 0, 0, null, 65536, null));
        assertThrows(IllegalArgumentException.class,
                () -> new SegmentSpec(null, 0, 0, 0, null, null, null, List.of(), true));
    }
}
