package dev.synack.runtime;

import dev.synack.time.Scheduler;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Where application threads meet the single-threaded stacks: the only place that blocks. A runtime
 * owns one scheduler (and so one time line) and every stack on it.
 *
 * <ul>
 *   <li>{@link VirtualRuntime}: deterministic, virtual time. Application code runs as simulated
 *       processes (virtual threads) that hold a baton one at a time; time moves only when every
 *       process is parked.</li>
 *   <li>{@link RealtimeRuntime}: a loop thread drives the stacks in real time; application threads
 *       hand it their calls. This is the bridge to real devices (TUN) and to libraries with threads
 *       of their own.</li>
 * </ul>
 */
public interface Runtime {
    /** The scheduler every stack of this runtime uses. */
    Scheduler scheduler();

    /** Runs {@code op} with exclusive access to the stacks and returns its result. */
    <T> T call(Supplier<T> op);

    /**
     * Blocks the calling thread until {@code ready} holds (evaluated with exclusive access) or
     * {@code timeoutNs} passes ({@code Long.MAX_VALUE} = no timeout). {@code waitList} is woken by
     * the stack object whose state {@code ready} reads.
     *
     * @return whether {@code ready} holds
     */
    boolean await(WaitList waitList, BooleanSupplier ready, long timeoutNs) throws InterruptedException;

    /** Blocks the calling thread for {@code durationNs} of this runtime's time. */
    void sleep(long durationNs) throws InterruptedException;

    /** The current time of this runtime's scheduler, in ns. */
    default long nowNs() { return scheduler().nowNs(); }

    /**
     * The name of the process making the call, as traces show it (the owner of a socket it opens):
     * a simulated process's name, else the calling thread's.
     */
    default String callerName() { return Thread.currentThread().getName(); }

    /**
     * Registers {@code action} to run when the calling process is killed (SIGKILL, a shutdown's
     * grace period over, its host crashing), as the kernel runs exit_files for a dying process: the
     * socket layer closes the process's sockets this way. Only a runtime of simulated processes
     * ({@link VirtualRuntime}) kills them; elsewhere, and for the thread driving a simulation, the
     * action never runs: threads close their sockets themselves.
     */
    default void onCallerKilled(Runnable action) {}
}
