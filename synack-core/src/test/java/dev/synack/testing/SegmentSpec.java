package dev.synack.testing;

import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One segment written as packetdrill writes it, with relative sequence numbers:
 * {@code S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>}.
 *
 * <p>In an expectation, a missing {@code win} or {@code <...>} means "do not check"; in an injected
 * segment a missing window is 65535 and missing options are none.
 *
 * @param flags flag bits
 * @param start relative start sequence
 * @param end relative end sequence
 * @param ack relative ack, or null when the segment has none written
 * @param window window field, or null
 * @param options the options, or null for "any"
 */
public record SegmentSpec(int flags, long start, long end, Long ack, Integer window, List<TcpOption> options) {

    /** Payload length. */
    public int length() { return (int) (end - start); }

    /** Parses the text; throws IllegalArgumentException naming the problem. */
    public static SegmentSpec parse(String text) {
        String s = text.trim();
        String opts = null;
        int lt = s.indexOf('<');
        if (lt >= 0) {
            int gt = s.lastIndexOf('>');
            if (gt < lt) throw new IllegalArgumentException("unclosed options in: " + text);
            opts = s.substring(lt + 1, gt).trim();
            s = s.substring(0, lt).trim();
        }
        String[] tok = s.split("\\s+");
        if (tok.length < 2) throw new IllegalArgumentException("expected 'FLAGS start:end(len)' in: " + text);
        int flags = TcpHeader.parseFlags(tok[0]);
        String range = tok[1];
        int colon = range.indexOf(':'), paren = range.indexOf('(');
        if (colon < 0 || paren < 0 || !range.endsWith(")")) throw new IllegalArgumentException("bad range '" + range + "' in: " + text);
        long start = Long.parseLong(range.substring(0, colon));
        long end = Long.parseLong(range.substring(colon + 1, paren));
        long len = Long.parseLong(range.substring(paren + 1, range.length() - 1));
        if (end - start != len) throw new IllegalArgumentException("range " + range + " does not match its length");
        Long ack = null;
        Integer win = null;
        for (int i = 2; i < tok.length; i++) {
            switch (tok[i]) {
                case "ack" -> ack = Long.parseLong(tok[++i]);
                case "win" -> win = Integer.parseInt(tok[++i]);
                default -> throw new IllegalArgumentException("unknown word '" + tok[i] + "' in: " + text);
            }
        }
        List<TcpOption> options = null;
        if (opts != null && !opts.equals("...")) {
            options = new ArrayList<>();
            if (!opts.isEmpty()) for (String o : opts.split(",")) options.add(parseOption(o.trim(), text));
        }
        return new SegmentSpec(flags, start, end, ack, win, options == null ? null : List.copyOf(options));
    }

    private static TcpOption parseOption(String o, String text) {
        String[] w = o.split("\\s+");
        return switch (w[0]) {
            case "mss" -> new TcpOption.Mss(Integer.parseInt(w[1]));
            case "wscale" -> new TcpOption.WindowScale(Integer.parseInt(w[1]));
            case "sackOK" -> new TcpOption.SackPermitted();
            case "nop" -> new TcpOption.Nop();
            case "eol" -> new TcpOption.Eol();
            case "TS" -> {
                if (w.length != 5 || !w[1].equals("val") || !w[3].equals("ecr")) {
                    throw new IllegalArgumentException("expected 'TS val N ecr N' in: " + text);
                }
                yield new TcpOption.Timestamps((int) Long.parseLong(w[2]), (int) Long.parseLong(w[4]));
            }
            case "sack" -> {
                List<TcpOption.SackBlock> blocks = new ArrayList<>();
                for (int i = 1; i < w.length; i++) {
                    String[] p = w[i].split(":");
                    blocks.add(new TcpOption.SackBlock((int) Long.parseLong(p[0]), (int) Long.parseLong(p[1])));
                }
                yield new TcpOption.Sack(blocks);
            }
            default -> throw new IllegalArgumentException("unknown option '" + o + "' in: " + text);
        };
    }
}
