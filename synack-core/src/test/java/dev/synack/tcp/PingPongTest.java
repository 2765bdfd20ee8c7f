package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Interactive (ping-pong) delayed-ACK mode as Linux 6.18 runs it: tcp_event_data_sent counts a data
 * segment sent within ato of the last data received as a reply (inet_csk_inc_pingpong_cnt;
 * tcp_pingpong_thresh = 1), and in ping-pong mode a request's ACK is delayed so that it rides on the
 * reply; a reply slower than the delayed-ACK timer ends the mode (tcp_delack_timer_handler).
 *
 * <p>Measured on Linux 6.18 with packetdrill, a server with SACK and timestamps, requests of 100 bytes
 * and replies of 50: request 1 is ACKed at once (quick-ACK mode after the first data) and the reply
 * follows 10 ms later; request 2 draws no pure ACK — its ACK rides on the reply 10 ms later; request
 * 3, answered only after 100 ms, draws a delayed pure ACK 42.6–47.2 ms after it in five runs (ato,
 * grown by the 30 ms gaps, is bounded by max(SRTT, 40 ms) = 40 ms in tcp_send_delayed_ack; the rest
 * is the timer's tick), then the reply; request 4, after that, is ACKed at once again (the delayed-ACK
 * timer ended ping-pong mode). The handshake and every ACK here take 10 ms, as in the measurement.
 */
class PingPongTest {
    final TcpTester t = new TcpTester();
    final TcpConnection c = server();

    /** A server connection established at 10 ms: a 10 ms RTT, as in the Linux measurement. */
    TcpConnection server() {
        TcpListener l = t.listen();
        t.inject(0, TcpTester.PEER_SYN);
        t.expect(0, TcpTester.SYN_ACK);
        t.inject(10, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1010 ecr 0>");
        return l.accept();
    }

    void reply(long ms) {
        t.at(ms, () -> assertEquals(50, c.send(new byte[50], 0, 50)));
    }

    @Test
    void replyWithinAto_entersPingPong_requestAckRidesOnReply() {
        t.inject(110, "P. 1:101(100) ack 1 win 502 <nop,nop,TS val 1110 ecr 0>");
        t.expect(110, ". 1:1(0) ack 101 win 64 <nop,nop,TS val 110 ecr 1110>");
        reply(120);
        t.expect(120, "P. 1:51(50) ack 101 win 64 <nop,nop,TS val 120 ecr 1110>");
        t.inject(130, ". 101:101(0) ack 51 win 502 <nop,nop,TS val 1130 ecr 120>");

        t.inject(140, "P. 101:201(100) ack 51 win 502 <nop,nop,TS val 1140 ecr 120>");
        t.expectNothing(149);
        reply(150);
        t.expect(150, "P. 51:101(50) ack 201 win 64 <nop,nop,TS val 150 ecr 1140>");
        t.inject(160, ". 201:201(0) ack 101 win 502 <nop,nop,TS val 1160 ecr 150>");

        t.inject(170, "P. 201:301(100) ack 101 win 502 <nop,nop,TS val 1170 ecr 150>");
        t.expectNothing(209);
        t.expect(210, ". 101:101(0) ack 301 win 64 <nop,nop,TS val 210 ecr 1170>");
        reply(270);
        t.expect(270, "P. 101:151(50) ack 301 win 64 <nop,nop,TS val 270 ecr 1170>");
        t.inject(280, ". 301:301(0) ack 151 win 502 <nop,nop,TS val 1280 ecr 270>");

        t.inject(290, "P. 301:401(100) ack 151 win 502 <nop,nop,TS val 1290 ecr 270>");
        t.expect(290, ". 151:151(0) ack 401 win 64 <nop,nop,TS val 290 ecr 1290>");
        reply(300);
        t.expect(300, "P. 151:201(50) ack 401 win 64 <nop,nop,TS val 300 ecr 1290>");
        t.inject(310, ". 401:401(0) ack 201 win 502 <nop,nop,TS val 1310 ecr 300>");
        t.expectNothing(1_000);
    }
}
