package dev.synack.tcp;

import static dev.synack.testing.TcpTester.MSS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Local congestion: the interface's queue discipline refuses every packet (as {@code tc qdisc add dev
 * X root pfifo limit 0} makes it), so tcp_transmit_skb gets NET_XMIT_DROP. Linux keeps the data (a
 * new segment stays unsent, a retransmission counts as failed: TCPRetransFail, no retrans_out),
 * reduces cwnd once (tcp_enter_cwr) and retries every TCP_RESOURCE_PROBE_INTERVAL (500 ms) without
 * backing off (tcp_send_probe0, tcp_retransmit_timer). Packetdrill user_timeout/user-timeout-probe.pkt
 * and cubic/cubic-rack-reo-timeout-retrans-failed-incoming-data.pkt.
 *
 * <p>The client has SRTT 100 ms and RTO 300 ms (SYN at 0, SYN-ACK at 100 ms).
 */
class LocalCongestionTest {
    /**
     * New data the queue refuses stays unsent; nothing is in flight, so the probe timer runs:
     * first after max(RTO, 200 ms), then every 500 ms, counting probes but not backing off. Once the
     * queue takes packets again, the next probe sends the data.
     */
    @Test
    void refusedNewData_probedEvery500ms_thenSent() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.stack.interfaces().getFirst().setTxRefused(true);
        t.at(200, () -> assertEquals(100, c.send(new byte[100], 0, 100)));
        t.runUntil(1_500);
        TcpInfo i = c.info();
        assertEquals(0, i.unacked());
        assertEquals(100, i.sendQ());
        assertEquals(3, i.probes()); // at 500, 1000, 1500 ms
        assertEquals(0, i.backoff());
        assertEquals(CaState.CWR, i.ca()); // the drop is a congestion signal
        t.stack.interfaces().getFirst().setTxRefused(false);
        t.expect(2000, "P. 1:101(100) ack 1");
    }

    /**
     * The RTO's retransmission is refused: it is counted as attempted (TCPRetransFail) but not in
     * flight, and the timer comes back in 500 ms with no backoff; the first retransmission that
     * leaves doubles the RTO as usual.
     */
    @Test
    void refusedRetransmission_retriedIn500msWithoutBackoff() {
        var t = new TcpTester(cfg -> cfg.set("tcp_early_retrans", "0"));
        var c = t.establishedClient();
        t.at(200, () -> c.send(new byte[MSS], 0, MSS));
        t.expect(200, "P. 1:1449(1448) ack 1");
        t.at(499, () -> t.stack.interfaces().getFirst().setTxRefused(true));
        t.runUntil(501);
        TcpInfo i = c.info();
        assertEquals(CaState.LOSS, i.ca());
        assertEquals(0, i.retrans());
        assertEquals(0, i.backoff());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPRetransFail));
        t.at(600, () -> t.stack.interfaces().getFirst().setTxRefused(false));
        t.expect(1000, "P. 1:1449(1448) ack 1");
        assertEquals(1, c.info().backoff());
        assertEquals(1, c.info().retrans());
    }
}
