package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * What read() and SO_ERROR return when a RST follows the peer's data (tcp_recvmsg_locked in
 * net/ipv4/tcp.c): data already received is still read; then, if the peer's FIN was consumed first
 * (SOCK_DONE, set by tcp_fin), end of stream — the RST's error stays for SO_ERROR — else the error.
 * Both measured on Linux 6.18 with packetdrill, a client connection with SACK and timestamps.
 */
class ReadAfterResetTest {
    final TcpTester t = new TcpTester();
    final TcpConnection c = t.establishedClient();
    final byte[] buf = new byte[100];

    /**
     * Linux: {@code FP. 1:11(10)} then {@code R. 12:12(0)} in CLOSE_WAIT → read() 10, 0, 0;
     * SO_ERROR EPIPE once (tcp_reset in CLOSE_WAIT), then 0; read() still 0.
     */
    @Test
    void finThenRst_readsDataThenEndOfStream_soErrorIsEpipe() {
        t.inject(110, "FP. 1:11(10) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        t.expect(150, ". 1:1(0) ack 12 win 63 <nop,nop,TS val 150 ecr 1010>");
        t.inject(160, "R. 12:12(0) ack 1 win 0");
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(10, c.receive(buf, 0, 100));
        assertEquals(0, c.receive(buf, 0, 100));
        assertEquals(0, c.receive(buf, 0, 100));
        assertEquals(Errno.EPIPE, c.takeError());
        assertNull(c.takeError());
        assertEquals(0, c.receive(buf, 0, 100));
    }

    /** Linux: {@code P. 1:11(10)} then {@code R. 11:11(0)} → read() 10, then ECONNRESET, then 0; SO_ERROR 0. */
    @Test
    void dataThenRst_readsDataThenConnReset() {
        t.inject(110, "P. 1:11(10) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(110, ". 1:1(0) ack 11 win 63 <nop,nop,TS val 110 ecr 1010>");
        t.inject(120, "R. 11:11(0) ack 1 win 0");
        assertEquals(10, c.receive(buf, 0, 100));
        assertEquals(-Errno.ECONNRESET.number(), c.receive(buf, 0, 100));
        assertEquals(0, c.receive(buf, 0, 100));
        assertNull(c.takeError());
    }

    /**
     * Linux (tcp_reset): in LAST_ACK — the peer's FIN, then our shutdown(SHUT_WR) — a RST sets
     * ECONNRESET (not EPIPE, which is CLOSE_WAIT's): SO_ERROR ECONNRESET, read() 0. TcpEstabResets
     * does not count it (tcp_set_state counts only ESTABLISHED or CLOSE_WAIT → CLOSE).
     */
    @Test
    void rstInLastAck_econnreset() {
        t.inject(110, "F. 1:1(0) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(114, ". 1:1(0) ack 2 win 63 <nop,nop,TS val 114 ecr 1010>");
        t.at(124, () -> assertEquals(0, c.shutdownOutput()));
        t.expect(124, "F. 1:1(0) ack 2 <nop,nop,TS val 124 ecr 1010>");
        assertEquals(TcpState.LAST_ACK, c.state());
        t.inject(134, "R. 2:2(0) ack 2 win 0");
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(0, c.receive(buf, 0, 100));
        assertEquals(Errno.ECONNRESET, c.takeError());
        assertEquals(0, t.stack.counters().get(dev.synack.stats.Counter.TcpEstabResets));
    }

    /** Linux: in CLOSING (our FIN and the peer's crossed) a RST sets ECONNRESET too; read() 0. */
    @Test
    void rstInClosing_econnreset() {
        t.at(110, () -> assertEquals(0, c.shutdownOutput()));
        t.expect(110, "F. 1:1(0) ack 1 <nop,nop,TS val 110 ecr 1000>");
        t.inject(110, "F. 1:1(0) ack 1 win 512 <nop,nop,TS val 1010 ecr 100>");
        t.expect(110, ". 2:2(0) ack 2 <nop,nop,TS val 110 ecr 1010>");
        assertEquals(TcpState.CLOSING, c.state());
        t.inject(120, "R. 1:1(0) ack 1 win 0");
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(0, c.receive(buf, 0, 100));
        assertEquals(Errno.ECONNRESET, c.takeError());
    }

    /**
     * tcp_set_state: a RST in ESTABLISHED counts in TcpEstabResets; one in FIN_WAIT1 does not (but is
     * ECONNRESET). Measured on Linux 6.18 with packetdrill and nstat: 1 and 0.
     */
    @Test
    void rstInEstablished_countsEstabReset() {
        t.inject(110, "R. 1:1(0) ack 1 win 0");
        assertEquals(1, t.stack.counters().get(dev.synack.stats.Counter.TcpEstabResets));
    }

    @Test
    void rstInFinWait1_econnresetButNoEstabReset() {
        t.at(110, () -> assertEquals(0, c.shutdownOutput()));
        t.expect(110, "F. 1:1(0) ack 1 <nop,nop,TS val 110 ecr 1000>");
        t.inject(120, "R. 1:1(0) ack 1 win 0");
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(Errno.ECONNRESET, c.takeError());
        assertEquals(0, t.stack.counters().get(dev.synack.stats.Counter.TcpEstabResets));
    }
}
