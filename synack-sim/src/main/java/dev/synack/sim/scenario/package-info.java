/**
 * The note's behaviours replayed in the lab and compared with Linux 6.18 ({@code synack scenario},
 * {@code synack demo}).
 *
 * <h2>Map</h2>
 * <ul>
 *   <li>{@link dev.synack.sim.scenario.Scenario}: read first. A name, the situation, what Linux does,
 *       and {@code run(Knobs)} → {@link dev.synack.sim.scenario.Outcome} (what the application saw, when,
 *       and the {@link dev.synack.sim.scenario.Check}s against Linux).</li>
 *   <li>{@link dev.synack.sim.scenario.Scenarios}: the catalogue, in the order of SCENARIOS.md; one
 *       class per scenario ({@code Handshake}, {@code Refused}, {@code HostCrash}, ...).</li>
 *   <li>{@link dev.synack.sim.scenario.Knobs}: the options of a run (seed, RTT, loss, timeouts, sysctls).</li>
 *   <li>Shared by the scenarios: {@code Lab} (the usual client–server network), {@code SegmentLog} (the
 *       TCP segments read off the trace, with relative sequence numbers) and
 *       {@link dev.synack.sim.scenario.Story} (time units and text, what the application saw, states).</li>
 * </ul>
 *
 * <p>To add a scenario: a class implementing {@code Scenario} that builds its network with {@code Lab},
 * runs plain blocking socket code in processes, and checks the trace; then list it in
 * {@code Scenarios}.
 */
package dev.synack.sim.scenario;
