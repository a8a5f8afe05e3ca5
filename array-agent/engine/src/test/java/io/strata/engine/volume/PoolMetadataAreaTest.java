package io.strata.engine.volume;

import static io.strata.engine.volume.MetadataState.BLOCK_SIZE;
import static io.strata.engine.volume.MetadataState.EXTENT_BLOCKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.OutOfSpaceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The volume metadata kept on the pool device itself ({@link PoolMetadataArea}): what another
 * engine opening the same device finds, and what a crash at any write leaves.
 */
class PoolMetadataAreaTest {
  static final long MIB = 1 << 20;

  static VolumeStore format(BlockDevice device) throws IOException {
    return VolumeStore.openOnPool("p0", device, true).serve(device);
  }

  static VolumeStore reopen(BlockDevice device) throws IOException {
    return VolumeStore.openOnPool("p0", device, false).serve(device);
  }

  /**
   * A pool holding volumes "a" and "b" (with a checkpoint between them when asked), left as a
   * kill leaves it; returns where its metadata area is.
   */
  static PoolMetadataArea.Geometry killedWithAAndB(CrashingDevice device, boolean checkpoint)
      throws IOException {
    VolumeStore store = format(device);
    store.createVolume("a", MIB, false);
    if (checkpoint) {
      store.checkpoint();
    }
    store.createVolume("b", MIB, false);
    store.abandonForTest();
    return VolumeStore.openOnPool("p0", device, false).geometryForTest();
  }

  static ByteBuffer pattern(int blocks, int seed) {
    ByteBuffer b = ByteBuffer.allocate(blocks * BLOCK_SIZE);
    for (int i = 0; i < b.capacity(); i++) {
      b.put(i, (byte) (seed * 31 + i / BLOCK_SIZE));
    }
    return b;
  }

  static ByteBuffer read(BlockDevice d, long lba, int blocks) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(blocks * BLOCK_SIZE);
    d.read(lba, b);
    return b.flip();
  }

  /** Everything the metadata says, comparable: objects with sizes and maps, and named records. */
  static String describe(MetadataState state) {
    TreeMap<String, String> all = new TreeMap<>();
    state.objects().forEach((name, o) -> all.put("object " + name, o.kind() + " " + o.sizeBytes()
        + " " + o.origin() + " " + Arrays.toString(o.map)));
    for (String key : state.recordKeys()) {
      all.put("record " + key, new String(state.record(key), StandardCharsets.UTF_8));
    }
    return all.toString();
  }

  @Test
  void anotherEngineOpeningThePoolFindsEveryVolumeSnapshotCloneMapAndRecord() throws IOException {
    CrashingDevice device = new CrashingDevice(32 * MIB, 1);
    VolumeStore store = format(device);
    store.createVolume("v", 8 * MIB, false);
    store.open("v").write(3 * EXTENT_BLOCKS + 2, pattern(4, 1), false);
    store.snapshot("v", "s");
    store.open("v").write(3 * EXTENT_BLOCKS + 2, pattern(4, 2), false);
    store.cloneSnapshot("s", "c");
    store.open("c").write(0, pattern(8, 3), true);
    store.grow("v", 12 * MIB);
    store.createVolume("thick", 2 * MIB, true);
    store.putRecord("pr/v", "generation 3".getBytes(StandardCharsets.UTF_8));
    String before = describe(store.state());
    store.close();

    VolumeStore other = reopen(device);
    assertThat(other.metadataOnPool()).isTrue();
    assertThat(describe(other.state())).isEqualTo(before);
    assertThat(read(other.open("s"), 3 * EXTENT_BLOCKS + 2, 4)).isEqualTo(pattern(4, 1));
    assertThat(read(other.open("v"), 3 * EXTENT_BLOCKS + 2, 4)).isEqualTo(pattern(4, 2));
    assertThat(read(other.open("c"), 3 * EXTENT_BLOCKS + 2, 4)).isEqualTo(pattern(4, 1));
    assertThat(read(other.open("c"), 0, 8)).isEqualTo(pattern(8, 3));
    assertThat(new String(other.record("pr/v"), StandardCharsets.UTF_8)).isEqualTo("generation 3");
    other.close();
  }

  @Test
  void theVolumesUseOnlyTheExtentsBelowTheAreaAndFillingThemKeepsTheMetadata() throws IOException {
    CrashingDevice device = new CrashingDevice(16 * MIB, 2);
    VolumeStore store = format(device);
    long extents = store.totalExtents();
    PoolMetadataArea.Geometry g =
        PoolMetadataArea.Geometry.plan(device.blockCount(), PoolMetadataArea.MAPS_PER_EXTENT, 1);
    assertThat(extents).isEqualTo(g.dataExtents()).isLessThan(16);
    assertThat(extents * EXTENT_BLOCKS).isLessThanOrEqualTo(g.areaStart());
    store.createVolume("all", extents * MIB, false);
    Volume all = store.open("all");
    for (long e = 0; e < extents; e++) {
      all.write(e * EXTENT_BLOCKS, pattern(EXTENT_BLOCKS, (int) e), false);
    }
    assertThat(store.freeExtents()).isZero();
    store.close();

    VolumeStore again = reopen(device);
    for (long e = 0; e < extents; e++) {
      assertThat(read(again.open("all"), e * EXTENT_BLOCKS, EXTENT_BLOCKS))
          .isEqualTo(pattern(EXTENT_BLOCKS, (int) e));
    }
    again.close();
  }

  @Test
  void aTornJournalTailIsCutOffAndTheRestReplayed() throws IOException {
    CrashingDevice device = new CrashingDevice(16 * MIB, 3);
    PoolMetadataArea.Geometry g = killedWithAAndB(device, false);
    // "b" is the second record: damage its last bytes as a write torn by a crash would.
    long journal = g.journalStart() * BLOCK_SIZE;
    int first = 16 + new MetadataRecord.CreateVolume("a", MIB, false).encode().length;
    int second = 16 + new MetadataRecord.CreateVolume("b", MIB, false).encode().length;
    device.corrupt(journal + first + second - 3, 3);

    VolumeStore reopened = reopen(device);
    assertThat(reopened.names()).containsExactly("a");
    reopened.createVolume("c", MIB, false); // the journal goes on where it was cut
    reopened.abandonForTest();
    assertThat(reopen(device).names()).containsExactly("a", "c");
  }

  @Test
  void aCrashDuringAJournalAppendKeepsWhatWasAcknowledgedAndTheJournalGoesOn()
      throws IOException {
    for (long seed = 0; seed < 8; seed++) {
      CrashingDevice device = new CrashingDevice(16 * MIB, seed);
      VolumeStore store = format(device);
      store.createVolume("a", MIB, false);
      store.open("a").write(0, pattern(1, 1), true);
      device.cutAfterWrites(0); // the journal write of "b" is cut
      assertThatThrownBy(() -> store.createVolume("b", MIB, false))
          .isInstanceOf(CrashingDevice.PowerLost.class);
      store.abandonForTest();
      device.restart();

      VolumeStore reopened = reopen(device);
      assertThat(reopened.names()).as("seed " + seed).startsWith("a").hasSizeLessThanOrEqualTo(2);
      assertThat(read(reopened.open("a"), 0, 1)).isEqualTo(pattern(1, 1));
      reopened.createVolume("c", MIB, false);
      reopened.abandonForTest();
      assertThat(reopen(device).names()).as("seed " + seed).contains("a", "c");
    }
  }

  @Test
  void recordsOfATornWriteNeverLineUpBehindNewOnes() throws IOException {
    CrashingDevice device = new CrashingDevice(16 * MIB, 10);
    PoolMetadataArea.Geometry g = killedWithAAndB(device, false);
    // As if "a" and "b" were one write the crash tore, "a"'s part lost, "b"'s whole: neither
    // was acknowledged.
    device.corrupt(g.journalStart() * BLOCK_SIZE + 12, 2);

    VolumeStore reopened = reopen(device);
    assertThat(reopened.names()).isEmpty();
    reopened.createVolume("x", MIB, false); // as long as "a" was: it ends where "b" begins
    reopened.abandonForTest();
    assertThat(reopen(device).names()).as("b, never acknowledged, stays gone")
        .containsExactly("x");
  }

  @Test
  void aCheckpointTornByACrashFallsBackToTheOtherSlotAndItsJournal() throws IOException {
    CrashingDevice device = new CrashingDevice(16 * MIB, 4);
    VolumeStore store = format(device);
    store.createVolume("a", MIB, false);
    store.checkpoint();
    store.createVolume("b", MIB, false);
    device.cutAfterWrites(0); // the next checkpoint's body is the first write: torn
    assertThatThrownBy(store::checkpoint).isInstanceOf(CrashingDevice.PowerLost.class);
    device.restart();

    VolumeStore reopened = reopen(device);
    assertThat(reopened.names()).containsExactly("a", "b");
    reopened.close();
  }

  @Test
  void aDamagedCheckpointIsDetectedNeverGuessedAround() throws IOException {
    CrashingDevice device = new CrashingDevice(16 * MIB, 5);
    // slot 1 holds "a"; the journal started again after it, with "b"
    PoolMetadataArea.Geometry g = killedWithAAndB(device, true);
    // Bit rot in the newest checkpoint: the older one (slot 0, empty) lacks record 1, which the
    // journal no longer holds, so replay finds record 2 right after 0.
    device.corrupt((g.slotStart(1) + 1) * BLOCK_SIZE + 4, 2);
    assertThatThrownBy(() -> reopen(device)).isInstanceOf(MetadataCorruptException.class)
        .hasMessageContaining("record 2 follows record 0");
    device.corrupt(g.slotStart(0) * BLOCK_SIZE + 20, 2);
    assertThatThrownBy(() -> reopen(device)).isInstanceOf(MetadataCorruptException.class)
        .hasMessageContaining("neither checkpoint slot");
  }

  @Test
  void aSecondEngineOnTheSameNodeCannotOpenThePool(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path node) throws IOException {
    CrashingDevice device = new CrashingDevice(16 * MIB, 9);
    VolumeStore first = VolumeStore.openOnPool("p0", device, true, node).serve(device);
    assertThatThrownBy(() -> VolumeStore.openOnPool("p0", device, false, node))
        .satisfiesAnyOf(
            e -> assertThat(e).hasMessageContaining("in use by another process"),
            e -> assertThat(e).isInstanceOf(java.nio.channels.OverlappingFileLockException.class));
    first.close();
    VolumeStore.OnPool again = VolumeStore.openOnPool("p0", device, false, node);
    again.close(); // not served: unlocked
    VolumeStore.openOnPool("p0", device, false, node).serve(device).close();
  }

  @Test
  void aPoolThatWasMadeBeforeButCarriesNoAreaIsRefusedNotStartedEmpty() {
    CrashingDevice device = new CrashingDevice(16 * MIB, 6);
    assertThatThrownBy(() -> VolumeStore.openOnPool("p0", device, false))
        .isInstanceOf(MetadataCorruptException.class)
        .hasMessageContaining("carries no volume metadata area");
  }

  @Test
  void anAreaOfAnotherPoolOrAnEarlierFormatIsNotThisPools() throws IOException {
    CrashingDevice device = new CrashingDevice(16 * MIB, 7);
    VolumeStore old = format(device);
    old.createVolume("old", MIB, false);
    old.close();
    assertThatThrownBy(() -> VolumeStore.openOnPool("other", device, false))
        .hasMessageContaining("belongs to pool 'p0'");
    VolumeStore made = format(device); // a new pool on the same drives
    assertThat(made.names()).isEmpty();
    made.abandonForTest();
    assertThat(reopen(device).names()).as("the old journal's records fail the new format's"
        + " checksum").isEmpty();
  }

  @Test
  void snapshotsAreRefusedWhenTheCheckpointWouldNotFitButWritesNeverAre() throws IOException {
    CrashingDevice device = new CrashingDevice(16 * MIB, 8);
    VolumeStore store = format(device);
    store.createVolume("v", 4 * MIB, false);
    Volume v = store.open("v");
    for (int e = 0; e < 4; e++) {
      v.write((long) e * EXTENT_BLOCKS, pattern(1, e), false);
    }
    store.createVolume("w", store.freeExtents() * MIB, false);
    int taken = 0;
    OutOfSpaceException refused = null;
    while (refused == null) {
      try {
        store.snapshot("v", "s" + taken++);
      } catch (OutOfSpaceException e) {
        refused = e;
      }
    }
    assertThat(refused).hasMessageContaining("metadata area of pool p0 is full");
    assertThat(taken).isGreaterThan(100);
    // The room kept for one map per extent: writing every free extent still fits.
    Volume w = store.open("w");
    for (long e = 0; store.freeExtents() > 0; e++) {
      w.write(e * EXTENT_BLOCKS, pattern(1, 9), false);
    }
    store.checkpoint();
    store.close();
    assertThat(reopen(device).names()).hasSize(2 + taken - 1);
  }

  /**
   * A crash at any write (journal append, checkpoint, data) of a random run of metadata changes:
   * after the restart the metadata is what was acknowledged, plus at most the change in flight.
   */
  @Property(tries = 60)
  void aCrashAtAnyWriteLosesNothingAcknowledged(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 120) int cutAt) throws IOException {
    CrashingDevice device = new CrashingDevice(16 * MIB, seed);
    Random random = new Random(seed);
    VolumeStore store = format(device);
    device.cutAfterWrites(cutAt);
    String acknowledged = describe(store.state());
    String inFlight = acknowledged;
    for (int i = 0; i < 40 && !device.off(); i++) {
      try {
        randomChange(store, random, i);
      } catch (CrashingDevice.PowerLost e) {
        inFlight = describe(store.state());
        break;
      } catch (IllegalArgumentException | OutOfSpaceException e) {
        // a change the metadata refuses (a name taken, a full pool): nothing changed
      }
      acknowledged = describe(store.state());
      inFlight = acknowledged;
    }
    store.abandonForTest();
    device.restart();

    VolumeStore reopened = reopen(device);
    assertThat(describe(reopened.state())).isIn(acknowledged, inFlight);
    reopened.close();
    assertThat(describe(reopen(device).state())).isIn(acknowledged, inFlight);
  }

  private static void randomChange(VolumeStore store, Random random, int i) throws IOException {
    List<String> volumes = new ArrayList<>();
    List<String> snapshots = new ArrayList<>();
    for (String name : store.names()) {
      (store.kind(name) == MetadataState.Kind.VOLUME ? volumes : snapshots).add(name);
    }
    switch (random.nextInt(volumes.isEmpty() ? 1 : 8)) {
      case 0 -> store.createVolume("v" + i, (1 + random.nextInt(3)) * MIB, random.nextInt(4) == 0);
      case 1 -> store.snapshot(pick(volumes, random), "s" + i);
      case 2 -> {
        if (!snapshots.isEmpty()) {
          store.cloneSnapshot(pick(snapshots, random), "c" + i);
        }
      }
      case 3 -> store.delete(pick(random.nextBoolean() || snapshots.isEmpty() ? volumes
          : snapshots, random));
      case 4 -> store.putRecord("pr/" + pick(volumes, random),
          ("generation " + i).getBytes(StandardCharsets.UTF_8));
      case 5 -> store.checkpoint();
      default -> {
        Volume v = store.open(pick(volumes, random));
        long extent = random.nextInt((int) (v.blockCount() / EXTENT_BLOCKS));
        v.write(extent * EXTENT_BLOCKS, pattern(1, i), random.nextBoolean());
      }
    }
  }

  private static String pick(List<String> names, Random random) {
    return names.get(random.nextInt(names.size()));
  }

  @Test
  void recordsOfAStoreInFilesStayOutOfItsCheckpointFormatUntilUsed() throws IOException {
    // A checkpoint without named records ends where the rollback trailer ends, as before.
    MetadataState state = new MetadataState("p0", 4);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    state.writeTo(new java.io.DataOutputStream(bytes));
    assertThat(bytes.size()).isEqualTo(2 + 2 + 8 + 8 + 4 + 4);
    assertThat(Set.copyOf(state.recordKeys())).isEmpty();
  }
}
