package dev.synack.socket;

import dev.synack.runtime.Runtime;
import dev.synack.runtime.WaitList;
import dev.synack.stack.Stack;
import dev.synack.tcp.BoundPort;
import dev.synack.tcp.Errno;
import dev.synack.tcp.ErrnoException;
import dev.synack.tcp.FastOpen;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.TcpState;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Ipv4;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One socket as the kernel sees it (Linux's struct socket + struct sock): the socket-level state
 * (SS_UNCONNECTED / SS_CONNECTING / SS_CONNECTED), the reservation, listener or connection behind it,
 * its options and its waiters. Every call returns ≥ 0 or −errno like a syscall; blocking calls wait
 * through the runtime, with a timeout in ns ({@link #NONBLOCK} = do not wait, {@link #FOREVER}).
 *
 * <p>State is touched only inside {@code runtime.call} or in {@code runtime.await}'s condition, so
 * several threads (a RealtimeRuntime) or processes (a VirtualRuntime) may share a socket.
 */
final class KernelSocket implements OpenFile {
    static final long NONBLOCK = 0;
    static final long FOREVER = Long.MAX_VALUE;

    /** net.core.rmem_max / wmem_max (Linux default 212992): the ceiling of SO_RCVBUF / SO_SNDBUF. */
    static final int RMEM_MAX = 212_992, WMEM_MAX = 212_992;
    /** SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF on x86-64 (include/net/sock.h: 2048 + sk_buff, twice that to send). */
    static final int SOCK_MIN_RCVBUF = 2304, SOCK_MIN_SNDBUF = 4608;

    enum SockState { UNCONNECTED, CONNECTING, CONNECTED }

    final Kernel kernel;
    final Runtime rt;
    final Stack stack;
    final SocketOptions opts;
    private final WaitList waiters = new WaitList();
    /** poll() calls waiting on this socket among others. */
    private final List<WaitList> pollers = new ArrayList<>(1);
    private final String process;

    boolean nonBlocking;
    /**
     * TCP_FASTOPEN_CONNECT's deferred connect (Linux's DEFER_CONNECT bit): connect() returned 0 with a
     * cookie at hand; the first write sends the SYN with its data, to {@link #deferAddr}:{@link #deferPort}.
     */
    private boolean deferConnect;
    private int deferAddr, deferPort;
    /** SO_RCVTIMEO / SO_SNDTIMEO in ns; 0 = wait forever, as in Linux. */
    long rcvTimeoNs, sndTimeoNs;
    /** IP_TOS as set (reported back by getOption; the IP layer does not send it). */
    volatile int tos;
    SockState sstate = SockState.UNCONNECTED;
    BoundPort bound;
    TcpListener listener;
    TcpConnection conn;
    boolean closed;
    /** sk_shutdown of a socket without a connection (shutdown() on an unconnected socket still sets it). */
    boolean shutRd, shutWr;
    /** The last local address, kept after close for getsockname-like queries. */
    int localAddr, localPort;
    /** The error queue (sk_error_queue): MSG_ZEROCOPY completions and transmit timestamps. */
    final ErrorQueue errq = new ErrorQueue(this::errorReport);
    /** Zero-copy and timestamp bookkeeping, made when SO_ZEROCOPY or SO_TIMESTAMPING is first set. */
    private TxReports tx;
    /** The epoll items watching this socket. */
    private final List<Epoll.Item> epItems = new ArrayList<>(0);
    /** What the last wakeup saw, to tell epoll which events it is about (the wakeup's key). */
    private TcpState seenState;
    private int seenRcvNxt, seenAcceptQueue;
    private boolean seenWriteable, seenError, seenRcvShut;

    KernelSocket(Kernel kernel, SocketOptions opts) {
        this.kernel = kernel;
        this.rt = kernel.runtime();
        this.stack = kernel.stack();
        this.opts = opts;
        this.process = rt.callerName();
        // The process's death closes its files: FIN, or RST with unread data (tcp_close decides).
        rt.onCallerKilled(this::closeOnExit);
    }

    /** A socket for a connection a listener accepted. */
    private KernelSocket(Kernel kernel, TcpConnection c) {
        this(kernel, c.options);
        conn = c;
        sstate = SockState.CONNECTED;
        localAddr = c.localAddr();
        localPort = c.localPort();
        c.setObserver(this::notifyWaiters);
        attachTx();
    }

    private void notifyWaiters() {
        if (!epItems.isEmpty()) {
            int key = wakeKey();
            for (Epoll.Item it : List.copyOf(epItems)) {
                if (key != 0) it.wake(key == ANY_EVENT ? 0 : key);
                it.ep.waiters.wakeAll();
            }
        }
        waiters.wakeAll();
        for (WaitList w : List.copyOf(pollers)) w.wakeAll();
    }

    private static final int ANY_EVENT = -1;

    /**
     * The key Linux's wakeup would carry, read from what changed since the last one: a state change
     * wakes for any event (sk_state_change), new data or the peer's FIN for EPOLLIN (sk_data_ready),
     * room to write after there was none for EPOLLOUT (sk_stream_write_space, which wakes only when
     * SOCK_NOSPACE was set), a new error for EPOLLERR (sk_error_report). 0: nothing an epoll item sees.
     */
    private int wakeKey() {
        int key = 0;
        if (listener != null) {
            int q = listener.acceptQueueLength();
            if (q > seenAcceptQueue) key |= PosixSockets.POLLIN | PosixSockets.POLLRDNORM;
            seenAcceptQueue = q;
            return key;
        }
        TcpState st = conn == null ? TcpState.CLOSE : conn.state();
        if (st != seenState) key = ANY_EVENT;
        seenState = st;
        if (conn == null) return key;
        int nxt = conn.rcvNxt();
        boolean rcvShut = conn.receiveShutdown(), w = streamWriteable(), err = conn.pendingError() != null;
        if (key != ANY_EVENT) {
            if (nxt != seenRcvNxt || (rcvShut && !seenRcvShut)) key |= PosixSockets.POLLIN | PosixSockets.POLLRDNORM;
            if (w && !seenWriteable) key |= PosixSockets.POLLOUT | PosixSockets.POLLWRNORM;
            if (err && !seenError) key |= PosixSockets.POLLERR;
        }
        seenRcvNxt = nxt;
        seenRcvShut = rcvShut;
        seenWriteable = w;
        seenError = err;
        return key;
    }

    /** sk_error_report: a message was queued on the error queue; epoll items see EPOLLERR. */
    private void errorReport() {
        for (Epoll.Item it : List.copyOf(epItems)) {
            it.wake(PosixSockets.POLLERR);
            it.ep.waiters.wakeAll();
        }
        waiters.wakeAll();
        for (WaitList w : List.copyOf(pollers)) w.wakeAll();
    }

    void addEpollItem(Epoll.Item it) {
        if (epItems.isEmpty()) wakeKey(); // start from what is now
        epItems.add(it);
    }

    void removeEpollItem(Epoll.Item it) { epItems.remove(it); }

    /** The descriptor was closed: it leaves every epoll instance. */
    void leaveEpolls() {
        for (Epoll.Item it : List.copyOf(epItems)) it.ep.forget(it);
        epItems.clear();
    }

    /** Installs the zero-copy and timestamp bookkeeping on the connection once either option is on. */
    private void attachTx() {
        if (conn == null || !(opts.zerocopy || opts.tsFlags != 0)) return;
        if (tx == null) tx = new TxReports(this);
        conn.setSendProgress(tx);
    }

    void addPoller(WaitList w) { pollers.add(w); }

    void removePoller(WaitList w) { pollers.remove(w); }

    /** Waits (outside any call) until {@code ready} holds or the timeout passes. */
    private boolean await(BooleanSupplier ready, long timeoutNs) {
        try {
            return rt.await(waiters, ready, timeoutNs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private <T> T call(Supplier<T> op) { return rt.call(op); }

    private static long remaining(long deadlineNs, long nowNs) {
        return deadlineNs == FOREVER ? FOREVER : Math.max(0, deadlineNs - nowNs);
    }

    private long deadline(long timeoutNs) {
        return timeoutNs == FOREVER ? FOREVER : rt.nowNs() + timeoutNs;
    }

    /** Emits an AppCall event on the stack's trace bus (with exclusive access). */
    void trace(String callText, int ret, String javaException) {
        var t = stack.tracer();
        if (t == null) return;
        String result = ret >= 0 ? Integer.toString(ret) : SynackExceptions.errno(ret).name();
        if (javaException != null) result += " (" + javaException + ")";
        t.on(new TraceEvent.AppCall(rt.nowNs(), stack.name(), process, callText, result));
    }

    void traceCall(String callText, int ret) { call(() -> { trace(callText, ret, null); return null; }); }

    static String addrText(int addr, int port) { return Ipv4.format(addr) + ":" + port; }

    // ---- bind / listen / accept ----------------------------------------------------------------

    int bind(int addr, int port) {
        return call(() -> {
            if (closed) return -Errno.EBADF.number();
            if (bound != null || listener != null || conn != null) return -Errno.EINVAL.number();
            try {
                bound = stack.bind(addr, port, opts);
                localAddr = bound.address();
                localPort = bound.port();
                return 0;
            } catch (ErrnoException e) {
                return -e.errno().number();
            }
        });
    }

    int listen(int backlog) {
        return call(() -> {
            if (closed) return -Errno.EBADF.number();
            if (listener != null) {
                listener.setBacklog(backlog);
                return 0;
            }
            if (conn != null || sstate != SockState.UNCONNECTED) return -Errno.EINVAL.number();
            try {
                if (bound == null) { // inet_autobind
                    bound = stack.bind(0, 0, opts);
                    localAddr = 0;
                    localPort = bound.port();
                }
                listener = stack.listen(bound, backlog);
                bound = null;
                listener.setObserver(this::notifyWaiters);
                return 0;
            } catch (ErrnoException e) {
                return -e.errno().number();
            }
        });
    }

    /** accept(): a socket, or null with the errno in {@code err[0]}. */
    KernelSocket accept(long timeoutNs, int[] err) {
        long deadline = deadline(timeoutNs);
        while (true) {
            Object r = call(() -> {
                if (closed) return -Errno.EBADF.number();
                if (listener == null) return -Errno.EINVAL.number(); // inet_accept on a socket that is not listening
                TcpConnection c = listener.accept();
                if (c == null) return -Errno.EAGAIN.number();
                return new KernelSocket(kernel, c);
            });
            if (r instanceof KernelSocket ks) return ks;
            int e = (Integer) r;
            if (e != -Errno.EAGAIN.number() || timeoutNs == NONBLOCK) {
                err[0] = e;
                return null;
            }
            long left = remaining(deadline, rt.nowNs());
            if (left == 0 || !await(() -> closed || listener == null || listener.acceptQueueLength() > 0, left)) {
                err[0] = -Errno.EAGAIN.number();
                return null;
            }
        }
    }

    // ---- connect -------------------------------------------------------------------------------

    private boolean inProgress() {
        return conn != null && (conn.state() == TcpState.SYN_SENT || conn.state() == TcpState.SYN_RECV);
    }

    /**
     * connect() as Linux's __inet_stream_connect: EINPROGRESS when started and not waited for (or the
     * wait timed out, as with SO_SNDTIMEO), EALREADY when already in progress, EISCONN when connected,
     * and after a failure the socket's error (ECONNREFUSED, ETIMEDOUT, ...) once, ECONNABORTED after.
     * A non-blocking socket that connected answers its next connect() with 0, then EISCONN.
     */
    int connect(int raddr, int rport, long timeoutNs) {
        int start = call(() -> {
            if (closed) return -Errno.EBADF.number();
            switch (sstate) {
                case CONNECTED -> {
                    return -Errno.EISCONN.number();
                }
                case CONNECTING -> {
                    return deferConnect ? -Errno.EISCONN.number() : -Errno.EALREADY.number(); // __inet_stream_connect
                }
                case UNCONNECTED -> {
                    if (listener != null || conn != null && conn.state() != TcpState.CLOSE) return -Errno.EISCONN.number();
                    if (opts.fastOpenConnect && stack.fastOpenCookieReady(raddr, opts)) {
                        // tcp_fastopen_defer_connect: a cookie is known, so the SYN waits for the first write.
                        deferConnect = true;
                        deferAddr = raddr;
                        deferPort = rport;
                        sstate = SockState.CONNECTING;
                        return 0;
                    }
                    try {
                        // Without a cookie, TCP_FASTOPEN_CONNECT's SYN asks for one (an empty fastopen_req).
                        conn = stack.connect(bound, raddr, rport, opts,
                                opts.fastOpenConnect ? new FastOpen.Request(new byte[0], 0, 0) : null);
                    } catch (ErrnoException e) {
                        return -e.errno().number();
                    }
                    bound = null;
                    localAddr = conn.localAddr();
                    localPort = conn.localPort();
                    conn.setObserver(this::notifyWaiters);
                    attachTx();
                    sstate = SockState.CONNECTING;
                    return -Errno.EINPROGRESS.number();
                }
            }
            throw new AssertionError();
        });
        if (start != -Errno.EINPROGRESS.number() && start != -Errno.EALREADY.number()) return start;
        if (timeoutNs != NONBLOCK) await(() -> closed || !inProgress(), timeoutNs);
        return call(() -> connectOutcome(start));
    }

    /**
     * Where a connect in progress stands, once waited for: {@code whileInProgress} if it still is; else 0
     * and CONNECTED, or the connection's error — sock_error: the pending error once, then ECONNABORTED —
     * and the socket unconnected again. Called inside the runtime.
     */
    private int connectOutcome(int whileInProgress) {
        if (closed) return -Errno.EBADF.number();
        if (inProgress()) return whileInProgress;
        if (conn == null || conn.state() == TcpState.CLOSE) {
            Errno e = conn == null ? null : conn.takeError();
            conn = null;
            sstate = SockState.UNCONNECTED;
            return -(e != null ? e : Errno.ECONNABORTED).number();
        }
        sstate = SockState.CONNECTED;
        return 0;
    }

    /**
     * sendto(MSG_FASTOPEN) (tcp_sendmsg_fastopen, net/ipv4/tcp.c): EOPNOTSUPP unless tcp_fastopen has
     * TFO_CLIENT_ENABLE; on an unconnected socket, connect() with the data offered to the SYN
     * ({@link FastOpen.Request}); EALREADY while a connect is in progress; on a connected socket a plain
     * send (measured by the scripts on Linux 6.18). Non-blocking, it returns the bytes the SYN took, or
     * EINPROGRESS when it took none; blocking, it waits for the handshake (inet_wait_for_connect) — a
     * failed one returns its error even when the SYN carried data — and then writes the rest.
     */
    int sendFastOpen(int raddr, int rport, byte[] b, int off, int len, long timeoutNs) {
        return sendFastOpen(raddr, rport, b, off, len, timeoutNs, 0);
    }

    /**
     * As {@link #sendFastOpen(int, int, byte[], int, int, long)} with send()'s flags: MSG_ZEROCOPY on an
     * SO_ZEROCOPY socket gives the SYN's data a notification id ({@link TxReports#synDataZeroCopy};
     * zerocopy/fastopen-client.pkt, which Linux 6.18 passes). What a blocking call writes after the
     * handshake is not added to that id (Linux's one uarg covers the whole call).
     */
    int sendFastOpen(int raddr, int rport, byte[] b, int off, int len, long timeoutNs, int msgFlags) {
        boolean zerocopy = (msgFlags & PosixSockets.MSG_ZEROCOPY) != 0;
        int eopnotsupp = -Errno.EOPNOTSUPP.number();
        Integer start = call(() -> {
            if (closed) return -Errno.EBADF.number();
            if ((stack.config().tcpFastopen & FastOpen.TFO_CLIENT_ENABLE) == 0) return eopnotsupp;
            if (sstate == SockState.CONNECTING && conn != null && !inProgress() && conn.state() != TcpState.CLOSE) {
                sstate = SockState.CONNECTED;
            }
            switch (sstate) {
                case CONNECTED -> {
                    return null;
                }
                case CONNECTING -> {
                    if (!deferConnect) return -Errno.EALREADY.number();
                    // tcp_sendmsg_fastopen with DEFER_CONNECT: tcp_connect now, with this data.
                    deferConnect = false;
                    return connectWithData(deferAddr, deferPort, b, off, len, zerocopy);
                }
                default -> {
                    if (listener != null || conn != null && conn.state() != TcpState.CLOSE) return -Errno.EISCONN.number();
                    return connectWithData(raddr, rport, b, off, len, zerocopy);
                }
            }
        });
        return finishFastOpen(start, b, off, len, timeoutNs);
    }

    /** connect() with Fast Open's first data; the bytes the SYN took, or −errno. */
    private int connectWithData(int raddr, int rport, byte[] b, int off, int len, boolean zerocopy) {
        // No buffer (b null: an invalid user pointer): tcp_send_syn_data's copy fails and the SYN goes
        // without data (its "fallback", Handshake.fastOpenSyn); the call answers as one whose SYN took nothing.
        FastOpen.Request req = new FastOpen.Request(b, off, len);
        try {
            conn = stack.connect(bound, raddr, rport, opts, req);
        } catch (ErrnoException e) {
            return -e.errno().number();
        }
        bound = null;
        localAddr = conn.localAddr();
        localPort = conn.localPort();
        conn.setObserver(this::notifyWaiters);
        sstate = SockState.CONNECTING;
        attachTx();
        if (zerocopy && opts.zerocopy && tx != null && req.copied() > 0) tx.synDataZeroCopy(conn.writeSeq());
        return req.copied();
    }

    /** The rest of a Fast Open send: as Linux's tcp_sendmsg after tcp_sendmsg_fastopen (see {@link #sendFastOpen}). */
    private int finishFastOpen(Integer start, byte[] b, int off, int len, long timeoutNs) {
        if (start == null) return write(b, off, len, timeoutNs, 0);
        int copied = start;
        if (copied < 0) return copied;
        if (timeoutNs == NONBLOCK) return copied > 0 ? copied : -Errno.EINPROGRESS.number();
        if (copied < len) call(() -> { // inet_wait_for_connect: sk_write_pending += writebias
            if (conn != null) conn.setWritePending(true);
            return 0;
        });
        await(() -> closed || !inProgress(), timeoutNs);
        int st = call(() -> connectOutcome(-Errno.EINPROGRESS.number()));
        if (st == -Errno.EINPROGRESS.number()) return copied > 0 ? copied : st; // the wait timed out (SO_SNDTIMEO)
        if (st < 0 || copied == len) return st < 0 ? st : copied;
        int w = write(b, off + copied, len - copied, timeoutNs, 0);
        return w < 0 ? (copied > 0 ? copied : w) : copied + w;
    }

    // ---- read / write --------------------------------------------------------------------------

    private int readOnce(byte[] b, int off, int len) {
        if (closed) return -Errno.EBADF.number();
        if (listener != null) return -Errno.ENOTCONN.number();
        if (deferConnect) return -Errno.EAGAIN.number(); // SYN_SENT, nothing sent yet: tcp_recvmsg waits
        if (conn == null) return shutRd ? 0 : -Errno.ENOTCONN.number();
        // No buffer (an invalid user pointer): tcp_recvmsg's copy (skb_copy_datagram_msg) fails once there
        // is data — EFAULT, the data stays queued; before that the call answers as any read.
        if (b == null && conn.readable() > 0) return -Errno.EFAULT.number();
        return conn.receive(b, off, len);
    }

    /** read(): bytes read, 0 at end of stream, −EAGAIN when nothing came within the timeout, or −errno. */
    int read(byte[] b, int off, int len, long timeoutNs) {
        if (len == 0) return 0;
        long deadline = deadline(timeoutNs);
        while (true) {
            int r = call(() -> readOnce(b, off, len));
            if (r != -Errno.EAGAIN.number() || timeoutNs == NONBLOCK) return r;
            long left = remaining(deadline, rt.nowNs());
            if (left == 0 || !await(() -> closed || conn == null || conn.readable0(), left)) return -Errno.EAGAIN.number();
        }
    }

    private int writeOnce(byte[] b, int off, int len, int msgFlags) {
        if (closed) return -Errno.EBADF.number();
        if (conn == null) return -Errno.EPIPE.number(); // sk_stream_wait_connect: not connecting → EPIPE
        int n = conn.send(b, off, len, msgFlags);
        return n == 0 ? -Errno.EAGAIN.number() : n;
    }

    /**
     * write() of a blocking socket takes everything, waiting while the send buffer is full (tcp_sendmsg
     * with sk_stream_wait_memory); with a timeout (SO_SNDTIMEO) or non-blocking it returns what it
     * took, or −EAGAIN when nothing. An error after some bytes were taken returns the count; the next
     * call reports the error.
     */
    int write(byte[] b, int off, int len, long timeoutNs) { return write(b, off, len, timeoutNs, 0); }

    /** As {@link #write(byte[], int, int, long)} with send()'s MSG_MORE and MSG_EOR ({@link TcpConnection#send}). */
    int write(byte[] b, int off, int len, long timeoutNs, int msgFlags) {
        return sendmsg(b, off, new int[] {len}, timeoutNs, msgFlags);
    }

    /** MAX_SKB_FRAGS (CONFIG_MAX_SKB_FRAGS, 17 by default): the page fragments one skb holds. */
    static final int MAX_SKB_FRAGS = 17;
    private static final int PAGE_SIZE = 4096;

    /**
     * sendmsg() of the iovec {@code iov} (lengths of consecutive pieces of {@code b} from {@code off}),
     * as {@link #write(byte[], int, int, long, int)}, with MSG_ZEROCOPY on an SO_ZEROCOPY socket: the
     * call gets a notification id ({@link TxReports}), and its skbs are built of the caller's pages, one
     * fragment per page of each iovec element, at most {@link #MAX_SKB_FRAGS} to an skb: when an skb is
     * full tcp_sendmsg_locked marks it PSH (tcp_mark_push) and starts another (skb_zerocopy_iter_stream
     * → -EMSGSIZE → new_segment), so the segments end there. The elements are taken as page-aligned.
     */
    int sendmsg(byte[] b, int off, int[] iov, long timeoutNs, int msgFlags) {
        int len = 0;
        for (int l : iov) len += l;
        int total = len;
        if (deferConnect) return sendFastOpen(deferAddr, deferPort, b, off, total, timeoutNs); // TCP_FASTOPEN_CONNECT: this write goes in the SYN
        boolean zerocopy = (msgFlags & PosixSockets.MSG_ZEROCOPY) != 0 && opts.zerocopy;
        int flags = msgFlags & (TcpConnection.MSG_MORE | TcpConnection.MSG_EOR);
        if (total == 0) return call(() -> closed ? -Errno.EBADF.number() : 0);
        int[] cuts = zerocopy ? fragCuts(iov) : new int[0];
        call(() -> {
            if (tx != null) tx.beginWrite();
            return null;
        });
        int done = writeLoop(b, off, total, cuts, timeoutNs, flags);
        int taken = done;
        call(() -> {
            if (tx != null) tx.endWrite(taken, conn == null ? 0 : conn.writeSeq(), zerocopy);
            return null;
        });
        return done;
    }

    /** Where the skbs of a zero-copy iovec end: after each {@link #MAX_SKB_FRAGS} fragments (byte offsets). */
    private static int[] fragCuts(int[] iov) {
        List<Integer> cuts = new ArrayList<>();
        int frags = 0, at = 0;
        for (int l : iov) {
            int left = l;
            while (left > 0) {
                int piece = Math.min(left, PAGE_SIZE);
                if (frags == MAX_SKB_FRAGS) {
                    cuts.add(at);
                    frags = 0;
                }
                frags++;
                at += piece;
                left -= piece;
            }
        }
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    private int writeLoop(byte[] b, int off, int len, int[] cuts, long timeoutNs, int msgFlags) {
        long deadline = deadline(timeoutNs);
        int done = 0, cut = 0;
        while (true) {
            while (cut < cuts.length && cuts[cut] <= done) cut++;
            int end = cut < cuts.length ? cuts[cut] : len;
            int at = done;
            // A full zero-copy skb: the piece up to it ends a record (no later byte joins it) and is pushed.
            int flags = end < len ? msgFlags | TcpConnection.MSG_EOR : msgFlags;
            int r = call(() -> writeOnce(b, off + at, end - at, flags));
            if (r > 0) {
                done += r;
                if (done == len) return done;
                continue;
            }
            if (r != -Errno.EAGAIN.number()) return done > 0 ? done : r;
            long left = timeoutNs == NONBLOCK ? 0 : remaining(deadline, rt.nowNs());
            if (left == 0 || !await(() -> closed || conn == null || conn.writable(), left)) {
                return done > 0 ? done : -Errno.EAGAIN.number();
            }
        }
    }

    /**
     * recvmsg(): as {@link #read} with the control messages Linux adds: TCP_CM_INQ after a read when
     * TCP_INQ is on (tcp_recvmsg: for every result ≥ 0). With MSG_ERRQUEUE it takes the oldest message
     * of the error queue instead (ip_recv_error, never waiting: EAGAIN when empty): msg_flags has
     * MSG_ERRQUEUE, and MSG_TRUNC when the message's payload is longer than {@code len}; the control
     * messages are SCM_TIMESTAMPING (a timestamp, when SOF_TIMESTAMPING_SOFTWARE asks for software
     * stamps: __sock_recv_timestamp) and IP_RECVERR.
     */
    RecvMsg recvmsg(byte[] b, int off, int len, int msgFlags, long timeoutNs) {
        if ((msgFlags & PosixSockets.MSG_ERRQUEUE) != 0) {
            return call(() -> {
                if (closed) return RecvMsg.error(-Errno.EBADF.number());
                ErrorQueue.Message m = errq.poll();
                if (m == null) return RecvMsg.error(-Errno.EAGAIN.number());
                List<Cmsg> control = new ArrayList<>(2);
                if (m.stampNs() >= 0 && (opts.tsFlags & PosixSockets.SOF_TIMESTAMPING_SOFTWARE) != 0) {
                    control.add(new Cmsg.Timestamping(m.stampNs()));
                }
                control.add(new Cmsg.RecvErr(m.error()));
                int copied = Math.min(m.payloadLen(), len);
                java.util.Arrays.fill(b, off, off + copied, (byte) 0);
                int flags = PosixSockets.MSG_ERRQUEUE | (m.payloadLen() > len ? PosixSockets.MSG_TRUNC : 0);
                return new RecvMsg(copied, flags, control);
            });
        }
        int r = read(b, off, len, timeoutNs);
        if (r < 0) return RecvMsg.error(r);
        return call(() -> {
            List<Cmsg> control = new ArrayList<>(1);
            if (opts.recvInq && conn != null) control.add(new Cmsg.Inq(conn.inq()));
            return new RecvMsg(r, 0, control);
        });
    }

    // ---- shutdown / close ----------------------------------------------------------------------

    /** shutdown(how): 0 = SHUT_RD, 1 = SHUT_WR, 2 = SHUT_RDWR (inet_shutdown). */
    int shutdown(int how) {
        if (how < 0 || how > 2) return -Errno.EINVAL.number();
        boolean rd = how != 1, wr = how != 0;
        return call(() -> {
            if (closed) return -Errno.EBADF.number();
            int ret = 0;
            if (listener != null) {
                // inet_shutdown: SHUT_RD on a listener stops it (tcp_disconnect); waiting accepts fail.
                if (rd) {
                    listener.close();
                    listener = null;
                }
            } else if (conn == null || conn.state() == TcpState.CLOSE) {
                shutRd |= rd;
                shutWr |= wr;
                if (conn != null) {
                    if (rd) conn.shutdownInput();
                }
                ret = -Errno.ENOTCONN.number();
            } else if (conn.state() == TcpState.SYN_SENT) {
                // inet_shutdown → tcp_disconnect: the attempt stops without a RST, sk_err = ECONNRESET (a
                // waiting connect() fails with it); the socket is unconnected and may connect again.
                conn.shutdownOutput();
                sstate = SockState.UNCONNECTED;
            } else {
                if (rd) conn.shutdownInput();
                if (wr) conn.shutdownOutput();
            }
            notifyWaiters();
            return ret;
        });
    }

    /**
     * close(): the listener stops (its queue is reset), the connection closes as tcp_close decides (FIN,
     * or RST with unread data or SO_LINGER 0). With SO_LINGER on and a time, a blocking close waits
     * until the FIN is acknowledged or the time passes (sk_stream_wait_close).
     */
    int close() {
        boolean linger = call(() -> {
            if (closed) return false;
            closeNow();
            return conn != null && opts.linger && opts.lingerSec > 0 && !nonBlocking && lingering();
        });
        if (linger) {
            call(() -> {
                conn.setObserver(this::notifyWaiters);
                return null;
            });
            await(() -> !lingering(), opts.lingerSec * 1_000_000_000L);
            call(() -> {
                conn.setObserver(null);
                return null;
            });
        }
        return 0;
    }

    private boolean lingering() {
        TcpState s = conn.state();
        return s == TcpState.FIN_WAIT1 || s == TcpState.CLOSING || s == TcpState.LAST_ACK;
    }

    private void closeNow() {
        closed = true;
        errq.clear();
        if (listener != null) listener.close();
        if (conn != null) conn.close();
        if (bound != null) stack.unbind(bound);
        bound = null;
        notifyWaiters();
    }

    /** The process died: the kernel closes the file (run by the driver with exclusive access). */
    private void closeOnExit() {
        if (!closed) {
            closeNow();
            trace("exit close", 0, null);
        }
    }

    // ---- options -------------------------------------------------------------------------------

    /** setsockopt(TCP_FASTOPEN_KEY) (tcp_fastopen_reset_cipher on this socket). */
    int setFastOpenKey(byte[] key) {
        return call(() -> {
            if (closed) return -Errno.EBADF.number();
            opts.fastOpenKey = key;
            return 0;
        });
    }

    int setsockopt(int level, int name, int value) {
        return call(() -> {
            if (closed) return -Errno.EBADF.number();
            int r = setOption(level, name, value);
            if (r == 0 && conn != null && conn.state() != TcpState.CLOSE) conn.optionsChanged();
            return r;
        });
    }

    private int setOption(int level, int name, int v) {
        int einval = -Errno.EINVAL.number();
        if (level == PosixSockets.SOL_SOCKET) {
            switch (name) {
                case PosixSockets.SO_REUSEADDR -> opts.reuseAddr = v != 0;
                case PosixSockets.SO_KEEPALIVE -> opts.keepAlive = v != 0;
                // sock_setsockopt: min(val, wmem_max) doubled for bookkeeping overhead, at least SOCK_MIN_*;
                // a negative int is a huge u32 there, so it takes the ceiling. On an open connection the
                // new size applies at once (TcpConnection.optionsChanged) and stops auto-tuning.
                case PosixSockets.SO_SNDBUF -> opts.sndBuf = Math.max((v < 0 ? WMEM_MAX : Math.min(v, WMEM_MAX)) * 2, SOCK_MIN_SNDBUF);
                case PosixSockets.SO_RCVBUF -> opts.rcvBuf = Math.max((v < 0 ? RMEM_MAX : Math.min(v, RMEM_MAX)) * 2, SOCK_MIN_RCVBUF);
                // sk_setsockopt SO_ZEROCOPY: a TCP socket in any state, 0 or 1 (measured: 2 and -1 are EINVAL).
                case PosixSockets.SO_ZEROCOPY -> {
                    if (v < 0 || v > 1) return einval;
                    opts.zerocopy = v == 1;
                    attachTx();
                }
                case PosixSockets.SO_TIMESTAMPING -> {
                    return setTimestamping(v);
                }
                case PosixSockets.SO_MARK -> opts.mark = v; // the caller has CAP_NET_ADMIN: the runner is root
                default -> {
                    return -Errno.ENOPROTOOPT.number();
                }
            }
            return 0;
        }
        if (level == PosixSockets.SOL_IP) return setIpOption(name, v);
        if (level != PosixSockets.IPPROTO_TCP) return -Errno.ENOPROTOOPT.number();
        switch (name) {
            // __tcp_sock_set_nodelay, __tcp_sock_set_cork: TCP_NODELAY on and TCP_CORK off push what waits.
            case PosixSockets.TCP_NODELAY -> {
                opts.noDelay = v != 0;
                if (conn != null) conn.nagleChanged(v != 0);
            }
            case PosixSockets.TCP_CORK -> {
                opts.cork = v != 0;
                if (conn != null) conn.nagleChanged(v == 0);
            }
            // do_tcp_setsockopt TCP_MAXSEG: 0 or TCP_MIN_MSS (88)..MAX_TCP_WINDOW (32767), the user_mss clamp.
            case PosixSockets.TCP_MAXSEG -> {
                if (v != 0 && (v < 88 || v > 32767)) return einval;
                opts.userMss = v;
            }
            // do_tcp_setsockopt: 1..MAX_TCP_KEEPIDLE/KEEPINTVL (32767 s), 1..MAX_TCP_KEEPCNT (127).
            case PosixSockets.TCP_KEEPIDLE -> {
                if (v < 1 || v > 32767) return einval;
                opts.keepIdleSec = v;
            }
            case PosixSockets.TCP_KEEPINTVL -> {
                if (v < 1 || v > 32767) return einval;
                opts.keepIntvlSec = v;
            }
            case PosixSockets.TCP_KEEPCNT -> {
                if (v < 1 || v > 127) return einval;
                opts.keepCnt = v;
            }
            case PosixSockets.TCP_SYNCNT -> {
                if (v < 1 || v > 127) return einval; // MAX_TCP_SYNCNT
                opts.synCnt = v;
            }
            case PosixSockets.TCP_USER_TIMEOUT -> {
                if (v < 0) return einval;
                opts.userTimeoutMs = v;
            }
            // do_tcp_setsockopt TCP_NOTSENT_LOWAT: any value (an unsigned int), then sk_write_space.
            case PosixSockets.TCP_NOTSENT_LOWAT -> {
                opts.notsentLowat = v;
                notifyWaiters();
            }
            // do_tcp_setsockopt TCP_INQ: 0 or 1 (tp->recvmsg_inq).
            case PosixSockets.TCP_INQ -> {
                if (v < 0 || v > 1) return einval;
                opts.recvInq = v == 1;
            }
            // do_tcp_setsockopt TCP_FASTOPEN: a listener's (or a socket about to listen) Fast Open queue
            // length, min(val, somaxconn) (fastopen_queue_tune).
            case PosixSockets.TCP_FASTOPEN -> {
                if (v < 0 || conn != null) return einval;
                opts.fastOpenQlen = Math.min(v, stack.config().somaxconn);
            }
            case PosixSockets.TCP_FASTOPEN_CONNECT -> {
                if (v < 0 || v > 1) return einval;
                if ((stack.config().tcpFastopen & dev.synack.tcp.FastOpen.TFO_CLIENT_ENABLE) == 0) return -Errno.EOPNOTSUPP.number();
                if (conn != null || listener != null) return einval; // only in TCP_CLOSE
                opts.fastOpenConnect = v != 0;
            }
            case PosixSockets.TCP_FASTOPEN_NO_COOKIE -> {
                if (v < 0 || v > 1 || conn != null) return einval; // TCP_CLOSE or TCP_LISTEN
                opts.fastOpenNoCookie = v != 0;
            }
            case PosixSockets.TCP_QUICKACK -> {
                opts.quickAck = v != 0;
                if (conn != null && conn.state() != TcpState.CLOSE) conn.setQuickAck(v != 0);
            }
            default -> {
                return -Errno.ENOPROTOOPT.number();
            }
        }
        return 0;
    }

    /** IP_MTU_DISCOVER as set (inet->pmtudisc); IP_PMTUDISC_WANT by default (ip_no_pmtu_disc 0). */
    private int pmtudisc = PosixSockets.IP_PMTUDISC_WANT;

    /**
     * The SOL_IP options (do_ip_setsockopt, net/ipv4/ip_sockglue.c): IP_TOS keeps the socket's ECN bits
     * on a TCP socket ("val &= ~INET_ECN_MASK; val |= inet->tos & INET_ECN_MASK") and IP_MTU_DISCOVER
     * takes IP_PMTUDISC_DONT..IP_PMTUDISC_OMIT. Both are kept and read back; the IP layer sends neither
     * (no TOS byte but ECN's, DF always set: synack's path MTU discovery is IP_PMTUDISC_WANT's), and
     * Linux's route refresh on a TOS change has nothing to refresh here.
     */
    private int setIpOption(int name, int v) {
        switch (name) {
            case PosixSockets.IP_TOS -> tos = (v & ~3 & 0xff) | (tos & 3);
            case PosixSockets.IP_MTU_DISCOVER -> {
                if (v < PosixSockets.IP_PMTUDISC_DONT || v > PosixSockets.IP_PMTUDISC_OMIT) return -Errno.EINVAL.number();
                pmtudisc = v;
            }
            default -> {
                return -Errno.ENOPROTOOPT.number();
            }
        }
        return 0;
    }

    /** SOF_TIMESTAMPING_MASK of Linux 6.18: the flags up to SOF_TIMESTAMPING_OPT_RX_FILTER. */
    private static final int TIMESTAMPING_MASK = (PosixSockets.SOF_TIMESTAMPING_OPT_RX_FILTER << 1) - 1;

    /**
     * setsockopt(SO_TIMESTAMPING) with an int (sock_set_timestamping, net/core/sock.c): unknown bits,
     * OPT_ID_TCP without OPT_ID, and BIND_PHC (which needs a struct so_timestamping and a PTP clock
     * synack does not have) are EINVAL; turning OPT_ID on takes the key's origin, SND.UNA (the write
     * sequence with OPT_ID_TCP), and is EINVAL on a TCP socket in CLOSE or LISTEN.
     */
    private int setTimestamping(int v) {
        int einval = -Errno.EINVAL.number();
        if ((v & ~TIMESTAMPING_MASK) != 0) return einval;
        if ((v & PosixSockets.SOF_TIMESTAMPING_OPT_ID_TCP) != 0 && (v & PosixSockets.SOF_TIMESTAMPING_OPT_ID) == 0) return einval;
        if ((v & PosixSockets.SOF_TIMESTAMPING_BIND_PHC) != 0) return einval;
        if ((v & PosixSockets.SOF_TIMESTAMPING_OPT_ID) != 0 && (opts.tsFlags & PosixSockets.SOF_TIMESTAMPING_OPT_ID) == 0) {
            if (listener != null || conn == null || conn.state() == TcpState.CLOSE) return einval;
            if (tx == null) tx = new TxReports(this);
            tx.tskeySeq = (v & PosixSockets.SOF_TIMESTAMPING_OPT_ID_TCP) != 0 ? conn.writeSeq() : conn.sndUna();
        }
        opts.tsFlags = v;
        attachTx();
        return 0;
    }

    /**
     * getsockopt of an int option into {@code out[0]}: 0, or −errno. Unlike {@link #getsockopt(int,
     * int)} it carries any int, as TCP_NOTSENT_LOWAT's unsigned value (UINT_MAX reads as −1).
     */
    int getsockopt(int level, int name, int[] out) {
        if (level == PosixSockets.IPPROTO_TCP && name == PosixSockets.TCP_NOTSENT_LOWAT) {
            return call(() -> {
                if (closed) return -Errno.EBADF.number();
                out[0] = opts.notsentLowat;
                return 0;
            });
        }
        int r = getsockopt(level, name);
        if (r < 0) return r;
        out[0] = r;
        return 0;
    }

    /**
     * getsockopt of an int option: its value (≥ 0), or −errno. SO_ERROR reads and clears the error.
     * TCP_NOTSENT_LOWAT above INT_MAX reads negative here: {@link #getsockopt(int, int, int[])} tells.
     */
    int getsockopt(int level, int name) {
        return call(() -> {
            if (closed) return -Errno.EBADF.number();
            var cfg = stack.config();
            if (level == PosixSockets.SOL_SOCKET) {
                return switch (name) {
                    case PosixSockets.SO_REUSEADDR -> opts.reuseAddr ? 1 : 0;
                    case PosixSockets.SO_KEEPALIVE -> opts.keepAlive ? 1 : 0;
                    // sk_sndbuf: once the connection has a send buffer, its size (tcp_sndbuf_expand grows it
                    // at establishment unless SO_SNDBUF locked it); before, the option or tcp_wmem[1].
                    case PosixSockets.SO_SNDBUF -> conn != null && conn.sendBufferCapacity() > 0 ? conn.sendBufferCapacity()
                            : opts.sndBuf > 0 ? opts.sndBuf : cfg.tcpWmem[1];
                    case PosixSockets.SO_RCVBUF -> opts.rcvBuf > 0 ? opts.rcvBuf : cfg.tcpRmem[1];
                    case PosixSockets.SO_TYPE -> 1; // SOCK_STREAM
                    case PosixSockets.SO_ACCEPTCONN -> listener != null ? 1 : 0;
                    case PosixSockets.SO_ZEROCOPY -> opts.zerocopy ? 1 : 0;
                    case PosixSockets.SO_TIMESTAMPING -> opts.tsFlags;
                    case PosixSockets.SO_MARK -> opts.mark;
                    case PosixSockets.SO_ERROR -> {
                        Errno e = conn == null ? null : conn.takeError();
                        yield e == null ? 0 : e.number();
                    }
                    default -> -Errno.ENOPROTOOPT.number();
                };
            }
            if (level == PosixSockets.SOL_IP) {
                return switch (name) {
                    case PosixSockets.IP_TOS -> tos;
                    case PosixSockets.IP_MTU_DISCOVER -> pmtudisc;
                    default -> -Errno.ENOPROTOOPT.number();
                };
            }
            if (level != PosixSockets.IPPROTO_TCP) return -Errno.ENOPROTOOPT.number();
            return switch (name) {
                case PosixSockets.TCP_NODELAY -> opts.noDelay ? 1 : 0;
                case PosixSockets.TCP_CORK -> opts.cork ? 1 : 0;
                case PosixSockets.TCP_NOTSENT_LOWAT -> opts.notsentLowat;
                case PosixSockets.TCP_KEEPIDLE -> opts.keepIdleSec > 0 ? opts.keepIdleSec : cfg.tcpKeepaliveTime;
                case PosixSockets.TCP_KEEPINTVL -> opts.keepIntvlSec > 0 ? opts.keepIntvlSec : cfg.tcpKeepaliveIntvl;
                case PosixSockets.TCP_KEEPCNT -> opts.keepCnt > 0 ? opts.keepCnt : cfg.tcpKeepaliveProbes;
                case PosixSockets.TCP_SYNCNT -> opts.synCnt > 0 ? opts.synCnt : cfg.tcpSynRetries;
                case PosixSockets.TCP_USER_TIMEOUT -> opts.userTimeoutMs;
                case PosixSockets.TCP_QUICKACK -> opts.quickAck ? 1 : 0;
                case PosixSockets.TCP_INQ -> opts.recvInq ? 1 : 0;
                case PosixSockets.TCP_FASTOPEN -> opts.fastOpenQlen; // fastopenq.max_qlen
                case PosixSockets.TCP_FASTOPEN_CONNECT -> opts.fastOpenConnect ? 1 : 0;
                case PosixSockets.TCP_FASTOPEN_NO_COOKIE -> opts.fastOpenNoCookie ? 1 : 0;
                // TCP_MAXSEG: mss_cache once connected, TCP_MSS_DEFAULT (536) before; user_mss in CLOSE/LISTEN.
                case PosixSockets.TCP_MAXSEG -> conn != null && conn.state().isSynchronized() ? conn.mss()
                        : opts.userMss > 0 ? opts.userMss : 536;
                default -> -Errno.ENOPROTOOPT.number();
            };
        });
    }

    /** SO_LINGER {onoff, linger seconds}. */
    int setLinger(boolean on, int seconds) {
        return call(() -> {
            if (closed) return -Errno.EBADF.number();
            opts.linger = on;
            opts.lingerSec = Math.max(0, seconds);
            return 0;
        });
    }

    /** SO_RCVTIMEO / SO_SNDTIMEO in ns (0 = forever). */
    int setTimeout(int name, long ns) {
        return call(() -> {
            if (closed) return -Errno.EBADF.number();
            if (name == PosixSockets.SO_RCVTIMEO) rcvTimeoNs = Math.max(0, ns);
            else if (name == PosixSockets.SO_SNDTIMEO) sndTimeoNs = Math.max(0, ns);
            else return -Errno.ENOPROTOOPT.number();
            return 0;
        });
    }

    /** SO_LINGER as getsockopt returns it: {l_onoff, l_linger}; null when closed. */
    int[] linger() {
        return call(() -> closed ? null : new int[] {opts.linger ? 1 : 0, opts.lingerSec});
    }

    /** SO_RCVTIMEO / SO_SNDTIMEO in ns (0 = forever), or −errno. */
    long timeout(int name) {
        return call(() -> {
            if (closed) return (long) -Errno.EBADF.number();
            if (name == PosixSockets.SO_RCVTIMEO) return rcvTimeoNs;
            if (name == PosixSockets.SO_SNDTIMEO) return sndTimeoNs;
            return (long) -Errno.ENOPROTOOPT.number();
        });
    }

    long readTimeoutNs() { return nonBlocking ? NONBLOCK : rcvTimeoNs == 0 ? FOREVER : rcvTimeoNs; }

    long sendTimeoutNs() { return nonBlocking ? NONBLOCK : sndTimeoNs == 0 ? FOREVER : sndTimeoNs; }

    // ---- poll ----------------------------------------------------------------------------------

    /** The events as Linux's tcp_poll computes them (net/ipv4/tcp.c); POLLNVAL when closed. */
    int pollMask() {
        if (closed) return PosixSockets.POLLNVAL;
        if (listener != null) return listener.acceptQueueLength() > 0 ? PosixSockets.POLLIN | PosixSockets.POLLRDNORM : 0;
        // tcp_poll: "Active TCP fastopen socket with defer_connect": POLLOUT, so that write() sends the SYN.
        if (deferConnect) return PosixSockets.POLLOUT | PosixSockets.POLLWRNORM;
        int mask = 0;
        TcpState st = conn == null ? TcpState.CLOSE : conn.state();
        boolean rcvShut = conn == null ? shutRd : conn.receiveShutdown() || shutRd;
        boolean sndShut = conn == null ? shutWr : conn.sendShutdown() || shutWr;
        if ((rcvShut && sndShut) || st == TcpState.CLOSE) mask |= PosixSockets.POLLHUP;
        if (rcvShut) mask |= PosixSockets.POLLIN | PosixSockets.POLLRDNORM | PosixSockets.POLLRDHUP;
        if (st != TcpState.SYN_SENT && st != TcpState.SYN_RECV) {
            if (conn != null && conn.readable() > 0) mask |= PosixSockets.POLLIN | PosixSockets.POLLRDNORM;
            if (sndShut || conn == null || streamWriteable()) mask |= PosixSockets.POLLOUT | PosixSockets.POLLWRNORM;
        }
        // tcp_poll: "if (sk->sk_err || !skb_queue_empty_lockless(&sk->sk_error_queue)) mask |= EPOLLERR".
        if ((conn != null && conn.pendingError() != null) || !errq.isEmpty()) mask |= PosixSockets.POLLERR;
        return mask;
    }

    /** __sk_stream_is_writeable: free space at least half of what is queued (sk_stream_min_wspace). */
    private boolean streamWriteable() {
        int used = conn.unacked(), cap = conn.sendBufferCapacity();
        return used < cap && cap - used >= used / 2 && conn.belowNotsentLowat();
    }

    /**
     * poll(2) over sockets of one runtime: waits until one of them has an event asked for (POLLERR and
     * POLLHUP always count) or the timeout passes; fills {@code revents}.
     *
     * @return the number of sockets with events, 0 on timeout
     */
    static int poll(Runtime rt, KernelSocket[] socks, int[] events, int[] revents, long timeoutNs) {
        WaitList w = new WaitList();
        BooleanSupplier ready = () -> scan(socks, events, revents) > 0;
        int n = rt.call(() -> scan(socks, events, revents));
        if (n > 0 || timeoutNs == NONBLOCK) return n;
        rt.call(() -> {
            for (KernelSocket s : socks) if (s != null) s.addPoller(w);
            return null;
        });
        try {
            rt.await(w, ready, timeoutNs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            rt.call(() -> {
                for (KernelSocket s : socks) if (s != null) s.removePoller(w);
                return null;
            });
        }
        return rt.call(() -> scan(socks, events, revents));
    }

    private static int scan(KernelSocket[] socks, int[] events, int[] revents) {
        int n = 0;
        for (int i = 0; i < socks.length; i++) {
            int m = socks[i] == null ? PosixSockets.POLLNVAL : socks[i].pollMask();
            revents[i] = m & (events[i] | PosixSockets.POLLERR | PosixSockets.POLLHUP | PosixSockets.POLLNVAL);
            if (revents[i] != 0) n++;
        }
        return n;
    }
}
