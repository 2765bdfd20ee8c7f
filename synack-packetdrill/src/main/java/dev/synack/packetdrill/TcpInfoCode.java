package dev.synack.packetdrill;

import dev.synack.tcp.TcpInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Evaluates the {@code %{ }%} blocks of packetdrill scripts: Python statements of the form
 * {@code assert <condition>[, <message>]} over {@code tcpi_*} names, which packetdrill fills from
 * {@code getsockopt(TCP_INFO)} of the socket under test. Here they come from a {@link TcpInfo}
 * snapshot. The condition language is the part of Python these blocks use: integers, names,
 * {@code + - * / // % & |}, comparisons, {@code and or not}, parentheses.
 */
public final class TcpInfoCode {
    /** A failed assertion or a block this evaluator cannot run. */
    public static final class CodeException extends Exception {
        private final boolean unsupported;

        CodeException(String message, boolean unsupported) {
            super(message);
            this.unsupported = unsupported;
        }

        /** True when the block uses something not supported (a tcpi_ field synack lacks, other Python). */
        public boolean unsupported() { return unsupported; }
    }

    private static final Map<String, ToLongFunction<TcpInfo>> FIELDS = Map.ofEntries(
            Map.entry("tcpi_state", i -> i.state().linuxValue()),
            Map.entry("tcpi_ca_state", TcpInfo::caState),
            Map.entry("tcpi_retransmits", TcpInfo::retransmits),
            Map.entry("tcpi_probes", TcpInfo::probes),
            Map.entry("tcpi_backoff", TcpInfo::backoff),
            Map.entry("tcpi_options", TcpInfo::options),
            Map.entry("tcpi_snd_wscale", TcpInfo::sndWscale),
            Map.entry("tcpi_rcv_wscale", TcpInfo::rcvWscale),
            Map.entry("tcpi_rto", TcpInfo::rtoUs),
            Map.entry("tcpi_snd_mss", TcpInfo::sndMss),
            Map.entry("tcpi_rcv_mss", TcpInfo::rcvMss),
            Map.entry("tcpi_unacked", TcpInfo::unacked),
            Map.entry("tcpi_sacked", TcpInfo::sacked),
            Map.entry("tcpi_lost", TcpInfo::lost),
            Map.entry("tcpi_retrans", TcpInfo::retrans),
            Map.entry("tcpi_last_data_sent", TcpInfo::lastDataSentMs),
            Map.entry("tcpi_last_data_recv", TcpInfo::lastDataRecvMs),
            Map.entry("tcpi_last_ack_recv", TcpInfo::lastAckRecvMs),
            Map.entry("tcpi_pmtu", TcpInfo::pmtu),
            Map.entry("tcpi_rtt", TcpInfo::rttUs),
            Map.entry("tcpi_rttvar", TcpInfo::rttvarUs),
            Map.entry("tcpi_snd_ssthresh", TcpInfo::sndSsthresh),
            Map.entry("tcpi_snd_cwnd", TcpInfo::sndCwnd),
            Map.entry("tcpi_advmss", TcpInfo::advmss),
            Map.entry("tcpi_total_retrans", TcpInfo::totalRetrans),
            Map.entry("tcpi_min_rtt", TcpInfo::minRttUs),
            Map.entry("tcpi_snd_wnd", TcpInfo::sndWnd),
            Map.entry("tcpi_rcv_wnd", TcpInfo::rcvWnd),
            Map.entry("tcpi_reordering", TcpInfo::reordering),
            Map.entry("tcpi_reord_seen", TcpInfo::reordSeen),
            Map.entry("tcpi_delivered", TcpInfo::delivered),
            Map.entry("tcpi_dsack_dups", TcpInfo::dsackDups),
            Map.entry("tcpi_delivered_ce", TcpInfo::deliveredCe),
            Map.entry("tcpi_busy_time", TcpInfo::busyTimeUs),
            Map.entry("tcpi_rwnd_limited", TcpInfo::rwndLimitedUs),
            Map.entry("tcpi_sndbuf_limited", TcpInfo::sndbufLimitedUs));

    /** Constants of include/net/tcp.h and include/net/tcp_states.h the blocks compare with. */
    private static final Map<String, Long> CONSTANTS = Map.ofEntries(
            Map.entry("TCP_CA_Open", 0L), Map.entry("TCP_CA_Disorder", 1L), Map.entry("TCP_CA_CWR", 2L),
            Map.entry("TCP_CA_Recovery", 3L), Map.entry("TCP_CA_Loss", 4L),
            Map.entry("TCP_ESTABLISHED", 1L), Map.entry("TCP_SYN_SENT", 2L), Map.entry("TCP_SYN_RECV", 3L),
            Map.entry("TCP_FIN_WAIT1", 4L), Map.entry("TCP_FIN_WAIT2", 5L), Map.entry("TCP_TIME_WAIT", 6L),
            Map.entry("TCP_CLOSE", 7L), Map.entry("TCP_CLOSE_WAIT", 8L), Map.entry("TCP_LAST_ACK", 9L),
            Map.entry("TCP_LISTEN", 10L), Map.entry("TCP_CLOSING", 11L),
            Map.entry("TCPI_OPT_TIMESTAMPS", 1L), Map.entry("TCPI_OPT_SACK", 2L), Map.entry("TCPI_OPT_WSCALE", 4L),
            Map.entry("TCPI_OPT_ECN", 8L), Map.entry("TCPI_OPT_ECN_SEEN", 16L),
            Map.entry("TCPI_OPT_SYN_DATA", 32L),
            Map.entry("True", 1L), Map.entry("False", 0L));

    /** A simple assignment: NAME = expression (not ==). */
    private static final java.util.regex.Pattern ASSIGNMENT =
            java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z_0-9]*)\\s*=(?!=)\\s*(.+)");

    private TcpInfoCode() {}

    /**
     * Runs every assertion of {@code code} against {@code info}.
     *
     * @throws CodeException at the first failing assertion (message: the condition and the values of
     *     the tcpi_ names in it) or at anything it cannot evaluate
     */
    public static void run(String code, TcpInfo info) throws CodeException { run(code, info, new java.util.HashMap<>()); }

    /**
     * Runs {@code code} against {@code info} with the script's variables: besides assertions, a
     * block may assign a name ({@code TCP_INFINITE_SSTHRESH = 0x7fffffff}, kept in {@code vars} for
     * later blocks) and {@code print(...)} (packetdrill prints; here it does nothing).
     *
     * @throws CodeException at the first failing assertion or at anything it cannot evaluate
     */
    public static void run(String code, TcpInfo info, Map<String, Long> vars) throws CodeException {
        for (String stmt : statements(code)) {
            if (stmt.startsWith("print(") && stmt.endsWith(")")) continue;
            var assign = ASSIGNMENT.matcher(stmt);
            if (assign.matches()) {
                vars.put(assign.group(1), new Eval(assign.group(2), info, vars).parse());
                continue;
            }
            if (!stmt.startsWith("assert")
                    || (stmt.length() > 6 && !Character.isWhitespace(stmt.charAt(6)) && stmt.charAt(6) != '(')) {
                throw new CodeException("unsupported Python statement: " + stmt, true);
            }
            String body = stmt.substring(6).strip();
            String cond = splitTopLevelComma(body);
            Eval e = new Eval(cond, info, vars);
            long v = e.parse();
            if (v == 0) {
                StringBuilder vals = new StringBuilder();
                for (String n : e.names) {
                    if (!vals.isEmpty()) vals.append(", ");
                    vals.append(n).append('=').append(e.value(n));
                }
                throw new CodeException("assert " + cond + " failed" + (vals.isEmpty() ? "" : " (" + vals + ")"), false);
            }
        }
    }

    /** Statements: lines (after joining backslash continuations) split at top-level ';'. */
    static List<String> statements(String code) {
        List<String> out = new ArrayList<>();
        String joined = code.replace("\\\n", " ");
        for (String line : joined.split("\n")) {
            for (String stmt : Quotes.split(Quotes.before(line, (t, k) -> t.charAt(k) == '#'), ';')) {
                if (!stmt.isBlank()) out.add(stmt.strip());
            }
        }
        return out;
    }

    /** The condition of {@code cond, message}. */
    private static String splitTopLevelComma(String s) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                return s.substring(0, i).strip();
            }
        }
        return s.strip();
    }

    /** A small recursive-descent evaluator (Python precedence: or < and < not < comparison < + < *). */
    private static final class Eval {
        final String s;
        final TcpInfo info;
        final Map<String, Long> vars;
        final List<String> names = new ArrayList<>();
        int p;

        Eval(String s, TcpInfo info, Map<String, Long> vars) {
            this.s = s;
            this.info = info;
            this.vars = vars;
        }

        long value(String name) { return FIELDS.get(name).applyAsLong(info); }

        long parse() throws CodeException {
            long v = or();
            skip();
            if (p != s.length()) throw new CodeException("cannot evaluate '" + s + "' at '" + s.substring(p) + "'", true);
            return v;
        }

        void skip() {
            while (p < s.length() && Character.isWhitespace(s.charAt(p))) p++;
        }

        boolean keyword(String k) {
            skip();
            if (s.startsWith(k, p) && (p + k.length() == s.length() || !Character.isLetterOrDigit(s.charAt(p + k.length())))) {
                p += k.length();
                return true;
            }
            return false;
        }

        boolean sym(String k) {
            skip();
            if (s.startsWith(k, p)) {
                p += k.length();
                return true;
            }
            return false;
        }

        long or() throws CodeException {
            long v = and();
            while (keyword("or")) {
                long r = and();
                v = (v != 0 || r != 0) ? 1 : 0;
            }
            return v;
        }

        long and() throws CodeException {
            long v = not();
            while (keyword("and")) {
                long r = not();
                v = (v != 0 && r != 0) ? 1 : 0;
            }
            return v;
        }

        long not() throws CodeException {
            if (keyword("not")) return not() == 0 ? 1 : 0;
            return comparison();
        }

        long comparison() throws CodeException {
            long left = bitOr();
            boolean result = true;
            boolean any = false;
            while (true) {
                String op = sym("==") ? "==" : sym("!=") ? "!=" : sym("<=") ? "<=" : sym(">=") ? ">="
                        : sym("<") ? "<" : sym(">") ? ">" : null;
                if (op == null) break;
                any = true;
                long right = bitOr();
                boolean r = switch (op) {
                    case "==" -> left == right;
                    case "!=" -> left != right;
                    case "<=" -> left <= right;
                    case ">=" -> left >= right;
                    case "<" -> left < right;
                    default -> left > right;
                };
                result &= r;
                left = right;
            }
            return any ? (result ? 1 : 0) : left;
        }

        /** Python's {@code |} and {@code &} (below the comparisons, above {@code +}); {@code ^} is not read. */
        long bitOr() throws CodeException {
            long v = bitAnd();
            while (sym("|")) v |= bitAnd();
            return v;
        }

        long bitAnd() throws CodeException {
            long v = sum();
            while (sym("&")) v &= sum();
            return v;
        }

        long sum() throws CodeException {
            long v = product();
            while (true) {
                if (sym("+")) v += product();
                else if (sym("-")) v -= product();
                else return v;
            }
        }

        long product() throws CodeException {
            long v = unary();
            while (true) {
                if (sym("//")) v = Math.floorDiv(v, nonZero(unary()));
                else if (sym("*")) v *= unary();
                else if (sym("/")) v = Math.floorDiv(v, nonZero(unary()));
                else if (sym("%")) v = Math.floorMod(v, nonZero(unary()));
                else return v;
            }
        }

        long nonZero(long v) throws CodeException {
            if (v == 0) throw new CodeException("division by zero in '" + s + "'", true);
            return v;
        }

        long unary() throws CodeException {
            if (sym("-")) return -unary();
            if (sym("+")) return unary();
            return atom();
        }

        long atom() throws CodeException {
            skip();
            if (sym("(")) {
                long v = or();
                if (!sym(")")) throw new CodeException("missing ')' in '" + s + "'", true);
                return v;
            }
            int start = p;
            if (p < s.length() && Character.isDigit(s.charAt(p))) {
                while (p < s.length() && (Character.isLetterOrDigit(s.charAt(p)))) p++;
                String num = s.substring(start, p);
                try {
                    return num.startsWith("0x") ? Long.parseLong(num.substring(2), 16) : Long.parseLong(num);
                } catch (NumberFormatException e) {
                    throw new CodeException("bad number '" + num + "' in '" + s + "'", true);
                }
            }
            while (p < s.length() && (Character.isLetterOrDigit(s.charAt(p)) || s.charAt(p) == '_')) p++;
            String name = s.substring(start, p);
            if (name.isEmpty()) throw new CodeException("cannot evaluate '" + s + "'", true);
            if (FIELDS.containsKey(name)) {
                if (!names.contains(name)) names.add(name);
                return value(name);
            }
            Long c = vars.containsKey(name) ? vars.get(name) : CONSTANTS.get(name);
            if (c != null) return c;
            if (name.startsWith("tcpi_")) {
                throw new CodeException("tcp_info field " + name + " is not in synack's TcpInfo", true);
            }
            throw new CodeException("unknown name '" + name + "' in '" + s + "'", true);
        }
    }
}
