package io.strata.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import io.strata.engine.stats.StackFigures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the stats file and the layout status say of a pool's rebuild while it runs (issue 18:
 * "progress visible"): which kind (a failed member rebuilt, a healthy one copied onto its
 * replacement), which member and drive, and how far, in rows and bytes of the drive; nothing
 * once it is done. The incoming drive holds its third data row's write until the test has
 * looked, so the figures are read at a known point, not at a moment a loaded machine picks.
 */
class RebuildFiguresTest {
  static final long SIZE = 12L << 20;
  static final long MIB = 1L << 20;

  /** A drive whose data writes past {@code freeRows} rows wait until {@link #release}. */
  static final class GatedDrive extends ForwardingBlockDevice {
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    final long gateLba;

    GatedDrive(BlockDevice inner, int freeRows) {
      super(inner);
      this.gateLba = Pool.DATA_OFFSET_BLOCKS + (long) freeRows * Pool.ROW_BLOCKS;
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
      if (lba >= gateLba) {
        reached.countDown();
        try {
          released.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      super.write(lba, src, fua);
    }

    void release() {
      released.countDown();
    }
  }

  static Pool mirror() throws IOException {
    List<BlockDevice> d = new ArrayList<>();
    d.add(new RamDevice(SIZE));
    d.add(new RamDevice(SIZE));
    return Pool.open("p", Protection.MIRROR, d);
  }

  @Test
  void aHealthyMemberCopiedOntoItsReplacementReportsCopyMemberDriveAndBytes() throws Exception {
    Pool pool = mirror();
    assertThat(StackFigures.rebuildOf("p", pool, List.of("a", "b")).running())
        .as("nothing runs yet").isFalse();
    GatedDrive incoming = new GatedDrive(new RamDevice(SIZE), 2);
    pool.copyOnto(0, incoming);
    try {
      assertThat(incoming.reached.await(1, TimeUnit.MINUTES)).isTrue();
      StackFigures.Rebuild r = StackFigures.rebuildOf("p", pool, List.of("c", "b"));
      assertThat(r.running()).isTrue();
      assertThat(r.kind()).isEqualTo("COPY");
      assertThat(r.member()).isZero();
      assertThat(r.drive()).as("the drive written to: the incoming one").isEqualTo("c");
      assertThat(r.rebuildingMembers()).isEqualTo(1);
      assertThat(r.rowsDone()).isEqualTo(2);
      assertThat(r.bytesDone()).isEqualTo(2 * MIB);
      assertThat(r.bytesTotal()).isEqualTo(pool.memberRows() * MIB).isPositive();
    } finally {
      incoming.release();
    }
    assertThat(pool.awaitCopy(1, TimeUnit.MINUTES)).isTrue();
    StackFigures.Rebuild after = StackFigures.rebuildOf("p", pool, List.of("c", "b"));
    assertThat(after.running()).as("done: nothing runs").isFalse();
    assertThat(after.kind()).isNull();
  }

  @Test
  void aFailedMemberRebuiltOntoANewDriveReportsRebuildMemberDriveAndBytes() throws Exception {
    Pool pool = mirror();
    pool.fail(1, new IOException("pulled"));
    GatedDrive incoming = new GatedDrive(new RamDevice(SIZE), 2);
    pool.replace(1, incoming);
    try {
      assertThat(incoming.reached.await(1, TimeUnit.MINUTES)).isTrue();
      StackFigures.Rebuild r = StackFigures.rebuildOf("p", pool, List.of("a", "n"));
      assertThat(r.kind()).isEqualTo("REBUILD");
      assertThat(r.member()).isEqualTo(1);
      assertThat(r.drive()).isEqualTo("n");
      assertThat(r.rowsDone()).isEqualTo(2);
      assertThat(r.bytesDone()).isEqualTo(2 * MIB);
      assertThat(r.rowsTotal()).isEqualTo(pool.rebuildRows());
      assertThat(r.bytesTotal()).isEqualTo(pool.rebuildRows() * MIB);
    } finally {
      incoming.release();
    }
    assertThat(pool.awaitRebuild(1, TimeUnit.MINUTES)).isTrue();
    assertThat(StackFigures.rebuildOf("p", pool, List.of("a", "n")).running()).isFalse();
  }

}
