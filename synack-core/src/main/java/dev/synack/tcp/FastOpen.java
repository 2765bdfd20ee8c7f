package dev.synack.tcp;

import dev.synack.wire.SipHash;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * TCP Fast Open (RFC 7413) as Linux 6.18 does it (net/ipv4/tcp_fastopen.c): the {@code tcp_fastopen}
 * sysctl's bits, the server's cookie (SipHash-2-4 of the addresses under the TFO key), the key's text
 * form, and the client's per-destination cookie cache (Linux keeps it in tcp_metrics).
 *
 * <p>Where Linux and the RFC differ, synack follows Linux: the cookie is 8 bytes (RFC 7413 §4.1.2 allows
 * 4..16), computed by {@code __tcp_fastopen_cookie_gen_cipher} as siphash(saddr ‖ daddr) of the SYN
 * (the client's address first) with the key's two little-endian 64-bit halves, stored little-endian.
 */
public final class FastOpen {
    private FastOpen() {}

    /** tcp_fastopen bits (include/net/tcp.h): the client may send data in its SYN. */
    public static final int TFO_CLIENT_ENABLE = 1;
    /** The server accepts data in a SYN with a valid cookie. */
    public static final int TFO_SERVER_ENABLE = 2;
    /** The client sends data in its SYN without a cookie. */
    public static final int TFO_CLIENT_NO_COOKIE = 4;
    /** The server accepts data in a SYN without a cookie. */
    public static final int TFO_SERVER_COOKIE_NOT_REQD = 0x200;
    /** Every listener gets a Fast Open queue of its backlog without setsockopt(TCP_FASTOPEN) (inet_listen). */
    public static final int TFO_SERVER_WO_SOCKOPT1 = 0x400;

    /** The cookie Linux makes (TCP_FASTOPEN_COOKIE_SIZE). */
    public static final int COOKIE_SIZE = 8;
    /** A key (TCP_FASTOPEN_KEY_LENGTH); setsockopt(TCP_FASTOPEN_KEY) also takes two, the second a backup. */
    public static final int KEY_LENGTH = 16;

    /** Linux TCP_FASTOPEN_KEY_MAX: a primary and a backup key. */
    static final int KEY_MAX = 2;

    // ---- the server's cookie --------------------------------------------------------------------

    /**
     * The cookie for a SYN from {@code srcAddr} to {@code dstAddr} under {@code key} (16 bytes at
     * {@code keyOff}): Linux's __tcp_fastopen_cookie_gen_cipher, siphash over the SYN's IPv4 source and
     * destination addresses as they are on the wire, the key read as two little-endian u64
     * (tcp_fastopen_reset_cipher), the tag stored little-endian (cpu_to_le64).
     */
    public static byte[] cookie(byte[] key, int keyOff, int srcAddr, int dstAddr) {
        byte[] m = {(byte) (srcAddr >>> 24), (byte) (srcAddr >>> 16), (byte) (srcAddr >>> 8), (byte) srcAddr,
                (byte) (dstAddr >>> 24), (byte) (dstAddr >>> 16), (byte) (dstAddr >>> 8), (byte) dstAddr};
        long tag = SipHash.hash24(SipHash.le64(key, keyOff, 8), SipHash.le64(key, keyOff + 8, 8), m, 0, 8);
        byte[] c = new byte[COOKIE_SIZE];
        for (int i = 0; i < COOKIE_SIZE; i++) c[i] = (byte) (tag >>> (8 * i));
        return c;
    }

    /**
     * tcp_fastopen_cookie_gen_check: 1 when {@code cookie} (its first {@code len} bytes) is the cookie of
     * the primary key, 2 of the backup key, 0 otherwise (also for a length other than 8).
     *
     * @param keys 16 or 32 bytes: the primary key, then the backup if any
     */
    static int check(byte[] keys, int srcAddr, int dstAddr, byte[] cookie, int len) {
        if (len != COOKIE_SIZE) return 0;
        for (int k = 0; k * KEY_LENGTH < keys.length; k++) {
            byte[] want = cookie(keys, k * KEY_LENGTH, srcAddr, dstAddr);
            if (Arrays.equals(want, 0, COOKIE_SIZE, cookie, 0, COOKIE_SIZE)) return k + 1;
        }
        return 0;
    }

    // ---- the key's text -------------------------------------------------------------------------

    /**
     * The tcp_fastopen_key sysctl's value, "%x-%x-%x-%x" (and optionally ",%x-%x-%x-%x" for a backup
     * key): each 32-bit word stored little-endian (proc_tcp_fastopen_key: key[i] = cpu_to_le32(user_key[i])),
     * so "a0bf63f7-..." is the bytes f7 63 bf a0 ...
     *
     * @throws IllegalArgumentException for anything else
     */
    public static byte[] parseKey(String text) {
        String[] keys = text.trim().split(",");
        if (keys.length > KEY_MAX) throw new IllegalArgumentException("at most two keys");
        byte[] out = new byte[keys.length * KEY_LENGTH];
        for (int k = 0; k < keys.length; k++) {
            String[] w = keys[k].trim().split("-");
            if (w.length != 4) throw new IllegalArgumentException("expected %x-%x-%x-%x");
            for (int i = 0; i < 4; i++) {
                long v = Long.parseLong(w[i], 16);
                if (v < 0 || v > 0xFFFFFFFFL) throw new IllegalArgumentException("a word is 32 bits: " + w[i]);
                for (int j = 0; j < 4; j++) out[k * KEY_LENGTH + 4 * i + j] = (byte) (v >>> (8 * j));
            }
        }
        return out;
    }

    /** The key as the sysctl prints it: "%08x-%08x-%08x-%08x", a comma before a backup key. */
    public static String formatKey(byte[] key) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k * KEY_LENGTH < key.length; k++) {
            if (k > 0) sb.append(',');
            for (int i = 0; i < 4; i++) {
                if (i > 0) sb.append('-');
                sb.append(String.format("%08x", SipHash.le64(key, k * KEY_LENGTH + 4 * i, 4)));
            }
        }
        return sb.toString();
    }

    /**
     * The host's key when none was set: Linux draws a random one (tcp_fastopen_init_key_once); synack
     * takes it from the host's secret hash, so runs repeat.
     */
    static byte[] hostKey(TcpHost host) {
        byte[] k = new byte[KEY_LENGTH];
        for (int i = 0; i < 2; i++) {
            long w = host.portOffsetHash(0x54464f00 + i, 0x6b657900, 0xFFFF, false); // "TFO", "key": a slot no port uses
            for (int j = 0; j < 8; j++) k[8 * i + j] = (byte) (w >>> (8 * j));
        }
        return k;
    }

    /** A cookie's hex text, as packetdrill prints it. */
    static String hex(byte[] cookie, int len) { return HexFormat.of().formatHex(cookie, 0, len); }

    // ---- the client's cache ---------------------------------------------------------------------

    /**
     * What the client remembers of one server (tcp_metrics' tcp_fastopen_metrics): the MSS it
     * announced, its cookie ({@code cookieLen} -1: none yet; 0 for the experimental-form answer without
     * a cookie is never stored), whether it used the experimental option, and how many SYNs with data
     * were lost (syn_loss, last_syn_loss).
     */
    static final class Entry {
        /** tfom->try_exp: 1 = try the experimental option next, 2 = go back to kind 34. */
        int tryExp;
        int mss;
        byte[] cookie = new byte[16];
        int cookieLen = -1;
        boolean exp;
        int synLoss;
        long lastSynLossNs;
    }

    /**
     * The application's first data for a Fast Open connect (Linux struct tcp_fastopen_request): the
     * bytes offered, and after the SYN went, how many of them it carries ({@link #copied()}).
     */
    public static final class Request {
        final byte[] data;
        final int off, len;
        int copied;

        /**
         * {@code len} bytes of {@code data} from {@code off} (not copied: read when the SYN is built);
         * {@code data} null stands for a buffer the kernel cannot read (an invalid user pointer).
         */
        public Request(byte[] data, int off, int len) {
            this.data = data;
            this.off = off;
            this.len = len;
        }

        /** The bytes the SYN carries (fo->copied). */
        public int copied() { return copied; }
    }

    /** The per-host cache: one entry per server address (tcp_metrics keys by address). */
    static final class Cache {
        private final Map<Integer, Entry> entries = new HashMap<>();

        Entry get(int addr) { return entries.get(addr); }

        Entry getOrCreate(int addr) { return entries.computeIfAbsent(addr, a -> new Entry()); }

        /** ip tcp_metrics flush. */
        void clear() { entries.clear(); }
    }
}
