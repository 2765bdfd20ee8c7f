/**
 * packetdrill scripts (Linux's own TCP tests) played against one simulated synack host in virtual
 * time; docs/PACKETDRILL.md says what is supported and where synack stands.
 *
 * <p>Read first: {@link dev.synack.packetdrill.Runner} (the entry point and the loop over events),
 * then {@link dev.synack.packetdrill.Timeline}, {@link dev.synack.packetdrill.Packets} and
 * {@link dev.synack.packetdrill.Syscalls}.
 *
 * <pre>
 *  script text ──Lexer──► Tokens ──Parser──► Script: options + Events (sealed)
 *                                   │          PacketEvent   a packet, SegmentSpec (wire.SegmentText's grammar)
 *                                   │          SyscallEvent  a call, its arguments as Expr
 *                                   │          CommandEvent  `shell command`
 *                                   │          CodeEvent     %{ python }%
 *                                   ▼          each at an EventTime (0.1, +0.1, *, ranges)
 *  Runner: options, the host (Stack + tun0 + PosixSockets over a RetryRuntime), one event at a time
 *    ├─ Timeline     when each event happens; the one virtual-time step; the blocked call retried
 *    ├─ Packets      script packets → bytes into the host; the host's packets (TSO view) matched
 *    │               against the script's, first mismatch as text
 *    ├─ Syscalls     the switch over call names → PosixSockets; fd map; results; blocking calls
 *    ├─ Shell        a little sh per `command`: variables, $(...), if, . and source, paths
 *    │  └─ Commands  sysctl, ethtool, tc (HostSetup; sysctls not modelled, listed once per run)
 *    └─ TcpInfoCode  assert/print over tcpi_* fields              (Quotes: its quoting)
 *  → Result (pass, or the first Failure: line, reason, message, expected, actual) ─Report─► summary
 * </pre>
 *
 * <p>Errors in the script itself are {@link dev.synack.packetdrill.ScriptException}s with
 * {@code path:line:column}; everything that makes a script fail while it runs is a
 * {@code Failure}, turned into a {@link dev.synack.packetdrill.Result}. Nothing here blocks or uses
 * threads: the runner drives the host's scheduler itself.
 */
package dev.synack.packetdrill;
