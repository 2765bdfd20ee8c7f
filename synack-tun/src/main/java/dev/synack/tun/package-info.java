/**
 * synack on a real network: its stack on a Linux TUN device, talking to the Linux kernel's TCP (see
 * docs/TUN.md).
 *
 * <h2>Map</h2>
 * <ul>
 *   <li>{@link dev.synack.tun.TunStack}: read first. A stack on a {@link dev.synack.runtime.RealtimeRuntime}
 *       whose one interface is the device, with a reader thread that drains the kernel's packets in
 *       batches under one lock, each at its own time, and is the runtime's input source (drained before
 *       an overdue timer fires); {@code addRoute} for a gateway; sockets are made on its {@code kernel()}.</li>
 *   <li>{@link dev.synack.tun.TunDevice}: {@code /dev/net/tun} opened, read and written through
 *       {@code Libc} (FFM downcalls, no JNI).</li>
 *   <li>{@link dev.synack.tun.TunServices}: echo, discard and a one-page HTTP server on synack's sockets
 *       ({@code synack tun serve}).</li>
 *   <li>{@link dev.synack.tun.TunBench} ({@code synack bench tun}) and {@link dev.synack.tun.Netns}
 *       (code run inside a network namespace): measuring synack against the kernel.</li>
 * </ul>
 */
package dev.synack.tun;
