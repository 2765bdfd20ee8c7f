/**
 * A structure-aware fuzzer of the stack ({@link dev.synack.sim.fuzz.Fuzzer}): real synack stacks in
 * virtual time, driven through every phase of a connection while mutated copies of their own segments,
 * forged SYNs and ICMP errors are injected, with invariants checked after every action
 * ({@link dev.synack.sim.fuzz.Episode}); failures are replayable and minimised. {@code synack fuzz} runs
 * it on demand; {@code FuzzerTest} runs a short fixed-seed sample in the build.
 */
package dev.synack.sim.fuzz;
