package dev.synack.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Build helper: writes this JVM's {@code java.home} to the file named by the one argument. */
public final class JavaHome {
    private JavaHome() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JavaHome <output-file>");
            System.exit(2);
        }
        Files.writeString(Path.of(args[0]), System.getProperty("java.home") + "\n");
    }
}
