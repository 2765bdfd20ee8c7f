package dev.synack.nio;

import dev.synack.runtime.Runtime;
import dev.synack.socket.PollTarget;

/** A synack channel as its selector sees it: the socket it polls and how the socket's events become ready ops. */
sealed interface SynackChannel permits SynackSocketChannel, SynackServerSocketChannel {
    /** The synack socket under the channel. */
    PollTarget target();

    /** The runtime the channel's calls run on. */
    Runtime runtime();

    /**
     * The ready ops for the socket's poll mask and the key's interest set, as the JDK's
     * translateReadyOps makes them on Linux: POLLERR or POLLHUP make every interest op ready (the call
     * then reports the error); 0 when nothing asked for is ready.
     */
    int readyOps(int pollMask, int interestOps);
}
