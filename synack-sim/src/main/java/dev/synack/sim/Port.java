package dev.synack.sim;

import dev.synack.link.Link;
import dev.synack.stack.NetInterface;

/**
 * One interface of a node as the network sees it: its address, whether it is up (administratively:
 * {@code ip link set dev X up|down}), whether its cable is in (the carrier), and the link or LAN it is
 * attached to. Taking it down or unplugging it bumps its epoch, so packets in flight from or to it
 * are lost even if it comes back before they would have arrived.
 */
final class Port {
    final Node node;
    final String ifName;
    final int address;
    final int prefixLength;
    /** The stack's interface for a host; null for a router. */
    final NetInterface nic;
    private boolean routerUp = true;
    private boolean carrier = true;
    int epoch;
    Link out;
    String medium;
    Lan.Attachment attachment;

    Port(Node node, String ifName, int address, int prefixLength, NetInterface nic) {
        this.node = node;
        this.ifName = ifName;
        this.address = address;
        this.prefixLength = prefixLength;
        this.nic = nic;
    }

    boolean isUp() { return nic != null ? nic.isUp() : routerUp; }

    void setUp(boolean up) {
        if (!up && isUp()) epoch++;
        if (nic != null) nic.setUp(up);
        else routerUp = up;
        node.portChanged();
    }

    /** Whether the cable is in: the medium carries what the interface sends and brings it what is sent to it. */
    boolean hasCarrier() { return carrier; }

    /**
     * The cable comes out (false) or goes back in. Unlike {@link #setUp} the interface stays up and its
     * routes stay (Linux marks them linkdown and still uses them: ignore_routes_with_linkdown 0), so
     * sends are not refused; they are lost on the medium.
     */
    void setCarrier(boolean on) {
        if (!on && carrier) epoch++;
        carrier = on;
    }

    /** Whether frames pass: up and the cable in. */
    boolean passes() { return isUp() && carrier; }

    void attach(Link link, String mediumName) {
        if (out != null) throw new IllegalStateException(node.name() + " " + ifName + " is already attached to " + medium);
        this.out = link;
        this.medium = mediumName;
        if (nic != null) nic.setLink(link);
        node.portChanged();
    }

    boolean onLink(int addr) {
        if (prefixLength == 0) return true;
        int mask = -1 << (32 - prefixLength);
        return (addr & mask) == (address & mask);
    }

    @Override
    public String toString() { return node.name() + ":" + ifName; }
}
