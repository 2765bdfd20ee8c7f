/**
 * Hosts joined in memory, without the lab: what a test, a benchmark or the README's example needs to
 * run socket code between two synack hosts in one JVM.
 *
 * <h2>Map</h2>
 * <ul>
 *   <li>{@link dev.synack.testbed.Veth}: read first. {@code Veth.connect(a, addrA, b, addrB, prefix,
 *       delayNs)} gives each host an interface and joins them with a {@link dev.synack.link.MemoryLink}
 *       each way (Linux's veth pair).</li>
 * </ul>
 *
 * <p>This package sits above both {@code socket} (the hosts) and {@code link} (the wires), so that
 * neither depends on the other. The lab (synack-sim's {@code Network}) builds richer networks —
 * routers, LANs, rate, queues, faults — on the same {@link dev.synack.link.DelayLine}.
 */
package dev.synack.testbed;
