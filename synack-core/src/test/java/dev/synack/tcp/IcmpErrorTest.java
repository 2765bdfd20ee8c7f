package dev.synack.tcp;

import static dev.synack.testing.TcpTester.SYN;
import static dev.synack.testing.TcpTester.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.synack.testing.TcpTester;
import dev.synack.wire.Icmp;
import dev.synack.wire.Ipv4;
import dev.synack.wire.TcpHeader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ICMP destination unreachable for a TCP connection (RFC 1122 §4.2.3.9, RFC 5927; Linux tcp_v4_err with
 * icmp_err_convert): hard errors end a connection attempt at once, in ESTABLISHED they are soft.
 */
class IcmpErrorTest {
    static final int ROUTER = Ipv4.parse("198.18.0.254");

    /** An ICMP destination unreachable from a router quoting {@code original} (our packet as sent). */
    static byte[] unreachable(int code, byte[] original) {
        byte[] icmp = new byte[Icmp.HEADER_LEN + Icmp.quoteLength(original, 0, original.length)];
        int n = Icmp.writeDestUnreachable(icmp, 0, code, 0, original, 0, original.length);
        byte[] p = new byte[20 + n];
        System.arraycopy(icmp, 0, p, 20, n);
        Ipv4.write(p, 0, ROUTER, TcpTester.LOCAL, Ipv4.PROTO_ICMP, 64, 99, n);
        return p;
    }

    @Nested
    class SynSent {
        TcpTester t = new TcpTester();
        TcpConnection c = t.connect();
        byte[] syn;

        {
            t.expect(0, SYN);
            syn = t.lastPacket();
        }

        void failsWith(int code, Errno err) {
            t.injectRaw(50, unreachable(code, syn));
            assertEquals(TcpState.CLOSE, c.state());
            assertEquals(err, c.pendingError());
            t.expectNothing(100_000);
        }

        /** Linux tcp_v4_err, SYN_SENT: host unreachable ends the attempt at once with EHOSTUNREACH. */
        @Test
        void synSent_icmpHostUnreachable_failsWithEhostunreach() { failsWith(Icmp.HOST_UNREACH, Errno.EHOSTUNREACH); }

        /** Linux icmp_err_convert: port unreachable → ECONNREFUSED. */
        @Test
        void synSent_icmpPortUnreachable_failsWithEconnrefused() { failsWith(Icmp.PORT_UNREACH, Errno.ECONNREFUSED); }

        /** Linux icmp_err_convert: net unreachable → ENETUNREACH. */
        @Test
        void synSent_icmpNetUnreachable_failsWithEnetunreach() { failsWith(Icmp.NET_UNREACH, Errno.ENETUNREACH); }

        /**
         * Linux tcp_v4_err (RFC 5927 §4.1): an ICMP whose quoted sequence number is not in
         * [SND.UNA, SND.NXT] is ignored; the SYN is retransmitted at 1 s as if nothing came.
         */
        @Test
        void synSent_icmpQuotingOtherSeq_isIgnored() {
            byte[] forged = syn.clone();
            int seq = TcpHeader.seq(forged, 20) + 1000;
            forged[24] = (byte) (seq >>> 24);
            forged[25] = (byte) (seq >>> 16);
            forged[26] = (byte) (seq >>> 8);
            forged[27] = (byte) seq;
            t.injectRaw(50, unreachable(Icmp.HOST_UNREACH, forged));
            assertEquals(TcpState.SYN_SENT, c.state());
            assertNull(c.pendingError());
            t.expect(1000, syn(1000));
        }
    }

    @Nested
    class Established {
        /**
         * Linux tcp_v4_err, ESTABLISHED without IP_RECVERR: only sk_err_soft is set; the connection goes on
         * and the error would be reported only if it later timed out (RFC 1122 §4.2.3.9: soft errors).
         */
        @Test
        void established_icmpHostUnreachable_isSoftError() {
            var t = new TcpTester();
            var c = t.establishedClient();
            byte[] ack = t.lastPacket();
            t.injectRaw(200, unreachable(Icmp.HOST_UNREACH, ack));
            assertEquals(TcpState.ESTABLISHED, c.state());
            assertNull(c.pendingError());
            assertEquals(Errno.EHOSTUNREACH, c.softError());
            t.at(300, () -> c.close());
            t.expect(300, "F. 1:1(0) ack 1 win 63 <nop,nop,TS val 300 ecr 1000>");
        }
    }
}
