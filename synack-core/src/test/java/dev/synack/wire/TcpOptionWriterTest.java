package dev.synack.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Byte layouts of Linux's tcp_options_write (net/ipv4/tcp_output.c). */
class TcpOptionWriterTest {

    static byte[] syn(int mss, boolean sack, boolean ts, int ws) {
        byte[] b = new byte[40];
        int n = TcpOptionWriter.writeSyn(b, 0, mss, sack, ts, 0x01020304, 0x05060708, ws);
        assertEquals(TcpOptionWriter.synLength(mss, sack, ts, ws), n);
        assertEquals(0, n % 4);
        return Arrays.copyOf(b, n);
    }

    @Test
    void synWithEverything() {
        assertArrayEquals(Ref.hex("02 04 05 b4 | 04 02 08 0a 01 02 03 04 05 06 07 08 | 01 03 03 0a"),
                syn(1460, true, true, 10));
    }

    @Test
    void synWithoutSack() {
        assertArrayEquals(Ref.hex("02 04 05 b4 | 01 01 08 0a 01 02 03 04 05 06 07 08 | 01 03 03 07"),
                syn(1460, false, true, 7));
    }

    @Test
    void synWithoutTimestamps() {
        assertArrayEquals(Ref.hex("02 04 05 b4 | 01 01 04 02 | 01 03 03 0a"), syn(1460, true, false, 10));
    }

    @Test
    void synMinimal() {
        assertArrayEquals(Ref.hex("02 04 05 b4"), syn(1460, false, false, -1));
        assertArrayEquals(new byte[0], syn(0, false, false, -1));
        assertArrayEquals(Ref.hex("02 04 02 18 01 03 03 00"), syn(536, false, false, 0));
    }

    @Test
    void writtenSynParsesBack() {
        byte[] b = syn(1460, true, true, 10);
        TcpOptions o = new TcpOptions();
        assertNull(o.parse(b, 0, b.length));
        assertEquals(1460, o.mss());
        assertTrue(o.sackPermitted());
        assertEquals(0x01020304, o.tsVal());
        assertEquals(0x05060708, o.tsEcr());
        assertEquals(10, o.windowScale());
    }

    @Test
    void timestamps() {
        byte[] b = new byte[14];
        assertEquals(12, TcpOptionWriter.writeTimestamps(b, 2, 5, 4));
        assertArrayEquals(Ref.hex("00 00 01 01 08 0a 00 00 00 05 00 00 00 04"), b);
    }

    @Test
    void sackBlocks() {
        byte[] b = new byte[40];
        int[] s = {10, 30, 50, 70};
        int[] e = {20, 40, 60, 80};
        assertEquals(20, TcpOptionWriter.writeSack(b, 0, s, e, 2));
        assertArrayEquals(Ref.hex("01 01 05 12 0000000a 00000014 0000001e 00000028"), Arrays.copyOf(b, 20));
        assertEquals(36, TcpOptionWriter.writeSack(b, 0, s, e, 4));
        assertEquals(0, TcpOptionWriter.writeSack(b, 0, s, e, 0));
        assertThrows(IllegalArgumentException.class, () -> TcpOptionWriter.writeSack(b, 0, s, e, 5));
        TcpOptions o = new TcpOptions();
        assertNull(o.parse(b, 0, 36));
        assertEquals(4, o.sackBlockCount());
        assertEquals(70, o.sackStart(3));
        assertEquals(80, o.sackEnd(3));
        int[] s2 = new int[4];
        int[] e2 = new int[4];
        assertEquals(4, o.copySackBlocks(s2, e2));
        assertArrayEquals(s, s2);
        assertArrayEquals(e, e2);
    }

    @Test
    void dataOptionsInLinuxOrder() {
        byte[] b = new byte[40];
        int n = TcpOptionWriter.writeData(b, 0, true, 1, 2, new int[] {100}, new int[] {200}, 1);
        assertEquals(TcpOptionWriter.dataLength(true, 1), n);
        assertArrayEquals(Ref.hex("01 01 08 0a 00000001 00000002 | 01 01 05 0a 00000064 000000c8"),
                Arrays.copyOf(b, n));
        assertEquals(0, TcpOptionWriter.dataLength(false, 0));
        assertEquals(12, TcpOptionWriter.dataLength(true, 0));
        assertEquals(36, TcpOptionWriter.dataLength(false, 4));
        assertEquals(3, TcpOptionWriter.maxSackBlocks(true));
        assertEquals(4, TcpOptionWriter.maxSackBlocks(false));
        assertTrue(TcpOptionWriter.dataLength(true, TcpOptionWriter.maxSackBlocks(true)) <= 40);
    }
}
