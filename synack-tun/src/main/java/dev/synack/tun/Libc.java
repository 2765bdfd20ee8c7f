package dev.synack.tun;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls a TUN device needs, as Foreign Function &amp; Memory downcalls (no JNI, nothing
 * to build). Every call returns what libc returns; on -1 the caller reads errno from the capture
 * segment it passed ({@link #errno}). Linux on a 64-bit ABI (x86-64, aarch64): {@code long} and
 * {@code size_t} are 64 bits.
 */
final class Libc {
    private Libc() {}

    static final int O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    static final int AF_INET = 2, SOCK_DGRAM = 2;
    static final short POLLIN = 1;
    static final int EINTR = 4, EAGAIN = 11;

    /** include/uapi/linux/if_tun.h: TUNSETIFF = _IOW('T', 202, int). */
    static final long TUNSETIFF = 0x400454caL;
    /** include/uapi/linux/sockios.h. */
    static final long SIOCGIFMTU = 0x8921L, SIOCGIFTXQLEN = 0x8942L, SIOCSIFTXQLEN = 0x8943L;
    static final short IFF_TUN = 0x0001, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
    /** TUNSETOFFLOAD = _IOW('T', 208, unsigned int): its argument is the flags themselves, not a pointer. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final int TUN_F_CSUM = 0x01, TUN_F_TSO4 = 0x02;

    /** struct ifreq: char ifr_name[IFNAMSIZ = 16], then a 24-byte union (flags: short, mtu: int). */
    static final int IFREQ_SIZE = 40, IFNAMSIZ = 16, IFR_UNION = 16;

    /** struct pollfd { int fd; short events; short revents; }. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    /** ioctl(int, unsigned long, ...) with one pointer as its variadic argument. */
    static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO, Linker.Option.firstVariadicArg(2));
    /** ioctl(int, unsigned long, ...) with one integer as its variadic argument. */
    static final MethodHandle IOCTL_VALUE = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO, Linker.Option.firstVariadicArg(2));
    static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    static final int CLONE_NEWNET = 0x40000000, O_RDONLY = 0;
    static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    /** ppoll(fds, nfds, const struct timespec *timeout, const sigset_t *sigmask): poll with a timeout in nanoseconds. */
    static final MethodHandle PPOLL = downcall("ppoll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), ERRNO);
    /** struct timespec { time_t tv_sec; long tv_nsec; }. */
    static final StructLayout TIMESPEC = MemoryLayout.structLayout(JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));
    /** eventfd(initval, flags): a counter a thread can wake another's poll with. */
    static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    static final int EFD_NONBLOCK = O_NONBLOCK, EFD_CLOEXEC = O_CLOEXEC;
    /**
     * read/write on a non-blocking descriptor never wait, so they may be "critical" downcalls: the
     * byte[] is passed to the kernel in place, no copy through native memory.
     */
    static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO, Linker.Option.critical(true));
    static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO, Linker.Option.critical(true));

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** A capture segment for errno, one per thread that makes calls. */
    static MemorySegment captureSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO_HANDLE.get(capture, 0L);
    }

    /** strerror-like text for the errno values this module meets. */
    static String describe(int errno) {
        return switch (errno) {
            case 1 -> "EPERM (Operation not permitted)";
            case 2 -> "ENOENT (No such file or directory)";
            case 13 -> "EACCES (Permission denied)";
            case 16 -> "EBUSY (Device or resource busy)";
            case 19 -> "ENODEV (No such device)";
            case 12 -> "ENOMEM (Cannot allocate memory)";
            case 22 -> "EINVAL (Invalid argument)";
            default -> "errno " + errno;
        };
    }
}
