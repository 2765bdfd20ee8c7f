package dev.synack.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The file a command writes its results to ({@code --pcap}, {@code --tsv}, {@code --svg}): checked before
 * the run, so that a path that cannot be written is bad input (one line on stderr, exit status 2, nothing
 * run), and written after it, so that a failure the check could not foresee is one line too, never a
 * stack trace.
 */
final class OutputFile {
    private OutputFile() {}

    /** What writes the file; may throw {@link IOException} or {@link UncheckedIOException}. */
    interface Writer {
        void write(Path file) throws IOException;
    }

    /**
     * Rejects {@code file} (given as {@code option}) when it cannot be written: its folder is missing or
     * not a folder, it is a folder itself, or it (or, when it does not exist yet, its folder) is not
     * writable. Does nothing when {@code file} is null (the option was not given).
     */
    static void check(CommandSpec spec, String option, Path file) {
        if (file == null) return;
        Path folder = file.getParent() != null ? file.getParent() : file.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder)) {
            throw bad(spec, option, file, Files.exists(folder) ? "not a folder: " + folder : "no such folder " + folder);
        }
        if (Files.isDirectory(file)) throw bad(spec, option, file, "a folder, not a file");
        if (Files.exists(file) ? !Files.isWritable(file) : folder != null && !Files.isWritable(folder)) {
            throw bad(spec, option, file, "permission denied");
        }
    }

    /** Writes {@code file} with {@code writer}; a failure is bad input naming {@code option}, the file and why. */
    static void write(CommandSpec spec, String option, Path file, Writer writer) {
        try {
            writer.write(file);
        } catch (IOException e) {
            throw bad(spec, option, file, reason(e));
        } catch (UncheckedIOException e) {
            throw bad(spec, option, file, reason(e.getCause()));
        }
    }

    private static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or folder";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> String.valueOf(e.getMessage());
        };
    }

    private static ParameterException bad(CommandSpec spec, String option, Path file, String problem) {
        return new ParameterException(spec.commandLine(), "bad " + option + " '" + file + "': " + problem);
    }
}
