package dev.synack.tun;

import dev.synack.tcp.ErrnoException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The little servers {@code synack tun serve} offers, one thread per connection: echo (RFC 862),
 * discard (RFC 863) and a one-page HTTP/1.1 server.
 */
public final class TunServices {
    private TunServices() {}

    /** The server kinds. */
    public enum Kind { ECHO, DISCARD, HTTP }

    /** Parses "echo" / "discard" / "http" (any case); null if it is none of them. */
    public static Kind kind(String s) {
        try {
            return Kind.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Accepts until the listener closes or the thread is interrupted, serving each connection on a virtual thread. */
    public static void serve(BlockingListener listener, Kind kind) throws InterruptedException {
        while (true) {
            BlockingConnection c = listener.accept(TimeUnit.SECONDS.toNanos(1));
            if (c == null) {
                if (Thread.currentThread().isInterrupted()) return;
                continue;
            }
            Thread.ofVirtual().name("synack-" + kind.name().toLowerCase(Locale.ROOT)).start(() -> {
                try {
                    switch (kind) {
                        case ECHO -> echo(c);
                        case DISCARD -> discard(c);
                        case HTTP -> http(c, "hello from synack\n");
                    }
                } catch (ErrnoException | InterruptedException e) {
                    c.abort();
                }
            });
        }
    }

    /** Echo: everything back, then a FIN after the peer's. */
    public static void echo(BlockingConnection c) throws ErrnoException, InterruptedException {
        byte[] buf = new byte[65536];
        int n;
        while ((n = c.read(buf, 0, buf.length)) > 0) c.write(buf, 0, n);
        c.close();
    }

    /** Discard: read to the end of stream; returns the byte count. */
    public static long discard(BlockingConnection c) throws ErrnoException, InterruptedException {
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = c.read(buf, 0, buf.length)) > 0) total += n;
        c.close();
        return total;
    }

    /**
     * HTTP/1.1: reads one request head (up to 16 KB), answers 200 with {@code body} for GET / HEAD
     * (405 for other methods) and closes the connection ("Connection: close").
     *
     * @return the request line, or null when the peer sent no complete head
     */
    public static String http(BlockingConnection c, String body) throws ErrnoException, InterruptedException {
        byte[] head = new byte[16384];
        int len = 0;
        int end = -1;
        while (end < 0 && len < head.length) {
            int n = c.read(head, len, head.length - len, TimeUnit.SECONDS.toNanos(30));
            if (n <= 0) break;
            len += n;
            end = indexOf(head, len, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        if (end < 0) {
            c.close();
            return null;
        }
        String request = new String(head, 0, end, StandardCharsets.ISO_8859_1);
        String requestLine = request.lines().findFirst().orElse("");
        String method = requestLine.split(" ", 2)[0];
        boolean ok = method.equals("GET") || method.equals("HEAD");
        byte[] content = (ok ? body : "method not allowed\n").getBytes(StandardCharsets.UTF_8);
        String response = (ok ? "HTTP/1.1 200 OK" : "HTTP/1.1 405 Method Not Allowed") + "\r\n"
                + "Server: synack\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + content.length + "\r\nConnection: close\r\n\r\n";
        byte[] r = response.getBytes(StandardCharsets.ISO_8859_1);
        c.write(r, 0, r.length);
        if (!method.equals("HEAD")) c.write(content, 0, content.length);
        c.close();
        return requestLine;
    }

    private static int indexOf(byte[] b, int len, byte[] pat) {
        outer:
        for (int i = 0; i + pat.length <= len; i++) {
            for (int j = 0; j < pat.length; j++) if (b[i + j] != pat[j]) continue outer;
            return i;
        }
        return -1;
    }
}
