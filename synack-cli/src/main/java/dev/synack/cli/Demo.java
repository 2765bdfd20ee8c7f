package dev.synack.cli;

import java.io.PrintStream;

/** {@code synack demo}: a short run of the network lab. */
public final class Demo {
    private Demo() {}

    /** Runs the demo, printing to {@code out}; returns the process exit code. */
    public static int run(PrintStream out) {
        out.println("demo: the lab is not wired yet");
        return 0;
    }
}
