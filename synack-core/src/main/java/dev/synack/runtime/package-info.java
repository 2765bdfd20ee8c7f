/**
 * Where application code meets the single-threaded stacks: the only place in synack that blocks.
 *
 * <h2>Map</h2>
 * <ul>
 *   <li>{@link dev.synack.runtime.Runtime}: read first. {@code call} (exclusive access to the stacks),
 *       {@code await} (block until a condition holds or a timeout passes), {@code sleep}, and what the
 *       socket layer asks of the calling process ({@code callerName}, {@code onCallerKilled}).</li>
 *   <li>{@link dev.synack.runtime.VirtualRuntime}: virtual time, deterministic. Application code runs
 *       as simulated processes ({@code spawn}, {@link dev.synack.runtime.VirtualRuntime.Proc}: freeze,
 *       thaw, kill) holding a baton one at a time; time moves only when every process is parked. Tests,
 *       the lab and packetdrill run on it.</li>
 *   <li>{@link dev.synack.runtime.RealtimeRuntime}: a loop thread keeps a scheduler level with the
 *       monotonic clock; any thread may call in. It reads the clock for every call, every timer it fires
 *       and every received packet ({@code tick}), and drains its input source ({@code setInput})
 *       before it fires an overdue timer. For the TUN device and libraries with threads of their
 *       own.</li>
 *   <li>{@link dev.synack.runtime.WaitList}: the waiters of one socket, woken by the stack.</li>
 * </ul>
 *
 * <p>Sockets ({@code dev.synack.socket}) reach the stacks only through a runtime, so the same blocking
 * code runs in both.
 */
package dev.synack.runtime;
