package dev.synack.cli;

import dev.synack.sim.scenario.Knobs;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The knobs of a scenario run as options (a mixin): the seed, the path, the socket options and the
 * sysctls SCENARIOS.md rows name. {@link #knobs()} turns them into {@link Knobs}.
 */
final class ScenarioKnobs {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Mixin
    private SeedOption seed;

    @Option(names = "--rtt", paramLabel = "MS", description = "Round-trip time of the path in ms.")
    private Integer rttMs;

    @Option(names = "--loss", paramLabel = "P", description = "Random loss on the path, 0 to 1.")
    private Double loss;

    @Option(names = "--keepalive", paramLabel = "IDLE,INTVL,CNT", description = "TCP_KEEPIDLE, TCP_KEEPINTVL (s), TCP_KEEPCNT.")
    private String keepalive;

    @Option(names = "--so-timeout", paramLabel = "MS", description = "setSoTimeout (SO_RCVTIMEO) in ms.")
    private Integer soTimeoutMs;

    @Option(names = "--user-timeout", paramLabel = "MS", description = "TCP_USER_TIMEOUT in ms.")
    private Integer userTimeoutMs;

    @Option(names = "--connect-timeout", paramLabel = "MS", description = "connect(addr, timeout) in ms.")
    private Integer connectTimeoutMs;

    @Option(names = "--syn-retries", paramLabel = "N", description = "tcp_syn_retries (1 to 127).")
    private Integer synRetries;

    @Option(names = "--syn-linear-timeouts", paramLabel = "N", description = "tcp_syn_linear_timeouts (0 to 10).")
    private Integer synLinearTimeouts;

    @Option(names = "--retries2", paramLabel = "N", description = "tcp_retries2 (0 to 255).")
    private Integer retries2;

    private ParameterException bad(String problem) { return new ParameterException(command.commandLine(), problem); }

    /**
     * The knobs given, the others at the scenario's default.
     *
     * @throws ParameterException for the first option out of range, in the order of the options above
     */
    Knobs knobs() {
        if (rttMs != null && (rttMs < 1 || rttMs > 60_000)) throw bad("bad --rtt '" + rttMs + "': expected 1 to 60000 ms");
        if (loss != null && !(loss >= 0 && loss <= 1)) throw bad("bad --loss '" + loss + "': expected 0 to 1");
        int[] ka = null;
        if (keepalive != null) {
            String[] p = keepalive.split(",", -1);
            try {
                if (p.length != 3) throw new NumberFormatException();
                ka = new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
                if (ka[0] < 1 || ka[1] < 1 || ka[2] < 1) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw bad("bad --keepalive '" + keepalive + "': expected IDLE,INTVL,CNT, three positive integers, e.g. 2,1,3");
            }
        }
        atLeast("--so-timeout", soTimeoutMs, 0);
        atLeast("--user-timeout", userTimeoutMs, 0);
        atLeast("--connect-timeout", connectTimeoutMs, 0);
        range("--syn-retries", synRetries, 1, 127);
        range("--syn-linear-timeouts", synLinearTimeouts, 0, 10);
        range("--retries2", retries2, 0, 255);
        Knobs k = Knobs.defaults().withSeed(seed.seed());
        if (rttMs != null) k = k.withRttMs(rttMs);
        if (loss != null) k = k.withLoss(loss);
        if (ka != null) k = k.withKeepalive(ka[0], ka[1], ka[2]);
        if (soTimeoutMs != null) k = k.withSoTimeoutMs(soTimeoutMs);
        if (userTimeoutMs != null) k = k.withUserTimeoutMs(userTimeoutMs);
        if (connectTimeoutMs != null) k = k.withConnectTimeoutMs(connectTimeoutMs);
        if (synRetries != null) k = k.withSynRetries(synRetries);
        if (synLinearTimeouts != null) k = k.withSynLinearTimeouts(synLinearTimeouts);
        if (retries2 != null) k = k.withRetries2(retries2);
        return k;
    }

    private void atLeast(String option, Integer v, int min) {
        if (v != null && v < min) throw bad("bad " + option + " '" + v + "': expected " + min + " or more");
    }

    private void range(String option, Integer v, int lo, int hi) {
        if (v != null && (v < lo || v > hi)) throw bad("bad " + option + " '" + v + "': expected " + lo + " to " + hi);
    }
}
