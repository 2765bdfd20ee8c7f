package dev.synack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.tcp.SendReason;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpDropReason;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Ipv4;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Why each segment was sent or dropped, as the lab shows it: on every segment TCP sends, in the
 * ladder (a short tag) and in the JSON trace, whose {@code "reason"} and {@code "drop"} objects are a
 * contract with the browser lab (keys and codes stay as they are).
 */
class ReasonsTest {
    /** A SYN to a port nobody listens on: the server's RST for no socket, the SYN dropped there. */
    static Network refused() {
        Network net = LabTest.pair(1, LinkSpec.delayMs(10));
        Host c = LabTest.host(net, "client");
        c.spawn("app", () -> c.stack().connect(null, Ipv4.parse("198.18.0.2"), 81, new dev.synack.tcp.SocketOptions()));
        net.runFor(100);
        return net;
    }

    @Test
    void everySegmentTcpSendsSaysWhy() {
        Network net = PcapTest.story(21);
        List<TraceEvent.Packet> sent = net.trace().events(TraceEvent.Packet.class).stream().filter(TraceEvent.Packet::outbound).toList();
        net.check(() -> {
            assertTrue(sent.size() > 200, "a story with losses: " + sent.size() + " segments");
            for (TraceEvent.Packet p : sent) assertNotNull(p.reason(), "no reason for a segment at " + p.timeNs() + " ns");
            assertTrue(sent.stream().anyMatch(p -> p.reason() == SendReason.RACK_LOST || p.reason() == SendReason.RTO
                    || p.reason() == SendReason.TLP), "the story retransmits");
        });
    }

    @Test
    void jsonCarriesReasonAndDrop() {
        String json = Ladder.json(refused());
        List<String> lines = json.lines().toList();
        String syn = lines.stream().filter(l -> l.contains("\"dir\":\"out\"") && l.contains("\"flags\":\"S\"")).findFirst().orElseThrow();
        assertTrue(syn.endsWith(",\"reason\":{\"code\":\"SYN\",\"text\":\"SYN: connect() opens the connection (tcp_connect)\"}},"), syn);
        String arrived = lines.stream().filter(l -> l.contains("\"dir\":\"in\"") && l.contains("\"flags\":\"S\"")).findFirst().orElseThrow();
        assertTrue(arrived.endsWith(",\"drop\":{\"code\":\"NO_SOCKET\",\"text\":\"no socket for this segment (tcp_v4_rcv)\"}},"), arrived);
        assertTrue(json.contains("\"reason\":{\"code\":\"RST_NO_SOCKET\",\"text\":\"RST: no socket (RFC 9293 §3.10.7.1)\"}"), json);
    }

    /** A reason that counts carries "n": the RTO after the server crashed. */
    @Test
    void jsonNumberForACountingReason() {
        Network net = LabTest.pair(2, LinkSpec.delayMs(10));
        Host s = LabTest.host(net, "server"), c = LabTest.host(net, "client");
        s.spawn("l", () -> Apps.accept(net, Apps.listen(s, 80)));
        c.spawn("c", () -> {
            TcpConnection conn = Apps.connect(net, c, "198.18.0.2", 80);
            s.crash();
            Apps.write(net, conn, new byte[100]);
        });
        net.runFor(3000);
        String json = Ladder.json(net);
        assertTrue(json.contains("\"reason\":{\"code\":\"RTO\",\"text\":\"RTO expired, backoff 1 (tcp_retransmit_timer)\",\"n\":1}"), json);
        assertTrue(json.contains("\"reason\":{\"code\":\"RTO\",\"text\":\"RTO expired, backoff 2 (tcp_retransmit_timer)\",\"n\":2}"), json);
        assertTrue(json.contains("\"reason\":{\"code\":\"TLP\",\"text\":\"tail loss probe: the last segment again "
                + "(RFC 8985 §7.3; tcp_send_loss_probe)\"}"), json);
    }

    @Test
    void ladderShowsTagsAndTcpDrops() {
        Network net = refused();
        String ladder = Ladder.render(net);
        assertTrue(ladder.contains("client ──► server  S    seq=0 len=0 win=64240 <mss 1460,sackOK,TS,wscale 10>   [syn]\n"), ladder);
        assertTrue(ladder.contains("client ◄── server  R.   seq=0 ack=1 len=0 win=0   [rst no socket]\n"), ladder);
        assertTrue(ladder.contains("server: ✗ no socket (S    seq=0 len=0 win=64240 <mss 1460,sackOK,TS,wscale 10> from client)\n"), ladder);
        List<TraceEvent.SegmentDropped> drops = net.trace().events(TraceEvent.SegmentDropped.class);
        assertEquals(TcpDropReason.NO_SOCKET, drops.getFirst().reason());
        TraceEvent.Packet in = net.trace().received("server").getFirst();
        assertTrue(in.bytes() == drops.getFirst().bytes(), "the drop names the arriving packet's very bytes");
    }
}
