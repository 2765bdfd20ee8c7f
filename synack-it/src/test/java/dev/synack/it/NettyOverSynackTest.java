package dev.synack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synack.nio.SynackSelectorProvider;
import dev.synack.runtime.RealtimeRuntime;
import dev.synack.sim.Host;
import dev.synack.sim.Network;
import dev.synack.socket.ErrnoCarrier;
import dev.synack.socket.Kernel;
import dev.synack.tcp.Errno;
import dev.synack.testbed.Veth;
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
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Netty 4.2 from Maven Central, unmodified, client and server over synack: its NIO transport takes a
 * SelectorProvider ({@code NioIoHandler.newFactory(provider)}, {@code new NioSocketChannel(provider)}), so each
 * side gets synack's on its host. Netty optimises the JDK's own selector (sun.nio.ch.SelectorImpl) only when it is
 * one, and uses synack's as it is.
 *
 * <p>Real time: here Netty's event loops are threads of its own (NettyInVirtualTimeTest adopts them as
 * simulated processes instead) and its timers (ReadTimeoutHandler) read System.nanoTime, so the hosts run on a
 * {@link RealtimeRuntime} (2 ms one-way link). The server's host "crashes"
 * by losing every packet both ways (power off: no FIN, no RST), and the client finds out by TCP keepalive
 * (ETIMEDOUT) or by Netty's read timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyOverSynackTest {
    RealtimeRuntime rt;
    Kernel client, server;
    Veth cable;
    EventLoopGroup serverLoops, clientLoops;
    Channel listener;

    @BeforeEach
    void echoServer() throws Exception {
        rt = new RealtimeRuntime();
        client = Kernel.create(rt, "client", 1);
        server = Kernel.create(rt, "server", 2);
        cable = Veth.connect(client, "198.18.0.1", server, "198.18.0.2", 24, 2_000_000);
        SynackSelectorProvider serverNio = new SynackSelectorProvider(server);
        serverLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(serverNio));
        clientLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(new SynackSelectorProvider(client)));
        listener = new ServerBootstrap()
                .group(serverLoops)
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
                .bind(new InetSocketAddress("198.18.0.2", 7)).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        listener.close().sync();
        clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        serverLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        rt.close();
    }

    /** A client whose handler hands over what it reads, and the exception and close it meets. */
    record Client(Channel channel, BlockingQueue<String> read, CompletableFuture<Throwable> failure, CompletableFuture<Void> closed) {}

    Client connect(ChannelHandler extra, Bootstrap b) throws InterruptedException {
        BlockingQueue<String> read = new LinkedBlockingQueue<>();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        SynackSelectorProvider clientNio = new SynackSelectorProvider(client);
        Channel ch = b.group(clientLoops)
                .channelFactory(() -> new NioSocketChannel(clientNio))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (extra != null) ch.pipeline().addLast(extra.make());
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                read.add(msg.toString(StandardCharsets.US_ASCII));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                failure.complete(cause);
                                ctx.close();
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) { closed.complete(null); }
                        });
                    }
                })
                .connect(new InetSocketAddress("198.18.0.2", 7)).sync().channel();
        return new Client(ch, read, failure, closed);
    }

    interface ChannelHandler {
        io.netty.channel.ChannelHandler make();
    }

    static ByteBuf ascii(String s) { return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII); }

    /** Crashes the server's host as the client sees it: from now on every packet either way is lost. */
    void crashServer() {
        rt.call(() -> {
            cable.aToB().loss(1.0);
            cable.bToA().loss(1.0);
            return null;
        });
    }

    @Test
    void echoesThroughNettyOnBothSides() throws Exception {
        Client c = connect(null, new Bootstrap().option(ChannelOption.TCP_NODELAY, true));
        c.channel().writeAndFlush(ascii("hello netty")).sync();
        StringBuilder got = new StringBuilder();
        while (got.length() < "hello netty".length()) got.append(c.read().poll(10, TimeUnit.SECONDS));
        assertEquals("hello netty", got.toString());
        assertEquals(new InetSocketAddress("198.18.0.2", 7), c.channel().remoteAddress());
        assertTrue(((NioSocketChannel) c.channel()).config().isTcpNoDelay());
        c.channel().close().sync();
    }

    @Test
    void aCrashedServerIsFoundByTcpKeepalive() throws Exception {
        // keepalive after 1 s idle, one probe, 1 s for its answer: ETIMEDOUT 2 s after the last exchange
        Client c = connect(null, new Bootstrap()
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), 1)
                .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), 1)
                .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), 1));
        c.channel().writeAndFlush(ascii("ping")).sync();
        assertEquals("ping", c.read().poll(10, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        crashServer();
        Throwable e = c.failure().get(20, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        c.closed().get(5, TimeUnit.SECONDS);
        assertEquals("Connection timed out", e.getMessage());
        assertEquals(Errno.ETIMEDOUT, assertInstanceOf(ErrnoCarrier.class, e).errno());
        assertTrue(ms >= 1500 && ms < 15_000, "keepalive gave up after " + ms + " ms");
    }

    @Test
    void overAVirtualTimeLabNettysEventLoopIsRefusedAtOnce() throws Exception {
        Network net = new Network(1);
        Host h = net.host("server", "198.18.0.2/24");
        SynackSelectorProvider labNio = new SynackSelectorProvider(h.kernel());
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(labNio));
        try {
            var bind = new ServerBootstrap().group(loops)
                    .channelFactory(() -> new NioServerSocketChannel(labNio))
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress(7));
            assertTrue(bind.await(10, TimeUnit.SECONDS));
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, bind.cause());
            assertTrue(e.getMessage().startsWith("synack NIO: thread 'multiThreadIoEventLoopGroup-"), e.getMessage());
            assertTrue(e.getMessage().contains("RealtimeRuntime"), e.getMessage());
            assertEquals(0, net.nowNs());
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aCrashedServerIsFoundByNettysReadTimeout() throws Exception {
        Client c = connect(() -> new ReadTimeoutHandler(300, TimeUnit.MILLISECONDS), new Bootstrap());
        c.channel().writeAndFlush(ascii("ping")).sync();
        assertEquals("ping", c.read().poll(10, TimeUnit.SECONDS));
        crashServer();
        c.channel().writeAndFlush(ascii("are you there")).sync(); // taken by the send buffer; never answered
        assertInstanceOf(ReadTimeoutException.class, c.failure().get(10, TimeUnit.SECONDS));
        c.closed().get(5, TimeUnit.SECONDS);
    }
}
