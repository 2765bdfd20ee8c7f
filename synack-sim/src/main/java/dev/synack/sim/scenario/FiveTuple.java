package dev.synack.sim.scenario;

import static dev.synack.sim.scenario.Story.MS;

import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.socket.SocketStats;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpConnection;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Demultiplexing by the 5-tuple: three client hosts on one LAN open two connections each to port
 * 8080 of one server. Every accepted socket has the listening port as its local port (accept() does
 * not move a connection to another port, unlike the myth of a "data port"); the kernel tells them
 * apart by the remote address and port (inet_lookup_established hashes the full four-tuple, the
 * protocol being TCP). Each connection echoes what its client sends, so no byte crosses between
 * them; {@code ss -tan} on the server lists the listener and six ESTABLISHED rows, all :8080.
 */
final class FiveTuple implements Scenario {
    static final int PORT = 8080, HOSTS = 3, PER_HOST = 2;

    @Override
    public String name() { return "five-tuple"; }

    @Override
    public String situation() { return "demux by 5-tuple; listen port = data port"; }

    /** The outcome sums up several connections (no one moment): atNs is 0. */
    @Override
    public boolean timed() { return false; }

    @Override
    public String linux() {
        return "every accepted connection has the listening port as its local port; they differ by the remote address and port";
    }

    @Override
    public Outcome run(Knobs k) {
        Network net = new Network(k.seed());
        var lan = net.lan("lan", LinkSpec.builder().delay(java.time.Duration.ofNanos(k.rttNsOr(2) / 2))
                .loss(k.loss()).build());
        Host server = net.host("server", "198.18.0.100/24");
        lan.attach(server);
        List<Host> clients = new ArrayList<>();
        for (int i = 1; i <= HOSTS; i++) {
            Host c = net.host("client" + i, "198.18.0." + i + "/24");
            lan.attach(c);
            clients.add(c);
        }
        List<String> accepted = new ArrayList<>();
        server.spawn("server", () -> {
            TcpServerSocket ss = new TcpServerSocket(server.kernel(), PORT);
            for (int i = 0; i < HOSTS * PER_HOST; i++) {
                TcpSocket s = ss.accept();
                accepted.add(s.getLocalPort() + " ← " + s.getInetAddress().getHostAddress() + ":" + s.getPort());
                server.spawn("echo" + i, () -> {
                    byte[] buf = new byte[100];
                    for (int n; (n = s.getInputStream().read(buf)) > 0; ) s.getOutputStream().write(buf, 0, n);
                    s.close();
                });
            }
        });
        List<String> echoes = new ArrayList<>(), mismatches = new ArrayList<>();
        for (Host c : clients) {
            for (int j = 0; j < PER_HOST; j++) {
                String id = c.name() + "#" + j;
                c.spawn("app" + j, () -> {
                    try (TcpSocket s = new TcpSocket(c.kernel())) {
                        s.connect(new InetSocketAddress(server.inetAddress(), PORT));
                        net.runtime().sleep(50 * MS); // all six are open at once
                        s.getOutputStream().write(id.getBytes());
                        byte[] buf = new byte[100];
                        int n = s.getInputStream().read(buf);
                        String back = new String(buf, 0, Math.max(0, n));
                        echoes.add(back);
                        if (!back.equals(id)) mismatches.add(id + " got " + back);
                    }
                });
            }
        }
        String[] ss = {""};
        List<TcpConnection> conns = new ArrayList<>();
        net.runFor(40); // every connection is established, none has closed
        ss[0] = SocketStats.ss(server.stack());
        conns.addAll(server.stack().connections());
        net.runUntilDone(60_000);

        TreeSet<Integer> localPorts = new TreeSet<>();
        TreeSet<String> remotes = new TreeSet<>();
        for (TcpConnection c : conns) {
            localPorts.add(c.localPort());
            remotes.add(dev.synack.wire.Ipv4.format(c.remoteAddr()) + ":" + c.remotePort());
        }
        long estabRows = ss[0].lines().filter(l -> l.startsWith("ESTAB")).count();
        long rowsOnPort = ss[0].lines().filter(l -> l.startsWith("ESTAB") && l.contains(":" + PORT + " ")).count();
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("connections accepted", HOSTS * PER_HOST, accepted.size()));
        checks.add(Check.of("local port of every accepted connection", List.of(PORT),
                accepted.stream().map(a -> Integer.parseInt(a.substring(0, a.indexOf(' ')))).distinct().toList()));
        checks.add(Check.of("server connections' local ports (kernel)", List.of(PORT), List.copyOf(localPorts)));
        checks.add(Check.of("distinct remote address:port pairs", HOSTS * PER_HOST, remotes.size()));
        checks.add(Check.of("ss: ESTAB rows, all with local port " + PORT, List.of(HOSTS * PER_HOST, HOSTS * PER_HOST), List.of(estabRows, rowsOnPort)));
        checks.add(Check.of("ss: the listener", true, ss[0].lines().anyMatch(l -> l.startsWith("LISTEN") && l.contains(":" + PORT + " "))));
        checks.add(Check.of("each client got its own bytes back", List.of(), mismatches));
        checks.add(Check.of("echoes", HOSTS * PER_HOST, echoes.size()));
        return new Outcome(name(), net, "accepted " + accepted + "\n" + ss[0], 0, checks);
    }
}
