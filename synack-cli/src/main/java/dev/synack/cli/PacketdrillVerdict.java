package dev.synack.cli;

import dev.synack.linux.KernelPacketdrill;
import dev.synack.packetdrill.Result;
import java.util.Arrays;

/**
 * synack's run of a packetdrill script judged by Linux's run of it, not by the script: both pass, or
 * both stop at the same line — with the same packet where Linux sent one instead of the script's
 * (flags, sequence range, ACK and window; options and times aside). A script Linux itself fails is so
 * judged by Linux's actual packet, not the script's expectation.
 *
 * @param agrees whether synack did what Linux did
 * @param text one line: what each did
 */
record PacketdrillVerdict(boolean agrees, String text) {
    static PacketdrillVerdict of(Result synack, KernelPacketdrill.Run linux) {
        if (synack.passed() && linux.passed()) return new PacketdrillVerdict(true, "both pass");
        if (synack.passed()) return new PacketdrillVerdict(false, "synack passes; Linux stops at line " + linux.line() + ": " + linux.message()
                + (linux.actualPacket() != null ? " (Linux sent " + linux.actualPacket() + ")" : ""));
        if (linux.passed()) return new PacketdrillVerdict(false, "Linux passes; synack stops at line " + synack.line() + ": " + synack.message()
                + (synack.actual() != null ? " (synack sent " + synack.actual() + ")" : ""));
        String both = "line " + synack.line() + " (synack: " + synack.message() + ") vs line " + linux.line() + " (Linux: " + linux.message() + ")";
        if (synack.line() != linux.line()) return new PacketdrillVerdict(false, "both fail, at " + both);
        if (linux.actualPacket() == null && synack.actual() == null) {
            return new PacketdrillVerdict(true, "both stop at line " + linux.line() + " (Linux: " + linux.message() + ")");
        }
        String l = packet(linux.actualPacket()), s = packet(synack.actual());
        if (l.equals(s)) return new PacketdrillVerdict(true, "both stop at line " + linux.line() + " sending " + l + " where the script has "
                + linux.scriptPacket());
        return new PacketdrillVerdict(false, "both stop at line " + linux.line() + "; Linux sent " + l + ", synack " + s);
    }

    /** A packet as both print it, without its time and options: "P. 1:1001(1000) ack 1 win 256" (synack's "@0.228" suffix too). */
    static String packet(String p) {
        if (p == null) return "(none)";
        String t = p.replaceAll("<[^>]*>", " ").replaceAll("@\\S+", " ").strip(); // options, and synack's "@time"
        String[] w = t.split("\\s+");
        int from = w.length > 0 && w[0].matches("[-+]?\\d+(\\.\\d+)?") ? 1 : 0; // packetdrill's time
        String rest = String.join(" ", Arrays.copyOfRange(w, from, w.length));
        return rest.isEmpty() ? "(none)" : rest;
    }
}
