/**
 * A host's counters under the names nstat prints ({@link dev.synack.stats.Counter}: Tcp*, TcpExt*,
 * Ip*, Icmp*), kept in {@link dev.synack.stats.Counters}: one array per host, no allocation per count.
 */
package dev.synack.stats;
