package dev.synack.socket;

/** What a descriptor of {@link PosixSockets} refers to: a socket or an epoll instance. */
sealed interface OpenFile permits KernelSocket, Epoll {}
