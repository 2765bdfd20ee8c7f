package dev.synack.sim.scenario;

/**
 * One comparison of a scenario with Linux: what Linux does (from SCENARIOS.md, computed for the run's
 * knobs) and what synack did.
 *
 * @param what what is compared ("connect() result", "SYN times", ...)
 * @param linux what Linux does
 * @param synack what synack did
 */
public record Check(String what, String linux, String synack) {
    /** Whether synack matched Linux. */
    public boolean ok() { return linux.equals(synack); }

    /** A check of two values by their text. */
    public static Check of(String what, Object linux, Object synack) {
        return new Check(what, String.valueOf(linux), String.valueOf(synack));
    }
}
