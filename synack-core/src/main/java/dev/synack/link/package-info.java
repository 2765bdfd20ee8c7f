/**
 * Where a host's IP packets go when they leave its stack, and how they come in: the boundary between
 * a {@link dev.synack.stack.Stack} and whatever carries its packets.
 *
 * <h2>Map</h2>
 * <ul>
 *   <li>{@link dev.synack.link.Link} and {@link dev.synack.link.PacketSink}: read first. A stack's
 *       interface transmits into a {@code Link}; a stack is the {@code PacketSink} packets are
 *       delivered to. Neither may keep the caller's buffer.</li>
 *   <li>{@link dev.synack.link.DelayLine}: the frames a simulated link has in flight, delivered at their
 *       due time in (due time, order sent) order from one timer, pooled: no allocation per packet. Every
 *       simulated link is built on it.</li>
 *   <li>{@link dev.synack.link.MemoryLink}: the core's in-memory wire (delay, loss, duplication,
 *       reordering, seeded) for tests and benchmarks; {@link dev.synack.testbed.Veth} joins two hosts
 *       with a pair of them.</li>
 * </ul>
 *
 * <p>Other links: the lab's {@code SimLink} (synack-sim: rate, queue, jitter, corruption, faults; also
 * on a {@code DelayLine}) and the TUN device (synack-tun). This package depends only on {@code time}:
 * it knows nothing of stacks or sockets.
 */
package dev.synack.link;
