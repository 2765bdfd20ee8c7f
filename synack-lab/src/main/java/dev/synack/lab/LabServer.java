package dev.synack.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.synack.sim.Json;
import dev.synack.sim.Pcap;
import dev.synack.sim.experiment.ExperimentKnob;
import dev.synack.sim.experiment.Result;
import dev.synack.sim.scenario.Knob;
import dev.synack.sim.scenario.Knobs;
import dev.synack.sim.scenario.Outcome;
import dev.synack.sim.scenario.Scenario;
import dev.synack.sim.scenario.ScenarioJson;
import dev.synack.sim.scenario.Scenarios;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code synack lab}: the lab in a browser. The JDK's HTTP server, one virtual thread per request,
 * serves the page (HTML, CSS and JavaScript from this jar, uPlot from its WebJar: nothing from the
 * network) and a small JSON API:
 *
 * <ul>
 *   <li>{@code GET /api/stories}: each story's name, situation, what Linux does, and the knobs it takes
 *       (key, option, label, help);</li>
 *   <li>{@code GET /api/run?story=NAME&rtt=50&...}: runs the story (virtual time) and answers with
 *       {@link ScenarioJson}, the JSON {@code synack scenario NAME --format json} prints; its
 *       {@code Server-Timing} header says how long the run took;</li>
 *   <li>{@code GET /api/pcap?story=NAME&...}: the same run's packets as pcap (the run is
 *       deterministic: the same knobs give the same packets);</li>
 *   <li>{@code GET /api/experiment?flows=2&...}: {@code synack experiment} with the same options, as JSON.</li>
 * </ul>
 *
 * Bad input is a 400 whose body is {@code {"error":"bad --rtt '0': expected 1 to 60000 ms"}}: the
 * command line's message, from the same {@link Knob} (or {@link ExperimentKnob}) validation.
 */
public final class LabServer implements AutoCloseable {
    /** Where the page's files are, on the classpath. */
    static final String WEB = "/dev/synack/lab/web/";
    /** Where the uPlot WebJar keeps its files, on the classpath. */
    static final String UPLOT = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    private LabServer(HttpServer server) {
        this.server = server;
        server.setExecutor(threads);
        server.createContext("/", this::serve);
    }

    /**
     * Starts a server on {@code host}:{@code port} (port 0: any free port).
     *
     * @throws IOException if the address cannot be bound (e.g. the port is taken)
     */
    public static LabServer start(String host, int port) throws IOException {
        LabServer s = new LabServer(HttpServer.create(new InetSocketAddress(host, port), 64));
        s.server.start();
        return s;
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8080/}. */
    public URI url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
        threads.close();
    }

    // ---- requests ------------------------------------------------------------------------------

    private void serve(HttpExchange x) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                send(x, 405, "text/plain; charset=utf-8", "GET only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = x.getRequestURI().getPath();
            SequencedMap<String, String> query = query(x.getRequestURI().getRawQuery());
            try {
                switch (path) {
                    case "/api/stories" -> json(x, 200, stories());
                    case "/api/run" -> run(x, query);
                    case "/api/pcap" -> pcap(x, query);
                    case "/api/experiment" -> experiment(x, query);
                    default -> file(x, path);
                }
            } catch (BadRequest e) {
                json(x, 400, "{\"error\":" + Json.string(e.getMessage()) + "}\n");
            }
        } catch (IOException | UncheckedIOException e) {
            // The browser went away mid-answer: nothing to tell anybody.
        }
    }

    /** A request the page should not have made, with the one line that says why. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) { super(message, null, false, false); }
    }

    /** The story list: name, situation, Linux's behaviour, whether it is timed, and its knobs. */
    static String stories() {
        StringBuilder sb = new StringBuilder("[");
        for (Scenario s : Scenarios.all()) {
            if (sb.length() > 1) sb.append(',');
            sb.append("\n{\"name\":").append(Json.string(s.name())).append(",\"situation\":").append(Json.string(s.situation()))
                    .append(",\"linux\":").append(Json.string(s.linux())).append(",\"timed\":").append(s.timed()).append(",\"knobs\":[");
            boolean first = true;
            for (Knob k : s.knobs()) {
                if (!first) sb.append(',');
                first = false;
                sb.append("{\"key\":").append(Json.string(k.key())).append(",\"option\":").append(Json.string(k.option()))
                        .append(",\"label\":").append(Json.string(k.label())).append(",\"help\":").append(Json.string(k.description())).append('}');
            }
            sb.append("]}");
        }
        return sb.append("\n]\n").toString();
    }

    /** The story and knobs a query names: {@code story=NAME} and knobs by key. */
    record Request(Scenario scenario, Knobs knobs) {}

    static Request request(Map<String, String> query) {
        String name = query.get("story");
        if (name == null || name.isEmpty()) {
            throw new BadRequest("missing scenario name; one of " + String.join(", ", Scenarios.names()));
        }
        Scenario s = Scenarios.find(name).orElseThrow(
                () -> new BadRequest("unknown scenario '" + name + "'; one of " + String.join(", ", Scenarios.names())));
        Map<Knob, String> given = new EnumMap<>(Knob.class);
        for (var e : query.entrySet()) {
            if (e.getKey().equals("story")) continue;
            Knob k = Knob.byKey(e.getKey()).orElseThrow(() -> new BadRequest("unknown option '--" + e.getKey() + "'"));
            if (!e.getValue().isEmpty()) given.put(k, e.getValue());
        }
        try {
            return new Request(s, Knob.parse(given));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    /** Runs a story as the page asked; the outcome's plot file (congestion writes one) is not kept. */
    static Outcome run(Request r) {
        Outcome o = ScenarioJson.run(r.scenario(), r.knobs()).withLinux(dev.synack.sim.oracle.Verdicts.compare(r.scenario().name(), r.knobs()));
        if (o.plot() != null) {
            try {
                Files.deleteIfExists(o.plot());
            } catch (IOException e) {
                // a temporary file left behind: harmless
            }
        }
        return o;
    }

    private static void run(HttpExchange x, Map<String, String> query) throws IOException {
        Request r = request(query);
        long t0 = System.nanoTime();
        Outcome o = run(r);
        long t1 = System.nanoTime();
        String body = ScenarioJson.of(o);
        long t2 = System.nanoTime();
        x.getResponseHeaders().add("Server-Timing", timing("run", t1 - t0) + ", " + timing("json", t2 - t1));
        json(x, 200, body);
    }

    private static void pcap(HttpExchange x, Map<String, String> query) throws IOException {
        Request r = request(query);
        byte[] b = Pcap.toBytes(run(r).network().trace());
        x.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + r.scenario().name() + ".pcap\"");
        send(x, 200, "application/vnd.tcpdump.pcap", b);
    }

    private static void experiment(HttpExchange x, Map<String, String> query) throws IOException {
        Map<ExperimentKnob, String> given = new EnumMap<>(ExperimentKnob.class);
        for (var e : query.entrySet()) {
            ExperimentKnob k = ExperimentKnob.byKey(e.getKey()).orElseThrow(() -> new BadRequest("unknown option '--" + e.getKey() + "'"));
            if (!e.getValue().isEmpty()) given.put(k, e.getValue());
        }
        var spec = ExperimentKnob.parse(given, BadRequest::new);
        long t0 = System.nanoTime();
        Result r = spec.run();
        long t1 = System.nanoTime();
        x.getResponseHeaders().add("Server-Timing", timing("run", t1 - t0));
        json(x, 200, ExperimentJson.of(r));
    }

    private static String timing(String name, long ns) {
        return String.format(Locale.ROOT, "%s;dur=%.1f", name, ns / 1e6);
    }

    private static void file(HttpExchange x, String path) throws IOException {
        if (path.equals("/")) path = "/index.html";
        if (path.equals("/experiments")) path = "/experiments.html";
        String resource;
        if (path.startsWith("/vendor/uplot/")) {
            resource = UPLOT + path.substring("/vendor/uplot/".length());
        } else {
            resource = WEB + path.substring(1);
        }
        if (resource.contains("..") || resource.contains("//")) {
            send(x, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = LabServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                send(x, 404, "text/plain; charset=utf-8", ("not found: " + path + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            x.getResponseHeaders().add("Cache-Control", "no-cache");
            send(x, 200, contentType(path), in.readAllBytes());
        }
    }

    static String contentType(String path) {
        String ext = path.substring(path.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "json" -> "application/json; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            default -> "application/octet-stream";
        };
    }

    private static void json(HttpExchange x, int status, String body) throws IOException {
        send(x, status, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The query's parameters in order ({@code a=1&b=2}), decoded; a repeated one keeps its last value. */
    static SequencedMap<String, String> query(String raw) {
        SequencedMap<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return m;
        for (String kv : raw.split("&")) {
            if (kv.isEmpty()) continue;
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    /** The uPlot WebJar's version, from its Maven metadata on the classpath. */
    private static String uplotVersion() {
        try (InputStream in = LabServer.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) return "1.6.30";
            var p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "1.6.30");
        } catch (IOException e) {
            return "1.6.30";
        }
    }
}
