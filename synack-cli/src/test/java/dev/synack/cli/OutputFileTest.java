package dev.synack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.cli.SynackCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every option that names a file to write ({@code scenario --pcap}, {@code experiment --tsv} and
 * {@code --svg}): a path that cannot be written is one line on stderr naming the option, exit status 2,
 * nothing on stdout, never a stack trace.
 */
class OutputFileTest {
    @TempDir
    Path dir;

    /** The commands (short runs) and the option each gives a file to. */
    private static final String[][] COMMANDS = {
        {"scenario refused", "--pcap"},
        {"experiment --rate 10M --rtt 20 --duration 0.5", "--tsv"},
        {"experiment --rate 10M --rtt 20 --duration 0.5", "--svg"},
    };

    private static Run run(String command, String option, Path file) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add(option);
        args.add(file.toString());
        return SynackCommandTest.run(args.toArray(String[]::new));
    }

    private static void assertOneLine(Run run, String command, String option, Path file, String problem) {
        String name = "synack " + command.split(" ")[0];
        assertEquals(2, run.status(), command + " " + option + " " + file + ": " + run.err());
        assertEquals("", run.out(), command + " " + option);
        assertEquals(name + ": bad " + option + " '" + file + "': " + problem + " (see '" + name + " --help')"
                + System.lineSeparator(), run.err());
    }

    @Test
    void missingFolder() {
        Path file = dir.resolve("no/such/dir/out");
        for (String[] c : COMMANDS) assertOneLine(run(c[0], c[1], file), c[0], c[1], file, "no such folder " + file.getParent());
    }

    @Test
    void aFolderWhereAFileIsExpected() {
        for (String[] c : COMMANDS) assertOneLine(run(c[0], c[1], dir), c[0], c[1], dir, "a folder, not a file");
    }

    @Test
    void aFileWhereAFolderIsExpected() throws IOException {
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        Path file = plain.resolve("out");
        for (String[] c : COMMANDS) assertOneLine(run(c[0], c[1], file), c[0], c[1], file, "not a folder: " + plain);
    }

    /** A read-only file, and a file in a read-only folder (skipped where the user may write anyway, e.g. root). */
    @Test
    void readOnly() throws IOException {
        Path ro = Files.writeString(dir.resolve("ro"), "x");
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r--r--r--"));
        Path roDir = Files.createDirectory(dir.resolve("ro-dir"));
        Files.setPosixFilePermissions(roDir, PosixFilePermissions.fromString("r-xr-xr-x"));
        for (Path file : List.of(ro, roDir.resolve("out"))) {
            if (Files.isWritable(Files.exists(file) ? file : file.getParent())) continue; // root writes anyway
            for (String[] c : COMMANDS) assertOneLine(run(c[0], c[1], file), c[0], c[1], file, "permission denied");
        }
        assertEquals("x", Files.readString(ro));
    }

    /** A failure only the write finds (here: procfs refuses new files, even to root) is one line too, after the run. */
    @Test
    void aWriteThatFailsIsOneLine() {
        Path file = Path.of("/proc/synack-output-file-test");
        for (String[] c : COMMANDS) {
            Run run = run(c[0], c[1], file);
            assertEquals(2, run.status(), c[0] + " " + c[1] + ": " + run.err());
            assertEquals(1, run.err().split("\\R").length, run.err());
            assertTrue(run.err().startsWith("synack " + c[0].split(" ")[0] + ": bad " + c[1] + " '" + file + "': "), run.err());
            assertTrue(!run.err().contains("Exception") && !run.err().contains("\tat "), run.err());
        }
    }
}
