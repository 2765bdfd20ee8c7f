package dev.synack.sim.oracle;

import dev.synack.sim.scenario.Knobs;
import java.util.function.BiFunction;

/** Plays a story in a world and returns the world's timeline, with the story and knobs in its header. */
public final class Oracle {
    private Oracle() {}

    /** A way to make a world for the knobs and a default RTT (SimWorld::new, LinuxWorld::new). */
    @FunctionalInterface
    public interface WorldMaker {
        World make(Knobs k, int defaultRttMs) throws Exception;
    }

    /** Plays {@code story} with {@code k} in a world from {@code maker}, closes the world, and returns its timeline. */
    public static Timeline play(OracleStory story, Knobs k, WorldMaker maker) throws Exception {
        try (World w = maker.make(k, story.defaultRttMs())) {
            story.play(w, k);
            Timeline t = w.timeline();
            java.util.Map<String, String> h = new java.util.LinkedHashMap<>(t.header());
            h.put("story", story.name());
            h.put("knobs", Recordings.key(k));
            return new Timeline(h, t.events());
        }
    }

    /** {@link #play} in the lab. */
    public static Timeline inLab(OracleStory story, Knobs k) {
        try {
            return play(story, k, SimWorld::new);
        } catch (Exception e) {
            throw new IllegalStateException("story " + story.name() + " failed in the lab: " + e, e);
        }
    }
}
