/**
 * One host's IP layer: {@link dev.synack.stack.Stack} (interfaces, routes, IPv4 in and out, ICMP
 * errors, the host's secrets and counters), {@link dev.synack.stack.NetInterface} and
 * {@link dev.synack.stack.Route}. TCP sits above it in {@code dev.synack.tcp.TcpDemux}; the stack
 * implements {@code tcp.TcpHost} (what TCP needs of it) and turns TCP's reports into trace events.
 *
 * <p>Read first: {@code Stack.receive} (a packet's way in: validate, count and drop, or hand to TCP
 * or ICMP) and {@code Stack.sendTcp} (the way out: checksum, IP header, route, link).
 */
package dev.synack.stack;
