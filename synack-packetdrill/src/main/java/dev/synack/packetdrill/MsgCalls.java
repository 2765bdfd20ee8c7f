package dev.synack.packetdrill;

import dev.synack.packetdrill.Event.SyscallEvent;
import dev.synack.socket.Cmsg;
import dev.synack.socket.EpollEvent;
import dev.synack.socket.ExtendedError;
import dev.synack.socket.PosixSockets;
import dev.synack.socket.RecvMsg;
import dev.synack.tcp.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

/**
 * The script's recvmsg() with its struct msghdr and control messages, sendmsg()'s iovec, and epoll
 * (epoll_create, epoll_create1, epoll_ctl, epoll_wait), compared as packetdrill's run_system_call.c
 * compares them:
 *
 * <ul>
 *   <li>recvmsg: the result; msg_flags exactly (MSG_ERRQUEUE, MSG_TRUNC ...); then the control messages
 *       in order (cmsg_equal_eq): level, type and cmsg_len, then the data — an {@code IP_RECVERR}'s
 *       sock_extended_err field by field (ee_errno, ee_origin, ee_type, ee_code, ee_info, ee_data), an
 *       {@code SCM_TIMESTAMPING}'s timestamps within the tolerance of the script's time (a 0 one is not
 *       checked), anything else byte for byte (an int: TCP_CM_INQ); more or fewer than the script's is
 *       a mismatch. The control buffer is as large as the script's messages (msg_controllen = the sum
 *       of their CMSG_SPACE), as packetdrill allocates it.</li>
 *   <li>epoll_wait: the result, then the first struct epoll_event only (events, and the data the
 *       script names: {@code fd}, {@code ptr}, {@code u32} or {@code u64}), as packetdrill does; an
 *       event's {@code fd} is the script's descriptor, mapped to the host's.</li>
 * </ul>
 *
 * <p>{@code CMSG_LEVEL_IP} and {@code CMSG_TYPE_RECVERR} are what packetdrill's run_all.py defines for
 * IPv4 ({@code -D CMSG_LEVEL_IP=SOL_IP -D CMSG_TYPE_RECVERR=IP_RECVERR}).
 */
final class MsgCalls {
    private final PosixSockets posix;
    private final Timeline timeline;
    /** The script's fd → the host's. */
    private final IntUnaryOperator liveFd;
    private byte[] buf = new byte[1 << 16];

    MsgCalls(PosixSockets posix, Timeline timeline, IntUnaryOperator liveFd) {
        this.posix = posix;
        this.timeline = timeline;
        this.liveFd = liveFd;
    }

    /** A name the script uses: packetdrill's IPv4 defines, an errno, or a PosixSockets constant. */
    static int constant(String name) {
        return switch (name) {
            case "CMSG_LEVEL_IP" -> PosixSockets.SOL_IP;
            case "CMSG_TYPE_RECVERR" -> PosixSockets.IP_RECVERR;
            default -> {
                var c = PosixSockets.constant(name);
                if (c.isPresent()) yield c.getAsInt();
                try {
                    yield Errno.valueOf(name).number();
                } catch (IllegalArgumentException e) {
                    throw new UnsupportedOperationException("symbol " + name);
                }
            }
        };
    }

    static long value(Expr x) {
        return switch (x) {
            case null -> 0;
            case Expr.Int(long v) -> v;
            case Expr.Or(Expr a, Expr b) -> value(a) | value(b);
            case Expr.Word(String w) -> constant(w);
            default -> throw new UnsupportedOperationException("value " + x);
        };
    }

    private static Expr field(Expr.Struct st, String prefix) {
        for (Expr e : st.items()) {
            if (e instanceof Expr.Assign(String n, Expr v) && (n.equals(prefix) || n.startsWith(prefix + "("))) return v;
        }
        return null;
    }

    /** The lengths of a msghdr's msg_iov ({@code [{..., 1}, {..., 1}]}). */
    static int[] iov(Expr.Struct msg) {
        if (!(field(msg, "msg_iov") instanceof Expr.Array(List<Expr> iovs))) throw new UnsupportedOperationException("msghdr without msg_iov");
        int[] lens = new int[iovs.size()];
        for (int i = 0; i < lens.length; i++) {
            if (iovs.get(i) instanceof Expr.Struct st && st.items().size() == 2 && st.items().get(1) instanceof Expr.Int(long n)) {
                lens[i] = (int) n;
            } else {
                throw new UnsupportedOperationException("iovec " + iovs.get(i));
            }
        }
        return lens;
    }

    // ---- recvmsg -----------------------------------------------------------------------------------

    /** One control message the script expects: level, type, and its data as the script writes it. */
    private record Expected(int level, int type, Expr data, int dataSize) {
        int len() { return 16 + dataSize; }

        int space() { return 16 + ((dataSize + 7) & ~7); }
    }

    private static List<Expected> expectedControl(Expr x) {
        List<Expected> out = new ArrayList<>();
        if (x == null) return out;
        if (!(x instanceof Expr.Array(List<Expr> items))) throw new UnsupportedOperationException("msg_control " + x);
        for (Expr item : items) {
            if (!(item instanceof Expr.Struct c)) throw new UnsupportedOperationException("cmsg " + item);
            int level = (int) value(c.field("cmsg_level")), type = (int) value(c.field("cmsg_type"));
            Expr data = c.field("cmsg_data");
            int size = switch (data) {
                case Expr.Int i -> 4;
                case Expr.Word w -> 4;
                case Expr.Struct st when st.field("scm_sec") != null || st.field("scm_nsec") != null -> 48;
                // sock_extended_err, and the offender's sockaddr_in for IP_RECVERR (packetdrill's cmsg_new)
                case Expr.Struct st when st.field("ee_errno") != null -> 16 + (level == PosixSockets.SOL_IP ? 16 : 0);
                case null, default -> throw new UnsupportedOperationException("cmsg_data " + data);
            };
            out.add(new Expected(level, type, data, size));
        }
        return out;
    }

    LongSupplier recvmsg(SyscallEvent e, int fd) {
        if (!(e.args().size() > 2 && e.args().get(1) instanceof Expr.Struct msg)) throw new UnsupportedOperationException("recvmsg msghdr");
        int[] iov = iov(msg);
        int len = 0;
        for (int l : iov) len += l;
        int flags = (int) value(e.args().get(2));
        int wantFlags = (int) value(field(msg, "msg_flags"));
        List<Expected> control = expectedControl(field(msg, "msg_control"));
        int controlLen = control.stream().mapToInt(Expected::space).sum();
        if (len > buf.length) buf = new byte[len];
        int n = len;
        return () -> {
            RecvMsg m = posix.recvmsg(fd, buf, 0, n, flags, controlLen);
            if (m.result() < 0) return m.result();
            if (m.flags() != wantFlags) {
                throw new Syscalls.ValueMismatch("recvmsg msg_flags", String.format("0x%08X", wantFlags), String.format("0x%08X", m.flags()));
            }
            compareControl(control, m.control());
            return m.result();
        };
    }

    private void compareControl(List<Expected> want, List<Cmsg> got) {
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            Expected w = want.get(i);
            Cmsg g = got.get(i);
            if (g.level() != w.level()) throw new Syscalls.ValueMismatch("level in cmsg " + i, "" + w.level(), "" + g.level());
            if (g.type() != w.type()) throw new Syscalls.ValueMismatch("type in cmsg " + i, "" + w.type(), "" + g.type());
            if (g.len() != w.len()) throw new Syscalls.ValueMismatch("len in cmsg " + i, "" + w.len(), "" + g.len());
            switch (g) {
                case Cmsg.RecvErr(ExtendedError ee) -> {
                    Expr.Struct st = (Expr.Struct) w.data();
                    check(st, "ee_errno", ee.errno(), i);
                    check(st, "ee_origin", ee.origin(), i);
                    check(st, "ee_type", ee.type(), i);
                    check(st, "ee_code", ee.code(), i);
                    check(st, "ee_info", ee.info(), i);
                    check(st, "ee_data", ee.data(), i);
                }
                case Cmsg.Timestamping(long ns) -> {
                    Expr.Struct st = (Expr.Struct) w.data();
                    long sec = value(st.field("scm_sec")), nsec = value(st.field("scm_nsec"));
                    if (sec == 0 && nsec == 0) break; // packetdrill ignores a timestamp of 0
                    long wantUs = sec * 1_000_000 + nsec / 1000, gotUs = ns / 1000;
                    if (Math.abs(wantUs - gotUs) > timeline.toleranceUs()) {
                        throw new Syscalls.ValueMismatch("timestamp 0 in scm_timestamping " + i, EventTime.secs(wantUs) + " s",
                                EventTime.secs(gotUs) + " s");
                    }
                }
                case Cmsg.Inq(int bytes) -> {
                    long v = value(w.data());
                    if ((int) v != bytes) throw new Syscalls.ValueMismatch("data in cmsg " + i + " (TCP_CM_INQ)", "" + (int) v, "" + bytes);
                }
            }
        }
        if (got.size() > want.size()) {
            throw new Syscalls.ValueMismatch("cmsgs", "only " + want.size() + " cmsgs", "more than " + want.size() + ": " + got);
        }
        if (got.size() < want.size()) {
            throw new Syscalls.ValueMismatch("cmsgs", want.size() + " cmsgs", "only " + got.size() + ": " + got);
        }
    }

    private static void check(Expr.Struct st, String name, long got, int i) {
        long want = value(st.field(name)) & 0xffff_ffffL;
        if (want != (got & 0xffff_ffffL)) {
            throw new Syscalls.ValueMismatch(name.substring(3) + " in extended err " + i, Long.toString(want), Long.toString(got));
        }
    }

    // ---- epoll -------------------------------------------------------------------------------------

    LongSupplier epollCreate(SyscallEvent e, boolean one) {
        long arg = value(e.args().getFirst());
        return () -> one ? posix.epollCreate1((int) arg) : posix.epollCreate((int) arg);
    }

    /** The events and the data of a script's struct epoll_event; an {@code fd} is mapped to the host's. */
    private long[] epollEvent(Expr x) {
        if (!(x instanceof Expr.Struct st)) throw new UnsupportedOperationException("epoll_event " + x);
        long events = value(st.field("events"));
        long data;
        if (st.field("fd") != null) {
            data = liveFd.applyAsInt((int) value(st.field("fd")));
        } else if (st.field("ptr") != null) {
            data = value(st.field("ptr"));
        } else if (st.field("u32") != null) {
            data = value(st.field("u32")) & 0xffff_ffffL;
        } else if (st.field("u64") != null) {
            data = value(st.field("u64"));
        } else {
            throw new UnsupportedOperationException("epoll_event without data " + x);
        }
        return new long[] {events, data};
    }

    LongSupplier epollCtl(SyscallEvent e, int epfd) {
        int op = (int) value(e.args().get(1));
        int fd = liveFd.applyAsInt((int) value(e.args().get(2)));
        long[] ev = e.args().size() > 3 ? epollEvent(e.args().get(3)) : new long[2];
        return () -> posix.epollCtl(epfd, op, fd, (int) ev[0], ev[1]);
    }

    /** epoll_wait: blocks while nothing is ready (its timeout is the timeline's wake time); the first event must match. */
    LongSupplier epollWait(SyscallEvent e, int epfd) {
        long[] want = epollEvent(e.args().get(1));
        int max = (int) value(e.args().get(2));
        int timeout = (int) value(e.args().get(3));
        return () -> {
            EpollEvent[] out = new EpollEvent[Math.max(max, 1)];
            int r = posix.epollWait(epfd, out, max, 0);
            if (r == 0 && timeout != 0) return Syscalls.BLOCKED;
            if (r < 0) return r;
            EpollEvent first = r > 0 ? out[0] : new EpollEvent(0, 0);
            if ((int) want[0] != first.events()) {
                throw new Syscalls.ValueMismatch("epoll_event->events", String.format("0x%x (%s)", (int) want[0], PosixSockets.pollBits((int) want[0])),
                        String.format("0x%x (%s)", first.events(), PosixSockets.pollBits(first.events())));
            }
            if (want[1] != first.data()) {
                throw new Syscalls.ValueMismatch("epoll_event->data", Long.toString(want[1]), Long.toString(first.data()));
            }
            return r;
        };
    }
}
