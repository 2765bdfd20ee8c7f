package dev.synack.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.tcp.TcpConnection;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The same seed and story give the same packets byte for byte, whatever the seed. */
class DeterminismProperties {
    static byte[] story(long seed) {
        Network net = new Network(seed);
        Host c = net.host("client", "10.0.0.1/24");
        Host s = net.host("server", "10.0.0.2/24");
        net.lan("lan", LinkSpec.builder().delayMs(3).jitterMs(2).rate(10_000_000).queue(8).loss(0.05)
                .duplicate(0.03).reorder(0.03).corrupt(0.03).build()).attach(c).attach(s);
        s.spawn("sink", () -> {
            TcpConnection conn = Apps.accept(net, Apps.listen(s, 9));
            byte[] buf = new byte[8192];
            while (Apps.read(net, conn, buf) > 0) {
                // drain
            }
            conn.close();
        });
        c.spawn("src", () -> {
            TcpConnection conn = Apps.connect(net, c, "10.0.0.2", 9);
            Apps.write(net, conn, new byte[50_000]);
            conn.close();
        });
        net.runUntilDone(600_000);
        assertEquals(0, net.runtime().processes().stream().filter(p -> !p.isDone()).count());
        return Pcap.toBytes(net.trace());
    }

    @Property(tries = 8)
    void sameSeedSamePcap(@ForAll long seed) {
        assertArrayEquals(story(seed), story(seed), "seed " + seed);
    }
}
