package dev.synack.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: one megabyte client to server between two engines on zero-delay links (per operation), and one
 * 1-byte request/response. Run with {@code -Dbench.main=org.openjdk.jmh.Main} (add {@code -prof gc}
 * for allocation).
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TransferBenchmark {
    @Param({"1500", "65535"})
    public int mtu;

    private Pair bulk, rr;

    @Setup
    public void setup() {
        bulk = new Pair(mtu, mtu > 1500 ? 16 << 20 : 4 << 20, false);
        rr = new Pair(mtu, 0, true);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long megabyte() { return bulk.bulk(1 << 20); }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void roundTrip() { rr.roundTrip(); }
}
