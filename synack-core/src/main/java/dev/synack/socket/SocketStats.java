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
