package dev.synack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.linux.KernelPacketdrill;
import dev.synack.packetdrill.Result;
import java.util.List;
import org.junit.jupiter.api.Test;

/** synack's run of a script judged by Linux's run, not by the script (issue 12: packetdrill --against-linux). */
class PacketdrillVerdictTest {
    private static Result synackPass() { return new Result("x.pkt", true, 0, null, null, null, null, List.of()); }

    private static Result synackFail(int line, String actual) {
        return new Result("x.pkt", false, line, "packet: flags", "outbound packet flags", "P. 1:41(40) ack 1", actual, List.of());
    }

    private static KernelPacketdrill.Run linux(boolean passed, int line, String actual) {
        return new KernelPacketdrill.Run(passed, line, passed ? "" : "error handling packet", "P. 1:41(40) ack 1", actual, "");
    }

    @Test
    void bothPassing() {
        assertTrue(PacketdrillVerdict.of(synackPass(), linux(true, 0, null)).agrees());
    }

    @Test
    void aScriptLinuxFailsIsJudgedByLinuxsPacket() {
        // Linux sends ". 1:41(40)" where the script has "P."; synack sends the same: they agree.
        var v = PacketdrillVerdict.of(synackFail(20, ". 1:41(40) ack 1 win 256"), linux(false, 20, "0.210 . 1:41(40) ack 1 win 256 <nop,nop,TS val 1 ecr 2>"));
        assertTrue(v.agrees(), v.text());
        assertEquals("both stop at line 20 sending . 1:41(40) ack 1 win 256 where the script has P. 1:41(40) ack 1", v.text());
        // synack's runner appends the time it sent the packet: not part of the packet.
        assertTrue(PacketdrillVerdict.of(synackFail(20, ". 1:41(40) ack 1 win 256 @0.228"), linux(false, 20, "0.231 . 1:41(40) ack 1 win 256")).agrees());
        // A different window is a difference.
        assertFalse(PacketdrillVerdict.of(synackFail(20, ". 1:41(40) ack 1 win 257"), linux(false, 20, "0.210 . 1:41(40) ack 1 win 256")).agrees());
    }

    @Test
    void passingWhereLinuxFailsIsADifference() {
        var v = PacketdrillVerdict.of(synackPass(), linux(false, 20, "0.210 . 1:41(40) ack 1 win 256"));
        assertFalse(v.agrees());
        assertEquals("synack passes; Linux stops at line 20: error handling packet (Linux sent 0.210 . 1:41(40) ack 1 win 256)", v.text());
        assertFalse(PacketdrillVerdict.of(synackFail(20, null), linux(true, 0, null)).agrees());
        assertFalse(PacketdrillVerdict.of(synackFail(20, null), linux(false, 31, null)).agrees());
    }
}
