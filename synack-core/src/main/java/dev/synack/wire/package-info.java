/**
 * Wire formats: IPv4 (RFC 791), TCP (RFC 9293) with its options (RFC 7323, RFC 2018), ICMP (RFC 792)
 * and the Internet checksum (RFC 1071).
 *
 * <p>Two layers live here. The hot path ({@link dev.synack.wire.Ipv4}, {@link dev.synack.wire.TcpHeader},
 * {@link dev.synack.wire.TcpOptions}, {@link dev.synack.wire.TcpOptionWriter}, {@link dev.synack.wire.Icmp},
 * {@link dev.synack.wire.Checksum}) works on {@code byte[] buf, int off, int len} with static accessors and
 * does not allocate. The value layer ({@link dev.synack.wire.TcpSegment}, {@link dev.synack.wire.TcpOption},
 * {@link dev.synack.wire.IpPacket}) allocates freely and serves tests, traces and pcap files.
 *
 * <p>Segments as text: {@link dev.synack.wire.SegmentText} reads and writes packetdrill's syntax
 * ({@code S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>}) into and out of a
 * {@link dev.synack.wire.SegmentSpec}, for the test DSL, the packetdrill runner, the lab's ladder diagram
 * and its scenario checks; the values' {@code toString()}s are its text too.
 *
 * <p>Malformed packets never cause exceptions: validators return a {@link dev.synack.wire.DropReason}
 * ({@code null} when the bytes are fine) and decoders return a {@link dev.synack.wire.Decoded}. Exceptions are
 * reserved for programming errors (an {@code off}/{@code len} outside the array, an impossible value handed
 * to a writer) and for configuration text ({@link dev.synack.wire.Ipv4#parse(String)},
 * {@link dev.synack.wire.TcpHeader#parseFlags(String)}).
 *
 * <p>All multi-byte fields are big-endian (network order). IPv4 addresses are {@code int}s, the first
 * dotted octet in the most significant byte. Sequence numbers and timestamps are {@code int}s with an
 * unsigned meaning.
 */
package dev.synack.wire;
