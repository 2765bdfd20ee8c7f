package dev.synack.cli;

import picocli.CommandLine.Option;

/** {@code --seed N}, the seed of a simulated network: a mixin for the commands that build one (scenario, experiment). */
final class SeedOption {
    @Option(names = "--seed", paramLabel = "N", description = "The network's seed (default 1).")
    private long seed = 1;

    /** The seed given, or 1. */
    long seed() { return seed; }
}
