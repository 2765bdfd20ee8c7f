package dev.synack.sim.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synack.trace.TraceEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seed for seed, the experiments through a drop-tail bottleneck send exactly the packets they sent
 * before ECN and the AQMs were added: every packet each host sent and received, with its time,
 * hashed. The expected digests were recorded on the code before that work (commit ca4d887) and
 * recorded again when the receive window's clamp became Linux's (tcp_init_buffer_space,
 * tcp_set_window_clamp, rcv_ssthresh growth by two advmss without the timestamp option: as many
 * packets, other window fields), and when a write that adds to the unsent tail skb came to take away
 * the PSH an earlier write left there, as Linux's tcp_sendmsg_locked does (the receivers' delayed
 * ACKs, ICSK_ACK_PUSHED, differ), and when out-of-order data came to grow the window as Linux's
 * tcp_data_queue_ofo does with SACK (the two-flow run's duplicate ACKs carry other windows), and when a
 * socket whose SO_RCVBUF is set (the flows set it on both ends) came to choose its window scale for the
 * locked buffer's full space, as Linux's tcp_select_initial_window does with the window clamp
 * tcp_openreq_init_rwin and tcp_connect_init give it (measured: SO_RCVBUF 8192 → wscale 0, 131072 →
 * wscale 2; as many packets, other wscale options and window fields); with tcp_ecn at its default (2: a host never asks
 * for ECN) and a drop-tail queue, ECN and the AQMs may change nothing, not one bit of one packet.
 */
class PacketDigestTest {
    /** SHA-256 of (time, host, direction, bytes) of every packet the hosts sent and received, in order. */
    static String digest(Experiment e) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long[] packets = {0};
            e.run(ev -> {
                if (ev instanceof TraceEvent.Packet(long timeNs, String host, boolean outbound, byte[] bytes, var why, int n)) {
                    packets[0]++;
                    for (int i = 0; i < 8; i++) md.update((byte) (timeNs >>> (8 * i)));
                    md.update(host.getBytes(StandardCharsets.UTF_8));
                    md.update((byte) (outbound ? 1 : 0));
                    md.update(bytes);
                }
            });
            return packets[0] + " " + HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new AssertionError(ex);
        }
    }

    /** One CUBIC flow into a 1000-packet drop-tail queue (Linux's txqueuelen) at 20 Mbit/s, 40 ms: bufferbloat. */
    static Experiment bloated() {
        return new Experiment(20_000_000, 40, 1000, 0, 1, "cubic", 10, 1, 1500, 0, 0);
    }

    /** Two CUBIC flows through a one-BDP drop-tail queue at 100 Mbit/s, 40 ms. */
    static Experiment twoFlows() {
        return new Experiment(100_000_000, 40, 0, 0, 2, "cubic", 4, 2, 1500, 0, 0);
    }

    @Test
    void dropTail_samePacketsAsBeforeEcn() {
        List<String> got = List.of(digest(bloated()), digest(twoFlows()));
        System.out.println("drop-tail digests: " + got);
        // Re-pinned when the sender took Linux 6.18's TSO packets and their PSH (two-segment packets at
        // these RTTs, PSH on each; forced_push mid-write): the receiver's delayed ACKs follow PSH
        // (tcp_measure_rcv_mss's ICSK_ACK_PUSHED), so the ACK count changed with it.
        assertEquals(List.of("57438 7b6409ccab286903c94159068639f99508ef0560225f6887b6728adcaf3940d2",
                "101562 82b3445e2c31b0a161c50f5af4fadb9298b3abd2f1d0513dd8b3b6809bc06075"), got);
    }
}
