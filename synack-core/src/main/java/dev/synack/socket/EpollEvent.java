package dev.synack.socket;

/**
 * {@code struct epoll_event}: the events (EPOLLIN, EPOLLOUT, ... and, in epoll_ctl, EPOLLET,
 * EPOLLONESHOT, EPOLLEXCLUSIVE) and the caller's 64-bit data (fd, u32, u64 or ptr), given back as is.
 */
public record EpollEvent(int events, long data) {}
