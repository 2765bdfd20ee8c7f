package dev.synack.tun;

import dev.synack.runtime.RealtimeRuntime;
import dev.synack.socket.Kernel;
import dev.synack.stack.NetInterface;
import dev.synack.stack.Stack;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * synack's stack on a TUN device: a {@link Stack} driven by a {@link RealtimeRuntime} (the same
 * stack code the simulator drives in virtual time), whose only interface writes packets into the
 * device, and a reader thread that hands the Linux kernel's packets to the stack. Sockets are made on
 * its {@link #kernel()}.
 *
 * <p>Input: the reader waits with poll, then takes the runtime's lock once and drains the device
 * (up to {@link #BATCH} packets) with non-blocking reads, handing each packet to the stack as soon as
 * it is read, stamped with its own reading of the clock ({@link RealtimeRuntime#tick}). The same drain
 * is the runtime's input source: before the runtime fires an overdue timer it drains the device, so
 * an ACK that has arrived is processed before the retransmission timer it answers. Reads happen only
 * with the lock held, so packets reach the stack in the order the device gave them.
 *
 * <p>Waiting on the device: an application thread that blocks on a socket (a platform thread) waits
 * on the device itself (ppoll on it and on an eventfd that wakes it for anything else,
 * {@link RealtimeRuntime.InputWait}) and drains it when a packet comes, while the reader keeps away
 * ({@link RealtimeRuntime#awaitInputTurn}). A packet then wakes one thread, the one waiting for it,
 * instead of waking the reader, which woke that thread in turn: in a 1-byte request/response
 * exchange with the kernel about twice the round trips per second (issue 16). While the reader
 * keeps away, input that keeps coming while that thread is busy elsewhere (a stream) gives the device
 * back to the reader.
 * {@code -Dsynack.tun.directWait=false} leaves all reading to the reader (to measure the difference).
 * Before it blocks on the device, the thread polls it for {@link #BUSY_POLL_NS} (busy polling).
 *
 * <p>Output: packets are written straight into the device by the thread holding the lock, one write
 * each, no queue (a TUN write does not wait: it hands the packet to the kernel's input path).
 *
 * <p>Queue: {@link TunDevice#open} deepens the device's transmit queue (the kernel's packets waiting
 * for synack), so a burst that arrives while the JVM is still compiling its first hot paths waits
 * instead of being dropped.
 */
public final class TunStack implements AutoCloseable {
    /** Most packets taken per lock hand-over. */
    public static final int BATCH = 64;

    /**
     * How long a thread about to block on the device polls it first, by default
     * ({@link #setBusyPoll}; {@code -Dsynack.tun.busyPollUs=N} sets it in microseconds, 0 turns it
     * off). Measured on 2 CPUs shared with other work, against none: 1-byte round trips
     * as many or more (1.1–3×: a thread that keeps its CPU for a round trip is not queued behind
     * other work to get it back), kernel→synack 8.8 → 13.1 Gbit/s; 50 µs did worse than 20 (the
     * kernel's own sender waits for the CPU the poller holds).
     */
    public static final long BUSY_POLL_NS = 20_000;

    private final TunDevice device;
    private final RealtimeRuntime runtime;
    private final Stack stack;
    private final Kernel kernel;
    private final int mtu;
    private final NetInterface nic;
    /** The reader's packet buffers (used with the runtime's lock held). */
    private final byte[][] bufs;
    /** With offloads (the device carries virtio-net headers): the splitting and merging, and its read buffer. */
    private final VnetOffload offload;
    private final byte[] offloadBuf;
    private final VnetOffload.Sink toStack, toDevice;
    private final Runnable tick;
    private final Thread reader;
    private volatile boolean running = true;
    private volatile Throwable readerFailure;
    // Reader-side statistics: batches by the reader thread, packetsIn with the runtime's lock held.
    private volatile long batches;
    private long packetsIn;
    // Writer-side (written with the runtime's lock held).
    private long packetsOut;

    /**
     * Starts a stack with address {@code address}/{@code prefixLength} on {@code device}, whose MTU is
     * {@code mtu}. The kernel side of the device must be configured (address, up) by the caller.
     */
    public TunStack(TunDevice device, int address, int prefixLength, int mtu, TcpConfig config, long seed) {
        this.device = device;
        this.mtu = mtu;
        this.runtime = new RealtimeRuntime();
        this.stack = new Stack("synack", runtime.scheduler(), config, seed);
        this.kernel = new Kernel(runtime, stack);
        this.nic = runtime.call(() -> stack.addInterface(device.name(), address, prefixLength, mtu, this::transmit));
        this.offload = device.offload() ? new VnetOffload() : null;
        this.bufs = offload != null ? new byte[0][] : new byte[BATCH][Math.max(mtu, 576)];
        this.offloadBuf = offload != null ? new byte[VnetOffload.HDR + VnetOffload.MAX_PACKET] : null;
        this.toStack = stack::receive;
        this.toDevice = device::write;
        this.tick = runtime::tick;
        if (Boolean.parseBoolean(System.getProperty("synack.tun.directWait", "true"))) {
            runtime.setInput(this::drain, new RealtimeRuntime.InputWait() {
                @Override
                public void await(long timeoutNs) {
                    // A device that failed would answer every poll at once: wait out the timeout instead.
                    if (running) device.awaitInput(timeoutNs);
                    else LockSupport.parkNanos(timeoutNs);
                }

                @Override
                public void wakeUp() { device.wakeUp(); }
            });
        } else {
            runtime.setInput(this::drain);
        }
        runtime.setBusyPoll(Long.getLong("synack.tun.busyPollUs", BUSY_POLL_NS / 1000) * 1000);
        if (offload != null) runtime.setFlush(() -> offload.flush(toDevice));
        this.reader = Thread.ofPlatform().daemon().name("synack-tun-reader-" + device.name()).start(this::readLoop);
    }

    /**
     * Opens (creating if needed) the TUN device {@code ifName} and starts a stack on it with its current
     * MTU, with the device's offloads where they help at that MTU ({@link TunDevice#offloadHelps}).
     */
    public static TunStack open(String ifName, int address, int prefixLength, TcpConfig config, long seed) throws IOException {
        int mtu;
        try {
            mtu = TunDevice.mtuOf(ifName);
        } catch (IOException e) {
            mtu = 1500; // not there yet: created with the kernel's default
        }
        return open(ifName, address, prefixLength, config, seed, TunDevice.offloadHelps(mtu));
    }

    /** As {@link #open(String, int, int, TcpConfig, long)}, with the device's offloads when {@code offload} ({@link TunDevice#open(String, boolean)}). */
    public static TunStack open(String ifName, int address, int prefixLength, TcpConfig config, long seed, boolean offload) throws IOException {
        TunDevice dev = TunDevice.open(ifName, offload);
        try {
            return new TunStack(dev, address, prefixLength, dev.mtu(), config, seed);
        } catch (IOException | RuntimeException e) {
            dev.close();
            throw e;
        }
    }

    public Stack stack() { return stack; }

    public RealtimeRuntime runtime() { return runtime; }

    /** The kernel for {@link dev.synack.socket.TcpSocket} / {@link dev.synack.socket.TcpServerSocket} on this stack. */
    public Kernel kernel() { return kernel; }

    public TunDevice device() { return device; }

    public int mtu() { return mtu; }

    /**
     * Adds a route to {@code destination}/{@code prefixLength} through the device, via
     * {@code gateway} (0: on-link). A gateway must be on the device's prefix and not synack's own
     * address, as Linux requires of a next hop.
     *
     * @throws IllegalArgumentException for a bad prefix length or gateway, with a one-line reason
     */
    public void addRoute(int destination, int prefixLength, int gateway) {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length " + prefixLength + " (0 to 32)");
        if (gateway != 0) {
            int mask = nic.prefixLength() == 0 ? 0 : -1 << (32 - nic.prefixLength());
            if ((gateway & mask) != (nic.address() & mask) || gateway == nic.address()) {
                throw new IllegalArgumentException("gateway " + Ipv4.format(gateway) + " is not a neighbour on "
                        + Ipv4.format(nic.address() & mask) + "/" + nic.prefixLength());
            }
        }
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        runtime.execute(() -> stack.addRoute(destination & mask, prefixLength, gateway, nic));
    }

    /**
     * Sets how long a thread about to block on the device polls it first (Linux's SO_BUSY_POLL; see
     * {@link RealtimeRuntime#setBusyPoll}); 0 blocks at once. Default {@link #BUSY_POLL_NS}.
     */
    public void setBusyPoll(long ns) { runtime.setBusyPoll(ns); }

    /** Runs {@code op} on the stack with exclusive access. */
    public <T> T call(Supplier<T> op) { return runtime.call(op); }

    /** Packets read from the device and handed to the stack. */
    public long packetsIn() { return runtime.call(() -> packetsIn); }

    /** Lock hand-overs that delivered them (packetsIn / batches = mean batch). */
    public long batches() { return batches; }

    /** Packets written to the device. */
    public long packetsOut() { return runtime.call(() -> packetsOut); }

    /** What stopped the reader thread, if anything did. */
    public Throwable readerFailure() { return readerFailure; }

    private void transmit(byte[] packet, int off, int len) {
        packetsOut++;
        if (offload != null) offload.transmit(packet, off, len, toDevice);
        else device.write(packet, off, len);
    }

    /** With offloads: super-segments written and the segments in them, super-segments read and the segments cut from them. */
    public long[] offloadCounts() {
        return offload == null ? new long[4] : runtime.call(() -> new long[] {
            offload.superSegmentsOut(), offload.segmentsMerged(), offload.superSegmentsIn(), offload.segmentsSplit()});
    }

    /**
     * With the runtime's lock held: reads up to {@link #BATCH} packets and hands each to the stack
     * at its own time.
     */
    private void drain() {
        try {
            if (offload != null) {
                for (int k = 0; k < BATCH; k++) {
                    int n = device.read(offloadBuf);
                    if (n <= 0) {
                        if (n < 0) running = false;
                        break;
                    }
                    runtime.tick();
                    packetsIn += offload.receive(offloadBuf, n, toStack, tick);
                }
                return;
            }
            for (int k = 0; k < BATCH; k++) {
                byte[] buf = bufs[k];
                int n = device.read(buf);
                if (n <= 0) {
                    if (n < 0) running = false;
                    break;
                }
                runtime.tick();
                stack.receive(buf, 0, n);
                packetsIn++;
            }
        } catch (IOException e) {
            running = false;
            readerFailure = e;
            System.err.println("synack-tun: reader of " + device.name() + " stopped: " + e);
        }
    }

    private void readLoop() {
        Runnable deliver = this::drain;
        try {
            while (running) {
                runtime.awaitInputTurn();
                if (!device.awaitReadable(100)) continue;
                runtime.execute(deliver);
                batches++;
            }
        } catch (Throwable t) {
            readerFailure = t;
            System.err.println("synack-tun: reader of " + device.name() + " stopped: " + t);
        }
    }

    /** Stops the reader, the runtime, and closes the device (a device this stack created disappears). */
    @Override
    public void close() {
        running = false;
        runtime.close(); // also lets the reader go if it keeps away from the device
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        device.close();
    }
}
