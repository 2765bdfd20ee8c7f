package dev.synack.junit;

import dev.synack.runtime.VirtualRuntime.Proc;
import dev.synack.sim.Host;
import dev.synack.sim.Lan;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter extension behind {@link SynackLab} (or {@code @ExtendWith(SynackExtension.class)}).
 *
 * <ul>
 *   <li><b>A lab per test.</b> Each test method gets a new {@link Network} seeded from
 *       {@link SynackLab#seed()} (or the {@code synack.seed} system property), with the hosts of
 *       {@link SynackLab#hosts()} on one LAN.</li>
 *   <li><b>Injection.</b> Parameters of test and lifecycle methods, and null non-static fields of the
 *       test instance (and those the extension set for an earlier test): {@link Network}; {@link Host} by name ({@link LabHost} or the parameter's or
 *       field's name; a host not there yet is added to the LAN); {@link Clock}, the network's virtual
 *       clock.</li>
 *   <li><b>Failures name the seed.</b> A failing test gets a suppressed {@link SeedReport} "synack lab
 *       seed 42 — re-run with -Dsynack.seed=42", also printed to stderr.</li>
 *   <li><b>No silent process failure.</b> After the test, an exception that escaped a simulated process
 *       and that no {@code runFor}/{@code runUntil}/{@code runUntilDone} call rethrew fails the test.</li>
 *   <li><b>Names.</b> Test and lifecycle methods run with the test's network as {@link Network#current()},
 *       so {@code InetAddress.getByName("server")} there resolves in the lab (see
 *       {@link dev.synack.sim.LabResolverProvider}); with {@link SynackLab#strictNames()} (or
 *       {@code -Dsynack.names=strict}) a lookup the lab cannot answer fails the test after it.</li>
 *   <li><b>Real sockets.</b> With {@code -Dsynack.sockets=strict} every real java.net socket of the JVM
 *       fails when it connects or binds, and the test that made one fails after it
 *       ({@link dev.synack.sim.RealSockets}).</li>
 * </ul>
 *
 * <p>The test's own thread drives the simulation: socket calls and {@link Network#sleep} made from it
 * run the simulation until they return, and {@code net.runFor(...)} runs it explicitly.
 */
public final class SynackExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver,
        TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler, InvocationInterceptor {
    /** The system property that overrides every test's seed: a number, or {@code random}. */
    public static final String SEED_PROPERTY = "synack.seed";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SynackExtension.class);

    /** A suppressed exception carrying the seed of a failed test and how to re-run it. */
    public static final class SeedReport extends RuntimeException {
        private final long seed;

        SeedReport(long seed, String test) {
            super("synack lab seed " + seed + " — re-run with -Dsynack.seed=" + seed
                    + (test == null ? "" : " (mvn test -Dtest='" + test + "' -Dsynack.seed=" + seed + ")"), null, false, false);
            this.seed = seed;
        }

        public long seed() { return seed; }
    }

    /** The lab of one test: its network, and the LAN its hosts are put on. */
    static final class Lab {
        final Network net;
        final long seed;
        final long delayMs;
        private Lan lan;
        private int nextAddress = 1;

        Lab(long seed, long delayMs) {
            this.net = new Network(seed);
            this.seed = seed;
            this.delayMs = delayMs;
        }

        /** The host named {@code spec} ("name" or "name=a.b.c.d"), made on the LAN if it is not there yet. */
        Host host(String spec) {
            int eq = spec.indexOf('=');
            String name = eq < 0 ? spec : spec.substring(0, eq);
            if (net.nodes().stream().anyMatch(n -> n.name().equals(name))) {
                if (net.node(name) instanceof Host h) return h;
                throw new IllegalArgumentException("lab node " + name + " is not a host");
            }
            String addr = eq < 0 ? "198.18.0." + nextAddress++ : spec.substring(eq + 1);
            if (nextAddress > 254) throw new IllegalStateException("the lab's LAN has no address left");
            Host h = net.host(name, addr.contains("/") ? addr : addr + "/24");
            if (lan == null) lan = net.lan("lan", LinkSpec.delayMs(delayMs));
            lan.attach(h);
            return h;
        }
    }

    // ---- the lab ---------------------------------------------------------------------------------

    private static Optional<SynackLab> annotation(ExtensionContext context) {
        Optional<SynackLab> a = context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, SynackLab.class));
        for (Class<?> c = context.getTestClass().orElse(null); a.isEmpty() && c != null; c = c.getEnclosingClass()) {
            a = AnnotationSupport.findAnnotation(c, SynackLab.class);
        }
        return a;
    }

    static Lab lab(ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent(Lab.class, k -> newLab(context), Lab.class);
    }

    private static Lab newLab(ExtensionContext context) {
        Optional<SynackLab> a = annotation(context);
        long seed = a.map(SynackLab::seed).orElse(1L);
        String property = System.getProperty(SEED_PROPERTY, "").strip();
        if (property.equalsIgnoreCase("random")) seed = SynackLab.RANDOM;
        else if (!property.isEmpty()) {
            try {
                seed = Long.parseLong(property);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + SEED_PROPERTY + " must be a number or 'random', not " + property);
            }
        }
        if (seed == SynackLab.RANDOM) seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        Lab lab = new Lab(seed, a.map(SynackLab::delayMs).orElse(1L));
        if (a.map(SynackLab::strictNames).orElse(false) || lab.net.strictNames()) lab.net.strictNames(true);
        for (String h : a.map(SynackLab::hosts).orElse(new String[0])) lab.host(h);
        return lab;
    }

    /** The network of the test running in {@code context} (for other extensions). */
    public static Network network(ExtensionContext context) { return lab(context).net; }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Lab lab = lab(context);
        Object instance = context.getRequiredTestInstance();
        // What we injected before (a PER_CLASS test instance keeps its fields): replaced for each test.
        @SuppressWarnings("unchecked")
        java.util.Set<Object> injected = context.getParent().orElse(context).getStore(NS).getOrComputeIfAbsent("injected",
                k -> java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()), java.util.Set.class);
        for (Class<?> c = instance.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) continue;
                Class<?> t = f.getType();
                if (t != Network.class && t != Host.class && t != Clock.class) continue;
                f.setAccessible(true);
                Object old = f.get(instance);
                if (old != null && !injected.contains(old)) continue;
                Object v = valueFor(lab, t, f, f.getName());
                injected.add(v);
                f.set(instance, v);
            }
        }
    }

    private static Object valueFor(Lab lab, Class<?> type, AnnotatedElement element, String name) {
        if (type == Network.class) return lab.net;
        if (type == Clock.class) return lab.net.clock();
        LabHost named = element.getAnnotation(LabHost.class);
        return lab.host(named != null ? named.value() : name);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Lab lab = lab(context);
        List<String> names = lab.net.takeNameFailures();
        lab.net.strictNames(false);
        List<Proc> failed = lab.net.runtime().takeUnreportedFailures();
        List<AssertionError> errors = new ArrayList<>();
        for (Proc p : failed) {
            errors.add(new AssertionError("[seed " + lab.seed + "] simulated process " + p.name() + " failed: "
                    + p.failure() + " (re-run with -D" + SEED_PROPERTY + "=" + lab.seed + ")", p.failure()));
        }
        for (String n : names) errors.add(new AssertionError("[seed " + lab.seed + "] " + n));
        for (String s : dev.synack.sim.RealSockets.takeFailures()) errors.add(new AssertionError("[seed " + lab.seed + "] " + s));
        if (errors.isEmpty()) return;
        AssertionError e = errors.getFirst();
        for (AssertionError more : errors.subList(1, errors.size())) e.addSuppressed(more.getCause() != null ? more.getCause() : more);
        throw e;
    }

    // ---- the current network around test and lifecycle methods -------------------------------------

    private static <T> T asCurrent(Invocation<T> invocation, ExtensionContext context) throws Throwable {
        return lab(context).net.callAsCurrent(invocation::proceed);
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> ic, ExtensionContext context)
            throws Throwable {
        asCurrent(invocation, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> ic,
            ExtensionContext context) throws Throwable {
        asCurrent(invocation, context);
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> ic,
            ExtensionContext context) throws Throwable {
        asCurrent(invocation, context);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> ic,
            ExtensionContext context) throws Throwable {
        asCurrent(invocation, context);
    }

    // ---- parameters ------------------------------------------------------------------------------

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        return t == Network.class || t == Host.class || t == Clock.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        Parameter p = pc.getParameter();
        if (p.getType() == Host.class && !pc.isAnnotated(LabHost.class) && !p.isNamePresent()) {
            throw new ParameterResolutionException("cannot tell which lab host parameter " + pc.getIndex() + " of "
                    + pc.getDeclaringExecutable().getName() + " is: annotate it with @LabHost(\"name\") or compile with -parameters");
        }
        return valueFor(lab(ec), p.getType(), p, p.getName());
    }

    // ---- failures --------------------------------------------------------------------------------

    private static Throwable withSeed(ExtensionContext context, Throwable t) {
        Lab lab = context.getStore(NS).get(Lab.class, Lab.class);
        if (lab == null) return t;
        for (Throwable s : t.getSuppressed()) if (s instanceof SeedReport) return t;
        String test = context.getTestClass().map(Class::getSimpleName).orElse(null);
        if (test != null && context.getTestMethod().isPresent()) test += "#" + context.getRequiredTestMethod().getName();
        SeedReport r = new SeedReport(lab.seed, test);
        t.addSuppressed(r);
        System.err.println(context.getDisplayName() + " failed; " + r.getMessage());
        return t;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withSeed(context, throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withSeed(context, throwable);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withSeed(context, throwable);
    }
}
