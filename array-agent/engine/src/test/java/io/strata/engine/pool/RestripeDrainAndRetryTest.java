package io.strata.engine.pool;

import static io.strata.engine.pool.MirrorPoolTest.read;
import static io.strata.engine.pool.MirrorPoolTest.stamp;
import static io.strata.engine.pool.RestripeTest.CHUNK;
import static io.strata.engine.pool.RestripeTest.SIZE;
import static io.strata.engine.pool.RestripeTest.UNIT;
import static io.strata.engine.pool.RestripeTest.assertChunks;
import static io.strata.engine.pool.RestripeTest.assertParity;
import static io.strata.engine.pool.RestripeTest.drives;
import static io.strata.engine.pool.RestripeTest.open;
import static io.strata.engine.pool.RestripeTest.writeAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import io.strata.engine.layout.LayoutStatus;
import io.strata.engine.stats.StackFigures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host I/O of a parity pool takes no lock while no restripe runs: a restripe that starts waits
 * for the I/O already running that way before it moves a stripe. A restripe stopped by an error
 * is tried again by itself, from its checkpoint, and its failures show in the engine's status.
 */
class RestripeDrainAndRetryTest {

  /** A member whose next read, once asked, waits to be released; counts data-area writes. */
  static final class HeldRead extends ForwardingBlockDevice {
    private final AtomicBoolean holdNext = new AtomicBoolean();
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger dataWrites = new AtomicInteger();
    volatile Runnable onDataWrite = () -> { };

    HeldRead(BlockDevice inner) {
      super(inner);
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
      if (holdNext.compareAndSet(true, false)) {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
      }
      inner.read(lba, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
      if (lba >= Pool.DATA_OFFSET_BLOCKS) {
        dataWrites.incrementAndGet();
        onDataWrite.run();
      }
      inner.write(lba, src, fua);
    }
  }

  /** A drive whose writes fail, while the fault is on, unless made by the thread that set it. */
  static final class WriteFault extends ForwardingBlockDevice {
    private volatile Thread spared;

    WriteFault(BlockDevice inner) {
      super(inner);
    }

    void failWritesOfOtherThreads() {
      spared = Thread.currentThread();
    }

    void clear() {
      spared = null;
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
      Thread s = spared;
      if (s != null && s != Thread.currentThread()) {
        throw new IOException("injected write fault");
      }
      inner.write(lba, src, fua);
    }
  }

  @Test
  void aRestripeWaitsForTheIoThatRanWithoutTheLockBeforeItMovesItsFirstStripe()
      throws Exception {
    List<RamDevice> ram = drives(4, SIZE);
    HeldRead first = new HeldRead(ram.get(0));
    ParityPool pool = open(Protection.PARITY, List.of(first, ram.get(1), ram.get(2)));
    long oldBlocks = pool.blockCount();
    writeAll(pool, oldBlocks, 1);
    int unit = 0;
    while (pool.dataMember(0, unit) != 0) {
      unit++;
    }
    long lba = (long) unit * UNIT; // in stripe 0, on member 0: the first stripe the restripe moves

    // the restripe either waits for the read below, or (without the drain) moves stripe 0,
    // which writes member 0's data area: whichever comes first ends the wait
    CountDownLatch waitedOrMoved = new CountDownLatch(1);
    AtomicBoolean waitedForIo = new AtomicBoolean();
    first.dataWrites.set(0); // counted from here: the writes above are the test's own
    first.onDataWrite = waitedOrMoved::countDown;
    pool.beforeRestripeWaitsForIo(() -> {
      waitedForIo.set(true);
      waitedOrMoved.countDown();
    });
    first.holdNext.set(true);
    AtomicReference<Object> readBack = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        readBack.set(read(pool, lba, CHUNK));
      } catch (IOException | RuntimeException e) {
        readBack.set(e);
      }
    });
    reader.start();
    first.held.await(); // the read is inside the pool, past the gate, in the old layout

    pool.restripe(List.of(ram.get(3)));
    waitedOrMoved.await();
    assertThat(first.dataWrites).as("no stripe moved while the read was in flight").hasValue(0);
    assertThat(waitedForIo).as("the restripe waited for the read in flight").isTrue();
    assertThat(pool.restripedStripes()).isZero();

    first.release.countDown();
    reader.join();
    assertThat(readBack.get()).isEqualTo(stamp(lba, CHUNK, 1));
    assertThat(pool.awaitRestripe(2, TimeUnit.MINUTES)).isTrue();
    long[] generations = new long[(int) (oldBlocks / CHUNK)];
    Arrays.fill(generations, 1);
    assertChunks(pool, generations);
    assertParity(pool, ram);
    // one layout again: I/O goes without the lock once more, and a later restripe still drains
    pool.write(0, stamp(0, CHUNK, 2), false);
    assertThat(read(pool, 0, CHUNK)).isEqualTo(stamp(0, CHUNK, 2));
    pool.close();
  }

  @Test
  void aRestripeStoppedByItsNewDrivesWriteErrorsIsTriedAgainAndFinishesOnceItWrites(
      @TempDir Path dir) throws Exception {
    List<RamDevice> ram = drives(4, SIZE);
    ParityPool pool = open(Protection.PARITY, ram.subList(0, 3));
    // the first pause outlasts the test: the test says when the time has passed (below)
    pool.restripeRetry(new Backoff(Duration.ofHours(1), Duration.ofHours(1)));
    long oldBlocks = pool.blockCount();
    writeAll(pool, oldBlocks, 1);
    long[] generations = new long[(int) (oldBlocks / CHUNK)];
    Arrays.fill(generations, 1);
    CountDownLatch restriped = new CountDownLatch(1);
    pool.whenRestriped(restriped::countDown);

    WriteFault added = new WriteFault(ram.get(3));
    added.failWritesOfOtherThreads(); // this thread adds it; the restripe's own thread fails
    pool.restripe(new ArrayList<>(List.of(added)));
    assertThat(pool.awaitRestripe(2, TimeUnit.MINUTES)).as("stopped, not done").isFalse();
    assertThat(pool.restriping()).isTrue();
    assertThat(pool.restripeFailures()).isEqualTo(1);
    assertThat(pool.restripeError()).contains("backup of stripe 0");
    assertThat(pool.restripedStripes()).isZero();

    // the engine's status says so, as it says a stopped volume move
    StackFigures.Rebuild figure = StackFigures.rebuildOf("rs", pool, List.of());
    assertThat(figure.kind()).isEqualTo("RESTRIPE");
    assertThat(figure.failedAttempts()).isEqualTo(1);
    assertThat(figure.error()).contains("backup of stripe 0");
    Path status = dir.resolve("status.json");
    LayoutStatus.write(status, 1L, null, List.of(), Map.of(), List.of(), null, Map.of(), null,
        Map.of(), Map.of("rs", figure));
    JsonNode rebuild = new ObjectMapper().readTree(Files.readString(status))
        .get("pools").get(0).get("rebuild");
    assertThat(rebuild.get("kind").asText()).isEqualTo("RESTRIPE");
    assertThat(rebuild.get("failedAttempts").asInt()).isEqualTo(1);
    assertThat(rebuild.get("error").asText()).contains("backup of stripe 0");

    // the pool serves meanwhile, in its old layout
    assertChunks(pool, generations);
    pool.write(5L * CHUNK, stamp(5L * CHUNK, CHUNK, 2), false);
    generations[5] = 2;

    added.clear();
    pool.restripeRetry(new Backoff(Duration.ofMillis(1), Duration.ofMillis(1))); // time passes
    assertThat(restriped.await(2, TimeUnit.MINUTES)).as("finished by its own retry").isTrue();
    assertThat(pool.awaitRestripe(2, TimeUnit.MINUTES)).isTrue();
    assertThat(pool.restripeError()).isNull();
    assertThat(pool.restripeFailures()).isZero();
    assertThat(pool.states()).containsOnly(MemberState.ONLINE);
    assertThat(pool.blockCount()).isEqualTo(oldBlocks / 2 * 3);
    assertChunks(pool, generations);
    assertParity(pool, ram);
    pool.close();

    ParityPool again = open(Protection.PARITY, ram);
    assertThat(again.restriping()).isFalse();
    assertChunks(again, generations);
    again.close();
  }

  @Test
  void theRetryPauseDoublesFromOneSecondToFiveMinutes() {
    Backoff b = ParityPool.RESTRIPE_RETRY;
    assertThat(b.pause(1)).hasSeconds(1);
    assertThat(b.pause(2)).hasSeconds(2);
    assertThat(b.pause(9)).hasSeconds(256);
    assertThat(b.pause(10)).hasMinutes(5);
    assertThat(b.pause(1000)).hasMinutes(5);
  }
}
