package dev.synack.tun;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The little servers {@code synack tun serve} offers, one virtual thread per connection, written on
 * synack's sockets ({@link TcpSocket}, java.net semantics): echo (RFC 862), discard (RFC 863) and a
 * one-page HTTP/1.1 server.
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

    /** Accepts until the server socket is closed, serving each connection on a virtual thread. */
    public static void serve(TcpServerSocket server, Kind kind) {
        while (true) {
            TcpSocket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                return; // "Socket closed"
            }
            Thread.ofVirtual().name("synack-" + kind.name().toLowerCase(Locale.ROOT)).start(() -> {
                try {
                    switch (kind) {
                        case ECHO -> echo(c);
                        case DISCARD -> discard(c);
                        case HTTP -> http(c, "hello from synack\n");
                    }
                } catch (IOException e) {
                    abort(c);
                }
            });
        }
    }

    /** close() with SO_LINGER {on, 0}: a RST. */
    static void abort(TcpSocket c) {
        try {
            c.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        c.close();
    }

    /** Echo: everything back, then a FIN after the peer's. */
    public static void echo(TcpSocket c) throws IOException {
        byte[] buf = new byte[65536];
        InputStream in = c.getInputStream();
        OutputStream out = c.getOutputStream();
        int n;
        while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
        c.close();
    }

    /** Discard: read to the end of stream; returns the byte count. */
    public static long discard(TcpSocket c) throws IOException {
        byte[] buf = new byte[65536];
        InputStream in = c.getInputStream();
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) total += n;
        c.close();
        return total;
    }

    /**
     * HTTP/1.1: reads one request head (up to 16 KB, 30 s), answers 200 with {@code body} for GET / HEAD
     * (405 for other methods) and closes the connection ("Connection: close").
     *
     * @return the request line, or null when the peer sent no complete head
     */
    public static String http(TcpSocket c, String body) throws IOException {
        byte[] head = new byte[16384];
        int len = 0;
        int end = -1;
        c.setSoTimeout(30_000);
        InputStream in = c.getInputStream();
        try {
            while (end < 0 && len < head.length) {
                int n = in.read(head, len, head.length - len);
                if (n <= 0) break;
                len += n;
                end = indexOf(head, len, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        } catch (SocketTimeoutException e) {
            // no complete head in time
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
        OutputStream out = c.getOutputStream();
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) out.write(content);
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
