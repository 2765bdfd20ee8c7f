package dev.synack.socket;

import java.util.List;

/**
 * What recvmsg() returns: the result (bytes, or −errno), msg_flags (MSG_ERRQUEUE, MSG_TRUNC,
 * MSG_CTRUNC ...) and the control messages that fitted the caller's msg_controllen.
 */
public record RecvMsg(int result, int flags, List<Cmsg> control) {
    public RecvMsg {
        control = List.copyOf(control);
    }

    /** A failed call: −errno, no flags, no control messages. */
    static RecvMsg error(int errno) { return new RecvMsg(errno, 0, List.of()); }
}
