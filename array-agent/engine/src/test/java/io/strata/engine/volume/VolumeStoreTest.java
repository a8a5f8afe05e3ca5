package io.strata.engine.volume;

import static io.strata.engine.volume.MetadataState.EXTENT_BLOCKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.LbaStatus;
import io.strata.engine.block.OutOfSpaceException;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeStoreTest {
  static final long MIB = 1 << 20;
  @TempDir Path dir;
  Drive pool;
  VolumeStore store;

  @BeforeEach
  void open() throws IOException {
    pool = Drive.open("d0", dir.resolve("pool.img"), MediaType.SSD, 64 * MIB, null);
    store = VolumeStore.open(dir.resolve("meta"), "p0", pool);
  }

  @AfterEach
  void close() throws IOException {
    if (store != null) {
      store.close();
    }
    pool.close();
  }

  /** Simulates kill -9 and a restart: the journal is replayed from what reached the file. */
  void crashAndReopen() throws IOException {
    store.abandonForTest();
    store = VolumeStore.open(dir.resolve("meta"), "p0", pool);
  }

  static ByteBuffer pattern(int blocks, int seed) {
    ByteBuffer b = ByteBuffer.allocate(blocks * 512);
    for (int i = 0; i < b.capacity(); i++) {
      b.put(i, (byte) (seed + i / 512));
    }
    return b;
  }

  static ByteBuffer read(BlockDevice d, long lba, int blocks) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(blocks * 512);
    d.read(lba, b);
    return b.flip();
  }

  @Test
  void thinVolumeAllocatesOnFirstWriteAndReadsZerosElsewhere() throws IOException {
    store.createVolume("v", 16 * MIB, false);
    Volume v = store.open("v");
    long free = store.freeExtents();
    assertThat(v.thinProvisioned()).isTrue();
    assertThat(v.status(0)).isEqualTo(new LbaStatus(0, 16 * MIB / 512, false));

    v.write(EXTENT_BLOCKS + 5, pattern(3, 7), false);

    assertThat(store.freeExtents()).isEqualTo(free - 1);
    assertThat(read(v, EXTENT_BLOCKS + 5, 3)).isEqualTo(pattern(3, 7));
    assertThat(read(v, EXTENT_BLOCKS, 5)).isEqualTo(ByteBuffer.allocate(5 * 512));
    assertThat(read(v, 0, 4)).isEqualTo(ByteBuffer.allocate(4 * 512));
    assertThat(v.status(0)).isEqualTo(new LbaStatus(0, EXTENT_BLOCKS, false));
    assertThat(v.status(EXTENT_BLOCKS + 7)).isEqualTo(new LbaStatus(EXTENT_BLOCKS + 7,
        EXTENT_BLOCKS - 7, true));
  }

  @Test
  void unmapOfWholeExtentsFreesThemAndPartialUnmapWritesZeros() throws IOException {
    store.createVolume("v", 8 * MIB, false);
    Volume v = store.open("v");
    long free = store.freeExtents();
    v.write(0, pattern(3 * EXTENT_BLOCKS, 1), false);
    assertThat(store.freeExtents()).isEqualTo(free - 3);

    v.unmap(EXTENT_BLOCKS, EXTENT_BLOCKS); // the whole second extent
    v.unmap(10, 2); // part of the first

    assertThat(store.freeExtents()).isEqualTo(free - 2);
    assertThat(v.status(EXTENT_BLOCKS).mapped()).isFalse();
    assertThat(read(v, EXTENT_BLOCKS, 4)).isEqualTo(ByteBuffer.allocate(4 * 512));
    assertThat(read(v, 10, 2)).isEqualTo(ByteBuffer.allocate(1024));
    assertThat(read(v, 9, 1)).isEqualTo(pattern(3 * EXTENT_BLOCKS, 1).position(9 * 512)
        .limit(10 * 512).slice());
  }

  @Test
  void snapshotKeepsTheOldContentWhileTheVolumeMovesOn() throws IOException {
    store.createVolume("v", 4 * MIB, false);
    Volume v = store.open("v");
    v.write(0, pattern(8, 1), false);
    long free = store.freeExtents();

    store.snapshot("v", "s1");
    assertThat(store.freeExtents()).as("a snapshot copies no data").isEqualTo(free);
    v.write(2, pattern(2, 50), false);

    Volume s1 = store.open("s1");
    assertThat(read(s1, 0, 8)).isEqualTo(pattern(8, 1));
    ByteBuffer now = read(v, 0, 8);
    assertThat(now.duplicate().position(1024).limit(2048).slice()).isEqualTo(pattern(2, 50));
    assertThat(now.duplicate().limit(1024).slice()).isEqualTo(pattern(2, 1));
    assertThat(s1.readOnly()).isTrue();
    assertThatThrownBy(() -> s1.write(0, pattern(1, 1), false)).isInstanceOf(IOException.class);
    assertThat(store.freeExtents()).as("the write was redirected").isEqualTo(free - 1);
  }

  @Test
  void snapshotsDeletedInAnyOrderGiveBackTheirSpace() throws IOException {
    store.createVolume("v", 4 * MIB, false);
    Volume v = store.open("v");
    long empty = store.freeExtents();
    v.write(0, pattern(4 * EXTENT_BLOCKS, 1), false); // extents A0..A3
    store.snapshot("v", "s1"); // A0 A1 A2 A3
    v.write(0, pattern(2 * EXTENT_BLOCKS, 2), false); // v: B0 B1 A2 A3
    store.snapshot("v", "s2"); // B0 B1 A2 A3
    v.write(EXTENT_BLOCKS, pattern(2 * EXTENT_BLOCKS, 3), false); // v: B0 C1 C2 A3
    store.snapshot("v", "s3"); // B0 C1 C2 A3
    assertThat(store.freeExtents()).isEqualTo(empty - 8);

    store.delete("s2"); // the middle one first: only B1 was its alone
    assertThat(store.freeExtents()).isEqualTo(empty - 7);
    assertThat(read(store.open("s1"), 0, 4 * EXTENT_BLOCKS))
        .isEqualTo(pattern(4 * EXTENT_BLOCKS, 1));
    store.delete("s1"); // A0 A1 A2 were its alone
    assertThat(store.freeExtents()).isEqualTo(empty - 4);
    assertThat(read(store.open("s3"), 0, 4 * EXTENT_BLOCKS)).isEqualTo(read(v, 0,
        4 * EXTENT_BLOCKS));
    store.delete("s3");
    assertThat(store.freeExtents()).isEqualTo(empty - 4);
    store.delete("v");
    assertThat(store.freeExtents()).isEqualTo(empty);
  }

  @Test
  void cloneIsWritableAndIndependentOfItsSnapshotAndVolume() throws IOException {
    store.createVolume("v", 2 * MIB, false);
    Volume v = store.open("v");
    v.write(0, pattern(4, 1), false);
    store.snapshot("v", "s");
    store.cloneSnapshot("s", "c");
    Volume c = store.open("c");
    c.write(0, pattern(1, 9), false);
    v.write(1, pattern(1, 8), false);

    assertThat(read(c, 0, 1)).isEqualTo(pattern(1, 9));
    assertThat(read(c, 1, 3)).isEqualTo(pattern(4, 1).position(512).slice());
    assertThat(read(store.open("s"), 0, 4)).isEqualTo(pattern(4, 1));
    assertThat(read(v, 1, 1)).isEqualTo(pattern(1, 8));
    store.delete("s"); // the clone keeps what it shares
    assertThat(read(c, 1, 3)).isEqualTo(pattern(4, 1).position(512).slice());
  }

  @Test
  void rollbackBringsBackTheSnapshotContent() throws IOException {
    store.createVolume("v", 2 * MIB, false);
    Volume v = store.open("v");
    v.write(0, pattern(4, 1), false);
    store.snapshot("v", "s");
    v.write(0, pattern(4, 2), false);
    v.write(EXTENT_BLOCKS, pattern(1, 3), false);

    store.rollback("v", "s");

    assertThat(read(v, 0, 4)).isEqualTo(pattern(4, 1));
    assertThat(v.status(EXTENT_BLOCKS).mapped()).isFalse();
    v.write(0, pattern(1, 5), false);
    assertThat(read(store.open("s"), 0, 4)).as("the snapshot survives its rollback")
        .isEqualTo(pattern(4, 1));
  }

  @Test
  void aRollbackRequestIsRememberedByTheJournalAndTheCheckpoint() throws IOException {
    store.createVolume("v", 2 * MIB, false);
    store.open("v").write(0, pattern(4, 1), false);
    store.snapshot("v", "s");
    store.open("v").write(0, pattern(4, 2), false);
    assertThat(store.rollback("v", "s", "r1")).isTrue();
    store.open("v").write(0, pattern(4, 3), true);

    crashAndReopen(); // the journal record carries the request id
    assertThat(store.lastRollbackRequest("v")).isEqualTo("r1");
    assertThat(store.rollback("v", "s", "r1")).as("already applied").isFalse();
    assertThat(read(store.open("v"), 0, 4)).isEqualTo(pattern(4, 3));

    store.checkpoint(); // and so does the checkpoint, after the records are gone
    crashAndReopen();
    assertThat(store.lastRollbackRequest("v")).isEqualTo("r1");
    assertThat(store.rollback("v", "s", "r2")).isTrue();
    assertThat(read(store.open("v"), 0, 4)).isEqualTo(pattern(4, 1));
    assertThat(store.lastRollbackRequest("v")).isEqualTo("r2");
  }

  @Test
  void growKeepsTheDataAndShowsTheNewCapacity() throws IOException {
    store.createVolume("v", 1 * MIB, false);
    Volume v = store.open("v");
    v.write(7, pattern(1, 4), false);
    store.grow("v", 3 * MIB);
    assertThat(v.blockCount()).isEqualTo(3 * MIB / 512);
    v.write(3 * MIB / 512 - 1, pattern(1, 6), false);
    assertThat(read(v, 7, 1)).isEqualTo(pattern(1, 4));
    assertThatThrownBy(() -> store.grow("v", MIB)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void thickVolumesReserveTheirSpaceAndAFullPoolRefusesWrites() throws IOException {
    long total = store.totalExtents();
    store.createVolume("thick", (total - 2) * MIB, true);
    store.createVolume("thin", 8 * MIB, false);
    Volume thin = store.open("thin");
    Volume thick = store.open("thick");
    assertThat(thick.thinProvisioned()).isFalse();
    thin.write(0, pattern(1, 1), false);
    thin.write(EXTENT_BLOCKS, pattern(1, 1), false);
    assertThatThrownBy(() -> thin.write(2 * EXTENT_BLOCKS, pattern(1, 1), false))
        .isInstanceOf(OutOfSpaceException.class);
    thick.write((total - 3) * EXTENT_BLOCKS, pattern(1, 2), false); // its reservation holds
    assertThat(read(thick, (total - 3) * EXTENT_BLOCKS, 1)).isEqualTo(pattern(1, 2));
    assertThatThrownBy(() -> store.createVolume("more", MIB, true))
        .isInstanceOf(OutOfSpaceException.class);
  }

  @Test
  void extendedCopySharesWholeExtentsInsteadOfCopying() throws IOException {
    store.createVolume("a", 4 * MIB, false);
    store.createVolume("b", 4 * MIB, false);
    Volume a = store.open("a");
    Volume b = store.open("b");
    a.write(0, pattern(2 * EXTENT_BLOCKS, 3), false);
    long free = store.freeExtents();

    assertThat(b.copyFrom(a, 0, EXTENT_BLOCKS, 2 * EXTENT_BLOCKS)).isTrue();

    assertThat(store.freeExtents()).as("nothing copied").isEqualTo(free);
    assertThat(read(b, EXTENT_BLOCKS, 2 * EXTENT_BLOCKS)).isEqualTo(pattern(2 * EXTENT_BLOCKS, 3));
    a.write(0, pattern(1, 77), false); // the source moves away from the shared extent
    assertThat(read(b, EXTENT_BLOCKS, 1)).isEqualTo(pattern(1, 3));
    b.copyFrom(a, 5, 3 * EXTENT_BLOCKS + 1, 10); // unaligned: copied through a buffer
    assertThat(read(b, 3 * EXTENT_BLOCKS + 1, 10)).isEqualTo(read(a, 5, 10));
  }

  @Test
  void journalReplayRestoresEverythingAcknowledged() throws IOException {
    store.createVolume("v", 4 * MIB, false);
    Volume v = store.open("v");
    v.write(0, pattern(3, 1), false);
    store.snapshot("v", "s");
    v.write(EXTENT_BLOCKS, pattern(2, 2), false);
    v.write(0, pattern(1, 3), false);
    store.cloneSnapshot("s", "c");
    store.grow("v", 6 * MIB);
    v.unmap(EXTENT_BLOCKS, EXTENT_BLOCKS);
    long free = store.freeExtents();

    crashAndReopen();

    Volume v2 = store.open("v");
    assertThat(v2.blockCount()).isEqualTo(6 * MIB / 512);
    assertThat(read(v2, 0, 1)).isEqualTo(pattern(1, 3));
    assertThat(read(v2, 1, 2)).isEqualTo(pattern(3, 1).position(512).slice());
    assertThat(v2.status(EXTENT_BLOCKS).mapped()).isFalse();
    assertThat(read(store.open("s"), 0, 3)).isEqualTo(pattern(3, 1));
    assertThat(read(store.open("c"), 0, 3)).isEqualTo(pattern(3, 1));
    assertThat(store.freeExtents()).isEqualTo(free);
  }

  @Test
  void aTornLastRecordIsCutOffButCorruptionInTheMiddleIsRefused() throws IOException {
    store.createVolume("v", 4 * MIB, false);
    Volume v = store.open("v");
    v.write(0, pattern(1, 1), false);
    v.write(EXTENT_BLOCKS, pattern(1, 2), false);
    store.abandonForTest();
    store = null;
    Path journal = Journal.journalPath(dir.resolve("meta"));
    long size = Files.size(journal);
    try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
      ch.truncate(size - 3); // the last map record torn by the crash
    }
    store = VolumeStore.open(dir.resolve("meta"), "p0", pool);
    assertThat(store.open("v").status(0).mapped()).isTrue();
    assertThat(store.open("v").status(EXTENT_BLOCKS).mapped()).as("the torn record").isFalse();
    store.createVolume("w", MIB, false);
    store.open("w").write(0, pattern(1, 3), false);
    store.abandonForTest();
    store = null;

    // Flip one byte inside the first record of the journal: records follow it, so this cannot
    // be a torn write; the store must refuse to open.
    try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, 12);
      b.put(0, (byte) (b.get(0) ^ 0x40)).position(0);
      ch.write(b, 12);
    }
    assertThatThrownBy(() -> VolumeStore.open(dir.resolve("meta"), "p0", pool))
        .isInstanceOf(MetadataCorruptException.class).hasMessageContaining("checksum");
  }

  @Test
  void aCorruptCheckpointIsRefused() throws IOException {
    store.createVolume("v", 4 * MIB, false);
    store.checkpoint();
    store.close();
    store = null;
    Path checkpoint = Journal.checkpointPath(dir.resolve("meta"));
    byte[] bytes = Files.readAllBytes(checkpoint);
    bytes[bytes.length - 3] ^= 1;
    Files.write(checkpoint, bytes);
    assertThatThrownBy(() -> VolumeStore.open(dir.resolve("meta"), "p0", pool))
        .isInstanceOf(MetadataCorruptException.class).hasMessageContaining("checksum");
  }

  @Test
  void metadataOfAnotherPoolIsRefused() throws IOException {
    store.close();
    store = null;
    assertThatThrownBy(() -> VolumeStore.open(dir.resolve("meta"), "other", pool))
        .isInstanceOf(MetadataCorruptException.class).hasMessageContaining("belongs to pool");
  }

  @Test
  void changedExtentsBetweenSnapshotsAreThoseTheVolumeWroteOrDroppedBetweenThem()
      throws IOException {
    store.createVolume("v", 8 * MIB, false);
    Volume v = store.open("v");
    for (int extent = 0; extent < 4; extent++) {
      v.write((long) extent * EXTENT_BLOCKS, pattern(8, extent), false);
    }
    store.snapshot("v", "s1");
    v.write(EXTENT_BLOCKS + 3, pattern(1, 9), false); // rewritten in part
    v.unmap(2L * EXTENT_BLOCKS, EXTENT_BLOCKS);         // dropped
    v.write(6L * EXTENT_BLOCKS, pattern(1, 5), false);  // new
    store.snapshot("v", "s2");
    store.grow("v", 10 * MIB);
    v.write(9L * EXTENT_BLOCKS, pattern(1, 6), false);  // past s2's end
    store.snapshot("v", "s3");

    assertThat(store.mappedExtents("s1")).isEqualTo(bits(0, 1, 2, 3));
    assertThat(store.mappedExtents("s2")).isEqualTo(bits(0, 1, 3, 6));
    assertThat(store.changedExtents("s1", "s2")).isEqualTo(bits(1, 2, 6));
    assertThat(store.changedExtents("s2", "s3")).isEqualTo(bits(9));
    assertThat(store.changedExtents("s2", "s2")).isEqualTo(bits());
    assertThatThrownBy(() -> store.changedExtents("s1", "v"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a snapshot");
  }

  static java.util.BitSet bits(int... set) {
    java.util.BitSet b = new java.util.BitSet();
    for (int i : set) {
      b.set(i);
    }
    return b;
  }
}
