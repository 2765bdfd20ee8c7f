package dev.synack.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser: Debian's headless Chromium driven through its chromedriver (Selenium,
 * nothing downloaded at run time). Loads the page, runs three stories and checks the ladder's
 * segments against the run's JSON, opens a segment's detail by mouse and by keyboard, checks a bad knob's
 * message, the knobs in the URL, the language switch, labels and contrast, the player, the experiments
 * page, and takes a screenshot. Skipped, with a message, where the browser is not installed.
 *
 * <p>Waits are for the browser only, bounded (30 s), on conditions the page sets (never a sleep).
 */
class LabPageTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(30);

    static LabServer server;
    static WebDriver browser;
    static JavascriptExecutor js;

    @BeforeAll
    static void start(@TempDir Path profile) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "no browser: the page test needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver;"
                        + " .ci/run installs them) — skipped");
        server = LabServer.start("127.0.0.1", 0);
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,1800", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, o);
        js = (JavascriptExecutor) browser;
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    static Object js(String script, Object... args) { return js.executeScript(script, args); }

    static long runs() { return ((Number) js("return window.synackLab ? window.synackLab.runs : 0")).longValue(); }

    static void waitFor(String condition) {
        new WebDriverWait(browser, WAIT).until(d -> Boolean.TRUE.equals(js("return !!(" + condition + ")")));
    }

    /** Opens {@code query} and waits for its first run to be drawn; returns the wall time to that, in ms. */
    static long open(String query) {
        long t0 = System.nanoTime();
        browser.get(server.url().resolve("/" + query).toString());
        waitFor("window.synackLab && window.synackLab.runs >= 1 || document.querySelector('#error').textContent");
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Clicks the story's link in the list and waits for its run. */
    static void story(String name) {
        long before = runs();
        browser.findElement(By.cssSelector("#story-list a[data-story='" + name + "']")).click();
        waitFor("window.synackLab.runs > " + before + " && window.synackLab.story.name === '" + name + "'");
    }

    /** The run's JSON as the server gives it, fetched by the page itself. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String query) {
        return (Map<String, Object>) js.executeAsyncScript(
                "const done = arguments[arguments.length - 1]; fetch('/api/run?' + arguments[0]).then(r => r.json()).then(done)", query);
    }

    /** Every drawn segment matches a packet the run sent, and the reverse; reasons shown as the JSON has them. */
    @SuppressWarnings("unchecked")
    static void checkLadder(String name) {
        Map<String, Object> data = json("story=" + name);
        List<Map<String, Object>> sent = ((List<Map<String, Object>>) data.get("events")).stream()
                .filter(e -> "packet".equals(e.get("type")) && "out".equals(e.get("dir"))).toList();
        List<WebElement> segs = browser.findElements(By.cssSelector("#ladder .seg"));
        assertEquals(sent.size(), segs.size(), name + ": one segment per packet sent");
        assertTrue(!segs.isEmpty(), name + " sends segments");
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(String.valueOf(((Number) sent.get(i).get("id")).longValue()), segs.get(i).getDomAttribute("data-id"), name);
        }
        // The first segment's detail: its header as the JSON has it, and why it was sent.
        Map<String, Object> first = sent.getFirst();
        js("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", segs.getFirst());
        String detail = browser.findElement(By.id("detail-body")).getText();
        assertTrue(detail.contains(first.get("host") + " → " + first.get("dst")), detail);
        if (first.get("flags") != null) {
            assertTrue(detail.contains(first.get("seq") + " / " + first.get("abs_seq")), detail);
            assertTrue(detail.contains(String.valueOf(first.get("options"))), detail);
        }
        String why = browser.findElement(By.id("why")).getText();
        if (first.get("reason") instanceof Map<?, ?> r) assertEquals(r.get("text"), why, name + ": the reason's text");
        else assertEquals("(this run's trace records no reason for it)", why, name + ": no reason in this build's JSON");
    }

    @Test
    void theLabInABrowser(@TempDir Path tmp) throws Exception {
        long loadMs = open("?story=handshake");
        assertEquals("", browser.findElement(By.id("error")).getText());
        @SuppressWarnings("unchecked")
        Map<String, Object> timings = (Map<String, Object>) js("return window.synackLab.timings");
        System.out.printf("lab page: handshake drawn %d ms after navigation (page's own count: load %s ms; run %s ms on the server,"
                + " %s ms in the browser)%n", loadMs, timings.get("load"), timings.get("server"), timings.get("browser"));
        assertEquals("3-way handshake", browser.findElement(By.id("story-title")).getText());
        checkLadder("handshake");

        // Three stories, each drawn segment for segment as its JSON.
        for (String name : List.of("refused", "host-crash", "fast-retransmit")) {
            story(name);
            checkLadder(name);
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) js("return window.synackLab.timings");
            System.out.printf("lab page: %s run %s ms on the server, %s ms in the browser (fetch, parse, draw)%n",
                    name, t.get("server"), t.get("browser"));
        }
        // The verdict: the checks, and the story as Linux ran it (fast-retransmit has a recording, which
        // differs today: docs/ORACLE.md); the line names what it was compared with.
        String verdict = browser.findElement(By.id("verdict-line")).getText();
        String linuxRun = browser.findElement(By.id("linux-run")).getText();
        assertTrue(linuxRun.startsWith("Linux's own run of this story: ") && linuxRun.contains("compared with Linux "), linuxRun);
        assertTrue(verdict.startsWith(linuxRun.contains(": differs") ? "✗ DIFFERS from Linux" : "✓ matches Linux"), verdict + " / " + linuxRun);
        assertTrue(browser.findElements(By.cssSelector("#plots figure")).size() == 4, "fast-retransmit has its four plots");
        assertTrue(browser.findElement(By.id("app")).getText().contains("connect("), browser.findElement(By.id("app")).getText());

        // The keyboard reaches a segment and opens it.
        WebElement seg = browser.findElements(By.cssSelector("#ladder .seg")).get(2);
        js("arguments[0].focus()", seg);
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        assertEquals(seg.getDomAttribute("data-id"), String.valueOf(js("return String(window.synackLab.selected)")));

        // The player: step back to the start, step forward moves time on, play runs it.
        browser.findElement(By.id("slider")).sendKeys(Keys.HOME);
        assertEquals(0.0, ((Number) js("return window.synackLab.now")).doubleValue());
        browser.findElement(By.id("fwd")).click();
        assertTrue(((Number) js("return window.synackLab.now")).doubleValue() > 0);
        browser.findElement(By.id("play")).click();
        waitFor("window.synackLab.now > 0.9");
        browser.findElement(By.id("play")).click();

        // A bad knob: the command line's message, nothing run.
        long before = runs();
        WebElement rtt = browser.findElement(By.id("knob-rtt"));
        rtt.clear();
        rtt.sendKeys("0", Keys.ENTER);
        waitFor("document.querySelector('#error').textContent");
        assertEquals("Error: bad --rtt '0': expected 0.01 to 60000 ms (up to three decimals)", browser.findElement(By.id("error")).getText());
        assertEquals(before, runs());

        // Knobs and language in the URL: a view can be shared.
        open("?story=refused&rtt=50&lang=zh");
        assertEquals("50", browser.findElement(By.id("knob-rtt")).getDomProperty("value"));
        assertEquals("zh-CN", js("return document.documentElement.lang"));
        assertEquals("异常1：server 端口还未监听", browser.findElement(By.id("story-title")).getText());
        assertTrue(browser.findElement(By.id("verdict-line")).getText().contains("50.000 ms"), browser.findElement(By.id("verdict-line")).getText());
        assertTrue(String.valueOf(js("return location.search")).contains("rtt=50"));
        // Switch language: the page's own texts change, the protocol's do not.
        browser.findElement(By.cssSelector("button[data-lang=en]")).click();
        assertEquals("exception 1: the server port is not listening", browser.findElement(By.id("story-title")).getText());
        assertEquals("Ladder diagram", browser.findElement(By.id("ladder-title")).getText());
        browser.findElement(By.cssSelector("button[data-lang=zh]")).click();
        assertEquals("梯形图", browser.findElement(By.id("ladder-title")).getText());
        assertTrue(String.valueOf(js("return location.search")).contains("lang=zh"));
        // A reason (as the trace gives it where it records one) in Chinese by its code with its number,
        // in English for a code the Chinese table does not know.
        js("""
                const p = window.synackLab.m.packets;
                p[0].out.reason = {code: 'RTO', text: 'RTO expired, backoff 3 (tcp_retransmit_timer)', n: 3};
                p[1].out.reason = {code: 'SOMETHING_NEW', text: 'a rule added later'};
                p[0].el.dispatchEvent(new MouseEvent('click', {bubbles: true}))""");
        assertEquals("重传超时（RTO）到期，第 3 次退避（tcp_retransmit_timer）", browser.findElement(By.id("why")).getText());
        js("window.synackLab.m.packets[1].el.dispatchEvent(new MouseEvent('click', {bubbles: true}))");
        assertEquals("a rule added later", browser.findElement(By.id("why")).getText());
        browser.findElement(By.cssSelector("button[data-lang=en]")).click();
        js("window.synackLab.m.packets[0].el.dispatchEvent(new MouseEvent('click', {bubbles: true}))");
        assertEquals("RTO expired, backoff 3 (tcp_retransmit_timer)", browser.findElement(By.id("why")).getText());

        accessibility();

        // The screenshot: a story a newcomer would open, with a segment picked.
        open("?story=fast-retransmit&lang=en&log=1");
        js("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                browser.findElements(By.cssSelector("#ladder .seg")).get(4));
        assertEquals(List.of(), js("""
                return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                  .filter(e => !e.closest('.ladder-scroll')).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""),
                "nothing wider than the window with the plots drawn");
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        assertTrue(png.length > 10_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
        Path shot = Path.of(System.getProperty("lab.screenshot", "target/lab-screenshot.png"));
        Files.createDirectories(shot.toAbsolutePath().getParent());
        Files.write(shot, png);

        experiments();
    }

    /** Every control has a label, the page is keyboard-reachable, and its text has WCAG AA contrast. */
    static void accessibility() {
        Object unlabelled = js("""
                return [...document.querySelectorAll('input, select, textarea')]
                  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
                  .map(e => e.id || e.name)""");
        assertEquals(List.of(), unlabelled, "controls without a label");
        Object nameless = js("""
                return [...document.querySelectorAll('button, a[href], [role=button]')]
                  .filter(e => !(e.textContent.trim() || e.getAttribute('aria-label'))).map(e => e.outerHTML.slice(0, 80))""");
        assertEquals(List.of(), nameless, "buttons and links without a name");
        // WCAG 2.1 relative luminance and contrast of each text's colour on its background.
        Object low = js("""
                const lum = c => { const [r, g, b] = c.match(/[0-9.]+/g).slice(0, 3).map(Number).map(v => v / 255)
                  .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
                const bg = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
                  if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
                const out = [];
                for (const e of document.querySelectorAll('h1, h2, h3, p, a, button, label, th, td, legend, .hint, .help, output, strong, span')) {
                  if (!e.textContent.trim() || e.closest('svg') || e.offsetParent === null) continue;
                  const a = lum(getComputedStyle(e).color), b = lum(bg(e));
                  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                  if (ratio < 4.5) out.push((e.id || e.className || e.tagName) + ' ' + ratio.toFixed(2));
                }
                return out""");
        assertEquals(List.of(), low, "text below 4.5:1 contrast");
        Object wide = js("""
                return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                  .filter(e => !e.closest('.ladder-scroll')).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)""");
        assertEquals(List.of(), wide, "nothing wider than the window (no sideways scrolling)");
        // The skip link is the first stop of the keyboard, and takes it to the story; Tab goes on from there.
        assertEquals("skip", js("""
                return document.querySelector('a[href], button, input, select, [tabindex]:not([tabindex="-1"])').className"""));
        js("document.querySelector('.skip').focus()");
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        assertEquals("story", browser.switchTo().activeElement().getDomAttribute("id"));
        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertEquals("knob-seed", browser.switchTo().activeElement().getDomAttribute("id"));
    }

    static void experiments() {
        browser.get(server.url().resolve("/experiments?flows=2&duration=3&rate=10M").toString());
        waitFor("window.synackExperiments && window.synackExperiments.runs >= 1 || document.querySelector('#error').textContent");
        assertEquals("", browser.findElement(By.id("error")).getText());
        assertEquals(2, browser.findElements(By.cssSelector("#exp-plots figure")).size());
        assertTrue(browser.findElement(By.id("exp-summary")).getText().startsWith("2 × cubic, rate 10.00 Mbit/s"),
                browser.findElement(By.id("exp-summary")).getText());
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) js("return window.synackExperiments.timings");
        System.out.printf("lab page: experiment (2 flows, 3 s at 10 Mbit/s) %s ms on the server, %s ms in the browser%n",
                t.get("server"), t.get("browser"));
        WebElement flows = browser.findElement(By.id("exp-flows"));
        flows.clear();
        flows.sendKeys("0", Keys.ENTER);
        waitFor("document.querySelector('#error').textContent");
        assertEquals("Error: bad --flows '0': expected 1 to 200", browser.findElement(By.id("error")).getText());
    }
}
