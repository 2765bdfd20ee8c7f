package dev.synack.sim;

import dev.synack.runtime.VirtualRuntime;
import dev.synack.stack.Stack;
import dev.synack.tcp.TcpConfig;
import dev.synack.time.VirtualScheduler;
import dev.synack.wire.Ipv4;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A simulated network in virtual time: hosts (one {@link Stack} each), routers, point-to-point links
 * and LANs, with faults, on one {@link VirtualRuntime} so processes and every stack share one time
 * line. Everything random comes from one {@link SplittableRandom} seeded by the network's seed (stack
 * secrets, link impairments), and collections are iterated in insertion order only: the same seed and
 * the same story give the same packets, byte for byte.
 *
 * <pre>{@code
 * Network net = new Network(42);
 * Host client = net.host("client", "198.18.0.1/24");
 * Host server = net.host("server", "198.18.0.2/24");
 * net.link(client, server, LinkSpec.delayMs(10));
 * server.spawn("httpd", () -> { ... });
 * net.runFor(5_000);
 * System.out.println(Ladder.render(net));
 * }</pre>
 *
 * <p>The seed is part of every failure message of {@link #runFor}, {@link #runUntil},
 * {@link #runUntilDone} and {@link #check}, so a failing story can be replayed.
 */
public final class Network {
    private final long seed;
    private final SplittableRandom random;
    private final VirtualRuntime runtime = new VirtualRuntime();
    private final Trace trace = new Trace();
    private final TcpConfig config = new TcpConfig();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<SimLink> links = new ArrayList<>();
    private final Set<Cut> cuts = new LinkedHashSet<>();
    private final Map<String, Integer> names = new LinkedHashMap<>();

    private record Cut(Node from, Node to) {}

    /** A network whose randomness all derives from {@code seed}. */
    public Network(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        RealSockets.guardIfAsked(); // -Dsynack.sockets=strict: the JDK's own sockets fail from now on
    }

    public long seed() { return seed; }

    public VirtualRuntime runtime() { return runtime; }

    public VirtualScheduler scheduler() { return runtime.scheduler(); }

    public Trace trace() { return trace; }

    /** The sysctls new hosts start with (each host gets its own copy). */
    public TcpConfig config() { return config; }

    public long nowNs() { return scheduler().nowNs(); }

    SplittableRandom splitRandom() { return random.split(); }

    // ---- building ----------------------------------------------------------------------------

    /** A host with one interface ({@code "198.18.0.1/24"}), not yet attached to anything. */
    public Host host(String name, String cidr) {
        checkName(name);
        Stack stack = new Stack(name, scheduler(), config.copy(), random.nextLong());
        // The lab is where synack is tested and stories are replayed: a bug in the stack (an exception
        // while a packet is handled) surfaces from the run instead of becoming a counted drop, which is
        // for a stack facing a real network (synack tun). Malformed packets are dropped either way.
        stack.setStrict(true);
        stack.setTracer(trace);
        Host h = new Host(this, name, stack);
        h.addInterface(cidr);
        nodes.put(name, h);
        names.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT), stack.primaryAddress());
        return h;
    }

    /** A router with the given interfaces, in order. */
    public Router router(String name, String... cidrs) {
        checkName(name);
        Router r = new Router(this, name);
        for (String c : cidrs) r.addInterface(c);
        nodes.put(name, r);
        return r;
    }

    private void checkName(String name) {
        if (nodes.containsKey(name)) throw new IllegalArgumentException("a node named " + name + " exists");
    }

    /** A point-to-point cable: its two directions, each a {@link SimLink} with its own spec. */
    public record Cable(SimLink forward, SimLink backward) {}

    /**
     * A point-to-point link between the first free interfaces of {@code a} and {@code b}, with the same
     * spec in both directions (change one with {@link SimLink#setSpec}).
     */
    public Cable link(Node a, Node b, LinkSpec spec) {
        Port pa = a.freePort(), pb = b.freePort();
        SimLink ab = new SimLink(this, a.name() + "→" + b.name(), pa, pb, spec, random.split());
        SimLink ba = new SimLink(this, b.name() + "→" + a.name(), pb, pa, spec, random.split());
        pa.attach(ab, ab.name());
        pb.attach(ba, ba.name());
        links.add(ab);
        links.add(ba);
        return new Cable(ab, ba);
    }

    /** A LAN (an on-link broadcast domain with neighbour resolution); attach nodes with {@link Lan#attach}. */
    public Lan lan(String name, LinkSpec spec) { return new Lan(this, name, spec); }

    void register(SimLink link) { links.add(link); }

    /** Every link direction and LAN transmitter, in creation order. */
    public List<SimLink> links() { return List.copyOf(links); }

    /**
     * The link direction or LAN transmitter named {@code name}: {@code "client→server"} for a cable's
     * direction, {@code "lan:server"} for what {@code server} sends on the LAN {@code lan}. Change its
     * impairments with {@link SimLink#setSpec}.
     */
    public SimLink link(String name) {
        for (SimLink l : links) if (l.name().equals(name)) return l;
        List<String> names = new ArrayList<>();
        for (SimLink l : links) names.add(l.name());
        throw new IllegalArgumentException("no link " + name + "; links: " + names);
    }

    /** The host named {@code name}. */
    public Host host(String name) {
        if (node(name) instanceof Host h) return h;
        throw new IllegalArgumentException(name + " is not a host");
    }

    /** The node named {@code name}. */
    public Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) throw new IllegalArgumentException("no node " + name);
        return n;
    }

    /** Every node in creation order. */
    public List<Node> nodes() { return List.copyOf(nodes.values()); }

    /** The name of the node with address {@code addr}, or its dotted quad. */
    public String nameOf(int addr) {
        for (Node n : nodes.values()) if (n.portFor(addr) != null) return n.name();
        return Ipv4.format(addr);
    }

    // ---- names ---------------------------------------------------------------------------------

    /**
     * Adds {@code name} to the network's name table (its "DNS"), for {@code host}'s first address. Every
     * host is in it under its own name from the start; add aliases ({@code "db.internal"}) here.
     */
    public void name(String name, Host host) { name(name, host.stack().primaryAddress()); }

    /** Adds {@code name} for the address {@code address} (e.g. one behind a router). */
    public void name(String name, String address) { name(name, Ipv4.parse(address)); }

    private void name(String name, int addr) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("empty name");
        names.put(name.toLowerCase(java.util.Locale.ROOT), addr);
    }

    /**
     * {@code name} resolved in this network's name table (case-insensitively; IPv4 literals as is). It
     * never asks the machine's DNS: an unknown name fails as the JDK's resolver does on Linux
     * (UnknownHostException "NAME: Name or service not known"). The hosts' kernels resolve with it, so
     * the socket factories' {@code createSocket("server", 80)} reach the host named "server".
     */
    public java.net.InetAddress resolve(String name) throws java.net.UnknownHostException {
        Integer a = names.get(name.toLowerCase(java.util.Locale.ROOT));
        if (a == null) {
            try {
                return dev.synack.socket.Kernel.inet(Ipv4.parse(name));
            } catch (IllegalArgumentException notALiteral) {
                throw new java.net.UnknownHostException(name + ": Name or service not known");
            }
        }
        return java.net.InetAddress.getByAddress(name, dev.synack.socket.Kernel.inet(a).getAddress());
    }

    /**
     * The first name in the table for {@code address} (a reverse lookup, as {@code InetAddress.getHostName}
     * asks it), or null.
     */
    public String nameFor(java.net.InetAddress address) {
        if (!(address instanceof java.net.Inet4Address)) return null;
        byte[] b = address.getAddress();
        int a = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        for (var e : names.entrySet()) if (e.getValue() == a) return e.getKey();
        return null;
    }

    /** The name table: every name and its address, in the order they were added. */
    public Map<String, String> names() {
        Map<String, String> out = new LinkedHashMap<>();
        names.forEach((n, a) -> out.put(n, Ipv4.format(a)));
        return out;
    }

    // ---- the current network: InetAddress lookups (LabResolverProvider) -------------------------

    private static final ScopedValue<Network> CURRENT = ScopedValue.newInstance();
    private volatile boolean strictNames = LabResolverProvider.strictByProperty();
    private final List<String> nameFailures = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * The network whose code runs on this thread: in a process of one of its hosts ({@link Host#spawn}),
     * or inside {@link #runAsCurrent}/{@link #callAsCurrent} (the JUnit extension binds the test's
     * network around each test and lifecycle method); empty elsewhere. {@link LabResolverProvider} answers
     * {@code InetAddress.getByName} from this network's name table while one is bound.
     */
    public static java.util.Optional<Network> current() {
        return CURRENT.isBound() ? java.util.Optional.of(CURRENT.get()) : java.util.Optional.empty();
    }

    /** Runs {@code body} with this network as {@link #current()} on this thread (and only for its duration). */
    public void runAsCurrent(Runnable body) { ScopedValue.where(CURRENT, this).run(body); }

    /** Calls {@code body} with this network as {@link #current()} on this thread, and returns its result. */
    public <T, X extends Throwable> T callAsCurrent(ScopedValue.CallableOp<? extends T, X> body) throws X {
        return ScopedValue.where(CURRENT, this).call(body);
    }

    /**
     * Strict names: a lookup this network cannot answer — a name not in its table, or (while strict) any
     * name looked up on a thread that runs in no network — throws UnknownHostException and is recorded
     * as a failure ({@link #takeNameFailures}; the JUnit extension fails the test with it), even if the
     * code under test catches the exception. Off by default; {@code -Dsynack.names=strict} turns it on
     * for every new network. Turn it off when the network is done with: while a strict network exists
     * with strict names on, lookups on unbound threads do not go to the machine's DNS.
     */
    public void strictNames(boolean on) {
        strictNames = on;
        LabResolverProvider.strict(this, on);
    }

    public boolean strictNames() { return strictNames; }

    void nameFailure(String message) { nameFailures.add(message); }

    /** The strict-names failures recorded since the last call (see {@link #strictNames(boolean)}), oldest first. */
    public List<String> takeNameFailures() {
        synchronized (nameFailures) {
            List<String> out = List.copyOf(nameFailures);
            nameFailures.clear();
            return out;
        }
    }

    // ---- time ----------------------------------------------------------------------------------

    /**
     * A {@link java.time.Clock} on the network's virtual time (UTC; virtual time 0 is the epoch,
     * 1970-01-01T00:00:00Z): hand it to code under test instead of {@code Clock.systemUTC()}, and its
     * deadlines and timestamps move with the simulation.
     */
    public java.time.Clock clock() { return new SimClock(runtime, java.time.ZoneOffset.UTC); }

    /**
     * Sleeps {@code d} of virtual time: in a simulated process, the process parks and the others run; on
     * the driving thread (a test), the simulation runs for {@code d}. Hand {@code net::sleep} to code
     * under test as its sleeper; {@code Thread.sleep} takes wall time and no virtual time at all.
     */
    public void sleep(java.time.Duration d) throws InterruptedException { runtime.sleep(d.toNanos()); }

    /**
     * Runs {@code action} after {@code delay} of virtual time, with the stacks to itself (a fault at a
     * chosen moment: {@code net.after(Duration.ofMillis(200), server::crash)}). Recorded where it acts.
     */
    public void after(java.time.Duration delay, Runnable action) {
        scheduler().scheduleIn(dev.synack.time.Timer.of(action), delay.toNanos());
    }

    /** Runs {@code action} at virtual time {@code atNs} (see {@link #after}). */
    public void at(long atNs, Runnable action) { scheduler().schedule(dev.synack.time.Timer.of(action), atNs); }

    // ---- partitions ----------------------------------------------------------------------------

    /** Nothing passes between {@code a} and {@code b}, either way, until {@link #heal()}. */
    public void partition(Set<? extends Node> a, Set<? extends Node> b) {
        partitionOneWay(a, b);
        partitionOneWay(b, a);
    }

    /** Nothing passes from {@code from} to {@code to} (the other way still works). */
    public void partitionOneWay(Set<? extends Node> from, Set<? extends Node> to) {
        fault("network", "partition " + names(from) + " ⇸ " + names(to));
        for (Node f : sorted(from)) for (Node t : sorted(to)) cuts.add(new Cut(f, t));
    }

    /** Removes every partition. */
    public void heal() {
        fault("network", "heal");
        cuts.clear();
    }

    boolean blocked(Node from, Node to) { return !cuts.isEmpty() && cuts.contains(new Cut(from, to)); }

    /** A set's nodes in creation order (a Set's own order may depend on hashing). */
    private List<Node> sorted(Set<? extends Node> set) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes.values()) if (set.contains(n)) out.add(n);
        return out;
    }

    private String names(Set<? extends Node> set) {
        List<String> out = new ArrayList<>();
        for (Node n : sorted(set)) out.add(n.name());
        return String.join(",", out);
    }

    // ---- packets -------------------------------------------------------------------------------

    /**
     * A frame reached the end of its flight: deliver it unless the network changed under it. The node
     * may exchange the frame's storage ({@link Node#deliverFrame}): {@code f.data()} may be another
     * array on return.
     */
    boolean arrive(SimLink link, Port from, Port to, SimLink.Frame f) {
        int fromEpoch = f.fromEpoch, toEpoch = f.toEpoch, len = f.length();
        byte[] b = f.data();
        SimEvent.Fate fate = null;
        if (blocked(from.node, to.node)) fate = SimEvent.Fate.PARTITIONED;
        else if (from.epoch != fromEpoch || to.epoch != toEpoch || !to.passes()) fate = SimEvent.Fate.UNPLUGGED;
        else if (!to.node.isRunning()) fate = SimEvent.Fate.HOST_DOWN;
        if (fate != null) {
            drop(link, from, to, fate, b, 0, len);
            return false;
        }
        if (to.attachment != null) to.attachment.confirm(from.address);
        f.setData(to.node.deliverFrame(to, b, len));
        return true;
    }

    /** Records a packet {@code link} did not deliver, and why ({@link SimEvent.NetworkDrop}). */
    void drop(SimLink link, Port from, Port to, SimEvent.Fate fate, byte[] b, int off, int len) {
        trace.add(new SimEvent.NetworkDrop(nowNs(), from.node.name(), to == null ? null : to.node.name(), link.name(), fate,
                Arrays.copyOfRange(b, off, off + len)));
    }

    /** Records a packet {@code router} did not forward, and why. */
    void drop(Router router, Port in, SimEvent.Fate fate, byte[] b, int off, int len) {
        trace.add(new SimEvent.NetworkDrop(nowNs(), nameOf(Ipv4.src(b, off)), router.name(), in.medium, fate,
                Arrays.copyOfRange(b, off, off + len)));
    }

    void fault(String host, String what) { trace.add(new SimEvent.Fault(nowNs(), host, what)); }

    // ---- running -------------------------------------------------------------------------------

    /**
     * Runs processes and events for {@code ms} of virtual time. A process's failure (an exception that
     * escaped its body) is rethrown once, as by {@link #runUntilDone}: an AssertionError naming the seed,
     * the virtual time and the process, with the failure as its cause.
     */
    public void runFor(long ms) { runUntil(nowNs() + ms * 1_000_000L); }

    /** Runs {@code d} of virtual time (see {@link #runFor(long)}). */
    public void runFor(java.time.Duration d) { runUntil(nowNs() + d.toNanos()); }

    /** Runs processes and events until virtual time {@code deadlineNs}; rethrows a process's failure (see {@link #runFor}). */
    public void runUntil(long deadlineNs) {
        try {
            runtime.runUntil(deadlineNs);
        } catch (RuntimeException | Error e) {
            throw failure(e);
        }
    }

    /** Runs until every process is done or {@code limitMs} of virtual time passes; rethrows a process's failure. */
    public void runUntilDone(long limitMs) {
        try {
            runtime.runUntilDone(limitMs * 1_000_000L);
        } catch (RuntimeException | Error e) {
            throw failure(e);
        }
    }

    /** Runs {@code assertions}; a failure names the seed and the virtual time. */
    public void check(Runnable assertions) {
        try {
            assertions.run();
        } catch (RuntimeException | Error e) {
            throw failure(e);
        }
    }

    private AssertionError failure(Throwable e) {
        return new AssertionError("[seed " + seed + ", t=" + String.format("%.6f", nowNs() / 1e9) + " s] " + e.getMessage(), e);
    }

    /** Parses {@code "a.b.c.d/n"} into {address, prefix length}. */
    static int[] cidr(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("expected address/prefix, not " + text);
        int prefix = Integer.parseInt(text.substring(slash + 1));
        if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("prefix must be 0..32: " + text);
        return new int[] {Ipv4.parse(text.substring(0, slash)), prefix};
    }

    @Override
    public String toString() { return "Network[seed " + seed + ", " + nodes.keySet() + ", t=" + nowNs() / 1e9 + " s]"; }
}
