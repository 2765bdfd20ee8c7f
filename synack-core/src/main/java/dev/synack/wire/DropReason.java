package dev.synack.wire;

/**
 * Why an incoming packet was dropped.
 *
 * <p>Each reason carries a short description and, where Linux has one, the name of the counter Linux bumps
 * for it as {@code nstat} prints it ({@code /proc/net/snmp} and {@code /proc/net/netstat}). Linux sometimes
 * bumps more than one counter (a bad TCP checksum counts in {@code TcpInCsumErrors} and {@code TcpInErrs});
 * {@link #counterName()} names the most specific one and the stack may bump the others. {@link #code()}
 * is the name of Linux's drop reason for it (SKB_DROP_REASON_*, include/net/dropreason-core.h), the code
 * a trace reader translates by.
 */
public enum DropReason {
    /**
     * The buffer ends before the headers it must hold: shorter than a 20-byte IPv4 or TCP header, or shorter
     * than the IPv4 total length. Linux counts the last case in {@code IpExtInTruncatedPkts} (ip_rcv_core,
     * net/ipv4/ip_input.c); a packet shorter than 20 bytes it counts in {@code IpInHdrErrors} instead.
     */
    TRUNCATED("packet shorter than its headers", "IpExtInTruncatedPkts", "PKT_TOO_SMALL"),
    /** IPv4 version field is not 4 (RFC 791 §3.1). */
    BAD_IP_VERSION("IP version is not 4", "IpInHdrErrors", "IP_INHDR"),
    /** IPv4 IHL below 5 words or reaching past the end of the packet (RFC 791 §3.1). */
    BAD_IP_HEADER_LENGTH("IP header length below 20 or beyond the packet", "IpInHdrErrors", "IP_INHDR"),
    /** IPv4 total length smaller than the header length (RFC 791 §3.1). */
    BAD_IP_TOTAL_LENGTH("IP total length smaller than its header", "IpInHdrErrors", "IP_INHDR"),
    /** IPv4 header checksum does not verify (RFC 791 §3.1, RFC 1071). Linux also bumps IpExtInCsumErrors. */
    BAD_IP_CHECKSUM("IP header checksum mismatch", "IpInHdrErrors", "IP_CSUM"),
    /**
     * An IPv4 fragment (MF set or a non-zero fragment offset, RFC 791 §3.2). synack does not reassemble yet:
     * fragments are counted and dropped, as a failed reassembly.
     */
    IP_FRAGMENT("IP fragment (reassembly not supported)", "IpReasmFails", "IP_FRAGMENT"),
    /** Destination address is not one of ours; reserved for the stack, no validator here returns it. */
    NOT_FOR_US("destination is not a local address", "IpInAddrErrors", "IP_INADDRERRORS"),
    /**
     * A martian source address (Linux ip_route_input_slow / fib_validate_source, SKB_DROP_REASON_IP_INVALID_SOURCE):
     * multicast, limited broadcast, 0.0.0.0, loopback on a non-loopback interface, or one of our own
     * addresses (accept_local 0). Reserved for the stack; Linux counts it in no MIB.
     */
    MARTIAN_SOURCE("martian source address", null, "IP_INVALID_SOURCE"),
    /** No socket matches the segment; reserved for the stack (Linux: SKB_DROP_REASON_NO_SOCKET). */
    NO_SOCKET("no socket for this segment", null, "NO_SOCKET"),
    /** IPv4 protocol neither TCP nor ICMP; reserved for the stack. */
    UNSUPPORTED_PROTOCOL("unsupported IP protocol", "IpInUnknownProtos", "IP_NOPROTO"),
    /**
     * TCP data offset below 5 words or beyond the segment (RFC 9293 §3.1). Linux counts only the first case
     * (in TcpInErrs, tcp_v4_rcv); it silently discards the second.
     */
    BAD_TCP_OFFSET("TCP data offset below 20 or beyond the segment", "TcpInErrs", "PKT_TOO_SMALL"),
    /** TCP checksum over pseudo-header and segment does not verify (RFC 9293 §3.1). Linux also bumps TcpInErrs. */
    BAD_TCP_CHECKSUM("TCP checksum mismatch", "TcpInCsumErrors", "TCP_CSUM"),
    /**
     * A TCP option whose length byte is below 2 or runs past the options area (RFC 9293 §3.2). Linux stops
     * parsing options there but keeps the segment, with no counter; the stack decides.
     */
    BAD_TCP_OPTION("malformed TCP option", null, "NOT_SPECIFIED"),
    /** ICMP message shorter than its 8-byte header (RFC 792). */
    BAD_ICMP("ICMP message too short", "IcmpInErrors", "PKT_TOO_SMALL"),
    /** ICMP checksum does not verify (RFC 792). Linux also bumps IcmpInErrors. */
    BAD_ICMP_CHECKSUM("ICMP checksum mismatch", "IcmpInCsumErrors", "ICMP_CSUM"),
    /**
     * The datagram quoted in an ICMP error is not an IPv4 header plus 8 bytes (RFC 792; Linux
     * icmp_socket_deliver needs ihl*4 + 8 bytes and counts IcmpInErrors otherwise).
     */
    BAD_ICMP_QUOTE("ICMP error quotes too little of the original datagram", "IcmpInErrors", "PKT_TOO_SMALL"),
    /**
     * Storage for the packet could not be allocated (the JVM's heap is exhausted: an OutOfMemoryError while it
     * was handled). Reserved for the stack; Linux drops with SKB_DROP_REASON_NOMEM where an allocation fails.
     */
    NO_MEMORY("no memory to hold the packet", "SynackInNoMemDrops", "NOMEM");

    private final String description;
    private final String counterName;
    private final String code;

    DropReason(String description, String counterName, String code) {
        this.description = description;
        this.counterName = counterName;
        this.code = code;
    }

    /**
     * Linux's name for the drop (SKB_DROP_REASON_ less the prefix; several of ours share one, e.g.
     * IP_INHDR), or our own in the same style where Linux has none (IP_FRAGMENT: Linux reassembles).
     */
    public String code() { return code; }

    /** A short human description, e.g. "TCP checksum mismatch". */
    public String description() { return description; }

    /** The Linux counter name as nstat prints it (e.g. "TcpInCsumErrors"), or {@code null} when Linux has none. */
    public String counterName() { return counterName; }
}
