package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * The final FIN and the tail loss probe as Linux sends them: tcp_cwnd_test lets a one-segment skb
 * carrying the FIN go whatever cwnd says ("don't be strict about the congestion window for the final
 * FIN"), and every tcp_write_xmit that sends new data schedules the loss probe afresh
 * (tcp_schedule_loss_probe: 2·SRTT + TCP_TIMEOUT_MIN_US = 2 ms with more than one segment out, capped
 * by the RTO left, tcp_rto_delta_us). Packetdrill shutdown/shutdown-rdwr-write-queue-close.pkt.
 */
class FinAndLossProbeTest {
    @Test
    void finGoesPastAFullCwnd_andReschedulesTheLossProbe() {
        var t = new TcpTester();
        var c = t.establishedClient(); // SRTT 100 ms, RTTVAR 50 ms: RTO 300 ms
        t.sendBurst(c, 200, 10);
        assertEquals(10, c.info().sndCwnd());
        t.at(210, () -> assertEquals(0, c.shutdownOutput()));
        // Ten segments fill cwnd 10, yet the FIN leaves at once.
        t.expect(210, "F. 14481:14481(0) ack 1");
        // The probe is due 2·100 + 2 = 202 ms after the FIN (not after the data at 200 ms: 402), within
        // the RTO left (300 − 10 = 290 ms); it resends the last segment, the FIN.
        t.expectNothing(411);
        t.expect(412, "F. 14481:14481(0) ack 1");
    }
}
