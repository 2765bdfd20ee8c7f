package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.wire.TcpHeader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Exception 7: the server's host crashes and reboots with no connection state. The client's next
 * segment meets no socket and is answered as RFC 9293 §3.10.7.1 says for a segment with ACK:
 * {@code <SEQ=SEG.ACK><CTL=RST>} (Linux tcp_v4_send_reset: no ACK flag). tcp_reset in ESTABLISHED sets
 * ECONNRESET: the blocked recv() fails with it (Java: "Connection reset"); the socket is closed, so
 * the next send() fails with EPIPE (sk_stream_wait_connect).
 */
final class HostReboot implements Scenario {
    static final long CRASH_AT_MS = 1000, REBOOT_AT_MS = 1500, SEND_AT_MS = 2000;

    @Override
    public String name() { return "host-reboot"; }

    @Override
    public String situation() { return "exception 7: the server's host reboots"; }

    @Override
    public String linux() {
        return "the client's next segment draws a RST (no ACK flag, seq = the segment's ACK); recv() → ECONNRESET "
                + "(\"Connection reset\"), then send() → EPIPE";
    }

    @Override
    public Outcome run(Knobs k) {
        Lab p = Lab.of(k, 20);
        Network net = p.net();
        long rtt = p.rttNs();
        p.server().spawn("httpd", () -> {
            TcpServerSocket ss = new TcpServerSocket(p.server().kernel(), 80);
            ss.accept().getInputStream().read(new byte[1000]);
        });
        List<String> saw = new ArrayList<>();
        long[] at = {-1};
        p.client().spawn("app", () -> {
            TcpSocket s = new TcpSocket(p.client().kernel());
            s.connect(new InetSocketAddress(p.server().inetAddress(), 80));
            net.runtime().sleep(SEND_AT_MS * MS - net.nowNs());
            s.getOutputStream().write(new byte[100]);
            saw.add(HostCrash.read(s));
            at[0] = net.nowNs();
            saw.add(HostCrash.write(s));
            s.close();
        });
        net.runUntil(CRASH_AT_MS * MS);
        p.server().crash();
        net.runUntil(REBOOT_AT_MS * MS);
        p.server().reboot();
        net.runUntilDone(60_000);
        List<SegmentLog.Seg> segs = SegmentLog.sent(net);
        List<SegmentLog.Seg> after = segs.stream().filter(s -> s.tNs() >= SEND_AT_MS * MS).toList();
        SegmentLog.Seg data = after.stream().filter(s -> s.host().equals("client") && s.len() > 0).findFirst().orElse(null);
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("client calls", List.of("read: SocketException: Connection reset (ECONNRESET)",
                "write: SocketException: Broken pipe (EPIPE)"), saw));
        checks.add(Check.of("recv() fails at", Story.seconds(SEND_AT_MS * MS + rtt), Story.seconds(at[0])));
        long seqOfReset = data == null ? -1 : data.ack();
        checks.add(Check.of("segments after the reboot", List.of(
                Story.seconds(SEND_AT_MS * MS) + " client P. 1:101(100) ack 1",
                Story.seconds(SEND_AT_MS * MS + rtt / 2) + " server R " + seqOfReset + ":" + seqOfReset + "(0) (no ACK flag)"),
                after.stream().map(s -> Story.seconds(s.tNs()) + " " + s.brief()
                        + (s.has(TcpHeader.RST) && !s.has(TcpHeader.ACK) ? " (no ACK flag)" : "")).toList()));
        checks.add(Check.of("client states", "CLOSE→SYN_SENT→ESTABLISHED→CLOSE", Story.statesByConnection(net, "client").getFirst()));
        return new Outcome(name(), net, String.join(", ", saw) + " at " + Story.seconds(at[0]), at[0], checks);
    }
}
