package dev.synack.sim;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.runtime.VirtualRuntime.Proc;
import dev.synack.stack.NetInterface;
import dev.synack.stack.Route;
import dev.synack.socket.Kernel;
import dev.synack.stack.Stack;
import dev.synack.time.Timer;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated machine: one {@link Stack}, its {@link #kernel()} for sockets, and the processes it
 * runs, on the network's virtual time line. Faults act at the layer they act at in real life:
 *
 * <ul>
 *   <li>{@link #unplug()}: the cable comes out. The interface stays up and keeps its routes, so sends
 *       are accepted and lost on the wire; on a LAN, resolving a neighbour that is not cached fails
 *       after 3 s and the sender gets EHOSTUNREACH (on a point-to-point cable, which resolves
 *       nothing, like a TUN device, they just time out). Packets in flight from or to it are lost.</li>
 *   <li>{@link #linkDown()}: {@code ip link set dev X down}: the interface and its routes are gone, so
 *       local sends fail at once with ENETUNREACH; packets in flight are lost.</li>
 *   <li>{@link #crash()}: the machine vanishes silently. No FIN, no RST: the stack forgets every
 *       connection, its processes die without their sockets being closed, and packets arriving
 *       while it is down are dropped.</li>
 *   <li>{@link #reboot()}: back after a crash with no connection state, so segments of old
 *       connections meet no socket and are answered with RST (RFC 9293 §3.10.7.1).</li>
 *   <li>{@link #shutdown(long)}: processes get SIGTERM (the hooks they registered with
 *       {@link #onTerm}); after the grace period the survivors get SIGKILL, whose kill actions
 *       close their sockets as the kernel does (FIN, or RST with unread data).</li>
 *   <li>{@link #freeze}/{@link #thaw}: SIGSTOP/SIGCONT: the kernel keeps ACKing, the application reads
 *       nothing. {@link #kill}: SIGKILL for one process.</li>
 * </ul>
 */
public final class Host extends Node {
    private final Stack stack;
    private final List<Proc> processes = new ArrayList<>();
    private final Map<Proc, List<Runnable>> termHooks = new LinkedHashMap<>();
    private final byte[] icmpBuf = new byte[Ipv4.HEADER_LEN + Icmp.HEADER_LEN + 60 + Icmp.QUOTED_PAYLOAD_LEN];
    private boolean running = true;

    Host(Network network, String name, Stack stack) {
        super(network, name);
        this.stack = stack;
    }

    /** The host's network stack. */
    public Stack stack() { return stack; }

    private Kernel kernel;

    /**
     * The host's kernel, for sockets: {@code new TcpSocket(host.kernel())} makes a socket on this
     * host's stack, whose calls block in the network's runtime.
     */
    public Kernel kernel() {
        if (kernel == null) {
            kernel = new Kernel(network.runtime(), stack);
            kernel.setResolver(network::resolve);
        }
        return kernel;
    }

    /** The host's first address as a java.net address (for sockets). */
    public java.net.InetAddress inetAddress() { return Kernel.inet(stack.primaryAddress()); }

    /** Adds an interface ({@code "10.0.0.1/24"}), not yet attached; returns this host. */
    public Host addInterface(String cidr) {
        int[] a = Network.cidr(cidr);
        NetInterface nic = stack.addInterface("eth" + ports.size(), a[0], a[1], 1500, null);
        addPort(new Port(this, nic.name(), a[0], a[1], nic));
        return this;
    }

    /** Adds a route: {@code "0.0.0.0/0"} via {@code gateway}, through the interface on the gateway's prefix. */
    public Host route(String cidr, String gateway) {
        int[] d = Network.cidr(cidr);
        int gw = Ipv4.parse(gateway);
        for (Port p : ports) {
            if (p.onLink(gw)) {
                stack.addRoute(d[0], d[1], gw, p.nic);
                return this;
            }
        }
        throw new IllegalArgumentException(name + ": gateway " + gateway + " is on none of " + addresses());
    }

    /**
     * Adds a route of another type than unicast, as {@code ip route add TYPE CIDR}: connect() to it
     * fails at once with the type's error (blackhole EINVAL, unreachable EHOSTUNREACH, prohibit EACCES).
     */
    public Host route(String cidr, Route.Type type) {
        int[] d = Network.cidr(cidr);
        stack.addRoute(d[0], d[1], type);
        return this;
    }

    @Override
    boolean isRunning() { return running; }

    /** Whether the host is up (not crashed). */
    public boolean isUp() { return running; }

    @Override
    void deliver(Port in, byte[] b, int off, int len) { stack.receive(b, off, len); }

    @Override
    int nextHop(int dst) {
        var r = stack.route(dst);
        return r == null || r.gateway() == 0 ? dst : r.gateway();
    }

    /**
     * Linux's neigh_invalidate → arp_error_report → icmp_send(ICMP_DEST_UNREACH, ICMP_HOST_UNREACH) for
     * every packet still held: the error is generated locally and delivered to our own stack, which is
     * how connect() fails with EHOSTUNREACH about 3 s after a SYN to an absent on-link host (measured
     * on Linux 6.18 over veth: 3.05 s, IcmpOutDestUnreachs 1, IcmpInDestUnreachs 1).
     *
     * <p>Not when the interface has lost its carrier (the cable is out): Linux still sends the ICMP
     * errors but they never reach the local socket — measured over veth with the peer's end down,
     * IcmpOutDestUnreachs 6 and IcmpInDestUnreachs 0 for a connect(), which ends in ETIMEDOUT after its
     * SYN retries (134 s), and 4 and 0 for an open connection, whose read ends in ETIMEDOUT when
     * tcp_retries2 gives up (16.9–17.0 s with tcp_retries2 5, 110.9 s with 8, 942.4 s with the default 15), not EHOSTUNREACH.
     */
    @Override
    void neighbourFailed(Port out, byte[] b, int off, int len) {
        if (!running || !out.hasCarrier()) return;
        int icmpLen = Icmp.writeDestUnreachable(icmpBuf, Ipv4.HEADER_LEN, Icmp.HOST_UNREACH, 0, b, off, len);
        Ipv4.write(icmpBuf, 0, out.address, Ipv4.src(b, off), Ipv4.PROTO_ICMP, Ipv4.DEFAULT_TTL, 0, icmpLen);
        stack.receive(icmpBuf, 0, Ipv4.HEADER_LEN + icmpLen);
    }

    // ---- processes ---------------------------------------------------------------------------

    /**
     * Starts a simulated process on this host; it runs when the simulation next hands out the baton. The
     * host's kernel is {@link Kernel#current()} inside it, so a socket factory made there by class name
     * ({@code new SynackSocketFactory()}) makes this host's sockets, and its network is
     * {@link Network#current()}, so {@code InetAddress.getByName("server")} resolves in the lab.
     */
    public Proc spawn(String processName, VirtualRuntime.Body body) {
        if (!running) throw new IllegalStateException(name + " is down");
        Kernel k = kernel();
        Proc p = network.runtime().spawn(processName, () -> network.callAsCurrent(() -> k.callAsCurrent(() -> {
            body.run();
            return null;
        })));
        processes.add(p);
        return p;
    }

    /**
     * A {@link java.util.concurrent.ScheduledExecutorService} in virtual time whose tasks run as processes
     * of this host (named {@code name-1}, {@code name-2}, ...): delays and periods are virtual, a crash of
     * the host kills its tasks, and new tasks are rejected while the host is down.
     */
    public VirtualScheduledExecutor executor(String name) { return new VirtualScheduledExecutor(this, name); }

    /** The host's processes that are still alive, in start order. */
    public List<Proc> processes() {
        List<Proc> out = new ArrayList<>();
        for (Proc p : processes) if (!p.isDone() && !p.isKilled()) out.add(p);
        return out;
    }

    /**
     * Registers a SIGTERM handler for the calling process (call it from inside a process of this
     * host). It runs, with exclusive access to the stacks, when the host shuts down.
     */
    public void onTerm(Runnable handler) {
        Proc p = network.runtime().currentProcess();
        if (p == null || !processes.contains(p)) throw new IllegalStateException("onTerm must be called from a process of " + name);
        onTerm(p, handler);
    }

    /** Registers a SIGTERM handler for {@code process}. */
    public void onTerm(Proc process, Runnable handler) {
        termHooks.computeIfAbsent(process, k -> new ArrayList<>()).add(handler);
    }

    /** SIGSTOP. */
    public void freeze(Proc p) {
        network.fault(name, "freeze " + p.name());
        p.freeze();
    }

    /** SIGCONT. */
    public void thaw(Proc p) {
        network.fault(name, "thaw " + p.name());
        p.thaw();
    }

    /** SIGKILL: the kernel closes the process's sockets (its kill actions), then the process unwinds. */
    public void kill(Proc p) {
        network.fault(name, "kill " + p.name());
        p.kill();
    }

    // ---- faults ------------------------------------------------------------------------------

    /**
     * Pulls every cable (the carrier is lost): the interfaces stay up with their routes, as Linux keeps
     * them (linkdown), so sends are accepted and lost. Measured on Linux 6.18 (veth in two namespaces,
     * the peer's end down, 2026-12-05): connect() to an on-link address retransmits its SYN and fails
     * with ETIMEDOUT (134 s): ARP gives up, but the ICMP errors it makes do not reach the local socket
     * on an interface without carrier (IcmpInDestUnreachs 0); on an open connection a write succeeds and
     * the read fails with ETIMEDOUT when tcp_retries2 gives up (17.0 s with tcp_retries2 5), then a
     * write with EPIPE. (An earlier note here said EHOSTUNREACH after 3.07 s: that is an absent host on
     * a live LAN, the no-such-host story.) On a NOARP device (a TUN without its reader: NO-CARRIER)
     * connect() also just retransmits its SYN.
     */
    public void unplug() {
        network.fault(name, "unplug");
        for (Port p : ports) p.setCarrier(false);
    }

    /** Plugs the cables back. */
    public void plug() {
        network.fault(name, "plug");
        for (Port p : ports) p.setCarrier(true);
    }

    /**
     * {@code ip link set dev X down} on every interface: their routes go with them, so local sends
     * fail at once with ENETUNREACH (ip_route_output finds no route); packets in flight are lost.
     */
    public void linkDown() {
        network.fault(name, "link down");
        for (Port p : ports) p.setUp(false);
    }

    /** {@code ip link set dev X up}: the interfaces and their on-link routes come back. */
    public void linkUp() {
        network.fault(name, "link up");
        for (Port p : ports) p.setUp(true);
    }

    /** Vanishes silently: no packet leaves, the state is gone, processes die with their sockets open. */
    public void crash() {
        if (!running) return;
        network.fault(name, "crash");
        running = false;
        stack.forgetEverything();
        for (Proc p : processes()) p.kill(); // the kill actions meet forgotten sockets: nothing is sent
        processes.clear();
        termHooks.clear();
    }

    /** Powers back on after a crash (a running host crashes first): no connection state survives. */
    public void reboot() {
        if (running) crash();
        network.fault(name, "reboot");
        stack.forgetEverything();
        running = true;
    }

    /**
     * An orderly shutdown: SIGTERM now, SIGKILL for the survivors after {@code graceMs}. The kernel stays
     * up to finish closing connections (FIN_WAIT, TIME_WAIT); call {@link #crash()} to power off.
     */
    public void shutdown(long graceMs) {
        network.fault(name, "shutdown (SIGTERM, SIGKILL after " + graceMs + " ms)");
        List<Proc> alive = processes();
        for (Proc p : alive) {
            for (Runnable h : List.copyOf(termHooks.getOrDefault(p, List.of()))) h.run();
        }
        network.scheduler().scheduleIn(Timer.of(() -> {
            for (Proc p : alive) {
                if (!p.isDone() && !p.isKilled()) {
                    network.fault(name, "SIGKILL " + p.name());
                    p.kill();
                }
            }
        }), graceMs * 1_000_000L);
    }
}
