package dev.synack.tcp;

import static dev.synack.testing.TcpTester.MSS;
import static dev.synack.testing.TcpTester.PEER_SYN;
import static dev.synack.testing.TcpTester.PEER_SYN_ACK;
import static dev.synack.testing.TcpTester.SYN;
import static dev.synack.testing.TcpTester.SYN_ACK;
import static dev.synack.testing.TcpTester.ack;
import static dev.synack.testing.TcpTester.range;
import static dev.synack.testing.TcpTester.seq;
import static dev.synack.testing.TcpTester.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Why each segment goes ({@link SendReason}) and why a received one is dropped ({@link TcpDropReason}):
 * for the main rules, the exact segment and the reason it carries into the trace. The segments are the
 * ones the rules' own tests pin (RetransmissionTest, FastRetransmitTest, DelayedAckTest, PersistTest,
 * KeepaliveTest, SegmentValidationTest, ...); here the reason is what is checked. Tagging changes no
 * packet: every segment below is what those tests expect without a tracer.
 */
class SendReasonTest {
    static byte[] bytes(int n) { return new byte[n]; }

    @Nested
    class Handshake {
        /** tcp_connect: the SYN; tcp_rcv_synsent_state_process: the ACK of the SYN-ACK. */
        @Test
        void synThenHandshakeAck() {
            var t = new TcpTester();
            t.connect();
            t.expect(0, SYN);
            t.expectReason(SendReason.SYN, 0);
            t.inject(100, PEER_SYN_ACK);
            t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
            t.expectReason(SendReason.HANDSHAKE_ACK);
        }

        /** tcp_retransmit_timer: SYN retries 1, 2, 3 at 1, 2 and 3 s (tcp_syn_linear_timeouts), counted. */
        @Test
        void synRetriesAreNumbered() {
            var t = new TcpTester();
            t.connect();
            t.expect(0, SYN);
            for (int n = 1; n <= 3; n++) {
                t.expect(n * 1000L, syn(n * 1000L));
                t.expectReason(SendReason.SYN_RETRY, n);
            }
        }

        /** tcp_conn_request: the SYN-ACK; tcp_check_req: the same SYN again draws the SYN-ACK again. */
        @Test
        void synAckThenSynAckAgain() {
            var t = new TcpTester();
            t.listen();
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
            t.expectReason(SendReason.SYN_ACK);
            t.inject(500, PEER_SYN);
            t.expect(500, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 500 ecr 1000,nop,wscale 10>");
            t.expectReason(SendReason.SYN_ACK_AGAIN);
        }

        /** tcp_retransmit_timer in SYN_RECV: the SYN-ACK again after the initial RTO, retry 1 (tcp_synack_retries). */
        @Test
        void synAckRetry() {
            var t = new TcpTester();
            t.listen();
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
            t.expect(1000, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 1000 ecr 1000,nop,wscale 10>");
            t.expectReason(SendReason.SYN_ACK_RETRY, 1);
        }
    }

    @Nested
    class Listener {
        /** SynCookieTest: a backlog-2 listener's SYN queue holds 3; the 4th SYN is answered with a cookie. */
        @Test
        void fullSynQueue_cookie() {
            var t = new TcpTester();
            t.listen(new SocketOptions(), 2);
            for (int i = 1; i <= 4; i++) {
                t.newPeer(40_000 + i);
                t.inject(500, PEER_SYN);
                t.expect(500, i <= 3 ? "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 500 ecr 1000,nop,wscale 10>"
                        : "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 471 ecr 1000,nop,wscale 10>");
                t.expectReason(i <= 3 ? SendReason.SYN_ACK : SendReason.SYN_COOKIE);
            }
            assertTrue(t.drops().isEmpty(), "a cookie answers the SYN: nothing dropped");
        }

        /** Without cookies the 4th SYN is dropped (tcp_syn_flood_action: TCPReqQFullDrop). */
        @Test
        void fullSynQueue_noCookies_dropped() {
            var t = new TcpTester(c -> c.tcpSyncookies = 0);
            t.listen(new SocketOptions(), 2);
            for (int i = 1; i <= 4; i++) {
                t.newPeer(40_000 + i);
                t.inject(0, PEER_SYN);
                if (i <= 3) t.expect(0, SYN_ACK);
            }
            t.expectNothing(10);
            t.expectDrop(TcpDropReason.TCP_REQQFULLDROP);
        }
    }

    @Nested
    class NewData {
        /** tcp_nagle_check: a small write with nothing small unacknowledged goes; the next small one waits. */
        @Test
        void smallSegments_nagle() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.at(200, () -> c.send(bytes(100), 0, 100));
            t.expect(200, "P. 1:101(100) ack 1");
            t.expectReason(SendReason.NEW_DATA_NAGLE);
            t.at(210, () -> c.send(bytes(200), 0, 200));
            t.inject(300, ". 1:1(0) ack 101 win 502 <nop,nop,TS val 1300 ecr 200>");
            t.expect(300, "P. 101:301(200) ack 1 <nop,nop,TS val 300 ecr 1300>");
            t.expectReason(SendReason.NEW_DATA_NAGLE);
        }

        @Test
        void smallSegments_noDelay() {
            var t = new TcpTester();
            var o = new SocketOptions();
            o.noDelay = true;
            var c = t.establishedClient(o);
            t.at(200, () -> c.send(bytes(100), 0, 100));
            t.expect(200, "P. 1:101(100) ack 1");
            t.expectReason(SendReason.NEW_DATA_NODELAY);
            t.at(210, () -> c.send(bytes(100), 0, 100));
            t.expect(210, "P. 101:201(100) ack 1");
            t.expectReason(SendReason.NEW_DATA_NODELAY);
        }

        /** Full segments are plain new data; close() sends the FIN (tcp_send_fin). */
        @Test
        void fullSegmentsThenFin() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.sendBurst(c, 200, 2);
            t.expectReason(SendReason.NEW_DATA);
            t.at(250, c::close);
            t.expect(250, "F. 2897:2897(0) ack 1");
            t.expectReason(SendReason.FIN);
        }
    }

    @Nested
    class Retransmissions {
        /**
         * RetransmissionTest.lostSegment_tlpThenRtoDoubling: the loss probe at 500 ms resends the last
         * segment; the RTOs at 800, 1400 and 2600 ms bring backoff 1, 2 and 3 (icsk_backoff).
         */
        @Test
        void tailLossProbe_thenRtoWithBackoff() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.at(200, () -> c.send(bytes(1000), 0, 1000));
            t.expect(200, "P. 1:1001(1000) ack 1 <nop,nop,TS val 200 ecr 1000>");
            t.expect(500, "P. 1:1001(1000) ack 1 <nop,nop,TS val 500 ecr 1000>");
            t.expectReason(SendReason.TLP);
            long at = 800;
            for (int n = 1; n <= 3; n++) {
                t.expect(at, "P. 1:1001(1000) ack 1 <nop,nop,TS val " + at + " ecr 1000>");
                t.expectReason(SendReason.RTO, n);
                at += 300L << n;
            }
        }

        /** FastRetransmitTest: with SACK, three SACKed segments above the hole: RACK marks it lost (RFC 8985 §6.2). */
        @Test
        void sack_rackMarksTheHoleLost() {
            var t = new TcpTester(cfg -> cfg.set("tcp_congestion_control", "reno"));
            var c = t.establishedClient();
            t.sendBurst(c, 200, 10);
            t.inject(300, ack(300, 0, 200, 1, 2));
            t.inject(301, ack(301, 0, 200, 1, 3));
            t.inject(302, ack(302, 0, 200, 1, 4));
            t.expect(302, ". 1:1449(1448) ack 1");
            t.expectReason(SendReason.RACK_LOST);
        }

        /** The same with tcp_recovery 0: RFC 6675's rule (tcp_mark_head_lost) marks the head lost. */
        @Test
        void sackWithoutRack_rfc6675() {
            var t = new TcpTester(cfg -> {
                cfg.set("tcp_congestion_control", "reno");
                cfg.set("tcp_recovery", "0");
            });
            var c = t.establishedClient();
            t.sendBurst(c, 200, 10);
            t.inject(300, ack(300, 0, 200, 1, 2));
            t.inject(301, ack(301, 0, 200, 1, 3));
            t.inject(302, ack(302, 0, 200, 1, 4));
            t.expect(302, ". 1:1449(1448) ack 1");
            t.expectReason(SendReason.SACK_LOST);
        }

        /** FastRetransmitTest.noSack_threeDupAcks_fastRetransmit: the retransmission after 3 duplicate ACKs. */
        @Test
        void noSack_threeDuplicateAcks() {
            var t = new TcpTester(cfg -> {
                cfg.set("tcp_sack", "0");
                cfg.set("tcp_congestion_control", "reno");
            });
            var c = t.establishedClientWithoutSack();
            t.inject(150, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1150 ecr 100>");
            t.sendBurst(c, 200, 10);
            for (int k = 0; k < 3; k++) t.inject(300 + k, ". 1:1(0) ack 1 win 502 <nop,nop,TS val " + (1300 + k) + " ecr 200>");
            t.expect(302, ". 1:1449(1448) ack 1");
            t.expectReason(SendReason.FAST_RETRANSMIT, 3);
        }
    }

    @Nested
    class Probes {
        /** PersistTest: zero-window probes 1 and 2 at 500 and 1100 ms (tcp_probe_timer). */
        @Test
        void zeroWindowProbesAreNumbered() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.inject(150, ". 1:1(0) ack 1 win 0 <nop,nop,TS val 1150 ecr 100>");
            t.at(200, () -> c.send(bytes(1000), 0, 1000));
            t.expect(500, ". 0:0(0) ack 1 win 63 <nop,nop,TS val 500 ecr 1150>");
            t.expectReason(SendReason.ZERO_WINDOW_PROBE, 1);
            t.expect(1100, ". 0:0(0) ack 1 win 63 <nop,nop,TS val 1100 ecr 1150>");
            t.expectReason(SendReason.ZERO_WINDOW_PROBE, 2);
        }

        /** KeepaliveTest: keepalive probes 1..3 (idle 2 s, interval 1 s, count 3), then the RST. */
        @Test
        void keepaliveProbesThenRst() {
            var t = new TcpTester();
            var o = new SocketOptions();
            o.keepAlive = true;
            o.keepIdleSec = 2;
            o.keepIntvlSec = 1;
            o.keepCnt = 3;
            t.establishedClient(o);
            for (int n = 1; n <= 3; n++) {
                long ms = 1100 + 1000L * n;
                t.expect(ms, ". 0:0(0) ack 1 win 63 <nop,nop,TS val " + ms + " ecr 1000>");
                t.expectReason(SendReason.KEEPALIVE, n);
            }
            t.expect(5100, "R. 1:1(0) ack 1");
            t.expectReason(SendReason.RST_KEEPALIVE);
        }
    }

    @Nested
    class Acks {
        final byte[] sink = new byte[1 << 20];

        void segment(TcpTester t, TcpConnection c, long ms, int i) {
            t.inject(ms, ". " + range(i) + " ack 1 win 502 <nop,nop,TS val " + (1000 + ms) + " ecr 100>");
            assertEquals(MSS, c.receive(sink, 0, sink.length));
        }

        static String ackOf(long ms, int segments) {
            return ". 1:1(0) ack " + seq(segments) + " <nop,nop,TS val " + ms + " ecr " + (1000 + ms) + ">";
        }

        /**
         * DelayedAckTest.quickAcks_thenOneSegmentDelayed40ms: sixteen quick ACKs (16 left, then 15, ...,
         * tcp_in_quickack_mode), then the delayed-ACK timer's ACK 40 ms after the 17th segment.
         */
        @Test
        void quickAcksThenDelayedAck() {
            var t = new TcpTester();
            var c = t.establishedClient();
            for (int i = 0; i < 16; i++) {
                long ms = 200 + 50L * i;
                segment(t, c, ms, i);
                t.expect(ms, ackOf(ms, i + 1));
                t.expectReason(SendReason.QUICK_ACK, 16 - i);
            }
            segment(t, c, 1000, 16);
            t.expect(1040, ". 1:1(0) ack " + seq(17) + " <nop,nop,TS val 1040 ecr 2000>");
            t.expectReason(SendReason.DELAYED_ACK);
        }

        /** DelayedAckTest.outOfOrder_ackedAtOnceWithSack: out-of-order data, then the hole filled. */
        @Test
        void outOfOrderThenHoleFilled() {
            var t = new TcpTester();
            var c = t.establishedClient();
            for (int i = 0; i < 16; i++) {
                long ms = 200 + 50L * i;
                segment(t, c, ms, i);
                t.expect(ms, ackOf(ms, i + 1));
            }
            t.inject(1000, ". " + range(17) + " ack 1 win 502 <nop,nop,TS val 2000 ecr 100>");
            t.expect(1000, ". 1:1(0) ack " + seq(16) + " <nop,nop,TS val 1000 ecr 1950,nop,nop,sack " + seq(17) + ":" + seq(18) + ">");
            t.expectReason(SendReason.ACK_OUT_OF_ORDER);
            t.inject(1050, ". " + range(16) + " ack 1 win 502 <nop,nop,TS val 2050 ecr 100>");
            t.expect(1050, ". 1:1(0) ack " + seq(18) + " <nop,nop,TS val 1050 ecr 2050>");
            t.expectReason(SendReason.ACK_HOLE_FILLED);
        }

        /**
         * tcp_data_queue: data already received is D-SACKed and ACKed at once, counted in DelayedACKLost,
         * and dropped with SKB_DROP_REASON_TCP_OLD_DATA.
         */
        @Test
        void oldData_dsackedAndDropped() {
            var t = new TcpTester();
            var c = t.establishedClient();
            segment(t, c, 200, 0);
            t.expect(200, ackOf(200, 1));
            t.inject(300, ". " + range(0) + " ack 1 win 502 <nop,nop,TS val 1300 ecr 100>");
            t.expect(300, ". 1:1(0) ack " + seq(1) + " <nop,nop,TS val 300 ecr 1300,nop,nop,sack 1:" + seq(1) + ">");
            t.expectReason(SendReason.ACK_OLD_DATA);
            t.expectDrop(TcpDropReason.TCP_OLD_DATA);
            assertEquals(1, t.stack.counters().get(Counter.TcpExtDelayedACKLost));
        }

        /** The peer's FIN in FIN_WAIT2 is ACKed at once (tcp_fin); its FIN again in TIME_WAIT draws the ACK again. */
        @Test
        void finAckThenTimeWaitAck() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.at(200, c::close);
            t.expect(200, "F. 1:1(0) ack 1");
            t.inject(300, ". 1:1(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
            t.inject(400, "F. 1:1(0) ack 2 win 502 <nop,nop,TS val 1400 ecr 200>");
            t.expect(400, ". 2:2(0) ack 2 <nop,nop,TS val 400 ecr 1400>");
            t.expectReason(SendReason.ACK_FIN);
            t.inject(500, "F. 1:1(0) ack 2 win 502 <nop,nop,TS val 1500 ecr 200>");
            t.expect(500, ". 2:2(0) ack 2 <nop,nop,TS val 500 ecr 1400>");
            t.expectReason(SendReason.TIME_WAIT_ACK);
            t.expectDrop(TcpDropReason.TCP_TIMEWAIT);
        }
    }

    @Nested
    class Validation {
        /** RFC 5961 §3.2: a RST in the window but not at RCV.NXT draws a challenge ACK and is dropped. */
        @Test
        void rstInWindow_challengeAck() {
            var t = new TcpTester();
            t.establishedClient();
            t.inject(200, "R 1000:1000(0) win 0");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.expectReason(SendReason.CHALLENGE_ACK_RST);
            t.expectDrop(TcpDropReason.TCP_RESET);
        }

        /** RFC 5961 §4: a SYN on an established connection draws a challenge ACK and is dropped. */
        @Test
        void syn_challengeAck() {
            var t = new TcpTester();
            t.establishedClient();
            t.inject(200, "S 500:500(0) win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 7>");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.expectReason(SendReason.CHALLENGE_ACK_SYN);
            t.expectDrop(TcpDropReason.TCP_INVALID_SYN);
        }

        /** tcp_sequence: data beyond the window draws a duplicate ACK and is dropped as TCP_INVALID_SEQUENCE. */
        @Test
        void outOfWindowData_dupAck() {
            var t = new TcpTester();
            t.establishedClient();
            t.inject(200, "P. 200000:200100(100) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.expectReason(SendReason.DUPACK_OUT_OF_WINDOW);
            t.expectDrop(TcpDropReason.TCP_INVALID_SEQUENCE);
        }

        /** PAWS (RFC 7323 §5): an old TSval is ACKed and dropped. */
        @Test
        void oldTimestamp_paws() {
            var t = new TcpTester();
            t.establishedClient();
            t.inject(200, "P. 1:101(100) ack 1 win 502 <nop,nop,TS val 900 ecr 100>");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.expectReason(SendReason.DUPACK_PAWS);
            t.expectDrop(TcpDropReason.TCP_RFC7323_PAWS);
        }

        /** tcp_ack: an ACK for data never sent is dropped and challenged (Linux 6.18.44, measured: SegmentValidationTest). */
        @Test
        void ackOfUnsentData_droppedAndChallenged() {
            var t = new TcpTester();
            t.establishedClient();
            t.inject(200, ". 1:1(0) ack 9999 win 502 <nop,nop,TS val 1200 ecr 100>");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.expectReason(SendReason.CHALLENGE_ACK_UNSENT_DATA);
            t.expectDrop(TcpDropReason.TCP_ACK_UNSENT_DATA);
        }
    }

    @Nested
    class Resets {
        /** RFC 9293 §3.10.7.1: a SYN to a port nobody listens on: RST,ACK, and the SYN dropped as NO_SOCKET. */
        @Test
        void noSocket() {
            var t = new TcpTester();
            t.localPort = 9;
            t.remotePort = 40000;
            t.inject(0, "S 0:0(0) win 65535 <mss 1460>");
            t.expect(0, "R. 0:0(0) ack 1 win 0");
            t.expectReason(SendReason.RST_NO_SOCKET);
            t.expectDrop(TcpDropReason.NO_SOCKET);
        }

        /** RFC 9293 §3.10.7.2: an ACK to a listener draws <SEQ=SEG.ACK><CTL=RST>. */
        @Test
        void ackToListener() {
            var t = new TcpTester();
            t.listen();
            t.inject(0, ". 1:1(0) ack 777 win 502");
            t.expect(0, "R 777:777(0) win 0");
            t.expectReason(SendReason.RST_ACK_TO_LISTENER);
            t.expectDrop(TcpDropReason.TCP_FLAGS);
        }

        /** tcp_close with unread data: RST (RFC 2525 §2.17). */
        @Test
        void closeWithUnreadData() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.inject(200, "P. 1:101(100) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            t.expect(200, ". 1:1(0) ack 101 win 63 <nop,nop,TS val 200 ecr 1200>");
            t.at(300, c::close);
            t.expect(300, "R. 1:1(0) ack 101");
            t.expectReason(SendReason.RST_CLOSE_UNREAD);
        }
    }

    /** Every code is UPPER_SNAKE, every text names its Linux function or RFC, every number has a place in the text. */
    @Test
    void codesAndTexts() {
        for (SendReason r : SendReason.values()) {
            assertTrue(r.code().matches("[A-Z][A-Z0-9_]*"), r.code());
            assertTrue(r.text(0).matches(".*\\((.*[a-z_0-9]+|RFC [0-9]+.*)\\)$"), r + ": " + r.text(0));
            assertEquals(r.text(0).contains("{n}"), false);
            assertEquals(r.hasNumber(), r.tag(7).contains("7"), r + "'s tag shows its number");
        }
        assertEquals("RTO expired, backoff 3 (tcp_retransmit_timer)", SendReason.RTO.text(3));
        for (TcpDropReason r : TcpDropReason.values()) {
            assertTrue(r.code().matches("[A-Z][A-Z0-9_]*"), r.code());
            assertTrue(r.text().endsWith(")"), r + ": " + r.text());
        }
    }
}
