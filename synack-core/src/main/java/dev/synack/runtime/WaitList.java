package dev.synack.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The threads waiting on one socket. The stack side calls {@link #wakeAll()} (as a connection's
 * observer) whenever something a waiter may be waiting for changes; waiters re-check their condition.
 * Only touched with exclusive access to the stacks.
 */
public final class WaitList {
    private final List<Runnable> waiters = new ArrayList<>(2);

    void add(Runnable waker) { waiters.add(waker); }

    void remove(Runnable waker) { waiters.remove(waker); }

    /**
     * Wakes every waiter (they re-check their condition). One waiter (the usual case: the application
     * reading) is woken without a copy of the list, so a data segment allocates nothing here; with more,
     * a copy, as a waker may add or remove waiters.
     */
    public void wakeAll() {
        int n = waiters.size();
        if (n == 0) return;
        if (n == 1) {
            waiters.get(0).run();
            return;
        }
        for (Runnable w : List.copyOf(waiters)) w.run();
    }
}
