package dev.synack.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.synack.stack.Stack;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.SendReason;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpDropReason;
import dev.synack.tcp.TcpListener;
import dev.synack.time.VirtualScheduler;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Decoded;
import dev.synack.wire.Ipv4;
import dev.synack.wire.SegmentSpec;
import dev.synack.wire.SegmentText;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A packetdrill-like harness: one synack host under test (198.18.0.1) and a script that plays the
 * peer (198.18.0.2). The test injects segments at exact virtual times and states the exact segments
 * that must come out, and when:
 *
 * <pre>{@code
 * var t = new TcpTester();
 * var c = t.connect();
 * t.expect(0, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
 * t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 700 ecr 0,nop,wscale 7>");
 * t.expect(100, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 100 ecr 700>");
 * }</pre>
 *
 * <p>Sequence numbers are relative as in packetdrill: our seq/their ack relative to the host's ISS,
 * their seq/our ack relative to {@link #REMOTE_ISN}. Times are in milliseconds of virtual time.
 * Timestamps run on the virtual millisecond clock (no random offset), so TS values are exact.
 * Every packet the host sends must be expected: an unexpected one fails the test. The IP ECN field is
 * written before the flags as packetdrill writes it ({@code [ect0] P. 1:1001(1000)}, {@code [ce]},
 * {@code [noecn]}, {@code [ect01]} for either ECT): an injected segment carries it, an expected one
 * is checked against it when it is written. Why the host sent the segment last expected
 * ({@link SendReason}) is {@link #expectReason}'s to check, and why it dropped a segment it received
 * ({@link TcpDropReason}) {@link #expectDrop}'s: the tester reads both from the stack's trace.
 */
public final class TcpTester {
    public static final int LOCAL = Ipv4.parse("198.18.0.1");
    public static final int REMOTE = Ipv4.parse("198.18.0.2");
    /** The script's ISN (absolute). */
    public static final int REMOTE_ISN = 0x7000_0000;
    public static final int SERVER_PORT = 8080;
    public static final int CLIENT_PORT = 40000;

    public final VirtualScheduler sched = new VirtualScheduler();
    public final TcpConfig config;
    public final Stack stack;
    private final ArrayDeque<Captured> out = new ArrayDeque<>();
    private final List<String> log = new ArrayList<>();
    private Integer localIss;
    /** Our port and the script's port. */
    public int localPort, remotePort;

    private record Captured(long timeNs, byte[] bytes, SendReason reason, int n) {}

    /** Why the packet now being handed to the link was sent (the trace event comes just before). */
    private SendReason sending;
    private int sendingN;
    /** The reason of the segment the last {@link #expect} matched. */
    private SendReason lastReason;
    private int lastReasonN;
    /** TCP's drops of injected segments, not yet checked by {@link #expectDrop}. */
    private final ArrayDeque<TcpDropReason> drops = new ArrayDeque<>();

    /**
     * The script speaks from another port from now on, as a new peer (e.g. one of many SYNs to a
     * listener): its segments use {@code port}, and the next SYN the host sends sets the relative base.
     */
    public void newPeer(int port) {
        remotePort = port;
        localIss = null;
    }

    /** Absolute sequence number {@code abs} in this tester's relative form (e.g. a RST with SEQ 0). */
    public long relativeSeq(int abs) { return abs - (localIss == null ? 0 : localIss); }

    public TcpTester() { this(c -> {}); }

    public TcpTester(Consumer<TcpConfig> configure) {
        config = new TcpConfig();
        config.randomTsOffset = false;
        configure.accept(config);
        stack = new Stack("local", sched, config, 1);
        stack.setStrict(true); // a bug in synack fails the test rather than dropping the packet
        stack.setTracer(e -> {
            switch (e) {
                case TraceEvent.Packet p when p.outbound() -> {
                    sending = p.reason();
                    sendingN = p.reasonN();
                }
                case TraceEvent.SegmentDropped d -> drops.add(d.reason());
                default -> {
                }
            }
        });
        stack.addInterface("eth0", LOCAL, 24, 1500, (b, off, len) -> {
            byte[] copy = new byte[len];
            System.arraycopy(b, off, copy, 0, len);
            out.add(new Captured(sched.nowNs(), copy, sending, sendingN));
        });
    }

    // ---- the application side ----------------------------------------------------------------

    /** connect() from an ephemeral port to REMOTE:8080 at the current time. */
    public TcpConnection connect() { return connect(new SocketOptions()); }

    public TcpConnection connect(SocketOptions o) {
        try {
            TcpConnection c = stack.connect(null, REMOTE, SERVER_PORT, o);
            localPort = c.localPort();
            remotePort = SERVER_PORT;
            return c;
        } catch (ErrnoException e) {
            throw new AssertionError(e);
        }
    }

    /** connect() whose SYN is a Fast Open one: {@code fo}'s data, under a cached cookie, or a cookie request. */
    public TcpConnection connect(SocketOptions o, dev.synack.tcp.FastOpen.Request fo) {
        try {
            TcpConnection c = stack.connect(null, REMOTE, SERVER_PORT, o, fo);
            localPort = c.localPort();
            remotePort = SERVER_PORT;
            return c;
        } catch (ErrnoException e) {
            throw new AssertionError(e);
        }
    }

    /** listen() on port 8080; the script's port is 40000. */
    public TcpListener listen() { return listen(new SocketOptions(), 128); }

    public TcpListener listen(SocketOptions o, int backlog) {
        try {
            TcpListener l = stack.listen(stack.bind(0, SERVER_PORT, o), backlog);
            localPort = SERVER_PORT;
            remotePort = CLIENT_PORT;
            return l;
        } catch (ErrnoException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs the host until {@code ms}, failing on any packet it sends before. */
    public void runUntil(long ms) {
        long t = ms * 1_000_000L;
        while (sched.runNext(t)) {
            if (!out.isEmpty()) fail("unexpected packet before " + ms + " ms: " + describe(out.peek()) + history());
        }
        sched.runUntil(t);
        if (!out.isEmpty()) fail("unexpected packet before " + ms + " ms: " + describe(out.peek()) + history());
    }

    /** Runs until {@code ms}, then performs an application call. */
    public void at(long ms, Runnable call) {
        runUntil(ms);
        call.run();
    }

    // ---- the wire --------------------------------------------------------------------------------

    /** Delivers a segment from the script at {@code ms}. */
    public void inject(long ms, String text) {
        runUntil(ms);
        SegmentSpec s = SegmentText.parse(text);
        injectNow(s, new byte[s.length()], ms + " < " + text);
    }

    /** Delivers a segment with this payload from the script at {@code ms}. */
    public void inject(long ms, String text, byte[] payload) {
        runUntil(ms);
        SegmentSpec s = SegmentText.parse(text);
        if (payload.length != s.length()) fail("payload of " + payload.length + " bytes for " + text);
        injectNow(s, payload, ms + " < " + text);
    }

    /** Delivers raw bytes (a whole IPv4 packet) at {@code ms}. */
    public void injectRaw(long ms, byte[] packet) {
        runUntil(ms);
        log.add(ms + " < raw " + packet.length + " bytes");
        stack.receive(packet, 0, packet.length);
    }

    private void injectNow(SegmentSpec s, byte[] payload, String logLine) {
        int iss = localIss == null ? 0 : localIss;
        List<TcpOption> opts = relativeSack(s.optionsOrNone(), iss);
        TcpSegment seg = new TcpSegment(remotePort, localPort, (int) (REMOTE_ISN + s.seq()),
                s.ack() == null ? 0 : (int) (iss + s.ack()), s.flags(), s.window() == null ? 65535 : s.window(),
                opts, payload);
        byte[] packet = packet(seg, s.ecn() == null ? Ipv4.NOT_ECT : ecnBits(s.ecn()));
        log.add(logLine);
        stack.receive(packet, 0, packet.length);
    }

    /** An IPv4 packet from the script carrying {@code seg}. */
    public static byte[] packet(TcpSegment seg) { return packet(seg, Ipv4.NOT_ECT); }

    /** An IPv4 packet from the script carrying {@code seg}, with the ECN field {@code ecn}. */
    public static byte[] packet(TcpSegment seg, int ecn) {
        int len = seg.encodedLength();
        byte[] b = new byte[20 + len];
        seg.encode(b, 20, REMOTE, LOCAL);
        Ipv4.write(b, 0, REMOTE, LOCAL, Ipv4.PROTO_TCP, 64, 1, len, ecn);
        return b;
    }

    /** The codepoint of a written ECN field ({@code [ect01]} is a pattern, for expectations only). */
    private static int ecnBits(SegmentSpec.Ecn e) {
        return switch (e) {
            case NOECN -> Ipv4.NOT_ECT;
            case ECT1 -> Ipv4.ECT_1;
            case ECT0 -> Ipv4.ECT_0;
            case CE -> Ipv4.CE;
            case ECT01 -> throw new IllegalArgumentException("[ect01] is a pattern for expected segments");
        };
    }

    private static List<TcpOption> relativeSack(List<TcpOption> opts, int base) {
        List<TcpOption> r = new ArrayList<>();
        for (TcpOption o : opts) {
            if (o instanceof TcpOption.Sack(List<TcpOption.SackBlock> blocks)) {
                r.add(new TcpOption.Sack(blocks.stream()
                        .map(b -> new TcpOption.SackBlock(b.start() + base, b.end() + base)).toList()));
            } else {
                r.add(o);
            }
        }
        return r;
    }

    /**
     * The host must send exactly this segment at exactly {@code ms}; packets before it fail the test.
     *
     * @return the segment as sent (absolute numbers)
     */
    public TcpSegment expect(long ms, String text) {
        SegmentSpec want = SegmentText.parse(text);
        long t = ms * 1_000_000L;
        while (out.isEmpty() && sched.runNext(t)) {
            // run until something is sent or the time comes
        }
        if (out.isEmpty()) fail("expected at " + ms + " ms: " + text + ", but nothing was sent" + history());
        Captured c = out.poll();
        lastPacket = c.bytes;
        lastReason = c.reason;
        lastReasonN = c.n;
        TcpSegment got = decode(c);
        if (localIss == null && got.has(TcpHeader.SYN)) localIss = got.seq();
        int gotEcn = Ipv4.ecn(c.bytes, 0);
        String gotText = relative(got, gotEcn);
        log.add(c.timeNs / 1_000_000 + " > " + gotText);
        if (c.timeNs != t) {
            fail("expected at " + ms + " ms: " + text + "\n   but at " + fmtMs(c.timeNs) + " ms got: " + gotText + history());
        }
        String mismatch = mismatch(want, got, gotEcn);
        if (mismatch != null) {
            fail("at " + ms + " ms, " + mismatch + "\n   expected: " + text + "\n   got:      " + gotText + history());
        }
        return got;
    }

    /** Why the host sent the segment the last {@link #expect} matched, with its number (0 when none). */
    public SendReason lastReason() { return lastReason; }

    public int lastReasonN() { return lastReasonN; }

    /** The segment the last {@link #expect} matched was sent for {@code why}. */
    public void expectReason(SendReason why) {
        assertEquals(why, lastReason, "why the last segment expected was sent" + history());
    }

    /** The segment the last {@link #expect} matched was sent for {@code why}, with the number {@code n}. */
    public void expectReason(SendReason why, int n) {
        expectReason(why);
        assertEquals(n, lastReasonN, "the number of " + why + history());
    }

    /** The oldest drop not yet checked was for {@code why} (and it is checked now). */
    public void expectDrop(TcpDropReason why) {
        if (drops.isEmpty()) fail("expected a drop for " + why + ", but TCP dropped nothing" + history());
        assertEquals(why, drops.poll(), "why TCP dropped a segment" + history());
    }

    /** TCP's drops not yet checked by {@link #expectDrop}, oldest first. */
    public List<TcpDropReason> drops() { return List.copyOf(drops); }

    /** Nothing may be sent up to and including {@code ms}. */
    public void expectNothing(long ms) {
        long t = ms * 1_000_000L;
        while (out.isEmpty() && sched.runNext(t)) {
            // run
        }
        if (!out.isEmpty()) fail("expected nothing until " + ms + " ms, got at " + fmtMs(out.peek().timeNs) + " ms: " + describe(out.peek()) + history());
        sched.runUntil(t);
    }

    /** The whole IPv4 packet of the segment the last {@link #expect} matched (e.g. to quote in an ICMP error). */
    public byte[] lastPacket() { return lastPacket.clone(); }

    private byte[] lastPacket;

    /**
     * Runs until {@code ms} and returns every segment sent up to then (absolute numbers), for tests that
     * assert a property of many segments (e.g. the window advertised) rather than each one.
     */
    public List<TcpSegment> drain(long ms) {
        long t = ms * 1_000_000L;
        while (sched.runNext(t)) {
            // run
        }
        sched.runUntil(t);
        List<TcpSegment> got = new ArrayList<>();
        while (!out.isEmpty()) {
            TcpSegment s = decode(out.poll());
            if (localIss == null && s.has(TcpHeader.SYN)) localIss = s.seq();
            log.add("~ > " + relative(s));
            got.add(s);
        }
        return got;
    }

    /**
     * Runs until {@code ms} and returns every segment sent up to then as text with relative numbers and
     * the ECN field when set ({@code "[ect0] . 1:1001(1000) ack 1 win 63"}), for tests that assert a
     * property of many segments (which carry CWR, which are ECT).
     */
    public List<String> drainText(long ms) {
        long t = ms * 1_000_000L;
        while (sched.runNext(t)) {
            // run
        }
        sched.runUntil(t);
        List<String> got = new ArrayList<>();
        while (!out.isEmpty()) {
            Captured c = out.poll();
            TcpSegment s = decode(c);
            if (localIss == null && s.has(TcpHeader.SYN)) localIss = s.seq();
            String text = relative(s, Ipv4.ecn(c.bytes, 0));
            log.add(fmtMs(c.timeNs) + " > " + text);
            got.add(text);
        }
        return got;
    }

    /** The number of packets sent and not yet expected. */
    public int pending() { return out.size(); }

    private static String fmtMs(long ns) {
        return ns % 1_000_000 == 0 ? Long.toString(ns / 1_000_000) : String.format("%.3f", ns / 1e6);
    }

    private TcpSegment decode(Captured c) {
        DecodedHolder h = new DecodedHolder();
        int hl = Ipv4.headerLength(c.bytes, 0);
        if (Ipv4.src(c.bytes, 0) != LOCAL || Ipv4.dst(c.bytes, 0) != REMOTE) fail("packet not from LOCAL to REMOTE");
        h.d = TcpSegment.decode(c.bytes, hl, c.bytes.length - hl);
        if (!(h.d instanceof Decoded.Ok<TcpSegment>(TcpSegment s))) throw new AssertionError("host sent a malformed segment: " + h.d);
        return s;
    }

    private static final class DecodedHolder {
        Decoded<TcpSegment> d;
    }

    private String describe(Captured c) { return fmtMs(c.timeNs) + " ms " + relative(decode(c), Ipv4.ecn(c.bytes, 0)); }

    /**
     * The segment in packetdrill form with relative numbers ({@link SegmentText.Style#RELATIVE}: a
     * segment before the ISS has a negative seq, as an expectation writes it).
     */
    public String relative(TcpSegment s) { return relative(s, Ipv4.NOT_ECT); }

    /** As {@link #relative(TcpSegment)}, with the packet's ECN field in front when it is set ({@code [ect0] P. ...}). */
    private String relative(TcpSegment s, int ecn) {
        SegmentSpec spec = SegmentSpec.of(s.flags(), relativeSeq(s), s.payloadLength(),
                s.has(TcpHeader.ACK) ? (s.ack() - REMOTE_ISN) & 0xFFFF_FFFFL : null, s.window(),
                relativeSack(s.options(), -REMOTE_ISN));
        if (ecn != Ipv4.NOT_ECT) spec = spec.withEcn(SegmentSpec.Ecn.of(ecn));
        return SegmentText.format(spec, SegmentText.Style.RELATIVE);
    }

    /** The segment's seq relative to the host's ISS, between -2^31 and 2^31 - 1. */
    private long relativeSeq(TcpSegment s) {
        long seq = (s.seq() - (localIss == null ? 0 : localIss)) & 0xFFFF_FFFFL;
        return seq > 0x7FFF_FFFFL ? seq - (1L << 32) : seq;
    }

    private String mismatch(SegmentSpec want, TcpSegment got, int gotEcn) {
        if (want.flags() != got.flags()) return "flags differ";
        if (want.ecn() != null) { // checked when written, as packetdrill does: [noecn] [ect0] [ect1] [ce] [ect01]
            boolean ok = want.ecn() == SegmentSpec.Ecn.ECT01 ? gotEcn == Ipv4.ECT_0 || gotEcn == Ipv4.ECT_1
                    : gotEcn == ecnBits(want.ecn());
            if (!ok) return "ECN field differs";
        }
        if (relativeSeq(got) != want.seq()) return "seq differs";
        if (got.payload().length != want.length()) return "length differs";
        if (want.ack() != null && ((got.ack() - REMOTE_ISN) & 0xFFFF_FFFFL) != want.ack()) return "ack differs";
        if (want.ack() == null && got.has(TcpHeader.ACK) && got.ack() != 0 && !got.has(TcpHeader.RST)) return "ack present but not expected";
        if (want.window() != null && want.window() != got.window()) return "window differs";
        if (want.options() != null) { // written, <> included; not when absent or <...>
            String w = SegmentText.options(want.options());
            String g = SegmentText.options(relativeSack(got.options(), -REMOTE_ISN));
            if (!w.equals(g)) return "options differ";
        }
        return null;
    }

    private String history() {
        StringBuilder sb = new StringBuilder("\n   trace so far (ms, < in, > out):");
        for (String l : log) sb.append("\n     ").append(l);
        return sb.toString();
    }

    // ---- vocabulary ----------------------------------------------------------------------------

    /**
     * A full segment's payload with timestamps: the MSS of 1460 both sides advertise (MTU 1500 less 40
     * bytes of IPv4 and TCP headers) less the 12-byte timestamp option.
     */
    public static final int MSS = 1448;

    /** A full segment's payload without timestamps: the advertised MSS itself. */
    public static final int MSS_NO_TS = 1460;

    /** The host's SYN at 0 ms, as Linux 6.18 sends it by default. */
    public static final String SYN = syn(0);

    /** The host's SYN (a first one or a retransmission) sent at {@code tsVal} ms. */
    public static String syn(long tsVal) {
        return "S 0:0(0) win 64240 <mss 1460,sackOK,TS val " + tsVal + " ecr 0,nop,wscale 10>";
    }

    /** The script's SYN-ACK to {@link #SYN}, as {@link #establishedClient()} answers at 100 ms. */
    public static final String PEER_SYN_ACK = "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>";

    /** The script's SYN to a listener, as {@link #establishedServer()} sends it at 0 ms. */
    public static final String PEER_SYN = "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>";

    /** The host's SYN-ACK to {@link #PEER_SYN} at 0 ms. */
    public static final String SYN_ACK = "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 10>";

    /** The relative sequence number where full segment {@code i} (0, 1, ...) of the stream starts: 1 + i·MSS. */
    public static long seq(int i) { return 1 + (long) i * MSS; }

    /** Full segment {@code i} as a packetdrill range, {@code start:end(MSS)}. */
    public static String range(int i) { return range(i, 1); }

    /** Full segments {@code i} to {@code i + n − 1} as one packetdrill range, {@code start:end(n·MSS)}. */
    public static String range(int i, int n) { return seq(i) + ":" + seq(i + n) + "(" + (long) n * MSS + ")"; }

    /**
     * The script's pure ACK at {@code ms} (TS val 1000 + ms, echoing {@code ecr}) of the first {@code acked}
     * full segments, with a SACK block per pair of segment numbers {@code from, to} (to exclusive):
     * {@code ack(302, 0, 200, 2, 3, 6, 7)} is
     * {@code ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1302 ecr 200,nop,nop,sack 2897:4345 8689:10137>"}.
     */
    public static String ack(long ms, int acked, long ecr, int... sackBlocks) {
        StringBuilder b = new StringBuilder(". 1:1(0) ack " + seq(acked) + " win 502 <nop,nop,TS val " + (1000 + ms) + " ecr " + ecr);
        if (sackBlocks.length > 0) {
            b.append(",nop,nop,sack");
            for (int k = 0; k < sackBlocks.length; k += 2) b.append(' ').append(seq(sackBlocks[k])).append(':').append(seq(sackBlocks[k + 1]));
        }
        return b.append('>').toString();
    }

    /**
     * At {@code ms} the application writes {@code n} full segments on a fresh connection and all of them
     * leave at once (cwnd ≥ n), in TSO packets of two segments ({@link #expectBurst(long, int, int, boolean)}),
     * the last with PSH as the end of the write.
     */
    public void sendBurst(TcpConnection c, long ms, int n) {
        at(ms, () -> assertEquals(n * MSS, c.send(new byte[n * MSS], 0, n * MSS)));
        expectBurst(ms, 0, n);
    }

    /**
     * The host sends full segments {@code from} to {@code from + n − 1} at {@code ms} as Linux 6.18 cuts
     * them into TSO packets at the fixtures' 100 ms RTT: two segments each (tcp_tso_autosize: the pacing
     * rate gives less than one segment per ms, so tcp_min_tso_segs 2 decides), and every packet of two
     * segments carries PSH on its last — measured with packetdrill against the kernel, CUBIC, a 20 ms
     * handshake: write(8000) at MSS 1448 leaves as `P.` 2896, `P.` 2896, `P.` 2208. A last segment left
     * alone carries PSH when it ends the write ({@code endsWrite}): measured send(1000, MSG_MORE) at MSS
     * 1000 as `. 1:1001(1000)`, the tail of a 10000-byte write at cwnd 7 as `.` 1000.
     */
    public void expectBurst(long ms, int from, int n, boolean endsWrite) {
        for (int i = from; i < from + n; i++) {
            boolean psh = (i - from) % 2 == 1 || i == from + n - 1 && endsWrite;
            expect(ms, (psh ? "P. " : ". ") + range(i) + " ack 1");
        }
    }

    /** {@link #expectBurst(long, int, int, boolean)} of a burst whose last segment ends a write. */
    public void expectBurst(long ms, int from, int n) { expectBurst(ms, from, n, true); }

    // ---- fixtures ------------------------------------------------------------------------------

    /**
     * A client connection established with the usual options; on return the time is 100 ms, the peer
     * used wscale 7, window 65535 (so the host may send 65535 << 7 bytes), MSS 1460 and TS.
     */
    public TcpConnection establishedClient() { return establishedClient(new SocketOptions()); }

    public TcpConnection establishedClient(SocketOptions o) {
        TcpConnection c = connect(o);
        expect(0, SYN);
        inject(100, PEER_SYN_ACK);
        expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        return c;
    }

    /**
     * The same for a tester made with {@code tcp_sack 0}: the SYN and the script's SYN-ACK carry no
     * sackOK (the script's has timestamps and wscale 7); on return the time is 100 ms.
     */
    public TcpConnection establishedClientWithoutSack() {
        TcpConnection c = connect();
        expect(0, "S 0:0(0) win 64240 <mss 1460,nop,nop,TS val 0 ecr 0,nop,wscale 10>");
        inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,TS val 1000 ecr 0,nop,wscale 7>");
        expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        return c;
    }

    /** A server-side connection, accepted, established at 100 ms from a peer with wscale 7. */
    public TcpConnection establishedServer() {
        TcpListener l = listen();
        inject(0, PEER_SYN);
        expect(0, SYN_ACK);
        inject(100, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 0>");
        TcpConnection c = l.accept();
        if (c == null) fail("no connection to accept");
        return c;
    }
}
