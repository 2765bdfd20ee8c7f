package dev.synack.stack;

import dev.synack.link.Link;
import dev.synack.wire.Ipv4;

/** One network interface of a host: an address on a prefix, an MTU and the link behind it. */
public final class NetInterface {
    private final String name;
    private final int address;
    private final int prefixLength;
    private final int mtu;
    /** The stack whose routes depend on whether this interface is up. */
    private final Stack owner;
    private Link link;
    private boolean up = true;
    private boolean txRefused;

    NetInterface(Stack owner, String name, int address, int prefixLength, int mtu, Link link) {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length must be 0..32");
        if (mtu < 68 || mtu > 65535) throw new IllegalArgumentException("MTU must be 68..65535");
        this.owner = owner;
        this.name = name;
        this.address = address;
        this.prefixLength = prefixLength;
        this.mtu = mtu;
        this.link = link;
    }

    public String name() { return name; }

    public int address() { return address; }

    public int prefixLength() { return prefixLength; }

    public int mtu() { return mtu; }

    public Link link() { return link; }

    public void setLink(Link link) { this.link = link; }

    /** Whether the interface is up (carrier present). */
    public boolean isUp() { return up; }

    /** Sets the link state: a down interface (cable unplugged) has no routes. */
    public void setUp(boolean up) {
        if (this.up == up) return;
        this.up = up;
        owner.routesChanged();
    }

    /** Whether the interface's queue discipline refuses every packet (local congestion). */
    public boolean isTxRefused() { return txRefused; }

    /**
     * Local congestion: the queue discipline refuses every packet handed to the interface, as
     * {@code tc qdisc add dev X root pfifo limit 0} makes it do. A sender sees NET_XMIT_DROP: TCP keeps
     * the segment (new data stays unsent, a retransmission counts as failed) and retries every 500 ms
     * (TCP_RESOURCE_PROBE_INTERVAL).
     */
    public void setTxRefused(boolean refused) { this.txRefused = refused; }

    /** Whether {@code addr} is on this interface's prefix. */
    public boolean onLink(int addr) {
        if (prefixLength == 0) return true;
        int mask = -1 << (32 - prefixLength);
        return (addr & mask) == (address & mask);
    }

    @Override
    public String toString() {
        return name + " " + Ipv4.format(address) + "/" + prefixLength + " mtu " + mtu + (up ? "" : " DOWN");
    }
}
