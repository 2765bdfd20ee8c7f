package dev.synack.sim;

import dev.synack.trace.TraceEvent;
import dev.synack.trace.Tracer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything that happened in a network, in the order it happened: it is every host's stack
 * {@link Tracer}, and the links, routers and faults add their own entries. Only the holder of the
 * simulation's baton appends, so the order is the order of the story and the same seed gives the
 * same trace.
 */
public final class Trace implements Tracer {
    /**
     * Bound to true around code whose networks should keep {@link TraceEvent.CwndSample}s from the
     * start (a scenario's JSON has them for its plots; the scenario makes its network itself).
     */
    public static final ScopedValue<Boolean> KEEP_CWND_SAMPLES = ScopedValue.newInstance();

    private final List<SimEvent> events = new ArrayList<>();
    private boolean cwnd = KEEP_CWND_SAMPLES.orElse(false);

    /** Whether {@link TraceEvent.CwndSample}s are kept (off by default: one per ACK; see {@link #KEEP_CWND_SAMPLES}). */
    public Trace keepCwndSamples(boolean keep) {
        this.cwnd = keep;
        return this;
    }

    @Override
    public void on(TraceEvent event) {
        if (!cwnd && event instanceof TraceEvent.CwndSample) return;
        events.add(new SimEvent.Stack(event));
    }

    void add(SimEvent e) { events.add(e); }

    /** Every entry, in order (a read-only view). */
    public List<SimEvent> all() { return Collections.unmodifiableList(events); }

    /** The stacks' events only, in order. */
    public List<TraceEvent> events() {
        List<TraceEvent> out = new ArrayList<>();
        for (SimEvent e : events) if (e instanceof SimEvent.Stack(TraceEvent t)) out.add(t);
        return out;
    }

    /** The stacks' events of one kind, in order. */
    public <T extends TraceEvent> List<T> events(Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (SimEvent e : events) if (e instanceof SimEvent.Stack(TraceEvent t) && kind.isInstance(t)) out.add(kind.cast(t));
        return out;
    }

    /** Packets that left {@code host} (a host or a router), in order. */
    public List<TraceEvent.Packet> sent(String host) {
        List<TraceEvent.Packet> out = new ArrayList<>();
        for (TraceEvent.Packet p : events(TraceEvent.Packet.class)) if (p.outbound() && p.host().equals(host)) out.add(p);
        return out;
    }

    /** Packets that reached {@code host}'s stack, in order. */
    public List<TraceEvent.Packet> received(String host) {
        List<TraceEvent.Packet> out = new ArrayList<>();
        for (TraceEvent.Packet p : events(TraceEvent.Packet.class)) if (!p.outbound() && p.host().equals(host)) out.add(p);
        return out;
    }

    /** The packets the network dropped, in order. */
    public List<SimEvent.NetworkDrop> networkDrops() {
        List<SimEvent.NetworkDrop> out = new ArrayList<>();
        for (SimEvent e : events) if (e instanceof SimEvent.NetworkDrop w) out.add(w);
        return out;
    }

    public int size() { return events.size(); }

    /** Forgets everything recorded so far. */
    public void clear() { events.clear(); }
}
