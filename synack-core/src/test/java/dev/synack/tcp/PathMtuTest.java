package dev.synack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.stats.Counter;
import dev.synack.testing.TcpTester;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import org.junit.jupiter.api.Test;

/**
 * Path MTU discovery from ICMP "fragmentation needed" (RFC 1191; Linux tcp_v4_err → tcp_v4_mtu_reduced,
 * __ip_rt_update_pmtu) and ICMP errors quoting a sequence number not outstanding (TcpExtOutOfWindowIcmps).
 * The Fast Open cases are those of fastopen/client/syn-data-icmp-unreach-frag-needed*.pkt, which Linux
 * 6.18 passes, and the project's own script with MTU 500 (passed by Linux 6.18: SYN MSS 512, tcpi_snd_mss
 * 512).
 */
class PathMtuTest {
    static final int ROUTER = Ipv4.parse("198.18.0.254");


    /** A frag_needed from a router naming {@code mtu}, quoting {@code original} (our packet as sent). */
    static byte[] fragNeeded(int mtu, byte[] original) {
        byte[] icmp = new byte[Icmp.HEADER_LEN + Icmp.quoteLength(original, 0, original.length)];
        int n = Icmp.writeDestUnreachable(icmp, 0, Icmp.FRAG_NEEDED, mtu, original, 0, original.length);
        byte[] p = new byte[20 + n];
        System.arraycopy(icmp, 0, p, 20, n);
        Ipv4.write(p, 0, ROUTER, TcpTester.LOCAL, Ipv4.PROTO_ICMP, 64, 99, n);
        return p;
    }

    /** A host-unreachable quoting {@code original} with its seq moved by {@code delta}. */
    static byte[] unreachableAt(byte[] original, int delta) {
        byte[] forged = original.clone();
        int seq = TcpHeader.seq(forged, 20) + delta;
        forged[24] = (byte) (seq >>> 24);
        forged[25] = (byte) (seq >>> 16);
        forged[26] = (byte) (seq >>> 8);
        forged[27] = (byte) seq;
        byte[] icmp = new byte[Icmp.HEADER_LEN + Icmp.quoteLength(forged, 0, forged.length)];
        int n = Icmp.writeDestUnreachable(icmp, 0, Icmp.HOST_UNREACH, 0, forged, 0, forged.length);
        byte[] p = new byte[20 + n];
        System.arraycopy(icmp, 0, p, 20, n);
        Ipv4.write(p, 0, ROUTER, TcpTester.LOCAL, Ipv4.PROTO_ICMP, 64, 99, n);
        return p;
    }


    /**
     * tcp_v4_mtu_reduced on a SYN with data (tcp_simple_retransmit, commit c31b70c9968f): the SYN goes
     * again at once, bare, offering the path's MSS (tcp_advertise_mss: 800 − 40); the SYN-ACK that
     * acknowledges only the SYN has the data sent again at the new MSS (760 less the timestamps, 748).
     */
    @Test
    void fragNeededOnSynDataResendsABareSynAtTheNewMss() {
        var t = new TcpTester();
        FastOpenClientTest.learnCookie(t);
        var c = t.connect(new SocketOptions(), FastOpenClientTest.data(1000));
        t.expect(10, "S 0:1000(1000) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
        t.injectRaw(20, fragNeeded(800, t.lastPacket()));
        t.expect(20, "S 0:0(0) win 64240 <mss 760,sackOK,TS val 20 ecr 0,nop,wscale 10>");
        assertEquals(1, t.stack.counters().get(Counter.TcpExtTCPSynRetrans));
        t.inject(40, "S. 0:0(0) ack 1 win 65535 <mss 1040,sackOK,TS val 2000 ecr 20,nop,wscale 7>");
        t.expect(40, ". 1:749(748) ack 1 win 63 <nop,nop,TS val 40 ecr 2000>");
        t.expect(40, "P. 749:1001(252) ack 1 win 63 <nop,nop,TS val 40 ecr 2000>");
        assertEquals(748, c.info().sndMss());
    }

    /** __ip_rt_update_pmtu: an MTU below net.ipv4.route.min_pmtu (552) counts as 552 (MSS 512), as measured. */
    @Test
    void mtuBelowMinPmtuIsRaisedTo552() {
        var t = new TcpTester();
        FastOpenClientTest.learnCookie(t);
        t.connect(new SocketOptions(), FastOpenClientTest.data(1000));
        t.expect(10, "S 0:1000(1000) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
        t.injectRaw(20, fragNeeded(500, t.lastPacket()));
        t.expect(20, "S 0:0(0) win 64240 <mss 512,sackOK,TS val 20 ecr 0,nop,wscale 10>");
    }

    /** __ip_rt_update_pmtu: a larger MTU than the path's is ignored; the SYN waits for its RTO. */
    @Test
    void largerMtuIsIgnored() {
        var t = new TcpTester();
        FastOpenClientTest.learnCookie(t);
        t.connect(new SocketOptions(), FastOpenClientTest.data(100));
        t.expect(10, "S 0:100(100) win 64240 <mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 10,FO abcd1234,nop,nop>");
        t.injectRaw(20, fragNeeded(9000, t.lastPacket()));
        t.expect(1010, "S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1010 ecr 0,nop,wscale 10>");
    }

    /** A plain SYN (no data) is not resent by tcp_simple_retransmit (its length fits any MSS). */
    @Test
    void fragNeededOnAPlainSynOnlyLowersTheOfferedMss() {
        var t = new TcpTester();
        t.connect();
        t.expect(0, TcpTester.SYN);
        t.injectRaw(20, fragNeeded(1000, t.lastPacket()));
        t.expect(1000, "S 0:0(0) win 64240 <mss 960,sackOK,TS val 1000 ecr 0,nop,wscale 10>");
    }

    /** Established: tcp_sync_mss: what is sent next is cut at the path's MSS (1000 − 40 − 12). */
    @Test
    void establishedConnectionSendsAtTheNewMss() {
        var t = new TcpTester();
        var c = t.establishedClient();
        t.at(200, () -> c.send(new byte[100], 0, 100));
        t.expect(200, "P. 1:101(100) ack 1 win 63 <nop,nop,TS val 200 ecr 1000>");
        t.injectRaw(210, fragNeeded(1000, t.lastPacket()));
        assertEquals(948, c.info().sndMss());
        t.inject(220, ". 1:1(0) ack 101 win 65535 <nop,nop,TS val 1100 ecr 200>");
        t.at(300, () -> c.send(new byte[1000], 0, 1000));
        t.expect(300, ". 101:1049(948) ack 1 win 63 <nop,nop,TS val 300 ecr 1100>");
        t.expect(300, "P. 1049:1101(52) ack 1 win 63 <nop,nop,TS val 300 ecr 1100>");
    }

    /**
     * tcp_v4_err: an ICMP error quoting a seq outside [SND.UNA, SND.NXT] is ignored but counted
     * (LINUX_MIB_OUTOFWINDOWICMPS; fastopen/server/icmp-before-accept.pkt reads it with nstat).
     */
    @Test
    void outOfWindowIcmpIsCounted() {
        var t = new TcpTester();
        var c = t.connect();
        t.expect(0, TcpTester.SYN);
        t.injectRaw(20, unreachableAt(t.lastPacket(), 5000));
        assertEquals(TcpState.SYN_SENT, c.state());
        assertEquals(1, t.stack.counters().get(Counter.TcpExtOutOfWindowIcmps));
    }
}
