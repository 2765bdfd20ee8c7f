package dev.synack.stack;

import static dev.synack.testing.TcpTester.PEER_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.stats.Counter;
import dev.synack.tcp.SendReason;
import dev.synack.tcp.TcpHost;
import dev.synack.testing.TcpTester;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import org.junit.jupiter.api.Test;

/**
 * The IP layer carries the ECN field (RFC 3168 §5, the TOS byte's two low bits) both ways: what TCP
 * asks for goes into the header it sends, and every packet received is counted by its codepoint
 * (ip_rcv_core's IpExtInNoECTPkts, IpExtInECT1Pkts, IpExtInECT0Pkts, IpExtInCEPkts) before TCP sees
 * the field.
 */
class EcnFieldTest {
    @Test
    void sendTcp_writesTheTosTcpAsksFor() {
        TcpTester t = new TcpTester();
        byte[] tx = t.stack.txBuffer();
        for (int tos : new int[] {Ipv4.ECT_0, Ipv4.NOT_ECT, Ipv4.CE}) {
            TcpHeader.writeHeader(tx, TcpHost.TCP_OFFSET, 40000, 8080, 5, TcpTester.REMOTE_ISN + 7, TcpHeader.ACK, 100, 0);
            assertEquals(0, t.stack.sendTcp(TcpTester.LOCAL, TcpTester.REMOTE, TcpHeader.HEADER_LEN, 1, tos, SendReason.DELAYED_ACK, 0));
        }
        t.expect(0, "[ect0] . 5:5(0) ack 7 win 100");
        t.expect(0, "[noecn] . 5:5(0) ack 7 win 100");
        t.expect(0, "[ce] . 5:5(0) ack 7 win 100");
    }

    @Test
    void receive_countsEachCodepoint() {
        TcpTester t = new TcpTester();
        t.listen();
        t.inject(0, "[ect0] " + PEER_SYN); // an ECT SYN (RFC 3168 §6.1.1 says it must not be): counted all the same
        t.expect(0, TcpTester.SYN_ACK);
        t.inject(10, "[ce] . 1:1(0) ack 1 win 502 <nop,nop,TS val 1010 ecr 0>");
        t.inject(20, "[ect1] . 1:1(0) ack 1 win 502 <nop,nop,TS val 1020 ecr 0>");
        t.inject(30, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1030 ecr 0>");
        var c = t.stack.counters();
        assertEquals(1, c.get(Counter.IpExtInECT0Pkts));
        assertEquals(1, c.get(Counter.IpExtInCEPkts));
        assertEquals(1, c.get(Counter.IpExtInECT1Pkts));
        assertEquals(1, c.get(Counter.IpExtInNoECTPkts));
        assertEquals(4, c.get(Counter.IpInReceives));
    }
}
