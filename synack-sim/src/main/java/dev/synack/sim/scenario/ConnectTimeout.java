package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Network;
import dev.synack.socket.PosixSockets;
import dev.synack.socket.PosixSockets.PollFd;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.Errno;
import dev.synack.tcp.TcpInfo;
import dev.synack.wire.TcpHeader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Making the wait for a silent host controllable, three ways (the server's host never answers: the
 * path to it is cut). (a) a non-blocking connect and poll(POLLOUT, T): poll returns 0 at T, SO_ERROR
 * is 0, the socket is still SYN_SENT and the kernel goes on sending SYNs until close(), which sends
 * nothing (tcp_close of a SYN_SENT socket: tcp_set_state(CLOSE), no FIN, no RST). (b) SO_SNDTIMEO T
 * then a blocking connect: __inet_stream_connect waits sock_sndtimeo() and returns EINPROGRESS at T;
 * a second connect() finds SS_CONNECTING (EALREADY) and waits T again before returning it. (c) Java's
 * connect(addr, T) (non-blocking connect + poll, then close): SocketTimeoutException "Connect timed
 * out" at T, and no SYN after. T is the --connect-timeout knob (3000 ms by default).
 */
final class ConnectTimeout implements Scenario {
    /** When (a) and (b) close their socket: the SYNs go on until then. */
    static final long CLOSE_AT_MS = 10_000;

    @Override
    public String name() { return "connect-timeout"; }

    @Override
    public String situation() { return "making the wait controllable: poll with a timeout, SO_SNDTIMEO, connect(addr, timeout)"; }

    @Override
    public String linux() {
        return "(a) poll(POLLOUT, 3 s) → 0 at 3 s, SO_ERROR 0, still SYN_SENT, SYNs go on until close; "
                + "(b) SO_SNDTIMEO 3 s: connect → EINPROGRESS at 3 s, SYNs go on, connect again → EALREADY at 6 s; "
                + "(c) connect(addr, 3000) → SocketTimeoutException \"Connect timed out\" at 3 s";
    }

    @Override
    public java.util.Set<Knob> knobs() { return java.util.EnumSet.of(Knob.SEED, Knob.RTT, Knob.LOSS, Knob.CONNECT_TIMEOUT, Knob.SYN_LINEAR_TIMEOUTS); }

    @Override
    public Outcome run(Knobs k) {
        int t = k.connectTimeoutMs().orElse(3000);
        int linear = k.synLinearTimeouts();
        List<Check> checks = new ArrayList<>();
        List<String> saw = new ArrayList<>();
        Network last = null;
        long lastAt = 0;
        for (char v : new char[] {'a', 'b', 'c'}) {
            Lab p = Lab.of(k, 20); // the sysctls reach the server too, which never hears from the client
            Network net = p.net();
            net.partitionOneWay(Set.of(p.client()), Set.of(p.server())); // the host never answers
            String server = p.server().inetAddress().getHostAddress();
            List<String> calls = new ArrayList<>();
            long[] when = new long[3];
            String[] state = {""};
            long start = net.nowNs();
            p.client().spawn("app", () -> {
                PosixSockets px = p.client().kernel().posix();
                switch (v) {
                    case 'a' -> {
                        int fd = px.socket();
                        px.fcntl(fd, PosixSockets.F_SETFL, PosixSockets.O_NONBLOCK);
                        calls.add("connect = " + result(px.connect(fd, server, 80)));
                        PollFd[] pfd = {new PollFd(fd, PosixSockets.POLLOUT)};
                        int n = px.poll(pfd, t);
                        when[0] = net.nowNs() - start;
                        calls.add("poll = " + n + " revents " + PosixSockets.pollBits(pfd[0].revents));
                        calls.add("SO_ERROR = " + px.getsockopt(fd, PosixSockets.SOL_SOCKET, PosixSockets.SO_ERROR));
                        TcpInfo i = px.tcpInfo(fd);
                        state[0] = i == null ? "none" : i.state().toString();
                        net.runtime().sleep(CLOSE_AT_MS * MS - (net.nowNs() - start));
                        calls.add("close = " + px.close(fd));
                    }
                    case 'b' -> {
                        int fd = px.socket();
                        px.setsockoptTimeval(fd, PosixSockets.SO_SNDTIMEO, t * 1000L);
                        calls.add("connect = " + result(px.connect(fd, server, 80)));
                        when[0] = net.nowNs() - start;
                        TcpInfo i = px.tcpInfo(fd);
                        state[0] = i == null ? "none" : i.state().toString();
                        calls.add("connect = " + result(px.connect(fd, server, 80)));
                        when[1] = net.nowNs() - start;
                        net.runtime().sleep(CLOSE_AT_MS * MS - (net.nowNs() - start));
                        calls.add("close = " + px.close(fd));
                    }
                    default -> {
                        TcpSocket s = new TcpSocket(p.client().kernel());
                        try {
                            s.connect(new InetSocketAddress(p.server().inetAddress(), 80), t);
                            calls.add("connect returned");
                        } catch (Exception e) {
                            calls.add(Story.describe(e));
                        }
                        when[0] = net.nowNs() - start;
                        state[0] = s.state().toString();
                    }
                }
            });
            net.runUntilDone(CLOSE_AT_MS + 60_000);
            List<SegmentLog.Seg> segs = SegmentLog.sent(net);
            List<SegmentLog.Seg> syns = SegmentLog.from(segs, "client", s -> s.is(TcpHeader.SYN));
            long stopMs = v == 'c' ? t : CLOSE_AT_MS;
            List<String> linuxSyns = Story.secondsOfMs(SynTimeout.linuxSynTimesMs(linear, Integer.MAX_VALUE, stopMs));
            String tag = "(" + v + ") ";
            switch (v) {
                case 'a' -> {
                    checks.add(Check.of(tag + "calls", List.of("connect = EINPROGRESS", "poll = 0 revents 0", "SO_ERROR = 0", "close = 0"), calls));
                    checks.add(Check.of(tag + "poll returns at", Story.seconds(t * MS), Story.seconds(when[0])));
                    checks.add(Check.of(tag + "state after poll", "SYN_SENT", state[0]));
                }
                case 'b' -> {
                    checks.add(Check.of(tag + "calls", List.of("connect = EINPROGRESS", "connect = EALREADY", "close = 0"), calls));
                    checks.add(Check.of(tag + "first connect fails at", Story.seconds(t * MS), Story.seconds(when[0])));
                    checks.add(Check.of(tag + "second connect fails at", Story.seconds(2L * t * MS), Story.seconds(when[1])));
                    checks.add(Check.of(tag + "state after EINPROGRESS", "SYN_SENT", state[0]));
                }
                default -> {
                    checks.add(Check.of(tag + "connect(addr, " + t + ")", "SocketTimeoutException: Connect timed out (EINPROGRESS)", calls.getFirst()));
                    checks.add(Check.of(tag + "fails at", Story.seconds(t * MS), Story.seconds(when[0])));
                    checks.add(Check.of(tag + "state after", "CLOSE", state[0]));
                }
            }
            checks.add(Check.of(tag + "SYN times until close (nothing after)", linuxSyns, SegmentLog.times(syns, start)));
            checks.add(Check.of(tag + "segments other than SYNs", 0, segs.size() - syns.size()));
            checks.add(Check.of(tag + "client states", "CLOSE→SYN_SENT→CLOSE", Story.statesByConnection(net, "client").getFirst()));
            saw.add(tag + String.join(", ", calls));
            last = net;
            lastAt = when[0];
        }
        return new Outcome(name(), last, String.join("; ", saw), lastAt, checks);
    }

    private static String result(int r) {
        if (r >= 0) return String.valueOf(r);
        return Errno.ofNumber(-r).map(Errno::name).orElse(String.valueOf(r));
    }
}
