package dev.synack.tun;

import dev.synack.runtime.RealtimeRuntime;
import dev.synack.socket.Kernel;
import dev.synack.stack.Stack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * synack's stack on a TUN device: a {@link Stack} driven by a {@link RealtimeRuntime} (the same
 * stack code the simulator drives in virtual time), whose only interface writes packets into the
 * device, and a reader thread that hands the Linux kernel's packets to the stack. Sockets are made on
 * its {@link #kernel()}.
 *
 * <p>Batching: the reader waits with poll, then drains every packet the device holds (up to
 * {@link #BATCH}) with non-blocking reads before it takes the runtime's lock once for the whole batch.
 * A burst of n packets therefore costs n reads, one poll and one failing read (EAGAIN), and one lock
 * hand-over. Outbound packets are written straight into the device by the thread holding the lock:
 * one write each, no queue (a TUN write does not wait: it hands the packet to the kernel's input path).
 */
public final class TunStack implements AutoCloseable {
    /** Most packets taken per lock hand-over. */
    public static final int BATCH = 64;

    private final TunDevice device;
    private final RealtimeRuntime runtime;
    private final Stack stack;
    private final Kernel kernel;
    private final int mtu;
    private final Thread reader;
    private volatile boolean running = true;
    private volatile Throwable readerFailure;
    // Reader-side statistics (written by the reader thread only).
    private volatile long packetsIn, batches;
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
        runtime.execute(() -> stack.addInterface(device.name(), address, prefixLength, mtu, this::transmit));
        this.reader = Thread.ofPlatform().daemon().name("synack-tun-reader-" + device.name()).start(this::readLoop);
    }

    /** Opens (creating if needed) the TUN device {@code ifName} and starts a stack on it with its current MTU. */
    public static TunStack open(String ifName, int address, int prefixLength, TcpConfig config, long seed) throws IOException {
        TunDevice dev = TunDevice.open(ifName);
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

    /** Runs {@code op} on the stack with exclusive access. */
    public <T> T call(Supplier<T> op) { return runtime.call(op); }

    /** Packets read from the device and handed to the stack. */
    public long packetsIn() { return packetsIn; }

    /** Lock hand-overs that delivered them (packetsIn / batches = mean batch). */
    public long batches() { return batches; }

    /** Packets written to the device. */
    public long packetsOut() { return runtime.call(() -> packetsOut); }

    /** What stopped the reader thread, if anything did. */
    public Throwable readerFailure() { return readerFailure; }

    private void transmit(byte[] packet, int off, int len) {
        packetsOut++;
        device.write(packet, off, len);
    }

    private void readLoop() {
        byte[][] bufs = new byte[BATCH][Math.max(mtu, 576)];
        int[] lens = new int[BATCH];
        int[] count = new int[1];
        Runnable deliver = () -> {
            for (int i = 0; i < count[0]; i++) stack.receive(bufs[i], 0, lens[i]);
        };
        try {
            while (running) {
                if (!device.awaitReadable(100)) continue;
                int k = 0;
                while (k < BATCH) {
                    int n = device.read(bufs[k]);
                    if (n <= 0) {
                        if (n < 0) running = false;
                        break;
                    }
                    lens[k++] = n;
                }
                if (k == 0) continue;
                count[0] = k;
                runtime.execute(deliver);
                packetsIn += k;
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
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runtime.close();
        device.close();
    }
}
