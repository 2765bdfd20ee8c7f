package dev.synack.tcp;

/**
 * The congestion-avoidance state of a connection (Linux's icsk_ca_state, include/net/tcp.h TCP_CA_*;
 * tcpi_ca_state is the ordinal): Open, Disorder (SACKs or duplicate ACKs, no loss yet), CWR (cwnd
 * reduced for a local drop or ECN), Recovery (fast recovery) and Loss (after an RTO).
 */
public enum CaState { OPEN, DISORDER, CWR, RECOVERY, LOSS }
