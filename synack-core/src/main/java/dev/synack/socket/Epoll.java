package dev.synack.socket;

import dev.synack.runtime.WaitList;
import dev.synack.tcp.Errno;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An epoll instance (fs/eventpoll.c's struct eventpoll) over the sockets of one host: its items (the
 * watched descriptors with their events and data) and its ready list.
 *
 * <p>As in Linux an item gets on the ready list when it is added or modified while its socket already
 * has one of its events, and when the socket wakes its waiters with a key (ep_poll_callback) that
 * matches the item's events: new data (EPOLLIN), room to write after there was none (EPOLLOUT), an
 * error or an error-queue message (EPOLLERR), a state change (any event). epoll_wait
 * (ep_send_events) takes the items off the ready list in order, polls each again and reports those
 * with events; a level-triggered item goes back on the list, an EPOLLET one waits for its next
 * wakeup, an EPOLLONESHOT one is disabled until EPOLL_CTL_MOD. So EPOLLERR from the error queue comes
 * once per message queued (or extended), not while the queue stays full. EPOLLEXCLUSIVE only changes
 * which of several waiters Linux wakes: with one waiting thread it is as without.
 *
 * <p>A level-triggered item is also put on the list when it is ready without a wakeup synack's
 * sockets did not give; nested epoll instances are not modelled (EINVAL).
 */
final class Epoll implements OpenFile {
    public static final int EPOLLIN = 0x1, EPOLLPRI = 0x2, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10,
            EPOLLRDNORM = 0x40, EPOLLRDBAND = 0x80, EPOLLWRNORM = 0x100, EPOLLWRBAND = 0x200, EPOLLMSG = 0x400,
            EPOLLRDHUP = 0x2000, EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30,
            EPOLLET = 1 << 31;
    /** EP_PRIVATE_BITS: the bits that are not events; an item with no other bit is disabled (after ONESHOT). */
    static final int PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
    /** EPOLLEXCLUSIVE_OK_BITS: what may come with EPOLLEXCLUSIVE. */
    static final int EXCLUSIVE_OK_BITS = EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND
            | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
    static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    /** EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event). */
    static final int MAX_EVENTS = Integer.MAX_VALUE / 12;

    /** One watched descriptor (struct epitem). */
    static final class Item {
        final Epoll ep;
        final int fd;
        final KernelSocket sock;
        int events;
        long data;
        boolean ready;

        Item(Epoll ep, int fd, KernelSocket sock) {
            this.ep = ep;
            this.fd = fd;
            this.sock = sock;
        }

        /** ep_poll_callback: the socket woke its waiters with {@code key} (0: any event). */
        void wake(int key) {
            if ((events & ~PRIVATE_BITS) == 0) return; // disabled (EPOLLONESHOT fired)
            if (key != 0 && (key & events) == 0) return;
            ep.makeReady(this);
        }

        /** ep_item_poll: the socket's events of interest now. */
        int poll() { return sock.pollMask() & events; }
    }

    private final Map<Integer, Item> items = new LinkedHashMap<>();
    private final ArrayDeque<Item> readyList = new ArrayDeque<>();
    final WaitList waiters = new WaitList();

    private void makeReady(Item it) {
        if (!it.ready) {
            it.ready = true;
            readyList.add(it);
        }
        waiters.wakeAll();
    }

    /** epoll_ctl on {@code fd}, the socket {@code sock}; the caller checked the descriptors. */
    int ctl(int op, int fd, KernelSocket sock, int events, long data) {
        int einval = -Errno.EINVAL.number();
        boolean hasEvent = op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD;
        if (hasEvent && (events & EPOLLEXCLUSIVE) != 0) {
            if (op == EPOLL_CTL_MOD) return einval;
            if ((events & ~EXCLUSIVE_OK_BITS) != 0) return einval;
        }
        Item it = items.get(fd);
        switch (op) {
            case EPOLL_CTL_ADD -> {
                if (it != null) return -Errno.EEXIST.number();
                it = new Item(this, fd, sock);
                it.events = events | EPOLLERR | EPOLLHUP;
                it.data = data;
                items.put(fd, it);
                sock.addEpollItem(it);
                if (it.poll() != 0) makeReady(it); // ep_insert
                return 0;
            }
            case EPOLL_CTL_DEL -> {
                if (it == null) return -Errno.ENOENT.number();
                remove(it);
                return 0;
            }
            case EPOLL_CTL_MOD -> {
                if (it == null) return -Errno.ENOENT.number();
                if ((it.events & EPOLLEXCLUSIVE) != 0) return einval;
                it.events = events | EPOLLERR | EPOLLHUP;
                it.data = data;
                if (it.poll() != 0) makeReady(it); // ep_modify
                return 0;
            }
            default -> {
                return einval;
            }
        }
    }

    private void remove(Item it) {
        items.remove(it.fd);
        readyList.remove(it);
        it.ready = false;
        it.sock.removeEpollItem(it);
    }

    /** The socket of {@code fd} was closed: its item goes (eventpoll_release). */
    void forget(Item it) {
        if (items.get(it.fd) == it) {
            items.remove(it.fd);
            readyList.remove(it);
        }
    }

    /** close() of the epoll descriptor: every item goes. */
    void close() {
        for (Item it : List.copyOf(items.values())) remove(it);
        waiters.wakeAll();
    }

    /** Level-triggered items that are ready now go on the list even without a wakeup. */
    private void addLevelReady() {
        for (Item it : items.values()) {
            if (!it.ready && (it.events & (EPOLLET | EPOLLONESHOT)) == 0 && (it.events & ~PRIVATE_BITS) != 0
                    && it.poll() != 0) {
                it.ready = true;
                readyList.add(it);
            }
        }
    }

    /** Whether epoll_wait would report something now (without taking anything off the list). */
    boolean hasEvents() {
        for (Item it : readyList) if (it.poll() != 0) return true;
        for (Item it : items.values()) {
            if ((it.events & (EPOLLET | EPOLLONESHOT)) == 0 && it.poll() != 0) return true;
        }
        return false;
    }

    /** ep_send_events: up to {@code max} events into {@code out}; the number. */
    int send(EpollEvent[] out, int max) {
        addLevelReady();
        int n = 0;
        List<Item> again = new ArrayList<>();
        Iterator<Item> iter = readyList.iterator();
        while (iter.hasNext() && n < max) {
            Item it = iter.next();
            iter.remove();
            it.ready = false;
            int revents = it.poll();
            if (revents == 0) continue;
            if (n < out.length) out[n] = new EpollEvent(revents, it.data);
            n++;
            if ((it.events & EPOLLONESHOT) != 0) {
                it.events &= PRIVATE_BITS;
            } else if ((it.events & EPOLLET) == 0) {
                again.add(it); // level-triggered: back on the list for the next call
            }
        }
        for (Item it : again) {
            if (!it.ready) {
                it.ready = true;
                readyList.add(it);
            }
        }
        return n;
    }
}
