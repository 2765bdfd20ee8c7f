package dev.synack.socket;

/**
 * One control message recvmsg() returns (a {@code struct cmsghdr} and its data), as Linux 6.18 puts
 * them: {@link Inq} (TCP_INQ), {@link Timestamping} and {@link RecvErr} (the error queue).
 */
public sealed interface Cmsg {
    /** cmsg_level. */
    int level();

    /** cmsg_type. */
    int type();

    /** The size of the data (CMSG_LEN(size) is cmsg_len). */
    int dataSize();

    /** CMSG_LEN: the header (16 bytes on x86-64) and the data. */
    default int len() { return 16 + dataSize(); }

    /** CMSG_SPACE: {@link #len} padded to 8 bytes, what it takes of the control buffer. */
    default int space() { return 16 + ((dataSize() + 7) & ~7); }

    /** SOL_TCP / TCP_CM_INQ: the bytes still to be read after this call (tcp_inq_hint), an int. */
    record Inq(int bytes) implements Cmsg {
        @Override public int level() { return PosixSockets.SOL_TCP; }
        @Override public int type() { return PosixSockets.TCP_CM_INQ; }
        @Override public int dataSize() { return 4; }
    }

    /**
     * SOL_SOCKET / SCM_TIMESTAMPING: {@code struct scm_timestamping}, three timespecs; synack fills the
     * first, the software stamp (the host's clock in ns), and leaves the legacy and hardware ones 0.
     */
    record Timestamping(long softwareNs) implements Cmsg {
        @Override public int level() { return PosixSockets.SOL_SOCKET; }
        @Override public int type() { return PosixSockets.SCM_TIMESTAMPING; }
        @Override public int dataSize() { return 48; }
    }

    /**
     * SOL_IP / IP_RECVERR: the {@link ExtendedError} and the offender's address (ip_recv_error's
     * errhdr: sock_extended_err and a sockaddr_in, 32 bytes; the address is AF_UNSPEC for the origins
     * synack queues).
     */
    record RecvErr(ExtendedError error) implements Cmsg {
        @Override public int level() { return PosixSockets.SOL_IP; }
        @Override public int type() { return PosixSockets.IP_RECVERR; }
        @Override public int dataSize() { return 32; }
    }
}
