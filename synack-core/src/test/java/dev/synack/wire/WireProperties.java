package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.*;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Property tests: validators never throw on any bytes, encoders and decoders are inverse, checksums verify. */
class WireProperties {

    // ---- no exceptions on arbitrary bytes -------------------------------------------------------------

    @Property(tries = 1500)
    void validatorsNeverThrowOnRandomBytes(@ForAll @Size(max = 80) byte[] b, @ForAll int src, @ForAll int dst,
                                           @ForAll @IntRange(max = 8) int skip) {
        int off = Math.min(skip, b.length);
        int len = b.length - off;
        Ipv4.validate(b, off, len);
        TcpHeader.validate(b, off, len, src, dst);
        Icmp.validate(b, off, len);
        Icmp.validateQuote(b, off, len);
        new TcpOptions().parse(b, off, len);
        assertNotNull(TcpOption.decodeAll(b, off, len));
        assertNotNull(TcpSegment.decode(b, off, len));
        assertNotNull(IpPacket.decode(b, off, len));
    }

    /** Mostly-valid packets with a few bytes flipped reach the deeper checks. */
    @Property(tries = 1500)
    void validatorsNeverThrowOnMutatedPackets(@ForAll("segments") TcpSegment seg, @ForAll int src, @ForAll int dst,
                                              @ForAll @Size(max = 4) List<@IntRange(max = 200) Integer> positions,
                                              @ForAll byte value, @ForAll @IntRange(max = 30) int cut) {
        byte[] tcp = new byte[seg.encodedLength()];
        seg.encode(tcp, 0, src, dst);
        byte[] b = new IpPacket(src, dst, Ipv4.PROTO_TCP, 64, tcp).encode(1);
        for (int p : positions) if (p < b.length) b[p] ^= value;
        int len = Math.max(0, b.length - cut);
        DropReason r = Ipv4.validate(b, 0, len);
        Decoded<IpPacket> d = IpPacket.decode(b, 0, len);
        assertEquals(r, d.reasonOrNull());
        if (r == null) {
            int hl = Ipv4.headerLength(b, 0);
            int tl = Ipv4.totalLength(b, 0) - hl;
            if (TcpHeader.validate(b, hl, tl, Ipv4.src(b, 0), Ipv4.dst(b, 0)) == null) {
                TcpOptions o = new TcpOptions();
                o.parse(b, hl + 20, TcpHeader.dataOffset(b, hl) - 20);
                assertNotNull(TcpSegment.decode(b, hl, tl));
            }
            byte[] icmp = new byte[Icmp.HEADER_LEN + Icmp.quoteLength(b, 0, len)]; // IP options make the quote longer than 28
            int n = Icmp.writeDestUnreachable(icmp, 0, Icmp.PORT_UNREACH, 0, b, 0, len);
            assertNull(Icmp.validate(icmp, 0, n));
            if (Icmp.validateQuote(icmp, 0, n) == null) {
                Icmp.quotedTcpSeq(icmp, 0);
                Icmp.quotedDstPort(icmp, 0);
            }
        }
    }

    // ---- round trips ---------------------------------------------------------------------------------

    @Property(tries = 1000)
    void segmentEncodeDecodeIsIdentity(@ForAll("segments") TcpSegment seg, @ForAll int src, @ForAll int dst) {
        byte[] b = new byte[seg.encodedLength() + 3];
        int n = seg.encode(b, 3, src, dst);
        assertEquals(seg.encodedLength(), n);
        assertNull(TcpHeader.validate(b, 3, n, src, dst));
        assertEquals(0, Ref.tcpChecksum(src, dst, java.util.Arrays.copyOfRange(b, 3, 3 + n)));
        assertEquals(seg, TcpSegment.decode(b, 3, n).orElseThrow());
    }

    /** A segment's text ({@link SegmentText}) reads back as the same numbers and options. */
    @Property(tries = 1000)
    void segmentTextRoundTrip(@ForAll("segments") TcpSegment seg) {
        SegmentSpec s = SegmentText.parse(seg.toString());
        assertEquals(seg.flags(), s.flags());
        assertEquals(Integer.toUnsignedLong(seg.seq()), s.seq());
        assertEquals(seg.payloadLength(), s.length());
        assertEquals(seg.has(TcpHeader.ACK) ? Integer.toUnsignedLong(seg.ack()) : null, s.ack());
        assertEquals(seg.window(), s.window());
        assertEquals(seg.options(), s.optionsOrNone());
        assertEquals(seg.toString(), s.toString());
    }

    @Property(tries = 500)
    void ipPacketRoundTrip(@ForAll int src, @ForAll int dst, @ForAll @IntRange(max = 255) int proto,
                           @ForAll @IntRange(max = 255) int ttl, @ForAll @Size(max = 100) byte[] payload,
                           @ForAll @IntRange(max = 0xFFFF) int id) {
        IpPacket p = new IpPacket(src, dst, proto, ttl, payload);
        byte[] b = p.encode(id);
        assertEquals(id, Ipv4.identification(b, 0));
        assertEquals(p, IpPacket.decode(b, 0, b.length).orElseThrow());
        assertEquals(src, Ipv4.parse(Ipv4.format(src)));
    }

    @Property(tries = 500)
    void optionsHolderAgreesWithValueDecoder(@ForAll("optionLists") List<TcpOption> opts) {
        byte[] b = new byte[TcpOption.encodedLength(opts)];
        TcpOption.encodeAll(opts, b, 0);
        TcpOptions h = new TcpOptions();
        assertNull(h.parse(b, 0, b.length));
        int mss = -1, ws = -1, blocks = 0, tsVal = 0;
        boolean sackOk = false, ts = false;
        for (TcpOption o : TcpOption.decodeAll(b, 0, b.length).orElseThrow()) {
            switch (o) {
                case TcpOption.Mss m -> mss = m.mss();
                case TcpOption.WindowScale w -> ws = Math.min(14, w.shift());
                case TcpOption.SackPermitted s -> sackOk = true;
                case TcpOption.Timestamps t -> {
                    ts = true;
                    tsVal = t.val(); // a later option overrides an earlier one
                }
                case TcpOption.Sack s -> blocks = s.blocks().size();
                case TcpOption.Nop n -> { }
                case TcpOption.Eol e -> { }
                case TcpOption.Unknown u -> { }
            }
        }
        assertEquals(mss, h.mss());
        assertEquals(ws, h.windowScale());
        assertEquals(sackOk, h.sackPermitted());
        assertEquals(ts, h.hasTimestamps());
        assertEquals(tsVal, h.tsVal());
        assertEquals(blocks, h.sackBlockCount());
    }

    @Property(tries = 256)
    void flagsRoundTrip(@ForAll @IntRange(max = 255) int flags) {
        assertEquals(flags, TcpHeader.parseFlags(TcpHeader.flagsToString(flags)));
    }

    // ---- checksums -----------------------------------------------------------------------------------

    @Property(tries = 1000)
    void bufferWithItsChecksumInsertedVerifies(@ForAll @Size(min = 2, max = 300) byte[] data,
                                               @ForAll @IntRange(max = 149) int slot) {
        int at = (slot * 2) % (data.length & ~1); // an even position, as a header field would be
        data[at] = 0;
        data[at + 1] = 0;
        int c = Checksum.compute(data, 0, data.length);
        assertEquals(Ref.checksum(data), c);
        data[at] = (byte) (c >>> 8);
        data[at + 1] = (byte) c;
        assertEquals(0, Checksum.compute(data, 0, data.length));
    }

    /**
     * The 8-bytes-per-step sum (two 32-bit halves per long, two accumulators) equals RFC 1071 §4.1 taken
     * literally, on any length and offset, odd ones included, and on buffers of all-ones words that make
     * every addition carry; summed in even pieces it equals the sum in one piece.
     */
    @Property(tries = 2000)
    void fastSumMatchesReferenceAtAnyOffsetAndLength(@ForAll @Size(max = 1600) byte[] data,
                                                     @ForAll @IntRange(max = 17) int skip,
                                                     @ForAll @IntRange(max = 17) int trim,
                                                     @ForAll @IntRange(max = 800) int cut,
                                                     @ForAll boolean ones) {
        if (ones) java.util.Arrays.fill(data, (byte) 0xFF);
        int off = Math.min(skip, data.length);
        int len = Math.max(0, data.length - off - trim);
        byte[] slice = java.util.Arrays.copyOfRange(data, off, off + len);
        assertEquals(Ref.checksum(slice), Checksum.compute(data, off, len), "off " + off + " len " + len);
        int first = Math.min(cut * 2, len & ~1); // pieces: only the last may be odd
        long acc = Checksum.add(0, data, off, first);
        assertEquals(Ref.checksum(slice), Checksum.finish(Checksum.add(acc, data, off + first, len - first)));
    }

    // ---- generators ----------------------------------------------------------------------------------

    @Provide
    Arbitrary<TcpSegment> segments() {
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<Integer> any = Arbitraries.integers();
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, 0xFF);
        Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        return Combinators.combine(port, port, any, any, flags, port, optionLists(), payload)
                .as(TcpSegment::new);
    }

    /** Option lists that fit in 40 bytes; padded so a decode gives the same list back. */
    @Provide
    Arbitrary<List<TcpOption>> optionLists() {
        return option().list().ofMaxSize(8).map(WireProperties::fitAndAlign);
    }

    private static List<TcpOption> fitAndAlign(List<TcpOption> in) {
        List<TcpOption> out = new ArrayList<>();
        int len = 0;
        for (TcpOption o : in) {
            if (o instanceof TcpOption.Eol) break;
            if (len + o.encodedLength() > 40) continue;
            out.add(o);
            len += o.encodedLength();
        }
        // Encoding pads with zero bytes, which decode as one EOL; make that EOL part of the list, or
        // align with NOPs instead (either way decode(encode(x)) == x).
        if (len % 4 != 0) {
            if ((len & 1) == 0) out.add(new TcpOption.Eol());
            else while (len % 4 != 0) {
                out.add(new TcpOption.Nop());
                len++;
            }
        }
        return out;
    }

    private static Arbitrary<TcpOption> option() {
        Arbitrary<Integer> any = Arbitraries.integers();
        Arbitrary<TcpOption.SackBlock> block = Combinators.combine(any, any).as(TcpOption.SackBlock::new);
        // kinds other than EOL, NOP and the known ones, so an Unknown decodes as an Unknown
        Arbitrary<Integer> unknownKind = Arbitraries.integers().between(6, 255).filter(k -> k != 8);
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 0xFFFF).map(TcpOption.Mss::new),
                Arbitraries.integers().between(0, 255).map(TcpOption.WindowScale::new),
                Arbitraries.just(new TcpOption.SackPermitted()),
                block.list().ofMinSize(1).ofMaxSize(4).map(TcpOption.Sack::new),
                Combinators.combine(any, any).as(TcpOption.Timestamps::new),
                Arbitraries.just(new TcpOption.Nop()),
                Arbitraries.just(new TcpOption.Eol()),
                Combinators.combine(unknownKind, Arbitraries.bytes().array(byte[].class).ofMaxSize(6))
                        .as(TcpOption.Unknown::new));
    }
}
