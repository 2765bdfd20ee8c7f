/**
 * Congestion control, shaped like Linux's {@code struct tcp_congestion_ops} (include/net/tcp.h): the
 * part of TCP that Linux makes pluggable (tcp_congestion_control, TCP_CONGESTION).
 *
 * <p>Map: {@link dev.synack.tcp.cc.CongestionControl} is the interface and the registry of names;
 * {@link dev.synack.tcp.cc.Cwnd} is the window it reads and writes (snd_cwnd, snd_ssthresh,
 * snd_cwnd_cnt, with tcp_slow_start and tcp_cong_avoid_ai); {@link dev.synack.tcp.cc.Cubic} (RFC 9438
 * with HyStart, Linux's default) and {@link dev.synack.tcp.cc.Reno} (RFC 5681) are the algorithms.
 * Loss detection and recovery (when to reduce, PRR, undo) are not here: Linux has one machine for
 * them, the connection's {@code LossRecovery} in {@code dev.synack.tcp}, which calls the algorithm's
 * ssthresh, cong_avoid, undo_cwnd, set_state(Loss) and pkts_acked hooks.
 *
 * <p>To add an algorithm: implement {@code CongestionControl} here and name it in
 * {@code CongestionControl.names()} and {@code create()}; the sysctl, TCP_CONGESTION, the CLI's
 * {@code --cc} and the experiments pick it up from there.
 */
package dev.synack.tcp.cc;
