/**
 * Congestion experiments ({@code synack experiment}, {@code synack bench sim}): bulk flows through a
 * dumbbell's bottleneck in virtual time.
 *
 * <h2>Map</h2>
 * <ul>
 *   <li>{@link dev.synack.sim.experiment.Experiment}: read first. The spec (flows, rate, RTT, queue,
 *       loss, reordering, congestion control, sysctls), the dumbbell it builds and the run.</li>
 *   <li>{@link dev.synack.sim.experiment.Result}: per-flow goodput and samples, the bottleneck's drops,
 *       Jain's index, the simulator's own cost; {@code writeTsv}.</li>
 *   <li>{@link dev.synack.sim.experiment.FlowTrace}: one flow's samples (cwnd, ssthresh, srtt, bytes,
 *       retransmits) in primitive arrays.</li>
 * </ul>
 */
package dev.synack.sim.experiment;
