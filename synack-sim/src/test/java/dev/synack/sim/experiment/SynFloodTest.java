package dev.synack.sim.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The SYN flood experiment, small: 20,000 spoofed SYN/s for half a second against a backlog of 16.
 * With cookies every legitimate client is accepted in one RTT and the SYN queue stays at backlog + 1;
 * without, the queue holds only spoofed requests and every legitimate SYN is dropped.
 */
class SynFloodTest {
    @Test
    void withCookiesEveryClientConnectsInOneRtt() {
        SynFlood.Outcome o = new SynFlood(20_000, 20, 0.5, 20, 16, 1, 7).run();
        assertEquals(10_000, o.spoofedSent());
        assertEquals(20, o.withinRttJiffy(), o.summary());
        assertEquals(20.0, o.latencyMs(99), 0.001);
        assertEquals(17, o.maxSynQueue());
        assertTrue(o.cookiesSent() > 9_900, o.summary());
        assertEquals(20, o.cookiesRecv(), o.summary());
        assertEquals(0, o.cookiesFailed());
        assertEquals(0, o.listenDrops());
    }

    @Test
    void withoutCookiesTheFloodLocksClientsOut() {
        SynFlood.Outcome o = new SynFlood(20_000, 20, 0.5, 20, 16, 0, 7).run();
        assertEquals(0, o.withinRttJiffy(), o.summary());
        assertEquals(17, o.maxSynQueue());
        assertEquals(0, o.cookiesSent());
        assertTrue(o.reqQFullDrop() > 9_900, o.summary());
        assertEquals(o.reqQFullDrop(), o.listenDrops());
    }
}
