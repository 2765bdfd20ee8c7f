package dev.synack.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code inside a named network namespace ({@code ip netns add NAME}): a fresh platform thread
 * joins the namespace with setns(2) (a network namespace belongs to a thread, not to the process),
 * runs the code and ends. Sockets created there stay in that namespace and may be used from any
 * thread afterwards — so a JVM can hold the kernel's side of a test (java.net sockets) in a namespace
 * while synack runs in the root one.
 */
public final class Netns {
    private Netns() {}

    /** Runs {@code body} in namespace {@code name} (/run/netns/NAME) and returns its result. */
    public static <T> T call(String name, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                enter(name);
                result.set(body.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) throw failure.get();
        return result.get();
    }

    /**
     * Moves the calling thread into namespace {@code name} for good: sockets it makes from now on are
     * that namespace's. For a platform thread that belongs to the namespace (a virtual thread's carrier
     * would change under it).
     */
    public static void enter(String name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.captureSegment(a);
            int fd = (int) Libc.OPEN.invokeExact(err, a.allocateFrom("/run/netns/" + name), Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (fd < 0) throw new IOException("open /run/netns/" + name + ": " + Libc.describe(Libc.errno(err)));
            int rc = (int) Libc.SETNS.invokeExact(err, fd, Libc.CLONE_NEWNET);
            int e = Libc.errno(err);
            int ignored = (int) Libc.CLOSE.invokeExact(err, fd);
            if (rc < 0) throw new IOException("setns " + name + ": " + Libc.describe(e));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("downcall failed: " + t, t);
        }
    }
}
