package dev.synack.sim;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.security.Security;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.stream.Stream;

/**
 * The JDK's name resolver while synack-sim is on the class path ({@code java.net.spi}, registered in
 * {@code META-INF/services}): {@code InetAddress.getByName("db")} — in the code under test or in a
 * library it calls (an HTTP client given {@code http://db:8080/}) — is answered from the name table of
 * the {@linkplain Network#current() current network} when one is bound on the thread (a process of a
 * lab host, {@link Network#runAsCurrent}, a test method under the JUnit extension), and by the JDK's own
 * resolver (the hosts file and DNS) otherwise.
 *
 * <p>In a network: the table's names (case-insensitively), then {@code localhost} (the loopback
 * address, as the hosts file has it) and the machine's own name (the JDK's answer, for
 * {@code InetAddress.getLocalHost()}, which logging libraries call); any other name fails with UnknownHostException "NAME: Name or
 * service not known" and never reaches the machine's DNS. Reverse lookups ({@code getHostName}) give the
 * first name the table has for the address.
 *
 * <p><b>Strict names</b> ({@link Network#strictNames(boolean)}, {@code @SynackLab(strictNames = true)},
 * {@code -Dsynack.names=strict}): a name the network does not know is also recorded as a failure that
 * fails the test, even if the code under test catches the exception; and a lookup on a thread that runs
 * in no network (a library's own thread) fails instead of asking the machine's DNS — except
 * {@code localhost} and the machine's own name, which the JDK answers.
 *
 * <p>The JDK caches lookups by name for 30 s (failures for 10 s), across networks and outside them; this
 * provider turns that cache off ({@code networkaddress.cache.ttl} and {@code networkaddress.cache.negative.ttl}
 * set to 0 when the JDK loads it, unless the JVM already cached a lookup), so that "server" in one test
 * is never another test's "server".
 */
public final class LabResolverProvider extends InetAddressResolverProvider {
    /** The system property that turns strict names on for every network: {@code -Dsynack.names=strict}. */
    public static final String PROPERTY = "synack.names";

    private static final Set<Network> STRICT = new CopyOnWriteArraySet<>();

    /** Whether {@code -Dsynack.names=strict} is set ({@code off} or unset: no); another value is an error. */
    static boolean strictByProperty() {
        String v = System.getProperty(PROPERTY, "").strip();
        if (v.isEmpty() || v.equalsIgnoreCase("off")) return false;
        if (v.equalsIgnoreCase("strict")) return true;
        throw new IllegalArgumentException("-D" + PROPERTY + " must be 'strict' or 'off', not " + v);
    }

    static void strict(Network net, boolean on) {
        if (on) STRICT.add(net);
        else STRICT.remove(net);
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        Security.setProperty("networkaddress.cache.ttl", "0");
        Security.setProperty("networkaddress.cache.negative.ttl", "0");
        return new Resolver(configuration.builtinResolver(), configuration.lookupLocalHostName());
    }

    @Override
    public String name() { return "synack lab names"; }

    /** The resolver: the current network's names, else the JDK's (see the class comment). */
    static final class Resolver implements InetAddressResolver {
        private final InetAddressResolver builtin;
        private final String localHostName;

        Resolver(InetAddressResolver builtin, String localHostName) {
            this.builtin = builtin;
            this.localHostName = localHostName;
        }

        @Override
        public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
            Network net = Network.current().orElse(null);
            if (net == null) {
                if (!strict() || isLocal(host)) return builtin.lookupByName(host, policy);
                String m = host + ": synack strict names: looked up on thread " + Thread.currentThread().getName()
                        + ", which runs in no lab network (not a simulated process, not inside net.runAsCurrent); "
                        + "the machine's DNS is not asked";
                for (Network n : STRICT) n.nameFailure(m);
                throw new UnknownHostException(m);
            }
            InetAddress a;
            try {
                a = net.resolve(host);
            } catch (UnknownHostException e) {
                if (host.equalsIgnoreCase("localhost")) {
                    a = InetAddress.getLoopbackAddress();
                } else if (isLocal(host)) {
                    return builtin.lookupByName(host, policy);  // InetAddress.getLocalHost(): the hosts file's answer
                } else {
                    if (!net.strictNames()) throw e;
                    String m = host + ": synack strict names: not in the lab's name table " + net.names().keySet()
                            + "; add it with net.name(\"" + host + "\", host)";
                    net.nameFailure(m);
                    throw new UnknownHostException(m);
                }
            }
            if ((policy.characteristics() & LookupPolicy.IPV4) == 0) {
                throw new UnknownHostException(host + ": the lab has IPv4 addresses only (lookup policy asks for IPv6)");
            }
            return Stream.of(a);
        }

        @Override
        public String lookupByAddress(byte[] addr) throws UnknownHostException {
            Network net = Network.current().orElse(null);
            if (net == null) return builtin.lookupByAddress(addr);
            String name = addr.length == 4 ? net.nameFor(InetAddress.getByAddress(addr)) : null;
            if (name == null) throw new UnknownHostException(InetAddress.getByAddress(addr).getHostAddress() + ": not in the lab's name table");
            return name;
        }

        private boolean strict() {
            return !STRICT.isEmpty() || strictByProperty();
        }

        private boolean isLocal(String host) {
            return host.equalsIgnoreCase("localhost") || host.equalsIgnoreCase(localHostName)
                    || host.toLowerCase(Locale.ROOT).endsWith(".localhost");
        }
    }
}
