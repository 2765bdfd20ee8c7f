package dev.synack.sim.experiment;

import java.util.Arrays;

/**
 * The samples of one flow, in time order, in primitive arrays (an experiment takes hundreds of
 * thousands): time, cwnd and ssthresh in segments, smoothed RTT, bytes acknowledged so far,
 * retransmitted segments so far (tcpi_total_retrans), bytes the receiver has read so far.
 */
public final class FlowTrace {
    private long[] timeNs = new long[256];
    private int[] cwnd = new int[256], ssthresh = new int[256], retrans = new int[256];
    private long[] srttUs = new long[256], acked = new long[256], received = new long[256];
    private int size;

    void add(long t, int cw, int ss, long srtt, long bytesAcked, int totalRetrans, long bytesReceived) {
        if (size == timeNs.length) {
            int n = size * 2;
            timeNs = Arrays.copyOf(timeNs, n);
            cwnd = Arrays.copyOf(cwnd, n);
            ssthresh = Arrays.copyOf(ssthresh, n);
            retrans = Arrays.copyOf(retrans, n);
            srttUs = Arrays.copyOf(srttUs, n);
            acked = Arrays.copyOf(acked, n);
            received = Arrays.copyOf(received, n);
        }
        timeNs[size] = t;
        cwnd[size] = cw;
        ssthresh[size] = ss;
        srttUs[size] = srtt;
        acked[size] = bytesAcked;
        retrans[size] = totalRetrans;
        received[size] = bytesReceived;
        size++;
    }

    public int size() { return size; }

    public long timeNs(int i) { return timeNs[i]; }

    public int cwnd(int i) { return cwnd[i]; }

    /** ssthresh in segments (Integer.MAX_VALUE while still "infinite"). */
    public int ssthresh(int i) { return ssthresh[i]; }

    public long srttUs(int i) { return srttUs[i]; }

    public long bytesAcked(int i) { return acked[i]; }

    public int retransmits(int i) { return retrans[i]; }

    public long bytesReceived(int i) { return received[i]; }

    /** The index of the last sample at or before {@code tNs}, or -1. */
    public int indexAt(long tNs) {
        int lo = 0, hi = size - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (timeNs[mid] <= tNs) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
