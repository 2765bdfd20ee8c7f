package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.testing.TcpTester;
import dev.synack.wire.Ipv4;
import org.junit.jupiter.api.Test;

/**
 * The IPv4 identification of TCP's packets, as Linux 6.18 picks it (ip_select_ident_segs): every
 * packet has DF set; a full socket numbers its packets from a random start (inet_id =
 * get_random_u16() in tcp_v4_connect and tcp_v4_syn_recv_sock), one more per packet; what Linux sends
 * from a request socket (the passive SYN-ACK) or through the control socket (a RST for no socket, an
 * ACK from TIME_WAIT) carries 0. Measured with two network namespaces on a veth pair and a raw
 * capture: client SYN 32935, then 32936, 32937, ...; SYN-ACK 0; server 65388, 65389, ...; the
 * server's ACK of the client's FIN from TIME_WAIT 0; a RST for a closed port 0. (Before, synack used
 * one host-wide counter: a side channel, and not what Linux sends.)
 */
class IpIdTest {
    final TcpTester t = new TcpTester();

    int id() { return Ipv4.identification(t.lastPacket(), 0); }

    boolean df() { return Ipv4.dontFragment(t.lastPacket(), 0); }

    @Test
    void client_countsUpFromItsSyn() {
        var c = t.establishedClient(); // SYN at 0, the handshake's ACK at 100
        t.at(200, () -> c.send(new byte[10], 0, 10));
        t.expect(200, "P. 1:11(10) ack 1 <nop,nop,TS val 200 ecr 1000>");
        int data = id();
        assertTrue(df());
        t.inject(250, ". 1:1(0) ack 11 win 502 <nop,nop,TS val 1250 ecr 200>");
        t.at(300, () -> c.send(new byte[10], 0, 10));
        t.expect(300, "P. 11:21(10) ack 1 <nop,nop,TS val 300 ecr 1250>");
        assertEquals((data + 1) & 0xFFFF, id());
    }

    @Test
    void synAckCarriesZero_serverCountsOnceEstablished() {
        var l = t.listen();
        t.inject(0, TcpTester.PEER_SYN);
        t.expect(0, TcpTester.SYN_ACK);
        assertEquals(0, id());
        assertTrue(df());
        t.inject(100, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 0>");
        var c = l.accept();
        t.at(200, () -> c.send(new byte[10], 0, 10));
        t.expect(200, "P. 1:11(10) ack 1 <nop,nop,TS val 200 ecr 1100>");
        int first = id();
        t.inject(250, ". 1:1(0) ack 11 win 502 <nop,nop,TS val 1250 ecr 200>");
        t.at(300, () -> c.send(new byte[10], 0, 10));
        t.expect(300, "P. 11:21(10) ack 1 <nop,nop,TS val 300 ecr 1250>");
        assertEquals((first + 1) & 0xFFFF, id());
    }

    @Test
    void timeWaitAckCarriesZero() {
        var c = t.establishedClient();
        t.at(200, c::close);
        t.expect(200, "F. 1:1(0) ack 1 <nop,nop,TS val 200 ecr 1000>");
        t.inject(300, "F. 1:1(0) ack 2 win 502 <nop,nop,TS val 1300 ecr 200>");
        t.expect(300, ". 2:2(0) ack 2 <nop,nop,TS val 300 ecr 1300>");
        assertEquals(TcpState.TIME_WAIT, c.state());
        assertEquals(0, id());
    }

    @Test
    void resetForNoSocketCarriesZero() {
        t.localPort = 9999;
        t.remotePort = TcpTester.CLIENT_PORT;
        t.inject(0, TcpTester.PEER_SYN);
        t.expect(0, "R. 0:0(0) ack 1 win 0");
        assertEquals(0, id());
        assertTrue(df());
    }
}
