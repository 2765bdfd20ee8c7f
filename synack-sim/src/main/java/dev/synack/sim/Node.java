package dev.synack.sim;

import dev.synack.wire.Ipv4;
import java.util.ArrayList;
import java.util.List;

/** Something with interfaces on the network: a {@link Host} (one stack) or a {@link Router}. */
public abstract sealed class Node permits Host, Router {
    final Network network;
    final String name;
    /** The interfaces, in the order added (through {@link #addPort}). */
    final List<Port> ports = new ArrayList<>();
    /** Each address's first port, by index in {@link #ports}: {@link #portFor} runs for every packet a router forwards. */
    private final AddressIndex portByAddress = new AddressIndex();
    /**
     * Bumped on every change a route lookup depends on: a port added, attached, taken up or down (and,
     * for a router, a route added). What is cached per destination is valid while it stays the same.
     */
    int version;

    Node(Network network, String name) {
        this.network = network;
        this.name = name;
    }

    public final String name() { return name; }

    /** The network this node belongs to. */
    public final Network network() { return network; }

    /** The address of the first interface. */
    public final int address() { return ports.getFirst().address; }

    /** Every address of the node, in interface order, as text. */
    public final List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (Port p : ports) out.add(Ipv4.format(p.address) + "/" + p.prefixLength);
        return out;
    }

    /** Whether the node is powered and running (not crashed). */
    abstract boolean isRunning();

    /**
     * A packet arrived on {@code in}. The node may modify the buffer until it returns (a router
     * decrements the TTL in place); after that the buffer is the caller's again.
     */
    abstract void deliver(Port in, byte[] b, int off, int len);

    /**
     * A frame a link owns arrived on {@code in}: the packet is {@code frame[0, len)}. As {@link #deliver},
     * but a node that passes the packet on to another link may hand it the array itself instead of a
     * copy, and give the caller another array in exchange ({@link SimLink#sendSwapping}).
     *
     * @return the array the caller's frame keeps: {@code frame}, or one given in exchange for it
     */
    byte[] deliverFrame(Port in, byte[] frame, int len) {
        deliver(in, frame, 0, len);
        return frame;
    }

    /** The on-link address a packet for {@code dst} goes to next: a route's gateway, or dst itself. */
    abstract int nextHop(int dst);

    /** Neighbour resolution for a packet this node sent on {@code out} failed: report it (ICMP host unreachable). */
    abstract void neighbourFailed(Port out, byte[] b, int off, int len);

    /** The first interface not yet attached to a link or LAN. */
    final Port freePort() {
        for (Port p : ports) if (p.out == null) return p;
        throw new IllegalStateException(name + " has no free interface (add one with addInterface)");
    }

    /** Adds an interface. */
    final void addPort(Port p) {
        portByAddress.putIfAbsent(p.address, ports.size());
        ports.add(p);
        version++;
    }

    /** A port was attached to a medium, or taken up or down. */
    final void portChanged() { version++; }

    /** The first port with address {@code addr}, or null. */
    final Port portFor(int addr) {
        int i = portByAddress.get(addr);
        return i < 0 ? null : ports.get(i);
    }

    @Override
    public String toString() { return name + " " + addresses(); }
}
