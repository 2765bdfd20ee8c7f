package dev.synack.sim.oracle;

import java.net.InetAddress;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * Where a {@link OracleStory} runs: two hosts, "client" and "server", joined by a path with the story's RTT
 * and loss, with the story's sysctls on both, and faults that act as they act in real life. Two
 * implementations run the same story code: {@link SimWorld} (synack's stack in the lab, virtual time)
 * and the kernel runner of the synack-linux module (Linux's own TCP in network namespaces, real time,
 * with the JDK's sockets). Each records a {@link Timeline} of the client's side: every TCP segment on
 * the client's interface and every application call the story notes.
 *
 * <p>The driver (the story's {@link OracleStory#play}) spawns processes, moves time on with
 * {@link #runUntil}, injects faults, and ends with {@link #runUntilDone}. Processes block in plain
 * java.net calls on sockets from {@link Endpoint#sockets()}; they sleep with {@link #sleepUntil}.
 */
public interface World extends AutoCloseable {
    /** The client host, 198.18.0.1. */
    Endpoint client();

    /** The server host, 198.18.0.2. */
    Endpoint server();

    /** Time since the world started, in ns (virtual in the lab, monotonic on Linux). */
    long nowNs();

    /** In a process: sleeps until {@code atNs} (returns at once if it has passed). */
    void sleepUntil(long atNs) throws InterruptedException;

    /** In the driver: lets the world run until {@code atNs}. */
    void runUntil(long atNs) throws InterruptedException;

    /**
     * In the driver: lets the world run until every process has ended, or {@code limitNs} (a time of
     * the story) has passed. The timeline ends there: what the last calls sent is in it, what the
     * kernels do afterwards is not.
     */
    void runUntilDone(long limitNs) throws InterruptedException;

    /**
     * The server's host dies silently: from now on nothing it sends leaves, nothing sent to it
     * arrives, and its processes never run again (no FIN, no RST).
     */
    void crashServer();

    /**
     * The crashed server's host comes back, with no connections and nothing listening: a segment for
     * an old connection is answered with RST (RFC 9293 §3.10.7.1).
     */
    void rebootServer() throws InterruptedException;

    /**
     * The client's interface is taken down ({@code ip link set dev X down}) and its routes with it:
     * local sends fail with ENETUNREACH; packets in flight are lost.
     */
    void clientLinkDown() throws Exception;

    /** The client's interface comes back up, with its on-link route. */
    void clientLinkUp() throws Exception;

    /**
     * A router on the path answers each packet the client sends from now on with an ICMP destination
     * unreachable of {@code code} (Icmp.NET_UNREACH, HOST_UNREACH, PORT_UNREACH, ADMIN_PROHIBITED ...)
     * instead of forwarding it, from half the RTT away; a negative code forwards again.
     */
    void rejectOnPath(int code);

    /**
     * A one-shot loss on the path: the {@code nth} packet (1 = the next) the client sends (or the server
     * sends, if {@code fromClient} is false) from now on is lost. Call it again for more packets.
     */
    void dropNth(boolean fromClient, int nth);

    /** Notes that {@code host}'s process made {@code call} and got {@code result}, now. */
    void note(String host, String call, String result);

    /** The timeline recorded so far. */
    Timeline timeline();

    /** What this world is, for the timeline's header ("synack lab" or "Linux 6.18.44 ..."). */
    String source();

    @Override
    void close();

    /** A process body: blocking socket code. An exception it throws is noted as the process's last call. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** A host of the world, as its processes reach it. */
    interface Endpoint {
        /** "client" or "server". */
        String name();

        /** Its IPv4 address. */
        InetAddress address();

        /** Sockets on this host (java.net.Socket, the JDK's own on Linux). */
        SocketFactory sockets();

        /** Server sockets on this host. */
        ServerSocketFactory serverSockets();

        /** Starts a process on this host running {@code body}. */
        void spawn(String process, Body body);

        /**
         * Kills the process named {@code process}: it stops, and the kernel closes its sockets as it does
         * for a process that exits (FIN, or RST where data was unread — tcp_close).
         */
        void kill(String process);
    }
}
