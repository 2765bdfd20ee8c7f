package dev.synack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.synack.wire.Ipv4;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A router's cached route lookup and its port index against the linear scans they replace: random
 * interfaces, routes, ports attached and taken up or down, interleaved with lookups of addresses
 * drawn from few prefixes (so that prefixes nest and cache slots collide).
 */
class RouterLookupProperties {

    sealed interface Op permits AddInterface, AddRoute, SetUp, Attach, Lookup {}
    record AddInterface(int net, int prefixLength) implements Op {}
    record AddRoute(int net, int prefixLength, int gatewayPort) implements Op {}
    record SetUp(int port, boolean up) implements Op {}
    record Attach(int port) implements Op {}
    record Lookup(int addr) implements Op {}

    /**
     * Addresses 10.0.x.y with x in 0..63 and y in 0..31: prefixes from /0 to /32 overlap, and 2048
     * addresses share the router's 1024 cache slots.
     */
    static Arbitrary<Integer> addr() {
        return Combinators.combine(Arbitraries.integers().between(0, 63), Arbitraries.integers().between(0, 31))
                .as((x, y) -> (10 << 24) | (x << 8) | y);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> prefix = Arbitraries.of(0, 8, 16, 21, 24, 29, 30, 32);
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 7);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Combinators.combine(addr(), prefix).as(AddInterface::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(addr(), prefix, port).as(AddRoute::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(port, Arbitraries.of(true, false)).as(SetUp::new)),
                net.jqwik.api.Tuple.of(2, port.map(Attach::new)),
                net.jqwik.api.Tuple.of(12, addr().map(Lookup::new)));
        return op.list().ofMaxSize(120);
    }

    @Property(tries = 500)
    void cachedLookupIsTheScan(@ForAll("ops") List<Op> ops) {
        Router r = new Network(1).router("r", "10.0.0.254/24");
        for (Op op : ops) {
            switch (op) {
                case AddInterface(int net, int len) -> r.addInterface(Ipv4.format(net) + "/" + len);
                case AddRoute(int net, int len, int gwPort) -> {
                    Port via = r.ports.get(gwPort % r.ports.size());
                    r.route(Ipv4.format(net) + "/" + len, Ipv4.format(via.address));
                }
                case SetUp(int p, boolean up) -> r.ports.get(p % r.ports.size()).setUp(up);
                case Attach(int p) -> {
                    Port port = r.ports.get(p % r.ports.size());
                    if (port.out == null) port.attach((b, off, len) -> {}, "test");
                }
                case Lookup(int a) -> {
                    assertSame(r.scan(a), r.lookup(a), Ipv4.format(a));
                    assertSame(r.scan(a), r.lookup(a), Ipv4.format(a) + " again");
                }
            }
            for (int a = 0; a < 2048; a += 37) {
                int dst = (10 << 24) | ((a >> 5) << 8) | (a & 31);
                assertSame(r.scan(dst), r.lookup(dst));
            }
        }
    }

    @Property(tries = 500)
    void portForIsTheFirstPortWithTheAddress(@ForAll("ops") List<Op> ops) {
        Router r = new Network(1).router("r", "10.0.0.254/24");
        for (Op op : ops) {
            if (op instanceof AddInterface(int net, int len)) r.addInterface(Ipv4.format(net) + "/" + len);
            if (op instanceof Lookup(int a)) {
                Port want = null;
                for (Port p : r.ports) {
                    if (p.address == a) {
                        want = p;
                        break;
                    }
                }
                assertSame(want, r.portFor(a), Ipv4.format(a));
            }
        }
    }

    @Property(tries = 300)
    void addressIndexIsAMap(@ForAll("keys") List<Integer> keys) {
        var index = new AddressIndex();
        Map<Integer, Integer> model = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            int k = keys.get(i);
            index.putIfAbsent(k, i);
            model.putIfAbsent(k, i);
            assertEquals(model.size(), index.size());
            for (int probe : keys) assertEquals((int) model.getOrDefault(probe, -1), index.get(probe));
        }
    }

    @Provide
    Arbitrary<List<Integer>> keys() {
        // colliding small keys, 0 and -1 (0.0.0.0 and 255.255.255.255), and anything
        return Arbitraries.oneOf(Arbitraries.integers().between(-2, 40), Arbitraries.integers()).list().ofMaxSize(200);
    }
}
