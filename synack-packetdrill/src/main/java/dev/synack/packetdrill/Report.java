package dev.synack.packetdrill;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs scripts and prints, per script, {@code PASS path} or {@code FAIL path:line: message} with the
 * expected and actual packet, then once the sysctls the scripts set that synack accepts without
 * effect ({@code note: not modelled: NAME: why}), the failures grouped by reason, and exactly
 * {@code N passed, N failed}.
 */
public final class Report {
    private Report() {}

    /** The .pkt files of {@code paths}: files as given, folders searched (sorted). */
    public static List<Path> scripts(List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Runner::isScript).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** Runs every script and prints the report. @return the results in order */
    public static List<Result> run(List<Path> scripts, PrintStream out) { return run(scripts, List.of(), out); }

    /** Runs every script with packetdrill command-line options and prints the report. @return the results */
    public static List<Result> run(List<Path> scripts, List<String> options, PrintStream out) {
        List<Result> results = new ArrayList<>();
        for (Path p : scripts) {
            Result r = Runner.run(p, options);
            results.add(r);
            print(r, out);
        }
        summary(results, out);
        return results;
    }

    /** One script's lines. */
    public static void print(Result r, PrintStream out) {
        if (r.passed()) {
            out.println("PASS " + r.path());
        } else {
            out.println("FAIL " + r.path() + ":" + r.line() + ": " + r.message());
            if (r.expected() != null) out.println("     expected: " + r.expected());
            if (r.expected() != null || r.actual() != null) {
                out.println("     actual:   " + (r.actual() == null ? "(nothing)" : r.actual()));
            }
        }
        for (String n : r.notes()) out.println("     note: " + n);
    }

    /** The failures grouped by reason, then {@code N passed, N failed}. */
    public static void summary(List<Result> results, PrintStream out) {
        Map<String, List<Result>> byReason = new TreeMap<>();
        int passed = 0;
        for (Result r : results) {
            if (r.passed()) passed++;
            else byReason.computeIfAbsent(r.reason(), k -> new ArrayList<>()).add(r);
        }
        // Once per run, not per script: the sysctls the scripts set that synack accepts and ignores.
        java.util.SortedSet<String> notModelled = new java.util.TreeSet<>();
        for (Result r : results) notModelled.addAll(r.notModelled());
        if (!notModelled.isEmpty()) {
            out.println();
            for (String n : notModelled) out.println("note: not modelled: " + n);
        }
        if (!byReason.isEmpty()) {
            out.println();
            out.println("Failures by reason:");
            for (var e : byReason.entrySet()) {
                out.println("  " + e.getKey() + " (" + e.getValue().size() + ")");
                for (Result r : e.getValue()) out.println("    " + r.path() + ":" + r.line());
            }
        }
        out.println(passed + " passed, " + (results.size() - passed) + " failed");
    }
}
