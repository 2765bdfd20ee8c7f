package dev.synack.it;

import static dev.synack.it.KernelServers.root;
import static dev.synack.it.KernelServers.since;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.socket.ErrnoCarrier;
import dev.synack.socket.SynackSocketFactory;
import dev.synack.socket.SynackSocketFactory.SynackSocket;
import dev.synack.tcp.Errno;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import dev.synack.tun.TunLab;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL JDBC driver from Maven Central, unmodified, against a real PostgreSQL server — the
 * kernel's TCP in a network namespace — with synack's TCP under the driver, on a TUN device, in real
 * time. The driver is configured as any application configures it, by properties: {@code
 * socketFactory=dev.synack.socket.SynackSocketFactory} names the factory by class, and its no-arg
 * constructor binds to the current kernel ({@code Kernel.callAsCurrent} around getConnection). (The
 * fault tests name a subclass that also remembers the socket, so they can watch its TCP state.)
 *
 * <p>The story: the database host goes silent (power, cable, partition: {@link KernelServers#silence}).
 * Which limit ends the wait — the driver's socketTimeout, keepalive on an idle pooled connection, or
 * tcp_retries2 on a query in flight — and what the application sees.
 */
class PostgresJdbcOverTunTest {
    private TunLab lab;

    @AfterEach
    void tearDown() {
        if (lab != null) lab.close();
    }

    /** {@link SynackSocketFactory} that remembers the last socket it made (for the tests' eyes only). */
    public static final class Remembering extends SynackSocketFactory {
        static volatile SynackSocket last;

        public Remembering() { super(); }

        @Override
        public Socket createSocket() throws IOException {
            Socket s = super.createSocket();
            last = (SynackSocket) s;
            return s;
        }
    }

    private Connection connect(Class<? extends SynackSocketFactory> factory, String... properties) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("socketFactory", factory.getName());
        p.setProperty("connectTimeout", "5");
        for (String kv : properties) p.setProperty(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        String url = "jdbc:postgresql://" + lab.kernelAddr + ":" + KernelServers.POSTGRES_PORT + "/postgres";
        return lab.host.kernel().callAsCurrent(() -> DriverManager.getConnection(url, p));
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void queriesReachTheRealServer() throws Exception {
        KernelServers.assumePostgres();
        lab = new TunLab(1500);
        KernelServers.startPostgres(lab);
        try (Connection c = connect(SynackSocketFactory.class)) {
            try (Statement st = c.createStatement()) {
                st.execute("create table t (id int primary key, payload bytea)");
            }
            byte[] payload = new byte[300_000];
            new java.util.Random(9).nextBytes(payload);
            try (var ins = c.prepareStatement("insert into t values (?, ?)")) {
                for (int i = 0; i < 200; i++) {
                    ins.setInt(1, i);
                    ins.setBytes(2, i == 7 ? payload : new byte[] {(byte) i});
                    ins.addBatch();
                }
                ins.executeBatch();
            }
            assertEquals(200, count(c, "select count(*) from t"));
            try (var q = c.prepareStatement("select payload from t where id = 7"); ResultSet rs = q.executeQuery()) {
                rs.next();
                assertArrayEquals(payload, rs.getBytes(1), "300 kB bytea round trip");
            }
        }
    }

    /** socketTimeout=2 (seconds): the query's read gives up first; the driver closes the connection. */
    @Test
    void socketTimeoutEndsAQueryOnASilentHost() throws Exception {
        KernelServers.assumePostgres();
        lab = new TunLab(1500);
        KernelServers.startPostgres(lab);
        try (Connection c = connect(Remembering.class, "socketTimeout=2")) {
            assertEquals(1, count(c, "select 1"));
            KernelServers.silence(lab);
            long t0 = System.nanoTime();
            var e = assertThrows(SQLException.class, () -> count(c, "select 2"));
            double secs = since(t0);
            var cause = assertInstanceOf(SocketTimeoutException.class, root(e), e.toString());
            assertEquals(Errno.EAGAIN, ((ErrnoCarrier) cause).errno());
            assertTrue(secs >= 2.0 && secs < 3.5, "gave up after " + secs + " s");
            assertTrue(c.isClosed(), "the driver closes a connection after an I/O error");
        }
    }

    /**
     * No socketTimeout (the driver's default), tcp_retries2 3 on synack's host: the query is retransmitted
     * until the budget is spent and the driver's read ends with ETIMEDOUT. Linux 6.18 kernel to kernel
     * over veth, the same fault, sub-millisecond RTT: 6.65, 6.71, 6.75 s (see JedisOverTunTest).
     */
    @Test
    void tcpRetries2EndsAQueryOnASilentHost() throws Exception {
        KernelServers.assumePostgres();
        var config = new TcpConfig();
        config.tcpRetries2 = 3;
        lab = new TunLab(1500, config);
        KernelServers.startPostgres(lab);
        try (Connection c = connect(Remembering.class)) {
            assertEquals(1, count(c, "select 1"));
            KernelServers.silence(lab);
            long t0 = System.nanoTime();
            var e = assertThrows(SQLException.class, () -> count(c, "select 2"));
            double secs = since(t0);
            assertEquals(Errno.ETIMEDOUT, ((ErrnoCarrier) root(e)).errno(), root(e).toString());
            assertTrue(secs >= 6.0 && secs < 8.0, "ETIMEDOUT after " + secs + " s");
            assertEquals(TcpState.CLOSE, Remembering.last.tcpSocket().state());
        }
    }

    /**
     * tcpKeepAlive=true (the driver sets SO_KEEPALIVE) with the host's keepalive sysctls at 1 s / 1 s /
     * 2 probes: an idle pooled connection to a silent host is dropped after about 3 s, and the next query
     * fails at once with ETIMEDOUT. Linux 6.18 over veth, the same sysctls and fault: POLLERR|POLLHUP after
     * 3.054, 3.055, 3.062 s, then ETIMEDOUT from the first send.
     */
    @Test
    void keepaliveDropsAnIdlePooledConnectionToASilentHost() throws Exception {
        KernelServers.assumePostgres();
        var config = new TcpConfig();
        config.tcpKeepaliveTime = 1;
        config.tcpKeepaliveIntvl = 1;
        config.tcpKeepaliveProbes = 2;
        lab = new TunLab(1500, config);
        KernelServers.startPostgres(lab);
        try (Connection c = connect(Remembering.class, "tcpKeepAlive=true")) {
            assertEquals(1, count(c, "select 1"));
            var socket = Remembering.last.tcpSocket();
            KernelServers.silence(lab);
            long t0 = System.nanoTime();
            assertTrue(KernelServers.awaitError(socket, 10_000), "no error within 10 s: " + socket.state());
            double secs = since(t0);
            assertTrue(secs >= 2.8 && secs < 4.0, "keepalive gave up after " + secs + " s");
            long t1 = System.nanoTime();
            var e = assertThrows(SQLException.class, () -> count(c, "select 2"));
            assertEquals(Errno.ETIMEDOUT, ((ErrnoCarrier) root(e)).errno(), root(e).toString());
            assertTrue(since(t1) < 0.5, "the failed query took " + since(t1) + " s");
        }
    }
}
