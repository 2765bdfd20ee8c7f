package dev.synack.socket;

import java.util.ArrayDeque;

/**
 * A socket's error queue (Linux's sk_error_queue), read by {@code recvmsg(MSG_ERRQUEUE)} one message
 * at a time, oldest first. Adding a message reports it (sk_error_report): poll's POLLERR holds while
 * the queue is not empty, and epoll gets an EPOLLERR wakeup even when the message only extended the
 * one before it.
 */
final class ErrorQueue {
    /**
     * One queued message: its extended error, its timestamp (the host's clock in ns; −1: none, as a
     * zero-copy completion has) and the bytes of payload it carries (what recvmsg's iovec receives).
     */
    record Message(ExtendedError error, long stampNs, int payloadLen) {}

    private static final long U32 = 0xffff_ffffL;

    private final ArrayDeque<Message> q = new ArrayDeque<>();
    private final Runnable report;

    ErrorQueue(Runnable report) { this.report = report; }

    boolean isEmpty() { return q.isEmpty(); }

    int size() { return q.size(); }

    /** The oldest message, removed; null when empty. */
    Message poll() { return q.poll(); }

    /** Queues {@code m} (sock_queue_err_skb) and reports it. */
    void add(Message m) {
        q.add(m);
        report.run();
    }

    /**
     * The MSG_ZEROCOPY send {@code id} completed (__msg_zerocopy_callback, net/core/skbuff.c): it
     * extends the range of a zero-copy notification at the queue's tail when it follows on
     * (skb_zerocopy_notify_extend: id == hi + 1 and the range stays below 2^32 ids; the tail keeps its
     * ee_code), else it is queued as a range of its own. Reported either way.
     */
    void zerocopyDone(long id, boolean copied) {
        Message tail = q.peekLast();
        if (tail != null && tail.error().origin() == ExtendedError.ORIGIN_ZEROCOPY) {
            ExtendedError e = tail.error();
            long lo = e.info(), hi = e.data();
            long sumLen = ((hi - lo) & U32) + 1 + 1;
            if (sumLen < (1L << 32) && id == ((hi + 1) & U32)) {
                q.pollLast();
                q.add(new Message(new ExtendedError(e.errno(), e.origin(), e.type(), e.code(), lo, id), -1, 0));
                report.run();
                return;
            }
        }
        add(new Message(ExtendedError.zerocopy(id, id, copied), -1, 0));
    }

    /** Drops every message (the socket is closed: Linux purges the queue in sk_destruct). */
    void clear() { q.clear(); }
}
