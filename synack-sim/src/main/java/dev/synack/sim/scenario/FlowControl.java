package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.TcpHeader;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Flow control with a slow reader: the server reads nothing for a second, then 16 KB every 100 ms,
 * while the client writes 400 KB. The advertised window shrinks as the receive buffer fills and
 * reaches 0; the sender stops and sends zero-window probes (seq = SND.UNA − 1, no data); the reader's
 * read frees space and tcp_cleanup_rbuf sends a window update (the new window is at least twice the
 * advertised one), and sending resumes when it arrives. Silly window syndrome avoidance (RFC 9293
 * §3.8.6.2, RFC 1122 §4.2.3.3/4): the receiver does not advertise less than an MSS of new space
 * (__tcp_select_window returns 0 then), and the sender sends a segment only when a full MSS fits the
 * window (tcp_snd_wnd_test), so every data segment is full-sized but the last.
 */
final class FlowControl implements Scenario {
    static final int MSS = 1448, TOTAL = 400 * 1024, CHUNK = 16 * 1024;
    static final long READ_FROM_MS = 1000, READ_EVERY_MS = 100;

    @Override
    public String name() { return "flow-control"; }

    @Override
    public String situation() { return "sliding window: a slow reader"; }

    @Override
    public String linux() {
        return "the advertised window shrinks to 0; the sender stops and probes; a window update resumes sending; "
                + "no silly-window small segments";
    }

    /** The times the client's persist ("probe") timer fired. */
    private static List<Long> probeTimer(Network net) {
        return net.trace().events(TraceEvent.TimerFired.class).stream()
                .filter(t -> t.host().equals("client") && t.timer().equals("probe")).map(TraceEvent.TimerFired::timeNs).toList();
    }

    @Override
    public Outcome run(Knobs k) {
        Lab p = Lab.of(k, 20);
        Network net = p.net();
        long rtt = p.rttNs();
        long[] received = {0};
        p.server().spawn("slow-reader", () -> {
            TcpServerSocket ss = new TcpServerSocket(p.server().kernel(), 80);
            InputStream in = ss.accept().getInputStream();
            net.runtime().sleep(READ_FROM_MS * MS - net.nowNs());
            byte[] buf = new byte[CHUNK];
            for (int n; (n = in.read(buf)) > 0; ) {
                received[0] += n;
                net.runtime().sleep(READ_EVERY_MS * MS);
            }
        });
        p.client().spawn("app", () -> {
            TcpSocket s = new TcpSocket(p.client().kernel());
            s.connect(new InetSocketAddress(p.server().inetAddress(), 80));
            s.getOutputStream().write(new byte[TOTAL]);
            s.close();
        });
        net.runUntilDone(600_000);

        List<SegmentLog.Seg> segs = SegmentLog.sent(net);
        int wscale = 10; // the SYN-ACK's (tcp_rmem[2] 32 MB)
        List<SegmentLog.Seg> fromServer = SegmentLog.from(segs, "server", s -> !s.has(TcpHeader.SYN));
        SegmentLog.Seg zero = fromServer.stream().filter(s -> s.win() == 0).findFirst().orElse(null);
        List<Integer> before = fromServer.stream().filter(s -> zero != null && s.tNs() <= zero.tNs()).map(s -> s.win() << wscale).toList();
        // The window first grows (tcp_grow_window raises rcv_ssthresh as data arrives), then shrinks from
        // its peak to 0 as the unread data fills the buffer.
        int peak = 0;
        for (int i = 1; i < before.size(); i++) if (before.get(i) > before.get(peak)) peak = i;
        boolean shrinks = before.size() - peak > 2;
        for (int i = peak + 1; i < before.size(); i++) shrinks &= before.get(i) <= before.get(i - 1);
        List<SegmentLog.Seg> probes = SegmentLog.from(segs, "client", s -> zero != null && s.tNs() > zero.tNs() && s.tNs() < READ_FROM_MS * MS
                && s.len() == 0 && s.is(TcpHeader.ACK));
        List<SegmentLog.Seg> dataWhileZero = SegmentLog.from(segs, "client", s -> zero != null && s.tNs() > zero.tNs() + rtt / 2
                && s.tNs() < READ_FROM_MS * MS && s.len() > 0);
        SegmentLog.Seg update = fromServer.stream().filter(s -> s.tNs() >= READ_FROM_MS * MS && s.win() > 0).findFirst().orElse(null);
        SegmentLog.Seg resumed = SegmentLog.from(segs, "client", s -> s.tNs() >= READ_FROM_MS * MS && s.len() > 0).stream().findFirst().orElse(null);
        List<SegmentLog.Seg> data = SegmentLog.from(segs, "client", s -> s.len() > 0);
        long lastSeq = data.isEmpty() ? 0 : data.getLast().seq();
        // A sub-MSS segment that fills the advertised window exactly (right edge = ack + win of the
        // last ACK before it) is what Linux's persist timer sends into a window smaller than an MSS
        // (tcp_write_wakeup); any other one but the last is a small segment the window did not force.
        List<String> small = new ArrayList<>();
        List<Long> windowFilling = new ArrayList<>();
        for (SegmentLog.Seg d : data) {
            if (d.len() >= MSS || d.seq() == lastSeq) continue;
            SegmentLog.Seg lastAck = null;
            for (SegmentLog.Seg a : fromServer) if (a.tNs() + rtt / 2 <= d.tNs()) lastAck = a;
            boolean fills = lastAck != null && d.seq() + d.len() == lastAck.ack() + ((long) lastAck.win() << wscale);
            if (fills) windowFilling.add(d.tNs());
            else small.add(d.text());
        }
        long zeroWindows = fromServer.stream().filter(s -> s.win() == 0).count();
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("the advertised window shrinks to 0", true, zero != null && shrinks));
        checks.add(Check.of("no data while the window is 0", List.of(), dataWhileZero.stream().map(s -> s.text()).toList()));
        checks.add(Check.of("zero-window probes (seq = SND.UNA−1, no data) before the reader reads", true,
                !probes.isEmpty() && probes.stream().allMatch(s -> s.seq() == zero.ack() - 1)));
        checks.add(Check.of("window update when the reader first reads", Story.seconds(READ_FROM_MS * MS), update == null ? "none" : Story.seconds(update.tNs())));
        checks.add(Check.of("the update opens at least an MSS", true, update != null && (update.win() << wscale) >= MSS));
        checks.add(Check.of("sending resumes when it arrives", Story.seconds(READ_FROM_MS * MS + rtt / 2), resumed == null ? "none" : Story.seconds(resumed.tNs())));
        checks.add(Check.of("sub-MSS segments filling a window smaller than an MSS: only when the persist timer fires", true,
                probeTimer(net).containsAll(windowFilling)));
        // Linux keeps sk_sndbuf at least 2·cwnd segments (tcp_sndbuf_expand), so a bulk writer stays ahead
        // of the window and every other data segment is full-sized.
        checks.add(Check.of("other data segments smaller than the MSS (but the last)", List.of(), small));
        checks.add(Check.of("bytes delivered", TOTAL, received[0]));
        String text = "window " + (before.isEmpty() ? "?" : before.getFirst()) + " → 0 at " + (zero == null ? "-" : Story.seconds(zero.tNs()))
                + " after " + (zero == null ? 0 : zero.ack() - 1) + " bytes; " + probes.size() + " probes; " + zeroWindows
                + " zero-window ACKs in all; done at " + Story.seconds(net.nowNs());
        return new Outcome(name(), net, text, zero == null ? -1 : zero.tNs(), checks);
    }
}
