package dev.synack.sim;

import dev.synack.link.Link;
import dev.synack.time.Timer;
import dev.synack.wire.Ipv4;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LAN: an on-link broadcast domain (an Ethernet segment behind a switch) with neighbour resolution
 * as Linux's ARP does it
 * (net/core/neighbour.c, net/ipv4/arp.c, defaults of arp_tbl):
 *
 * <ul>
 *   <li>A packet to an on-link address with no entry starts resolution (INCOMPLETE) and is held
 *       (at most unres_qlen_bytes = 212992 bytes, oldest dropped first). Up to mcast_solicit = 3
 *       broadcast probes go out retrans_time = 1 s apart. A neighbour that is attached, plugged in,
 *       running and not partitioned answers the first probe it sees; the held packets then leave after
 *       one request/reply round trip of the LAN's delay.</li>
 *   <li>Nobody answers: 3 s after the first packet the entry fails and every held packet is answered
 *       with a locally generated ICMP host unreachable (neigh_invalidate → arp_error_report). That is how
 *       Linux's connect() to an absent on-link host fails with EHOSTUNREACH.</li>
 *   <li>A resolved entry is good for base_reachable_time = 30 s after its last confirmation (we confirm
 *       on every packet received from the neighbour, standing in for Linux's upper-layer confirmation
 *       on TCP forward progress). Used after that, it keeps sending (STALE → DELAY) while it is checked:
 *       delay_first_probe_time 5 s, then ucast_solicit = 3 unicast probes 1 s apart; no answer and it
 *       fails, so the next packet resolves again.</li>
 * </ul>
 *
 * <p>Not modelled: ARP packets themselves (they are not in the trace or the pcap), loss of probes,
 * gratuitous ARP, the randomisation of reachable time (15..45 s in Linux).
 */
public final class Lan {
    static final long RETRANS_TIME_NS = 1_000_000_000L;
    static final int MCAST_SOLICIT = 3;
    static final int UCAST_SOLICIT = 3;
    static final long REACHABLE_NS = 30_000_000_000L;
    static final long DELAY_FIRST_PROBE_NS = 5_000_000_000L;
    static final int UNRES_QLEN_BYTES = 212_992;

    private final Network network;
    private final String name;
    private final LinkSpec spec;
    private final List<Attachment> attachments = new ArrayList<>();

    Lan(Network network, String name, LinkSpec spec) {
        this.network = network;
        this.name = name;
        this.spec = spec;
    }

    public String name() { return name; }

    /** Attaches the first free interface of {@code node} (each with its own transmitter and impairments); returns this. */
    public Lan attach(Node node) {
        Port p = node.freePort();
        Attachment a = new Attachment(p, new SimLink(network, name + ":" + node.name(), p, null, spec, network.splitRandom()));
        p.attach(a, name);
        p.attachment = a;
        attachments.add(a);
        network.register(a.channel);
        return this;
    }

    /** The transmitter of {@code node}'s interface on this LAN. */
    public SimLink linkOf(Node node) {
        for (Attachment a : attachments) if (a.port.node == node) return a.channel;
        throw new IllegalArgumentException(node.name() + " is not on " + name);
    }

    /** The interface that would answer an ARP request for {@code addr} from {@code asker} now, or null. */
    private Port answering(int addr, Port asker) {
        for (Attachment a : attachments) {
            Port p = a.port;
            if (p.address == addr && p.passes() && asker.passes() && p.node.isRunning() && !network.blocked(asker.node, p.node)
                    && !network.blocked(p.node, asker.node)) {
                return p;
            }
        }
        return null;
    }

    private enum State { INCOMPLETE, REACHABLE }

    private final class Neighbour {
        final int addr;
        State state = State.INCOMPLETE;
        Port target;
        long confirmedNs;
        int probes;
        boolean verifying;
        final ArrayDeque<byte[]> held = new ArrayDeque<>();
        int heldBytes;
        Timer timer;

        Neighbour(int addr) { this.addr = addr; }
    }

    /** One interface's side of the LAN: its transmitter and its neighbour table. */
    final class Attachment implements Link {
        final Port port;
        final SimLink channel;
        private final Map<Integer, Neighbour> table = new LinkedHashMap<>();

        Attachment(Port port, SimLink channel) {
            this.port = port;
            this.channel = channel;
        }

        @Override
        public void transmit(byte[] b, int off, int len) {
            if (!port.node.isRunning() || !port.isUp()) return;
            int hop = port.node.nextHop(Ipv4.dst(b, off));
            Neighbour n = table.get(hop);
            long now = network.scheduler().nowNs();
            if (n == null) {
                n = new Neighbour(hop);
                table.put(hop, n);
                hold(n, b, off, len);
                probe(n);
                return;
            }
            if (n.state == State.INCOMPLETE) {
                hold(n, b, off, len);
                return;
            }
            if (now - n.confirmedNs >= REACHABLE_NS && !n.verifying) verify(n);
            channel.send(b, off, len, n.target);
        }

        /** Installs a REACHABLE entry for {@code p} (learnt from its ARP request). */
        void learn(Port p) {
            Neighbour n = table.get(p.address);
            if (n != null && n.state == State.INCOMPLETE) return; // its own resolution will finish
            if (n == null) {
                n = new Neighbour(p.address);
                table.put(p.address, n);
            }
            n.state = State.REACHABLE;
            n.target = p;
            n.confirmedNs = network.scheduler().nowNs();
        }

        /** A packet from {@code addr} arrived here: the neighbour is alive. */
        void confirm(int addr) {
            Neighbour n = table.get(addr);
            if (n != null && n.state == State.REACHABLE) {
                n.confirmedNs = network.scheduler().nowNs();
                if (n.verifying) {
                    n.verifying = false;
                    network.scheduler().cancel(n.timer);
                }
            }
        }

        private void hold(Neighbour n, byte[] b, int off, int len) {
            byte[] copy = new byte[len];
            System.arraycopy(b, off, copy, 0, len);
            n.held.add(copy);
            n.heldBytes += len;
            while (n.heldBytes > UNRES_QLEN_BYTES && n.held.size() > 1) {
                byte[] old = n.held.poll();
                n.heldBytes -= old.length;
                network.drop(channel, port, null, SimEvent.Fate.NEIGHBOUR_QUEUE_FULL, old, 0, old.length);
            }
        }

        /** One broadcast probe; answered after a round trip, else the next one in a second, else failure. */
        private void probe(Neighbour n) {
            n.probes++;
            Port t = answering(n.addr, port);
            if (t != null) {
                n.timer = Timer.of(() -> resolved(n, t));
                network.scheduler().scheduleIn(n.timer, 2 * spec.delayNs());
            } else if (n.probes < MCAST_SOLICIT) {
                n.timer = Timer.of(() -> probe(n));
                network.scheduler().scheduleIn(n.timer, RETRANS_TIME_NS);
            } else {
                n.timer = Timer.of(() -> failed(n));
                network.scheduler().scheduleIn(n.timer, RETRANS_TIME_NS);
            }
        }

        private void resolved(Neighbour n, Port t) {
            if (table.get(n.addr) != n) return;
            // arp_process: the target of a request learns its sender (neigh_event_ns), so the reply
            // traffic needs no resolution of its own.
            if (t.attachment != null) t.attachment.learn(port);
            n.state = State.REACHABLE;
            n.target = t;
            n.confirmedNs = network.scheduler().nowNs();
            while (!n.held.isEmpty()) {
                byte[] p = n.held.poll();
                channel.send(p, 0, p.length, t);
            }
            n.heldBytes = 0;
        }

        private void failed(Neighbour n) {
            if (table.get(n.addr) != n) return;
            table.remove(n.addr);
            while (!n.held.isEmpty()) {
                byte[] p = n.held.poll();
                network.drop(channel, port, null, SimEvent.Fate.NO_NEIGHBOUR, p, 0, p.length);
                port.node.neighbourFailed(port, p, 0, p.length);
            }
        }

        /** STALE used: DELAY (5 s) then PROBE (3 unicast probes, 1 s apart); no confirmation → fail. */
        private void verify(Neighbour n) {
            n.verifying = true;
            n.timer = Timer.of(() -> {
                if (!n.verifying || table.get(n.addr) != n) return;
                n.verifying = false;
                Port t = answering(n.addr, port);
                if (t != null) {
                    n.target = t;
                    n.confirmedNs = network.scheduler().nowNs();
                } else {
                    table.remove(n.addr);
                }
            });
            network.scheduler().scheduleIn(n.timer, DELAY_FIRST_PROBE_NS + UCAST_SOLICIT * RETRANS_TIME_NS);
        }
    }
}
