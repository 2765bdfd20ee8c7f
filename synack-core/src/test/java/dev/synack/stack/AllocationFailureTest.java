package dev.synack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.synack.stats.Counter;
import dev.synack.tcp.TcpConnection;
import dev.synack.testing.TcpTester;
import org.junit.jupiter.api.Test;

/**
 * Nothing leaves {@link Stack#receive}, not even an allocation failure: a receive buffer that cannot
 * grow (an OutOfMemoryError from the host's allocator, the seam {@link Stack#setAllocator}) drops the
 * segment and counts it (SynackInNoMemDrops), as Linux drops an skb it cannot allocate
 * (SKB_DROP_REASON_NOMEM) and the peer retransmits. Read from source (net/core/skbuff.c), not measured.
 */
class AllocationFailureTest {
    final TcpTester t = new TcpTester();
    final TcpConnection c = t.establishedClient();

    @Test
    void outOfMemoryWhileQueueingData_dropsTheSegment_andTheRetransmissionIsTaken() {
        t.stack.setAllocator(n -> {
            throw new OutOfMemoryError("simulated: no " + n + " bytes");
        });
        t.inject(200, "P. 1:1001(1000) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
        t.expectNothing(250); // no ACK: the segment never reached the queue
        assertEquals(1, t.stack.counters().get(Counter.SynackInNoMemDrops));
        assertInstanceOf(OutOfMemoryError.class, t.stack.lastInternalError());
        assertEquals(0, c.readable());

        t.stack.setAllocator(byte[]::new);
        t.inject(400, "P. 1:1001(1000) ack 1 win 502 <nop,nop,TS val 1400 ecr 100>");
        // Window 66 as after any first 1000-byte segment (ReceiveBufferTuningTest): the dropped one had
        // already been measured (tcp_measure_rcv_mss runs before the data is queued).
        t.expect(400, ". 1:1(0) ack 1001 win 66 <nop,nop,TS val 400 ecr 1400>");
        assertEquals(1000, c.readable());
    }

    @Test
    void outOfMemoryForOutOfOrderData_recordsNoRangeOverBytesNeverStored() {
        t.stack.setAllocator(n -> {
            throw new OutOfMemoryError();
        });
        t.inject(200, "P. 1001:2001(1000) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>");
        t.expectNothing(250);
        t.stack.setAllocator(byte[]::new);
        // Had the range been kept without its bytes, this would deliver 2000 bytes, half never received.
        t.inject(300, "P. 1:1001(1000) ack 1 win 502 <nop,nop,TS val 1300 ecr 100>");
        t.expect(300, ". 1:1(0) ack 1001 win 66 <nop,nop,TS val 300 ecr 1300>");
        assertEquals(1000, c.readable());
    }

    @Test
    void anyOtherExceptionIsCountedAndDropped_unlessStrict() {
        t.stack.setAllocator(n -> {
            throw new IllegalStateException("simulated bug");
        });
        assertThrows(IllegalStateException.class,
                () -> t.inject(200, "P. 1:1001(1000) ack 1 win 502 <nop,nop,TS val 1200 ecr 100>"));
        t.stack.setStrict(false);
        t.inject(210, "P. 1:1001(1000) ack 1 win 502 <nop,nop,TS val 1210 ecr 100>");
        assertEquals(2, t.stack.counters().get(Counter.SynackInInternalErrors));
        assertInstanceOf(IllegalStateException.class, t.stack.lastInternalError());
    }
}
