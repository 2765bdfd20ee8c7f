package dev.synack.wire;

/** Test helpers: an independent, deliberately naive RFC 1071 checksum and hex parsing. */
final class Ref {
    private Ref() {}

    /** RFC 1071 §4.1 taken literally: 16-bit words, an int sum folded at the end, odd byte padded. */
    static int checksum(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) total += p.length;
        byte[] all = new byte[total + 1];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        long sum = 0;
        for (int i = 0; i < total; i += 2) {
            sum += ((all[i] & 0xFF) << 8) + (all[i + 1] & 0xFF);
        }
        while (sum > 0xFFFF) sum = (sum >> 16) + (sum & 0xFFFF);
        return (int) (~sum & 0xFFFF);
    }

    /** TCP checksum of {@code seg} (checksum field as given) with the IPv4 pseudo-header. */
    static int tcpChecksum(int src, int dst, byte[] seg) {
        byte[] ph = {
            (byte) (src >>> 24), (byte) (src >>> 16), (byte) (src >>> 8), (byte) src,
            (byte) (dst >>> 24), (byte) (dst >>> 16), (byte) (dst >>> 8), (byte) dst,
            0, 6, (byte) (seg.length >>> 8), (byte) seg.length
        };
        return checksum(ph, seg);
    }

    /** Bytes from hex text; spaces and '|' are ignored. */
    static byte[] hex(String s) {
        String h = s.replace(" ", "").replace("|", "").replace("\n", "");
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
