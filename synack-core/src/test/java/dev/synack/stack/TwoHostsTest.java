package dev.synack.stack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.link.MemoryLink;
import dev.synack.tcp.SocketOptions;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpConnection;
import dev.synack.tcp.TcpListener;
import dev.synack.tcp.TcpState;
import dev.synack.time.VirtualScheduler;
import dev.synack.wire.Ipv4;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TwoHostsTest {
    static final int A = Ipv4.parse("198.18.0.1"), B = Ipv4.parse("198.18.0.2");

    @Test
    void transfersOneMegabyteAndCloses() throws Exception {
        var sched = new VirtualScheduler();
        var a = new Stack("a", sched, new TcpConfig(), 1);
        var b = new Stack("b", sched, new TcpConfig(), 2);
        a.addInterface("eth0", A, 24, 1500, new MemoryLink(sched, b, 5_000_000, 3));
        b.addInterface("eth0", B, 24, 1500, new MemoryLink(sched, a, 5_000_000, 4));
        TcpListener l = b.listen(b.bind(0, 80, new SocketOptions()), 16);
        TcpConnection c = a.connect(null, B, 80, new SocketOptions());
        sched.advance(20_000_000);
        TcpConnection s = l.accept();
        assertEquals(TcpState.ESTABLISHED, c.state());
        byte[] data = new byte[1 << 20];
        new Random(5).nextBytes(data);
        int sent = 0;
        var got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int i = 0; i < 100_000 && got.size() < data.length; i++) {
            if (sent < data.length) {
                int n = c.send(data, sent, data.length - sent);
                if (n > 0) sent += n;
            }
            int r;
            while ((r = s.receive(buf, 0, buf.length)) > 0) got.write(buf, 0, r);
            sched.runNext(Long.MAX_VALUE);
        }
        assertArrayEquals(data, got.toByteArray());
        c.close();
        sched.advance(100_000_000);
        assertEquals(0, s.receive(buf, 0, buf.length));
        s.close();
        sched.advance(100_000_000);
        assertEquals(TcpState.TIME_WAIT, c.state());
        assertEquals(TcpState.CLOSE, s.state());
        sched.advance(61_000_000_000L);
        assertEquals(TcpState.CLOSE, c.state());
        System.out.println("done at " + sched.nowNs() / 1e9 + " s, " + a.counters() + " / " + b.counters());
    }
}
