package dev.synack.sim;

import dev.synack.runtime.Runtime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/** A {@link Clock} on a runtime's time: the epoch plus the scheduler's nanoseconds ({@link Network#clock()}). */
final class SimClock extends Clock {
    private final Runtime runtime;
    private final ZoneId zone;

    SimClock(Runtime runtime, ZoneId zone) {
        this.runtime = runtime;
        this.zone = zone;
    }

    @Override
    public ZoneId getZone() { return zone; }

    @Override
    public Clock withZone(ZoneId zone) { return new SimClock(runtime, zone); }

    @Override
    public long millis() { return runtime.nowNs() / 1_000_000L; }

    @Override
    public Instant instant() {
        long ns = runtime.nowNs();
        return Instant.ofEpochSecond(ns / 1_000_000_000L, ns % 1_000_000_000L);
    }

    @Override
    public boolean equals(Object o) { return o instanceof SimClock c && c.runtime == runtime && c.zone.equals(zone); }

    @Override
    public int hashCode() { return System.identityHashCode(runtime) * 31 + zone.hashCode(); }

    @Override
    public String toString() { return "SimClock[" + zone + "]"; }
}
