package dev.synack.junit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/TESTING.md shows the worked example exactly as RetryClientExampleTest runs it, so the page cannot rot. */
class TestingGuideTest {
    @Test
    void theGuidesExampleIsTheTestThatRuns() throws IOException {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        String source = Files.readString(module.resolve("src/test/java/dev/synack/junit/RetryClientExampleTest.java"));
        String example = source.split("// tag::example\\[]\n")[1].split("// end::example\\[]")[0];
        String guide = Files.readString(module.resolveSibling("docs").resolve("TESTING.md"));
        assertTrue(guide.contains("```java\n" + example + "```\n"),
                "docs/TESTING.md must show RetryClientExampleTest between its tag::example markers, unchanged");
        String readme = Files.readString(module.resolveSibling("README.md"));
        assertTrue(readme.contains("docs/TESTING.md"), "the README links the guide");
    }
}
