package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/** RFC 9293 §3.5 (three-way handshake) with Linux 6.18's SYN and SYN-ACK as they appear on the wire. */
class HandshakeTest {
    @Test
    void activeOpen_sendsLinuxSyn_andAcksSynAck() {
        var t = new TcpTester();
        var c = t.connect();
        assertEquals(TcpState.SYN_SENT, c.state());
        t.expect(0, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 10>");
        t.inject(100, "S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(100, ". 1:1(0) ack 1 win 63 <nop,nop,TS val 100 ecr 1000>");
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(1448, c.mss());
    }

    @Test
    void passiveOpen_answersWithLinuxSynAck() {
        var t = new TcpTester();
        var l = t.listen();
        t.inject(0, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(0, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 10>");
        t.inject(100, ". 1:1(0) ack 1 win 502 <nop,nop,TS val 1100 ecr 0>");
        var c = l.accept();
        assertEquals(TcpState.ESTABLISHED, c.state());
    }
}
