package dev.synack.socket;

import static dev.synack.socket.PosixSockets.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.tcp.Errno;
import dev.synack.tcp.FastOpen;
import dev.synack.testbed.Veth;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MSG_ZEROCOPY, SO_TIMESTAMPING, TCP_INQ and epoll through {@link PosixSockets}, on two hosts joined
 * by 10 ms one-way links of 10 Mbit/s in virtual time, with the values Linux 6.18 gives.
 */
class SocketApiTest {
    static final String A = "198.18.0.1", B = "198.18.0.2";
    VirtualRuntime rt;
    Kernel a, b;
    PosixSockets p, q;
    final byte[] buf = new byte[1 << 16];

    @BeforeEach
    void setUp() {
        rt = new VirtualRuntime();
        a = Kernel.create(rt, "a", 1);
        b = Kernel.create(rt, "b", 2);
        Veth.connect(a, A, b, B, 24, 10_000_000);
        p = a.posix();
        q = b.posix();
    }

    long us() { return rt.nowNs() / 1000; }

    /** Lets {@code ms} of virtual time pass (a poll of nothing). */
    void idle(int ms) { p.poll(new PollFd[0], ms); }

    private static final int EINVAL = -Errno.EINVAL.number(), EAGAIN = -Errno.EAGAIN.number();

    /** A connected pair: {a's fd, b's accepted fd}; a's socket gets {@code setup} before connect. */
    int[] connect(java.util.function.IntConsumer setup) {
        int l = q.socket();
        assertEquals(0, q.bind(l, "0.0.0.0", 80));
        assertEquals(0, q.listen(l, 8));
        int fd = p.socket();
        setup.accept(fd);
        assertEquals(0, p.connect(fd, B, 80));
        int c = q.accept(l);
        assertTrue(c >= 0);
        return new int[] {fd, c};
    }

    RecvMsg errqueue(int fd) { return p.recvmsg(fd, buf, 0, 0, MSG_ERRQUEUE, 256); }

    // ---- MSG_ZEROCOPY ----------------------------------------------------------------------------

    @Test
    void soZerocopyTakesZeroOrOne() {
        int fd = p.socket();
        assertEquals(EINVAL, p.setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, 2));
        assertEquals(EINVAL, p.setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, -1));
        assertEquals(EINVAL, p.setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, 1, 2), "optlen below an int");
        assertEquals(0, p.getsockopt(fd, SOL_SOCKET, SO_ZEROCOPY));
        assertEquals(0, p.setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, 1));
        assertEquals(1, p.getsockopt(fd, SOL_SOCKET, SO_ZEROCOPY));
    }

    @Test
    void eachSendGetsAnIdThatCompletesWhenAcknowledged() {
        int[] fds = connect(fd -> p.setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, 1));
        int fd = fds[0];
        assertEquals(4000, p.send(fd, buf, 0, 4000, MSG_ZEROCOPY));
        assertEquals(new RecvMsg(EAGAIN, 0, List.of()), errqueue(fd), "not acknowledged yet: nothing, and no waiting");
        PollFd pfd = new PollFd(fd, 0);
        long t0 = us();
        assertEquals(1, p.poll(new PollFd[] {pfd}, 1000));
        assertEquals(POLLERR, pfd.revents & POLLERR, "POLLERR while the error queue holds a message");
        assertTrue(us() - t0 >= 20_000, "the ACK comes a round trip later: " + (us() - t0));
        assertEquals(new RecvMsg(0, MSG_ERRQUEUE, List.of(new Cmsg.RecvErr(ExtendedError.zerocopy(0, 0, true)))), errqueue(fd));
        assertEquals(EAGAIN, errqueue(fd).result());
        assertEquals(1000, p.send(fd, buf, 0, 1000, MSG_ZEROCOPY));
        idle(100);
        assertEquals(new Cmsg.RecvErr(ExtendedError.zerocopy(1, 1, true)), errqueue(fd).control().getFirst());
    }

    /**
     * sendto(MSG_FASTOPEN|MSG_ZEROCOPY) (tcp_sendmsg_locked → tcp_sendmsg_fastopen → tcp_send_syn_data,
     * skb_zcopy_set(syn_data, fo->uarg)): data the SYN carries takes the next id, completed when the
     * SYN-ACK acknowledges it; a SYN that carried nothing (EINPROGRESS) took none — as
     * zerocopy/fastopen-client.pkt, which Linux 6.18 passes.
     */
    @Test
    void fastOpenSynDataTakesAZeroCopyId() {
        a.stack().config().tcpFastopen = FastOpen.TFO_CLIENT_ENABLE | FastOpen.TFO_CLIENT_NO_COOKIE;
        b.stack().config().tcpFastopen = FastOpen.TFO_SERVER_ENABLE | FastOpen.TFO_SERVER_COOKIE_NOT_REQD
                | FastOpen.TFO_SERVER_WO_SOCKOPT1;
        int l = q.socket();
        assertEquals(0, q.bind(l, "0.0.0.0", 80));
        assertEquals(0, q.listen(l, 8));
        int fd = p.socket();
        assertEquals(0, p.setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, 1));
        assertEquals(500, p.sendto(fd, buf, 0, 500, MSG_FASTOPEN | MSG_ZEROCOPY | MSG_DONTWAIT, B, 80));
        assertEquals(EAGAIN, errqueue(fd).result(), "not acknowledged yet");
        idle(100);
        assertEquals(List.of(new Cmsg.RecvErr(ExtendedError.zerocopy(0, 0, true))), errqueue(fd).control());
        assertEquals(100, p.send(fd, buf, 0, 100, MSG_ZEROCOPY));
        idle(100);
        assertEquals(List.of(new Cmsg.RecvErr(ExtendedError.zerocopy(1, 1, true))), errqueue(fd).control(), "the next id");
    }

    /**
     * An invalid buffer (null: a pointer the kernel cannot copy from or to) is EFAULT once the call gets
     * to the copy (tcp_sendmsg_locked, tcp_recvmsg): nothing is sent, received data stays queued —
     * syscall_bad_arg/syscall-invalid-buf-ptr.pkt, which Linux 6.18 passes.
     */
    @Test
    void nullBufferIsEfault() {
        int[] fds = connect(fd -> { });
        int efault = -Errno.EFAULT.number();
        assertEquals(efault, p.write(fds[0], null, 0, 1000));
        assertEquals(efault, p.send(fds[0], null, 0, 1000, 0));
        assertEquals(0, p.fcntl(fds[0], F_SETFL, O_NONBLOCK));
        assertEquals(EAGAIN, p.read(fds[0], null, 0, 1000), "no data yet: as any read");
        assertEquals(100, q.write(fds[1], buf, 0, 100));
        idle(100);
        assertEquals(efault, p.read(fds[0], null, 0, 1000));
        assertEquals(100, p.read(fds[0], buf, 0, 1000), "the data stayed queued");
    }

    @Test
    void completionsAcknowledgedTogetherComeAsOneRange() {
        int[] fds = connect(fd -> p.setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, 1));
        int fd = fds[0];
        for (int i = 0; i < 3; i++) assertEquals(100, p.send(fd, buf, 0, 100, MSG_ZEROCOPY));
        idle(100);
        assertEquals(List.of(new Cmsg.RecvErr(ExtendedError.zerocopy(0, 2, true))), errqueue(fd).control());
        assertEquals(EAGAIN, errqueue(fd).result());
    }

    @Test
    void aFailedOrEmptySendTakesNoIdAndWithoutSoZerocopyTheFlagIsIgnored() {
        int fd = p.socket();
        assertEquals(0, p.setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, 1));
        assertEquals(-Errno.EPIPE.number(), p.send(fd, buf, 0, 4000, MSG_ZEROCOPY), "not connected");
        int l = q.socket();
        q.bind(l, "0.0.0.0", 80);
        q.listen(l, 8);
        assertEquals(0, p.connect(fd, B, 80));
        assertEquals(0, p.send(fd, buf, 0, 0, MSG_ZEROCOPY));
        assertEquals(10, p.send(fd, buf, 0, 10, MSG_ZEROCOPY));
        idle(100);
        assertEquals(new Cmsg.RecvErr(ExtendedError.zerocopy(0, 0, true)), errqueue(fd).control().getFirst());
        int other = p.socket();
        assertEquals(0, p.connect(other, B, 80));
        assertEquals(10, p.send(other, buf, 0, 10, MSG_ZEROCOPY));
        idle(100);
        assertEquals(EAGAIN, errqueue(other).result());
    }

    @Test
    void anAcceptedSocketInheritsSoZerocopyAndTcpInq() {
        int l = q.socket();
        assertEquals(0, q.setsockopt(l, SOL_SOCKET, SO_ZEROCOPY, 1));
        assertEquals(0, q.setsockopt(l, SOL_TCP, TCP_INQ, 1));
        q.bind(l, "0.0.0.0", 80);
        q.listen(l, 8);
        int fd = p.socket();
        assertEquals(0, p.connect(fd, B, 80));
        int c = q.accept(l);
        assertEquals(1, q.getsockopt(c, SOL_SOCKET, SO_ZEROCOPY));
        assertEquals(1, q.getsockopt(c, SOL_TCP, TCP_INQ));
    }

    /** A zero-copy iovec of 1-byte pieces: skbs of 17 fragments, each ending a segment (tcp_mark_push). */
    @Test
    void zerocopyIovecSkbsHoldSeventeenFragments() {
        int[] fds = connect(fd -> {
            p.setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, 1);
            p.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
        });
        List<Integer> sizes = new java.util.ArrayList<>();
        a.stack().setTracer(ev -> {
            if (ev instanceof dev.synack.trace.TraceEvent.Packet pk && pk.outbound()) {
                byte[] ip = pk.bytes();
                int ihl = (ip[0] & 0xf) * 4, total = ((ip[2] & 0xff) << 8) | (ip[3] & 0xff);
                int payload = total - ihl - ((ip[ihl + 12] & 0xff) >> 4) * 4;
                if (payload > 0) sizes.add(payload);
            }
        });
        int[] iov = new int[40];
        java.util.Arrays.fill(iov, 1);
        assertEquals(40, p.sendmsg(fds[0], buf, 0, iov, MSG_ZEROCOPY));
        assertEquals(List.of(17, 17, 6), sizes);
        sizes.clear();
        assertEquals(40, p.sendmsg(fds[0], buf, 0, iov, 0));
        assertEquals(List.of(40), sizes, "copied: one skb");
    }

    // ---- SO_TIMESTAMPING ---------------------------------------------------------------------------

    static final int TS = SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_TX_ACK
            | SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID;

    @Test
    void timestampingFlagsAreCheckedAsLinuxDoes() {
        int fd = p.socket();
        assertEquals(EINVAL, p.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, SOF_TIMESTAMPING_OPT_ID), "OPT_ID in CLOSE");
        assertEquals(EINVAL, p.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, 1 << 18), "an unknown bit");
        assertEquals(EINVAL, p.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, SOF_TIMESTAMPING_OPT_ID_TCP), "OPT_ID_TCP alone");
        assertEquals(0, p.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, SOF_TIMESTAMPING_TX_SOFTWARE));
        assertEquals(SOF_TIMESTAMPING_TX_SOFTWARE, p.getsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING));
    }

    @Test
    void schedAndSndWhenTheLastByteLeavesAckWhenItIsAcknowledged() {
        int[] fds = connect(x -> {});
        int fd = fds[0];
        assertEquals(0, p.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, TS));
        assertEquals(100, p.write(fd, buf, 0, 100));
        long sent = rt.nowNs();
        assertEquals(100, p.write(fd, buf, 0, 100));
        idle(100);
        RecvMsg m = errqueue(fd);
        assertEquals(MSG_ERRQUEUE | MSG_TRUNC, m.flags(), "the message carries the packet; the iovec is empty");
        assertEquals(List.of(new Cmsg.Timestamping(sent), new Cmsg.RecvErr(ExtendedError.timestamp(SCM_TSTAMP_SCHED, 99))), m.control());
        assertEquals(new Cmsg.RecvErr(ExtendedError.timestamp(SCM_TSTAMP_SND, 99)), errqueue(fd).control().get(1));
        // Nagle holds the second write until the first is acknowledged.
        RecvMsg ack1 = errqueue(fd);
        assertEquals(new Cmsg.RecvErr(ExtendedError.timestamp(SCM_TSTAMP_ACK, 99)), ack1.control().get(1));
        long ackedNs = ((Cmsg.Timestamping) ack1.control().getFirst()).softwareNs();
        assertEquals(new Cmsg.RecvErr(ExtendedError.timestamp(SCM_TSTAMP_SCHED, 199)), errqueue(fd).control().get(1));
        assertEquals(new Cmsg.Timestamping(ackedNs), errqueue(fd).control().getFirst(), "SND of the second, sent at the ACK");
        assertEquals(new Cmsg.RecvErr(ExtendedError.timestamp(SCM_TSTAMP_ACK, 199)), errqueue(fd).control().get(1));
        assertEquals(EAGAIN, errqueue(fd).result());
    }

    @Test
    void tsonlyCarriesNoPayloadAndWithoutSoftwareThereIsNoTimestampCmsg() {
        int fd = connect(x -> {})[0];
        assertEquals(0, p.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, SOF_TIMESTAMPING_TX_ACK | SOF_TIMESTAMPING_OPT_TSONLY));
        assertEquals(10, p.write(fd, buf, 0, 10));
        idle(100);
        assertEquals(new RecvMsg(0, MSG_ERRQUEUE, List.of(new Cmsg.RecvErr(ExtendedError.timestamp(SCM_TSTAMP_ACK, 0)))), errqueue(fd),
                "no OPT_ID: ee_data 0");
    }

    @Test
    void aControlBufferTooSmallTruncates() {
        int fd = connect(x -> {})[0];
        assertEquals(0, p.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, TS));
        assertEquals(10, p.write(fd, buf, 0, 10));
        RecvMsg m = p.recvmsg(fd, buf, 0, 0, MSG_ERRQUEUE, 64);
        assertEquals(MSG_ERRQUEUE | MSG_TRUNC | MSG_CTRUNC, m.flags(), "64 bytes take the timestamp (64), not IP_RECVERR");
        assertEquals(List.of(new Cmsg.Timestamping(rt.nowNs())), m.control());
    }

    // ---- TCP_INQ -----------------------------------------------------------------------------------

    @Test
    void tcpInqTellsWhatIsLeftAndOneAfterTheFin() {
        int[] fds = connect(x -> {});
        assertEquals(EINVAL, p.setsockopt(fds[0], SOL_TCP, TCP_INQ, 2));
        assertEquals(0, p.setsockopt(fds[0], SOL_TCP, TCP_INQ, 1));
        assertEquals(3000, q.write(fds[1], buf, 0, 3000));
        idle(100);
        assertEquals(new RecvMsg(1000, 0, List.of(new Cmsg.Inq(2000))), p.recvmsg(fds[0], buf, 0, 1000, 0, 64));
        assertEquals(new RecvMsg(2000, 0, List.of(new Cmsg.Inq(0))), p.recvmsg(fds[0], buf, 0, 5000, 0, 64));
        assertEquals(0, q.close(fds[1]));
        idle(100);
        assertEquals(new RecvMsg(0, 0, List.of(new Cmsg.Inq(1))), p.recvmsg(fds[0], buf, 0, 5000, 0, 64), "EOF, SOCK_DONE: 1");
        assertEquals(new RecvMsg(0, MSG_CTRUNC, List.of()), p.recvmsg(fds[0], buf, 0, 5000, 0, 0), "no control buffer");
    }

    // ---- SOL_IP ------------------------------------------------------------------------------------

    /** IP_TOS and IP_MTU_DISCOVER, also from a single byte (do_ip_setsockopt); TCP keeps its ECN bits. */
    @Test
    void ipOptionsTakeACharAndReadBack() {
        int fd = p.socket();
        assertEquals(IP_PMTUDISC_WANT, p.getsockopt(fd, SOL_IP, IP_MTU_DISCOVER));
        assertEquals(0, p.setsockopt(fd, SOL_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT, 1));
        assertEquals(IP_PMTUDISC_DONT, p.getsockopt(fd, SOL_IP, IP_MTU_DISCOVER));
        assertEquals(EINVAL, p.setsockopt(fd, SOL_IP, IP_MTU_DISCOVER, 6, 4));
        assertEquals(0, p.setsockopt(fd, SOL_IP, IP_TOS, 0x107, 1), "one byte: 0x07");
        assertEquals(0x04, p.getsockopt(fd, SOL_IP, IP_TOS), "the ECN bits are the socket's (0)");
        assertEquals(0, p.setsockopt(fd, SOL_IP, IP_TOS, 0xb8, 4));
        assertEquals(0xb8, p.getsockopt(fd, SOL_IP, IP_TOS));
        assertEquals(EINVAL, p.setsockopt(fd, SOL_IP, IP_TOS, 4, 0));
    }

    /** /proc/net/tcp as tcp4_seq_show prints it: a listener (0A) and the two ends' connection (01). */
    @Test
    void procNetTcpListsListenersThenConnections() {
        int[] fds = connect(x -> {});
        String[] lines = rt.call(() -> SocketStats.procNetTcp(b.stack())).split("\n");
        assertEquals(3, lines.length);
        for (String l : lines) assertEquals(149, l.length(), "padded as seq_pad does: " + l);
        assertEquals("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", lines[0].stripTrailing());
        assertEquals("0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 100 0 0 10 0",
                lines[1].strip(), "bound to INADDR_ANY:80, nothing in its accept queue");
        assertTrue(lines[2].strip().startsWith("1: 020012C6:0050 010012C6:"), lines[2]);
        assertTrue(lines[2].contains(" 01 00000000:00000000 "), lines[2]);
    }

    // ---- epoll -------------------------------------------------------------------------------------

    @Test
    void epollCtlErrors() {
        int fd = p.socket(), ep = p.epollCreate(1);
        assertEquals(EINVAL, p.epollCreate(0));
        assertEquals(EINVAL, p.epollCreate1(1));
        assertEquals(-Errno.EBADF.number(), p.epollCtl(99, EPOLL_CTL_ADD, fd, EPOLLIN, fd));
        assertEquals(-Errno.EBADF.number(), p.epollCtl(ep, EPOLL_CTL_ADD, 99, EPOLLIN, 99));
        assertEquals(EINVAL, p.epollCtl(fd, EPOLL_CTL_ADD, fd, EPOLLIN, fd), "not an epoll descriptor");
        assertEquals(EINVAL, p.epollCtl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, ep), "itself");
        assertEquals(-Errno.ENOENT.number(), p.epollCtl(ep, EPOLL_CTL_MOD, fd, EPOLLIN, fd));
        assertEquals(-Errno.ENOENT.number(), p.epollCtl(ep, EPOLL_CTL_DEL, fd, 0, 0));
        assertEquals(EINVAL, p.epollCtl(ep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, fd));
        assertEquals(0, p.epollCtl(ep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLEXCLUSIVE, fd));
        assertEquals(-Errno.EEXIST.number(), p.epollCtl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, fd));
        assertEquals(EINVAL, p.epollCtl(ep, EPOLL_CTL_MOD, fd, EPOLLIN, fd), "added with EPOLLEXCLUSIVE");
        assertEquals(EINVAL, p.epollCtl(ep, 7, fd, EPOLLIN, fd));
        assertEquals(EINVAL, p.epollWait(ep, new EpollEvent[1], 0, 0));
        assertEquals(EINVAL, p.epollWait(fd, new EpollEvent[1], 1, 0));
        assertEquals(-Errno.ENOTSOCK.number(), p.listen(ep, 1));
        assertEquals(0, p.epollCtl(ep, EPOLL_CTL_DEL, fd, 0, 0));
        assertEquals(0, p.close(ep));
        assertEquals(-Errno.EBADF.number(), p.epollWait(ep, new EpollEvent[1], 1, 0));
    }

    @Test
    void edgeTriggeredReportsNewDataOnceLevelTriggeredWhileItLasts() {
        int[] fds = connect(x -> {});
        int fd = fds[0], et = p.epollCreate1(0), lt = p.epollCreate1(EPOLL_CLOEXEC);
        assertEquals(0, p.epollCtl(et, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLOUT | EPOLLET, 42));
        assertEquals(0, p.epollCtl(lt, EPOLL_CTL_ADD, fd, EPOLLIN, 7));
        EpollEvent[] ev = new EpollEvent[4];
        assertEquals(1, p.epollWait(et, ev, 4, 0));
        assertEquals(new EpollEvent(EPOLLOUT, 42), ev[0]);
        assertEquals(0, p.epollWait(et, ev, 4, 0), "edge: reported once");
        assertEquals(0, p.epollWait(lt, ev, 4, 0));
        assertEquals(100, q.write(fds[1], buf, 0, 100));
        long t0 = us();
        assertEquals(1, p.epollWait(et, ev, 4, 1000), "waits for the data");
        assertEquals(10_000, us() - t0, "when the data arrives, one way later");
        assertEquals(new EpollEvent(EPOLLIN | EPOLLOUT, 42), ev[0]);
        assertEquals(0, p.epollWait(et, ev, 4, 0));
        assertEquals(50, p.read(fd, buf, 0, 50));
        assertEquals(0, p.epollWait(et, ev, 4, 0), "reading is no new event");
        for (int i = 0; i < 2; i++) {
            assertEquals(1, p.epollWait(lt, ev, 4, 0));
            assertEquals(new EpollEvent(EPOLLIN, 7), ev[0], "level: while data is there");
        }
        assertEquals(50, p.read(fd, buf, 0, 100));
        assertEquals(0, p.epollWait(lt, ev, 4, 0));
        assertEquals(0, p.close(fd));
        assertEquals(0, p.epollWait(et, ev, 4, 0));
        assertEquals(-Errno.EBADF.number(), p.epollCtl(et, EPOLL_CTL_DEL, fd, 0, 0));
        assertEquals(fd, p.socket(), "the lowest free descriptor again");
        assertEquals(-Errno.ENOENT.number(), p.epollCtl(et, EPOLL_CTL_DEL, fd, 0, 0), "close removed the item (eventpoll_release)");
    }

    @Test
    void oneshotFiresOnceUntilRearmedAndErrqueueWakesWithEpollerr() {
        int fd = connect(x -> p.setsockopt(x, SOL_SOCKET, SO_ZEROCOPY, 1))[0];
        int ep = p.epollCreate(1);
        assertEquals(0, p.epollCtl(ep, EPOLL_CTL_ADD, fd, EPOLLOUT | EPOLLET | EPOLLONESHOT, fd));
        EpollEvent[] ev = new EpollEvent[1];
        assertEquals(10, p.send(fd, buf, 0, 10, MSG_ZEROCOPY));
        idle(100);
        assertEquals(1, p.epollWait(ep, ev, 1, 0));
        assertEquals(new EpollEvent(EPOLLOUT | EPOLLERR, fd), ev[0]);
        assertEquals(10, p.send(fd, buf, 0, 10, MSG_ZEROCOPY));
        idle(100);
        assertEquals(0, p.epollWait(ep, ev, 1, 0), "disabled after firing");
        assertEquals(0, p.epollCtl(ep, EPOLL_CTL_MOD, fd, EPOLLOUT | EPOLLONESHOT, fd));
        assertEquals(1, p.epollWait(ep, ev, 1, 0));
        assertEquals(new EpollEvent(EPOLLOUT | EPOLLERR, fd), ev[0]);
        assertEquals(0, p.epollWait(ep, ev, 1, 0));
    }
}
