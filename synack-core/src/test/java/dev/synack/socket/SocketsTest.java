package dev.synack.socket;

import static dev.synack.socket.PosixSockets.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.synack.link.MemoryLink;
import dev.synack.runtime.VirtualRuntime;
import dev.synack.tcp.Errno;
import dev.synack.tcp.TcpState;
import dev.synack.testbed.Veth;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.TcpHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Blocking and non-blocking sockets on two hosts joined by 10 ms one-way in-memory links, in virtual
 * time: every option and error path, with the virtual time at which it happens (RTT 20 ms).
 */
class SocketsTest {
    static final String A = "198.18.0.1", B = "198.18.0.2";
    static final InetSocketAddress B80 = new InetSocketAddress(B, 80), B81 = new InetSocketAddress(B, 81);
    VirtualRuntime rt;
    Kernel a, b;
    MemoryLink ab, ba;
    final List<TraceEvent> events = new ArrayList<>();

    @BeforeEach
    void setUp() {
        rt = new VirtualRuntime();
        a = Kernel.create(rt, "a", 1);
        b = Kernel.create(rt, "b", 2);
        Veth veth = Veth.connect(a, A, b, B, 24, 10_000_000);
        ab = veth.aToB();
        ba = veth.bToA();
        a.stack().setTracer(events::add);
        b.stack().setTracer(events::add);
    }

    long ms() { return rt.nowNs() / 1_000_000; }

    static <T extends Throwable> T errno(T t, Errno e) {
        assertEquals(e, ((ErrnoCarrier) t).errno(), "errno of " + t);
        return t;
    }

    /** A server process on b:80 that accepts one connection and runs {@code body} with it. */
    void serve(ServerBody body) {
        rt.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(b, 80)) {
                TcpSocket s = ss.accept();
                body.run(s);
            }
        });
    }

    interface ServerBody {
        void run(TcpSocket s) throws Exception;
    }

    TcpSocket connected() throws IOException {
        TcpSocket c = new TcpSocket(a);
        c.connect(B80, 1000);
        return c;
    }

    // ---- connect -----------------------------------------------------------------------------

    @Test
    void refusedConnectIsConnectExceptionAfterOneRoundTrip() {
        TcpSocket c = new TcpSocket(a);
        var e = assertThrows(ConnectException.class, () -> c.connect(B81));
        assertEquals("Connection refused", e.getMessage());
        errno(e, Errno.ECONNREFUSED);
        assertEquals(20, ms(), "SYN 10 ms out, RST,ACK 10 ms back");
        assertTrue(c.isClosed(), "java.net.Socket closes a socket whose connect failed");
        assertTrue(events.stream().anyMatch(ev -> ev instanceof TraceEvent.AppCall call
                && call.call().equals("connect(198.18.0.2:81)")
                && call.result().equals("ECONNREFUSED (ConnectException: Connection refused)")), events.toString());
    }

    @Test
    void connectTimeoutIsSocketTimeoutExceptionAtExactlyTheTimeout() {
        ab.loss(1.0); // every SYN lost
        TcpSocket c = new TcpSocket(a);
        var e = assertThrows(SocketTimeoutException.class, () -> c.connect(B80, 3000));
        assertEquals("Connect timed out", e.getMessage());
        errno(e, Errno.EINPROGRESS);
        assertEquals(3000, ms());
        assertTrue(c.isClosed());
    }

    @Test
    void connectWithoutTimeoutGivesUpWhenTheSynRetriesRunOut() {
        ab.loss(1.0);
        TcpSocket c = new TcpSocket(a);
        var e = assertThrows(ConnectException.class, () -> c.connect(B80));
        assertEquals("Connection timed out", e.getMessage());
        errno(e, Errno.ETIMEDOUT);
        // Linux 6.18, tcp_syn_retries 6 and tcp_syn_linear_timeouts 4: SYNs at 0,1,2,3,4,5,7,11,19,35,67 s; gives up at 131 s.
        assertEquals(131_000, ms());
    }

    @Test
    void sndtimeoBoundsABlockingConnectWithEinprogressThenEalready() {
        ab.loss(1.0);
        PosixSockets p = a.posix();
        int fd = p.socket();
        assertEquals(0, p.setsockoptTimeval(fd, SO_SNDTIMEO, 3_000_000));
        // inet_stream_connect with sk_sndtimeo: the wait ends, the SYNs go on.
        assertEquals(-Errno.EINPROGRESS.number(), p.connect(fd, B, 80));
        assertEquals(3000, ms());
        assertEquals(TcpState.SYN_SENT, a.runtime().call(() -> a.stack().connections().getFirst().state()));
        assertEquals(-Errno.EALREADY.number(), p.connect(fd, B, 80));
        assertEquals(6000, ms());
    }

    /** The struct-valued options read back what was set; an int getsockopt of them is EINVAL. */
    @Test
    void lingerAndTimeoutsReadBack() {
        PosixSockets p = a.posix();
        int fd = p.socket();
        assertArrayEquals(new int[] {0, 0}, p.getsockoptLinger(fd));
        assertEquals(0, p.setsockoptLinger(fd, true, 5));
        assertArrayEquals(new int[] {1, 5}, p.getsockoptLinger(fd));
        assertEquals(0, p.getsockoptTimeval(fd, SO_SNDTIMEO));
        assertEquals(0, p.setsockoptTimeval(fd, SO_SNDTIMEO, 1_500_000));
        assertEquals(1_500_000, p.getsockoptTimeval(fd, SO_SNDTIMEO));
        assertEquals(-Errno.EINVAL.number(), p.getsockopt(fd, PosixSockets.SOL_SOCKET, PosixSockets.SO_LINGER));
        assertEquals(-Errno.EINVAL.number(), p.getsockopt(fd, PosixSockets.IPPROTO_TCP, PosixSockets.TCP_INFO));
        assertEquals(0, p.close(fd));
        assertEquals(null, p.getsockoptLinger(fd));
        assertEquals(-Errno.EBADF.number(), p.getsockoptTimeval(fd, SO_SNDTIMEO));
    }

    @Test
    void nonBlockingConnectThenPollTimesOutAndSoErrorIsZero() {
        ab.loss(1.0);
        PosixSockets p = a.posix();
        int fd = p.socket();
        assertEquals(0, p.fcntl(fd, F_SETFL, O_NONBLOCK));
        assertEquals(O_RDWR | O_NONBLOCK, p.fcntl(fd, F_GETFL, 0));
        assertEquals(-Errno.EINPROGRESS.number(), p.connect(fd, B, 80));
        assertEquals(-Errno.EALREADY.number(), p.connect(fd, B, 80));
        var pfd = new PollFd(fd, POLLOUT);
        assertEquals(0, p.poll(new PollFd[] {pfd}, 3000));
        assertEquals(0, pfd.revents);
        assertEquals(3000, ms());
        assertEquals(0, p.getsockopt(fd, SOL_SOCKET, SO_ERROR));
    }

    /**
     * shutdown() in SYN_SENT: inet_shutdown → tcp_disconnect (net/ipv4/af_inet.c): 0, nothing on the wire,
     * sk_err = ECONNRESET, and the socket is unconnected again, so a new connect() starts afresh.
     */
    @Test
    void shutdownWhileConnectingDisconnectsWithEconnreset() {
        ab.loss(1.0);
        PosixSockets p = a.posix();
        int fd = p.socket();
        p.fcntl(fd, F_SETFL, O_NONBLOCK);
        assertEquals(-Errno.EINPROGRESS.number(), p.connect(fd, B, 80));
        assertEquals(0, p.shutdown(fd, SHUT_WR));
        assertEquals(Errno.ECONNRESET.number(), p.getsockopt(fd, SOL_SOCKET, SO_ERROR));
        assertEquals(0, p.getsockopt(fd, SOL_SOCKET, SO_ERROR));
        assertEquals(-Errno.EINPROGRESS.number(), p.connect(fd, B, 80), "unconnected again: a new attempt");
    }

    @Test
    void nonBlockingConnectRefusedPollsOutErrHupAndSoErrorIsReadOnce() {
        PosixSockets p = a.posix();
        int fd = p.socket();
        p.fcntl(fd, F_SETFL, O_NONBLOCK);
        assertEquals(-Errno.EINPROGRESS.number(), p.connect(fd, B, 81));
        var pfd = new PollFd(fd, POLLOUT);
        assertEquals(1, p.poll(new PollFd[] {pfd}, 3000));
        assertEquals("POLLOUT|POLLERR|POLLHUP", pollBits(pfd.revents));
        assertEquals(20, ms());
        assertEquals(Errno.ECONNREFUSED.number(), p.getsockopt(fd, SOL_SOCKET, SO_ERROR));
        assertEquals(0, p.getsockopt(fd, SOL_SOCKET, SO_ERROR), "SO_ERROR clears the error");
        assertEquals(-Errno.ECONNABORTED.number(), p.connect(fd, B, 81), "sock_error with no error left");
    }

    /** ioctl(SIOCINQ) as tcp_ioctl: the unread bytes; EINVAL on a listener; ENOTTY for a request no layer knows. */
    @Test
    void siocinqCountsTheUnreadBytes() throws Exception {
        serve(s -> {
            s.getOutputStream().write(new byte[1000]);
            rt.sleep(1_000_000_000L);
            s.close();
        });
        PosixSockets p = a.posix();
        int lfd = p.socket();
        assertEquals(0, p.listen(lfd, 1));
        assertEquals(-Errno.EINVAL.number(), p.ioctl(lfd, SIOCINQ));
        int fd = p.socket();
        assertEquals(0, p.ioctl(fd, FIONREAD), "no connection");
        assertEquals(0, p.connect(fd, B, 80));
        assertEquals(1, p.poll(new PollFd[] {new PollFd(fd, POLLIN)}, 3000));
        assertEquals(1000, p.ioctl(fd, SIOCINQ));
        assertEquals(400, p.read(fd, new byte[400], 0, 400));
        assertEquals(600, p.ioctl(fd, SIOCINQ));
        assertEquals(-Errno.ENOTTY.number(), p.ioctl(fd, 0x1234));
        assertEquals(-Errno.EBADF.number(), p.ioctl(99, SIOCINQ));
        rt.runUntilDone(2_000_000_000L);
    }

    @Test
    void constantsByTheirCNames() {
        assertEquals(SO_SNDBUF, constant("SO_SNDBUF").getAsInt());
        assertEquals(IPPROTO_TCP, constant("SOL_TCP").getAsInt());
        assertEquals(O_RDWR | O_NONBLOCK, constant("O_RDWR").getAsInt() | constant("O_NONBLOCK").getAsInt());
        assertEquals(23, constant("TCP_FASTOPEN").getAsInt());
        assertTrue(constant("TCP_MD5SIG").isEmpty(), "an option PosixSockets lacks");
        assertEquals(0x8000, constant("MSG_MORE").getAsInt());
    }

    /** TCP_CORK: any non-zero int sets it, getsockopt says 0 or 1 (do_tcp_getsockopt: !!(nonagle & CORK)). */
    @Test
    void corkOptionReadsBackAsZeroOrOne() {
        PosixSockets p = a.posix();
        int fd = p.socket();
        assertEquals(0, p.getsockopt(fd, IPPROTO_TCP, TCP_CORK));
        assertEquals(0, p.setsockopt(fd, IPPROTO_TCP, TCP_CORK, 7));
        assertEquals(1, p.getsockopt(fd, IPPROTO_TCP, TCP_CORK));
        assertEquals(0, p.setsockopt(fd, IPPROTO_TCP, TCP_CORK, 0));
        assertEquals(0, p.getsockopt(fd, IPPROTO_TCP, TCP_CORK));
        assertEquals(-Errno.EBADF.number(), p.send(99, new byte[1], 0, 1, MSG_MORE));
        assertEquals(-Errno.EINVAL.number(), p.setsockopt(fd, IPPROTO_TCP, TCP_CORK, 1, 2)); // optlen < sizeof(int)
        assertEquals(0, p.setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, -1, 4));
        int[] v = new int[1];
        assertEquals(0, p.getsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, v));
        assertEquals(-1, v[0]); // UINT_MAX, as C's int reads it
    }

    @Test
    void nonBlockingConnectSucceedsThenZeroThenEisconn() throws Exception {
        rt.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(b, 80)) {
                ss.accept().close();
            }
        });
        PosixSockets p = a.posix();
        int fd = p.socket();
        p.fcntl(fd, F_SETFL, O_NONBLOCK);
        assertEquals(-Errno.EINPROGRESS.number(), p.connect(fd, B, 80));
        var pfd = new PollFd(fd, POLLOUT);
        assertEquals(1, p.poll(new PollFd[] {pfd}, 3000));
        assertEquals(POLLOUT, pfd.revents);
        assertEquals(20, ms());
        assertEquals(0, p.getsockopt(fd, SOL_SOCKET, SO_ERROR));
        // __inet_stream_connect: SS_CONNECTING and established → 0 once, then EISCONN.
        assertEquals(0, p.connect(fd, B, 80));
        assertEquals(-Errno.EISCONN.number(), p.connect(fd, B, 80));
    }

    @Test
    void pollerOverTcpSocketsDoesTheSameNonBlockingConnect() throws Exception {
        TcpSocket c = new TcpSocket(a);
        assertFalse(c.startConnect(B81));
        int[] rev = Poller.poll(List.of(new Poller.Interest(c, POLLOUT)), 3000);
        assertEquals(POLLOUT | POLLERR | POLLHUP, rev[0]);
        assertEquals(Errno.ECONNREFUSED, c.takeError());
        assertNull(c.takeError());
    }

    @Test
    void noRouteIsNetworkUnreachableAtOnce() {
        TcpSocket c = new TcpSocket(a);
        var e = assertThrows(SocketException.class, () -> c.connect(new InetSocketAddress("203.0.113.1", 80)));
        assertEquals("Network is unreachable", e.getMessage());
        errno(e, Errno.ENETUNREACH);
        assertEquals(0, ms());
        assertEquals(-Errno.ENETUNREACH.number(), a.posix().connect(a.posix().socket(), "203.0.113.1", 80));
    }

    @Test
    void errnoMappingFollowsTheJdk() {
        var host = SynackExceptions.of(SynackExceptions.Op.CONNECT, Errno.EHOSTUNREACH);
        assertInstanceOf(NoRouteToHostException.class, host);
        assertEquals("No route to host", host.getMessage());
        var inUse = SynackExceptions.of(SynackExceptions.Op.BIND, Errno.EADDRINUSE);
        assertInstanceOf(BindException.class, inUse);
        assertEquals("Address already in use", inUse.getMessage());
        assertEquals("Connection reset", SynackExceptions.of(SynackExceptions.Op.READ, Errno.ECONNRESET).getMessage());
        assertEquals("Connection reset by peer", SynackExceptions.of(SynackExceptions.Op.WRITE, Errno.ECONNRESET).getMessage());
        assertEquals("Connection timed out", SynackExceptions.of(SynackExceptions.Op.READ, Errno.ETIMEDOUT).getMessage());
    }

    // ---- read / write ------------------------------------------------------------------------

    @Test
    void readTimeoutIsSocketTimeoutExceptionAndTheSocketStaysUsable() throws Exception {
        serve(s -> {
            rt.sleep(1_000_000_000L);
            s.getOutputStream().write(42);
            s.getInputStream().read();
        });
        TcpSocket c = connected();
        long t0 = ms();
        c.setSoTimeout(500);
        var e = assertThrows(SocketTimeoutException.class, () -> c.getInputStream().read());
        assertEquals("Read timed out", e.getMessage());
        errno(e, Errno.EAGAIN);
        assertEquals(t0 + 500, ms());
        c.setSoTimeout(0);
        assertEquals(42, c.getInputStream().read());
        assertEquals(1040, ms(), "accepted at 30 ms (the third segment), written 1 s later, 10 ms on the wire");
        c.close();
        rt.runUntilDone(10_000_000_000L);
    }

    @Test
    void resetOnReadThenConnectionResetAgainThenBrokenPipe() throws Exception {
        serve(s -> {
            s.setSoLinger(true, 0);
            s.close();
        });
        TcpSocket c = connected();
        var e = assertThrows(SocketException.class, () -> c.getInputStream().read());
        assertEquals("Connection reset", e.getMessage());
        errno(e, Errno.ECONNRESET);
        assertEquals(40, ms(), "accepted and reset at 30 ms (the third segment arrives), the RST lands at 40");
        var again = assertThrows(SocketException.class, () -> c.getInputStream().read());
        assertEquals("Connection reset", again.getMessage(), "the JDK remembers a reset");
        var w = assertThrows(SocketException.class, () -> c.getOutputStream().write(1));
        assertEquals("Broken pipe", w.getMessage());
        errno(w, Errno.EPIPE);
        rt.runUntilDone(1_000_000_000L);
    }

    @Test
    void firstWriteAfterResetIsConnectionResetByPeer() throws Exception {
        serve(s -> {
            s.setSoLinger(true, 0);
            s.close();
        });
        TcpSocket c = connected();
        rt.sleep(50_000_000);
        var w = assertThrows(SocketException.class, () -> c.getOutputStream().write(1));
        assertEquals("Connection reset by peer", w.getMessage());
        errno(w, Errno.ECONNRESET);
        var w2 = assertThrows(SocketException.class, () -> c.getOutputStream().write(1));
        assertEquals("Broken pipe", w2.getMessage());
        rt.runUntilDone(1_000_000_000L);
    }

    @Test
    void writingToAClosedPeerGetsRstThenBrokenPipe() throws Exception {
        serve(TcpSocket::close);
        TcpSocket c = connected();
        assertEquals(-1, c.getInputStream().read(), "the FIN");
        assertEquals(40, ms());
        c.getOutputStream().write(1); // lands on an orphaned socket: RST (tcp_rcv_state_process, TCPAbortOnData)
        rt.sleep(20_000_000);
        var w = assertThrows(SocketException.class, () -> c.getOutputStream().write(1));
        assertEquals("Broken pipe", w.getMessage());
        errno(w, Errno.EPIPE);
        rt.runUntilDone(1_000_000_000L);
    }

    @Test
    void blockingWriteWaitsWhileTheSendBufferIsFullNonBlockingTakesWhatFits() throws Exception {
        AtomicReference<Long> readAt = new AtomicReference<>();
        serve(s -> {
            rt.sleep(5_000_000_000L);
            readAt.set(ms());
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) total += n;
            assertEquals(3_000_000, total);
        });
        TcpSocket c = connected();
        byte[] big = new byte[3_000_000];
        c.getOutputStream().write(big);
        assertTrue(ms() > 5000, "the write finished at " + ms() + " ms, after the reader started at 5020 ms");
        // Non-blocking: the fd layer takes what fits.
        c.close();
        rt.runUntilDone(60_000_000_000L);

        PosixSockets p = a.posix();
        rt.spawn("sink", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(b, 90)) {
                TcpSocket s = ss.accept();
                rt.sleep(10_000_000_000L);
                s.close();
            }
        });
        int fd = p.socket();
        assertEquals(0, p.connect(fd, B, 90));
        assertEquals(87040, p.getsockopt(fd, SOL_SOCKET, SO_SNDBUF), "getsockopt reports sk_sndbuf");
        p.fcntl(fd, F_SETFL, O_NONBLOCK);
        int n = p.write(fd, big, 0, big.length);
        // tcp_wmem[1] = 16384 is expanded at establishment to 87040 (tcp_sndbuf_expand, MSS 1460), and
        // tcp_sendmsg fills skbs of 22 MSS (half the peer's 65160 window): the first one pushed (10 sent),
        // its unsent rest topped up, then new skbs while below 87040: 31856 + 14480 + 2 × 31856 = 110048.
        assertEquals(110048, n, "sk_sndbuf after tcp_sndbuf_expand, overfilled by one skb");
        assertEquals(-Errno.EAGAIN.number(), p.write(fd, big, 0, 100));
        p.close(fd);
    }

    // ---- half-close ----------------------------------------------------------------------------

    @Test
    void halfCloseTheSideThatShutOutputStillReadsEverything() throws Exception {
        byte[] reply = new byte[200_000];
        for (int i = 0; i < reply.length; i++) reply[i] = (byte) i;
        serve(s -> {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            int n;
            byte[] buf = new byte[1000];
            while ((n = in.read(buf)) > 0) req.write(buf, 0, n);
            assertEquals("request", req.toString());
            assertEquals(TcpState.CLOSE_WAIT, s.state());
            s.getOutputStream().write(reply);
            s.close();
        });
        TcpSocket c = connected();
        c.getOutputStream().write("request".getBytes());
        c.shutdownOutput();
        assertTrue(c.isOutputShutdown());
        assertEquals("Socket output is shutdown", assertThrows(SocketException.class, c::getOutputStream).getMessage());
        byte[] got = c.getInputStream().readAllBytes();
        assertArrayEquals(reply, got);
        rt.runUntilDone(10_000_000_000L);
        assertEquals(TcpState.TIME_WAIT, c.state(), "we sent the first FIN");
    }

    @Test
    void pollReportsFinAsInRdhupAndBothShutAsHup() throws Exception {
        serve(s -> s.shutdownOutput());
        TcpSocket c = connected();
        rt.sleep(20_000_000);
        int[] rev = Poller.poll(List.of(new Poller.Interest(c, POLLIN | POLLRDHUP)), 0);
        assertEquals(POLLIN | POLLRDHUP, rev[0]);
        c.shutdownOutput();
        rev = Poller.poll(List.of(new Poller.Interest(c, POLLIN)), 0);
        assertEquals(POLLIN | POLLHUP, rev[0]);
        rt.runUntilDone(1_000_000_000L);
    }

    // ---- options -------------------------------------------------------------------------------

    @Test
    void keepAliveParamsProbeAndTimeOut() throws Exception {
        serve(s -> rt.sleep(1000_000_000_000L));
        TcpSocket c = connected();
        c.setKeepAlive(true);
        c.setKeepAliveParams(10, 5, 3);
        assertEquals(10, c.getKeepAliveIdle());
        assertEquals(5, c.getKeepAliveInterval());
        assertEquals(3, c.getKeepAliveCount());
        long t0 = ms();
        ab.loss(1.0);
        var e = assertThrows(SocketException.class, () -> c.getInputStream().read());
        assertEquals("Connection timed out", e.getMessage());
        errno(e, Errno.ETIMEDOUT);
        // probes at 10, 15, 20 s idle; the third unanswered at 25 s ends it (tcp_keepalive_timer).
        assertEquals(t0 + 25_000, ms());
        assertEquals(3, keepaliveProbes());
        assertThrows(SocketException.class, () -> c.setKeepAliveParams(0, 5, 3)).getMessage();
        assertEquals("Invalid argument", assertThrows(SocketException.class, () -> new TcpSocket(a).setKeepAliveParams(1, 1, 128)).getMessage());
    }

    long keepaliveProbes() {
        return events.stream().filter(ev -> ev instanceof TraceEvent.TimerFired t && t.timer().equals("keepalive")
                && t.host().equals("a")).count() - 1;
    }

    @Test
    void userTimeoutEndsAConnectionWithUnacknowledgedData() throws Exception {
        serve(s -> rt.sleep(1000_000_000_000L));
        TcpSocket c = connected();
        c.setUserTimeout(5000);
        assertEquals(5000, c.getUserTimeout());
        ab.loss(1.0);
        long t0 = ms();
        c.getOutputStream().write(new byte[100]);
        var e = assertThrows(SocketException.class, () -> c.getInputStream().read());
        assertEquals("Connection timed out", e.getMessage());
        errno(e, Errno.ETIMEDOUT);
        // retrans_stamp is the first RTO retransmission (the TLP before it does not set it); Linux clamps
        // the next RTO to the user timeout (tcp_clamp_rto_to_user_timeout), so it ends exactly 5 s later.
        long firstRtoMs = events.stream().filter(ev -> ev instanceof TraceEvent.TimerFired t && t.timer().equals("rto")
                && t.host().equals("a")).findFirst().orElseThrow().timeNs() / 1_000_000;
        assertEquals(firstRtoMs + 5000, ms());
        assertEquals(5440, ms() - t0);
    }

    @Test
    void lingerZeroCloseSendsRstAndThePeerSeesReset() throws Exception {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        serve(s -> {
            try {
                s.getInputStream().read();
            } catch (SocketException e) {
                seen.set(e);
            }
        });
        TcpSocket c = connected();
        c.setSoLinger(true, 0);
        assertEquals(0, c.getSoLinger());
        c.close();
        rt.runUntilDone(1_000_000_000L);
        assertEquals("Connection reset", seen.get().getMessage());
        assertEquals(TcpState.CLOSE, c.state());
        long rsts = events.stream().filter(ev -> ev instanceof TraceEvent.Packet pk && pk.outbound() && pk.host().equals("a")
                && (TcpHeader.flags(pk.bytes(), 20) & TcpHeader.RST) != 0).count();
        assertEquals(1, rsts);
    }

    @Test
    void lingerWithATimeWaitsForTheFinToBeAcknowledged() throws Exception {
        serve(s -> rt.sleep(1_000_000_000L));
        TcpSocket c = connected();
        c.setSoLinger(true, 5);
        long t0 = ms();
        c.close();
        // The peer ACKs the FIN with a delayed ACK; it has received no data, so its icsk_ack.ato is still 0
        // and the delayed-ACK timer fires on the next tick (one jiffy, 4 ms): 10 + 4 + 10 ms.
        assertEquals(t0 + 24, ms(), "close returned when the FIN's ACK came back");
        rt.runUntilDone(10_000_000_000L);
    }

    @Test
    void bufferSizesAreDoubledAndClampedAsLinux() throws Exception {
        TcpSocket c = new TcpSocket(a);
        assertEquals(131072, c.getReceiveBufferSize(), "tcp_rmem[1]");
        assertEquals(16384, c.getSendBufferSize(), "tcp_wmem[1]");
        c.setReceiveBufferSize(1000);
        assertEquals(2304, c.getReceiveBufferSize(), "SOCK_MIN_RCVBUF");
        c.setReceiveBufferSize(50_000);
        assertEquals(100_000, c.getReceiveBufferSize());
        c.setReceiveBufferSize(1_000_000);
        assertEquals(425_984, c.getReceiveBufferSize(), "rmem_max 212992, doubled");
        c.setSendBufferSize(1000);
        assertEquals(4608, c.getSendBufferSize(), "SOCK_MIN_SNDBUF");
        c.setSendBufferSize(30_000);
        assertEquals(60_000, c.getSendBufferSize());
        // The receive buffer bounds the window the connection offers.
        serve(s -> rt.sleep(1_000_000_000L));
        c.setReceiveBufferSize(8192);
        c.connect(B80);
        assertEquals(16384, c.getReceiveBufferSize());
        assertTrue(c.tcpInfo().rcvWnd() <= 16384, "rcv_wnd " + c.tcpInfo().rcvWnd());
        c.close();
        rt.runUntilDone(2_000_000_000L);
    }

    @Test
    void noDelayAndReuseAddressRoundTrip() throws Exception {
        TcpSocket c = new TcpSocket(a);
        assertFalse(c.getTcpNoDelay());
        c.setTcpNoDelay(true);
        assertTrue(c.getTcpNoDelay());
        assertFalse(c.getReuseAddress());
        c.setReuseAddress(true);
        assertTrue(c.getReuseAddress());
        c.close();
        assertEquals("Socket is closed", assertThrows(SocketException.class, () -> c.setTcpNoDelay(false)).getMessage());
    }

    @Test
    void bindInUseAndReuseAddrWithATimeWait() throws Exception {
        TcpServerSocket first = new TcpServerSocket(b, 80);
        var e = assertThrows(BindException.class, () -> new TcpServerSocket(b, 80));
        assertEquals("Address already in use", e.getMessage());
        errno(e, Errno.EADDRINUSE);
        // Leave a TIME_WAIT on b:80: the server closes first.
        rt.spawn("server", () -> {
            TcpSocket s = first.accept();
            s.close();
            first.close();
        });
        TcpSocket c = connected();
        assertEquals(-1, c.getInputStream().read());
        c.close();
        rt.runFor(1_000_000_000L);
        assertEquals(TcpState.TIME_WAIT, b.runtime().call(() -> b.stack().connections().getFirst().state()));
        TcpServerSocket noReuse = new TcpServerSocket(b);
        noReuse.setReuseAddress(false);
        var e2 = assertThrows(BindException.class, () -> noReuse.bind(new InetSocketAddress(80)));
        assertEquals("Address already in use", e2.getMessage());
        TcpServerSocket reuse = new TcpServerSocket(b); // SO_REUSEADDR on, as the JDK's ServerSocket
        reuse.bind(new InetSocketAddress(80));
        assertTrue(reuse.isBound());
        reuse.close();
    }

    @Test
    void acceptTimeoutAndCloseFromAnotherProcess() throws Exception {
        TcpServerSocket ss = new TcpServerSocket(b, 80);
        ss.setSoTimeout(700);
        var e = assertThrows(SocketTimeoutException.class, ss::accept);
        assertEquals("Accept timed out", e.getMessage());
        assertEquals(700, ms());
        rt.spawn("closer", () -> {
            rt.sleep(100_000_000);
            ss.close();
        });
        ss.setSoTimeout(0);
        assertEquals("Socket closed", assertThrows(SocketException.class, ss::accept).getMessage());
        assertEquals(800, ms());
    }

    @Test
    void killingAProcessClosesItsSocketsWithAFin() throws Exception {
        var proc = rt.spawn("server", () -> {
            TcpServerSocket ss = new TcpServerSocket(b, 80);
            ss.accept();
            rt.sleep(1000_000_000_000L);
        });
        TcpSocket c = connected();
        rt.sleep(100_000_000);
        proc.kill();
        assertEquals(-1, c.getInputStream().read(), "FIN from the kernel closing the dead process's socket");
        assertEquals(130, ms());
    }

    @Test
    void ssListsListenersAndConnectionsWithTimers() throws Exception {
        serve(s -> rt.sleep(1_000_000_000L));
        TcpSocket c = connected();
        ab.loss(1.0);
        c.getOutputStream().write(new byte[10]);
        rt.sleep(100_000_000);
        String ss = SocketStats.ss(a.stack());
        System.out.println(ss);
        assertTrue(ss.startsWith("State"), ss);
        assertTrue(ss.contains("ESTAB"), ss);
        assertTrue(ss.contains("198.18.0.2:80"), ss);
        assertTrue(ss.matches("(?s).*timer:\\(on,\\d+ms,0\\).*"), ss);
        assertTrue(ss.contains("cwnd:10"), ss);
        String sb = SocketStats.ss(b.stack());
        assertTrue(sb.contains("ESTAB"), sb);
        System.out.println(sb);
    }
}
