package dev.synack.cli;

import static dev.synack.cli.SynackCommandTest.assertRejected;
import static dev.synack.cli.SynackCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.cli.SynackCommandTest.Run;
import org.junit.jupiter.api.Test;

/** {@code synack fuzz}, in-process: a short run, one episode's replay, and bad arguments. */
class FuzzCommandTest {
    @Test
    void aShortRunReportsInputsEscapesAndBreaks() {
        Run run = run("fuzz", "--seed", "7", "--inputs", "3000", "--max-seconds", "60");
        assertEquals(0, run.status(), run.out() + run.err());
        assertEquals("", run.err());
        assertTrue(run.out().matches("(?s)seed 7: 3,000 inputs \\([0-9,]+ actions, [0-9,]+ episodes\\) in [0-9.]+ s wall, [0-9,]+ inputs/s\n"
                + "escapes 0, invariant breaks 0\ninputs by the state of their connection: ESTABLISHED \\d+ .* none \\d+ icmp \\d+\n"), run.out());
    }

    @Test
    void anEpisodeReplaysWithItsTranscript() {
        Run run = run("fuzz", "--seed", "7", "--episode", "2");
        assertEquals(0, run.status(), run.out() + run.err());
        assertTrue(run.out().startsWith("t=0.000000 App[side=0, conn=0, op=CONNECT"), run.out());
        assertTrue(run.out().contains("    a sends 198.18.0.1 > 198.18.0.2 "), run.out());
        assertTrue(run.out().endsWith("(no failure)\nepisode 2 of seed 7: " + run.out().replaceAll("(?s).*episode 2 of seed 7: ", "")), run.out());
        assertEquals(run, run("fuzz", "--seed", "7", "--episode", "2"), "deterministic");
    }

    @Test
    void badArgumentsAreOneLine() {
        assertRejected(run("fuzz", "--inputs", "0"), "synack fuzz: bad --inputs: N ≥ 1 (see 'synack fuzz --help')");
        assertRejected(run("fuzz", "--max-seconds", "0"), "synack fuzz: bad --max-seconds: 0 < S ≤ 86400 (see 'synack fuzz --help')");
        assertRejected(run("fuzz", "--max-seconds", "1e9"), "synack fuzz: bad --max-seconds: 0 < S ≤ 86400 (see 'synack fuzz --help')");
        assertRejected(run("fuzz", "--keep", "-1"), "synack fuzz: bad --keep: 0 ≤ K ≤ 100 (see 'synack fuzz --help')");
        assertRejected(run("fuzz", "--episode", "-2"), "synack fuzz: bad --episode: E ≥ 0 (see 'synack fuzz --help')");
    }
}
