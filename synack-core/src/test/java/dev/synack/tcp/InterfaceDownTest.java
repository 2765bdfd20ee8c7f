package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Data written while the interface is down ({@code ip link set dev X down}: its routes are gone) does
 * not leave, and Linux treats it as unsent, not as lost: tcp_write_xmit stops at the segment
 * tcp_transmit_skb could not send ("if (unlikely(tcp_transmit_skb(...))) break;" — ip_queue_xmit found
 * no route), so nothing joins the retransmission queue, no loss probe or RTO is armed, and
 * tcp_check_probe_timer arms the probe timer (tcp_probe0_base, the RTO). Each expiry tries again through
 * tcp_write_wakeup and backs off (tcp_send_probe0: a failed probe counts); once the interface is back,
 * the next expiry sends the data, with PSH, and it is in flight under the RTO. After tcp_retries2
 * failed probes the connection dies with ETIMEDOUT (tcp_probe_timer), one expiry fewer than a loss
 * probe and tcp_retries2 RTOs would take.
 *
 * <p>Measured on Linux 6.18 over veth (sub-millisecond RTT, RTO 204 ms): interface down, write(100),
 * interface up 1.0 s later; `ss` then showed backoff 2 (two failed probes), the data reached the peer
 * 1.466 s after the write (at the third probe), and
 * nstat counted no retransmission, no loss probe and no TCPWinProbe (tcp_write_wakeup's data branch
 * counts none).
 *
 * <p>Setup: {@link TcpTester#establishedClient()} (RTO 300 ms); the interface goes down at 150 ms and the
 * application writes 100 bytes at 200 ms: probes are due at 500, 1100, 2300 ms, ...
 */
class InterfaceDownTest {
    @Test
    void dataWrittenWhileDownWaitsForTheProbeTimer_thenLeavesWithPsh() {
        var t = new TcpTester();
        var c = t.establishedClient();
        var eth0 = t.stack.interfaces().getFirst();
        t.at(150, () -> eth0.setUp(false));
        t.at(200, () -> assertEquals(100, c.send(new byte[100], 0, 100)));
        assertEquals("persist", c.info().timer(), "the probe timer, not a loss probe or an RTO");
        t.at(1500, () -> eth0.setUp(true));
        assertEquals(2, c.info().backoff(), "two failed probes, at 500 and 1100 ms");
        t.expectNothing(2299);
        t.expect(2300, "P. 1:101(100) ack 1 win 63 <nop,nop,TS val 2300 ecr 1000>");
        t.expectReason(SendReason.WINDOW_PROBE_DATA);
        assertEquals("on", c.info().timer(), "in flight: the RTO now");
        assertEquals(0, t.stack.counters().get(Counter.TcpRetransSegs));
        assertEquals(0, t.stack.counters().get(Counter.TcpExtTCPLossProbes));
        assertEquals(0, t.stack.counters().get(Counter.TcpExtTCPWinProbe));
    }

    /**
     * tcp_retries2 3: three failed probes (500, 1100, 2300 ms), and the fourth expiry, at 4700 ms, finds
     * icsk_probes_out ≥ tcp_retries2: ETIMEDOUT, nothing ever sent.
     */
    @Test
    void interfaceStaysDown_probesRunOut_etimedout() {
        var t = new TcpTester(cfg -> cfg.tcpRetries2 = 3);
        var c = t.establishedClient();
        var eth0 = t.stack.interfaces().getFirst();
        t.at(150, () -> eth0.setUp(false));
        t.at(200, () -> assertEquals(100, c.send(new byte[100], 0, 100)));
        t.expectNothing(4699);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(3, c.info().probes());
        t.expectNothing(4700);
        assertEquals(TcpState.CLOSE, c.state());
        assertEquals(Errno.ETIMEDOUT, c.pendingError());
        assertEquals(0, t.stack.counters().get(Counter.TcpRetransSegs));
    }
}
