/**
 * TCP as Linux 6.18 runs it (RFC 9293 with Linux's defaults, timings and choices), split by concern
 * the way Linux splits net/ipv4 into tcp.c, tcp_input.c, tcp_output.c and tcp_timer.c.
 *
 * <p>Read first: {@link dev.synack.tcp.TcpConnection} (the face the socket layer calls, with the map
 * of the collaborators), then {@code Tcb} (the state they share), then {@code SegmentArrival} (a
 * segment's way through RFC 9293 §3.10.7's checks, which calls everything else in order).
 *
 * <pre>
 *  TcpDemux (tcp_v4_rcv: tables, listeners, ports, RST for no socket) ── TcpListener (SYN/accept queues,
 *     │                                                       SYN cookies: SynCookies)
 *     │ onSegment / icmpError / forget                        TcpHost: what TCP needs of the IP layer
 *     ▼
 *  TcpConnection ── application calls (send, receive, shutdown, close, setsockopt, tcp_info)
 *     │ owns one Tcb and, built once per connection:
 *     ├─ Handshake        connect, SYN-SENT, SYN_RECV's ACK, options, tcp_init_transfer
 *     ├─ SegmentArrival   §3.10.7 in order: PAWS, sequence, RST, SYN, ACK, text; TIME_WAIT; ICMP
 *     ├─ AckProcessor     tcp_ack → one AckSample → LossRecovery.onAck (once per ACK)
 *     │    ├─ SackScoreboard  SACK/D-SACK tagging, reordering degree, per-segment delivery
 *     │    ├─ LossRecovery    Open/Disorder/CWR/Recovery/Loss, PRR, undo, F-RTO (→ cc.CongestionControl)
 *     │    ├─ Rack            RFC 8985 time-based loss detection
 *     │    └─ LossProbe       the tail loss probe's episode (RFC 8985 §7)
 *     ├─ Receiver         tcp_data_queue, tcp_fin, receive-buffer tuning, reads
 *     │    ├─ ReceiveWindow   the window we offer (tcp_select_window)
 *     │    └─ DelayedAck      when to ACK (icsk_ack, the delayed-ACK timer)
 *     ├─ Sender           tcp_sendmsg, tcp_write_xmit, retransmission, window probes
 *     │    └─ SegmentWriter   every segment we send (tcp_transmit_skb)
 *     ├─ RetransmitTimer  RTO, TLP, RACK reordering and persist timers; write timeout
 *     ├─ Keepalive        SO_KEEPALIVE
 *     └─ Lifecycle        tcp_set_state, tcp_done, TIME_WAIT, waking the application
 *  data structures: RetransmitQueue (the scoreboard's marks, indexed for RACK, retransmission and SACK
 *                   walks), RingBuffer, Assembler, SlotTree (their balanced tree), ConnTable and
 *                   LongCounts (the demux's tables), RttEstimator, Seq
 *  values: InSegment (one parsed segment, reused), TcpInfo, TcpState, ConnectionId, Errno, TcpConfig,
 *          SendReason (why a segment goes), TcpDropReason (why a received one is dropped)
 * </pre>
 *
 * <p>Rules: single-threaded and lock-free; time comes from the host's scheduler (instants in ns,
 * durations with their unit in the name); nothing is allocated per segment (collaborators are final
 * objects built once per connection, {@code InSegment} and {@code AckSample} are reused); a
 * collaborator reads and writes the {@code Tcb} and calls the others' methods, never their fields.
 * Where Linux and an RFC differ, the code does what Linux does and the comment names both.
 *
 * <p>Where to add: a TCP option — {@code wire.TcpOptions}/{@code TcpOptionWriter} for the bytes,
 * {@code InSegment.parse} for what a received one says, {@code Handshake.negotiateOptions} for its
 * agreement, {@code SegmentWriter} for sending it; a congestion control — {@link dev.synack.tcp.cc};
 * a sysctl — {@code TcpConfig}; a counter — {@code stats.Counter}; why a segment goes or is dropped —
 * a {@link dev.synack.tcp.SendReason} or {@link dev.synack.tcp.TcpDropReason} passed where the
 * decision is made (docs/ARCHITECTURE.md, "Why each segment goes").
 */
package dev.synack.tcp;
