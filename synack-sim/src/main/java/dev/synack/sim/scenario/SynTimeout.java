package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Network;
import dev.synack.socket.TcpSocket;
import dev.synack.wire.TcpHeader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Exception 2 of the note: the host never answers (it is down, its packets vanish). Linux retransmits
 * the SYN tcp_syn_retries + tcp_syn_linear_timeouts times: the first linear-timeouts + 1 gaps are the
 * initial RTO (TCP_TIMEOUT_INIT, 1 s), then each gap doubles (tcp_retransmit_timer, capped at
 * TCP_RTO_MAX 120 s); connect() fails with ETIMEDOUT one more gap after the last SYN. Defaults (6, 4):
 * SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s, ETIMEDOUT at 131 s; with linear timeouts 0: SYNs at 0,
 * 1, 3, 7, 15, 31, 63 s, ETIMEDOUT at 127 s.
 */
final class SynTimeout implements Scenario {
    @Override
    public String name() { return "syn-timeout"; }

    @Override
    public String situation() { return "exception 2: the host never answers"; }

    @Override
    public String linux() {
        return "SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s; connect() fails with ETIMEDOUT at 131 s "
                + "(tcp_syn_linear_timeouts 0: SYNs at 0, 1, 3, 7, 15, 31, 63 s, ETIMEDOUT at 127 s)";
    }

    /** The times of Linux's SYNs for these sysctls, and last the time of the ETIMEDOUT, in ns. */
    static List<Long> linuxSynTimes(int synRetries, int linear) {
        return linuxSynTimesMs(linear, synRetries + linear + 2, Long.MAX_VALUE).stream().map(t -> t * MS).toList();
    }

    /**
     * Linux's SYN times in ms (tcp_timer.c tcp_retransmit_timer with tcp_syn_linear_timeouts): the
     * first {@code linear} + 1 retries 1 s (TCP_TIMEOUT_INIT) apart, then the timeout doubles up to
     * 120 s; at most {@code count} of them, those before {@code untilMs}.
     */
    static List<Long> linuxSynTimesMs(int linear, int count, long untilMs) {
        List<Long> out = new ArrayList<>();
        long t = 0, gap = 1_000;
        for (int i = 1; i <= count && t < untilMs; i++) {
            out.add(t);
            if (i > linear + 1) gap = Math.min(gap * 2, 120_000);
            t += gap;
        }
        return out;
    }

    @Override
    public java.util.Set<Knob> knobs() { return java.util.EnumSet.of(Knob.SEED, Knob.RTT, Knob.LOSS, Knob.SYN_RETRIES, Knob.SYN_LINEAR_TIMEOUTS); }

    @Override
    public Outcome run(Knobs k) {
        Lab lab = Lab.of(k, 20);
        Network net = lab.net();
        lab.server().crash();
        long t0 = net.nowNs();
        Story.Notes n = new Story.Notes(net, t0);
        int[] port = {0};
        lab.client().spawn("app", () -> {
            try (TcpSocket s = new TcpSocket(lab.client().kernel())) {
                s.bind(null);
                port[0] = s.getLocalPort();
                n.call("connect()", () -> { s.connect(new InetSocketAddress(lab.server().inetAddress(), 80)); return null; });
            }
        });
        net.runUntilDone(3_600_000);
        int retries = k.synRetries(), linear = k.synLinearTimeouts();
        List<Long> linux = linuxSynTimes(retries, linear);
        long fail = linux.getLast();
        return new Outcome(name(), net, n.get("connect()"), n.ns("connect()"), List.of(
                Check.of("connect()", "ConnectException: Connection timed out (ETIMEDOUT)", n.get("connect()")),
                Check.of("when", Story.time(fail), n.at("connect()")),
                Check.of("SYN times", Story.times(linux.subList(0, linux.size() - 1)), Story.times(SegmentLog.from(SegmentLog.sent(net, t0), "client", g -> g.is(TcpHeader.SYN)).stream().map(SegmentLog.Seg::tNs).toList())),
                Check.of("segments other than SYNs", List.of(),
                        SegmentLog.sent(net, t0).stream().filter(g -> !g.is(TcpHeader.SYN)).map(SegmentLog.Seg::brief).toList()),
                Check.of("client states", "CLOSE→SYN_SENT→CLOSE", Story.states(net, "client", port[0]))));
    }
}
