package dev.synack.sim;

import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpSegment;
import java.util.HashMap;
import java.util.Map;

/**
 * Sequence numbers relative to each direction's ISN, as tcpdump and packetdrill print them: the ISN of
 * a four-tuple's direction is learnt from its SYN (or SYN-ACK), and a new SYN on the same four-tuple
 * with another sequence number starts a new connection (both directions forgotten). A number whose
 * direction has no ISN yet (a RST answering a SYN) stays raw. The scenarios' segment log and the
 * oracle's timelines both number segments here.
 */
public final class SeqSpaces {
    private final Map<String, Integer> isn = new HashMap<>();

    /** Learns from segment {@code s} sent from {@code src} to {@code dst} (IPv4 addresses as ints). */
    public void learn(int src, int dst, TcpSegment s) {
        if (!s.has(TcpHeader.SYN)) return;
        String fwd = key(src, s.srcPort(), dst, s.dstPort());
        Integer known = isn.get(fwd);
        if (known == null) {
            isn.put(fwd, s.seq());
        } else if (!s.has(TcpHeader.ACK) && known != s.seq()) {
            isn.put(fwd, s.seq());
            isn.remove(key(dst, s.dstPort(), src, s.srcPort()));
        }
    }

    /** {@code s}'s sequence number relative to its direction's ISN. */
    public long seq(int src, int dst, TcpSegment s) { return relative(s.seq(), isn.get(key(src, s.srcPort(), dst, s.dstPort()))); }

    /** A number of the reverse direction ({@code s}'s ACK, a SACK block's edge) relative to that direction's ISN. */
    public long reverse(int src, int dst, TcpSegment s, int value) {
        return relative(value, isn.get(key(dst, s.dstPort(), src, s.srcPort())));
    }

    private static String key(int a, int ap, int b, int bp) { return a + ":" + ap + ">" + b + ":" + bp; }

    private static long relative(int v, Integer base) {
        return base == null ? Integer.toUnsignedLong(v) : Integer.toUnsignedLong(v - base);
    }
}
