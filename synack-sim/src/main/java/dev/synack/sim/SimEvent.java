package dev.synack.sim;

import dev.synack.trace.TraceEvent;

/**
 * One entry of a network's {@link Trace}: an event of a host's stack (the core trace bus), what a
 * link or a LAN did to a packet, or a fault injected by the story.
 */
public sealed interface SimEvent {
    /** Virtual time in ns. */
    long timeNs();

    /** The host (or router, or LAN) the event belongs to. */
    String host();

    /** An event of a stack's trace bus (packets in and out, drops, state changes, timers, app calls). */
    record Stack(TraceEvent event) implements SimEvent {
        @Override
        public long timeNs() { return event.timeNs(); }

        @Override
        public String host() { return event.host(); }
    }

    /**
     * A packet the network did not deliver (a link, a LAN or a router dropped it), from {@code host}
     * towards {@code to}, and why. The stack's own drops are {@link TraceEvent.Dropped}.
     */
    record NetworkDrop(long timeNs, String host, String to, String link, Fate fate, byte[] bytes) implements SimEvent {}

    /** A fault the story injected ("crash", "reboot", "unplug", "partition client | server", ...). */
    record Fault(long timeNs, String host, String fault) implements SimEvent {}

    /** Why a packet did not arrive (or arrived altered). */
    enum Fate {
        LOST("lost on link"),
        QUEUE_FULL("queue full (drop-tail)"),
        AQM_DROP("dropped by the AQM"),
        AQM_LIMIT("queue full (AQM limit)"),
        PARTITIONED("partitioned"),
        UNPLUGGED("cable unplugged"),
        HOST_DOWN("host down"),
        NO_NEIGHBOUR("neighbour unreachable (no ARP reply)"),
        NEIGHBOUR_QUEUE_FULL("neighbour hold queue full"),
        NO_ROUTE("no route at router"),
        TTL_EXPIRED("TTL expired at router"),
        REJECTED("rejected by router");

        private final String text;

        Fate(String text) { this.text = text; }

        /** How the ladder says it. */
        public String text() { return text; }
    }
}
