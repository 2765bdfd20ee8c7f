package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Network;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.trace.TraceEvent;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Fast retransmit: the third segment of the initial window (IW10) is lost. Every later segment
 * reaches the receiver out of order, and Linux ACKs each at once (__tcp_ack_snd_check: an
 * out-of-order queue means an immediate ACK) with the same ACK number and a SACK block (RFC 2018)
 * that grows. With no reordering seen, RACK's reordering window is 0 once SACKed segments reach the
 * dupthresh of 3 (tcp_rack_reo_wnd), so the sender marks the hole lost and retransmits it on the
 * third duplicate ACK (RFC 5681 §3.2, RFC 8985), one RTT after sending and far before the RTO; in
 * fast recovery PRR (RFC 6937) lets new data go out as the other duplicate ACKs arrive.
 */
final class FastRetransmit implements Scenario {
    static final int MSS = 1448, SEGMENTS = 20, LOST = 3;
    static final long SEND_AT_MS = 1000;

    @Override
    public String name() { return "fast-retransmit"; }

    @Override
    public String situation() { return "fast retransmit: one segment lost inside a window"; }

    @Override
    public String linux() {
        return "duplicate ACKs with SACK blocks; the sender retransmits after the third, long before the RTO; "
                + "fast recovery keeps data flowing";
    }

    @Override
    public Outcome run(Knobs k) {
        Lab p = Lab.of(k, 20);
        Network net = p.net();
        long rtt = p.rttNs();
        long[] received = {0};
        p.server().spawn("sink", () -> {
            TcpServerSocket ss = new TcpServerSocket(p.server().kernel(), 80);
            InputStream in = ss.accept().getInputStream();
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) received[0] += n;
        });
        p.client().spawn("app", () -> {
            TcpSocket s = new TcpSocket(p.client().kernel());
            s.connect(new InetSocketAddress(p.server().inetAddress(), 80));
            net.runtime().sleep(SEND_AT_MS * MS - net.nowNs());
            p.cable().forward().dropNth(LOST);
            s.getOutputStream().write(new byte[SEGMENTS * MSS]);
            s.close();
        });
        net.runUntilDone(60_000);

        List<SegmentLog.Seg> segs = SegmentLog.sent(net);
        long hole = 1 + (LOST - 1) * (long) MSS;
        List<SegmentLog.Seg> dupacks = SegmentLog.from(segs, "server", s -> s.ack() == hole && !s.sack().isEmpty());
        List<String> expectDup = new ArrayList<>();
        for (int i = LOST + 1; i <= 10; i++) {
            expectDup.add(Story.seconds(SEND_AT_MS * MS + rtt / 2) + " server . ack " + hole + " sack " + (hole + MSS) + ":" + (1 + i * (long) MSS));
        }
        List<String> gotDup = dupacks.stream().limit(10 - LOST).map(s -> Story.seconds(s.tNs()) + " server . ack " + s.ack() + " sack "
                + s.sack().getFirst()[0] + ":" + s.sack().getFirst()[1]).toList();
        List<SegmentLog.Seg> copies = SegmentLog.from(segs, "client", s -> s.seq() == hole && s.len() == MSS);
        SegmentLog.Seg rtx = copies.size() > 1 ? copies.get(1) : null;
        // How many duplicate ACKs had reached the client when it retransmitted (in the trace's order:
        // they all arrive at the same instant).
        int before = 0;
        for (SegmentLog.Seg e : SegmentLog.sentAndReceived(net)) {
            if (!e.host().equals("client") || e.tNs() < SEND_AT_MS * MS) continue;
            if (e.outbound() && e == rtx || e.outbound() && rtx != null && e.tNs() == rtx.tNs() && e.seq() == hole) break;
            if (!e.outbound() && e.ack() == hole && !e.sack().isEmpty()) before++;
        }
        long newDuringRecovery = rtx == null ? 0 : SegmentLog.from(segs, "client", s -> s.tNs() >= rtx.tNs() && s.tNs() < rtx.tNs() + rtt
                && s.seq() >= 1 + 10L * MSS && s.len() > 0).size();
        long rtos = net.trace().events(TraceEvent.TimerFired.class).stream().filter(t -> t.host().equals("client") && t.timer().equals("rto")).count();
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("duplicate ACKs with SACK blocks (one per out-of-order segment, at once)", expectDup, gotDup));
        checks.add(Check.of("the lost segment is sent twice", 2, copies.size()));
        checks.add(Check.of("retransmission at (the duplicate ACKs' arrival, 1 RTT)", Story.seconds(SEND_AT_MS * MS + rtt),
                rtx == null ? "none" : Story.seconds(rtx.tNs())));
        checks.add(Check.of("duplicate ACKs received before the retransmission", 3, before));
        checks.add(Check.of("RTO expiries", 0, rtos));
        checks.add(Check.of("new data sent in fast recovery (before the retransmission is ACKed)", true, newDuringRecovery > 0));
        checks.add(Check.of("bytes delivered", SEGMENTS * MSS, received[0]));
        String text = "retransmitted at " + (rtx == null ? "-" : Story.seconds(rtx.tNs())) + " after " + before + " duplicate ACKs; "
                + newDuringRecovery + " new segments in fast recovery";
        return new Outcome(name(), net, text, rtx == null ? -1 : rtx.tNs(), checks);
    }
}
