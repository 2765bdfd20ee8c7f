package dev.synack.tcp;

import static dev.synack.testing.TcpTester.PEER_SYN;
import static dev.synack.testing.TcpTester.SYN;
import static dev.synack.testing.TcpTester.SYN_ACK;
import static dev.synack.testing.TcpTester.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every transition of RFC 9293's state diagram (§3.3.2, Figure 5), one state per nested class, with the
 * exact segments Linux 6.18 sends and when. The script's timestamps run 1000 ms ahead of ours
 * (TS val = 1000 + time in ms); ours equal the time in ms (no random offset in tests).
 */
class StateMachineTest {

    static final int EPIPE = -Errno.EPIPE.number();

    @Nested
    class Closed {
        /** RFC 9293 §3.10.1 OPEN call, CLOSED STATE: active open sends a SYN and enters SYN-SENT. */
        @Test
        void closed_connect_sendsSynAndEntersSynSent() {
            var t = new TcpTester();
            var c = t.connect();
            assertEquals(TcpState.SYN_SENT, c.state());
            t.expect(0, SYN);
            t.expectNothing(999);
            assertEquals(1, t.stack.counters().get(Counter.TcpActiveOpens));
        }
    }

    @Nested
    class SynSent {
        /** RFC 9293 §3.10.7.3 SYN-SENT: an acceptable SYN-ACK is ACKed at once and the connection is ESTABLISHED. */
        @Test
        void synSent_synAck_acksAndEstablishes() {
            var t = new TcpTester();
            var c = t.connect();
            t.expect(0, SYN);
            t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 7>");
            t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1100>");
            assertEquals(TcpState.ESTABLISHED, c.state());
            assertNull(c.pendingError());
            t.expectNothing(2000);
        }

        /**
         * RFC 9293 §3.5 Figure 8 (simultaneous open): a bare SYN in SYN-SENT moves to SYN-RECEIVED and is
         * answered with a SYN-ACK on the same ISS (Linux tcp_rcv_synsent_state_process → tcp_send_synack,
         * which carries our SYN's options and window). Their SYN-ACK then establishes the connection; Linux
         * (tcp_validate_incoming lets it pass, tcp_data_queue sees the old SYN) ACKs it with a D-SACK of the SYN.
         */
        @Test
        void synSent_bareSyn_entersSynRecvWithSameIssThenSynAckEstablishes() {
            var t = new TcpTester();
            var c = t.connect();
            var syn = t.expect(0, SYN);
            t.inject(50, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1050 ecr 0,nop,wscale 7>");
            var synAck = t.expect(50, "S. 0:0(0) ack 1 win 64240 <mss 1460,sackOK,TS val 50 ecr 1050,nop,wscale 10>");
            assertEquals(syn.seq(), synAck.seq());
            assertEquals(TcpState.SYN_RECV, c.state());
            t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1100 ecr 50,nop,wscale 7>");
            t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1100,nop,nop,sack 0:1>");
            assertEquals(TcpState.ESTABLISHED, c.state());
            t.expectNothing(3000);
        }

        /** RFC 9293 §3.10.7.4 SYN-RECEIVED (simultaneous open): a plain ACK of our SYN establishes, silently. */
        @Test
        void synSent_bareSynThenAck_establishes() {
            var t = new TcpTester();
            var c = t.connect();
            t.expect(0, SYN);
            t.inject(50, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1050 ecr 0,nop,wscale 7>");
            t.expect(50, "S. 0:0(0) ack 1 win 64240 <mss 1460,sackOK,TS val 50 ecr 1050,nop,wscale 10>");
            t.inject(100, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 50>");
            assertEquals(TcpState.ESTABLISHED, c.state());
            t.expectNothing(3000);
        }

        /**
         * RFC 9293 §3.10.4 CLOSE call, SYN-SENT: the attempt just ends, nothing is sent (Linux tcp_close →
         * tcp_set_state(TCP_CLOSE)). A SYN-ACK arriving later finds no socket: <SEQ=SEG.ACK><CTL=RST>.
         */
        @Test
        void synSent_close_sendsNothingAndLaterSynAckDrawsRst() {
            var t = new TcpTester();
            var c = t.connect();
            t.expect(0, SYN);
            t.at(10, c::close);
            assertEquals(TcpState.CLOSE, c.state());
            t.inject(100, "S. 0:0(0) ack 1 win 32000 <mss 1460,nop,wscale 7>");
            t.expect(100, "R 1:1(0) win 0");
            t.expectNothing(5000);
        }

        /** RFC 9293 §3.10.7.3: RST,ACK with an acceptable ACK → CLOSED, "connection reset" (Linux: ECONNREFUSED). */
        @Test
        void synSent_rstAckAcceptable_refusesConnection() {
            var t = new TcpTester();
            var c = t.connect();
            t.expect(0, SYN);
            t.inject(100, "R. 0:0(0) ack 1 win 0");
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(Errno.ECONNREFUSED, c.pendingError());
            assertEquals(-Errno.ECONNREFUSED.number(), c.receive(new byte[10], 0, 10));
            assertEquals(1, t.stack.counters().get(Counter.TcpAttemptFails));
            t.expectNothing(10_000);
        }

        /** RFC 9293 §3.10.7.3: a RST without ACK is dropped; the SYN is retransmitted at 1 s as usual. */
        @Test
        void synSent_rstWithoutAck_isIgnored() {
            var t = new TcpTester();
            var c = t.connect();
            t.expect(0, SYN);
            t.inject(100, "R 0:0(0) win 0");
            assertEquals(TcpState.SYN_SENT, c.state());
            t.expect(1000, syn(1000));
        }

        /** RFC 9293 §3.10.7.3: an unacceptable ACK with RST set: drop the segment, send nothing. */
        @Test
        void synSent_rstWithBadAck_isIgnored() {
            var t = new TcpTester();
            var c = t.connect();
            t.expect(0, SYN);
            t.inject(100, "R. 0:0(0) ack 5 win 0");
            assertEquals(TcpState.SYN_SENT, c.state());
            t.expect(1000, syn(1000));
        }

        /**
         * RFC 9293 §3.10.7.3: SEG.ACK =< ISS or > SND.NXT without RST → <SEQ=SEG.ACK><CTL=RST>, and the
         * connection stays in SYN-SENT (Linux reset_and_undo).
         */
        @Test
        void synSent_synAckWithBadAck_drawsRst() {
            var t = new TcpTester();
            var c = t.connect();
            t.expect(0, SYN);
            t.inject(100, "S. 0:0(0) ack 5 win 65535 <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 7>");
            t.expect(100, "R 5:5(0) win 0");
            t.inject(200, "S. 0:0(0) ack 0 win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 7>");
            t.expect(200, "R 0:0(0) win 0");
            assertEquals(TcpState.SYN_SENT, c.state());
            t.inject(300, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1300 ecr 0,nop,wscale 7>");
            t.expect(300, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 300 ecr 1300>");
            assertEquals(TcpState.ESTABLISHED, c.state());
        }
    }

    @Nested
    class Listen {
        /** RFC 9293 §3.10.7.2 LISTEN: a SYN creates a SYN-RECEIVED connection answered with a SYN-ACK. */
        @Test
        void listen_syn_sendsSynAckAndEntersSynRecv() {
            var t = new TcpTester();
            var l = t.listen();
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
            assertEquals(1, l.synQueueLength());
            assertEquals(TcpState.SYN_RECV, t.stack.connections().getFirst().state());
            assertNull(l.accept());
        }

        /** RFC 9293 §3.10.7.2: any ACK to a listener is bad: <SEQ=SEG.ACK><CTL=RST>. */
        @Test
        void listen_ack_drawsRstWithSeqFromAck() {
            var t = new TcpTester();
            var l = t.listen();
            t.inject(0, ". 1:1(0) ack 1000 win 502");
            t.expect(0, "R 1000:1000(0) win 0");
            t.inject(10, "P. 1:11(10) ack 77 win 502");
            t.expect(10, "R 77:77(0) win 0");
            assertEquals(0, l.synQueueLength());
            t.expectNothing(1000);
        }

        /** RFC 9293 §3.10.7.2: a RST to a listener is ignored. */
        @Test
        void listen_rst_isIgnored() {
            var t = new TcpTester();
            var l = t.listen();
            t.inject(0, "R 0:0(0) win 0");
            t.inject(10, "R. 0:0(0) ack 5 win 0");
            t.expectNothing(1000);
            assertEquals(0, l.synQueueLength());
            assertEquals(1, t.stack.listeners().size());
        }

        /**
         * Linux tcp_conn_request: with the accept queue full (sk_acceptq_is_full: more than backlog waiting)
         * a SYN is dropped without a word and counted in ListenOverflows and ListenDrops.
         */
        @Test
        void listen_acceptQueueFull_dropsSynAndCountsOverflow() {
            var t = new TcpTester();
            var l = t.listen(new SocketOptions(), 0);
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
            t.inject(100, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 0>");
            assertEquals(1, l.acceptQueueLength());
            t.remotePort = TcpTester.CLIENT_PORT + 1;
            t.inject(200, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1200 ecr 0,nop,wscale 7>");
            t.expectNothing(5000);
            assertEquals(0, l.synQueueLength());
            assertEquals(1, t.stack.counters().get(Counter.TcpExtListenOverflows));
            assertEquals(1, t.stack.counters().get(Counter.TcpExtListenDrops));
            assertNotNull(l.accept());
            assertNull(l.accept());
        }
    }

    @Nested
    class SynRecv {
        /** RFC 9293 §3.10.7.4 SYN-RECEIVED: an acceptable ACK → ESTABLISHED; accept() returns the connection. */
        @Test
        void synRecv_ack_establishesAndAcceptReturnsIt() {
            var t = new TcpTester();
            var l = t.listen();
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
            assertNull(l.accept());
            t.inject(100, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 0>");
            var c = l.accept();
            assertNotNull(c);
            assertEquals(TcpState.ESTABLISHED, c.state());
            assertEquals(0, l.synQueueLength());
            t.expectNothing(5000);
        }

        /**
         * RFC 9293 §3.10.7.4 SYN-RECEIVED, RST bit: a passive open returns to LISTEN: the embryonic connection
         * just vanishes, nothing is sent (Linux tcp_check_req → embryonic_reset, EmbryonicRsts).
         */
        @Test
        void synRecv_rst_childVanishes() {
            var t = new TcpTester();
            var l = t.listen();
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
            t.inject(100, "R 1:1(0) win 0");
            assertEquals(0, l.synQueueLength());
            assertNull(l.accept());
            assertEquals(0, t.stack.connections().size());
            assertEquals(1, t.stack.counters().get(Counter.TcpExtEmbryonicRsts));
            t.expectNothing(10_000);
        }

        /**
         * Linux tcp_check_req: for a request socket any RST in the window kills it (RFC 5961's exact-match
         * rule is applied to full sockets only).
         */
        @Test
        void synRecv_inWindowRst_childVanishes() {
            var t = new TcpTester();
            var l = t.listen();
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
            t.inject(100, "R 100:100(0) win 0");
            assertEquals(0, l.synQueueLength());
            t.expectNothing(10_000);
        }

        /**
         * Linux tcp_check_req: an in-window SYN that is not the retransmitted one (a different sequence)
         * resets the embryonic connection — RST,ACK for the SYN, the request dropped, EmbryonicRsts and
         * AttemptFails counted — where RFC 5961 §4 would send a challenge ACK.
         */
        @Test
        void synRecv_inWindowSyn_resetsTheEmbryonicConnection() {
            var t = new TcpTester();
            var l = t.listen();
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
            t.inject(100, "S 10:10(0) win 65535 <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 7>");
            long zero = t.relativeSeq(0); // tcp_v4_send_reset: SEQ 0 for a segment without ACK
            t.expect(100, "R. " + zero + ":" + zero + "(0) ack 11 win 0");
            assertEquals(0, l.synQueueLength());
            assertEquals(0, t.stack.connections().size());
            assertEquals(1, t.stack.counters().get(Counter.TcpExtEmbryonicRsts));
            assertEquals(1, t.stack.counters().get(Counter.TcpAttemptFails));
            t.expectNothing(10_000);
        }

        /**
         * RFC 9293 §3.10.7.4 SYN-RECEIVED: an unacceptable ACK draws <SEQ=SEG.ACK><CTL=RST> and the
         * connection stays; a good ACK later still completes it.
         */
        @Test
        void synRecv_badAck_drawsRst() {
            var t = new TcpTester();
            var l = t.listen();
            t.inject(0, PEER_SYN);
            t.expect(0, SYN_ACK);
            t.inject(100, ". 1:1(0) ack 5 win 502 <nop,nop,TS val 1100 ecr 0>");
            t.expect(100, "R 5:5(0) win 0");
            assertEquals(1, l.synQueueLength());
            t.inject(200, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1200 ecr 0>");
            assertNotNull(l.accept());
        }
    }

    @Nested
    class Established {
        /** RFC 9293 §3.10.4 CLOSE, ESTABLISHED: a FIN goes out and the state is FIN-WAIT-1. */
        @Test
        void established_close_sendsFinAndEntersFinWait1() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.at(200, c::close);
            t.expect(200, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            assertEquals(TcpState.FIN_WAIT1, c.state());
        }

        /** shutdown(SHUT_WR) (Linux tcp_shutdown): FIN, FIN-WAIT-1, and send() fails with EPIPE. */
        @Test
        void established_shutdownOutput_sendsFinAndEntersFinWait1() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.at(200, () -> assertEquals(0, c.shutdownOutput()));
            t.expect(200, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            assertEquals(TcpState.FIN_WAIT1, c.state());
            assertEquals(EPIPE, c.send(new byte[1], 0, 1));
        }

        /**
         * RFC 9293 §3.10.7.4 eighth step, ESTABLISHED: a FIN → CLOSE-WAIT; the read returns the data and
         * then 0. Linux's tcp_fin enters ping-pong mode, so once data has been received (ato = TCP_ATO_MIN)
         * the ACK of the FIN is delayed 40 ms.
         */
        @Test
        void established_finAfterData_entersCloseWaitAndAcksAfter40ms() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.inject(200, "P. 1:101(100) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            t.expect(200, ". 1:1(0) ack 101 win 63 <nop,nop,TS val 200 ecr 1200>");
            t.inject(300, "F. 101:101(0) ack 1 win 502 <nop,nop,TS val 1300 ecr 200>");
            assertEquals(TcpState.CLOSE_WAIT, c.state());
            t.expect(340, ". 1:1(0) ack 102 win 63 <nop,nop,TS val 340 ecr 1300>");
            byte[] buf = new byte[200];
            assertEquals(100, c.receive(buf, 0, buf.length));
            assertEquals(0, c.receive(buf, 0, buf.length));
            t.expectNothing(10_000);
        }

        /**
         * Linux tcp_send_delayed_ack with icsk_ack.ato still 0 (no data ever received): the delayed ACK of a
         * FIN leaves on the next timer tick, one jiffy (4 ms at HZ=250) later; packetdrill's
         * close-remote-fin-then-close sees it "at once" on Linux 6.18.
         */
        @Test
        void established_finWithoutData_entersCloseWaitAndAcksNextTick() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.inject(200, "F. 1:1(0) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            assertEquals(TcpState.CLOSE_WAIT, c.state());
            t.expect(204, ". 1:1(0) ack 2 win 63 <nop,nop,TS val 204 ecr 1200>");
            assertEquals(0, c.receive(new byte[10], 0, 10));
            t.expectNothing(10_000);
        }

        /**
         * RFC 2525 §2.17 and Linux tcp_close: close() with unread data aborts with a RST (RST,ACK at SND.NXT,
         * carrying timestamps and the window as every tcp_transmit_skb segment does) and the socket is CLOSED.
         */
        @Test
        void established_closeWithUnreadData_sendsRst() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.inject(200, "P. 1:101(100) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            t.expect(200, ". 1:1(0) ack 101 win 63 <nop,nop,TS val 200 ecr 1200>");
            t.at(300, c::close);
            t.expect(300, "R. 1:1(0) ack 101 win 63 <nop,nop,TS val 300 ecr 1200>");
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPAbortOnClose));
            t.inject(400, "P. 101:111(10) ack 1 win 502 <nop,nop,TS val 1400 ecr 300>");
            t.expect(400, "R 1:1(0) win 0");
        }

        /** SO_LINGER {on, 0} (Linux tcp_close → tcp_disconnect): RST,ACK instead of FIN, no TIME-WAIT. */
        @Test
        void established_closeWithLingerZero_sendsRst() {
            var t = new TcpTester();
            var o = new SocketOptions();
            o.linger = true;
            o.lingerSec = 0;
            var c = t.establishedClient(o);
            t.at(200, c::close);
            t.expect(200, "R. 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            assertEquals(TcpState.CLOSE, c.state());
            t.expectNothing(100_000);
        }
    }

    @Nested
    class FinWait1 {
        TcpTester t = new TcpTester();
        TcpConnection c;

        void closeAt200() {
            c = t.establishedClient();
            t.at(200, c::close);
            t.expect(200, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
        }

        /** RFC 9293 §3.10.7.4 FIN-WAIT-1: the ACK of our FIN → FIN-WAIT-2, silently. */
        @Test
        void finWait1_ackOfFin_entersFinWait2() {
            closeAt200();
            t.inject(300, ". 1:1(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
            assertEquals(TcpState.FIN_WAIT2, c.state());
            t.expectNothing(1000);
        }

        /**
         * RFC 9293 §3.6 Figure 13 (simultaneous close): their FIN before the ACK of ours → CLOSING, ACKed at
         * once (Linux tcp_fin); the ACK of our FIN then → TIME-WAIT, which ends exactly 60 s later.
         */
        @Test
        void finWait1_fin_entersClosingThenTimeWait() {
            closeAt200();
            t.inject(250, "F. 1:1(0) ack 1 win 502 <nop,nop,TS val 1250 ecr 100>");
            t.expect(250, ". 2:2(0) ack 2 win 63 <nop,nop,TS val 250 ecr 1250>");
            assertEquals(TcpState.CLOSING, c.state());
            t.inject(300, ". 2:2(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 250>");
            assertEquals(TcpState.TIME_WAIT, c.state());
            t.expectNothing(60_299);
            assertEquals(TcpState.TIME_WAIT, c.state());
            t.expectNothing(60_300);
            assertEquals(TcpState.CLOSE, c.state());
        }

        /** RFC 9293 §3.10.7.4: FIN and the ACK of our FIN together → TIME-WAIT, ACKed at once. */
        @Test
        void finWait1_finAck_entersTimeWait() {
            closeAt200();
            t.inject(300, "F. 1:1(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
            t.expect(300, ". 2:2(0) ack 2 win 63 <nop,nop,TS val 300 ecr 1300>");
            assertEquals(TcpState.TIME_WAIT, c.state());
        }

        /**
         * RFC 1122 §4.2.2.13 / Linux tcp_rcv_state_process: new data for a socket closed by the application
         * (RCV_SHUTDOWN) resets the connection (TCPAbortOnData); the RST is tcp_v4_send_reset's:
         * <SEQ=SEG.ACK><CTL=RST>.
         */
        @Test
        void finWait1_dataAfterClose_drawsRst() {
            closeAt200();
            t.inject(250, "P. 1:11(10) ack 1 win 502 <nop,nop,TS val 1250 ecr 100>");
            t.expect(250, "R 1:1(0) win 0");
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPAbortOnData));
            t.expectNothing(100_000);
        }
    }

    @Nested
    class FinWait2 {
        TcpTester t = new TcpTester();
        TcpConnection c;

        /** RFC 9293 §3.10.7.4 FIN-WAIT-2: their FIN is ACKed at once and the state is TIME-WAIT. */
        @Test
        void finWait2_fin_entersTimeWait() {
            c = t.establishedClient();
            t.at(200, c::shutdownOutput);
            t.expect(200, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.inject(300, ". 1:1(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
            assertEquals(TcpState.FIN_WAIT2, c.state());
            t.inject(400, "F. 1:1(0) ack 2 win 502 <nop,nop,TS val 1400 ecr 200>");
            t.expect(400, ". 2:2(0) ack 2 win 63 <nop,nop,TS val 400 ecr 1400>");
            assertEquals(TcpState.TIME_WAIT, c.state());
            assertEquals(0, c.receive(new byte[10], 0, 10));
        }

        /**
         * Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 connection lives tcp_fin_timeout (60 s) and goes;
         * data after that finds no socket: <SEQ=SEG.ACK><CTL=RST> from the stack.
         */
        @Test
        void finWait2_orphan_diesAfterFinTimeout() {
            c = t.establishedClient();
            t.at(200, c::close);
            t.expect(200, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.inject(300, ". 1:1(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
            t.expectNothing(60_299);
            assertEquals(TcpState.FIN_WAIT2, c.state());
            t.expectNothing(60_300);
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(0, t.stack.connections().size());
            t.inject(60_400, "P. 1:11(10) ack 2 win 502 <nop,nop,TS val 61400 ecr 200>");
            t.expect(60_400, "R 2:2(0) win 0");
        }

        /** Linux tcp_rcv_state_process (and tcp_timewait_state_process for the FIN-WAIT-2 substate): data → RST. */
        @Test
        void finWait2_orphanData_drawsRst() {
            c = t.establishedClient();
            t.at(200, c::close);
            t.expect(200, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.inject(300, ". 1:1(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
            t.inject(400, "P. 1:11(10) ack 2 win 502 <nop,nop,TS val 1400 ecr 200>");
            t.expect(400, "R 2:2(0) win 0");
            assertEquals(TcpState.CLOSE, c.state());
            t.expectNothing(100_000);
        }
    }

    @Nested
    class TimeWait {
        TcpTester t = new TcpTester();
        TcpConnection c;

        void timeWaitAt300() {
            c = t.establishedClient();
            t.at(200, c::close);
            t.expect(200, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
            t.inject(300, "F. 1:1(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
            t.expect(300, ". 2:2(0) ack 2 win 63 <nop,nop,TS val 300 ecr 1300>");
            assertEquals(TcpState.TIME_WAIT, c.state());
        }

        /** RFC 9293 §3.10.8 (2 MSL), Linux TCP_TIMEWAIT_LEN: TIME-WAIT ends exactly 60 s after it began. */
        @Test
        void timeWait_after60s_closes() {
            timeWaitAt300();
            t.expectNothing(60_299);
            assertEquals(TcpState.TIME_WAIT, c.state());
            t.expectNothing(60_300);
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(0, t.stack.connections().size());
        }

        /**
         * RFC 9293 §3.10.7.4 TIME-WAIT: a retransmitted FIN is ACKed again and the 2 MSL timeout restarts
         * (Linux tcp_timewait_state_process: inet_twsk_reschedule, TCP_TW_ACK).
         */
        @Test
        void timeWait_retransmittedFin_isAckedAndRestartsTimer() {
            timeWaitAt300();
            t.inject(1_300, "F. 1:1(0) ack 2 win 502 <nop,nop,TS val 2300 ecr 200>");
            t.expect(1_300, ". 2:2(0) ack 2 win 63 <nop,nop,TS val 1300 ecr 1300>");
            t.expectNothing(61_299);
            assertEquals(TcpState.TIME_WAIT, c.state());
            t.expectNothing(61_300);
            assertEquals(TcpState.CLOSE, c.state());
        }
    }

    @Nested
    class CloseWait {
        /** RFC 9293 §3.10.4 CLOSE, CLOSE-WAIT: FIN (carrying the owed ACK) and LAST-ACK. */
        @Test
        void closeWait_close_sendsFinAndEntersLastAck() {
            var t = new TcpTester();
            var c = t.establishedClient();
            t.inject(200, "F. 1:1(0) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            assertEquals(TcpState.CLOSE_WAIT, c.state());
            t.at(201, c::close);
            t.expect(201, "F. 1:1(0) ack 2 win 63 <nop,nop,TS val 201 ecr 1200>");
            assertEquals(TcpState.LAST_ACK, c.state());
        }
    }

    @Nested
    class LastAck {
        TcpTester t = new TcpTester();
        TcpConnection c;

        void lastAckAt200() {
            c = t.establishedClient();
            t.inject(200, "F. 1:1(0) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            t.at(200, c::close);
            t.expect(200, "F. 1:1(0) ack 2 win 63 <nop,nop,TS val 200 ecr 1200>");
            assertEquals(TcpState.LAST_ACK, c.state());
        }

        /**
         * RFC 9293 §3.10.7.4 LAST-ACK: the ACK of our FIN → CLOSED, silently; a segment after that finds no
         * socket and draws <SEQ=SEG.ACK><CTL=RST> (packetdrill close-remote-fin-then-close).
         */
        @Test
        void lastAck_ackOfFin_closes() {
            lastAckAt200();
            t.inject(300, ". 2:2(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(0, t.stack.connections().size());
            t.inject(400, ". 2:2(0) ack 2 win 502 <nop,nop,TS val 1400 ecr 200>");
            t.expect(400, "R 2:2(0) win 0");
        }

        /**
         * RFC 9293 §3.6: when the peer's ACK of our FIN is lost, LAST-ACK sends the FIN again. With SACK the
         * first resend is the tail loss probe (RFC 8985 §7.2: min(2·SRTT + rto_min, RTO) = 300 ms after a
         * 100 ms handshake RTT; a bare FIN, no PSH), then the RTO 300 ms after it, then backed off to 600 ms;
         * the late ACK closes the connection.
         */
        @Test
        void lastAck_ackLost_retransmitsFin() {
            lastAckAt200();
            t.expect(500, "F. 1:1(0) ack 2 win 63 <nop,nop,TS val 500 ecr 1200>");
            t.expect(800, "F. 1:1(0) ack 2 win 63 <nop,nop,TS val 800 ecr 1200>");
            t.expect(1_400, "F. 1:1(0) ack 2 win 63 <nop,nop,TS val 1400 ecr 1200>");
            t.inject(1_500, ". 2:2(0) ack 2 win 502 <nop,nop,TS val 2500 ecr 1400>");
            assertEquals(TcpState.CLOSE, c.state());
            t.expectNothing(100_000);
        }

        /** The same without SACK: no loss probe, the RTO alone (300 ms, then 600 ms). */
        @Test
        void lastAck_ackLostNoSack_retransmitsFinAfterRto() {
            c = t.connect();
            t.expect(0, SYN);
            t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,TS val 1100 ecr 0,nop,wscale 7>");
            t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1100>");
            t.inject(200, "F. 1:1(0) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
            t.at(200, c::close);
            t.expect(200, "F. 1:1(0) ack 2 win 63 <nop,nop,TS val 200 ecr 1200>");
            t.expect(500, "F. 1:1(0) ack 2 win 63 <nop,nop,TS val 500 ecr 1200>");
            t.expect(1_100, "F. 1:1(0) ack 2 win 63 <nop,nop,TS val 1100 ecr 1200>");
            t.inject(1_200, ". 2:2(0) ack 2 win 502 <nop,nop,TS val 2200 ecr 1100>");
            assertEquals(TcpState.CLOSE, c.state());
            t.expectNothing(100_000);
        }
    }

    @Nested
    class NoSocket {
        TcpTester t = new TcpTester();

        {
            t.localPort = 9999;
            t.remotePort = TcpTester.CLIENT_PORT;
        }

        /** RFC 9293 §3.10.7.1 CLOSED: a SYN → <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SEG.LEN counts the SYN). */
        @Test
        void noSocket_syn_drawsRstAckWithSeqZero() {
            t.inject(0, PEER_SYN);
            t.expect(0, "R. 0:0(0) ack 1 win 0");
            assertEquals(0, t.pending());
            assertEquals(1, t.stack.counters().get(Counter.TcpOutRsts));
        }

        /** RFC 9293 §3.10.7.1: a segment with ACK → <SEQ=SEG.ACK><CTL=RST>. */
        @Test
        void noSocket_ack_drawsRstWithSeqFromAck() {
            t.inject(0, "P. 100:110(10) ack 5000 win 502");
            t.expect(0, "R 5000:5000(0) win 0");
        }

        /** RFC 9293 §3.10.7.1: data without ACK → RST,ACK acknowledging SEG.SEQ+SEG.LEN (the FIN counts). */
        @Test
        void noSocket_dataWithoutAck_drawsRstAckCoveringIt() {
            t.inject(0, "FP 100:110(10) win 502");
            t.expect(0, "R. 0:0(0) ack 111 win 0");
        }

        /** RFC 9293 §3.10.7.1: "An incoming segment containing a RST is discarded." */
        @Test
        void noSocket_rst_drawsNothing() {
            t.inject(0, "R 100:100(0) win 0");
            t.inject(1, "R. 100:100(0) ack 7 win 0");
            t.expectNothing(1000);
        }
    }
}
