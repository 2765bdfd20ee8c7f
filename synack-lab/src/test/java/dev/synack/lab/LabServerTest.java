package dev.synack.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.sim.oracle.Verdicts;
import dev.synack.sim.scenario.Knobs;
import dev.synack.sim.scenario.ScenarioJson;
import dev.synack.sim.scenario.Scenarios;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lab's server and API over HTTP on loopback (the page itself: {@link LabPageTest}). */
class LabServerTest {
    static LabServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException { server = LabServer.start("127.0.0.1", 0); }

    @AfterAll
    static void stop() { server.close(); }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.url().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theUrlIsLoopbackWithThePort() {
        assertTrue(server.url().toString().matches("http://127\\.0\\.0\\.1:\\d+/"), server.url().toString());
    }

    @Test
    void storiesListEveryScenarioWithItsKnobs() throws Exception {
        var r = get("/api/stories");
        assertEquals(200, r.statusCode());
        for (String name : Scenarios.names()) assertTrue(r.body().contains("{\"name\":\"" + name + "\""), name);
        assertTrue(r.body().contains("{\"key\":\"keepalive\",\"option\":\"--keepalive\",\"label\":\"IDLE,INTVL,CNT\""), r.body());
    }

    /** The run is the JSON `synack scenario NAME --format json` prints, for the same knobs. */
    @Test
    void aRunIsTheCommandLinesJson() throws Exception {
        var r = get("/api/run?story=refused&rtt=50&seed=3");
        assertEquals(200, r.statusCode());
        var scenario = Scenarios.find("refused").orElseThrow();
        Knobs knobs = Knobs.defaults().withRttMs(50).withSeed(3);
        assertEquals(ScenarioJson.of(ScenarioJson.run(scenario, knobs).withLinux(Verdicts.compare("refused", knobs))), r.body());
        assertTrue(r.headers().firstValue("Server-Timing").orElse("").matches("run;dur=[0-9.]+, json;dur=[0-9.]+"),
                r.headers().toString());
    }

    @Test
    void badInputIsA400WithTheCommandLinesMessage() throws Exception {
        String[][] cases = {
            {"/api/run?story=refused&rtt=0", "bad --rtt '0': expected 0.01 to 60000 ms (up to three decimals)"},
            {"/api/run?story=refused&keepalive=2,1", "bad --keepalive '2,1': expected IDLE,INTVL,CNT, three positive integers, e.g. 2,1,3"},
            {"/api/run?story=nope", "unknown scenario 'nope'; one of " + String.join(", ", Scenarios.names())},
            {"/api/run?story=refused&sysctl=x", "unknown option '--sysctl'"},
            {"/api/experiment?flows=0", "bad --flows '0': expected 1 to 200"},
            {"/api/experiment?cc=vegas", "bad --cc 'vegas': one of reno, newreno, cubic"},
        };
        for (String[] c : cases) {
            var r = get(c[0]);
            assertEquals(400, r.statusCode(), c[0]);
            assertEquals("{\"error\":\"" + c[1] + "\"}\n", r.body(), c[0]);
        }
    }

    @Test
    void pcapIsTheRunsPackets() throws Exception {
        var r = http.send(HttpRequest.newBuilder(server.url().resolve("/api/pcap?story=refused")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        byte[] b = r.body();
        assertEquals(0xa1, b[0] & 0xff);
        assertEquals(0xb2, b[1] & 0xff);
        assertEquals("attachment; filename=\"refused.pcap\"", r.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void anExperimentHasEveryFlowsSamples() throws Exception {
        var r = get("/api/experiment?flows=2&duration=2&rate=10M&rtt=20");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"index\":0") && r.body().contains("\"index\":1"), r.body());
        assertTrue(r.body().contains("\"goodputMbps\":["), r.body());
    }

    @Test
    void thePageAndItsLibraryAreServedFromTheJar() throws Exception {
        for (String path : new String[] {"/", "/lab.js", "/common.js", "/lab.css", "/experiments", "/experiments.js",
                "/vendor/uplot/uPlot.iife.min.js", "/vendor/uplot/uPlot.min.css"}) {
            var r = get(path);
            assertEquals(200, r.statusCode(), path);
        }
        assertEquals(404, get("/nothing-here").statusCode());
        assertEquals(404, get("/../pom.xml").statusCode());
        // Nothing the page loads comes from another host.
        String html = get("/").body() + get("/experiments").body();
        assertTrue(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"), html);
    }

    /** Every story has its place under one of the note's headings, and its Chinese texts. */
    @Test
    void everyStoryHasItsHeadingAndChineseTexts() throws IOException {
        String texts;
        try (InputStream in = LabServer.class.getResourceAsStream(LabServer.WEB + "stories.json")) {
            texts = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String name : Scenarios.names()) {
            assertTrue(texts.contains("\"" + name + "\": {\n   \"zh\": \""), name + " has a Chinese title");
            int at = texts.indexOf("\"" + name + "\": {");
            assertTrue(texts.indexOf("\"linuxZh\": \"", at) > at, name + " has a Chinese explanation");
            String sections = texts.substring(0, texts.indexOf("\"stories\": {"));
            assertEquals(1, sections.split("\"" + name + "\"", -1).length - 1, name + " is in one section of the note");
        }
    }

    @Test
    void theChineseReasonsCoverTheCodesTheTraceGives() throws IOException {
        String zh;
        try (InputStream in = LabServer.class.getResourceAsStream(LabServer.WEB + "reasons-zh.json")) {
            zh = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String code : new String[] {"RTO", "TLP", "RACK", "FAST_RETRANS", "NEW_DATA", "DELAYED_ACK", "QUICK_ACK",
                "ZERO_WINDOW_PROBE", "KEEPALIVE", "CHALLENGE_ACK", "RST_NO_SOCKET", "RST_UNREAD_DATA", "SYN", "SYN_RETRY",
                "SYN_ACK", "FIN"}) {
            assertTrue(zh.contains("\n  \"" + code + "\": \""), code);
        }
        assertTrue(zh.contains("\"RTO\": \"重传超时（RTO）到期，第 {n} 次退避"), "RTO takes its number");
    }
}
