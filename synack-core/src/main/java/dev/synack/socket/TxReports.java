package dev.synack.socket;

import dev.synack.tcp.Seq;
import dev.synack.tcp.TcpConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What a socket reports about its sent bytes through its {@link ErrorQueue}: MSG_ZEROCOPY completions
 * and SO_TIMESTAMPING transmit timestamps, driven by the connection's {@link TcpConnection.SendProgress}.
 *
 * <p>MSG_ZEROCOPY (net/core/skbuff.c msg_zerocopy_*, net/ipv4/tcp.c tcp_sendmsg_locked): every send
 * call with MSG_ZEROCOPY on a socket with SO_ZEROCOPY that takes at least one byte gets the next
 * notification id (sk_zckey, a u32 from 0); a call that takes nothing (an error, 0 bytes) uses none
 * (msg_zerocopy_put_abort gives it back). The id completes when all its bytes are acknowledged: the
 * skbs holding them are freed then. synack always copies the data into its send buffer, so every
 * completion says SO_EE_CODE_ZEROCOPY_COPIED — which is also what Linux says over packetdrill's tun
 * device, whose transmit path copies the pages.
 *
 * <p>SO_TIMESTAMPING (tcp_tx_timestamp, __skb_tstamp_tx, tcp_ack_tstamp): a send call that takes bytes
 * while one of SOF_TIMESTAMPING_TX_SCHED / TX_SOFTWARE / TX_ACK is set asks for timestamps of its last
 * byte. SCM_TSTAMP_SCHED then SCM_TSTAMP_SND come each time the segment holding that byte goes to the
 * device (Linux stamps retransmissions too: the clone keeps the skb's tx_flags), SCM_TSTAMP_ACK when
 * the byte is acknowledged. With SOF_TIMESTAMPING_OPT_ID ee_data is the byte's offset from sk_tskey
 * (SND.UNA when OPT_ID was set, or the write sequence with OPT_ID_TCP); OPT_TSONLY queues the message
 * without the packet's bytes. Linux keeps one timestamp key per skb: a write joining an unsent skb
 * overwrites the key of the write before it, whose timestamps are then never made; synack drops an
 * earlier request whose byte was not yet sent when a new one comes (Linux's skb boundaries are not
 * modelled: a request is kept when Linux would have started a new skb for the new write).
 */
final class TxReports implements TcpConnection.SendProgress {
    /** SOF_TIMESTAMPING_TX_HARDWARE | TX_SOFTWARE | TX_SCHED | TX_ACK: the flags that ask for transmit timestamps. */
    static final int TX_RECORD_MASK = PosixSockets.SOF_TIMESTAMPING_TX_HARDWARE | PosixSockets.SOF_TIMESTAMPING_TX_SOFTWARE
            | PosixSockets.SOF_TIMESTAMPING_TX_SCHED | PosixSockets.SOF_TIMESTAMPING_TX_ACK;

    private final KernelSocket sock;

    /** sk_zckey: the id the next zero-copy send gets (a u32). */
    private long zckey;

    /** A zero-copy send not yet completed: its id, done when SND.UNA reaches {@code endSeq}. */
    private record ZeroCopySend(int endSeq, long id) {}

    private final ArrayDeque<ZeroCopySend> zerocopy = new ArrayDeque<>();

    /** sk_tskey: the sequence number OPT_ID counts from. */
    int tskeySeq;

    /** A timestamp request: the byte ({@code keySeq}), the flags of its write, whether it was sent yet. */
    private static final class Request {
        final int keySeq;
        final int txFlags;
        boolean sent;
        int lastLen;

        Request(int keySeq, int txFlags) {
            this.keySeq = keySeq;
            this.txFlags = txFlags;
        }
    }

    private final List<Request> requests = new ArrayList<>();

    /** Inside a send call: the segments sent so far in it, replayed to the call's request at its end. */
    private boolean writing;
    private final List<long[]> sentInCall = new ArrayList<>();

    TxReports(KernelSocket sock) { this.sock = sock; }

    /** A send call begins (before its first byte reaches the connection). */
    void beginWrite() {
        writing = true;
        sentInCall.clear();
    }

    /**
     * A send call ends, having taken {@code bytes} (≤ 0: none) of which the last is at
     * {@code writeSeq − 1}; {@code zerocopy}: it was a MSG_ZEROCOPY send on an SO_ZEROCOPY socket.
     */
    void endWrite(int bytes, int writeSeq, boolean zerocopy) {
        writing = false;
        if (bytes > 0) {
            if (zerocopy) {
                this.zerocopy.add(new ZeroCopySend(writeSeq, zckey));
                zckey = (zckey + 1) & 0xffff_ffffL;
            }
            int tx = sock.opts.tsFlags & TX_RECORD_MASK;
            if (tx != 0) {
                requests.removeIf(r -> !r.sent);
                Request r = new Request(writeSeq - 1, sock.opts.tsFlags);
                requests.add(r);
                for (long[] s : sentInCall) stampSent(r, (int) s[0], (int) s[1], s[2]);
            }
        }
        sentInCall.clear();
    }

    /**
     * A Fast Open SYN took bytes of a MSG_ZEROCOPY send, the last at {@code writeSeq − 1}: tcp_sendmsg_locked
     * made the notification (msg_zerocopy_realloc) before tcp_sendmsg_fastopen, and tcp_send_syn_data
     * attaches it to the SYN's data (skb_zcopy_set(syn_data, fo->uarg)), so the call takes the next id,
     * completed when the data is acknowledged. A send whose SYN took nothing gives it back
     * (msg_zerocopy_put_abort on the EINPROGRESS path), so it takes none.
     */
    void synDataZeroCopy(int writeSeq) {
        zerocopy.add(new ZeroCopySend(writeSeq, zckey));
        zckey = (zckey + 1) & 0xffff_ffffL;
    }

    /** Whether nothing waits for a report (the socket may stop listening). */
    boolean idle() { return zerocopy.isEmpty() && requests.isEmpty() && !writing; }

    @Override
    public void sent(int seq, int len) {
        long now = sock.rt.nowNs();
        if (writing) sentInCall.add(new long[] {seq, len, now});
        for (Request r : requests) stampSent(r, seq, len, now);
    }

    private void stampSent(Request r, int seq, int len, long nowNs) {
        if (Seq.lt(r.keySeq, seq) || Seq.ge(r.keySeq, seq + len)) return;
        r.sent = true;
        r.lastLen = len;
        // __dev_queue_xmit stamps SCHED, then the driver (skb_tx_timestamp) SND, in the same instant here.
        if ((r.txFlags & PosixSockets.SOF_TIMESTAMPING_TX_SCHED) != 0) stamp(r, ExtendedError.SCM_TSTAMP_SCHED, nowNs);
        if ((r.txFlags & PosixSockets.SOF_TIMESTAMPING_TX_SOFTWARE) != 0) stamp(r, ExtendedError.SCM_TSTAMP_SND, nowNs);
    }

    @Override
    public void acked(int sndUna) {
        long now = sock.rt.nowNs();
        // tcp_clean_rtx_queue: tcp_ack_tstamp of an skb, then its freeing (the zerocopy callback).
        requests.removeIf(r -> {
            if (Seq.ge(r.keySeq, sndUna)) return false;
            if ((r.txFlags & PosixSockets.SOF_TIMESTAMPING_TX_ACK) != 0) stamp(r, ExtendedError.SCM_TSTAMP_ACK, now);
            return true;
        });
        while (!zerocopy.isEmpty() && Seq.ge(sndUna, zerocopy.peek().endSeq())) {
            sock.errq.zerocopyDone(zerocopy.poll().id(), true);
        }
    }

    /** __skb_complete_tx_timestamp: the flags as they are now decide OPT_ID and OPT_TSONLY. */
    private void stamp(Request r, int kind, long nowNs) {
        int flags = sock.opts.tsFlags;
        long key = (flags & PosixSockets.SOF_TIMESTAMPING_OPT_ID) != 0 ? (r.keySeq - tskeySeq) & 0xffff_ffffL : 0;
        boolean tsonly = (flags & PosixSockets.SOF_TIMESTAMPING_OPT_TSONLY) != 0;
        sock.errq.add(new ErrorQueue.Message(ExtendedError.timestamp(kind, key), nowNs, tsonly ? 0 : Math.max(r.lastLen, 1)));
    }
}
