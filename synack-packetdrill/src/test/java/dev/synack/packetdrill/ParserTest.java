package dev.synack.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.packetdrill.Event.PacketEvent;
import dev.synack.packetdrill.Event.SyscallEvent;
import dev.synack.wire.SegmentSpec;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packetdrill grammar (parser.y) for the forms the TCP scripts use, and line:column errors. */
class ParserTest {
    @Test
    void parsesTimesPacketsAndCalls() throws ScriptException {
        Script s = Parser.parse("t.pkt", """
                --tolerance_usecs=10000
                `sysctl -q net.ipv4.tcp_sack=1`
                    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +.1...0.200 connect(3, ..., ...) = -1 ECONNREFUSED (Connection refused)
                  +.3~+.400 > F. 1:1(0) ack 1
                   +0 < [ect0] P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 200 ecr 100,sack 1:2 3:4>
                    * > S 0:0(0) <...>
                   +0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%
                """);
        assertEquals("10000", s.option("tolerance_usecs"));
        assertEquals(7, s.events().size());
        SyscallEvent c = assertInstanceOf(SyscallEvent.class, s.events().get(2));
        assertEquals(new EventTime(EventTime.Kind.RELATIVE, 100_000, 100_000), c.time());
        assertEquals(200_000, c.endUs());
        assertEquals("ECONNREFUSED", c.errno());
        assertEquals(new Expr.Int(-1), c.result());
        PacketEvent f = assertInstanceOf(PacketEvent.class, s.events().get(3));
        assertEquals(new EventTime(EventTime.Kind.RELATIVE_RANGE, 300_000, 400_000), f.time());
        assertEquals(TcpHeader.FIN | TcpHeader.ACK, f.packet().flags());
        PacketEvent p = assertInstanceOf(PacketEvent.class, s.events().get(4));
        assertEquals(SegmentSpec.Ecn.ECT0, p.packet().ecn());
        assertEquals(257, p.packet().window());
        assertEquals(List.of(new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.Timestamps(200, 100),
                new TcpOption.Sack(List.of(new TcpOption.SackBlock(1, 2), new TcpOption.SackBlock(3, 4)))),
                p.packet().options());
        PacketEvent any = assertInstanceOf(PacketEvent.class, s.events().get(5));
        assertEquals(EventTime.Kind.ANY, any.time().kind());
        assertTrue(any.packet().anyOptions());
    }

    @Test
    void errorsGiveLineAndColumn() {
        ScriptException e = assertThrows(ScriptException.class, () -> Parser.parse("x.pkt", """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 > S. 0:0(0) ack 1 <mss 1460,bogus 3>
                """));
        assertEquals(2, e.line());
        assertEquals(32, e.column());
        assertEquals("x.pkt:2:32: unknown TCP option 'bogus'", e.getMessage());
        ScriptException len = assertThrows(ScriptException.class, () -> Parser.parse("y.pkt", "0 < P. 1:11(9) ack 1"));
        assertEquals("y.pkt:1:13: inconsistent length: 1:11 is 10 bytes, not 9", len.getMessage());
        ScriptException str = assertThrows(ScriptException.class, () -> Parser.parse("z.pkt", "0 write(3, \"abc) = 3"));
        assertEquals("z.pkt:1:12: unterminated string", str.getMessage());
        ScriptException icmp = assertThrows(ScriptException.class, () -> Parser.parse("i.pkt", "0 < [ect0] icmp unreachable"));
        assertEquals("i.pkt:1:12: unsupported packet type 'icmp' (this runner plays TCP over IPv4)", icmp.getMessage());
        ScriptException second = assertThrows(ScriptException.class, () -> Parser.parse("m.pkt", """
                0 < S 0:0(0) win 65535 <mss 1460,
                                        sackOK, bogus>
                """));
        assertEquals("m.pkt:2:33: unknown TCP option 'bogus'", second.getMessage());
    }

    @Test
    void aPacketEndsWhereItsGrammarEnds() throws ScriptException {
        Script s = Parser.parse("p.pkt", """
                0 < S 0:0(0) win 65535 <mss 1460,
                     sackOK>   // a SYN over two lines
                +0 > S. 0:0(0) ack 1 /* no options checked */ <...>
                +.1 < . 1:1(0) ack 1 win 257
                +0 accept(3, ..., ...) = 4
                """);
        assertEquals(4, s.events().size());
        PacketEvent syn = assertInstanceOf(PacketEvent.class, s.events().get(0));
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted()), syn.packet().options());
        assertEquals("S 0:0(0) win 65535 <mss 1460,sackOK>", syn.packet().toString());
        PacketEvent synAck = assertInstanceOf(PacketEvent.class, s.events().get(1));
        assertTrue(synAck.packet().anyOptions());
        PacketEvent ack = assertInstanceOf(PacketEvent.class, s.events().get(2));
        assertEquals(1L, ack.packet().ack());
        assertEquals(". 1:1(0) ack 1 win 257", ack.packet().toString());
        assertInstanceOf(SyscallEvent.class, s.events().get(3));
        // An ACK flag without "ack N" carries ack 0, as in packetdrill.
        PacketEvent bare = assertInstanceOf(PacketEvent.class, Parser.parse("a.pkt", "0 > . 1:1(0)").events().getFirst());
        assertEquals(0L, bare.packet().ack());
    }

    /** packetdrill's icmp_packet_spec: type and code names, mtu, the quoted segment; CODE as run_all.py defines it. */
    @Test
    void parsesInboundIcmp() throws ScriptException {
        Script s = Parser.parse("t.pkt", """
                +.01 < icmp unreachable frag_needed mtu 840 [0:1000(1000)]
                  +0 < icmp unreachable CODE
                  +0 < icmp unreachable [5000:6000(1000)] // a comment
                  +0 < icmp type_11 code_1
                """);
        assertEquals(new Event.IcmpEvent(1, 1, new EventTime(EventTime.Kind.RELATIVE, 10_000, 10_000), 3, 4, 840, 0, 1000),
                s.events().get(0));
        var b = assertInstanceOf(Event.IcmpEvent.class, s.events().get(1));
        assertEquals(1, b.code());
        assertEquals(-1, b.mtu());
        var c = assertInstanceOf(Event.IcmpEvent.class, s.events().get(2));
        assertEquals(0, c.code());
        assertEquals(5000, c.quotedSeq());
        var d = assertInstanceOf(Event.IcmpEvent.class, s.events().get(3));
        assertEquals(11, d.type());
        assertEquals(1, d.code());
        assertThrows(ScriptException.class, () -> Parser.parse("t.pkt", "0 < icmp unreachable host_unreachable mtu 800\n"));
        assertThrows(ScriptException.class, () -> Parser.parse("t.pkt", "0 < icmp unreachable [udp (100)]\n"));
        assertThrows(ScriptException.class, () -> Parser.parse("t.pkt", "0 < icmp nonsense\n"));
    }
}
