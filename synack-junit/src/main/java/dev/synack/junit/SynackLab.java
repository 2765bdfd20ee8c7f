package dev.synack.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test with a fresh synack lab: a seeded {@link dev.synack.sim.Network} in virtual time,
 * injected into test and lifecycle methods' parameters and into null fields (see {@link SynackExtension}).
 * On a method it overrides the class's.
 *
 * <pre>{@code
 * @SynackLab(seed = 42, hosts = {"client", "server"}, delayMs = 10)
 * class RetryTest {
 *     @Test
 *     void retriesUntilTheServerIsBack(Network net, Host client, Host server) { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SynackExtension.class)
public @interface SynackLab {
    /** {@link #seed()} value meaning "a new seed for every run" (printed when the test fails). */
    long RANDOM = Long.MIN_VALUE;

    /**
     * The network's seed: the same seed and the same test give the same packets, byte for byte. The
     * system property {@code synack.seed} overrides it for every test ({@code -Dsynack.seed=42}, or
     * {@code -Dsynack.seed=random}).
     */
    long seed() default 1;

    /**
     * Hosts made before the test runs, in order, on one LAN {@code 198.18.0.0/24}: {@code "client"} takes
     * the next address (.1, .2, ...), {@code "db=198.18.0.50"} a given one. Host parameters and fields
     * not listed here are added the same way when first injected.
     */
    String[] hosts() default {};

    /** One-way delay of the LAN, in ms. */
    long delayMs() default 1;

    /**
     * Strict names: a name the lab does not know ({@code InetAddress.getByName("db.prod.example.com")} in a
     * simulated process or the test method) fails the test after it, even if the code under test caught
     * its UnknownHostException; and a lookup on a thread that runs in no lab (a library's own thread)
     * fails instead of asking the machine's DNS. {@code -Dsynack.names=strict} turns it on for every test.
     */
    boolean strictNames() default false;
}
