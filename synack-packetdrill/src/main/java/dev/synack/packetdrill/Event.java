package dev.synack.packetdrill;

import dev.synack.wire.SegmentSpec;
import java.util.List;

/** One line (or block) of a script: a packet, a system call, a shell command or a code block. */
public sealed interface Event {
    /** The 1-based line of the event's first token. */
    int line();

    /** The 1-based column of the event's first token. */
    int column();

    /** When it happens. */
    EventTime time();

    /** {@code <} (injected into the host) or {@code >} (the host must send it). */
    enum Direction { IN, OUT }

    /**
     * A TCP packet.
     *
     * @param packet what it holds (an ACK flag without {@code ack N} has ack 0, as in packetdrill)
     */
    record PacketEvent(int line, int column, EventTime time, Direction direction, SegmentSpec packet) implements Event {}

    /**
     * An inbound ICMP message (packetdrill's {@code < icmp TYPE [CODE] [mtu N] [[seq:end(len)]]}), quoting
     * the IP header and first 8 bytes of a TCP segment the host sent on the connection under test.
     *
     * @param type the ICMP type (packetdrill's icmpv4_types names, or {@code type_N})
     * @param code the ICMP code (0 when not written, as packetdrill's parse_icmp_type_and_code)
     * @param mtu the next-hop MTU of a frag_needed message, or -1 when not written (0 on the wire)
     * @param quotedSeq the quoted TCP header's seq, relative to the host's ISN as an outbound packet's
     *     (0 when not written, as packetdrill's opt_icmp_echoed)
     * @param quotedLen the quoted segment's payload length (its IP total length)
     */
    record IcmpEvent(int line, int column, EventTime time, int type, int code, int mtu, long quotedSeq,
                     int quotedLen) implements Event {}

    /**
     * A system call.
     *
     * @param endUs for a blocking call ({@code +0...0.200 accept(...)}), the time it must return by, as
     *     written (absolute; moved with the start when the start is relative); otherwise -1
     * @param name the call
     * @param args its arguments
     * @param result the expected return value
     * @param errno the expected errno name (with a -1 result), or null
     */
    record SyscallEvent(int line, int column, EventTime time, long endUs, String name, List<Expr> args, Expr result,
                        String errno) implements Event {
        public SyscallEvent {
            args = List.copyOf(args);
        }

        /** Whether the script says the call blocks ({@code ...} before the name). */
        public boolean blocking() { return endUs >= 0; }
    }

    /** A shell command in back quotes. */
    record CommandEvent(int line, int column, EventTime time, String command) implements Event {}

    /** A {@code %{ }%} block (Python in packetdrill): assertions on tcp_info. */
    record CodeEvent(int line, int column, EventTime time, String code) implements Event {}
}
