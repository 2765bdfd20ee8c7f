package dev.synack.it;

import static dev.synack.it.KernelServers.root;
import static dev.synack.it.KernelServers.since;
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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Jedis from Maven Central, unmodified, against a real redis-server — the kernel's TCP in a network
 * namespace — with synack's TCP under Jedis, on a TUN device, in real time (redis-server is a real
 * process: nothing here is simulated). Jedis takes its sockets from a {@link JedisSocketFactory}; ours
 * makes synack's sockets and sets what Jedis's default factory sets (SO_KEEPALIVE, TCP_NODELAY, the
 * connect and socket timeouts).
 *
 * <p>The story is the one a service owner fears: the Redis host goes silent mid-conversation (power,
 * a cable, a partition: {@link KernelServers#silence}). What ends the wait is whichever of three
 * limits comes first: Jedis's socket timeout (SO_TIMEOUT), TCP keepalive on an idle connection, or
 * tcp_retries2 on a connection with unacknowledged data. Each test shows one of them winning, with
 * the exception and the errno Jedis's caller sees.
 */
class JedisOverTunTest {
    private TunLab lab;

    @AfterEach
    void tearDown() {
        if (lab != null) lab.close();
    }

    /** Jedis's default socket factory's settings, on synack's sockets; the last socket made is kept in {@code made}. */
    private JedisSocketFactory sockets(int socketTimeoutMs, AtomicReference<SynackSocket> made, boolean shortKeepalive) {
        var factory = new SynackSocketFactory(lab.host.kernel());
        return () -> {
            try {
                Socket s = factory.createSocket();
                s.setKeepAlive(true);
                s.setTcpNoDelay(true);
                if (shortKeepalive) {
                    s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
                    s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
                    s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 2);
                }
                s.connect(new InetSocketAddress(lab.kernelAddr, KernelServers.REDIS_PORT), 5000);
                s.setSoTimeout(socketTimeoutMs);
                made.set((SynackSocket) s);
                return s;
            } catch (java.io.IOException e) {
                throw new JedisConnectionException("synack socket", e);
            }
        };
    }

    private Jedis jedis(int socketTimeoutMs, AtomicReference<SynackSocket> made, boolean shortKeepalive) {
        return new Jedis(sockets(socketTimeoutMs, made, shortKeepalive),
                DefaultJedisClientConfig.builder().socketTimeoutMillis(socketTimeoutMs).build());
    }

    @Test
    void commandsReachTheRealServer() throws Exception {
        KernelServers.assumeRedis();
        lab = new TunLab(1500);
        KernelServers.startRedis(lab);
        var made = new AtomicReference<SynackSocket>();
        try (Jedis jedis = jedis(2000, made, false)) {
            assertEquals("PONG", jedis.ping());
            assertEquals("OK", jedis.set("greeting", "hello over synack"));
            assertEquals("hello over synack", jedis.get("greeting"));
            byte[] big = new byte[200_000];
            new java.util.Random(5).nextBytes(big);
            jedis.set("big".getBytes(), big);
            assertTrue(java.util.Arrays.equals(big, jedis.get("big".getBytes())), "200 kB value round trip");
            assertEquals(TcpState.ESTABLISHED, made.get().tcpSocket().state());
        }
    }

    /** SO_TIMEOUT 1.5 s: the blocked read gives up first (EAGAIN under the JDK's SocketTimeoutException). */
    @Test
    void socketTimeoutEndsTheWaitOnASilentHost() throws Exception {
        KernelServers.assumeRedis();
        lab = new TunLab(1500);
        KernelServers.startRedis(lab);
        var made = new AtomicReference<SynackSocket>();
        try (Jedis jedis = jedis(1500, made, false)) {
            assertEquals("PONG", jedis.ping());
            KernelServers.silence(lab);
            long t0 = System.nanoTime();
            var e = assertThrows(JedisConnectionException.class, () -> jedis.get("greeting"));
            double secs = since(t0);
            var cause = assertInstanceOf(SocketTimeoutException.class, root(e), e.toString());
            assertEquals(Errno.EAGAIN, ((ErrnoCarrier) cause).errno());
            assertTrue(secs >= 1.5 && secs < 3.0, "gave up after " + secs + " s");
            // The connection itself is still retransmitting: only the read gave up.
            assertEquals(TcpState.ESTABLISHED, made.get().tcpSocket().state());
        }
    }

    /**
     * No socket timeout, tcp_retries2 3: the command is retransmitted (a loss probe, then RTOs doubling
     * from about 200 ms) until a retransmission timer finds tcp_retries2's budget spent, counted from the
     * first RTO retransmission (tcp_write_timeout, retransmits_timed_out); the blocked read ends with
     * ETIMEDOUT. Linux 6.18, kernel to kernel over veth with the same fault (a blackhole route, a
     * sub-millisecond RTT), measured 6.65, 6.71 and 6.75 s from the command to ETIMEDOUT; synack here
     * about 6.5 s. (Not 3 s: on this path the fourth RTO retransmission still fits in the budget.)
     */
    @Test
    void tcpRetries2EndsABlockedCommandOnASilentHost() throws Exception {
        KernelServers.assumeRedis();
        var config = new TcpConfig();
        config.tcpRetries2 = 3;
        lab = new TunLab(1500, config);
        KernelServers.startRedis(lab);
        var made = new AtomicReference<SynackSocket>();
        try (Jedis jedis = jedis(0, made, false)) {
            assertEquals("PONG", jedis.ping());
            KernelServers.silence(lab);
            long t0 = System.nanoTime();
            var e = assertThrows(JedisConnectionException.class, () -> jedis.get("greeting"));
            double secs = since(t0);
            Throwable cause = root(e);
            assertEquals(Errno.ETIMEDOUT, ((ErrnoCarrier) cause).errno(), cause.toString());
            assertTrue(secs >= 6.0 && secs < 8.0, "ETIMEDOUT after " + secs + " s");
            assertEquals(TcpState.CLOSE, made.get().tcpSocket().state());
        }
    }

    /**
     * An idle connection (a pooled one, say) with keepalive 1 s / 1 s / 2 probes: nobody is reading, so
     * neither limit above applies; the probes go unanswered and the connection is dropped: poll reports
     * POLLERR|POLLHUP. The next command fails at once with ETIMEDOUT — the pool learns on first use.
     * Linux 6.18, kernel to kernel over veth with the same options and fault, measured POLLERR|POLLHUP
     * 3.054, 3.060 and 3.068 s after the host went silent, then ETIMEDOUT from the first send and EPIPE
     * from the next.
     */
    @Test
    void keepaliveDropsAnIdleConnectionToASilentHost() throws Exception {
        KernelServers.assumeRedis();
        lab = new TunLab(1500);
        KernelServers.startRedis(lab);
        var made = new AtomicReference<SynackSocket>();
        Jedis jedis = jedis(0, made, true);
        assertEquals("PONG", jedis.ping());
        KernelServers.silence(lab);
        long t0 = System.nanoTime();
        assertTrue(KernelServers.awaitError(made.get().tcpSocket(), 10_000), "no error within 10 s: " + made.get().tcpSocket().state());
        double secs = since(t0);
        assertTrue(secs >= 2.8 && secs < 4.0, "keepalive gave up after " + secs + " s");
        assertEquals(TcpState.CLOSE, made.get().tcpSocket().state());
        long t1 = System.nanoTime();
        var e = assertThrows(JedisConnectionException.class, jedis::ping);
        assertEquals(Errno.ETIMEDOUT, ((ErrnoCarrier) root(e)).errno(), root(e).toString());
        assertTrue(since(t1) < 0.5, "the failed command took " + since(t1) + " s");
        // Jedis keeps the failed command in its buffer and flushes it again on close: the second write
        // on the dead socket is EPIPE, as Linux gives it (and as Jedis shows it over the JDK's sockets).
        var onClose = assertThrows(JedisConnectionException.class, jedis::close);
        assertEquals(Errno.EPIPE, ((ErrnoCarrier) root(onClose)).errno(), root(onClose).toString());
    }
}
