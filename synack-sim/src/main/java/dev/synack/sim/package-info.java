/**
 * The lab: a simulated network in virtual time, with faults, a trace of everything, and the ways to
 * look at it (ladder diagram, JSON, pcap and pcapng; each sent segment with why it was sent).
 *
 * <h2>Map</h2>
 * <ul>
 *   <li>{@link dev.synack.sim.Network}: read first. Seeded; builds the nodes and links, runs the story
 *       ({@code runFor}, {@code runUntilDone}), partitions.</li>
 *   <li>Nodes: {@link dev.synack.sim.Host} (a stack, its {@code kernel()} for sockets, its processes and
 *       faults: unplug, crash, reboot, shutdown, freeze, kill) and {@link dev.synack.sim.Router}
 *       (forwarding, ICMP errors); both are {@link dev.synack.sim.Node}s with
 *       {@link dev.synack.sim.Port}s (interfaces).</li>
 *   <li>Links: {@link dev.synack.sim.SimLink} (one direction, shaped by a {@link dev.synack.sim.LinkSpec}
 *       in netem's order, on the core's {@link dev.synack.link.DelayLine}); {@code Network.link} makes a
 *       point-to-point {@link dev.synack.sim.Network.Cable}; {@link dev.synack.sim.Lan} is a broadcast
 *       domain with ARP-like neighbour resolution.</li>
 *   <li>What happened: {@link dev.synack.sim.Trace} (every {@link dev.synack.sim.SimEvent}, in order: the
 *       stacks' events, {@link dev.synack.sim.SimEvent.NetworkDrop}s, faults), rendered by
 *       {@link dev.synack.sim.Ladder} (text, and JSON through {@link dev.synack.sim.Json}) and written
 *       by {@link dev.synack.sim.Pcap}.</li>
 * </ul>
 *
 * <p>Sub-packages: {@code scenario} (the note's behaviours compared with Linux), {@code experiment}
 * (bulk flows through a dumbbell), {@code plot} (SVG line plots).
 */
package dev.synack.sim;
