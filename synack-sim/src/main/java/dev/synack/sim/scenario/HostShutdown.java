package dev.synack.sim.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * Exception 5: the server's host shuts down. Its processes get SIGTERM; one that does not handle it
 * gets SIGKILL after the grace period (systemd's TimeoutStopSec, here 2 s), and its kernel closes its
 * sockets then, as in {@code server-killed}: FIN (or RST with unread data) at the SIGKILL, recv() = 0
 * (or ECONNRESET), the next send draws a RST, the one after fails with EPIPE, reconnecting is refused.
 */
final class HostShutdown implements Scenario {
    static final long GRACE_MS = 2000;

    @Override
    public String name() { return "host-shutdown"; }

    @Override
    public String situation() { return "exception 5: the server's host shuts down"; }

    @Override
    public String linux() {
        return "SIGTERM, then SIGKILL after the grace period: the connection ends as in server-killed "
                + "(FIN at the SIGKILL, recv() = 0, send → RST, then EPIPE, reconnect → ECONNREFUSED; RST and ECONNRESET with unread data)";
    }

    @Override
    public Outcome run(Knobs k) {
        ServerKilled.Story1 fin = ServerKilled.story(k, false, h -> h.shutdown(GRACE_MS), GRACE_MS);
        ServerKilled.Story1 rst = ServerKilled.story(k, true, h -> h.shutdown(GRACE_MS), GRACE_MS);
        List<Check> checks = new ArrayList<>(fin.checks("", false));
        checks.addAll(rst.checks("unread data: ", true));
        return new Outcome(name(), fin.net(), fin.saw() + " | unread data: " + rst.saw(), fin.recvAt(), checks);
    }
}
