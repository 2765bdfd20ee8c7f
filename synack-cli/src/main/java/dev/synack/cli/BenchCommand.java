package dev.synack.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code synack bench}: the benchmarks, one subcommand each. */
@Command(name = "bench", description = "Benchmarks.",
        subcommands = {BenchTunCommand.class, BenchSimCommand.class})
final class BenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    /** {@code synack bench} alone: a benchmark is required. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing benchmark (sim, tun)");
    }
}
