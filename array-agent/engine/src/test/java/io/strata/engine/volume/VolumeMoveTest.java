package io.strata.engine.volume;

import static io.strata.engine.volume.MetadataState.EXTENT_BLOCKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving a volume between two pools while it is written: every write acknowledged during the
 * copy is on the destination afterwards, whether it landed below or above the copy's mark or
 * across it, and an engine killed mid-move (its stores abandoned as kill -9 leaves them) resumes
 * from its checkpoint and completes with the same data.
 */
class VolumeMoveTest {
  static final long MIB = 1 << 20;
  static final int EXTENTS = 40; // more than two checkpoints' worth
  static final long SIZE = EXTENTS * MIB;
  @TempDir Path dir;
  Drive poolA;
  Drive poolB;
  VolumeStore a;
  VolumeStore b;
  /** What the volume must read as: every acknowledged write applied, in order. */
  byte[] model = new byte[(int) SIZE];

  @BeforeEach
  void open() throws IOException {
    poolA = Drive.open("a0", dir.resolve("a.img"), MediaType.HDD, 64 * MIB, null);
    poolB = Drive.open("b0", dir.resolve("b.img"), MediaType.SSD, 64 * MIB, null);
    a = VolumeStore.open(dir.resolve("meta-a"), "slow", poolA);
    b = VolumeStore.open(dir.resolve("meta-b"), "fast", poolB);
    a.createVolume("v1", SIZE, false);
    b.createVolume("v1", SIZE, false);
  }

  @AfterEach
  void close() throws IOException {
    a.close();
    b.close();
    poolA.close();
    poolB.close();
  }

  private void write(BlockDevice d, long lba, int blocks, int seed) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(blocks * 512);
    for (int i = 0; i < buf.capacity(); i++) {
      buf.put(i, (byte) (seed * 31 + i / 512 + i));
    }
    buf.get(0, model, (int) (lba * 512), buf.capacity());
    d.write(lba, buf, false);
  }

  private void assertReadsAsModel(BlockDevice d) throws IOException {
    ByteBuffer all = ByteBuffer.allocate((int) SIZE);
    d.read(0, all);
    assertThat(all.array()).as("%s reads every acknowledged write", d).isEqualTo(model);
  }

  private Path checkpoint() {
    return dir.resolve("moves").resolve("v1.json");
  }

  private VolumeMove move() throws IOException {
    return VolumeMove.open("v1", a.openCopy("v1"), b.openCopy("v1"), checkpoint());
  }

  @Test
  void writesDuringTheCopyAreOnTheDestinationAfterTheSwitch() throws IOException {
    Volume source = a.open("v1");
    write(source, 0, 2048, 1); // extent 0 and 1 written before the move
    write(source, 20 * EXTENT_BLOCKS + 7, 100, 2); // extent 20; the others stay unmapped
    VolumeMove move = move();

    for (int i = 0; i < 5; i++) {
      assertThat(move.copyStep()).isTrue();
    }
    assertThat(move.copiedExtents()).isEqualTo(5);
    write(move, 1 * EXTENT_BLOCKS + 3, 10, 3); // below the mark: must reach both copies
    write(move, 30 * EXTENT_BLOCKS, 4096, 4); // above the mark, two whole extents
    write(move, 4 * EXTENT_BLOCKS + 2000, 200, 5); // across the mark (extents 4 and 5)
    move.unmap(20 * EXTENT_BLOCKS, EXTENT_BLOCKS); // a thin volume's UNMAP above the mark
    java.util.Arrays.fill(model, (int) (20 * MIB), (int) (21 * MIB), (byte) 0);
    assertReadsAsModel(move);

    move.copyAll();
    assertThat(move.switched()).isTrue();
    assertThat(VolumeMove.completed(checkpoint())).isTrue();
    write(move, 39 * EXTENT_BLOCKS, 8, 6); // after the switch: the destination only
    assertReadsAsModel(move);
    assertReadsAsModel(b.open("v1"));
    assertThat(b.open("v1").status(20 * EXTENT_BLOCKS).mapped()).as("unmapped stays unmapped").isFalse();
    assertThat(b.open("v1").status(10 * EXTENT_BLOCKS).mapped()).isFalse();
  }

  @Test
  void aKilledEngineResumesFromItsCheckpointAndCompletes() throws IOException {
    write(a.open("v1"), 0, (int) (SIZE / 512), 7); // every extent written
    VolumeMove move = move();
    for (int i = 0; i < VolumeMove.CHECKPOINT_EVERY + 5; i++) {
      move.copyStep();
    }
    write(move, 3 * EXTENT_BLOCKS, 50, 8); // mirrored (below the saved mark)
    write(move, (VolumeMove.CHECKPOINT_EVERY + 2) * EXTENT_BLOCKS, 50, 9); // copied, not yet checkpointed
    write(move, 35 * EXTENT_BLOCKS, 50, 10); // not copied yet

    // kill -9: nothing is closed or flushed beyond what each write already did
    a.abandonForTest();
    b.abandonForTest();
    a = VolumeStore.open(dir.resolve("meta-a"), "slow", poolA);
    b = VolumeStore.open(dir.resolve("meta-b"), "fast", poolB);

    VolumeMove resumed = move();
    assertThat(resumed.copiedExtents()).as("from the checkpoint, never ahead of the copy")
        .isEqualTo(VolumeMove.CHECKPOINT_EVERY);
    write(resumed, 2 * EXTENT_BLOCKS, 5, 11);
    resumed.copyAll();
    assertThat(resumed.switched()).isTrue();
    assertReadsAsModel(b.open("v1"));
  }

  @Test
  void aServedLunFollowsTheMoveAndOutlivesTheSource() throws IOException {
    Volume lun = a.open("v1"); // what the LUN was serving before the move
    write(lun, 0, 300, 13);
    VolumeMove move = move();
    a.redirect("v1", move);
    b.redirect("v1", move);
    move.copyStep();
    write(lun, 10, 2048, 14); // across the mark, through the LUN's own device
    write(b.open("v1"), 25 * EXTENT_BLOCKS, 8, 15); // a device opened in the new pool goes through the move too
    move.copyAll();
    a.delete("v1"); // what the engine does once the move switched
    write(lun, 33 * EXTENT_BLOCKS, 64, 16);
    assertReadsAsModel(lun);
    assertReadsAsModel(b.openCopy("v1"));
  }

  @Test
  void aCompletedMoveReopensSwitched() throws IOException {
    write(a.open("v1"), 0, 100, 12);
    move().copyAll();
    VolumeMove again = move();
    assertThat(again.switched()).isTrue();
    assertThat(again.copyStep()).isFalse();
    assertReadsAsModel(again);
  }

  @Test
  void theCopiesMustBeOfOneSize() throws IOException {
    b.createVolume("v2", SIZE / 2, false);
    assertThatThrownBy(() -> VolumeMove.open("v1", a.open("v1"), b.open("v2"), checkpoint()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("destination");
    assertThat(Files.exists(checkpoint())).isFalse();
  }
}
