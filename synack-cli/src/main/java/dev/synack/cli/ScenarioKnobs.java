package dev.synack.cli;

import dev.synack.sim.scenario.Knob;
import dev.synack.sim.scenario.Knobs;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The knobs of a scenario run as options: one option per {@link Knob} (the seed, the path, the socket
 * options and the sysctls SCENARIOS.md rows name), with the knob's name, label and help, added to a
 * command's model ({@code @Command(modelTransformer = ScenarioKnobs.class)}). Their values are checked
 * by {@link Knob#parse}, the one validation the lab's page uses too.
 */
final class ScenarioKnobs implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
        for (Knob k : Knob.values()) {
            command.addOption(OptionSpec.builder(k.option()).paramLabel(k.label()).type(String.class)
                    .description(k.description()).build());
        }
        return command;
    }

    /**
     * The knobs given on {@code command}'s line, the others at the scenario's default.
     *
     * @throws ParameterException for the first option out of range, in the order of {@link Knob}
     */
    static Knobs knobs(CommandSpec command) {
        Map<Knob, String> given = new EnumMap<>(Knob.class);
        for (Knob k : Knob.values()) {
            String v = command.findOption(k.option()).getValue();
            if (v != null) given.put(k, v);
        }
        try {
            return Knob.parse(given);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
    }
}
