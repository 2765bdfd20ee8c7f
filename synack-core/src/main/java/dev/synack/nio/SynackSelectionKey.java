package dev.synack.nio;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/** A registration of a synack channel with a {@link SynackSelector}. */
final class SynackSelectionKey extends AbstractSelectionKey {
    private final SynackChannel channel;
    private final SynackSelector selector;
    private final long sequence;
    private volatile int interestOps;
    private volatile int readyOps;

    SynackSelectionKey(SynackChannel channel, SynackSelector selector, long sequence) {
        this.channel = channel;
        this.selector = selector;
        this.sequence = sequence;
    }

    /** The key's place in its selector's registration order. */
    long sequence() { return sequence; }

    SynackChannel synackChannel() { return channel; }

    @Override
    public SelectableChannel channel() { return (SelectableChannel) channel; }

    @Override
    public Selector selector() { return selector; }

    private void ensureValid() {
        if (!isValid()) throw new CancelledKeyException();
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public java.nio.channels.SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel().validOps()) != 0) throw new IllegalArgumentException("Invalid interest ops");
        interestOps = ops;
        return this;
    }

    /** The interest set without the validity check (the selector reads it while selecting). */
    int interest() { return interestOps; }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    void readyOps(int ops) { readyOps = ops; }

    @Override
    public String toString() {
        return "SynackSelectionKey[" + channel + (isValid() ? ", interest=" + interestOps + ", ready=" + readyOps : ", invalid") + "]";
    }
}
