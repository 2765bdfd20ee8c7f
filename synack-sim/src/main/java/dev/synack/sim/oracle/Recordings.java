package dev.synack.sim.oracle;

import dev.synack.sim.scenario.Knobs;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Linux's timelines of the stories, recorded on a real kernel by {@code synack oracle record} and kept
 * in the repository (resources under dev/synack/sim/oracle/linux/STORY/KNOBS.jsonl), so that a verdict
 * never comes from synack's own model and needs no root.
 */
public final class Recordings {
    private Recordings() {}

    /** Where recordings live, relative to a module's resources. */
    public static final String ROOT = "dev/synack/sim/oracle/linux/";

    /**
     * The knobs that shape a story, as a file name: "default", or e.g. "rtt=100,tcp_retries2=5". The
     * seed is left out (Linux's run does not depend on it, but for the loss draw).
     */
    public static String key(Knobs k) {
        StringJoiner j = new StringJoiner(",");
        k.rttUs().ifPresent(v -> j.add("rtt=" + Knobs.msText(v)));
        if (k.loss() != 0) j.add("loss=" + k.loss());
        k.keepalive().ifPresent(ka -> j.add("keepalive=" + ka.idleS() + "-" + ka.intvlS() + "-" + ka.cnt()));
        k.soTimeoutMs().ifPresent(v -> j.add("so_timeout=" + v));
        k.userTimeoutMs().ifPresent(v -> j.add("user_timeout=" + v));
        k.connectTimeoutMs().ifPresent(v -> j.add("connect_timeout=" + v));
        for (Map.Entry<String, String> e : k.sysctls().entrySet()) j.add(e.getKey() + "=" + e.getValue());
        return j.length() == 0 ? "default" : j.toString();
    }

    /** The resource path of a recording. */
    public static String path(String story, Knobs k) { return ROOT + story + "/" + key(k) + ".jsonl"; }

    /** Linux's recorded timeline of {@code story} with these knobs, if the repository has one. */
    public static Optional<Timeline> find(String story, Knobs k) {
        try (InputStream in = Recordings.class.getClassLoader().getResourceAsStream(path(story, k))) {
            if (in == null) return Optional.empty();
            return Optional.of(Timeline.fromJsonLines(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("recording " + path(story, k) + ": " + e.getMessage(), e);
        }
    }
}
