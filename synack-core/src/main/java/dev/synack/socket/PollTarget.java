package dev.synack.socket;

/** A socket {@link Poller} can wait on: a {@link TcpSocket} or a {@link TcpServerSocket}. */
public sealed interface PollTarget permits TcpSocket, TcpServerSocket {
    /** The kernel the socket belongs to. */
    Kernel kernel();
}
