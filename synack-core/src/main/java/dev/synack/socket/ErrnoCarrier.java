package dev.synack.socket;

import dev.synack.tcp.Errno;

/**
 * Implemented by every exception the synack socket classes throw: the java.net type and message a
 * Java developer expects, plus the Linux errno behind it.
 */
public interface ErrnoCarrier {
    /** The Linux errno the failed call returned (EAGAIN for a read timeout, EINPROGRESS for a connect timeout). */
    Errno errno();
}
