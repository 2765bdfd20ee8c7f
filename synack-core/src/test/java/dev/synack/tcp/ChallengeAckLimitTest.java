package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * RFC 5961 §7's host-wide limit on challenge ACKs, tcp_challenge_ack_limit, as tcp_send_challenge_ack
 * applies it in Linux 6.18: INT_MAX (the default) lets every challenge ACK through the host-wide
 * check; any other value gives each second a budget drawn at random in [limit/2, limit + limit/2)
 * (get_random_u32_inclusive(half, ack_limit + half - 1)), so that an attacker cannot count it. The
 * per-socket tcp_invalid_ratelimit is set to 0 here so that only the host-wide limit speaks. Measured
 * on Linux 6.18 with packetdrill and nstat (limit 2, ratelimit 0, five in-window RSTs within 4 ms):
 * TcpExtTCPChallengeACK was 1 in one run and 2 in three.
 */
class ChallengeAckLimitTest {
    final TcpTester t = new TcpTester(cfg -> {
        cfg.tcpChallengeAckLimit = 2;
        cfg.tcpInvalidRatelimit = 0;
    });
    final TcpConnection c = t.establishedClient();

    /** Five in-window RSTs not at RCV.NXT, 1 ms apart from 200 ms: how many challenge ACKs went. */
    static int rsts(TcpTester t) {
        int sent = 0;
        for (int i = 0; i < 5; i++) {
            int seq = 1000 * (i + 1);
            t.inject(200 + i, "R " + seq + ":" + seq + "(0) win 0");
            sent += t.drain(200 + i).size();
        }
        return sent;
    }

    long challengeAcks() { return t.stack.counters().get(Counter.TcpExtTCPChallengeACK); }

    @Test
    void limitTwo_oneOrTwoChallengeAcksPerSecond() {
        int sent = rsts(t);
        assertTrue(sent >= 1 && sent <= 2, "budget in [1, 2], sent " + sent);
        assertEquals(sent, challengeAcks());
        assertEquals(TcpState.ESTABLISHED, c.state());
        t.inject(1200, "R 9000:9000(0) win 0"); // the next second: a new budget, at least 1
        t.expect(1200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 1200 ecr 1000>");
    }

    @Test
    void defaultIntMax_noHostWideLimit() {
        var u = new TcpTester(cfg -> cfg.tcpInvalidRatelimit = 0);
        u.establishedClient();
        assertEquals(5, rsts(u));
    }
}
