package dev.synack.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.tun.TunBench.Figures;
import dev.synack.tun.TunBench.Sittings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code synack bench tun}'s printing: each sitting's line, the medians and the ratios (no device needed). */
class TunBenchTest {
    private static Sittings mtu1500() {
        return new Sittings(1500,
                List.of(new Figures(4, 5, 20_000), new Figures(2, 6, 24_000), new Figures(3, 4, 22_000)), List.of(),
                List.of(new Figures(1, 1, 10_000), new Figures(2, 2, 11_000), new Figures(1.5, 1, 9_000)),
                List.of(new Figures(20, 20, 40_000), new Figures(30, 30, 44_000), new Figures(10, 10, 30_000)));
    }

    @Test
    void sittingLineHasEverySide() {
        assertEquals("  sitting 2, MTU 1500: kernel→stack synack 2.00 netstack 2.00 veth 30.00; stack→kernel synack 6.00 netstack 2.00 "
                + "veth 30.00; 1-byte RR synack 24000 netstack 11000 veth 44000 (Gbit/s; RR/s)", TunBench.sittingLine(2, mtu1500()));
    }

    @Test
    void tablePrintsMediansAndRatios() {
        String[] lines = TunBench.table(List.of(mtu1500())).split("\n");
        assertEquals("medians of 3 sitting(s)", lines[0]);
        assertTrue(lines[1].contains("synack÷netstack") && lines[1].contains("synack÷veth"), lines[1]);
        // kernel→stack: medians 3 (synack), 1.5 (netstack), 20 (veth)
        assertTrue(lines[2].startsWith("  MTU 1500 kernel→stack"), lines[2]);
        assertTrue(lines[2].matches(".*3\\.00 Gbit/s +1\\.50 Gbit/s +20\\.00 Gbit/s +2\\.00× +0\\.15×"), lines[2]);
        assertTrue(lines[3].matches(".*5\\.00 Gbit/s +1\\.00 Gbit/s +20\\.00 Gbit/s +5\\.00× +0\\.25×"), lines[3]);
        assertTrue(lines[4].matches(".*22000 /s +10000 /s +40000 /s +2\\.20× +0\\.55×"), lines[4]);
        assertEquals(5, lines.length);
    }

    @Test
    void withoutTheAnchorTheTableSaysSo() {
        Sittings s = new Sittings(65000, List.of(new Figures(10, 8, 15_000), new Figures(12, 9, 16_000)), List.of(), List.of(),
                List.of(new Figures(20, 20, 30_000), new Figures(22, 22, 32_000)));
        String t = TunBench.table(List.of(s));
        String[] lines = t.split("\n");
        assertEquals("medians of 2 sitting(s)", lines[0]);
        assertTrue(lines[2].matches("  MTU 65000 kernel→stack +11\\.00 Gbit/s +— +21\\.00 Gbit/s +— +0\\.52×"), lines[2]);
        assertEquals("  (no netstack anchor in this run)", lines[lines.length - 1]);
        assertTrue(TunBench.sittingLine(1, s).startsWith("  sitting 1, MTU 65000: kernel→stack synack 10.00 veth 20.00;"), TunBench.sittingLine(1, s));
    }

    @Test
    void keyValueFindsTheWord() {
        assertEquals("1.234", TunBench.keyValue("discard peer=1.2.3.4:5 bytes=10 secs=1 gbps=1.234 cpu_user_pct=3", "gbps"));
    }
}
