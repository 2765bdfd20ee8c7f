package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.wire.TcpHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Exception 6: the server's host dies silently (no FIN, no RST), with one segment of the client
 * outstanding. Linux first sends a tail loss probe (tcp_schedule_loss_probe: 2·SRTT + tcp_rto_min with
 * one packet out, but no later than the RTO would fire), then retransmits on the RTO, doubling it
 * each time up to TCP_RTO_MAX (120 s). With tcp_retries2 = 15 the connection dies once
 * tcp_model_timeout (924.6 s for TCP_RTO_MIN: (2^10−1)·0.2 s + 6·120 s) has passed since the first RTO
 * retransmission (retrans_stamp), checked at each expiry (tcp_write_timeout → retransmits_timed_out):
 * recv() fails with ETIMEDOUT, the next send() with EPIPE, and no RST is sent (tcp_write_err).
 *
 * <p>Knob variants: {@code soTimeoutMs} — the blocked recv() times out every so often until the
 * ETIMEDOUT; {@code userTimeoutMs} (TCP_USER_TIMEOUT) — ETIMEDOUT that long after the first RTO
 * retransmission (tcp_clamp_rto_to_user_timeout makes the timer fire then); {@code keepalive} (idle,
 * interval, count) — on an idle connection: probes (seq = SND.NXT − 1, no data) at idle, idle +
 * interval, ...; after count unanswered probes tcp_keepalive_timer sends RST,ACK and the connection
 * fails with ETIMEDOUT.
 */
final class HostCrash implements Scenario {
    static final long CRASH_AT_MS = 1000, SEND_AT_MS = 2000;

    @Override
    public String name() { return "host-crash"; }

    @Override
    public String situation() { return "exception 6: the server's host dies silently"; }

    @Override
    public String linux() {
        return "TLP at min(2·SRTT+200 ms, RTO), RTO retransmissions doubling up to 120 s; ETIMEDOUT 924.6 s after the first "
                + "RTO retransmission, at the next expiry; then send → EPIPE; no RST. Knobs: --so-timeout, --user-timeout, --keepalive";
    }

    @Override
    public java.util.Set<Knob> knobs() { return java.util.EnumSet.of(Knob.SEED, Knob.RTT, Knob.LOSS, Knob.KEEPALIVE, Knob.SO_TIMEOUT, Knob.USER_TIMEOUT, Knob.RETRIES2); }

    @Override
    public Outcome run(Knobs k) {
        return k.keepalive().isPresent() ? keepalive(k) : retransmissions(k);
    }

    private Outcome retransmissions(Knobs k) {
        Lab p = Lab.of(k, 20);
        Network net = p.net();
        int rtt = p.rttMs();
        p.server().spawn("httpd", () -> {
            TcpServerSocket ss = new TcpServerSocket(p.server().kernel(), 80);
            ss.accept().getInputStream().read(new byte[1000]);
        });
        List<String> saw = new ArrayList<>();
        List<Long> timeouts = new ArrayList<>();
        long[] failedAt = {-1};
        p.client().spawn("app", () -> {
            TcpSocket s = new TcpSocket(p.client().kernel());
            s.connect(new InetSocketAddress(p.server().inetAddress(), 80));
            if (k.userTimeoutMs().isPresent()) s.setUserTimeout(k.userTimeoutMs().getAsInt());
            if (k.soTimeoutMs().isPresent()) s.setSoTimeout(k.soTimeoutMs().getAsInt());
            net.runtime().sleep(SEND_AT_MS * MS - net.nowNs());
            s.getOutputStream().write(new byte[100]);
            while (true) {
                try {
                    s.getInputStream().read(new byte[100]);
                    saw.add("read returned");
                    break;
                } catch (java.net.SocketTimeoutException e) {
                    timeouts.add(net.nowNs());
                } catch (IOException e) {
                    saw.add("read: " + Story.describe(e));
                    break;
                }
            }
            failedAt[0] = net.nowNs();
            saw.add(write(s));
            s.close();
        });
        net.runUntil(CRASH_AT_MS * MS);
        p.server().crash();
        net.runUntilDone(3_000_000);

        // Linux's timeline for this RTT (see the class comment).
        long srtt = rtt * 1000L, rto = srtt + Math.max(2 * srtt, 200_000); // µs, from the SYN-ACK's sample
        long send = SEND_AT_MS * 1000;
        long tlp = send + Math.min(2 * srtt + 200_000, rto);
        List<String> linuxData = new ArrayList<>(List.of(Story.seconds(send * 1000), Story.seconds(tlp * 1000)));
        long first = tlp + rto, t = first, cur = rto;
        long limit = k.userTimeoutMs().isPresent() ? k.userTimeoutMs().getAsInt() * 1000L : modelTimeoutUs(k.retries2());
        long dies;
        while (true) {
            if (t - first >= limit) {
                dies = t;
                break;
            }
            linuxData.add(Story.seconds(t * 1000));
            cur = Math.min(cur * 2, 120_000_000);
            long next = t + cur;
            if (k.userTimeoutMs().isPresent()) next = Math.min(next, first + limit); // tcp_clamp_rto_to_user_timeout
            t = next;
        }
        List<SegmentLog.Seg> segs = SegmentLog.sent(net);
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("client calls", List.of("read: SocketException: Connection timed out (ETIMEDOUT)",
                "write: SocketException: Broken pipe (EPIPE)"), saw));
        checks.add(Check.of("ETIMEDOUT at", Story.seconds(dies * 1000), Story.seconds(failedAt[0])));
        checks.add(Check.of("data segments: send, TLP, RTO retransmissions",
                linuxData, SegmentLog.times(SegmentLog.from(segs, "client", s -> s.len() == 100), 0)));
        checks.add(Check.of("segments from the client after the crash other than the data (no RST)", List.of(),
                SegmentLog.from(segs, "client", s -> s.tNs() > CRASH_AT_MS * MS && s.len() != 100).stream().map(SegmentLog.Seg::withWindow).toList()));
        if (k.soTimeoutMs().isPresent()) {
            long every = k.soTimeoutMs().getAsInt() * 1000L;
            List<String> expect = new ArrayList<>();
            for (long x = send + every; x < dies; x += every) expect.add(Story.seconds(x * 1000));
            List<String> got = timeouts.stream().map(Story::seconds).toList();
            checks.add(Check.of("SocketTimeoutException count", expect.size(), got.size()));
            checks.add(Check.of("SocketTimeoutException times", expect, got));
        }
        checks.add(Check.of("client states", "CLOSE→SYN_SENT→ESTABLISHED→CLOSE", Story.statesByConnection(net, "client").getFirst()));
        String text = String.join(", ", saw) + " at " + Story.seconds(failedAt[0]) + "; " + (linuxData.size() - 2) + " RTO retransmissions"
                + (k.soTimeoutMs().isPresent() ? "; " + timeouts.size() + " read timeouts before" : "");
        return new Outcome(name(), net, text, failedAt[0], checks);
    }

    /** A read of 100 bytes from the peer whose host is gone, as the client saw it: "read returned" or "read: " and the exception. */
    static String read(TcpSocket s) {
        try {
            s.getInputStream().read(new byte[100]);
            return "read returned";
        } catch (IOException e) {
            return "read: " + Story.describe(e);
        }
    }

    /** Then a write of 100 bytes, as the client saw it: "write ok" or "write: " and the exception. */
    static String write(TcpSocket s) {
        try {
            s.getOutputStream().write(new byte[100]);
            return "write ok";
        } catch (IOException e) {
            return "write: " + Story.describe(e);
        }
    }

    /** tcp_model_timeout for TCP_RTO_MIN (200 ms) and TCP_RTO_MAX (120 s), in µs. */
    static long modelTimeoutUs(int boundary) {
        int thresh = 9; // ilog2(TCP_RTO_MAX / TCP_RTO_MIN) = ilog2(600)
        if (boundary <= thresh) return ((2L << boundary) - 1) * 200_000;
        return ((2L << thresh) - 1) * 200_000 + (boundary - thresh) * 120_000_000L;
    }

    private Outcome keepalive(Knobs k) {
        Knobs.Keepalive ka = k.keepalive().orElseThrow();
        int idle = ka.idleS(), intvl = ka.intvlS(), cnt = ka.cnt();
        Lab p = Lab.of(k, 20);
        Network net = p.net();
        p.server().spawn("httpd", () -> {
            TcpServerSocket ss = new TcpServerSocket(p.server().kernel(), 80);
            ss.accept().getInputStream().read(new byte[1000]);
        });
        List<String> saw = new ArrayList<>();
        long[] at = {-1, -1};
        p.client().spawn("app", () -> {
            TcpSocket s = new TcpSocket(p.client().kernel());
            s.setKeepAlive(true);
            s.setKeepAliveParams(idle, intvl, cnt);
            s.connect(new InetSocketAddress(p.server().inetAddress(), 80));
            at[0] = net.nowNs();
            saw.add(read(s));
            at[1] = net.nowNs();
            saw.add(write(s));
            s.close();
        });
        net.runUntil(p.rttMs() * MS + MS);
        p.server().crash();
        net.runUntilDone(30_000_000);
        List<SegmentLog.Seg> segs = SegmentLog.sent(net);
        long est = at[0];
        List<String> probes = new ArrayList<>();
        for (int i = 0; i < cnt; i++) probes.add(Story.seconds((idle + (long) i * intvl) * 1000 * MS));
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("client calls", List.of("read: SocketException: Connection timed out (ETIMEDOUT)",
                "write: SocketException: Broken pipe (EPIPE)"), saw));
        checks.add(Check.of("keepalive probes (from ESTABLISHED)", probes,
                SegmentLog.times(SegmentLog.from(segs, "client", s -> s.tNs() > est && s.is(TcpHeader.ACK)), est)));
        checks.add(Check.of("probes: seq = SND.NXT−1, no data", true,
                SegmentLog.from(segs, "client", s -> s.tNs() > est && s.is(TcpHeader.ACK)).stream().allMatch(s -> s.seq() == 0 && s.len() == 0)));
        long end = (idle + (long) cnt * intvl) * 1000 * MS;
        checks.add(Check.of("RST,ACK at", List.of(Story.seconds(end) + " R."),
                SegmentLog.from(segs, "client", s -> s.has(TcpHeader.RST)).stream().map(s -> Story.seconds(s.tNs() - est) + " " + s.flagText()).toList()));
        checks.add(Check.of("ETIMEDOUT at (from ESTABLISHED)", Story.seconds(end), Story.seconds(at[1] - est)));
        checks.add(Check.of("client states", "CLOSE→SYN_SENT→ESTABLISHED→CLOSE", Story.statesByConnection(net, "client").getFirst()));
        return new Outcome(name(), net, String.join(", ", saw) + " at " + Story.seconds(at[1]), at[1], checks);
    }
}
