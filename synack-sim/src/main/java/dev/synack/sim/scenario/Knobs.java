package dev.synack.sim.scenario;

/**
 * The options a scenario run takes: the seed, and the knobs that SCENARIOS.md rows name. A null knob
 * means "the scenario's default" (usually Linux's).
 *
 * @param seed the network's seed
 * @param rttMs round-trip time of the path, or null for the scenario's default
 * @param loss random loss on the path (0..1), or null
 * @param keepalive TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT (seconds, seconds, count), or null
 * @param soTimeoutMs setSoTimeout (SO_RCVTIMEO) in ms, or null
 * @param userTimeoutMs TCP_USER_TIMEOUT in ms, or null
 * @param connectTimeoutMs connect(addr, timeout) in ms, or null
 * @param synRetries tcp_syn_retries, or null
 * @param synLinearTimeouts tcp_syn_linear_timeouts, or null
 * @param retries2 tcp_retries2, or null
 */
public record Knobs(long seed, Integer rttMs, Double loss, int[] keepalive, Integer soTimeoutMs, Integer userTimeoutMs,
                    Integer connectTimeoutMs, Integer synRetries, Integer synLinearTimeouts, Integer retries2) {
    /** The defaults with seed 1. */
    public static final Knobs DEFAULT = new Knobs(1, null, null, null, null, null, null, null, null, null);

    /** The RTT to use: the knob, or {@code def}. */
    public int rttOr(int def) { return rttMs != null ? rttMs : def; }

    /** The same knobs with another seed. */
    public Knobs withSeed(long s) {
        return new Knobs(s, rttMs, loss, keepalive, soTimeoutMs, userTimeoutMs, connectTimeoutMs, synRetries,
                synLinearTimeouts, retries2);
    }
}
