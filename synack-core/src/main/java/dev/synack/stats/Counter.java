package dev.synack.stats;

/**
 * The stack's counters, named as Linux's nstat prints them (/proc/net/snmp and /proc/net/netstat).
 */
public enum Counter {
    IpInReceives, IpInHdrErrors, IpInAddrErrors, IpInUnknownProtos, IpInDelivers, IpOutRequests,
    IpOutNoRoutes, IpReasmFails, IpExtInTruncatedPkts, IpExtInCsumErrors,
    IpExtInNoECTPkts, IpExtInECT1Pkts, IpExtInECT0Pkts, IpExtInCEPkts,
    IcmpInMsgs, IcmpInErrors, IcmpInDestUnreachs, IcmpInCsumErrors, IcmpOutMsgs, IcmpOutDestUnreachs,
    TcpActiveOpens, TcpPassiveOpens, TcpAttemptFails, TcpEstabResets, TcpCurrEstab, TcpInSegs, TcpOutSegs,
    TcpRetransSegs, TcpInErrs, TcpOutRsts, TcpInCsumErrors,
    TcpExtSyncookiesSent, TcpExtSyncookiesRecv, TcpExtSyncookiesFailed, TcpExtEmbryonicRsts, TcpExtListenOverflows, TcpExtListenDrops,
    TcpExtTW, TcpExtPAWSEstab, TcpExtDelayedACKs, TcpExtDelayedACKLost, TcpExtTCPPureAcks,
    TcpExtTCPHPAcks, TcpExtTCPSackRecovery, TcpExtTCPRenoRecovery, TcpExtTCPFastRetrans,
    TcpExtTCPSlowStartRetrans, TcpExtTCPLossProbes, TcpExtTCPLossProbeRecovery, TcpExtTCPTimeouts,
    TcpExtTCPSynRetrans, TcpExtTCPAbortOnData, TcpExtTCPAbortOnClose, TcpExtTCPAbortOnLinger,
    TcpExtTCPAbortOnTimeout, TcpExtTCPAbortOnMemory, TcpExtTCPDSACKOldSent, TcpExtTCPDSACKOfoSent,
    TcpExtTCPDSACKRecv, TcpExtTCPSACKReneging, TcpExtTCPOFOQueue, TcpExtTCPOFODrop, TcpExtTCPRcvQDrop,
    TcpExtTCPChallengeACK, TcpExtTCPSYNChallenge, TcpExtTCPACKSkippedSeq, TcpExtTCPACKSkippedPAWS, TcpExtTCPACKSkippedChallenge,
    TcpExtTCPWinProbe, TcpExtTCPKeepAlive, TcpExtTCPZeroWindowDrop, TcpExtTCPRcvCoalesce,
    TcpExtTCPToZeroWindowAdv, TcpExtTCPFromZeroWindowAdv, TcpExtTCPWantZeroWindowAdv,
    TcpExtTCPSpuriousRTOs, TcpExtTCPLossUndo, TcpExtTCPFullUndo, TcpExtTCPPartialUndo,
    TcpExtTCPDSACKUndo, TcpExtTCPLostRetransmit, TcpExtTCPSACKReorder, TcpExtTCPTSReorder,
    TcpExtTCPDSACKOfoRecv, TcpExtTCPDSACKRecvSegs, TcpExtTCPDSACKIgnoredDubious, TcpExtTCPRetransFail,
    TcpExtTCPReqQFullDoCookies, TcpExtTCPReqQFullDrop, TcpExtTCPDelivered, TcpExtTCPDeliveredCE,
    TcpExtPruneCalled, TcpExtRcvPruned, TcpExtOfoPruned, TcpExtTCPRcvCollapsed, TcpExtTCPMemoryPressures,
    TcpExtTCPMD5Unexpected,
    /** An ICMP error quoting a sequence number the connection does not have outstanding (tcp_v4_err, tcp_req_err). */
    TcpExtOutOfWindowIcmps,
    /** A SYN-ACK whose TS ecr is not a time since our first SYN (tcp_rcv_synsent_state_process; LINUX_MIB_PAWSACTIVEREJECTED). */
    TcpExtPAWSActive,
    TcpExtTCPFastOpenActive, TcpExtTCPFastOpenActiveFail, TcpExtTCPFastOpenPassive, TcpExtTCPFastOpenPassiveFail,
    TcpExtTCPFastOpenPassiveAltKey, TcpExtTCPFastOpenListenOverflow, TcpExtTCPFastOpenCookieReqd,
    TcpExtTCPFastOpenBlackhole,
    /** synack's own (Linux has none): packets dropped because storage for them could not be allocated. */
    SynackInNoMemDrops,
    /** synack's own: packets dropped because handling them threw (a bug in synack; see Stack.lastInternalError). */
    SynackInInternalErrors
}
