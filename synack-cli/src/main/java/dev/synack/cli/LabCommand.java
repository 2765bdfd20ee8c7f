package dev.synack.cli;

import dev.synack.lab.LabServer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code synack lab}: the lab in a browser. Starts a local web server and prints the page's address;
 * runs until interrupted (Ctrl-C). Exit status 2 on bad input or an address that cannot be bound.
 */
@Command(name = "lab",
        description = {"Serve the lab as a web page: replay each story of the note in the browser, see why every segment was sent.",
                "Prints the page's address and serves until interrupted (Ctrl-C). The page works offline."})
final class LabCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to listen on (default 127.0.0.1: this machine only).")
    private String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "N", description = "TCP port (default 8080; 0 = any free port).")
    private int port = 8080;

    LabCommand(Console console) {
        this.out = console.out();
    }

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) throw new ParameterException(spec.commandLine(), "bad --port '" + port + "': expected 0 to 65535");
        LabServer server;
        try {
            server = LabServer.start(host, port);
        } catch (IOException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        out.println("synack lab: " + server.url() + "  (Ctrl-C stops it)");
        out.flush();
        stopped.await();
        return 0;
    }
}
