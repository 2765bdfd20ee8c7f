package dev.synack.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TUN device ({@code /dev/net/tun}, IFF_TUN | IFF_NO_PI): each read returns one IPv4 or IPv6
 * packet the kernel routed to the device, each write injects one packet into the kernel, no link
 * header and no packet-information prefix. The descriptor is non-blocking; a reader waits with
 * {@link #awaitReadable}, so it can be told to stop.
 *
 * <p>Threads: one reader thread may call {@link #read} / {@link #awaitReadable} while one writer at a
 * time calls {@link #write} (synack's writers are serialized by the runtime's lock). Each side has its
 * own errno capture segment.
 */
public final class TunDevice implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final String name;
    private final MemorySegment readErrno = Libc.captureSegment(arena);
    private final MemorySegment writeErrno = Libc.captureSegment(arena);
    private final MemorySegment pollfd = arena.allocate(Libc.POLLFD);
    /**
     * For {@link #awaitInput}: the device and an eventfd that {@link #wakeUp} writes to. Its memory is
     * the garbage collector's, not the arena's, as a thread may still be leaving ppoll when the device
     * is closed.
     */
    private final int wakeFd;
    private final MemorySegment inputPollfds = Arena.ofAuto().allocate(Libc.POLLFD, 2);
    private final MemorySegment timespec = Arena.ofAuto().allocate(Libc.TIMESPEC);
    private final MemorySegment inputErrno = Libc.captureSegment(Arena.ofAuto());
    private final MemorySegment wakeErrno = Libc.captureSegment(Arena.ofAuto());
    private final byte[] wakeValue = {1, 0, 0, 0, 0, 0, 0, 0}, wakeDrain = new byte[8];
    private volatile boolean closed;
    private long writeErrors;

    private final boolean offload;

    private TunDevice(int fd, int wakeFd, String name, boolean offload) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.name = name;
        this.offload = offload;
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
        long size = Libc.POLLFD.byteSize();
        inputPollfds.set(ValueLayout.JAVA_INT, 0, fd);
        inputPollfds.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
        inputPollfds.set(ValueLayout.JAVA_INT, size, wakeFd);
        inputPollfds.set(ValueLayout.JAVA_SHORT, size + 4, Libc.POLLIN);
    }

    /**
     * Attaches to the TUN device {@code name}, creating it if it does not exist (needs CAP_NET_ADMIN,
     * or a device made beforehand with {@code ip tuntap add dev NAME mode tun user ME}). A created
     * device lives as long as this descriptor; a persistent one stays.
     */
    public static TunDevice open(String name) throws IOException {
        return open(name, false);
    }

    /**
     * As {@link #open(String)}; with {@code offload}, the device carries a virtio-net header before each
     * packet both ways (IFF_VNET_HDR, {@link #VNET_HDR_LEN} bytes) and offers the kernel checksum offload
     * and TCP segmentation offload for IPv4 (TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4): the kernel then
     * hands over TCP super-segments of up to 64 KB with a partial checksum, and takes them.
     */
    public static TunDevice open(String name, boolean offload) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length >= Libc.IFNAMSIZ) {
            throw new IOException("bad interface name '" + name + "' (1 to 15 characters)");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.captureSegment(a);
            int fd = (int) Libc.OPEN.invokeExact(err, a.allocateFrom("/dev/net/tun"),
                    Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0) throw new IOException("open /dev/net/tun: " + Libc.describe(Libc.errno(err)));
            MemorySegment ifr = a.allocate(Libc.IFREQ_SIZE);
            MemorySegment.copy(nameBytes, 0, ifr, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            short flags = (short) (Libc.IFF_TUN | Libc.IFF_NO_PI | (offload ? Libc.IFF_VNET_HDR : 0));
            ifr.set(ValueLayout.JAVA_SHORT, Libc.IFR_UNION, flags);
            int rc = (int) Libc.IOCTL.invokeExact(err, fd, Libc.TUNSETIFF, ifr);
            if (rc >= 0 && offload) {
                rc = (int) Libc.IOCTL_VALUE.invokeExact(err, fd, Libc.TUNSETOFFLOAD, (long) (Libc.TUN_F_CSUM | Libc.TUN_F_TSO4));
            }
            if (rc < 0) {
                int e = Libc.errno(err);
                int ignored = (int) Libc.CLOSE.invokeExact(err, fd);
                throw new IOException((offload ? "TUNSETIFF/TUNSETOFFLOAD " : "TUNSETIFF ") + name + ": " + Libc.describe(e));
            }
            String actual = ifr.getString(0, StandardCharsets.US_ASCII);
            try {
                raiseTxQueueLen(actual, TX_QUEUE_LEN);
            } catch (IOException e) {
                // e.g. EPERM for a device made for an unprivileged user: the kernel's queue stays
            }
            int wakeFd = (int) Libc.EVENTFD.invokeExact(err, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            if (wakeFd < 0) {
                int e = Libc.errno(err);
                int ignored = (int) Libc.CLOSE.invokeExact(err, fd);
                throw new IOException("eventfd: " + Libc.describe(e));
            }
            return new TunDevice(fd, wakeFd, actual, offload);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("downcall failed: " + t, t);
        }
    }

    /**
     * The transmit queue length {@link #open} gives the device (txqueuelen; the kernel's default for
     * TUN is 500): the packets the kernel may hold for synack before it drops (tun_net_xmit). Deeper
     * than a 6 MB receive window (tcp_rmem[2]) of 1500-byte packets, so one connection's flight never
     * overflows it, and a burst that arrives while the JVM still compiles its hot paths waits.
     */
    public static final int TX_QUEUE_LEN = 8192;

    /** The length of struct virtio_net_hdr, which precedes every packet on an offloading device. */
    public static final int VNET_HDR_LEN = 10;

    /**
     * Whether offloads can help at this MTU: only when two full segments fit in one super-segment of at
     * most 64 KB (an MTU up to 32,807). Above that every segment goes alone, and the offloads only add a
     * copy (the virtio-net header goes in front of each packet) and a checksum pass (the kernel leaves
     * the checksum of what it sends partial): measured slower at MTU 65000 (docs/TUN.md).
     */
    public static boolean offloadHelps(int mtu) {
        return 2 * (mtu - 40) + 40 <= 0xFFFF;
    }

    /** Whether packets carry a virtio-net header ({@link #open(String, boolean)} with offload). */
    public boolean offload() { return offload; }

    /** The interface name the kernel gave the device. */
    public String name() { return name; }

    /**
     * The device's MTU as the kernel has it now (SIOCGIFMTU on an AF_INET datagram socket, in this
     * process's network namespace).
     */
    public int mtu() throws IOException { return mtuOf(name); }

    /** The MTU of interface {@code ifName} (SIOCGIFMTU). */
    public static int mtuOf(String ifName) throws IOException {
        return ifreqInt(ifName, Libc.SIOCGIFMTU, "SIOCGIFMTU", -1);
    }

    /** The transmit queue length of interface {@code ifName} (SIOCGIFTXQLEN). */
    public static int txQueueLenOf(String ifName) throws IOException {
        return ifreqInt(ifName, Libc.SIOCGIFTXQLEN, "SIOCGIFTXQLEN", -1);
    }

    /**
     * Raises the transmit queue length of {@code ifName} to {@code qlen} if it is shorter (SIOCSIFTXQLEN,
     * needs CAP_NET_ADMIN); returns the length it has now.
     */
    static int raiseTxQueueLen(String ifName, int qlen) throws IOException {
        int now = txQueueLenOf(ifName);
        return now >= qlen ? now : ifreqInt(ifName, Libc.SIOCSIFTXQLEN, "SIOCSIFTXQLEN", qlen);
    }

    /** One ifreq ioctl on an AF_INET datagram socket whose union is an int (set to {@code value} when ≥ 0); returns the int after. */
    private static int ifreqInt(String ifName, long request, String requestName, int value) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.captureSegment(a);
            int s = (int) Libc.SOCKET.invokeExact(err, Libc.AF_INET, Libc.SOCK_DGRAM, 0);
            if (s < 0) throw new IOException("socket: " + Libc.describe(Libc.errno(err)));
            try {
                MemorySegment ifr = a.allocate(Libc.IFREQ_SIZE);
                byte[] n = ifName.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, Math.min(n.length, Libc.IFNAMSIZ - 1));
                if (value >= 0) ifr.set(ValueLayout.JAVA_INT, Libc.IFR_UNION, value);
                int rc = (int) Libc.IOCTL.invokeExact(err, s, request, ifr);
                if (rc < 0) throw new IOException(requestName + " " + ifName + ": " + Libc.describe(Libc.errno(err)));
                return ifr.get(ValueLayout.JAVA_INT, Libc.IFR_UNION);
            } finally {
                int ignored = (int) Libc.CLOSE.invokeExact(err, s);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("downcall failed: " + t, t);
        }
    }

    /**
     * Waits up to {@code timeoutMs} for a packet to read (poll POLLIN).
     *
     * @return whether a read would now return a packet (false on timeout, interruption or close)
     */
    public boolean awaitReadable(int timeoutMs) throws IOException {
        if (closed) return false;
        try {
            int rc = (int) Libc.POLL.invokeExact(readErrno, pollfd, 1L, timeoutMs);
            if (rc < 0) {
                int e = Libc.errno(readErrno);
                if (e == Libc.EINTR) return false;
                throw new IOException("poll " + name + ": " + Libc.describe(e));
            }
            return rc > 0;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("downcall failed: " + t, t);
        }
    }

    /**
     * Waits up to {@code timeoutNs} for a packet to read or for {@link #wakeUp} (ppoll on the device
     * and an eventfd). For one thread at a time (synack's runtime lets one waiting thread block on the
     * device, {@code RealtimeRuntime.InputWait}), besides the reader's {@link #awaitReadable}. Returns
     * at once on a closed device.
     */
    public void awaitInput(long timeoutNs) {
        if (closed) return;
        timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNs / 1_000_000_000L);
        timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNs % 1_000_000_000L);
        try {
            int rc = (int) Libc.PPOLL.invokeExact(inputErrno, inputPollfds, 2L, timespec, MemorySegment.NULL);
            // Woken: reset the eventfd's counter (non-blocking; EAGAIN when it is already 0).
            if (rc > 0 && inputPollfds.get(ValueLayout.JAVA_SHORT, Libc.POLLFD.byteSize() + 6) != 0) {
                long ignored = (long) Libc.READ.invokeExact(inputErrno, wakeFd, MemorySegment.ofArray(wakeDrain), 8L);
            }
        } catch (Throwable t) {
            // a failed poll (EINTR) returns early: the caller looks again
        }
    }

    /** Makes a thread blocked in {@link #awaitInput} return (writes the eventfd; for one thread at a time). */
    public void wakeUp() {
        if (closed) return;
        try {
            long ignored = (long) Libc.WRITE.invokeExact(wakeErrno, wakeFd, MemorySegment.ofArray(wakeValue), 8L);
        } catch (Throwable t) {
            // the eventfd's counter is full: a wake-up is pending anyway
        }
    }

    /**
     * Reads one packet into {@code buf} (which should hold the MTU).
     *
     * @return its length, 0 when no packet is waiting, or -1 once the device is closed
     */
    public int read(byte[] buf) throws IOException {
        if (closed) return -1;
        try {
            long n = (long) Libc.READ.invokeExact(readErrno, fd, MemorySegment.ofArray(buf), (long) buf.length);
            if (n >= 0) return (int) n;
            int e = Libc.errno(readErrno);
            if (e == Libc.EAGAIN || e == Libc.EINTR) return 0;
            if (closed) return -1;
            throw new IOException("read " + name + ": " + Libc.describe(e));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("downcall failed: " + t, t);
        }
    }

    /**
     * Injects one packet. Never waits (a TUN write hands the packet to the kernel's input path); a
     * packet the kernel refuses is counted in {@link #writeErrors()} and dropped, as a full NIC queue
     * drops.
     *
     * @return whether the kernel took it
     */
    public boolean write(byte[] packet, int off, int len) {
        if (closed) return false;
        try {
            long n = (long) Libc.WRITE.invokeExact(writeErrno, fd, MemorySegment.ofArray(packet).asSlice(off, len), (long) len);
            if (n == len) return true;
        } catch (Throwable t) {
            // fall through: counted below
        }
        writeErrors++;
        return false;
    }

    /** Packets the kernel refused (wrong version, bad length, device down). */
    public long writeErrors() { return writeErrors; }

    /** The errno of the last failed write. */
    public int lastWriteErrno() { return Libc.errno(writeErrno); }

    /**
     * Closes the descriptor (a non-persistent device disappears). Call it after the reader thread has
     * stopped, so no poll or read runs on a closed (and maybe reused) descriptor.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            int ignored = (int) Libc.CLOSE.invokeExact(writeErrno, fd);
            ignored = (int) Libc.CLOSE.invokeExact(writeErrno, wakeFd);
        } catch (Throwable t) {
            // nothing to do
        }
        arena.close();
    }
}
