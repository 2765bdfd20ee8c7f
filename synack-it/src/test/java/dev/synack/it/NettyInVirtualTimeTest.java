package dev.synack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.synack.nio.SynackSelectorProvider;
import dev.synack.sim.Host;
import dev.synack.sim.LinkSpec;
import dev.synack.sim.Network;
import dev.synack.socket.ErrnoCarrier;
import dev.synack.tcp.Errno;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/**
 * Netty in virtual time: its event loops adopted as simulated processes. Netty starts each event loop's
 * thread through the Executor it is given, so an Executor that spawns a process of the host
 * ({@code command -> host.spawn("netty", command::run)}) makes every loop a process that parks in synack's
 * selector, and the lab runs it like any other. The test's own thread hands Netty its work (bind, connect,
 * write) and then drives the simulation until the future is done: a {@code sync()} from it would wait on a
 * Java lock with nothing driving the network.
 *
 * <p>What stays in real time: Netty's scheduled tasks (ReadTimeoutHandler, IdleStateHandler, connect
 * timeouts) read System.nanoTime, so they do not move with the simulation; keepalive, retransmissions and
 * everything else in the kernel do.
 */
class NettyInVirtualTimeTest {
    final Network net = new Network(1);
    final Host client = net.host("client", "198.18.0.1/24");
    final Host server = net.host("server", "198.18.0.2/24");
    final List<String> log = new ArrayList<>();

    NettyInVirtualTimeTest() {
        net.link(client, server, LinkSpec.delayMs(5));
    }

    /** An event loop group whose loops are simulated processes of {@code host}. */
    static EventLoopGroup loops(Host host) {
        Executor asProcess = command -> host.spawn("netty-loop", command::run);
        return new MultiThreadIoEventLoopGroup(1, asProcess, NioIoHandler.newFactory(new SynackSelectorProvider(host.kernel())));
    }

    /**
     * Runs the simulation until {@code f} is done: first what is runnable at this instant, then a
     * millisecond at a time; returns it.
     */
    <F extends Future<?>> F await(F f) {
        net.runUntil(net.nowNs());
        while (!f.isDone()) net.runFor(1);
        return f;
    }

    void log(String s) { log.add(net.nowNs() / 1_000_000 + " ms " + s); }

    @Test
    void echoAndACrashFoundByKeepaliveAtTheirVirtualTimes() {
        story();
        assertEquals(List.of(
                "10 ms connected true",                   // SYN, SYN-ACK: one round trip
                "20 ms read hello",                       // the echo: one more
                // idle 10 s after the last segment (20 ms), three probes 5 s apart: ETIMEDOUT at 25.020 s
                "25020 ms Connection timed out " + Errno.ETIMEDOUT,
                "25020 ms inactive"), log);
    }

    @Test
    void theSameSeedGivesTheSamePackets() {
        NettyInVirtualTimeTest a = new NettyInVirtualTimeTest(), b = new NettyInVirtualTimeTest();
        a.story();
        b.story();
        assertEquals(a.packets(), b.packets());
    }

    List<String> packets() {
        List<String> out = new ArrayList<>();
        for (var p : net.trace().events(dev.synack.trace.TraceEvent.Packet.class)) {
            out.add(p.timeNs() + " " + java.util.HexFormat.of().formatHex(p.bytes()));
        }
        return out;
    }

    /** A Netty echo server and client on two lab hosts; the server's host crashes 100 ms after the echo. */
    void story() {
        EventLoopGroup serverLoops = loops(server), clientLoops = loops(client);
        SynackSelectorProvider serverNio = new SynackSelectorProvider(server.kernel());
        SynackSelectorProvider clientNio = new SynackSelectorProvider(client.kernel());
        await(new ServerBootstrap().group(serverLoops)
                .channelFactory(() -> new NioServerSocketChannel(serverNio))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) { ctx.writeAndFlush(msg); }
                        });
                    }
                })
                .bind(new InetSocketAddress(7)));
        var connect = await(new Bootstrap().group(clientLoops)
                .channelFactory(() -> new NioSocketChannel(clientNio))
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), 10)
                .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), 5)
                .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), 3)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        log("read " + msg.toString(StandardCharsets.US_ASCII));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        log(cause.getMessage() + " " + assertInstanceOf(ErrnoCarrier.class, cause).errno());
                        ctx.close();
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) { log("inactive"); }
                })
                .connect(new InetSocketAddress("198.18.0.2", 7)));
        log("connected " + connect.isSuccess());
        Channel ch = connect.channel();
        await(ch.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)));
        net.runFor(100);
        server.crash();                                   // no FIN, no RST
        await(ch.closeFuture());
        serverLoops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        clientLoops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        net.runFor(10);
    }
}
