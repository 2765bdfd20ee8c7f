package dev.synack.nio;

import dev.synack.runtime.Runtime;
import dev.synack.runtime.VirtualRuntime;

/**
 * The line between virtual time and real threads, drawn at every channel and selector call. A
 * {@link VirtualRuntime} can wait only in its own simulated processes (or the thread that made it and
 * drives it): a thread a library started for itself (the JDK HttpClient's selector manager, Netty's event
 * loops unless their Executor spawns processes) cannot be parked by the simulation, so its call is refused at once with the fix, rather than
 * racing the processes or hanging.
 */
final class Boundary {
    private Boundary() {}

    /** Whether the calling thread may use {@code rt}. */
    static boolean owns(Runtime rt) { return !(rt instanceof VirtualRuntime vr) || vr.ownsCurrentThread(); }

    /** {@code rt}, when the calling thread may use it; IllegalStateException naming the fix otherwise. */
    static Runtime check(Runtime rt) {
        if (!owns(rt)) {
            throw new IllegalStateException("synack NIO: thread '" + Thread.currentThread().getName()
                    + "' is not a simulated process of this virtual-time network, nor the thread that made it, so it"
                    + " cannot wait in virtual time. Run your NIO code in a simulated process (host.spawn(...)); give a"
                    + " library that starts its threads through an Executor you pass (Netty's event loop groups) one that"
                    + " spawns processes (command -> host.spawn(name, command::run)); or run a library whose threads are"
                    + " its own (the JDK HttpClient) over hosts on a RealtimeRuntime"
                    + " (docs/TESTING.md, \"NIO and libraries built on it\")");
        }
        return rt;
    }

    /**
     * Called by a blocking call that an interrupt woke, before {@code end()}: Thread.interrupt sets the status
     * (which wakes the call) before it closes the channel (AbstractInterruptibleChannel's interruptor), so the
     * call waits, briefly, for that close; {@code end()} then throws ClosedByInterruptException, as the JDK's
     * channels do (their blocking loops retry while the channel is open).
     */
    static void settleInterrupt(java.nio.channels.Channel ch) {
        if (!Thread.currentThread().isInterrupted()) return;
        long giveUp = System.nanoTime() + 1_000_000_000L;
        while (ch.isOpen() && System.nanoTime() < giveUp) Thread.onSpinWait();
    }
}
