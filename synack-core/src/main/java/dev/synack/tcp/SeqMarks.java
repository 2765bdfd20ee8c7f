package dev.synack.tcp;

/**
 * Sequence numbers marking where something ends in the send stream (a write for PSH, an MSG_EOR
 * record), oldest first: a ring that grows when full and allocates nothing per mark otherwise.
 */
final class SeqMarks {
    private int[] marks = new int[16];
    private int head, count;

    /** Adds {@code seq} after the others (once: the same mark twice in a row is kept once). */
    void add(int seq) {
        if (count > 0 && marks[(head + count - 1) & (marks.length - 1)] == seq) return;
        if (count == marks.length) {
            int[] bigger = new int[marks.length * 2];
            for (int i = 0; i < count; i++) bigger[i] = marks[(head + i) & (marks.length - 1)];
            marks = bigger;
            head = 0;
        }
        marks[(head + count) & (marks.length - 1)] = seq;
        count++;
    }

    /**
     * Drops the marks at or before {@code seq}: a mark the stream has passed, which no query (always
     * about what follows SND.NXT) will consume. Without it a ring that only those queries consume
     * grows by a mark per write for as long as the queries are not made (a 1-byte request/response
     * never asks whether a next segment joins its packet), and marks older than 2^31 bytes would
     * come round again as marks ahead.
     */
    void dropThrough(int seq) {
        while (count > 0 && !Seq.gt(marks[head], seq)) {
            head = (head + 1) & (marks.length - 1);
            count--;
        }
    }

    /** Removes the newest mark if it is {@code seq}. */
    void removeLast(int seq) {
        if (count > 0 && marks[(head + count - 1) & (marks.length - 1)] == seq) count--;
    }

    /** Whether a mark falls in (start, end]; consumes the marks up to {@code end}. */
    boolean takeWithin(int start, int end) {
        boolean any = false;
        while (count > 0) {
            int m = marks[head];
            if (Seq.gt(m, end)) break;
            if (Seq.gt(m, start)) any = true;
            head = (head + 1) & (marks.length - 1);
            count--;
        }
        return any;
    }

    /**
     * The first mark after {@code seq}, dropping those at or before it; {@code fallback} when none.
     */
    int nextAfter(int seq, int fallback) {
        dropThrough(seq);
        return count > 0 ? marks[head] : fallback;
    }
}
