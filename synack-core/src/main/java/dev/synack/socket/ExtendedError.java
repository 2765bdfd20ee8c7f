package dev.synack.socket;

/**
 * Linux's {@code struct sock_extended_err} (include/uapi/linux/errqueue.h): what one message of a
 * socket's error queue says, read with {@code recvmsg(MSG_ERRQUEUE)} in an {@code IP_RECVERR} control
 * message. synack queues two kinds: MSG_ZEROCOPY completions ({@link #zerocopy}) and SO_TIMESTAMPING
 * transmit timestamps ({@link #timestamp}).
 *
 * @param errno ee_errno: 0 for a zero-copy completion, ENOMSG (42) for a timestamp
 * @param origin ee_origin: {@link #ORIGIN_ZEROCOPY}, {@link #ORIGIN_TIMESTAMPING}, ...
 * @param type ee_type
 * @param code ee_code: {@link #CODE_ZEROCOPY_COPIED} when the data was copied after all
 * @param info ee_info: the first notification id of a completed range, or SCM_TSTAMP_* of a timestamp
 * @param data ee_data: the last id of the range, or the timestamped byte's offset (SOF_TIMESTAMPING_OPT_ID)
 */
public record ExtendedError(int errno, int origin, int type, int code, long info, long data) {
    /** SO_EE_ORIGIN_NONE, _LOCAL, _ICMP, _ICMP6, _TXSTATUS = _TIMESTAMPING, _ZEROCOPY, _TXTIME. */
    public static final int ORIGIN_NONE = 0, ORIGIN_LOCAL = 1, ORIGIN_ICMP = 2, ORIGIN_ICMP6 = 3,
            ORIGIN_TIMESTAMPING = 4, ORIGIN_ZEROCOPY = 5, ORIGIN_TXTIME = 6;
    /** SO_EE_CODE_ZEROCOPY_COPIED: the kernel fell back to copying the data (always so in synack). */
    public static final int CODE_ZEROCOPY_COPIED = 1;
    /** SCM_TSTAMP_SND, SCM_TSTAMP_SCHED, SCM_TSTAMP_ACK: which point of the path a timestamp marks (ee_info). */
    public static final int SCM_TSTAMP_SND = 0, SCM_TSTAMP_SCHED = 1, SCM_TSTAMP_ACK = 2;
    /** ENOMSG, the ee_errno of a timestamp. */
    public static final int ENOMSG = 42;

    /** The completion of the MSG_ZEROCOPY sends {@code lo..hi} (ee_info, ee_data; a range of u32 ids). */
    public static ExtendedError zerocopy(long lo, long hi, boolean copied) {
        return new ExtendedError(0, ORIGIN_ZEROCOPY, 0, copied ? CODE_ZEROCOPY_COPIED : 0, lo, hi);
    }

    /** A transmit timestamp of kind {@code scmTstamp} for the byte at offset {@code key} (0 without OPT_ID). */
    public static ExtendedError timestamp(int scmTstamp, long key) {
        return new ExtendedError(ENOMSG, ORIGIN_TIMESTAMPING, 0, 0, scmTstamp, key);
    }
}
