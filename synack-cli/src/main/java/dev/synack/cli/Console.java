package dev.synack.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * The streams the commands use: standard output and error, and the input {@code tun connect} reads.
 * Commands print here rather than to {@code System.out}, so that tests run them in-process and read
 * what they printed.
 *
 * @param out where results go
 * @param err where a command's own failure messages go (picocli's usage errors go through
 *     {@link SynackCommand#rejectInput})
 * @param in what {@code tun connect} sends
 */
record Console(PrintStream out, PrintStream err, InputStream in) {
    /**
     * How picocli makes every command of the tree: a class with a constructor taking a {@link Console}
     * gets this console; anything else (picocli's help command, version provider, collections) is made
     * as picocli makes it.
     */
    IFactory factory() {
        IFactory fallback = CommandLine.defaultFactory();
        return new IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                Constructor<K> withConsole;
                try {
                    withConsole = cls.getDeclaredConstructor(Console.class);
                } catch (NoSuchMethodException e) {
                    return fallback.create(cls);
                }
                return withConsole.newInstance(Console.this);
            }
        };
    }
}
