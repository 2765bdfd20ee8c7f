package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.runtime.VirtualRuntime.Proc;
import dev.synack.sim.Host;
import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.wire.TcpHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Exception 4: the server process is killed (SIGKILL) and its kernel closes its sockets
 * (tcp_close). Without unread data the kernel sends a FIN at once; the client reads end of stream
 * (CLOSE_WAIT); its next send() succeeds locally but the data meets a socket that is closed for
 * reading (an orphan in FIN_WAIT, tcp_rcv_state_process: "abort on data", TCPAbortOnData) and draws a
 * RST (<SEQ=SEG.ACK><CTL=RST>, RFC 9293 §3.10.7.4); tcp_reset in CLOSE_WAIT sets EPIPE, so the send
 * after that fails with "Broken pipe". The listener is gone too: connecting again is refused. Killed
 * with unread data in its receive buffer, tcp_close sends RST,ACK instead of a FIN (RFC 2525 §2.17,
 * TCPAbortOnClose); the client's recv() fails with ECONNRESET, its send() then with EPIPE.
 */
final class ServerKilled implements Scenario {
    static final long KILL_AT_MS = 1000;

    @Override
    public String name() { return "server-killed"; }

    @Override
    public String situation() { return "exception 4: the server process is killed"; }

    @Override
    public String linux() {
        return "FIN at once; recv() = 0; the next send() succeeds but draws a RST; the send after fails with EPIPE "
                + "(\"Broken pipe\"); reconnect → ECONNREFUSED. With unread data: RST instead of FIN, recv() → ECONNRESET, then EPIPE";
    }

    @Override
    public Outcome run(Knobs k) {
        List<Check> checks = new ArrayList<>();
        Story1 fin = story(k, false, null, 0);
        Story1 rst = story(k, true, null, 0);
        checks.addAll(fin.checks("", false));
        checks.addAll(rst.checks("unread data: ", true));
        return new Outcome(name(), fin.net, fin.saw + " | unread data: " + rst.saw, fin.recvAt, checks);
    }

    /** What one run gave: the client's calls and their times, the wire, the states. */
    record Story1(Network net, long rtt, long killAtNs, String saw, List<String> calls, long recvAt, long send1At, long send2At,
                  long reconnectAt) {
        /** The checks of an end like server-killed's: FIN (or RST with unread data) at the kill. */
        List<Check> checks(String tag, boolean unread) {
            List<Check> out = new ArrayList<>();
            List<SegmentLog.Seg> segs = SegmentLog.sent(net);
            List<SegmentLog.Seg> after = segs.stream().filter(s -> s.tNs() >= killAtNs).toList();
            long half = rtt / 2;
            if (!unread) {
                out.add(Check.of(tag + "client calls", List.of("read = -1 (EOF)", "write(5) = ok",
                        "write(5): SocketException: Broken pipe (EPIPE)", "connect: ConnectException: Connection refused (ECONNREFUSED)"), calls));
                out.add(Check.of(tag + "recv() = 0 at", Story.seconds(killAtNs + half), Story.seconds(recvAt)));
                SegmentLog.Seg data = after.stream().filter(s -> s.host().equals("client") && s.len() == 5).findFirst().orElse(null);
                SegmentLog.Seg reset = after.stream().filter(s -> s.host().equals("server") && s.has(TcpHeader.RST)).findFirst().orElse(null);
                out.add(Check.of(tag + "segments after the kill (to the reconnect)", List.of(
                        Story.seconds(killAtNs) + " server F.",
                        Story.seconds(send1At) + " client P.",
                        Story.seconds(send1At + half) + " server R seq=" + (data == null ? "?" : data.ack()) + " (= the data's ACK)",
                        Story.seconds(reconnectAt - rtt) + " client S",
                        Story.seconds(reconnectAt - half) + " server R."),
                        brief(after, reset)));
                out.add(Check.of(tag + "the send 100 ms later fails at once", Story.seconds(send1At + 100 * MS), Story.seconds(send2At)));
                out.add(Check.of(tag + "reconnect refused at", Story.seconds(send2At + rtt), Story.seconds(reconnectAt)));
                out.add(Check.of(tag + "client states (connection, reconnect)", List.of("CLOSE→SYN_SENT→ESTABLISHED→CLOSE_WAIT→CLOSE",
                        "CLOSE→SYN_SENT→CLOSE"), Story.statesByConnection(net, "client")));
                out.add(Check.of(tag + "server states", List.of("LISTEN→SYN_RECV→ESTABLISHED→FIN_WAIT1→FIN_WAIT2→CLOSE"),
                        Story.statesByConnection(net, "server")));
            } else {
                out.add(Check.of(tag + "client calls", List.of("read: SocketException: Connection reset (ECONNRESET)",
                        "write(5): SocketException: Broken pipe (EPIPE)"), calls.subList(0, Math.min(2, calls.size()))));
                out.add(Check.of(tag + "recv() fails at", Story.seconds(killAtNs + half), Story.seconds(recvAt)));
                out.add(Check.of(tag + "segments after the kill", List.of(Story.seconds(killAtNs) + " server R. (no FIN)"),
                        after.stream().filter(s -> s.host().equals("server") && s.tNs() < killAtNs + rtt).map(s -> Story.seconds(s.tNs()) + " " + s.host() + " " + s.flagText()
                                + (s.has(TcpHeader.FIN) ? "" : " (no FIN)")).toList()));
                out.add(Check.of(tag + "client states", "CLOSE→SYN_SENT→ESTABLISHED→CLOSE", Story.statesByConnection(net, "client").getFirst()));
                out.add(Check.of(tag + "server states", "LISTEN→SYN_RECV→ESTABLISHED→CLOSE", Story.statesByConnection(net, "server").getFirst()));
            }
            return out;
        }

        private static List<String> brief(List<SegmentLog.Seg> after, SegmentLog.Seg reset) {
            List<String> out = new ArrayList<>();
            for (SegmentLog.Seg s : after) {
                if (s.len() == 0 && s.flags() == TcpHeader.ACK) continue; // bare ACKs (the FIN's) are not the point
                String x = Story.seconds(s.tNs()) + " " + s.host() + " " + s.flagText();
                if (s == reset) x += " seq=" + s.seq() + " (= the data's ACK)";
                out.add(x);
            }
            return out;
        }
    }

    /**
     * Runs the story: a server that accepts one connection (and, with {@code unread}, receives 5 bytes
     * it never reads), ended at 1 s by {@code end} (null: SIGKILL of its process), which kills the
     * process {@code killDelayMs} later; the client reads, writes twice and reconnects.
     */
    static Story1 story(Knobs k, boolean unread, Consumer<Host> end, long killDelayMs) {
        Lab p = Lab.of(k, 20);
        Network net = p.net();
        Proc server = p.server().spawn("httpd", () -> {
            TcpServerSocket ss = new TcpServerSocket(p.server().kernel(), 80);
            TcpSocket s = ss.accept();
            if (!unread) s.getInputStream().read(new byte[100]);
            else net.runtime().sleep(3_600_000 * MS);
        });
        List<String> calls = new ArrayList<>();
        long[] t = {-1, -1, -1, -1};
        InetSocketAddress to = new InetSocketAddress(p.server().inetAddress(), 80);
        p.client().spawn("app", () -> {
            TcpSocket s = new TcpSocket(p.client().kernel());
            s.connect(to);
            if (unread) s.getOutputStream().write(new byte[5]);
            try {
                calls.add("read = " + s.getInputStream().read(new byte[100]) + " (EOF)");
            } catch (IOException e) {
                calls.add("read: " + Story.describe(e));
            }
            t[0] = net.nowNs();
            try {
                t[1] = net.nowNs();
                s.getOutputStream().write(new byte[5]);
                calls.add("write(5) = ok");
                net.runtime().sleep(100 * MS); // the RST comes back meanwhile
                t[2] = net.nowNs();
                s.getOutputStream().write(new byte[5]);
                calls.add("write(5) = ok");
            } catch (IOException e) {
                t[2] = net.nowNs();
                calls.add("write(5): " + Story.describe(e));
            }
            s.close();
            try (TcpSocket again = new TcpSocket(p.client().kernel())) {
                again.connect(to);
                calls.add("connect = ok");
            } catch (IOException e) {
                calls.add("connect: " + Story.describe(e));
            }
            t[3] = net.nowNs();
        });
        net.runUntil(KILL_AT_MS * MS);
        if (end == null) p.server().kill(server);
        else end.accept(p.server());
        net.runUntilDone(KILL_AT_MS + 300_000);
        return new Story1(net, p.rttNs(), (KILL_AT_MS + killDelayMs) * MS, String.join(", ", calls), calls, t[0], t[1], t[2], t[3]);
    }
}
