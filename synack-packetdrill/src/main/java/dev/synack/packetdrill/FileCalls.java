package dev.synack.packetdrill;

import dev.synack.packetdrill.Event.SyscallEvent;
import dev.synack.tcp.Errno;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The files a script opens to send them (open, and the file side of sendfile): a file its commands made
 * ({@code dd if=/dev/zero of=FILE}, kept in {@link Commands.HostSetup#files}) or one on the machine,
 * read-only. A file's descriptor is the runner's own, from {@link #FIRST_FD} up, apart from the host's
 * sockets (the script's number is mapped to it as for a socket).
 */
final class FileCalls {
    static final int FIRST_FD = 10_000;
    /** O_RDONLY, O_WRONLY, O_RDWR, O_CREAT (&lt;fcntl.h&gt;). */
    private static final int O_ACCMODE = 3, O_RDONLY = 0;

    private final Commands.HostSetup setup;
    /** An open file: its bytes and its offset. */
    private static final class Open {
        final byte[] bytes;
        long pos;

        Open(byte[] bytes) { this.bytes = bytes; }
    }

    private final Map<Integer, Open> open = new HashMap<>();
    private int next = FIRST_FD;

    FileCalls(Commands.HostSetup setup) { this.setup = setup; }

    boolean isFile(int fd) { return open.containsKey(fd); }

    /** open(path, O_RDONLY): a descriptor, or −ENOENT; writing is not modelled. */
    long open(SyscallEvent e) {
        if (!(e.args().getFirst() instanceof Expr.Str(String path, boolean prefix)) || prefix) {
            throw new UnsupportedOperationException("open " + e.args().getFirst());
        }
        int flags = e.args().size() > 1 ? (int) MsgCalls.value(e.args().get(1)) : 0;
        if ((flags & O_ACCMODE) != O_RDONLY || flags != O_RDONLY) throw new UnsupportedOperationException("open for writing");
        byte[] b = setup.readFile(path);
        if (b == null) return -Errno.ENOENT.number();
        open.put(next, new Open(b));
        return next++;
    }

    int close(int fd) { return open.remove(fd) == null ? -Errno.EBADF.number() : 0; }

    /**
     * The bytes sendfile reads: {@code count} at most from {@code offset} (or, when null, from the
     * file's own offset, which then moves on); null for a descriptor that is not an open file.
     */
    byte[] read(int fd, Long offset, int count) {
        Open f = open.get(fd);
        if (f == null) return null;
        long from = offset != null ? offset : f.pos;
        int n = (int) Math.max(0, Math.min(count, f.bytes.length - from));
        if (offset == null) f.pos += n;
        return Arrays.copyOfRange(f.bytes, (int) Math.min(from, f.bytes.length), (int) Math.min(from, f.bytes.length) + n);
    }
}
