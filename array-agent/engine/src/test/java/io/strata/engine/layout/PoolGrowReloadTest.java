package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.pool.ParityPool;
import io.strata.engine.pool.Pool;
import io.strata.engine.volume.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that adds a mirror pair to a kept pool, or a drive to a RAID-5 pool (restriped in the
 * background, also across a restart), grows it while a writer writes: the pool's
 * capacity for volumes grows without a restart, a new volume fills more than the pool held
 * before, every block written before is unchanged, and all of it is there after a restart, also
 * when the engine stopped before the volume metadata moved to the grown pool's end.
 */
class PoolGrowReloadTest {
  static final int CHUNK_BLOCKS = 64;
  @TempDir Path dir;

  Path layout(String members, String drives, String protection, String volumes, String luns)
      throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [%s],
         "pools": [{"name": "p", "drives": [%s], "protection": "%s"}],
         "volumes": [%s],
         "luns": [%s]}
        """.formatted(drives, members, protection, volumes, luns));
    return file;
  }

  Path mirror(String members, String drives, boolean second) throws IOException {
    return layout(members, drives, "mirror",
        "{\"name\": \"v\", \"pool\": \"p\", \"size\": \"24M\"}"
            + (second ? ", {\"name\": \"w\", \"pool\": \"p\", \"size\": \"24M\"}" : ""),
        "{\"lun\": 0, \"volume\": \"v\"}" + (second ? ", {\"lun\": 1, \"volume\": \"w\"}" : ""));
  }

  static String drives(String... names) {
    return MemberReplaceReloadTest.drives(names).replace("16M", "32M");
  }

  static void fill(Volume v, long[] generation, long value) throws IOException {
    for (int k = 0; k < generation.length; k++) {
      v.write((long) k * CHUNK_BLOCKS, MemberReplaceReloadTest.stamp(k, value), false);
      generation[k] = value;
    }
  }

  /** A started writer rewriting random chunks of {@code v} (one generation up each) until stop. */
  static Thread rewriting(Volume v, long[] generation, AtomicBoolean stop,
      AtomicReference<Throwable> failed) {
    Thread writer = new Thread(() -> {
      java.util.Random r = new java.util.Random(5);
      try {
        while (!stop.get()) {
          int k = r.nextInt(generation.length);
          v.write((long) k * CHUNK_BLOCKS, MemberReplaceReloadTest.stamp(k, ++generation[k]),
              false);
        }
      } catch (Throwable t) {
        failed.set(t);
      }
    });
    writer.start();
    return writer;
  }

  /** A new engine on {@code layout} reads {@code v1} from LUN 0 and {@code w1} from LUN 1. */
  static void assertAfterRestart(Path layout, long[] v1, long[] w1) throws IOException {
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(layout), layout)) {
      MemberReplaceReloadTest.assertAll(stack.lunDevices(ArrayLayout.read(layout)).get(0), v1);
      MemberReplaceReloadTest.assertAll(stack.lunDevices(ArrayLayout.read(layout)).get(1), w1);
    }
  }

  @Test
  void aPairAddedByReloadGrowsThePoolForVolumesWhileAWriterWrites() throws Exception {
    Path first = mirror("\"a\", \"b\"", drives("a", "b"), false);
    long[] v1 = new long[(int) ((24L << 20) / (CHUNK_BLOCKS * 512))];
    long[] w1 = new long[v1.length];
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(first), first)) {
      long before = stack.stores().get("p").totalExtents();
      assertThat(before).as("the 24M volume fits, a second one does not").isBetween(24L, 47L);
      Volume v = stack.lunDevices(ArrayLayout.read(first)).get(0);
      fill(v, v1, 1);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread writer = rewriting(v, v1, stop, failed);

      Path grown = mirror("\"a\", \"b\", \"c\", \"d\"", drives("a", "b", "c", "d"), true);
      stack.reconcile(ArrayLayout.read(grown));
      stop.set(true);
      writer.join();
      assertThat(failed.get()).isNull();

      assertThat(stack.pools().get("p").memberCount()).isEqualTo(4);
      assertThat(stack.stores().get("p").totalExtents()).isGreaterThan(2 * before - 2);
      Volume w = stack.lunDevices(ArrayLayout.read(grown)).get(1);
      fill(w, w1, 7); // with v's 24 extents, more than the pool held before it grew
      MemberReplaceReloadTest.assertAll(v, v1);
      MemberReplaceReloadTest.assertAll(w, w1);
      assertThat(stack.health()).extracting(ArrayStack.DriveHealth::name)
          .contains("a", "b", "c", "d");
    }
    Path grown = mirror("\"a\", \"b\", \"c\", \"d\"", drives("a", "b", "c", "d"), true);
    assertAfterRestart(grown, v1, w1);
  }

  @Test
  void anEngineStoppedBeforeTheMetadataMovedToTheGrownEndStartsGrown() throws Exception {
    Path first = mirror("\"a\", \"b\"", drives("a", "b"), false);
    long[] v1 = new long[(int) ((24L << 20) / (CHUNK_BLOCKS * 512))];
    long before;
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(first), first)) {
      fill(stack.lunDevices(ArrayLayout.read(first)).get(0), v1, 1);
      before = stack.stores().get("p").totalExtents();
    }
    // the engine grew the pool (every label says four drives) and stopped before its volume
    // metadata moved to the pool's new end
    java.util.List<io.strata.engine.block.BlockDevice> members = new java.util.ArrayList<>();
    for (String d : new String[] {"a", "b", "c", "d"}) {
      members.add(io.strata.engine.drive.Drive.open(d, dir.resolve(d + ".img"),
          io.strata.engine.drive.MediaType.SSD, 32L << 20, null));
    }
    io.strata.engine.pool.MirrorPool pool = (io.strata.engine.pool.MirrorPool) Pool.open("p",
        io.strata.engine.pool.Protection.MIRROR, members.subList(0, 2));
    pool.grow(members.subList(2, 4));
    pool.close();

    Path grown = mirror("\"a\", \"b\", \"c\", \"d\"", drives("a", "b", "c", "d"), true);
    long[] w1 = new long[v1.length];
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(grown), grown)) {
      assertThat(stack.stores().get("p").totalExtents()).isGreaterThan(2 * before - 2);
      MemberReplaceReloadTest.assertAll(stack.lunDevices(ArrayLayout.read(grown)).get(0), v1);
      fill(stack.lunDevices(ArrayLayout.read(grown)).get(1), w1, 9);
    }
    assertAfterRestart(grown, v1, w1);
  }

  @Test
  void growthTheEngineCannotMakeIsRefusedWithTheReasonAndChangesNothing() throws Exception {
    Path mirrored = mirror("\"a\", \"b\"", drives("a", "b"), false);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(mirrored), mirrored)) {
      Path odd = mirror("\"a\", \"b\", \"c\"", drives("a", "b", "c"), false);
      assertThatThrownBy(() -> stack.reconcile(ArrayLayout.read(odd)))
          .hasMessageContaining("a mirror grows by pairs, an even number of drives, not 1");
      assertThat(stack.pools().get("p").memberCount()).isEqualTo(2);
      assertThat(stack.drives()).containsOnlyKeys("a", "b");
    }
  }

  Path raid5(String members, String drives, boolean second) throws IOException {
    return layout(members, drives, "parity",
        "{\"name\": \"v\", \"pool\": \"p\", \"size\": \"35M\"}"
            + (second ? ", {\"name\": \"w\", \"pool\": \"p\", \"size\": \"35M\"}" : ""),
        "{\"lun\": 0, \"volume\": \"v\"}" + (second ? ", {\"lun\": 1, \"volume\": \"w\"}" : ""));
  }

  @Test
  void aDriveAddedToARaid5PoolByReloadRestripesItWhileAWriterWritesAndVolumesGetTheCapacity()
      throws Exception {
    Path first = raid5("\"e\", \"f\", \"g\"", drives("e", "f", "g"), false);
    long[] v1 = new long[(int) ((35L << 20) / (CHUNK_BLOCKS * 512))];
    long[] w1 = new long[v1.length];
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(first), first)) {
      long before = stack.stores().get("p").totalExtents();
      assertThat(before).as("the 35M volume fits, a second one does not").isBetween(35L, 69L);
      Volume v = stack.lunDevices(ArrayLayout.read(first)).get(0);
      fill(v, v1, 1);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread writer = rewriting(v, v1, stop, failed);

      Path grown = raid5("\"e\", \"f\", \"g\", \"h\"", drives("e", "f", "g", "h"), true);
      stack.reconcile(ArrayLayout.read(grown));
      ParityPool pool = (ParityPool) stack.pools().get("p");
      assertThat(pool.memberCount()).isEqualTo(4);
      assertThat(pool.awaitRestripe(5, TimeUnit.MINUTES)).isTrue();
      stop.set(true);
      writer.join();
      assertThat(failed.get()).isNull();
      assertThat(pool.restripeError()).isNull();

      assertThat(stack.stores().get("p").totalExtents()).as("a third more: three data drives of two")
          .isGreaterThan(before * 3 / 2 - 4);
      Volume w = stack.lunDevices(ArrayLayout.read(grown)).get(1);
      fill(w, w1, 7); // with v's 35 extents, more than the pool held before it grew
      MemberReplaceReloadTest.assertAll(v, v1);
      MemberReplaceReloadTest.assertAll(w, w1);
    }
    assertAfterRestart(raid5("\"e\", \"f\", \"g\", \"h\"", drives("e", "f", "g", "h"), true),
        v1, w1);
  }

  @Test
  void aRestripeTheEngineStoppedInIsResumedAtItsNextStartAndThenGrowsTheVolumes()
      throws Exception {
    Path first = raid5("\"e\", \"f\", \"g\"", drives("e", "f", "g"), false);
    long[] v1 = new long[(int) ((35L << 20) / (CHUNK_BLOCKS * 512))];
    long[] w1 = new long[v1.length];
    long before;
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(first), first)) {
      before = stack.stores().get("p").totalExtents();
      fill(stack.lunDevices(ArrayLayout.read(first)).get(0), v1, 1);
      stack.reconcile(ArrayLayout.read(raid5("\"e\", \"f\", \"g\", \"h\"",
          drives("e", "f", "g", "h"), true)));
    } // the engine stops: the restripe stops after the batch it is in
    Path grown = dir.resolve("array.json");
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(grown), grown)) {
      ParityPool pool = (ParityPool) stack.pools().get("p");
      assertThat(pool.awaitRestripe(5, TimeUnit.MINUTES)).isTrue();
      assertThat(pool.restriping()).isFalse();
      assertThat(stack.stores().get("p").totalExtents()).isGreaterThan(before * 3 / 2 - 4);
      MemberReplaceReloadTest.assertAll(stack.lunDevices(ArrayLayout.read(grown)).get(0), v1);
      fill(stack.lunDevices(ArrayLayout.read(grown)).get(1), w1, 9);
    }
    assertAfterRestart(grown, v1, w1);
  }

  /** {@code layout} with the pool's {@code restripe} block set to {@code block}. */
  static Path withRestripe(Path layout, String block) throws IOException {
    return Files.writeString(layout, Files.readString(layout).replace("\"protection\": \"parity\"",
        "\"protection\": \"parity\", \"restripe\": " + block));
  }

  @Test
  void aRestripeKeepsToTheLayoutsRateAndAReloadChangesItWhileItRuns() throws Exception {
    assertThatThrownBy(() -> ArrayLayout.read(withRestripe(raid5("\"e\", \"f\", \"g\"",
        drives("e", "f", "g"), false), "{\"rate\": \"fast\"}")))
        .hasMessageContaining("restripe.rate 'fast'");
    Path first = raid5("\"e\", \"f\", \"g\"", drives("e", "f", "g"), false);
    long[] v1 = new long[(int) ((35L << 20) / (CHUNK_BLOCKS * 512))];
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(first), first)) {
      Volume v = stack.lunDevices(ArrayLayout.read(first)).get(0);
      fill(v, v1, 1);
      long rate = 2L << 20;
      Path grown = withRestripe(raid5("\"e\", \"f\", \"g\", \"h\"", drives("e", "f", "g", "h"), true),
          "{\"rate\": \"2M\"}");
      long started = System.nanoTime();
      stack.reconcile(ArrayLayout.read(grown));
      ParityPool pool = (ParityPool) stack.pools().get("p");
      assertThat(pool.restripeRate()).isEqualTo(rate);
      assertThat(pool.awaitRestripe(2, TimeUnit.SECONDS)).as("about 96 MiB at 2 MiB/s").isFalse();
      double seconds = (System.nanoTime() - started) / 1e9;
      long moved = pool.restripedStripes() * 3 * (64L << 10); // three data units of 64 KiB a stripe
      // the bucket starts full (a second's worth) and a batch is at most a row: 1 MiB per data drive
      assertThat(moved).as("moved in %.1f s", seconds)
          .isLessThanOrEqualTo((long) (rate * (seconds + 1)) + (3L << 20));

      stack.reconcile(ArrayLayout.read(raid5("\"e\", \"f\", \"g\", \"h\"",
          drives("e", "f", "g", "h"), true))); // no restripe block: no limit, at once
      assertThat(pool.restripeRate()).isZero();
      assertThat(pool.awaitRestripe(1, TimeUnit.MINUTES)).isTrue();
      assertThat(pool.restriping()).isFalse();
      MemberReplaceReloadTest.assertAll(v, v1);
    }
  }

  @Test
  void aParityPoolStillRestripingDoesNotGrowAgainAndSaysWhy() throws Exception {
    Path first = raid5("\"e\", \"f\", \"g\"", drives("e", "f", "g", "h", "i"), false);
    try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(first), first)) {
      fill(stack.lunDevices(ArrayLayout.read(first)).get(0),
          new long[(int) ((35L << 20) / (CHUNK_BLOCKS * 512))], 1);
      ParityPool pool = (ParityPool) stack.pools().get("p");
      stack.reconcile(ArrayLayout.read(raid5("\"e\", \"f\", \"g\", \"h\"",
          drives("e", "f", "g", "h", "i"), false)));
      Path again = raid5("\"e\", \"f\", \"g\", \"h\", \"i\"", drives("e", "f", "g", "h", "i"),
          false);
      if (pool.restriping()) {
        assertThatThrownBy(() -> stack.reconcile(ArrayLayout.read(again)))
            .hasMessageContaining("it is still restriping");
      }
      assertThat(pool.awaitRestripe(5, TimeUnit.MINUTES)).isTrue();
      stack.reconcile(ArrayLayout.read(again));
      assertThat(pool.memberCount()).isEqualTo(5);
      assertThat(pool.awaitRestripe(5, TimeUnit.MINUTES)).isTrue();
    }
  }
}
