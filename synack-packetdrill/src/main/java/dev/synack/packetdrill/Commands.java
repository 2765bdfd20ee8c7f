package dev.synack.packetdrill;

import dev.synack.tcp.TcpConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The simple commands of a script's back-quoted lines, once {@link Shell} has expanded them, played on
 * a simulated host: {@code sysctl -q net.ipv4.X=V} and packetdrill's {@code set_sysctls.py
 * /proc/sys/net/ipv4/X=V} become {@link TcpConfig#set}; {@code ethtool -K tun0 tso off gso off} turns
 * the host's segmentation offload off; {@code tc qdisc ... pfifo limit 0} refuses every packet; the
 * commands that only tidy up a real machine (ip tcp_metrics flush, the sysctl restore script) do
 * nothing here.
 *
 * <p>A sysctl synack does not know fails the script ("unknown sysctl"). One synack accepts without
 * effect is collected in {@link HostSetup#notModelled} (the report lists them once per run), and noted
 * under the script when its value is unlike how synack behaves.
 */
public final class Commands {
    /** What the commands set up: the host's sysctls, its offload mode, and notes for the report. */
    public static final class HostSetup {
        public final TcpConfig config;
        /** TSO/GSO on the host's interface (ethtool -K tun0 tso on|off). */
        public boolean offload = true;
        /** net.ipv4.tcp_tso_win_divisor (not a TcpConfig field: it shapes the offload sizes). */
        public int tsoWinDivisor = 3;
        /** The interface's queue discipline refuses every packet (tc qdisc ... pfifo limit 0): local congestion. */
        public boolean qdiscRefusesAll;
        /** Sysctls accepted but not modelled, with a value unlike synack's behaviour. */
        public final List<String> notes = new ArrayList<>();
        /**
         * Every sysctl the commands set that synack accepts and ignores, with why ("net.ipv4.tcp_fack:
         * removed in Linux 4.15; ..."), whatever the value: the report prints them once per run.
         */
        public final java.util.SortedSet<String> notModelled = new java.util.TreeSet<>();
        /** {@code ip tcp_metrics flush}: forgets the host's per-destination state (the runner sets it). */
        public Runnable flushMetrics = () -> { };

        /**
         * Files the script's commands made ({@code dd ... of=FILE}), kept in memory: a run writes nothing
         * on the machine. A path {@code rm} removed maps to null (hiding a real file of that name).
         */
        public final java.util.Map<String, byte[]> files = new java.util.HashMap<>();
        /**
         * The host's /proc files the runner makes up (/proc/net/tcp from its sockets, /proc/net/tcp6
         * empty): the text, or null for another path, which is the machine's.
         */
        public java.util.function.Function<String, String> procFile = path -> null;

        /** The host's non-zero counters, named as nstat prints them, in order (the runner sets it). */
        public java.util.function.Supplier<java.util.Map<String, Long>> counters = java.util.Map::of;
        /** nstat's history file: the counters at the last nstat of the run (none before the first). */
        public java.util.Map<String, Long> nstatHistory = java.util.Map.of();

        public HostSetup(TcpConfig config) { this.config = config; }

        /** The bytes of {@code path}: a file the commands made, else the machine's; null if there is none. */
        public byte[] readFile(String path) {
            if (files.containsKey(path)) return files.get(path);
            try {
                return java.nio.file.Files.readAllBytes(java.nio.file.Path.of(path));
            } catch (java.io.IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /** A command the runner cannot play: the script fails with this reason. */
    public static final class CommandException extends Exception {
        public CommandException(String message) { super(message); }
    }

    /**
     * Sysctls synack does not model, with the value it behaves as (null: any value is the same to it)
     * and why.
     */
    private static final Map<String, String[]> NOT_MODELLED = Map.ofEntries(
            Map.entry("tcp_fack", new String[] {null, "removed in Linux 4.15; a no-op there too"}),
            Map.entry("tcp_ecn_option", new String[] {null, "AccECN options (only with tcp_ecn=3)"}),
            Map.entry("tcp_ecn_option_beacon", new String[] {null, "AccECN options (only with tcp_ecn=3)"}),
            Map.entry("tcp_autocorking", new String[] {"0", "synack does not autocork"}),
            Map.entry("tcp_thin_linear_timeouts", new String[] {"0", "not modelled"}),
            Map.entry("tcp_limit_output_bytes", new String[] {null, "no qdisc/TSQ in the simulated host"}));

    /**
     * Sysctls TcpConfig stores (so that a program may read them back) but the engine never consults,
     * with why.
     */
    private static final Map<String, String> STORED_NOT_USED = Map.of(
            "tcp_retries1", "only doubts the route in Linux (dst_negative_advice); synack has no routes to doubt",
            "tcp_no_metrics_save", "synack keeps no per-destination metrics",
            "tcp_tw_reuse", "connect() never reuses a TIME_WAIT port in synack",
            "tcp_adv_win_scale", "obsolete since Linux 6.6 (scaling_ratio)",
            "tcp_base_mss", "no MTU probing",
            "tcp_mtu_probing", "no MTU probing",
            "tcp_tso_win_divisor", "no TSO deferral (tcp_tso_should_defer)");

    /**
     * tcp_cubic's module parameters (/sys/module/tcp_cubic/parameters/NAME) with Linux's defaults,
     * which synack's {@code Cubic} uses as constants.
     */
    private static final Map<String, String> CUBIC_PARAMETERS = Map.of(
            "fast_convergence", "1", "beta", "717", "initial_ssthresh", "0", "bic_scale", "41",
            "tcp_friendliness", "1", "hystart", "1", "hystart_detect", "3", "hystart_low_window", "16",
            "hystart_ack_delta_us", "2000");
    private static final java.util.regex.Pattern MODULE_PARAMETER =
            java.util.regex.Pattern.compile("echo\\s+(\\S+)\\s*>\\s*/sys/module/tcp_cubic/parameters/(\\w+)\\s*");

    private Commands() {}

    /**
     * Plays one back-quoted command in a {@link Shell} of its own (packetdrill runs each with
     * {@code system()}).
     *
     * @param scriptDir the script's folder (relative paths in commands are resolved from it first)
     */
    public static void run(String command, Path scriptDir, HostSetup host) throws CommandException {
        int status = new Shell(host, scriptDir, "sh").run(command);
        // packetdrill's safe_system (system.c): a command that exits non-zero fails the script.
        if (status != 0) throw new CommandException("non-zero status " + status);
    }

    /** {@code echo V > /sys/module/tcp_cubic/parameters/P}: accepted as a note when V is not Linux's default. */
    static void moduleParameter(String line, HostSetup host) throws CommandException {
        var m = MODULE_PARAMETER.matcher(line);
        if (!m.matches()) throw new CommandException("unsupported module parameter: " + line);
        String fixed = CUBIC_PARAMETERS.get(m.group(2));
        if (fixed == null) throw new CommandException("unknown tcp_cubic parameter " + m.group(2) + ": " + line);
        if (!fixed.equals(normalizeNumber(m.group(1)))) {
            host.notes.add("tcp_cubic " + m.group(2) + "=" + m.group(1) + " is not modelled (synack's CUBIC uses "
                    + fixed + ", Linux's default)");
        }
    }

    /**
     * Sysctls older kernels had and Linux 6.18 does not (scripts probe for them with {@code ||}):
     * tcp_fastopen_cookies (the Fast Open cookie cache's size, gone since the cache moved to tcp_metrics).
     */
    private static final java.util.Set<String> ABSENT_IN_LINUX = java.util.Set.of("tcp_fastopen_cookies");

    /** Whether a {@code sysctl} command line names a sysctl Linux 6.18 does not have (it fails there). */
    static boolean namesAbsentSysctl(List<String> words) {
        for (String a : words.subList(1, words.size())) {
            String n = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            n = n.replace('/', '.');
            if (ABSENT_IN_LINUX.contains(n.substring(n.lastIndexOf('.') + 1))) return true;
        }
        return false;
    }

    /** A sysctl's value as {@code sysctl -n} prints it on the host. */
    static String sysctlValue(String name, HostSetup host) throws CommandException {
        String n = name.strip();
        if (n.startsWith("/proc/sys/")) n = n.substring("/proc/sys/".length());
        n = n.replace('/', '.');
        String shortName = n.startsWith("net.ipv4.") || n.startsWith("net.core.") ? n.substring(9) : n;
        if (shortName.equals("tcp_tso_win_divisor")) return Integer.toString(host.tsoWinDivisor);
        if (TcpConfig.knows(n)) return host.config.get(n);
        String[] fixed = NOT_MODELLED.get(shortName);
        if (fixed != null && fixed[0] != null) return fixed[0];
        throw new CommandException("cannot read sysctl " + n + " (unknown, or not modelled)");
    }

    /** A simple command other than the shell's own (sysctl, set_sysctls.py, ethtool, tc, ip), words expanded. */
    static void runWords(List<String> w, String line, Path dir, HostSetup host) throws CommandException {
        String cmd = w.getFirst();
        String base = cmd.substring(cmd.lastIndexOf('/') + 1);
        if (base.equals("sysctl")) {
            for (String a : w.subList(1, w.size())) {
                if (a.startsWith("-")) continue;
                int eq = a.indexOf('=');
                if (eq < 0) throw new CommandException("sysctl read without a value is not supported: " + line);
                sysctl(a.substring(0, eq), a.substring(eq + 1), host);
            }
            return;
        }
        if (base.equals("set_sysctls.py")) {
            for (String a : w.subList(1, w.size())) {
                int eq = a.indexOf('=');
                if (eq < 0) throw new CommandException("set_sysctls.py wants PATH=VALUE: " + a);
                sysctl(a.substring(0, eq), a.substring(eq + 1), host);
            }
            return;
        }
        if (cmd.startsWith("/tmp/sysctl_restore_")) {
            return; // restores the machine after the test; our host lives only as long as the script
        }
        if (base.equals("ip") && w.size() >= 3 && w.get(1).equals("tcp_metrics") && w.get(2).equals("flush")) {
            host.flushMetrics.run(); // the per-destination state synack keeps: the Fast Open cookies
            return;
        }
        if (base.equals("tc") && w.size() >= 2 && w.get(1).equals("qdisc")) {
            // "tc qdisc add|replace dev tun0 root pfifo limit 0": a queue that refuses every packet
            // (NET_XMIT_DROP to the sender); any other qdisc (or deleting it): packets leave at once.
            int limit = w.indexOf("limit");
            host.qdiscRefusesAll = limit > 0 && limit + 1 < w.size() && w.get(limit + 1).equals("0") && !w.contains("delete")
                    && !w.contains("del");
            return;
        }
        if (base.equals("ethtool") && w.size() >= 3 && w.get(1).equals("-K")) {
            for (int i = 3; i + 1 < w.size(); i += 2) {
                String feature = w.get(i), v = w.get(i + 1);
                if (!v.equals("on") && !v.equals("off")) throw new CommandException("ethtool: bad value " + v);
                switch (feature) {
                    case "tso", "gso" -> host.offload = v.equals("on");
                    default -> throw new CommandException("unsupported ethtool feature '" + feature + "': " + line);
                }
            }
            return;
        }
        throw new CommandException("unsupported command: " + line);
    }

    /** Applies one sysctl given by name (net.ipv4.X, /proc/sys/net/ipv4/X or X). */
    public static void sysctl(String name, String value, HostSetup host) throws CommandException {
        String n = name.strip();
        if (n.startsWith("/proc/sys/")) n = n.substring("/proc/sys/".length());
        n = n.replace('/', '.'); // sysctl takes net/ipv4/X as well as net.ipv4.X
        String shortName = n.startsWith("net.ipv4.") ? n.substring(9) : n.startsWith("net.core.") ? n.substring(9) : n;
        String v = value.strip();
        String unused = STORED_NOT_USED.get(shortName);
        if (unused != null) host.notModelled.add(n + ": " + unused);
        if (shortName.equals("tcp_tso_win_divisor")) {
            host.tsoWinDivisor = parseInt(name, v);
            return;
        }
        if (TcpConfig.knows(n)) {
            try {
                host.config.set(n, v);
            } catch (IllegalArgumentException e) {
                throw new CommandException("bad value for " + n + "=" + v + ": " + e.getMessage());
            }
            return;
        }
        String[] fixed = NOT_MODELLED.get(shortName);
        if (fixed == null) throw new CommandException("unknown sysctl " + n);
        host.notModelled.add(n + ": " + fixed[1]);
        if (fixed[0] != null && !fixed[0].equals(normalizeNumber(v))) {
            host.notes.add(n + "=" + v + " is not modelled (synack behaves as " + fixed[0] + ": " + fixed[1] + ")");
        }
    }

    private static String normalizeNumber(String v) {
        try {
            return Long.toString(v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v));
        } catch (NumberFormatException e) {
            return v;
        }
    }

    private static int parseInt(String name, String v) throws CommandException {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new CommandException("bad value for " + name + ": " + v);
        }
    }

    // ---- $((arithmetic)) for the Shell --------------------------------------------------------------------------

    /** Integer arithmetic with + - * / and parentheses, as $((...)) computes it. */
    static long arithmetic(String expr) throws CommandException {
        String e = expr.replace(" ", "");
        int[] pos = {0};
        long v = sum(e, pos);
        if (pos[0] != e.length()) throw new CommandException("cannot compute $((" + expr + "))");
        return v;
    }

    private static long sum(String e, int[] p) throws CommandException {
        long v = product(e, p);
        while (p[0] < e.length() && (e.charAt(p[0]) == '+' || e.charAt(p[0]) == '-')) {
            char op = e.charAt(p[0]++);
            long r = product(e, p);
            v = op == '+' ? v + r : v - r;
        }
        return v;
    }

    private static long product(String e, int[] p) throws CommandException {
        long v = atom(e, p);
        while (p[0] < e.length() && (e.charAt(p[0]) == '*' || e.charAt(p[0]) == '/')) {
            char op = e.charAt(p[0]++);
            long r = atom(e, p);
            if (op == '/' && r == 0) throw new CommandException("division by zero in $((" + e + "))");
            v = op == '*' ? v * r : v / r;
        }
        return v;
    }

    private static long atom(String e, int[] p) throws CommandException {
        if (p[0] < e.length() && e.charAt(p[0]) == '(') {
            p[0]++;
            long v = sum(e, p);
            if (p[0] >= e.length() || e.charAt(p[0]) != ')') throw new CommandException("unbalanced ( in $((" + e + "))");
            p[0]++;
            return v;
        }
        int start = p[0];
        while (p[0] < e.length() && Character.isDigit(e.charAt(p[0]))) p[0]++;
        if (start == p[0]) throw new CommandException("cannot compute $((" + e + "))");
        return Long.parseLong(e.substring(start, p[0]));
    }
}
