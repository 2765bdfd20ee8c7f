package dev.synack.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real packetdrill against this machine's kernel: what its output says, and a run when it is installed. */
class KernelPacketdrillTest {
    /** packetdrill's report of a mismatch, as it prints it. */
    @Test
    void readsTheFirstMismatch() {
        var r = KernelPacketdrill.parse(false, """
                x.pkt:31: error handling packet: live packet payload: expected 974 bytes vs actual 1948 bytes
                script packet:  0.230145 P. 1543:2517(974) ack 144
                actual packet:  0.230131 . 1543:3491(1948) ack 144 win 261
                """);
        assertFalse(r.passed());
        assertEquals(31, r.line());
        assertEquals("error handling packet: live packet payload: expected 974 bytes vs actual 1948 bytes", r.message());
        assertEquals("0.230145 P. 1543:2517(974) ack 144", r.scriptPacket());
        assertEquals("0.230131 . 1543:3491(1948) ack 144 win 261", r.actualPacket());
        assertTrue(KernelPacketdrill.parse(true, "").passed());
    }

    /**
     * A script of our own (a passive open and a 1000-byte write) on the kernel, through the real
     * packetdrill when it is installed (PACKETDRILL or on the PATH) and the test runs as root.
     */
    @Test
    void playsAScriptOnTheKernel(@TempDir Path dir) throws Exception {
        String why = LinuxWorld.unavailable();
        assumeTrue(why == null, "skipped: " + why);
        var pd = KernelPacketdrill.find(null);
        assumeTrue(pd.isPresent(), "skipped: no packetdrill (set PACKETDRILL or put it on the PATH; build it from google/packetdrill)");
        Path script = dir.resolve("tcp/basic/write.pkt");
        Files.createDirectories(script.getParent());
        Files.writeString(script, """
                `sysctl -q net.ipv4.tcp_rmem="4096 131072 6291456"`
                0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
                +0    bind(3, ..., ...) = 0
                +0    listen(3, 1) = 0
                +0    < S 0:0(0) win 32792 <mss 1000,nop,nop,sackOK,nop,wscale 7>
                +0    > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 7>
                +.01  < . 1:1(0) ack 1 win 257
                +0    accept(3, ..., ...) = 4
                +0    write(4, ..., 1000) = 1000
                +0    > P. 1:1001(1000) ack 1
                +.01  < . 1:1(0) ack 1001 win 257
                """);
        var run = pd.get().run(script, List.of(), 30);
        assertTrue(run.passed(), run.output());
    }
}
