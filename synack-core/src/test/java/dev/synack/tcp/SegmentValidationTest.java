package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Segment validation in a synchronized state: RFC 5961 (blind RST, SYN and data injection), RFC 9293
 * §3.10.7.4's acceptability test as Linux's tcp_sequence applies it, and PAWS (RFC 7323 §5). Every test
 * starts from {@link TcpTester#establishedClient()}: at 100 ms, RCV.NXT = 1, RCV.WND = 63 << 10,
 * SND.UNA = SND.NXT = 1, TS.Recent = 1000.
 */
class SegmentValidationTest {
    final TcpTester t = new TcpTester();
    final TcpConnection c = t.establishedClient();

    long count(Counter k) { return t.stack.counters().get(k); }

    @Nested
    class Rst {
        /** RFC 5961 §3.2: a RST with SEG.SEQ = RCV.NXT resets: CLOSED, ECONNRESET for the application. */
        @Test
        void established_rstAtRcvNxt_resets() {
            t.inject(200, "R 1:1(0) win 0");
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(Errno.ECONNRESET, c.pendingError());
            assertEquals(-Errno.ECONNRESET.number(), c.receive(new byte[10], 0, 10));
            assertNull(c.pendingError());
            assertEquals(1, count(Counter.TcpEstabResets));
            t.expectNothing(100_000);
        }

        /** RFC 5961 §3.2: a RST in the window but not at RCV.NXT draws a challenge ACK and resets nothing. */
        @Test
        void established_rstInWindowNotExact_challengeAck() {
            t.inject(200, "R 1000:1000(0) win 0");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            assertEquals(TcpState.ESTABLISHED, c.state());
            assertNull(c.pendingError());
            assertEquals(1, count(Counter.TcpExtTCPChallengeACK));
        }

        /**
         * Linux tcp_send_challenge_ack: challenge ACKs share the per-socket out-of-window limit
         * (__tcp_oow_rate_limited, tcp_invalid_ratelimit = 500 ms); the next is allowed 500 ms later.
         */
        @Test
        void established_rstsInWindow_challengeAcksRateLimited() {
            t.inject(200, "R 1000:1000(0) win 0");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.inject(300, "R 2000:2000(0) win 0");
            t.inject(699, "R 3000:3000(0) win 0");
            t.expectNothing(699);
            t.inject(700, "R 4000:4000(0) win 0");
            t.expect(700, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 700 ecr 1000>");
            assertEquals(2, count(Counter.TcpExtTCPACKSkippedChallenge));
            assertEquals(TcpState.ESTABLISHED, c.state());
        }

        /** RFC 5961 §3.2 / RFC 9293 §3.10.7.4: a RST outside the window is dropped without a word. */
        @Test
        void established_rstOutOfWindow_droppedSilently() {
            t.inject(200, "R 200000:200000(0) win 0");
            t.inject(210, "R 0:0(0) win 0");
            t.expectNothing(10_000);
            assertEquals(TcpState.ESTABLISHED, c.state());
        }
    }

    @Nested
    class Syn {
        /** RFC 5961 §4.2 (Linux tcp_validate_incoming, syn_challenge): a SYN in ESTABLISHED → challenge ACK. */
        @Test
        void established_syn_challengeAck() {
            t.inject(200, "S 500:500(0) win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 7>");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            assertEquals(TcpState.ESTABLISHED, c.state());
            assertEquals(1, count(Counter.TcpExtTCPSYNChallenge));
            assertEquals(1, count(Counter.TcpExtTCPChallengeACK));
        }
    }

    @Nested
    class Ack {
        /**
         * RFC 5961 §5.2 as Linux's tcp_ack applies it: an ACK below SND.UNA − MAX.SND.WND draws a challenge
         * ACK, where MAX.SND.WND is min(max_window, bytes_acked) ("do not accept ACK for bytes we never
         * sent"). After 1000 bytes acked (1001 with the SYN), ACK 0 is merely old; ACK −1 is challenged.
         */
        @Test
        void established_ackFarBelowSndUna_challengeAck() {
            c.options.noDelay = true;
            t.at(200, () -> assertEquals(1000, c.send(new byte[1000], 0, 1000)));
            t.expect(200, "P. 1:1001(1000) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.inject(300, ". 1:1(0) ack 1001 win 502 <nop,nop,TS val 1300 ecr 200>");
            t.inject(400, ". 1:1(0) ack 0 win 502 <nop,nop,TS val 1400 ecr 200>");
            t.expectNothing(1000);
            t.inject(1000, ". 1:1(0) ack 4294967295 win 502 <nop,nop,TS val 2000 ecr 200>");
            // The challenge ACK echoes the last good TSval (1300): tcp_ack sends it before ts_recent would
            // be updated, and the old ACK at 400 ms (old_ack) did not update it either.
            t.expect(1000, ". 1001:1001(0) ack 1 win 63 <nop,nop,TS val 1000 ecr 1300>");
            assertEquals(1, count(Counter.TcpExtTCPChallengeACK));
            assertEquals(TcpState.ESTABLISHED, c.state());
        }
    }

    @Nested
    class Acceptability {
        /**
         * RFC 9293 §3.10.7.4 (Linux tcp_sequence → tcp_send_dupack): data outside the window is dropped and
         * answered with an ACK; segments with data are never rate-limited.
         */
        @Test
        void established_outOfWindowData_dupAck() {
            t.inject(200, "P. 200000:200100(100) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.inject(210, "P. 200000:200100(100) ack 1 win 502 <nop,nop,TS val 1210 ecr 100>");
            t.expect(210, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 210 ecr 1000>");
            assertEquals(0, c.readable());
        }

        /**
         * Linux tcp_oow_rate_limited: duplicate ACKs for out-of-window pure ACKs go at most once per
         * tcp_invalid_ratelimit (500 ms); skipped ones count in TCPACKSkippedSeq.
         */
        @Test
        void established_outOfWindowPureAck_rateLimited500ms() {
            t.inject(200, ". 200000:200000(0) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.inject(300, ". 200000:200000(0) ack 1 win 502 <nop,nop,TS val 1300 ecr 100>");
            t.inject(699, ". 0:0(0) ack 1 win 502 <nop,nop,TS val 1699 ecr 100>");
            t.expectNothing(699);
            t.inject(700, ". 200000:200000(0) ack 1 win 502 <nop,nop,TS val 1700 ecr 100>");
            t.expect(700, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 700 ecr 1000>");
            assertEquals(2, count(Counter.TcpExtTCPACKSkippedSeq));
        }
    }

    @Nested
    class Paws {
        /**
         * Linux tcp_ack updates ts_recent (tcp_replace_ts_recent) only once the ACK is known good: a
         * segment acknowledging data never sent is dropped (SKB_DROP_REASON_TCP_ACK_UNSENT_DATA) and its
         * TSval is not echoed later. Linux 6.18.44 answers it with a challenge ACK (RFC 5961 §5.2) that
         * echoes the old TSval — measured with the real packetdrill and ts_recent/invalid_ack.pkt: at once
         * ". 1:1(0) ack 1 win 65535 <nop,nop,TS val 200 ecr 200>" after "F. 1:1(0) ack 9999 ... TS val 200000".
         */
        @Test
        void ackOfUnsentData_challengeAckedAndTsRecentKept() {
            var t = new TcpTester();
            t.establishedClient();
            t.inject(200, "F. 1:1(0) ack 9999 win 502 <nop,nop,TS val 200000 ecr 100>");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.expectReason(SendReason.CHALLENGE_ACK_UNSENT_DATA);
            t.expectDrop(TcpDropReason.TCP_ACK_UNSENT_DATA);
            // A second one within tcp_invalid_ratelimit (500 ms) is dropped without an answer.
            t.inject(200, "F. 1:1(0) ack 9999 win 502 <nop,nop,TS val 200001 ecr 100>");
            t.expectNothing(200);
            t.inject(200, "P. 1:1001(1000) ack 1 win 502 <nop,nop,TS val 1201 ecr 100>");
            // 1000 bytes ≥ rcv_mss (536): tcp_measure_rcv_mss re-derives scaling_ratio, so the window moves
            // (here the aggregated segments' ratio, TcpConfig.rxPerSegmentTruesize false).
            t.expect(200, ". 1:1(0) ack 1001 win 66 <nop,nop,TS val 200 ecr 1201>");
        }

        /**
         * RFC 7323 §5.3 (Linux tcp_paws_discard): a segment whose TS.Val is older than TS.Recent is dropped
         * and ACKed; its data is not taken.
         */
        @Test
        void established_oldTsVal_droppedAndAcked() {
            t.inject(200, "P. 1:101(100) ack 1 win 502 <nop,nop,TS val 900 ecr 100>");
            t.expect(200, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            assertEquals(0, c.readable());
            assertEquals(1, count(Counter.TcpExtPAWSEstab));
            t.inject(300, "P. 1:101(100) ack 1 win 502 <nop,nop,TS val 1300 ecr 200>");
            t.expect(300, ". 1:1(0) ack 101 win 63 <nop,nop,TS val 300 ecr 1300>");
            assertEquals(100, c.readable());
        }

        /** RFC 7323 §5.3 / Linux tcp_validate_incoming: a RST is exempt from PAWS and still resets. */
        @Test
        void established_rstWithOldTsVal_stillResets() {
            t.inject(200, "R 1:1(0) win 0 <nop,nop,TS val 900 ecr 100>");
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(Errno.ECONNRESET, c.pendingError());
            t.expectNothing(10_000);
        }
    }

    /**
     * tcp_inbound_md5_hash (Linux 6.18): a segment with an MD5 signature option to a socket that has no
     * MD5 keys — synack's never have any — is dropped as TCP_MD5UNEXPECTED and counted, whatever it
     * carries; the same segment without the option is taken.
     */
    @Test
    void md5SignedSegmentWithoutKeysIsDropped() {
        t.inject(200, "P. 1:101(100) ack 1 win 257 <md5 000102030405060708090a0b0c0d0e0f,nop,nop>");
        t.expectDrop(TcpDropReason.TCP_MD5UNEXPECTED);
        assertEquals(1, count(Counter.TcpExtTCPMD5Unexpected));
        assertEquals(0, c.readable());
        t.expectNothing(100_000);
        t.inject(300, "P. 1:101(100) ack 1 win 257");
        assertEquals(100, c.readable());
    }
}
