package dev.synack.packetdrill;

import static org.junit.jupiter.api.Assertions.*;

import dev.synack.tcp.TcpConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's little shell: variables, $(...), if/else, sourcing, paths from the script's folder. */
class ShellTest {
    @TempDir
    Path dir;

    Commands.HostSetup host = new Commands.HostSetup(new TcpConfig());

    void run(String command) throws Commands.CommandException { Commands.run(command, dir, host); }

    @Test
    void variablesAndArithmetic() throws Exception {
        run("MAX=$((4*1024*1024)); SYN=3\nsysctl -q net.ipv4.tcp_wmem=\"4096 16384 $MAX\" net.ipv4.tcp_syn_retries=${SYN}");
        assertEquals("4096\t16384\t4194304", host.config.get("net.ipv4.tcp_wmem"));
        assertEquals("3", host.config.get("tcp_syn_retries"));
        run("sysctl -q net.ipv4.tcp_syn_retries=${UNSET:-6}");
        assertEquals("6", host.config.get("tcp_syn_retries"));
    }

    @Test
    void ifOnUnameAndCommandSubstitution() throws Exception {
        run("if [ \"$(uname)\" = Linux ]; then sysctl -q net.ipv4.tcp_syn_retries=2; else sysctl -q net.ipv4.tcp_syn_retries=9; fi");
        assertEquals("2", host.config.get("tcp_syn_retries"));
        run("if [ $(uname -s) != Linux ]\nthen\n  sysctl -q net.ipv4.tcp_syn_retries=9\nelif [ -n \"$(uname -r)\" ]; then\n"
                + "  sysctl -q net.ipv4.tcp_syn_retries=4\nfi");
        assertEquals("4", host.config.get("tcp_syn_retries"));
        run("R=$(sysctl -n net.ipv4.tcp_syn_retries); sysctl -q net.ipv4.tcp_synack_retries=$((R + 1))");
        assertEquals("5", host.config.get("tcp_synack_retries"));
        run("false && sysctl -q net.ipv4.tcp_syn_retries=8 || sysctl -q net.ipv4.tcp_syn_retries=7");
        assertEquals("7", host.config.get("tcp_syn_retries"));
    }

    @Test
    void sourcingSharesVariablesRunningDoesNot() throws Exception {
        Files.writeString(dir.resolve("defaults.sh"), "#!/bin/sh\nRETRIES=3\nexport KEEP=11\nsysctl -q net.ipv4.tcp_syn_retries=$RETRIES\n");
        run(". ./defaults.sh; sysctl -q net.ipv4.tcp_synack_retries=$RETRIES");
        assertEquals("3", host.config.get("tcp_synack_retries"));
        run("./defaults.sh; sysctl -q net.ipv4.tcp_synack_retries=${RETRIES:-4}");
        assertEquals("4", host.config.get("tcp_synack_retries"));
        run("source defaults.sh && [ -f defaults.sh ] && sysctl -q net.ipv4.tcp_keepalive_probes=$KEEP");
        assertEquals("11", host.config.get("tcp_keepalive_probes"));
    }

    @Test
    void pathsFromTheScriptsFolderThenTheNearestCommon() throws Exception {
        Path common = Files.createDirectories(dir.resolve("common"));
        Path deep = Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(common.resolve("defaults.sh"), "sysctl -q net.ipv4.tcp_syn_retries=1\n");
        Commands.run("../../common/defaults.sh", deep, host);
        assertEquals("1", host.config.get("tcp_syn_retries"));
        Commands.run("../common/defaults.sh", deep, host); // upstream's layout, one folder less
        assertThrows(Commands.CommandException.class, () -> Commands.run(". ./nothing.sh", deep, host));
    }

    @Test
    void notModelledSysctlsAreCollected() throws Exception {
        run("sysctl -q net.ipv4.tcp_fack=0 net.ipv4.tcp_mtu_probing=0 net.ipv4.tcp_ecn=1");
        assertEquals(2, host.notModelled.size(), host.notModelled.toString());
        assertTrue(host.notModelled.first().startsWith("net.ipv4.tcp_fack: "));
        assertTrue(host.notes.isEmpty());
    }

    @Test
    void unsupportedSyntaxFailsClearly() {
        var e = assertThrows(Commands.CommandException.class, () -> run("sleep 5 & wait"));
        assertTrue(e.getMessage().contains("background jobs"), e.getMessage());
        assertThrows(Commands.CommandException.class, () -> run("if true; then sysctl -q net.ipv4.tcp_sack=1"));
    }

    /** dd of /dev/zero makes a file in memory (nothing is written on the machine); rm hides it again. */
    @Test
    void ddMakesAFileInMemoryAndRmRemovesIt() throws Exception {
        Path f = dir.resolve("zeros");
        run("/bin/rm -f " + f + "\n/bin/dd bs=1000 count=3 if=/dev/zero of=" + f + " status=none");
        assertArrayEquals(new byte[3000], host.readFile(f.toString()));
        assertFalse(Files.exists(f));
        run("rm -f " + f);
        assertNull(host.readFile(f.toString()));
        Files.writeString(f, "real");
        assertNull(host.readFile(f.toString()), "removed by the script: a real file of that name is hidden");
        assertThrows(Commands.CommandException.class, () -> run("dd if=/dev/urandom of=" + f + " bs=1 count=1"));
    }

    /** A pipeline feeds each command's output to the next; grep's status is whether a line matched. */
    @Test
    void pipesAndGrepOverTheHostsProcFiles() throws Exception {
        host.procFile = p -> p.equals("/proc/net/tcp")
                ? "  sl  local_address\n   0: 0100A8C0:1F90 00000000:0000 0A 00000000:00000000\n" : null;
        run("grep \" 0A \" /proc/net/tcp /proc/net/tcp | grep \":1F90\" && sysctl -q net.ipv4.tcp_syn_retries=2");
        assertEquals("2", host.config.get("tcp_syn_retries"));
        run("grep -q \" 01 \" /proc/net/tcp || sysctl -q net.ipv4.tcp_syn_retries=3");
        assertEquals("3", host.config.get("tcp_syn_retries"), "no line matched: status 1");
        run("N=$(grep -c 0A /proc/net/tcp); sysctl -q net.ipv4.tcp_syn_retries=$((N + 3))");
        assertEquals("4", host.config.get("tcp_syn_retries"));
        run("R=$(echo a.b | grep -F .); [ \"$R\" = a.b ] && sysctl -q net.ipv4.tcp_syn_retries=5");
        assertEquals("5", host.config.get("tcp_syn_retries"));
        assertThrows(Commands.CommandException.class, () -> run("sleep 1 &"), "background jobs stay unsupported");
    }

    /**
     * nstat as iproute2's prints it (format measured on Linux 6.18: "#kernel", then "%-32s%-16llu%6.1f"),
     * each counter changed since the last nstat; a command exiting non-zero fails the script, as
     * packetdrill's safe_system does.
     */
    @Test
    void nstatPrintsChangesSinceTheLastAndNonZeroStatusFails() throws Exception {
        java.util.Map<String, Long> counters = new java.util.LinkedHashMap<>();
        host.counters = () -> counters;
        counters.put("TcpInSegs", 3L);
        run("nstat > /dev/null");
        counters.put("TcpInSegs", 5L);
        counters.put("TcpExtOutOfWindowIcmps", 1L);
        run("nstat -s | grep -q '^#kernel$'");
        run("nstat -s | grep -q '^TcpInSegs                       2                  0.0$'");
        run("nstat -s | grep -q '^TcpExtOutOfWindowIcmps          1                  0.0$'");
        run("nstat -a | grep -q 'TcpInSegs  *5 '");
        var e = assertThrows(Commands.CommandException.class, () -> run("nstat | grep TcpExtOutOfWindowIcmps"));
        assertEquals("non-zero status 1", e.getMessage(), "nothing changed since the last nstat");
    }
}
