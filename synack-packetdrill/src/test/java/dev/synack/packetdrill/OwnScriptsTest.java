package dev.synack.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The project's own packetdrill scripts (src/test/resources/scripts) for the behaviours of
 * SCENARIOS.md: refused, syn-timeout (linear timeouts), keepalive, close and TIME_WAIT. Each must pass;
 * a changed time or segment in them must fail.
 */
class OwnScriptsTest {
    static final Path DIR = Path.of("src/test/resources/scripts");

    static Stream<Path> scripts() { return Report.scripts(List.of(DIR)).stream(); }

    @ParameterizedTest
    @MethodSource("scripts")
    void passes(Path script) {
        Result r = Runner.run(script);
        assertTrue(r.passed(), () -> r.path() + ":" + r.line() + ": " + r.message() + "\n expected: " + r.expected()
                + "\n actual: " + r.actual());
    }

    @Test
    void aSynOneSecondLateFailsOnTiming() {
        Result r = Runner.run(new Script("t.pkt", List.of(), parse("""
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0 > S 0:0(0) <...>
                2 > S 0:0(0) <...>
                """).events()));
        assertFalse(r.passed());
        assertEquals(5, r.line());
        assertEquals("timing", r.reason());
        assertEquals("expected outbound packet at 2 s but it was sent at 1 s; tolerance 0.004 s", r.message());
    }

    @Test
    void aWrongAckIsAPacketMismatch() {
        Result r = Runner.run(parse("""
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 bind(3, ..., ...) = 0
                +0 listen(3, 1) = 0
                +0 < S 0:0(0) win 65535 <mss 1460>
                +0 > S. 0:0(0) ack 2 <mss 1460>
                """));
        assertEquals("packet: ack", r.reason());
        assertEquals(5, r.line());
        assertEquals("S. 0:0(0) ack 2 <mss 1460>", r.expected());
        assertEquals("S. 0:0(0) ack 1 win 64240 <mss 1460>", r.actual());
    }

    @Test
    void aMissingPacketIsReported() {
        Result r = Runner.run(parse("""
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 bind(3, ..., ...) = 0
                +0 listen(3, 1) = 0
                +1 > S. 0:0(0) ack 1 <...>
                """));
        assertEquals("packet: missing", r.reason());
        assertEquals("expected outbound packet at 1 s, but nothing was sent by 1.004 s", r.message());
    }

    @Test
    void anErrnoMismatchIsReported() {
        Result r = Runner.run(parse("""
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 close(3) = 0
                +0 close(3) = -1 ENOTCONN (Transport endpoint is not connected)
                """));
        assertEquals("syscall: result", r.reason());
        assertEquals("close() returned -1 EBADF, expected -1 ENOTCONN", r.message());
    }

    /**
     * Python blocks share one namespace (packetdrill runs them in one interpreter): a name assigned in
     * one block is known in the next; print() is accepted. tcp_cubic's module parameters are accepted
     * at Linux's defaults (synack's constants) and noted otherwise.
     */
    @Test
    void codeBlocksKeepAssignedNames_andCubicParametersAreKnown() {
        String script = """
                `echo 3 > /sys/module/tcp_cubic/parameters/hystart_detect`
                `echo 0 > /sys/module/tcp_cubic/parameters/hystart`
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 bind(3, ..., ...) = 0
                +0 listen(3, 1) = 0
                +0 < S 0:0(0) win 65535 <mss 1460>
                +0 > S. 0:0(0) ack 1 <mss 1460>
                +.1 < . 1:1(0) ack 1 win 65535
                +0 accept(3, ..., ...) = 4
                +0 %{ TCP_INFINITE_SSTHRESH = 0x7fffffff }%
                +0 %{ print(tcpi_snd_cwnd) }%
                +0 %{ assert tcpi_snd_ssthresh == TCP_INFINITE_SSTHRESH, tcpi_snd_ssthresh }%
                +0 %{ assert tcpi_reordering == 3 and tcpi_reord_seen == 0 }%
                """;
        Result r = Runner.run(parse(script));
        assertEquals(null, r.reason(), r.message());
        assertEquals(List.of("tcp_cubic hystart=0 is not modelled (synack's CUBIC uses 1, Linux's default)"), r.notes());
        Result bad = Runner.run(parse(script.replace("== TCP_INFINITE_SSTHRESH,", "== TCP_INFINITE_SSTHRESH - 1,")));
        assertEquals("tcp_info assert", bad.reason());
    }

    private static Script parse(String text) {
        try {
            return Parser.parse("t.pkt", text);
        } catch (ScriptException e) {
            throw new AssertionError(e);
        }
    }
}
