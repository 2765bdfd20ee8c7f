/**
 * Sockets for Java developers, over synack hosts.
 *
 * <h2>Map</h2>
 * <ul>
 *   <li>{@link dev.synack.socket.Kernel}: read first. A host's kernel as applications reach it = a
 *       {@link dev.synack.runtime.Runtime} + a {@link dev.synack.stack.Stack}; every socket is made on
 *       one. {@link dev.synack.testbed.Veth#connect} joins two in memory; the lab's hosts and the TUN
 *       module hand out theirs ({@code kernel()}).</li>
 *   <li>{@link dev.synack.socket.TcpSocket} / {@link dev.synack.socket.TcpServerSocket}: java.net names,
 *       blocking semantics and exceptions (same types and messages as the JDK on Linux, each with
 *       {@link dev.synack.socket.ErrnoCarrier#errno()}), plus setKeepAliveParams, setUserTimeout,
 *       setSendTimeout (SO_SNDTIMEO) and tcpInfo().</li>
 *   <li>{@link dev.synack.socket.SynackSocketFactory} / {@link dev.synack.socket.SynackServerSocketFactory}:
 *       javax.net factories returning java.net.Socket / ServerSocket subclasses, so a library that takes
 *       a SocketFactory (OkHttp, ...) runs unchanged over synack. Their no-arg constructors bind to
 *       {@link dev.synack.socket.Kernel#current()} (configuration by class name, e.g. JDBC's
 *       {@code socketFactory=}); {@code createSocket(String host, ...)} resolves with the kernel's
 *       {@link dev.synack.socket.Kernel.Resolver} (the lab's name table for lab hosts).</li>
 *   <li>{@link dev.synack.socket.Poller}: poll(2) over synack sockets, for non-blocking code.</li>
 *   <li>{@link dev.synack.socket.PosixSockets}: the fd-based, errno-returning system calls (socket, bind,
 *       listen, accept, connect, read, write, shutdown, close, setsockopt, getsockopt, fcntl, poll, ioctl
 *       SIOCINQ) with Linux's behaviour; the classes above sit on the same kernel socket, and the
 *       packetdrill runner plays scripts' calls through it.</li>
 *   <li>{@link dev.synack.socket.SocketStats#ss}: a host's sockets as {@code ss -tanoi} lists them.</li>
 * </ul>
 *
 * <h2>Example: two hosts in virtual time</h2>
 * <pre>{@code
 * VirtualRuntime rt = new VirtualRuntime();
 * Kernel client = Kernel.create(rt, "client", 1), server = Kernel.create(rt, "server", 2);
 * Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 10_000_000);  // 10 ms each way
 *
 * rt.spawn("echo", () -> {                                 // a simulated process: plain blocking code
 *     try (TcpServerSocket ss = new TcpServerSocket(server, 7);
 *          TcpSocket s = ss.accept()) {
 *         s.getInputStream().transferTo(s.getOutputStream());
 *     }
 * });
 *
 * try (TcpSocket s = new TcpSocket(client)) {              // the test thread drives the simulation
 *     s.connect(new InetSocketAddress("198.18.0.2", 7), 3000);
 *     s.getOutputStream().write("hello".getBytes());
 *     s.shutdownOutput();                                   // half-close: we still read the echo
 *     System.out.println(new String(s.getInputStream().readAllBytes()));
 * } catch (ConnectException e) {                           // "Connection refused"
 *     System.out.println(((ErrnoCarrier) e).errno());       // ECONNREFUSED
 * }
 * rt.runUntilDone(10_000_000_000L);
 * System.out.println(SocketStats.ss(client.stack()));      // TIME-WAIT ...
 * }</pre>
 *
 * <p>With a library that has threads of its own, use a {@link dev.synack.runtime.RealtimeRuntime} and
 * the factory: {@code new OkHttpClient.Builder().socketFactory(new SynackSocketFactory(client))}.
 *
 * <h2>Behaviour worth knowing</h2>
 * <ul>
 *   <li>Errors: connect → ConnectException "Connection refused" (ECONNREFUSED) / "Connection timed out"
 *       (ETIMEDOUT), SocketTimeoutException "Connect timed out" (EINPROGRESS), NoRouteToHostException
 *       (EHOSTUNREACH), SocketException "Network is unreachable" (ENETUNREACH); read →
 *       SocketTimeoutException "Read timed out" (EAGAIN), SocketException "Connection reset" (ECONNRESET,
 *       and again on every later read, as the JDK); write → "Connection reset by peer" first after a RST,
 *       then "Broken pipe" (EPIPE); bind → BindException "Address already in use" (EADDRINUSE).</li>
 *   <li>setOption/getOption/supportedOptions as the JDK's Linux sockets: the standard options and
 *       jdk.net.ExtendedSocketOptions TCP_KEEPIDLE/KEEPINTERVAL/KEEPCOUNT/QUICKACK, with the JDK's
 *       exceptions and messages ("Invalid argument", "'NAME' not supported"); SO_REUSEPORT is not modelled
 *       and refused.</li>
 *   <li>SO_RCVBUF/SO_SNDBUF are doubled and clamped as Linux does (rmem_max/wmem_max 212992; at least
 *       2304/4608), and take effect for a connection opened after they are set.</li>
 *   <li>SO_SNDTIMEO bounds a blocking connect as Linux does: EINPROGRESS when it passes, the SYNs go on,
 *       EALREADY on the next connect.</li>
 *   <li>A non-blocking connect that succeeded answers its next connect() with 0, then EISCONN (Linux).</li>
 *   <li>A socket created in a simulated process is closed when the process is killed (FIN, or RST with
 *       unread data). Every call's result goes on the trace bus as a TraceEvent.AppCall.</li>
 *   <li>{@link PosixSockets} also has Linux's sendmsg/recvmsg with control messages ({@link Cmsg},
 *       {@link RecvMsg}), the error queue ({@code MSG_ERRQUEUE}: {@link ExtendedError}s of MSG_ZEROCOPY
 *       completions and SO_TIMESTAMPING transmit timestamps, see TxReports), TCP_INQ, and epoll
 *       ({@link EpollEvent}; level, edge, oneshot, exclusive), as docs/PACKETDRILL.md describes.</li>
 *   <li>Not yet: IPv6, UDP, one descriptor table per host rather than per process, resizing buffers of
 *       an open connection, SO_RCVLOWAT, urgent data.</li>
 * </ul>
 */
package dev.synack.socket;
