package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.testing.TcpTester;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpOption;
import dev.synack.wire.TcpSegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SYNs a listener must not answer. A SYN with FIN is discarded in tcp_rcv_state_process's TCP_LISTEN case
 * (SKB_DROP_REASON_TCP_FLAGS); a packet from a martian source — multicast, the limited broadcast,
 * 0.0.0.0, loopback or one of our own addresses — never reaches TCP (ip_route_input_slow,
 * fib_validate_source with accept_local 0), so no SYN-ACK goes to that address six times.
 *
 * <p>Measured on Linux 6.18 with packetdrill (a listener; the script's SYN carries MSS, SACK, TS and
 * wscale): {@code SF 0:0(0)} draws nothing, and a plain SYN one second later is answered with a SYN-ACK
 * at once. With the script's address set to 224.0.0.5, 255.255.255.255, 0.0.0.0 or 127.0.0.2 the SYN
 * is not answered; 0.0.0.7 is (0.0.0.0/8 is unicast since Linux 5.3). Our own address as the source
 * (fib_validate_source: RTN_LOCAL without accept_local) could not be set up in packetdrill; it follows
 * the code.
 */
class HostileSynTest {
    final TcpTester t = new TcpTester();

    @Test
    void synWithFin_toListener_isDiscarded() {
        TcpListener l = t.listen();
        t.inject(0, "SF 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
        t.expectNothing(1000);
        t.inject(1000, "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>");
        t.expect(1000, "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 1000 ecr 1000,nop,wscale 10>");
        assertEquals(null, l.accept());
    }

    @ParameterizedTest
    @ValueSource(strings = {"224.0.0.5", "255.255.255.255", "0.0.0.0", "127.0.0.2", "198.18.0.1"})
    void synFromMartianSource_isDropped(String source) {
        // A default route via the peer, so that an answer to any address would leave (as in the lab).
        t.stack.addRoute(0, 0, TcpTester.REMOTE, t.stack.interfaces().getFirst());
        t.listen();
        t.injectRaw(0, synFrom(Ipv4.parse(source)));
        t.expectNothing(100_000);
    }

    /** The control: the same SYN from the script's ordinary address is answered. */
    @Test
    void synFromUnicastSource_isAnswered() {
        t.listen();
        t.injectRaw(0, synFrom(TcpTester.REMOTE));
        t.expect(0, "S. 0:0(0) ack 1");
    }

    private static byte[] synFrom(int src) {
        TcpSegment seg = new TcpSegment(TcpTester.CLIENT_PORT, TcpTester.SERVER_PORT, TcpTester.REMOTE_ISN, 0,
                TcpHeader.SYN, 65535, List.of(new TcpOption.Mss(1460)), new byte[0]);
        int len = seg.encodedLength();
        byte[] b = new byte[20 + len];
        seg.encode(b, 20, src, TcpTester.LOCAL);
        Ipv4.write(b, 0, src, TcpTester.LOCAL, Ipv4.PROTO_TCP, 64, 1, len);
        return b;
    }
}
