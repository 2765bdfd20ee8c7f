package dev.synack.tcp;

/**
 * What one ACK did, as tcp_ack gathers it for loss recovery and congestion control: Linux's
 * {@code flag} word (the FLAG_* bits of net/ipv4/tcp_input.c) and the counts of its
 * {@code rate_sample}. {@link AckProcessor} fills one reused instance per connection, the
 * {@link SackScoreboard} adds what the SACK blocks showed, and {@link LossRecovery#onAck} reads it
 * once. It is never kept past the ACK.
 */
final class AckSample {
    static final int FLAG_DATA_SACKED = 0x20, FLAG_ECE = 0x40, FLAG_LOST_RETRANS = 0x80, FLAG_ORIG_SACK_ACKED = 0x200,
            FLAG_SND_UNA_ADVANCED = 0x400, FLAG_DSACKING_ACK = 0x800, FLAG_SET_XMIT_TIMER = 0x1000,
            FLAG_SACK_RENEGING = 0x2000, FLAG_DSACK_TLP = 0x20000;

    /** The FLAG_* bits. */
    int flags;
    /** SND.UNA before this ACK (prior_snd_una). */
    int priorUna;
    /** Segments this ACK newly SACKed, cumulatively ACKed (packets removed), and D-SACKed. */
    int newlySacked, ackedPackets, dsackSegs;
    /** Of the cumulatively ACKed segments, those not SACKed before (delivered by this ACK). */
    int newlyAcked;
    /** Duplicate ACKs counted without SACK before this ACK (Reno's sacked_out). */
    int priorDupAcks;
    /** The lowest original transmission the cumulative ACK covers (tcp_clean_rtx_queue's reord). */
    int ackedReord;
    /** tcp_ack's num_dupack &gt; 0: a pure duplicate (nothing advanced, no data, no window change). */
    boolean dupAck;
    /** The ACK advanced SND.UNA, carried data or updated the window (FLAG_NOT_DUP). */
    boolean notDup;

    /** A new ACK: everything cleared. */
    void start(int priorUna, boolean advanced, int sndNxt, int priorDupAcks) {
        this.flags = advanced ? FLAG_SND_UNA_ADVANCED : 0;
        this.priorUna = priorUna;
        this.newlySacked = 0;
        this.ackedPackets = 0;
        this.dsackSegs = 0;
        this.newlyAcked = 0;
        this.priorDupAcks = priorDupAcks;
        this.ackedReord = sndNxt;
        this.dupAck = false;
        this.notDup = false;
    }

    boolean has(int flag) { return (flags & flag) != 0; }

    void set(int flag) { flags |= flag; }

    void clear(int flag) { flags &= ~flag; }

    boolean advanced() { return has(FLAG_SND_UNA_ADVANCED); }
}
