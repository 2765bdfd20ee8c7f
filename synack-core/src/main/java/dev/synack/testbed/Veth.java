package dev.synack.testbed;

import dev.synack.link.MemoryLink;
import dev.synack.socket.Kernel;
import dev.synack.wire.Ipv4;

/**
 * Two hosts joined by a cable in memory: one {@link MemoryLink} each way, as Linux joins two network
 * namespaces with a veth pair ({@code ip link add veth0 type veth peer name veth1}). Each host gets a
 * new interface ({@code eth0} on a host without one) with its address; the links are returned so a
 * test can impair them ({@link MemoryLink#loss}, {@link MemoryLink#reorder}, ...).
 *
 * <pre>{@code
 * VirtualRuntime rt = new VirtualRuntime();
 * Kernel client = Kernel.create(rt, "client", 1), server = Kernel.create(rt, "server", 2);
 * Veth veth = Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 10_000_000); // 10 ms each way
 * veth.aToB().loss(0.01);
 * }</pre>
 *
 * @param aToB the link from the first host to the second
 * @param bToA the link back
 */
public record Veth(MemoryLink aToB, MemoryLink bToA) {
    /**
     * Joins {@code a} and {@code b} with links of {@code oneWayDelayNs} each: {@code a} gets a new
     * interface with {@code addrA}/{@code prefix}, {@code b} one with {@code addrB}/{@code prefix}, both
     * with an MTU of 1500. The links draw their impairments from the fixed seeds 1 and 2.
     */
    public static Veth connect(Kernel a, String addrA, Kernel b, String addrB, int prefix, long oneWayDelayNs) {
        MemoryLink ab = new MemoryLink(a.runtime().scheduler(), b.stack(), oneWayDelayNs, 1);
        MemoryLink ba = new MemoryLink(b.runtime().scheduler(), a.stack(), oneWayDelayNs, 2);
        a.runtime().call(() -> a.stack().addInterface("eth" + a.stack().interfaces().size(), Ipv4.parse(addrA), prefix, 1500, ab));
        b.runtime().call(() -> b.stack().addInterface("eth" + b.stack().interfaces().size(), Ipv4.parse(addrB), prefix, 1500, ba));
        return new Veth(ab, ba);
    }
}
