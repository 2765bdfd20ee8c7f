package dev.synack.cli;

import dev.synack.sim.Json;
import dev.synack.sim.Ladder;
import dev.synack.sim.Pcap;
import dev.synack.sim.scenario.Check;
import dev.synack.sim.scenario.Knobs;
import dev.synack.sim.scenario.Outcome;
import dev.synack.sim.scenario.Scenario;
import dev.synack.sim.scenario.Scenarios;
import dev.synack.sim.scenario.Story;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack scenario}: replays one behaviour of SCENARIOS.md in the lab and compares it with Linux.
 * Exit status 0 when every check matches Linux, 1 when one does not, 2 on bad input (one line on
 * stderr; nothing is run and nothing written).
 */
@Command(name = "scenario",
        description = {"Replay a scenario of the lab and compare it with Linux 6.18.",
                "Prints the ladder diagram, what the application saw and when, and each check (Linux vs synack).",
                "Exit status 0 when synack matches Linux, 1 when it does not."})
final class ScenarioCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "0..1", description = "The scenario (see --list).")
    private String name;

    @Option(names = "--list", description = "List the scenarios: name and situation, one per line.")
    private boolean list;

    @Option(names = "--seed", paramLabel = "N", description = "The network's seed (default 1).")
    private long seed = 1;

    @Option(names = "--rtt", paramLabel = "MS", description = "Round-trip time of the path in ms.")
    private Integer rttMs;

    @Option(names = "--loss", paramLabel = "P", description = "Random loss on the path, 0 to 1.")
    private Double loss;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write the packets to FILE (pcap).")
    private Path pcap;

    @Option(names = "--format", paramLabel = "text|json", description = "Output format (default text).")
    private String format = "text";

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

    ScenarioCommand(Console console) {
        this.out = console.out();
    }

    private ParameterException bad(String problem) { return new ParameterException(spec.commandLine(), problem); }

    @Override
    public Integer call() {
        if (list) {
            if (name != null) throw bad("--list takes no scenario name");
            for (Scenario s : Scenarios.all()) out.println(s.name() + "  " + s.situation());
            return 0;
        }
        if (name == null) throw bad("missing scenario name; one of " + String.join(", ", Scenarios.names()));
        Scenario scenario = Scenarios.find(name)
                .orElseThrow(() -> bad("unknown scenario '" + name + "'; one of " + String.join(", ", Scenarios.names())));
        Knobs knobs = knobs();
        if (!format.equals("text") && !format.equals("json")) throw bad("bad --format '" + format + "': expected text or json");
        if (pcap != null && (pcap.getParent() != null && !java.nio.file.Files.isDirectory(pcap.getParent()))) {
            throw bad("bad --pcap '" + pcap + "': no such folder " + pcap.getParent());
        }
        Outcome o = scenario.run(knobs);
        if (pcap != null) Pcap.write(o.network().trace(), pcap);
        if (format.equals("json")) out.print(json(o));
        else out.print(text(o));
        return o.matchesLinux() ? 0 : 1;
    }

    private Knobs knobs() {
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
        positive("--so-timeout", soTimeoutMs, 0);
        positive("--user-timeout", userTimeoutMs, 0);
        positive("--connect-timeout", connectTimeoutMs, 0);
        range("--syn-retries", synRetries, 1, 127);
        range("--syn-linear-timeouts", synLinearTimeouts, 0, 10);
        range("--retries2", retries2, 0, 255);
        Knobs k = Knobs.defaults().withSeed(seed);
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

    private void positive(String option, Integer v, int min) {
        if (v != null && v < min) throw bad("bad " + option + " '" + v + "': expected " + min + " or more");
    }

    private void range(String option, Integer v, int lo, int hi) {
        if (v != null && (v < lo || v > hi)) throw bad("bad " + option + " '" + v + "': expected " + lo + " to " + hi);
    }

    static String text(Outcome o) {
        StringBuilder sb = new StringBuilder(Ladder.render(o.network())).append('\n');
        sb.append("the application saw: ").append(o.appSaw()).append(" at ").append(Story.time(o.atNs())).append('\n');
        for (Check c : o.checks()) {
            sb.append(c.ok() ? "  ✓ " : "  ✗ ").append(c.what()).append(": Linux ").append(c.linux());
            if (!c.ok()) sb.append("\n      synack ").append(c.synack());
            sb.append('\n');
        }
        sb.append(o.matchesLinux() ? "matches Linux\n" : "DIFFERS from Linux\n");
        return sb.toString();
    }

    static String json(Outcome o) {
        StringBuilder sb = new StringBuilder("{\"scenario\":").append(Json.string(o.scenario())).append(",\"events\":");
        sb.append(Ladder.json(o.network()).strip());
        sb.append(",\"outcome\":{\"appSaw\":").append(Json.string(o.appSaw())).append(",\"atNs\":").append(o.atNs())
                .append(",\"matchesLinux\":").append(o.matchesLinux()).append(",\"checks\":[");
        for (int i = 0; i < o.checks().size(); i++) {
            Check c = o.checks().get(i);
            if (i > 0) sb.append(',');
            sb.append("{\"what\":").append(Json.string(c.what())).append(",\"linux\":").append(Json.string(c.linux()))
                    .append(",\"synack\":").append(Json.string(c.synack())).append(",\"ok\":").append(c.ok()).append('}');
        }
        return sb.append("]}}\n").toString();
    }
}
