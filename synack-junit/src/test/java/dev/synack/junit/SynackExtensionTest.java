package dev.synack.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.synack.sim.Host;
import dev.synack.sim.Network;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The extension itself: fixtures (nested classes no build runs directly) played through JUnit's launcher. */
class SynackExtensionTest {

    private static List<Throwable> run(Class<?> fixture) {
        var listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture)).build(), listener);
        TestExecutionSummary s = listener.getSummary();
        assertTrue(s.getTestsFoundCount() > 0, "no test found in " + fixture);
        return s.getFailures().stream().map(TestExecutionSummary.Failure::getException).toList();
    }

    private static long reportedSeed(Throwable t) {
        return Arrays.stream(t.getSuppressed()).filter(s -> s instanceof SynackExtension.SeedReport)
                .mapToLong(s -> ((SynackExtension.SeedReport) s).seed()).findFirst().orElseThrow(() -> new AssertionError("no seed in " + t));
    }

    // ---- fixtures ------------------------------------------------------------------------------

    @SynackLab(seed = 42)
    static class FailingFixture {
        @Test
        void fails(Network net) {
            assertEquals(42, net.seed());
            fail("the code under test misbehaved");
        }
    }

    @SynackLab(seed = SynackLab.RANDOM)
    static class RandomSeedFixture {
        static long seen;

        @Test
        void fails(Network net) {
            seen = net.seed();
            fail("boom");
        }
    }

    @SynackLab(seed = 7, hosts = "app")
    static class SilentProcessFailureFixture {
        @Test
        void passesButAProcessFailed(Network net, Host app) throws Exception {
            app.spawn("worker", () -> {
                throw new IllegalStateException("worker broke");
            });
            net.sleep(Duration.ofMillis(10)); // the driver's sleep runs the process, and does not throw its failure
        }
    }

    @SynackLab(hosts = {"client", "db=198.18.0.50"}, delayMs = 3)
    static class InjectionFixture {
        static final List<String> seen = new java.util.ArrayList<>();
        Network net;
        Host client;
        @LabHost("db") Host database;
        Clock clock;

        @BeforeEach
        void setUp(Network n, Host client) {
            assertSame(net, n);
            assertSame(this.client, client);
        }

        @Test
        void injects(Network n, @LabHost("cache") Host cache, Host web) throws Exception {
            assertSame(net, n);
            seen.add(client.name() + " " + client.inetAddress().getHostAddress());
            seen.add(database.name() + " " + database.inetAddress().getHostAddress());
            seen.add(cache.name() + " " + cache.inetAddress().getHostAddress()); // made on first use
            seen.add(web.name() + " " + web.inetAddress().getHostAddress());
            assertEquals("198.18.0.50", n.resolve("db").getHostAddress());
            assertEquals("lan:db", n.link("lan:db").name()); // each host's transmitter on the lab's LAN
            assertEquals(Instant.EPOCH, clock.instant());
            n.sleep(Duration.ofSeconds(3));
            assertEquals(Instant.ofEpochSecond(3), clock.instant());
        }
    }

    @SynackLab(hosts = {"client", "db=198.18.0.50"})
    static class NamesFixture {
        static final List<String> seen = new java.util.ArrayList<>();

        @BeforeEach
        void before() throws Exception {
            seen.add("before " + java.net.InetAddress.getByName("db").getHostAddress());
        }

        @Test
        void resolves(Network net, Host client) throws Exception {
            seen.add("test " + java.net.InetAddress.getByName("db").getHostAddress());
            client.spawn("app", () -> seen.add("process " + java.net.InetAddress.getByName("client").getHostAddress()));
            net.runUntilDone(1_000);
            try {
                java.net.InetAddress.getByName("db.prod.example.com");
            } catch (java.net.UnknownHostException notStrict) {
                seen.add(notStrict.getMessage());
            }
        }
    }

    @SynackLab(seed = 5, hosts = "client", strictNames = true)
    static class StrictNamesFixture {
        @Test
        void swallowsAnUnknownName(Network net, Host client) throws Exception {
            client.spawn("app", () -> {
                try {
                    java.net.InetAddress.getByName("db.prod.example.com");
                } catch (java.net.UnknownHostException e) {
                    // the code under test carries on: the test must fail all the same
                }
            });
            net.runUntilDone(1_000);
        }
    }

    // ---- tests ---------------------------------------------------------------------------------

    @Test
    void testAndLifecycleMethodsResolveTheLabsNames() {
        NamesFixture.seen.clear();
        assertEquals(List.of(), run(NamesFixture.class));
        assertEquals(List.of("before 198.18.0.50", "test 198.18.0.50", "process 198.18.0.1",
                "db.prod.example.com: Name or service not known"), NamesFixture.seen);
        assertTrue(Network.current().isEmpty(), "bound only while the fixture's methods run");
    }

    @Test
    void strictNamesFailATestWhoseCodeLookedUpAnUnknownName() {
        List<Throwable> f = run(StrictNamesFixture.class);
        assertEquals(1, f.size());
        assertEquals("[seed 5] db.prod.example.com: synack strict names: not in the lab's name table [client]; "
                + "add it with net.name(\"db.prod.example.com\", host)", f.getFirst().getMessage());
    }

    @Test
    void aFailingTestReportsItsSeedAndHowToReRunIt() {
        List<Throwable> f = run(FailingFixture.class);
        assertEquals(1, f.size());
        assertEquals("the code under test misbehaved", f.getFirst().getMessage()); // the test's own failure, unchanged
        assertEquals(42, reportedSeed(f.getFirst()));
        var report = Arrays.stream(f.getFirst().getSuppressed()).filter(s -> s instanceof SynackExtension.SeedReport).findFirst().orElseThrow();
        assertEquals("synack lab seed 42 — re-run with -Dsynack.seed=42 (mvn test -Dtest='FailingFixture#fails' -Dsynack.seed=42)",
                report.getMessage());
    }

    @Test
    void theSeedPropertyOverridesTheAnnotationAndReplaysARandomSeed() {
        List<Throwable> first = run(RandomSeedFixture.class);
        long random = RandomSeedFixture.seen;
        assertEquals(random, reportedSeed(first.getFirst()));
        assertNotEquals(SynackLab.RANDOM, random);
        String old = System.getProperty(SynackExtension.SEED_PROPERTY);
        System.setProperty(SynackExtension.SEED_PROPERTY, Long.toString(random));
        try {
            run(RandomSeedFixture.class);
            assertEquals(random, RandomSeedFixture.seen); // the printed seed replays the run
            System.setProperty(SynackExtension.SEED_PROPERTY, "99");
            assertEquals(99, reportedSeed(run(FailingFixture.class).getFirst()));
        } finally {
            if (old == null) System.clearProperty(SynackExtension.SEED_PROPERTY);
            else System.setProperty(SynackExtension.SEED_PROPERTY, old);
        }
    }

    @Test
    void aSimulatedProcesssExceptionFailsTheTest() {
        List<Throwable> f = run(SilentProcessFailureFixture.class);
        assertEquals(1, f.size());
        assertEquals("[seed 7] simulated process worker failed: java.lang.IllegalStateException: worker broke (re-run with -Dsynack.seed=7)",
                f.getFirst().getMessage());
        assertInstanceOf(IllegalStateException.class, f.getFirst().getCause());
    }

    @Test
    void injectsTheNetworkHostsAndClockIntoFieldsAndParameters() {
        InjectionFixture.seen.clear();
        assertEquals(List.of(), run(InjectionFixture.class));
        assertEquals(List.of("client 198.18.0.1", "db 198.18.0.50", "cache 198.18.0.2", "web 198.18.0.3"), InjectionFixture.seen);
    }
}
