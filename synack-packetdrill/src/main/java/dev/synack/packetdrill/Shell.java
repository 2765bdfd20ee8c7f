package dev.synack.packetdrill;

import dev.synack.packetdrill.Commands.CommandException;
import dev.synack.packetdrill.Commands.HostSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The little POSIX shell that a script's back-quoted commands, and the files they source, are written
 * in (packetdrill hands each to {@code system()}, that is {@code sh -c}): enough of it to play the
 * defaults scripts of public packetdrill collections on the simulated host.
 *
 * <ul>
 *   <li>command lists: newlines, {@code ;}, {@code &&} and {@code ||}; {@code #} comments; quotes;
 *       line continuations;
 *   <li>variables: {@code NAME=value}, {@code export}, {@code unset}, {@code $NAME}, {@code ${NAME}},
 *       {@code ${NAME:-default}}, {@code $0}, {@code $?}; unquoted expansions are split into words;
 *   <li>{@code $((arithmetic))} and command substitution {@code $(...)} of the simple commands that
 *       print something here: {@code uname} (Linux 6.18 on x86_64, as the kernel synack follows),
 *       {@code echo}, {@code printf %s}, {@code pwd}, {@code dirname}, {@code basename}, {@code cat
 *       FILE}, {@code sysctl -n NAME} (the host's value);
 *   <li>{@code if}/{@code elif}/{@code else}/{@code fi} on {@code [ ]}, {@code [[ ]]}, {@code test},
 *       {@code true}, {@code false}, {@code !} and any command (exit status 0 unless it failed);
 *   <li>{@code .} and {@code source FILE} (the same variables), {@code sh FILE}, {@code bash FILE} and
 *       {@code FILE.sh} (a child: only exported variables), {@code exit}, {@code set}, {@code :}.
 * </ul>
 *
 * A relative path is looked up from the script's folder first, then from the working directory (where
 * packetdrill's {@code system()} would look), then in the nearest {@code common/} folder above the
 * script (upstream keeps some scripts one folder deeper than the catalogued copy). Every other simple
 * command goes to {@link Commands} (sysctl, ethtool, tc, ...). Pipes, loops, functions and globbing are
 * not understood: such a command fails the script as unsupported.
 */
final class Shell {
    /** The kernel synack follows, as uname prints it. */
    private static final String UNAME_S = "Linux", UNAME_R = "6.18.0", UNAME_M = "x86_64", UNAME_N = "synack";

    private final HostSetup host;
    /** The script's folder, which stands for the working directory packetdrill runs in: paths start here. */
    private final Path dir;
    /** The folder of the file being run (a child script), where a relative path is looked for next. */
    private final Path fileDir;
    private final Map<String, String> vars = new HashMap<>();
    private final Set<String> exported = new HashSet<>();
    private int status;
    /** Output of the command substitution being run, or null. */
    private StringBuilder capture;

    /** {@code exit} unwinding to the file or command that runs. */
    private static final class Exit extends RuntimeException {
        final int status;

        Exit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    Shell(HostSetup host, Path dir, String arg0) { this(host, dir, dir, arg0); }

    private Shell(HostSetup host, Path dir, Path fileDir, String arg0) {
        this.host = host;
        this.dir = dir;
        this.fileDir = fileDir;
        vars.put("0", arg0);
    }

    /** Runs a command text (a back-quoted command or a file's contents). @return its exit status */
    int run(String text) throws CommandException {
        try {
            runList(parse(tokens(text)));
        } catch (Exit e) {
            status = e.status;
        }
        return status;
    }

    // ---- tokens ------------------------------------------------------------------------------------

    /** A word as written (quotes kept, for expansion later), or an operator: ";", "\n", "&&", "||". */
    private record Tok(String text, boolean op) {}

    private static List<Tok> tokens(String s) throws CommandException {
        List<Tok> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < n && s.charAt(i + 1) == '\n') {
                i += 2; // line continuation
            } else if (c == ' ' || c == '\t' || c == '\r') {
                flush(w, out);
                i++;
            } else if (c == '\n' || c == ';') {
                flush(w, out);
                out.add(new Tok(String.valueOf(c), true));
                i++;
            } else if ((c == '&' || c == '|') && i + 1 < n && s.charAt(i + 1) == c) {
                flush(w, out);
                out.add(new Tok(c == '&' ? "&&" : "||", true));
                i += 2;
            } else if (c == '&' && i + 1 < n && s.charAt(i + 1) == '>') {
                w.append("&>"); // bash's &> FILE: stdout and stderr to FILE
                i += 2;
            } else if (c == '|') {
                flush(w, out);
                out.add(new Tok("|", true)); // a pipe: the command's output is the next one's input
                i++;
            } else if (c == '&' && (w.isEmpty() || w.charAt(w.length() - 1) != '>')) {
                throw new CommandException("unsupported shell syntax '" + c + "' (background jobs): " + s.strip());
            } else if (c == '#' && w.isEmpty()) {
                while (i < n && s.charAt(i) != '\n') i++; // a comment
            } else if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) throw new CommandException("unterminated quote: " + s.strip());
                w.append(s, i, end + 1);
                i = end + 1;
            } else if (c == '"') {
                int end = closingDoubleQuote(s, i);
                w.append(s, i, end + 1);
                i = end + 1;
            } else if (c == '$' && i + 1 < n && s.charAt(i + 1) == '(') {
                int end = closingParen(s, i + 1);
                w.append(s, i, end + 1);
                i = end + 1;
            } else if (c == '\\' && i + 1 < n) {
                w.append(s, i, i + 2);
                i += 2;
            } else {
                w.append(c);
                i++;
            }
        }
        flush(w, out);
        return out;
    }

    private static void flush(StringBuilder w, List<Tok> out) {
        if (!w.isEmpty()) out.add(new Tok(w.toString(), false));
        w.setLength(0);
    }

    private static int closingDoubleQuote(String s, int open) throws CommandException {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') i++;
            else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '(') i = closingParen(s, i + 1);
            else if (c == '"') return i;
        }
        throw new CommandException("unterminated quote: " + s.strip());
    }

    /** The index of the ')' that closes the '(' at {@code open}, quotes and nesting respected. */
    private static int closingParen(String s, int open) throws CommandException {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) break;
                i = end;
            } else if (c == '"') {
                i = closingDoubleQuote(s, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new CommandException("unterminated $(: " + s.strip());
    }

    // ---- the command tree --------------------------------------------------------------------------

    private sealed interface Node permits Simple, If {
        /** The operator after it: "&&", "||", or ";" (also for a newline or the end). */
        String sep();
    }

    private record Simple(List<String> words, String sep) implements Node {}

    /** if COND then BODY (elif COND then BODY)* (else BODY)? fi */
    private record If(List<List<Node>> conds, List<List<Node>> bodies, List<Node> elseBody, String sep) implements Node {}

    private static final Set<String> KEYWORDS = Set.of("if", "then", "elif", "else", "fi");

    /** The token list as commands, each keyword a command of its own ("if [ x ]" → "if", "[ x ]"). */
    private static List<Simple> commands(List<Tok> toks) {
        List<Simple> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (Tok t : toks) {
            if (t.op()) {
                if (!cur.isEmpty()) out.add(new Simple(cur, t.text().equals("\n") ? ";" : t.text()));
                cur = new ArrayList<>();
            } else if (cur.isEmpty() && KEYWORDS.contains(t.text())) {
                out.add(new Simple(List.of(t.text()), ";"));
            } else {
                cur.add(t.text());
            }
        }
        if (!cur.isEmpty()) out.add(new Simple(cur, ";"));
        return out;
    }

    private static List<Node> parse(List<Tok> toks) throws CommandException {
        List<Simple> cmds = commands(toks);
        int[] pos = {0};
        List<Node> list = parseList(cmds, pos, Set.of());
        if (pos[0] < cmds.size()) throw new CommandException("unexpected '" + cmds.get(pos[0]).words().getFirst() + "'");
        return list;
    }

    /** Commands up to one of {@code stops} (a keyword, not consumed). */
    private static List<Node> parseList(List<Simple> cmds, int[] pos, Set<String> stops) throws CommandException {
        List<Node> out = new ArrayList<>();
        while (pos[0] < cmds.size()) {
            Simple c = cmds.get(pos[0]);
            String first = c.words().getFirst();
            if (c.words().size() == 1 && stops.contains(first)) return out;
            if (c.words().size() == 1 && first.equals("if")) {
                pos[0]++;
                out.add(parseIf(cmds, pos));
            } else if (c.words().size() == 1 && KEYWORDS.contains(first)) {
                throw new CommandException("unexpected '" + first + "'");
            } else {
                out.add(c);
                pos[0]++;
            }
        }
        if (!stops.isEmpty()) throw new CommandException("missing '" + String.join("' or '", stops) + "'");
        return out;
    }

    private static If parseIf(List<Simple> cmds, int[] pos) throws CommandException {
        List<List<Node>> conds = new ArrayList<>(), bodies = new ArrayList<>();
        List<Node> elseBody = List.of();
        while (true) {
            conds.add(parseList(cmds, pos, Set.of("then")));
            pos[0]++;
            bodies.add(parseList(cmds, pos, Set.of("elif", "else", "fi")));
            String kw = cmds.get(pos[0]++).words().getFirst();
            if (kw.equals("elif")) continue;
            if (kw.equals("else")) {
                elseBody = parseList(cmds, pos, Set.of("fi"));
                pos[0]++;
            }
            // "fi && ..." : the operator after fi was on the fi command.
            return new If(conds, bodies, elseBody, cmds.get(pos[0] - 1).sep());
        }
    }

    // ---- running -----------------------------------------------------------------------------------

    /**
     * An and-or list: a command after "&&" runs only if the last status was 0, after "||" only if not.
     * A pipeline ("a | b") runs its commands one after the other, each one's output the next one's
     * input ({@link #stdin}); its status is the last command's.
     */
    private void runList(List<Node> list) throws CommandException {
        String prevSep = ";";
        boolean skipping = false;
        for (Node node : list) {
            if (!prevSep.equals("|")) {
                skipping = (prevSep.equals("&&") && status != 0) || (prevSep.equals("||") && status == 0);
            }
            if (!skipping) {
                boolean piped = node.sep().equals("|");
                StringBuilder prior = capture;
                if (piped) capture = new StringBuilder();
                try {
                    switch (node) {
                        case Simple s -> status = simple(s.words());
                        case If f -> runIf(f);
                    }
                } finally {
                    if (piped) {
                        stdin = capture.toString();
                        capture = prior;
                    } else {
                        stdin = null;
                    }
                }
            }
            prevSep = node.sep();
        }
    }

    /** The input of the command a pipe feeds; null: none (an empty input). */
    private String stdin;

    private void runIf(If f) throws CommandException {
        for (int i = 0; i < f.conds().size(); i++) {
            runList(f.conds().get(i));
            if (status == 0) {
                runList(f.bodies().get(i));
                return;
            }
        }
        status = 0;
        runList(f.elseBody());
    }

    /** One simple command, its words expanded. @return its exit status */
    private int simple(List<String> raw) throws CommandException {
        List<String> all = new ArrayList<>();
        for (String w : raw) expandWord(w, all);
        if (all.isEmpty()) return 0;
        // Redirections: the words to run without them, and the line with them (echo V > /sys/...).
        List<String> words = new ArrayList<>();
        String redirectTo = null;
        for (int k = 0; k < all.size(); k++) {
            String wd = all.get(k);
            if (wd.equals(">") || wd.equals(">>") || wd.equals("2>") || wd.equals("<") || wd.equals("&>")) {
                if (k + 1 < all.size() && !wd.equals("2>") && !wd.equals("<")) redirectTo = all.get(k + 1);
                k++;
            } else if (wd.matches("[0-9]?>>?&?.*|&>.*")) {
                if (wd.startsWith(">") && wd.length() > 1 && !wd.startsWith(">&")) redirectTo = wd.substring(wd.startsWith(">>") ? 2 : 1);
            } else {
                words.add(wd);
            }
        }
        // Assignments alone (NAME=value ...) set variables; before a command they are its environment.
        int a = 0;
        while (a < words.size() && isAssignment(words.get(a))) a++;
        if (a == words.size()) {
            for (String as : words) assign(as);
            return 0;
        }
        words = words.subList(a, words.size());
        String cmd = words.getFirst();
        List<String> args = words.subList(1, words.size());
        switch (cmd) {
            case ":", "true", "set", "shopt", "umask", "trap", "wait", "sync", "modprobe" -> {
                return 0;
            }
            case "false" -> {
                return 1;
            }
            case "exit", "return" -> throw new Exit(args.isEmpty() ? status : Integer.parseInt(args.getFirst()));
            case "export", "local", "readonly", "declare" -> {
                for (String as : args) {
                    if (as.startsWith("-")) continue;
                    if (isAssignment(as)) assign(as);
                    exported.add(isAssignment(as) ? as.substring(0, as.indexOf('=')) : as);
                }
                return 0;
            }
            case "unset" -> {
                args.forEach(vars::remove);
                return 0;
            }
            case "[", "[[", "test" -> {
                List<String> t = new ArrayList<>(args);
                if (!cmd.equals("test")) {
                    String close = cmd.equals("[") ? "]" : "]]";
                    if (t.isEmpty() || !t.getLast().equals(close)) throw new CommandException("missing '" + close + "'");
                    t.removeLast();
                }
                return test(t) ? 0 : 1;
            }
            case "!" -> {
                return simpleWords(args) == 0 ? 1 : 0;
            }
            case ".", "source" -> {
                if (args.isEmpty()) throw new CommandException(cmd + ": a file name is required");
                Path file = resolve(args.getFirst());
                String prior0 = vars.get("0");
                try {
                    runFile(this, file);
                } catch (Exit e) {
                    status = e.status;
                } finally {
                    vars.put("0", prior0);
                }
                return status;
            }
            case "sh", "bash" -> {
                List<String> files = args.stream().filter(x -> !x.startsWith("-")).toList();
                if (files.isEmpty()) throw new CommandException("unsupported command: " + String.join(" ", words));
                return runChild(resolve(files.getFirst()));
            }
            case "echo", "printf" -> {
                if (redirectTo != null && redirectTo.startsWith("/sys/module/")) {
                    Commands.moduleParameter(String.join(" ", words) + " > " + redirectTo, host);
                    return 0;
                }
                String text = cmd.equals("echo") ? echo(args) : printf(args);
                if (capture != null && redirectTo == null) capture.append(text);
                return 0;
            }
            case "uname" -> {
                print(uname(args));
                return 0;
            }
            case "pwd" -> {
                print(dir.toAbsolutePath().normalize() + "\n");
                return 0;
            }
            case "dirname" -> {
                if (args.isEmpty()) throw new CommandException("dirname: a name is required");
                Path p = Path.of(args.getFirst()).getParent();
                print((p == null ? "." : p.toString()) + "\n");
                return 0;
            }
            case "basename" -> {
                if (args.isEmpty()) throw new CommandException("basename: a name is required");
                String b = Path.of(args.getFirst()).getFileName().toString();
                if (args.size() > 1 && b.endsWith(args.get(1))) b = b.substring(0, b.length() - args.get(1).length());
                print(b + "\n");
                return 0;
            }
            case "cat" -> {
                if (args.isEmpty() && stdin != null) print(stdin);
                for (String f : args) print(readText(f));
                return 0;
            }
            case "grep" -> {
                return grep(args);
            }
            case "nstat" -> {
                return nstat(args);
            }
            default -> {
                if (cmd.equals("sysctl") && args.stream().noneMatch(x -> x.contains("="))) {
                    // A read: sysctl [-n] NAME prints the host's value ("NAME = value" without -n).
                    boolean bare = args.contains("-n");
                    for (String x : args) {
                        if (x.startsWith("-")) continue;
                        String v = Commands.sysctlValue(x, host);
                        print((bare ? v : x + " = " + v) + "\n");
                    }
                    return 0;
                }
                String base = cmd.substring(cmd.lastIndexOf('/') + 1);
                if (base.equals("rm")) {
                    for (String f : args) if (!f.startsWith("-")) host.files.put(f, null);
                    return 0;
                }
                if (base.equals("dd")) return dd(args, words);
                // packetdrill's set_sysctls.py writes /tmp/sysctl_restore_${PPID}.sh to undo its changes:
                // Commands ignores it (the host lives only as long as the script).
                if (base.endsWith(".sh") && !cmd.startsWith("/tmp/sysctl_restore_")) return runChild(resolve(cmd));
                if (base.equals("sysctl") && Commands.namesAbsentSysctl(words)) {
                    return 255; // sysctl(8) on Linux 6.18: "cannot stat /proc/sys/..." and status 255
                }
                Commands.runWords(words, String.join(" ", words), dir, host);
                return 0;
            }
        }
    }

    /**
     * {@code nstat [-n] [-a] [-z]}: the host's counters (iproute2's misc/nstat.c), each that changed
     * since the last nstat of the run (its history file; all of them with {@code -a}, zeros too with
     * {@code -z}) as {@code "%-32s%-16llu%6.1f"} after a {@code #kernel} line — the format measured on
     * Linux 6.18's nstat (rates are 0.0: there is no daemon averaging them); {@code -n} prints nothing
     * but updates the history. A counter synack does not have is never printed.
     */
    private int nstat(List<String> args) throws CommandException {
        boolean quiet = false, all = false, zeros = false;
        for (String a : args) {
            if (!a.startsWith("-") || a.length() < 2) throw new CommandException("unsupported: nstat " + a);
            for (char c : a.substring(1).toCharArray()) {
                switch (c) {
                    case 'n' -> quiet = true;
                    case 'a' -> all = true;
                    case 'z' -> zeros = true;
                    case 's' -> { } // do not update the history: the next nstat sees the same base
                    default -> throw new CommandException("unsupported: nstat -" + c);
                }
            }
        }
        java.util.Map<String, Long> now = host.counters.get();
        StringBuilder o = new StringBuilder("#kernel\n");
        for (var e : now.entrySet()) {
            long v = all ? e.getValue() : e.getValue() - host.nstatHistory.getOrDefault(e.getKey(), 0L);
            if (v == 0 && !zeros) continue;
            o.append(String.format("%-32s%-16d%6.1f%n", e.getKey(), v, 0.0));
        }
        if (!args.contains("-s")) host.nstatHistory = java.util.Map.copyOf(now);
        if (!quiet) print(o.toString());
        return 0;
    }

    private int simpleWords(List<String> words) throws CommandException {
        List<String> quoted = new ArrayList<>();
        for (String w : words) quoted.add("'" + w.replace("'", "'\\''") + "'");
        return simple(quoted);
    }

    private void print(String s) {
        if (capture != null) capture.append(s);
    }

    /** A file run as a program: a shell of its own, with the exported variables. */
    /**
     * {@code dd if=/dev/zero of=FILE bs=N count=N [status=none]}: a file of bs × count zero bytes, kept
     * in memory ({@link HostSetup#files}); another input is not understood.
     */
    private int dd(List<String> args, List<String> words) throws CommandException {
        String in = null, out = null;
        long bs = 512, count = -1;
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) throw new CommandException("unsupported command: " + String.join(" ", words));
            String k = a.substring(0, eq), v = a.substring(eq + 1);
            switch (k) {
                case "if" -> in = v;
                case "of" -> out = v;
                case "bs" -> bs = Long.parseLong(v);
                case "count" -> count = Long.parseLong(v);
                case "status" -> {
                }
                default -> throw new CommandException("unsupported command: " + String.join(" ", words));
            }
        }
        if (!"/dev/zero".equals(in) || out == null || count < 0 || bs * count > (1 << 26)) {
            throw new CommandException("unsupported command: " + String.join(" ", words));
        }
        host.files.put(out, new byte[(int) (bs * count)]);
        return 0;
    }

    /**
     * {@code grep [-q] [-v] [-c] [-F] PATTERN [FILE...]}: the lines of the files (or of the input) that
     * match, each prefixed with its file's name when there are several; status 0 when a line matched,
     * 1 when none, 2 when a file could not be read. PATTERN is a basic regular expression, of which
     * {@code . * ^ $ [...]} are understood (the other characters are literal, as in a BRE).
     */
    private int grep(List<String> args) throws CommandException {
        boolean quiet = false, invert = false, count = false, fixed = false;
        int k = 0;
        while (k < args.size() && args.get(k).startsWith("-") && args.get(k).length() > 1) {
            for (char o : args.get(k).substring(1).toCharArray()) {
                switch (o) {
                    case 'q' -> quiet = true;
                    case 'v' -> invert = true;
                    case 'c' -> count = true;
                    case 'F' -> fixed = true;
                    case 's' -> {
                    }
                    default -> throw new CommandException("unsupported grep option -" + o);
                }
            }
            k++;
        }
        if (k >= args.size()) throw new CommandException("grep without a pattern");
        String pattern = args.get(k++);
        java.util.regex.Pattern re = java.util.regex.Pattern.compile(fixed ? java.util.regex.Pattern.quote(pattern) : breToJava(pattern));
        List<String> files = args.subList(k, args.size());
        int matched = 0, status = 1;
        boolean error = false;
        List<String> names = files.isEmpty() ? java.util.Collections.singletonList(null) : files;
        for (String f : names) {
            String text;
            if (f == null) {
                text = stdin == null ? "" : stdin;
            } else {
                try {
                    text = readText(f);
                } catch (CommandException e) {
                    error = true;
                    continue;
                }
            }
            int n = 0;
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast(); // after the last newline
            for (String line : lines) {
                if (re.matcher(line).find() == invert) continue;
                n++;
                if (!quiet && !count) print((files.size() > 1 ? f + ":" : "") + line + "\n");
            }
            if (count && !quiet) print((files.size() > 1 ? f + ":" : "") + n + "\n");
            matched += n;
        }
        if (matched > 0) status = 0;
        else if (error) status = 2;
        return status;
    }

    /** A basic regular expression as a Java one: . * ^ $ and [...] keep their meaning, the rest is literal. */
    private static String breToJava(String bre) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bre.length(); i++) {
            char c = bre.charAt(i);
            if (c == '\\' && i + 1 < bre.length()) {
                sb.append(java.util.regex.Pattern.quote(String.valueOf(bre.charAt(++i))));
            } else if (c == '[') {
                int end = bre.indexOf(']', i + 2);
                if (end < 0) end = bre.length() - 1;
                sb.append(bre, i, end + 1);
                i = end;
            } else if (".*^$".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return sb.toString();
    }

    /** A file's text: one the commands made, a /proc file of the host ({@link HostSetup#procFile}), or the machine's. */
    private String readText(String name) throws CommandException {
        if (host.files.containsKey(name)) {
            byte[] b = host.files.get(name);
            if (b == null) throw new CommandException("no such file: " + name);
            return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        String proc = host.procFile.apply(name);
        if (proc != null) return proc;
        return read(resolve(name));
    }

    private int runChild(Path file) throws CommandException {
        Shell child = new Shell(host, dir, file.getParent() == null ? dir : file.getParent(), file.toString());
        for (String e : exported) {
            String v = vars.get(e);
            if (v != null) {
                child.vars.put(e, v);
                child.exported.add(e);
            }
        }
        try {
            runFile(child, file);
        } catch (Exit e) {
            child.status = e.status;
        }
        return child.status;
    }

    private static void runFile(Shell sh, Path file) throws CommandException {
        sh.vars.put("0", file.toString());
        sh.runList(parse(tokens(read(file))));
    }

    private static String read(Path file) throws CommandException {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CommandException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** A path from the script's folder, else the working directory, else the nearest common/ above. */
    Path resolve(String name) throws CommandException {
        Path p = Path.of(name);
        if (p.isAbsolute()) {
            if (Files.exists(p)) return p;
            throw new CommandException("no such file: " + name);
        }
        Path fromScript = dir.resolve(p).normalize();
        if (Files.exists(fromScript)) return fromScript;
        Path fromFile = fileDir.resolve(p).normalize();
        if (Files.exists(fromFile)) return fromFile;
        Path fromCwd = Path.of("").toAbsolutePath().resolve(p).normalize();
        if (Files.exists(fromCwd)) return fromCwd;
        for (Path d = dir.toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("common").resolve(p.getFileName());
            if (Files.exists(candidate)) return candidate;
        }
        throw new CommandException("no such file: " + name + " (looked in " + dir + " and the working directory)");
    }

    private static boolean isAssignment(String w) { return w.matches("[A-Za-z_][A-Za-z0-9_]*=.*"); }

    private void assign(String as) {
        int eq = as.indexOf('=');
        vars.put(as.substring(0, eq), as.substring(eq + 1));
    }

    private static String uname(List<String> args) throws CommandException {
        if (args.isEmpty()) return UNAME_S + "\n";
        List<String> parts = new ArrayList<>();
        for (String a : args) {
            if (!a.startsWith("-")) throw new CommandException("uname: unexpected " + a);
            for (char c : a.substring(1).toCharArray()) {
                switch (c) {
                    case 's', 'o' -> parts.add(c == 's' ? UNAME_S : "GNU/Linux");
                    case 'r' -> parts.add(UNAME_R);
                    case 'm', 'p', 'i' -> parts.add(UNAME_M);
                    case 'n' -> parts.add(UNAME_N);
                    case 'a' -> parts.addAll(List.of(UNAME_S, UNAME_N, UNAME_R, UNAME_M));
                    default -> throw new CommandException("uname: unsupported option -" + c);
                }
            }
        }
        return String.join(" ", parts) + "\n";
    }

    private static String echo(List<String> args) {
        boolean newline = true;
        int i = 0;
        while (i < args.size() && args.get(i).matches("-[neE]+")) {
            if (args.get(i).contains("n")) newline = false;
            i++;
        }
        return String.join(" ", args.subList(i, args.size())) + (newline ? "\n" : "");
    }

    private static String printf(List<String> args) throws CommandException {
        if (args.isEmpty()) return "";
        String fmt = args.getFirst().replace("\\n", "\n");
        StringBuilder sb = new StringBuilder();
        int next = 1;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c == '%' && i + 1 < fmt.length()) {
                char f = fmt.charAt(++i);
                if (f == '%') sb.append('%');
                else if (f == 's' || f == 'd') sb.append(next < args.size() ? args.get(next++) : "");
                else throw new CommandException("printf: unsupported %" + f);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ---- tests ([ ], [[ ]], test) ------------------------------------------------------------------

    private boolean test(List<String> t) throws CommandException {
        if (t.isEmpty()) return false;
        if (t.getFirst().equals("!")) return !test(t.subList(1, t.size()));
        int and = indexOf(t, "-a", "&&"), or = indexOf(t, "-o", "||");
        if (or > 0) return test(t.subList(0, or)) || test(t.subList(or + 1, t.size()));
        if (and > 0) return test(t.subList(0, and)) && test(t.subList(and + 1, t.size()));
        if (t.size() == 1) return !t.getFirst().isEmpty();
        if (t.size() == 2) {
            String op = t.get(0), x = t.get(1);
            return switch (op) {
                case "-n" -> !x.isEmpty();
                case "-z" -> x.isEmpty();
                case "-e", "-f", "-d", "-r", "-s", "-x" -> fileTest(op, x);
                default -> throw new CommandException("test: unsupported " + String.join(" ", t));
            };
        }
        if (t.size() == 3) {
            String x = t.get(0), op = t.get(1), y = t.get(2);
            return switch (op) {
                case "=", "==" -> x.equals(y);
                case "!=" -> !x.equals(y);
                case "-eq", "-ne", "-lt", "-le", "-gt", "-ge" -> {
                    long l = number(x), r = number(y);
                    yield switch (op) {
                        case "-eq" -> l == r;
                        case "-ne" -> l != r;
                        case "-lt" -> l < r;
                        case "-le" -> l <= r;
                        case "-gt" -> l > r;
                        default -> l >= r;
                    };
                }
                default -> throw new CommandException("test: unsupported " + String.join(" ", t));
            };
        }
        throw new CommandException("test: unsupported " + String.join(" ", t));
    }

    private static int indexOf(List<String> t, String a, String b) {
        for (int i = 0; i < t.size(); i++) if (t.get(i).equals(a) || t.get(i).equals(b)) return i;
        return -1;
    }

    private boolean fileTest(String op, String name) {
        Path p = Path.of(name).isAbsolute() ? Path.of(name) : dir.resolve(name);
        return switch (op) {
            case "-d" -> Files.isDirectory(p);
            case "-f" -> Files.isRegularFile(p);
            case "-r" -> Files.isReadable(p);
            case "-x" -> Files.isExecutable(p);
            case "-s" -> {
                try {
                    yield Files.size(p) > 0;
                } catch (IOException e) {
                    yield false;
                }
            }
            default -> Files.exists(p);
        };
    }

    private static long number(String s) throws CommandException {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new CommandException("integer expression expected: " + s);
        }
    }

    // ---- expansion ---------------------------------------------------------------------------------

    /**
     * Expands one word as written: quotes removed, {@code $NAME}, {@code ${...}}, {@code $(...)},
     * {@code $((...))} and backslashes; what an unquoted expansion yields is split at blanks. Adds the
     * resulting words to {@code out} (none for an unquoted empty expansion).
     */
    private void expandWord(String w, List<String> out) throws CommandException {
        StringBuilder cur = new StringBuilder();
        boolean have = false; // a word exists even if empty ("" or '')
        int i = 0, n = w.length();
        while (i < n) {
            char c = w.charAt(i);
            if (c == '\'') {
                int end = w.indexOf('\'', i + 1);
                cur.append(w, i + 1, end);
                have = true;
                i = end + 1;
            } else if (c == '"') {
                int end = closingDoubleQuote(w, i);
                cur.append(expandQuoted(w.substring(i + 1, end)));
                have = true;
                i = end + 1;
            } else if (c == '\\' && i + 1 < n) {
                cur.append(w.charAt(i + 1));
                have = true;
                i += 2;
            } else if (c == '$') {
                int[] end = {i};
                String v = dollar(w, end);
                if (v == null) {
                    cur.append('$');
                    have = true;
                    i++;
                    continue;
                }
                i = end[0];
                // Field splitting of an unquoted expansion.
                String[] fields = v.split("[ \t\n]+", -1);
                for (int f = 0; f < fields.length; f++) {
                    if (f > 0) {
                        if (have || !cur.isEmpty()) out.add(cur.toString());
                        cur.setLength(0);
                        have = false;
                    }
                    if (!fields[f].isEmpty()) {
                        cur.append(fields[f]);
                        have = true;
                    }
                }
            } else {
                cur.append(c);
                have = true;
                i++;
            }
        }
        if (have || !cur.isEmpty()) out.add(cur.toString());
    }

    /** The inside of "...": expansions, and backslash before $ ` " \ and newline. */
    private String expandQuoted(String s) throws CommandException {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && "$`\"\\\n".indexOf(s.charAt(i + 1)) >= 0) {
                sb.append(s.charAt(i + 1));
                i += 2;
            } else if (c == '$') {
                int[] end = {i};
                String v = dollar(s, end);
                if (v == null) {
                    sb.append('$');
                    i++;
                } else {
                    sb.append(v);
                    i = end[0];
                }
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    /**
     * The expansion that starts with the '$' at {@code at[0]}, setting {@code at[0]} past it; null if
     * the '$' starts none (a literal dollar).
     */
    private String dollar(String s, int[] at) throws CommandException {
        int i = at[0] + 1;
        if (i >= s.length()) return null;
        char c = s.charAt(i);
        if (s.startsWith("((", i)) {
            int end = s.indexOf("))", i);
            if (end < 0) throw new CommandException("unterminated $((: " + s);
            at[0] = end + 2;
            return Long.toString(Commands.arithmetic(expandQuoted(substituteNames(s.substring(i + 2, end)))));
        }
        if (c == '(') {
            int end = closingParen(s, i);
            at[0] = end + 1;
            return substitute(s.substring(i + 1, end));
        }
        if (c == '{') {
            int end = s.indexOf('}', i);
            if (end < 0) throw new CommandException("unterminated ${: " + s);
            at[0] = end + 1;
            String inner = s.substring(i + 1, end);
            int op = inner.indexOf(":-");
            if (op < 0) op = inner.indexOf(":=");
            if (op >= 0) {
                String v = vars.get(inner.substring(0, op));
                if (v != null && !v.isEmpty()) return v;
                String dflt = expandQuoted(inner.substring(op + 2));
                if (inner.charAt(op + 1) == '=') vars.put(inner.substring(0, op), dflt);
                return dflt;
            }
            return vars.getOrDefault(inner, "");
        }
        if (c == '?') {
            at[0] = i + 1;
            return Integer.toString(status);
        }
        if (Character.isDigit(c)) {
            at[0] = i + 1;
            return vars.getOrDefault(String.valueOf(c), "");
        }
        if (Character.isLetter(c) || c == '_') {
            int end = i;
            while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) end++;
            at[0] = end;
            return vars.getOrDefault(s.substring(i, end), "");
        }
        return null;
    }

    /** Bare variable names inside $((...)) are their values (0 when unset). */
    private String substituteNames(String expr) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < expr.length() && (Character.isLetterOrDigit(expr.charAt(end)) || expr.charAt(end) == '_')) end++;
                sb.append(vars.getOrDefault(expr.substring(i, end), "0"));
                i = end;
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    /** $(commands): what they print, trailing newlines removed. */
    private String substitute(String commands) throws CommandException {
        StringBuilder prior = capture;
        capture = new StringBuilder();
        try {
            try {
                runList(parse(tokens(commands)));
            } catch (Exit e) {
                status = e.status; // exit leaves the subshell only
            }
            String outText = capture.toString();
            int end = outText.length();
            while (end > 0 && outText.charAt(end - 1) == '\n') end--;
            return outText.substring(0, end);
        } finally {
            capture = prior;
        }
    }
}
