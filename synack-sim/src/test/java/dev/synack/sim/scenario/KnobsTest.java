package dev.synack.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Knobs are set by name and stay values: each {@code with…} returns a new one and leaves the old one as it was. */
class KnobsTest {
    @Test
    void defaultsAreSeedOneAndNothingSet() {
        Knobs d = Knobs.defaults();
        assertEquals(1, d.seed());
        assertEquals(java.util.OptionalLong.empty(), d.rttUs());
        assertEquals(20_000_000L, d.rttNsOr(20));
        assertEquals(0.0, d.loss());
        assertTrue(d.keepalive().isEmpty());
        assertEquals(OptionalInt.empty(), d.soTimeoutMs());
        assertEquals(OptionalInt.empty(), d.userTimeoutMs());
        assertEquals(OptionalInt.empty(), d.connectTimeoutMs());
        assertEquals(Map.of(), d.sysctls());
        // Sysctls that were not set are Linux 6.18's.
        assertEquals(6, d.synRetries());
        assertEquals(4, d.synLinearTimeouts());
        assertEquals(15, d.retries2());
        assertEquals("Knobs[seed=1]", d.toString());
    }

    @Test
    void eachKnobIsSetByName() {
        Knobs k = Knobs.defaults().withSeed(7).withRttMs(100).withLoss(0.25).withKeepalive(2, 1, 3).withSoTimeoutMs(3000)
                .withUserTimeoutMs(5000).withConnectTimeoutMs(1500).withSynRetries(3).withSynLinearTimeouts(0).withRetries2(5);
        assertEquals(7, k.seed());
        assertEquals(java.util.OptionalLong.of(100_000), k.rttUs());
        assertEquals(100_000_000L, k.rttNsOr(20));
        assertEquals(0.25, k.loss());
        assertEquals(new Knobs.Keepalive(2, 1, 3), k.keepalive().orElseThrow());
        assertEquals(OptionalInt.of(3000), k.soTimeoutMs());
        assertEquals(OptionalInt.of(5000), k.userTimeoutMs());
        assertEquals(OptionalInt.of(1500), k.connectTimeoutMs());
        assertEquals(3, k.synRetries());
        assertEquals(0, k.synLinearTimeouts());
        assertEquals(5, k.retries2());
        assertEquals(List.of("tcp_syn_retries", "tcp_syn_linear_timeouts", "tcp_retries2"), List.copyOf(k.sysctls().keySet()));
        assertEquals("Knobs[seed=7, rttMs=100, loss=0.25, keepalive=2,1,3, soTimeoutMs=3000, userTimeoutMs=5000, "
                + "connectTimeoutMs=1500, tcp_syn_retries=3, tcp_syn_linear_timeouts=0, tcp_retries2=5]", k.toString());
    }

    @Test
    void anySysctlByItsLinuxName() {
        Knobs k = Knobs.defaults().withSysctl("tcp_sack", "0").withSysctl("net.ipv4.tcp_frto", "0");
        assertEquals("0", k.sysctl("tcp_sack"));
        assertEquals("0", k.sysctl("tcp_frto"));
        assertEquals("1", k.sysctl("tcp_dsack"));
        // Setting one again replaces its value and keeps its place.
        Knobs again = k.withSysctl("tcp_sack", "1");
        assertEquals(List.of("tcp_sack", "net.ipv4.tcp_frto"), List.copyOf(again.sysctls().keySet()));
        assertEquals("1", again.sysctl("tcp_sack"));
    }

    @Test
    void withLeavesTheOriginalAsItWas() {
        Knobs base = Knobs.defaults().withRttMs(50);
        Knobs changed = base.withSeed(9).withRetries2(3);
        assertEquals(1, base.seed());
        assertEquals(Map.of(), base.sysctls());
        assertEquals(15, base.retries2());
        assertEquals(9, changed.seed());
        assertEquals(50_000_000L, changed.rttNsOr(20));
        assertThrows(UnsupportedOperationException.class, () -> changed.sysctls().put("tcp_sack", "0"));
        assertEquals(Knobs.defaults(), Knobs.defaults().withSeed(1));
        assertEquals(Knobs.defaults().withRttMs(50).withSeed(9), Knobs.defaults().withSeed(9).withRttMs(50));
        assertEquals(Knobs.defaults().withRttMs(50).hashCode(), Knobs.defaults().withRttMs(50).hashCode());
        assertNotEquals(Knobs.defaults(), Knobs.defaults().withRetries2(15));
        assertEquals(Knobs.defaults().withLoss(0), Knobs.defaults().withLoss(-0.0));
    }

    @Test
    void badValuesAndUnknownNamesAreRejected() {
        Knobs d = Knobs.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withRttMs(0));
        assertThrows(IllegalArgumentException.class, () -> d.withLoss(1.5));
        assertThrows(IllegalArgumentException.class, () -> d.withLoss(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> d.withKeepalive(0, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> d.withSoTimeoutMs(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withUserTimeoutMs(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withConnectTimeoutMs(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withSynRetries(0));
        assertThrows(IllegalArgumentException.class, () -> d.withSynLinearTimeouts(11));
        assertThrows(IllegalArgumentException.class, () -> d.withRetries2(256));
        var unknown = assertThrows(IllegalArgumentException.class, () -> d.withSysctl("tcp_nonsense", "1"));
        assertEquals("unknown sysctl 'tcp_nonsense'", unknown.getMessage());
        assertEquals(d, Knobs.defaults());
    }
}
