package dev.synack.tun;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Diagnostics, run by hand (-Dtest=TunProbe): not part of the suite. */
class TunProbe {
    @Test
    void probe() throws Exception {
        TunLab.assumeTunLab();
        int mtu = Integer.getInteger("probe.mtu", 1500);
        try (var lab = new TunLab(mtu)) {

            
            var l = new dev.synack.socket.TcpServerSocket(lab.host.kernel(), 8080, 16);
            long bulk = Long.getLong("probe.mb", 50) << 20;
            var peer = lab.python("client", lab.synackAddr, "8080", String.valueOf(bulk));
            dev.synack.socket.TcpSocket c = l.accept(); var cin = c.getInputStream();
            byte[] buf = new byte[1 << 20];
            long total = 0, t0 = System.nanoTime(), lastPrint = t0;
            int n;
            while ((n = cin.read(buf)) > 0) {
                total += n;
                if (System.nanoTime() - lastPrint > 200_000_000L) {
                    lastPrint = System.nanoTime();
                    System.out.println(c.tcpInfo());
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%d MB %.2f s %.2f Gbit/s in=%d batches=%d out=%d%n", total >> 20, s, total * 8 / s / 1e9,
                    lab.host.packetsIn(), lab.host.batches(), lab.host.packetsOut());
            System.out.println(lab.host.stack().counters());
            c.close();
            System.out.println(peer.output());
        }
    }
}
