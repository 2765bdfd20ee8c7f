package dev.synack.tcp;

import static dev.synack.testing.TcpTester.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Options agreed in the handshake (RFC 9293 §3.7.1 MSS, RFC 7323 window scale and timestamps, RFC 2018
 * SACK-permitted) and the sysctls that turn them off, as Linux's tcp_syn_options and
 * tcp_rcv_synsent_state_process apply them.
 */
class OptionNegotiationTest {

    @Nested
    class Mss {
        /**
         * RFC 9293 §3.7.1 / RFC 1122 §4.2.2.6: with no MSS option the peer takes 536 bytes (Linux
         * TCP_MSS_DEFAULT); with no wscale from the peer neither side scales (RFC 7323 §2.2).
         */
        @Test
        void synSent_synAckWithoutOptions_uses536ByteSegments() {
            var t = new TcpTester();
            var c = t.connect();
            t.expect(0, SYN);
            t.inject(100, "S. 0:0(0) ack 1 win 65535");
            t.expect(100, ". 1:1(0) ack 1 win 64240");
            assertEquals(536, c.mss());
            assertEquals(0, c.info().options());
            t.at(200, () -> assertEquals(1072, c.send(new byte[1072], 0, 1072)));
            t.expect(200, ". 1:537(536) ack 1 win 64240");
            t.expect(200, "P. 537:1073(536) ack 1 win 64240");
        }

        /** tcp_timestamps = 0: no TS option in the SYN (mss,nop,nop,sackOK,nop,wscale) and 1460-byte segments. */
        @Test
        void timestampsOff_synHasNoTsAndMssIs1460() {
            var t = new TcpTester(cfg -> cfg.set("tcp_timestamps", "0"));
            var c = t.connect();
            t.expect(0, "S 0:0(0) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 10>");
            t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>");
            t.expect(100, ". 1:1(0) ack 1 win 63 <>");
            assertEquals(1460, c.mss());
        }

        /** A peer that offers timestamps when we do not: we still send none (RFC 7323 §3.2). */
        @Test
        void timestampsOff_peerOffersTs_noneSent() {
            var t = new TcpTester(cfg -> cfg.set("tcp_timestamps", "0"));
            var c = t.connect();
            t.expect(0, "S 0:0(0) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 10>");
            t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 7>");
            t.expect(100, ". 1:1(0) ack 1 win 63 <>");
            assertEquals(1460, c.mss());
        }
    }

    @Nested
    class Sack {
        /** tcp_sack = 0: no sackOK in the SYN; timestamps then take Linux's nop,nop,TS layout. */
        @Test
        void sackOff_synHasNoSackOk() {
            var t = new TcpTester(cfg -> cfg.set("tcp_sack", "0"));
            var c = t.connect();
            t.expect(0, "S 0:0(0) win 64240 <mss 1460,nop,nop,TS val 0 ecr 0,nop,wscale 10>");
            t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 7>");
            t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1100>");
            assertEquals(0, c.info().options() & TcpInfo.OPT_SACK);
        }
    }

    @Nested
    class WindowScale {
        /**
         * tcp_window_scaling = 0: no wscale in the SYN, and windows both ways are unscaled even though the
         * peer offered wscale 7 (RFC 7323 §2.2: scaling needs both SYNs to carry the option).
         */
        @Test
        void windowScalingOff_noWscaleAndUnscaledWindows() {
            var t = new TcpTester(cfg -> cfg.set("tcp_window_scaling", "0"));
            var c = t.connect();
            t.expect(0, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0>");
            t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 7>");
            t.expect(100, ". 1:1(0) ack 1 win 64240 <nop,nop,TS val 100 ecr 1100>");
            t.inject(200, ". 1:1(0) ack 1 win 3000 <nop,nop,TS val 1200 ecr 100>");
            assertEquals(3000, c.info().sndWnd());
            assertEquals(0, c.info().sndWscale());
            assertEquals(0, c.info().rcvWscale());
        }

        /** RFC 7323 §2.2: a peer without wscale → we do not scale either: our window field is in bytes. */
        @Test
        void peerWithoutWscale_weDoNotScale() {
            var t = new TcpTester();
            var c = t.connect();
            t.expect(0, SYN);
            t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1100 ecr 0>");
            t.expect(100, ". 1:1(0) ack 1 win 64240 <nop,nop,TS val 100 ecr 1100>");
            t.inject(200, ". 1:1(0) ack 1 win 3000 <nop,nop,TS val 1200 ecr 100>");
            assertEquals(3000, c.info().sndWnd());
            assertEquals(0, c.info().options() & TcpInfo.OPT_WSCALE);
        }
    }
}
