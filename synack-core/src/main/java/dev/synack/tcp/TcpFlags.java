package dev.synack.tcp;

/** TCP header flag bits (RFC 9293 §3.1, RFC 3168 for ECE/CWR). */
public final class TcpFlags {
    private TcpFlags() {}

    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20,
            ECE = 0x40, CWR = 0x80;
}
