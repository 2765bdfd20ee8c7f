package dev.synack.packetdrill;

import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import java.util.List;

/**
 * A TCP packet as a script writes it: {@code [ect0] P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 1 ecr 2>}.
 * Sequence numbers are relative (to the script's ISN for inbound packets, to the host's ISN for
 * outbound ones); ack and SACK blocks the other way round.
 *
 * @param flags TCP flag bits
 * @param startSeq the relative sequence number
 * @param length payload bytes
 * @param ack the relative ack (null when absent)
 * @param window the window field (null when absent: inbound packets then carry packetdrill's 65535 and
 *     an outbound window is not checked)
 * @param urgentPointer the urgent pointer (null when absent)
 * @param options the options in order; null with {@code anyOptions} = {@code <...>}; an empty list
 *     = no options written
 * @param anyOptions {@code <...>}: the options are not checked
 * @param ecn the IP ECN field as written ({@code noecn}, {@code ect0}, {@code ect1}, {@code ce},
 *     {@code ect01}), or null when not written
 */
public record PacketSpec(int flags, long startSeq, int length, Long ack, Integer window, Integer urgentPointer,
                         List<TcpOption> options, boolean anyOptions, String ecn) {
    public PacketSpec {
        options = options == null ? List.of() : List.copyOf(options);
    }

    /** The packet in script syntax. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (ecn != null) sb.append('[').append(ecn).append("] ");
        String f = TcpHeader.flagsToString(flags);
        sb.append(f.isEmpty() ? "-" : f).append(' ')
                .append(Long.toUnsignedString(startSeq & 0xFFFF_FFFFL)).append(':')
                .append(Long.toUnsignedString((startSeq + length) & 0xFFFF_FFFFL))
                .append('(').append(length).append(')');
        if (ack != null) sb.append(" ack ").append(ack & 0xFFFF_FFFFL);
        if (window != null) sb.append(" win ").append(window);
        if (urgentPointer != null) sb.append(" urg ").append(urgentPointer);
        if (anyOptions) sb.append(" <...>");
        else if (!options.isEmpty()) sb.append(" <").append(TcpOption.toString(options)).append('>');
        return sb.toString();
    }
}
