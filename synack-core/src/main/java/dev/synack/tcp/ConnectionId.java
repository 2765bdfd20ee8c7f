package dev.synack.tcp;

import dev.synack.wire.Ipv4;

/** A connection's 4-tuple as seen from one host. */
public record ConnectionId(int localAddr, int localPort, int remoteAddr, int remotePort) {
    @Override
    public String toString() {
        return Ipv4.format(localAddr) + ":" + localPort + "<->" + Ipv4.format(remoteAddr) + ":" + remotePort;
    }
}
