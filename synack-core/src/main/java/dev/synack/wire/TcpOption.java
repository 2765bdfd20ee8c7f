package dev.synack.wire;

import static dev.synack.wire.Bytes.*;
import static dev.synack.wire.TcpOptions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One TCP option as a value (RFC 9293 §3.2, RFC 7323, RFC 2018), for the test DSL, traces and pcap; the
 * hot path uses {@link TcpOptions} and {@link TcpOptionWriter} instead. {@code toString()} is packetdrill
 * syntax, e.g. {@code mss 1460}, {@code sackOK}, {@code TS val 100 ecr 0}, written (and read) by
 * {@link SegmentText}.
 */
public sealed interface TcpOption {

    /** Bytes this option takes on the wire. */
    int encodedLength();

    /** Writes the option at {@code off}; returns {@link #encodedLength()}. */
    int encode(byte[] b, int off);

    /** Maximum segment size (kind 2, RFC 9293 §3.2). @param mss 0..65535 */
    record Mss(int mss) implements TcpOption {
        /** Checks the range. */
        public Mss { checkRange("mss", mss, 0, 0xFFFF); }
        @Override public int encodedLength() { return LEN_MSS; }
        @Override public int encode(byte[] b, int off) {
            b[off] = KIND_MSS;
            b[off + 1] = LEN_MSS;
            put16(b, off + 2, mss);
            return LEN_MSS;
        }
        @Override public String toString() { return SegmentText.option(this); }
    }

    /** Window scale (kind 3, RFC 7323 §2.2), the shift as on the wire (not clamped). @param shift 0..255 */
    record WindowScale(int shift) implements TcpOption {
        /** Checks the range. */
        public WindowScale { checkRange("shift", shift, 0, 0xFF); }
        @Override public int encodedLength() { return LEN_WINDOW_SCALE; }
        @Override public int encode(byte[] b, int off) {
            b[off] = KIND_WINDOW_SCALE;
            b[off + 1] = LEN_WINDOW_SCALE;
            b[off + 2] = (byte) shift;
            return LEN_WINDOW_SCALE;
        }
        @Override public String toString() { return SegmentText.option(this); }
    }

    /** SACK permitted (kind 4, RFC 2018 §2). */
    record SackPermitted() implements TcpOption {
        @Override public int encodedLength() { return LEN_SACK_PERMITTED; }
        @Override public int encode(byte[] b, int off) {
            b[off] = KIND_SACK_PERMITTED;
            b[off + 1] = LEN_SACK_PERMITTED;
            return LEN_SACK_PERMITTED;
        }
        @Override public String toString() { return SegmentText.option(this); }
    }

    /** One SACK block: {@code start} is the left edge, {@code end} the first sequence number after it. */
    record SackBlock(int start, int end) {
        /** {@code start:end}, unsigned. */
        @Override public String toString() { return SegmentText.block(this); }
    }

    /** SACK (kind 5, RFC 2018 §3). @param blocks 1..31 blocks (at most 4 fit in a TCP header) */
    record Sack(List<SackBlock> blocks) implements TcpOption {
        /** Copies the list and checks its size. */
        public Sack {
            blocks = List.copyOf(blocks);
            checkRange("SACK block count", blocks.size(), 1, (0xFF - LEN_SACK_BASE) / LEN_SACK_PER_BLOCK);
        }
        @Override public int encodedLength() { return LEN_SACK_BASE + LEN_SACK_PER_BLOCK * blocks.size(); }
        @Override public int encode(byte[] b, int off) {
            b[off] = KIND_SACK;
            b[off + 1] = (byte) encodedLength();
            int i = off + LEN_SACK_BASE;
            for (SackBlock blk : blocks) {
                put32(b, i, blk.start());
                put32(b, i + 4, blk.end());
                i += LEN_SACK_PER_BLOCK;
            }
            return i - off;
        }
        @Override public String toString() { return SegmentText.option(this); }
    }

    /** Timestamps (kind 8, RFC 7323 §3.2); values have an unsigned meaning. */
    record Timestamps(int val, int ecr) implements TcpOption {
        @Override public int encodedLength() { return LEN_TIMESTAMPS; }
        @Override public int encode(byte[] b, int off) {
            b[off] = KIND_TIMESTAMPS;
            b[off + 1] = LEN_TIMESTAMPS;
            put32(b, off + 2, val);
            put32(b, off + 6, ecr);
            return LEN_TIMESTAMPS;
        }
        @Override public String toString() { return SegmentText.option(this); }
    }

    /** No-operation (kind 1, RFC 9293 §3.2). */
    record Nop() implements TcpOption {
        @Override public int encodedLength() { return 1; }
        @Override public int encode(byte[] b, int off) {
            b[off] = KIND_NOP;
            return 1;
        }
        @Override public String toString() { return SegmentText.option(this); }
    }

    /** End of option list (kind 0, RFC 9293 §3.2); {@link #decodeAll} stops after it. */
    record Eol() implements TcpOption {
        @Override public int encodedLength() { return 1; }
        @Override public int encode(byte[] b, int off) {
            b[off] = KIND_EOL;
            return 1;
        }
        @Override public String toString() { return SegmentText.option(this); }
    }

    /**
     * Any other option: its kind and the bytes after the length byte. {@link #decodeAll} also uses it for a
     * known kind with a length that kind cannot have (for example MSS with length 3), so those bytes
     * survive a decode/encode round trip. {@code toString()} is {@code opt <kind> <hex>} (packetdrill has no
     * syntax for these; {@link SegmentText} reads it back).
     *
     * @param kind 2..255
     * @param data 0..253 bytes
     */
    record Unknown(int kind, byte[] data) implements TcpOption {
        /** Checks ranges and copies {@code data}. */
        public Unknown {
            checkRange("kind", kind, 2, 0xFF);
            data = data.clone();
            checkRange("data length", data.length, 0, 0xFF - 2);
        }
        /** A copy of the data bytes. */
        @Override public byte[] data() { return data.clone(); }
        @Override public int encodedLength() { return 2 + data.length; }
        @Override public int encode(byte[] b, int off) {
            b[off] = (byte) kind;
            b[off + 1] = (byte) (2 + data.length);
            System.arraycopy(data, 0, b, off + 2, data.length);
            return 2 + data.length;
        }
        /** Equal when kind and data bytes are equal. */
        @Override public boolean equals(Object o) {
            return o instanceof Unknown u && u.kind == kind && Arrays.equals(u.data, data);
        }
        @Override public int hashCode() { return 31 * kind + Arrays.hashCode(data); }
        @Override public String toString() { return SegmentText.option(this); }
    }

    /**
     * Decodes every option in the {@code len}-byte options area at {@code off}, in wire order. An EOL is
     * included and ends the list; bytes after it (padding) are not looked at. Known kinds with an impossible
     * length become {@link Unknown}.
     *
     * @return the options, or {@link DropReason#BAD_TCP_OPTION} when a length byte is below 2 or an option
     *     runs past the area
     */
    static Decoded<List<TcpOption>> decodeAll(byte[] b, int off, int len) {
        List<TcpOption> out = new ArrayList<>();
        int i = off;
        int end = off + len;
        while (i < end) {
            int kind = b[i] & 0xFF;
            if (kind == KIND_EOL) {
                out.add(new Eol());
                break;
            }
            if (kind == KIND_NOP) {
                out.add(new Nop());
                i++;
                continue;
            }
            if (end - i < 2) return Decoded.malformed(DropReason.BAD_TCP_OPTION);
            int size = b[i + 1] & 0xFF;
            if (size < 2 || size > end - i) return Decoded.malformed(DropReason.BAD_TCP_OPTION);
            out.add(decodeOne(b, i, kind, size));
            i += size;
        }
        return Decoded.ok(List.copyOf(out));
    }

    private static TcpOption decodeOne(byte[] b, int i, int kind, int size) {
        switch (kind) {
            case KIND_MSS -> {
                if (size == LEN_MSS) return new Mss(u16(b, i + 2));
            }
            case KIND_WINDOW_SCALE -> {
                if (size == LEN_WINDOW_SCALE) return new WindowScale(b[i + 2] & 0xFF);
            }
            case KIND_SACK_PERMITTED -> {
                if (size == LEN_SACK_PERMITTED) return new SackPermitted();
            }
            case KIND_TIMESTAMPS -> {
                if (size == LEN_TIMESTAMPS) return new Timestamps(i32(b, i + 2), i32(b, i + 6));
            }
            case KIND_SACK -> {
                int body = size - LEN_SACK_BASE;
                if (body >= LEN_SACK_PER_BLOCK && body % LEN_SACK_PER_BLOCK == 0) {
                    List<SackBlock> blocks = new ArrayList<>(body / LEN_SACK_PER_BLOCK);
                    for (int k = i + LEN_SACK_BASE; k < i + size; k += LEN_SACK_PER_BLOCK) {
                        blocks.add(new SackBlock(i32(b, k), i32(b, k + 4)));
                    }
                    return new Sack(blocks);
                }
            }
            default -> { }
        }
        return new Unknown(kind, Arrays.copyOfRange(b, i + 2, i + size));
    }

    /** Writes the options in list order with no padding; returns the bytes written, {@link #encodedLength(List)}. */
    static int encodeAll(List<TcpOption> opts, byte[] b, int off) {
        int i = off;
        for (TcpOption o : opts) i += o.encode(b, i);
        return i - off;
    }

    /** Total bytes of the options in the list, without padding. */
    static int encodedLength(List<TcpOption> opts) {
        int n = 0;
        for (TcpOption o : opts) n += o.encodedLength();
        return n;
    }

    private static void checkRange(String what, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(what + " must be in " + lo + ".." + hi + ": " + v);
        }
    }
}
