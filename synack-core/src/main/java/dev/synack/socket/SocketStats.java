package dev.synack.socket;

import dev.synack.stack.Stack;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpListener;
import dev.synack.wire.Ipv4;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * A listing of a host's TCP sockets in the columns of {@code ss -tanoi}: state, Recv-Q, Send-Q, local
 * and peer address, the running timer with its expiry and its retransmission/probe count, then a line
 * of tcp_info (congestion control, window scales, rto, rtt/rttvar in ms, mss, cwnd, ssthresh,
 * retransmissions in flight/total). Call it with exclusive access to the stack (inside
 * {@code runtime.call}, or from the driver of a VirtualRuntime).
 */
public final class SocketStats {
    private SocketStats() {}

    /** /proc/net/tcp's lines are padded to TMPSZ − 1 = 149 characters (tcp4_seq_show, seq_pad). */
    private static final int PROC_LINE = 149;

    /**
     * The host's IPv4 TCP sockets as Linux's /proc/net/tcp lists them (tcp4_seq_show, get_tcp4_sock,
     * net/ipv4/tcp_ipv4.c): slot, local and remote address (the address's bytes as a little-endian
     * x86 prints the __be32) and port in hex, the state's number ({@code 0A} for LISTEN), tx_queue
     * (write_seq − snd_una) and rx_queue (the accept queue of a listener, else the bytes to read),
     * retransmits, probes, refcount, rto in clock ticks (USER_HZ 100), cwnd, ssthresh (−1 in initial slow
     * start). What synack does not have is 0: the timer columns, uid, inode, the socket's address.
     * Listeners first, then connections (Linux walks its hash tables).
     */
    public static String procNetTcp(Stack stack) {
        StringBuilder sb = new StringBuilder();
        procLine(sb, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
        int slot = 0;
        for (TcpListener l : stack.listeners()) {
            if (l.isClosed()) continue;
            procLine(sb, String.format("%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016X %d %d %d %d %d",
                    slot++, Integer.reverseBytes(l.localAddr()), l.localPort(), 0, 0, 0x0A, 0, l.acceptQueueLength(), 0, 0, 0,
                    0, 0, 0, 1, 0L, 100, 0, 0, 10, 0));
        }
        for (TcpConnection c : stack.connections()) {
            TcpInfo i = c.info();
            procLine(sb, String.format("%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016X %d %d %d %d %d",
                    slot++, Integer.reverseBytes(c.localAddr()), c.localPort(), Integer.reverseBytes(c.remoteAddr()), c.remotePort(),
                    c.state().linuxValue(), i.sendQ(), i.recvQ(), 0, 0, i.retransmits(), 0, i.probes(), 0, 1, 0L,
                    i.rtoUs() / 10_000, 0, 0, i.sndCwnd(), i.sndSsthresh() >= 0x7fffffff ? -1 : i.sndSsthresh()));
        }
        return sb.toString();
    }

    private static void procLine(StringBuilder sb, String line) {
        sb.append(line);
        for (int k = line.length(); k < PROC_LINE; k++) sb.append(' ');
        sb.append('\n');
    }

    /** The listing for {@code stack}. */
    public static String ss(Stack stack) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-10s %-6s %-6s %-22s %-22s%n", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port"));
        for (TcpListener l : stack.listeners()) {
            sb.append(String.format("%-10s %-6d %-6d %-22s %-22s%n", "LISTEN", l.acceptQueueLength(), l.backlog(),
                    Ipv4.format(l.localAddr()) + ":" + l.localPort(), "0.0.0.0:*"));
        }
        for (TcpConnection c : stack.connections()) {
            TcpInfo i = c.info();
            sb.append(String.format("%-10s %-6d %-6d %-22s %-22s", c.state().ssName(), i.recvQ(), i.sendQ(),
                    Ipv4.format(c.localAddr()) + ":" + c.localPort(), Ipv4.format(c.remoteAddr()) + ":" + c.remotePort()));
            if (!i.timer().equals("off")) {
                int count = switch (i.timer()) {
                    case "on" -> i.retransmits();
                    case "keepalive", "persist" -> i.probes();
                    default -> 0;
                };
                sb.append(" timer:(").append(i.timer()).append(',').append(msTimer(i.timerRemainingNs() / 1_000_000))
                        .append(',').append(count).append(')');
            }
            sb.append('\n');
            sb.append("\t");
            // ss prints " ts sack ecn ecnseen" before the algorithm; this listing has only the ECN words.
            if ((i.options() & TcpInfo.OPT_ECN) != 0) sb.append(" ecn");
            if ((i.options() & TcpInfo.OPT_ECN_SEEN) != 0) sb.append(" ecnseen");
            sb.append(' ').append(i.congestion());
            if ((i.options() & TcpInfo.OPT_WSCALE) != 0) sb.append(" wscale:").append(i.sndWscale()).append(',').append(i.rcvWscale());
            sb.append(" rto:").append(g(i.rtoUs() / 1000.0));
            if (i.rttUs() > 0) sb.append(" rtt:").append(g(i.rttUs() / 1000.0)).append('/').append(g(i.rttvarUs() / 1000.0));
            sb.append(" mss:").append(i.sndMss()).append(" pmtu:").append(i.pmtu()).append(" rcvmss:").append(i.rcvMss())
                    .append(" advmss:").append(i.advmss()).append(" cwnd:").append(i.sndCwnd());
            if (i.sndSsthresh() < 0xFFFF) sb.append(" ssthresh:").append(i.sndSsthresh());
            if (i.retrans() > 0 || i.totalRetrans() > 0) sb.append(" retrans:").append(i.retrans()).append('/').append(i.totalRetrans());
            // ss prints these only when they say something (tcp_show_info in iproute2's ss.c).
            if (i.lost() > 0) sb.append(" lost:").append(i.lost());
            if (i.sacked() > 0) sb.append(" sacked:").append(i.sacked());
            if (i.dsackDups() > 0) sb.append(" dsack_dups:").append(i.dsackDups());
            if (i.deliveredCe() > 0) sb.append(" delivered_ce:").append(i.deliveredCe());
            if (i.reordering() != 3) sb.append(" reordering:").append(i.reordering());
            if (i.reordSeen() > 0) sb.append(" reord_seen:").append(i.reordSeen());
            if (i.minRttUs() > 0) sb.append(" minrtt:").append(g(i.minRttUs() / 1000.0));
            sb.append(" rcv_wnd:").append(i.rcvWnd()).append('\n');
        }
        return sb.toString();
    }

    /** A timer's remaining time as ss prints it: "200ms", "1.500ms"-style seconds, "2min10sec". */
    static String msTimer(long ms) {
        long secs = ms / 1000, minutes = secs / 60, msecs = ms % 1000;
        secs %= 60;
        StringBuilder b = new StringBuilder();
        if (minutes > 0) {
            msecs = 0;
            b.append(minutes).append("min");
            if (minutes > 9) secs = 0;
        }
        if (secs > 0) {
            if (secs > 9) msecs = 0;
            b.append(secs).append(msecs > 0 ? "." : "sec");
        }
        if (msecs > 0) b.append(String.format("%03dms", msecs));
        if (b.isEmpty()) b.append("0ms");
        return b.toString();
    }

    /** C's %g for the small values ss prints: 6 significant digits, no trailing zeros. */
    static String g(double v) {
        if (v == 0) return "0";
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
