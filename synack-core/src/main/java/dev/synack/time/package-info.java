/**
 * Time for a deterministic core: {@link dev.synack.time.Clock} and {@link dev.synack.time.Scheduler}
 * are what the stack reads and arms; {@link dev.synack.time.Timer}s are reusable objects kept in an
 * intrusive heap ({@link dev.synack.time.TimerHeap}), so re-arming allocates nothing and ties fire in
 * arming order; {@link dev.synack.time.VirtualScheduler} is the virtual time line every test and the
 * lab run on; {@link dev.synack.time.TimerWheel} says where Linux's timer wheel would fire a timeout
 * (TCP's timers use it when {@code TcpConfig.timerWheel} is on). Nothing here reads the wall clock.
 */
package dev.synack.time;
