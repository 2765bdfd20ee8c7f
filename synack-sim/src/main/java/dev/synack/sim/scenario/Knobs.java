package dev.synack.sim.scenario;

import dev.synack.tcp.TcpConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SequencedMap;
import java.util.StringJoiner;

/**
 * The options a scenario run takes, by name: the seed, and the knobs that SCENARIOS.md rows name. An
 * immutable value: start from {@link #defaults()} and change what you need, e.g.
 * {@code Knobs.defaults().withSeed(7).withRttMs(100).withSynLinearTimeouts(0)}. A knob that was not
 * set means "the scenario's default" (usually Linux's); sysctls that were not set keep Linux 6.18's
 * values.
 *
 * <p>Socket options and the path are knobs of their own; sysctls are a map by their Linux names
 * (applied to every host the scenario makes), with named setters for the ones the scenarios' Linux
 * expectations account for: tcp_syn_retries, tcp_syn_linear_timeouts and tcp_retries2.
 */
public final class Knobs {
    private static final Knobs DEFAULTS = new Knobs(1, null, 0, null, null, null, null, new LinkedHashMap<>());

    /** TCP_KEEPIDLE and TCP_KEEPINTVL (seconds) and TCP_KEEPCNT, each at least 1. */
    public record Keepalive(int idleS, int intvlS, int cnt) {
        public Keepalive {
            if (idleS < 1 || intvlS < 1 || cnt < 1) {
                throw new IllegalArgumentException("keepalive " + idleS + "," + intvlS + "," + cnt + ": expected three positive integers");
            }
        }
    }

    private final long seed;
    private final Long rttUs;
    private final double loss;
    private final Keepalive keepalive;
    private final Integer soTimeoutMs, userTimeoutMs, connectTimeoutMs;
    /** Sysctl name → value as {@code sysctl -w} takes it, in the order they were first set; never modified. */
    private final SequencedMap<String, String> sysctls;

    private Knobs(long seed, Long rttUs, double loss, Keepalive keepalive, Integer soTimeoutMs, Integer userTimeoutMs,
                  Integer connectTimeoutMs, SequencedMap<String, String> sysctls) {
        this.seed = seed;
        this.rttUs = rttUs;
        this.loss = loss;
        this.keepalive = keepalive;
        this.soTimeoutMs = soTimeoutMs;
        this.userTimeoutMs = userTimeoutMs;
        this.connectTimeoutMs = connectTimeoutMs;
        this.sysctls = sysctls;
    }

    /** Seed 1 and every knob at the scenario's default. */
    public static Knobs defaults() { return DEFAULTS; }

    /** The network's seed (default 1). */
    public long seed() { return seed; }

    /** Round-trip time of the path in µs, if set (the knob takes ms with up to three decimals). */
    public java.util.OptionalLong rttUs() { return rttUs != null ? java.util.OptionalLong.of(rttUs) : java.util.OptionalLong.empty(); }

    /** The RTT to use, in ns: the knob, or {@code defaultMs}. */
    public long rttNsOr(int defaultMs) { return rttUs != null ? rttUs * 1000 : defaultMs * 1_000_000L; }

    /** µs as ms the way the knob is written: "20", "0.05", "1.5". */
    public static String msText(long us) {
        return java.math.BigDecimal.valueOf(us, 3).stripTrailingZeros().toPlainString();
    }

    /** Random loss on the path, 0 to 1 (default 0). */
    public double loss() { return loss; }

    /** TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT for the application's socket, if set. */
    public Optional<Keepalive> keepalive() { return Optional.ofNullable(keepalive); }

    /** setSoTimeout (SO_RCVTIMEO) in ms, if set. */
    public OptionalInt soTimeoutMs() { return optional(soTimeoutMs); }

    /** TCP_USER_TIMEOUT in ms, if set. */
    public OptionalInt userTimeoutMs() { return optional(userTimeoutMs); }

    /** The timeout of connect(addr, timeout) in ms, if set. */
    public OptionalInt connectTimeoutMs() { return optional(connectTimeoutMs); }

    /** The sysctls that were set, by name, in the order they were first set (unmodifiable). */
    public SequencedMap<String, String> sysctls() { return Collections.unmodifiableSequencedMap(sysctls); }

    /** The value the hosts of this run get for sysctl {@code name}, as {@code sysctl -n} prints it: the knob, or Linux's default. */
    public String sysctl(String name) { return config().get(name); }

    /** tcp_syn_retries for this run: the knob, or Linux's default (6). */
    public int synRetries() { return Integer.parseInt(sysctl("tcp_syn_retries")); }

    /** tcp_syn_linear_timeouts for this run: the knob, or Linux's default (4). */
    public int synLinearTimeouts() { return Integer.parseInt(sysctl("tcp_syn_linear_timeouts")); }

    /** tcp_retries2 for this run: the knob, or Linux's default (15). */
    public int retries2() { return Integer.parseInt(sysctl("tcp_retries2")); }

    /** A config with Linux's defaults and these sysctls. */
    private TcpConfig config() {
        TcpConfig c = new TcpConfig();
        sysctls.forEach(c::set);
        return c;
    }

    public Knobs withSeed(long seed) {
        return new Knobs(seed, rttUs, loss, keepalive, soTimeoutMs, userTimeoutMs, connectTimeoutMs, sysctls);
    }

    /** @throws IllegalArgumentException unless 1 ms or more */
    public Knobs withRttMs(int rttMs) {
        if (rttMs < 1) throw new IllegalArgumentException("rtt " + rttMs + " ms: expected 1 ms or more");
        return withRttUs(rttMs * 1000L);
    }

    /** @throws IllegalArgumentException unless 10 µs or more */
    public Knobs withRttUs(long rttUs) {
        if (rttUs < MIN_RTT_US) throw new IllegalArgumentException("rtt " + rttUs + " µs: expected " + MIN_RTT_US + " µs or more");
        return new Knobs(seed, rttUs, loss, keepalive, soTimeoutMs, userTimeoutMs, connectTimeoutMs, sysctls);
    }

    /** The shortest RTT the knob takes: 0.01 ms (a one-way delay of 5 µs, below a veth pair's). */
    public static final long MIN_RTT_US = 10;

    /** @throws IllegalArgumentException unless 0 ≤ {@code loss} ≤ 1 */
    public Knobs withLoss(double loss) {
        if (!(loss >= 0 && loss <= 1)) throw new IllegalArgumentException("loss " + loss + ": expected 0 to 1");
        return new Knobs(seed, rttUs, loss + 0.0 /* never -0.0 */, keepalive, soTimeoutMs, userTimeoutMs, connectTimeoutMs, sysctls);
    }

    /** @throws IllegalArgumentException unless all three are 1 or more */
    public Knobs withKeepalive(int idleS, int intvlS, int cnt) {
        return new Knobs(seed, rttUs, loss, new Keepalive(idleS, intvlS, cnt), soTimeoutMs, userTimeoutMs, connectTimeoutMs, sysctls);
    }

    /** @throws IllegalArgumentException if negative */
    public Knobs withSoTimeoutMs(int ms) {
        return new Knobs(seed, rttUs, loss, keepalive, notNegative("so timeout", ms), userTimeoutMs, connectTimeoutMs, sysctls);
    }

    /** @throws IllegalArgumentException if negative */
    public Knobs withUserTimeoutMs(int ms) {
        return new Knobs(seed, rttUs, loss, keepalive, soTimeoutMs, notNegative("user timeout", ms), connectTimeoutMs, sysctls);
    }

    /** @throws IllegalArgumentException if negative */
    public Knobs withConnectTimeoutMs(int ms) {
        return new Knobs(seed, rttUs, loss, keepalive, soTimeoutMs, userTimeoutMs, notNegative("connect timeout", ms), sysctls);
    }

    /**
     * The same knobs with sysctl {@code name} (as Linux names it, e.g. {@code tcp_retries2}) set to
     * {@code value} on every host.
     *
     * @throws IllegalArgumentException for a sysctl synack does not know or a value it does not take
     */
    public Knobs withSysctl(String name, String value) {
        new TcpConfig().set(name, value); // validates both
        SequencedMap<String, String> s = new LinkedHashMap<>(sysctls);
        s.put(name, value);
        return new Knobs(seed, rttUs, loss, keepalive, soTimeoutMs, userTimeoutMs, connectTimeoutMs, s);
    }

    /** tcp_syn_retries (1 to 127). */
    public Knobs withSynRetries(int n) { return withSysctl("tcp_syn_retries", Integer.toString(n)); }

    /** tcp_syn_linear_timeouts (0 to 10). */
    public Knobs withSynLinearTimeouts(int n) { return withSysctl("tcp_syn_linear_timeouts", Integer.toString(n)); }

    /** tcp_retries2 (0 to 255). */
    public Knobs withRetries2(int n) { return withSysctl("tcp_retries2", Integer.toString(n)); }

    private static OptionalInt optional(Integer v) { return v != null ? OptionalInt.of(v) : OptionalInt.empty(); }

    private static int notNegative(String what, int ms) {
        if (ms < 0) throw new IllegalArgumentException(what + " " + ms + " ms: expected 0 or more");
        return ms;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Knobs k && seed == k.seed && Objects.equals(rttUs, k.rttUs)
                && Double.compare(loss, k.loss) == 0 && Objects.equals(keepalive, k.keepalive)
                && Objects.equals(soTimeoutMs, k.soTimeoutMs) && Objects.equals(userTimeoutMs, k.userTimeoutMs)
                && Objects.equals(connectTimeoutMs, k.connectTimeoutMs) && sysctls.equals(k.sysctls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seed, rttUs, loss, keepalive, soTimeoutMs, userTimeoutMs, connectTimeoutMs, sysctls);
    }

    /** The seed and the knobs that were set, e.g. {@code Knobs[seed=7, rttMs=100, tcp_retries2=5]}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "Knobs[", "]").add("seed=" + seed);
        if (rttUs != null) j.add("rttMs=" + msText(rttUs));
        if (loss != 0) j.add("loss=" + loss);
        if (keepalive != null) j.add("keepalive=" + keepalive.idleS() + "," + keepalive.intvlS() + "," + keepalive.cnt());
        if (soTimeoutMs != null) j.add("soTimeoutMs=" + soTimeoutMs);
        if (userTimeoutMs != null) j.add("userTimeoutMs=" + userTimeoutMs);
        if (connectTimeoutMs != null) j.add("connectTimeoutMs=" + connectTimeoutMs);
        for (Map.Entry<String, String> e : sysctls.entrySet()) j.add(e.getKey() + "=" + e.getValue());
        return j.toString();
    }
}
