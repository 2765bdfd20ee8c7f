package dev.synack.nio;

import dev.synack.runtime.Runtime;
import dev.synack.runtime.WaitList;
import dev.synack.socket.ChannelSupport;
import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelectionKey;
import java.nio.channels.spi.AbstractSelector;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link Selector} over synack channels of one runtime. A selection waits through the runtime — in
 * virtual time a select with no ready key lets the simulation run (its timeout is virtual time), on a
 * RealtimeRuntime it blocks the thread on the runtime's lock — on one {@link WaitList} that every
 * registered socket wakes when its state changes, and that {@link #wakeup()} wakes too. A key's
 * readiness is the socket's poll mask as Linux's tcp_poll reports it, translated as the JDK does.
 */
final class SynackSelector extends AbstractSelector {
    private final Runtime rt;
    /**
     * In registration order, as is the selected-key set in scan order: the order in which a selection
     * loop handles its keys is the same in every run (the JDK's hash sets would follow identity hash codes,
     * and virtual time must stay deterministic).
     */
    private final Set<SelectionKey> keys = new ConcurrentSkipListSet<>(
            Comparator.comparingLong(k -> ((SynackSelectionKey) k).sequence()));
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> selected = new LinkedHashSet<>();
    private final AtomicLong registrations = new AtomicLong();
    private final Set<SelectionKey> publicSelected = new Ungrowable(selected);
    private final WaitList waiters = new WaitList();
    private volatile boolean wakeupPending;

    SynackSelector(SynackSelectorProvider provider, Runtime rt) {
        super(provider);
        this.rt = rt;
    }

    @Override
    public Set<SelectionKey> keys() {
        if (!isOpen()) throw new ClosedSelectorException();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        if (!isOpen()) throw new ClosedSelectorException();
        return publicSelected;
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
        if (!(ch instanceof SynackChannel sc) || sc.runtime() != rt) throw new IllegalSelectorException();
        if (!isOpen()) throw new ClosedSelectorException();
        Boundary.check(rt);
        SynackSelectionKey k = new SynackSelectionKey(sc, this, registrations.incrementAndGet());
        k.attach(att);
        k.interestOps(ops);
        keys.add(k);
        return k;
    }

    @Override
    public int selectNow() throws IOException { return doSelect(null, ChannelSupport.NONBLOCK); }

    @Override
    public int select(long timeoutMs) throws IOException {
        if (timeoutMs < 0) throw new IllegalArgumentException("Negative timeout");
        return doSelect(null, timeoutMs == 0 ? ChannelSupport.FOREVER : Math.multiplyExact(timeoutMs, 1_000_000L));
    }

    @Override
    public int select() throws IOException { return doSelect(null, ChannelSupport.FOREVER); }

    @Override
    public int select(Consumer<SelectionKey> action, long timeoutMs) throws IOException {
        if (timeoutMs < 0) throw new IllegalArgumentException("Negative timeout");
        return doSelect(java.util.Objects.requireNonNull(action),
                timeoutMs == 0 ? ChannelSupport.FOREVER : Math.multiplyExact(timeoutMs, 1_000_000L));
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        return doSelect(java.util.Objects.requireNonNull(action), ChannelSupport.FOREVER);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        return doSelect(java.util.Objects.requireNonNull(action), ChannelSupport.NONBLOCK);
    }

    /** The ready ops of {@code k} now (with exclusive access); 0 when none asked for is ready. */
    private static int ready(SynackSelectionKey k) {
        if (!k.isValid()) return 0;
        int interest = k.interest();
        if (interest == 0) return 0; // the JDK takes such a key out of epoll
        SynackChannel c = k.synackChannel();
        return c.readyOps(ChannelSupport.pollMask(c.target()), interest);
    }

    private int doSelect(Consumer<SelectionKey> action, long timeoutNs) throws IOException {
        if (!isOpen()) throw new ClosedSelectorException();
        Boundary.check(rt);
        // The selector's monitor is held only between waits: a simulated process must never park holding a
        // Java lock another process may need (it would hold the whole simulation).
        List<SynackSelectionKey> snapshot;
        synchronized (this) {
            if (!isOpen()) throw new ClosedSelectorException();
            processDeregistrations();
            snapshot = keys.stream().map(SynackSelectionKey.class::cast).toList();
        }
        if (timeoutNs != ChannelSupport.NONBLOCK) {
            boolean readyNow = rt.call(() -> wakeupPending || snapshot.stream().anyMatch(k -> ready(k) != 0));
            if (!readyNow) await(snapshot, timeoutNs);
        }
        wakeupPending = false;
        int n;
        synchronized (this) {
            if (!isOpen()) return 0; // closed while waiting
            n = rt.call(() -> {
                int updated = 0;
                for (SynackSelectionKey k : snapshot) {
                    int ops = ready(k);
                    if (ops == 0) continue;
                    if (action != null) {
                        k.readyOps(ops);
                        updated++;
                        continue;
                    }
                    synchronized (publicSelected) {
                        if (selected.add(k)) {
                            k.readyOps(ops);
                            updated++;
                        } else {
                            int old = k.readyOps();
                            if ((ops & ~old) != 0) {
                                k.readyOps(old | ops);
                                updated++;
                            }
                        }
                    }
                }
                return updated;
            });
            processDeregistrations();
        }
        if (action != null) {
            for (SynackSelectionKey k : snapshot) {
                if (k.isValid() && (k.readyOps() & k.interest()) != 0) {
                    action.accept(k);
                    if (!isOpen()) throw new ClosedSelectorException();
                }
            }
        }
        return n;
    }

    private void await(List<SynackSelectionKey> snapshot, long timeoutNs) {
        rt.call(() -> {
            for (SynackSelectionKey k : snapshot) ChannelSupport.addWaiter(k.synackChannel().target(), waiters);
            return null;
        });
        try {
            begin();
            rt.await(waiters, () -> wakeupPending || snapshot.stream().anyMatch(k -> ready(k) != 0), timeoutNs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            end();
            rt.call(() -> {
                for (SynackSelectionKey k : snapshot) ChannelSupport.removeWaiter(k.synackChannel().target(), waiters);
                return null;
            });
        }
    }

    /** Takes the cancelled keys out of the key sets and their channels (the JDK's processDeregisterQueue). */
    private void processDeregistrations() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            for (Iterator<SelectionKey> it = cancelled.iterator(); it.hasNext(); ) {
                SelectionKey k = it.next();
                it.remove();
                keys.remove(k);
                synchronized (publicSelected) {
                    selected.remove(k);
                }
                deregister((AbstractSelectionKey) k);
            }
        }
    }

    /**
     * Makes the current or next selection return at once: callable from any thread of the runtime (in
     * virtual time, any simulated process).
     */
    @Override
    public Selector wakeup() {
        wakeupPending = true;
        Boundary.check(rt).call(() -> {
            waiters.wakeAll();
            return null;
        });
        return this;
    }

    @Override
    protected void implCloseSelector() throws IOException {
        // Closing is allowed from any thread (a library's, as it shuts down); only a thread of the
        // runtime can wake a selection in progress.
        if (Boundary.owns(rt)) wakeup();
        else wakeupPending = true;
        synchronized (this) { // never held across a wait (see doSelect)
            for (SelectionKey k : List.copyOf(keys)) k.cancel();
            processDeregistrations();
        }
    }

    /** A selected-key set: keys may be removed, never added (Selector's "ungrowable" set). */
    private static final class Ungrowable extends AbstractSet<SelectionKey> {
        private final Set<SelectionKey> s;

        Ungrowable(Set<SelectionKey> s) { this.s = s; }

        @Override public int size() { return s.size(); }
        @Override public boolean contains(Object o) { return s.contains(o); }
        @Override public boolean remove(Object o) { return s.remove(o); }
        @Override public void clear() { s.clear(); }
        @Override public Iterator<SelectionKey> iterator() { return s.iterator(); }
        @Override public boolean add(SelectionKey k) { throw new UnsupportedOperationException(); }
    }
}
