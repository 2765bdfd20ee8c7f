/**
 * java.nio over synack: a {@link java.nio.channels.spi.SelectorProvider} ({@link dev.synack.nio.SynackSelectorProvider})
 * whose SocketChannels, ServerSocketChannels and Selectors run on synack hosts, so that NIO code and libraries
 * built on NIO (the JDK's HttpClient, Netty) run over the simulated network unchanged.
 *
 * <p>A channel is a {@link dev.synack.socket.TcpSocket} (or {@link dev.synack.socket.TcpServerSocket}) seen
 * through NIO; a selector waits on the host's runtime for any of its sockets to change (virtual time in the lab)
 * and reads each key's readiness from the socket's poll mask (Linux's tcp_poll). See
 * {@link dev.synack.nio.SynackSelectorProvider} for what runs in virtual time and what needs a
 * {@link dev.synack.runtime.RealtimeRuntime}.
 */
package dev.synack.nio;
