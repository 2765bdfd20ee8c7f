/**
 * The trace bus: {@link dev.synack.trace.TraceEvent} (sealed: packets, drops, state changes, timers,
 * cwnd samples, application calls) and the {@link dev.synack.trace.Tracer} that reads them. The ladder
 * diagram, state timeline, pcap and cwnd plot of the lab are readers. The stack and the socket layer
 * emit events; TCP reports to its host and does not depend on this package.
 */
package dev.synack.trace;
