package io.strata.engine.stats;

import io.strata.engine.scsi.Nexus;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.scsi.ScsiTarget;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What counting costs per I/O (issue 19, "the cost of watching"): a 4 KiB READ(10) and WRITE(10)
 * through {@link IoCounters} over a target that does nothing, against the same target bare. The
 * difference is the CPU the metrics add to every I/O, free of the ±15 % noise of the end-to-end
 * runs; the engine spends 9-14 µs of CPU per 4 KiB I/O (docs/benchmarks/observability.md).
 * Two threads, as the engine's sessions record from several threads at once.
 *
 * <p>Run by hand, after {@code ./mvnw -pl array-agent/engine -am test-compile}:
 * {@code java -cp "$(cat cp.txt):array-agent/engine/target/classes:array-agent/engine/target/test-classes"
 * org.openjdk.jmh.Main IoCountersBench} (array-agent/bench/observability-micro.sh does both).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@Threads(2)
public class IoCountersBench {

  private static final Nexus NEXUS = new Nexus("iqn.2026-12.io.strata:bench", 1, "iqn.2026-12.io.strata:target", 1);
  private static final byte[] READ_10 = {0x28, 0, 0, 0, 0, 8, 0, 0, 8, 0};
  private static final byte[] WRITE_10 = {0x2a, 0, 0, 0, 0, 8, 0, 0, 8, 0};

  /** Answers every command GOOD at once: what is left to measure is what wraps it. */
  static final class NothingTarget implements ScsiTarget {
    private final ScsiResponse readAnswer = new ScsiResponse(0, null, ByteBuffer.allocate(4096), 0);
    private final ScsiResponse writeAnswer = new ScsiResponse(0, null, null, 4096);

    @Override
    public ScsiResponse execute(ScsiCommand command) {
      return command.cdb()[0] == 0x28 ? readAnswer : writeAnswer;
    }

    @Override
    public void lunReset(Nexus nexus, long lun) {}

    @Override
    public void targetReset(Nexus nexus) {}

    @Override
    public void nexusOpened(Nexus nexus) {}

    @Override
    public void nexusClosed(Nexus nexus) {}
  }

  private final ScsiTarget bare = new NothingTarget();
  private final ScsiTarget counted = new IoCounters(new NothingTarget());
  private final ScsiCommand read = new ScsiCommand(NEXUS, 0, READ_10, null, 4096, 1);
  private final ScsiCommand write = new ScsiCommand(NEXUS, 0, WRITE_10, ByteBuffer.allocate(4096), 0, 2);

  @Benchmark
  public ScsiResponse readBare() {
    return bare.execute(read);
  }

  @Benchmark
  public ScsiResponse readCounted() {
    return counted.execute(read);
  }

  @Benchmark
  public ScsiResponse writeBare() {
    return bare.execute(write);
  }

  @Benchmark
  public ScsiResponse writeCounted() {
    return counted.execute(write);
  }
}
