package dev.synack.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.socket.Poller;
import dev.synack.socket.PosixSockets;
import dev.synack.socket.TcpSocket;
import dev.synack.tun.TunLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Real database servers as kernel peers, for unmodified clients running over synack on a TUN device:
 * redis-server and PostgreSQL started inside a {@link TunLab}'s namespace (the kernel's TCP), bound to
 * the namespace's address only, in real time. Their protocols need a real server; their clients (Jedis,
 * the PostgreSQL JDBC driver) use synack's sockets.
 *
 * <p>The fault these tests care about is a <em>silent</em> database host: a blackhole route for synack's
 * address in the namespace. The server's kernel still receives synack's segments; every answer vanishes
 * (no RST, no ICMP), which is what a client sees when the database host loses power or its network.
 * (A route, not an nft rule or a qdisc: the CI kernel has neither nft nor tc's modules.)
 */
final class KernelServers {
    private KernelServers() {}

    static final int REDIS_PORT = 6379;
    static final int POSTGRES_PORT = 5432;

    /** Skips unless TUN tests can run and {@code redis-server} is installed (.ci/run installs it). */
    static void assumeRedis() {
        TunLab.assumeTunLab();
        assumeTrue(TunLab.onPath("redis-server"), "no redis-server (Debian package redis-server; .ci/run installs it): Jedis test skipped");
    }

    /** redis-server in the lab's namespace on kernelAddr:6379, no persistence; returns once it accepts connections. */
    static TunLab.Peer startRedis(TunLab lab) throws Exception {
        TunLab.Peer redis = lab.start("redis-server", "--bind", lab.kernelAddr, "--port", String.valueOf(REDIS_PORT),
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no", "--logfile", "");
        redis.lineContaining("Ready to accept connections", 20);
        return redis;
    }

    /** PostgreSQL's programs (Debian's postgresql package), or null. */
    static Path postgresBin() {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) return null;
        try (var versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
                    .max(Path::compareTo).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Skips unless TUN tests can run, PostgreSQL is installed and a 'postgres' user exists (PostgreSQL refuses to run as root). */
    static void assumePostgres() throws Exception {
        TunLab.assumeTunLab();
        assumeTrue(postgresBin() != null, "no PostgreSQL server (Debian package postgresql; .ci/run installs it): JDBC test skipped");
        assumeTrue(TunLab.onPath("runuser"), "no runuser (util-linux): JDBC test skipped");
        assumeTrue(new ProcessBuilder("id", "-u", "postgres").start().waitFor() == 0,
                "no 'postgres' user (the postgresql package makes it; the server refuses to run as root): JDBC test skipped");
    }

    /**
     * A throwaway PostgreSQL cluster (initdb, trust authentication, no fsync) in a temporary folder, its
     * server in the lab's namespace on kernelAddr:5432; returns once it accepts connections.
     */
    static TunLab.Peer startPostgres(TunLab lab) throws Exception {
        Path bin = postgresBin();
        Path dir = Files.createTempDirectory("synack-pg");
        Path data = dir.resolve("data");
        TunLab.run("chown", "postgres", dir.toString());
        TunLab.run("chmod", "700", dir.toString());
        TunLab.run("runuser", "-u", "postgres", "--", bin.resolve("initdb").toString(), "-D", data.toString(),
                "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions");
        // initdb trusts local connections only; synack's address is on the benchmarking range
        Files.writeString(data.resolve("pg_hba.conf"), "host all all 198.18.0.0/15 trust\n", java.nio.file.StandardOpenOption.APPEND);
        TunLab.Peer pg = lab.start("runuser", "-u", "postgres", "--", bin.resolve("postgres").toString(), "-D", data.toString(),
                "-c", "listen_addresses=" + lab.kernelAddr, "-c", "port=" + POSTGRES_PORT, "-c", "unix_socket_directories=" + dir,
                "-c", "fsync=off", "-c", "logging_collector=off");
        pg.lineContaining("database system is ready to accept connections", 60);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TunLab.runQuiet("rm", "-rf", dir.toString())));
        return pg;
    }

    /** Makes the database host silent: its answers to synack are dropped from now on. */
    static void silence(TunLab lab) throws Exception {
        TunLab.run("ip", "-n", lab.ns, "route", "add", "blackhole", lab.synackAddr + "/32");
    }

    /**
     * Waits, in real time and at most {@code limitMs}, until synack reports an error or a hang-up on
     * {@code s} (poll(2)'s POLLERR/POLLHUP, reported whether asked for or not); true if it did.
     */
    static boolean awaitError(TcpSocket s, int limitMs) {
        int[] revents = Poller.poll(List.of(new Poller.Interest(s, PosixSockets.POLLERR)), limitMs);
        return (revents[0] & (PosixSockets.POLLERR | PosixSockets.POLLHUP)) != 0;
    }

    /** Seconds since {@code t0} (System.nanoTime). */
    static double since(long t0) { return (System.nanoTime() - t0) / 1e9; }

    /** The innermost cause of {@code t}. */
    static Throwable root(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }
}
