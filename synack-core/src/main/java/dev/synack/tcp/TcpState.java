package dev.synack.tcp;

/**
 * The states of RFC 9293 §3.3.2, named and numbered as Linux's include/net/tcp_states.h (the number
 * is what tcp_info's tcpi_state and {@code ss} report).
 */
public enum TcpState {
    ESTABLISHED(1), SYN_SENT(2), SYN_RECV(3), FIN_WAIT1(4), FIN_WAIT2(5), TIME_WAIT(6), CLOSE(7),
    CLOSE_WAIT(8), LAST_ACK(9), LISTEN(10), CLOSING(11);

    private final int linux;

    TcpState(int linux) { this.linux = linux; }

    /** The value in include/net/tcp_states.h. */
    public int linuxValue() { return linux; }

    /** The name {@code ss} prints (ESTAB, SYN-SENT, ...). */
    public String ssName() {
        return switch (this) {
            case ESTABLISHED -> "ESTAB";
            case SYN_SENT -> "SYN-SENT";
            case SYN_RECV -> "SYN-RECV";
            case FIN_WAIT1 -> "FIN-WAIT-1";
            case FIN_WAIT2 -> "FIN-WAIT-2";
            case TIME_WAIT -> "TIME-WAIT";
            case CLOSE -> "UNCONN";
            case CLOSE_WAIT -> "CLOSE-WAIT";
            case LAST_ACK -> "LAST-ACK";
            case LISTEN -> "LISTEN";
            case CLOSING -> "CLOSING";
        };
    }

    /** Whether the state is synchronized (RFC 9293 §3.5: past the handshake). */
    public boolean isSynchronized() {
        return this != SYN_SENT && this != LISTEN && this != CLOSE && this != SYN_RECV;
    }
}
