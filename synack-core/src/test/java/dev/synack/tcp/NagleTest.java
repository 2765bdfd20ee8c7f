package dev.synack.tcp;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Nagle's algorithm (RFC 1122 §4.2.3.4, RFC 9293 §3.7.4) in Linux's form: tcp_nagle_test →
 * tcp_nagle_check with Minshall's variant (tcp_minshall_check): a sub-MSS segment is held only while
 * an earlier sub-MSS segment (ending at snd_sml) is unacknowledged; full segments always go; TCP_NODELAY
 * turns it off. The RTT is 100 ms (establishedClient).
 */
class NagleTest {
    static void write(TcpConnection c, int n) { c.send(new byte[n], 0, n); }

    /** The first small write goes at once; the second waits for the ACK of the first, then goes. */
    @Test
    void secondSmallWrite_waitsForAck() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> write(c, 100));
        t.expect(200, "P. 1:101(100) ack 1");
        t.at(210, () -> write(c, 100));
        t.at(220, () -> write(c, 100));
        t.expectNothing(299);
        t.inject(300, ". 1:1(0) ack 101 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.expect(300, "P. 101:301(200) ack 1 <nop,nop,TS val 300 ecr 1300>");
    }

    /** TCP_NODELAY: every small write is sent at once. */
    @Test
    void noDelay_sendsAtOnce() {
        var t = new TcpTester();
        var o = new SocketOptions();
        o.noDelay = true;
        var c = t.establishedClient(o);
        t.at(200, () -> write(c, 100));
        t.expect(200, "P. 1:101(100) ack 1");
        t.at(210, () -> write(c, 100));
        t.expect(210, "P. 101:201(100) ack 1");
    }

    /**
     * Full segments are never held, even with a small segment unacknowledged; only the sub-MSS tail
     * waits (snd_sml = 101 is after snd_una).
     */
    @Test
    void fullSegments_neverHeld() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> write(c, 100));
        t.expect(200, "P. 1:101(100) ack 1");
        t.at(210, () -> write(c, 2000));
        t.expect(210, ". 101:1549(1448) ack 1");
        t.expectNothing(299);
        t.inject(300, ". 1:1(0) ack 101 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.expect(300, "P. 1549:2101(552) ack 1");
    }

    /** Minshall: a small tail after only full segments is not held (no small segment outstanding). */
    @Test
    void smallTailAfterFullSegments_goesAtOnce() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> write(c, 1548));
        t.expect(200, ". 1:1449(1448) ack 1");
        t.expect(200, "P. 1449:1549(100) ack 1");
    }
}
