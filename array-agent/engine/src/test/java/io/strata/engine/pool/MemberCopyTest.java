package io.strata.engine.pool;

import static io.strata.engine.pool.ParityPoolContract.assertAll;
import static io.strata.engine.pool.ParityPoolContract.writeAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replacing a healthy member online ({@link Pool#copyOnto}): the member is copied onto the new
 * drive while a writer keeps writing, then the old drive is released, and the pool holds every
 * acknowledged write on its new set of drives alone, also once another original drive is lost.
 */
class MemberCopyTest {
  static final long SIZE = 12L << 20;
  @TempDir Path dir;

  FailingDevice drive(String name) throws IOException {
    return new FailingDevice(Drive.open(name, dir.resolve(name + ".img"), MediaType.SSD, SIZE,
        null));
  }

  static int drivesFor(Protection p) {
    return switch (p) {
      case MIRROR -> 2;
      case PARITY -> 4;
      case PARITY2 -> 5;
      case NONE -> 1;
    };
  }

  List<FailingDevice> drives(int n) throws IOException {
    List<FailingDevice> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(drive("d" + i));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(value = Protection.class, names = {"MIRROR", "PARITY", "PARITY2"})
  void aHealthyMemberIsCopiedUnderWritesThenReleasedAndTheNewSetHoldsEverything(Protection p)
      throws Exception {
    List<FailingDevice> d = drives(drivesFor(p));
    Pool pool = Pool.open("p", p, new ArrayList<>(d));
    long[] generation = new long[(int) (pool.blockCount() / ParityPoolContract.PIECE)];
    writeAll(pool, generation, 1);

    ParityPoolContract.BackgroundWriter writer =
        new ParityPoolContract.BackgroundWriter(pool, generation, 7);
    writer.start();
    FailingDevice incoming = drive("new");
    pool.copyOnto(0, incoming);
    assertThat(pool.awaitCopy(60, TimeUnit.SECONDS)).isTrue();
    assertThat(writer.stopWriting()).isNull();

    assertThat(pool.degraded()).as("redundancy kept throughout").isFalse();
    assertThat(pool.states()).containsOnly(MemberState.ONLINE);
    d.get(0).pull(); // released: the pool no longer reads or writes it
    assertAll(pool, generation, "after the copy, without the outgoing drive");
    d.get(1).pull(); // an original drive is lost: the copy must stand in for the old member
    assertAll(pool, generation, "with the copy and one original drive lost");
  }

  @Test
  void theCopyIsLabelledInItsSlotSoTheNextStartTrustsIt() throws Exception {
    List<FailingDevice> d = drives(4);
    Pool pool = Pool.open("p", Protection.PARITY, new ArrayList<>(d));
    long[] generation = new long[(int) (pool.blockCount() / ParityPoolContract.PIECE)];
    writeAll(pool, generation, 3);
    pool.copyOnto(2, drive("new"));
    assertThat(pool.awaitCopy(60, TimeUnit.SECONDS)).isTrue();
    pool.close();

    List<BlockDevice> next = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      next.add(i == 2 ? reopen("new") : reopen("d" + i));
    }
    Pool again = Pool.open("p", Protection.PARITY, next);
    assertThat(again.degraded()).isFalse();
    assertThat(again.rowsRebuilt()).as("nothing to rebuild").isZero();
    assertAll(again, generation, "after a restart on the new set");
    again.close();
  }

  @Test
  void anEngineStoppedMidCopyRebuildsTheNewDriveInFullAtItsNextStart() throws Exception {
    List<FailingDevice> d = drives(3);
    Pool pool = Pool.open("p", Protection.MIRROR, new ArrayList<>(d));
    long[] generation = new long[(int) (pool.blockCount() / ParityPoolContract.PIECE)];
    writeAll(pool, generation, 1);
    CountDownLatch halfway = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    long halfRow = pool.memberRows() / 2;
    long half = Pool.DATA_OFFSET_BLOCKS + halfRow * Pool.ROW_BLOCKS;
    BlockDevice incoming = new ForwardingBlockDevice(drive("new")) {
      @Override
      public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
        if (Thread.currentThread().getName().startsWith("copy-") && lba >= half) {
          halfway.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
        }
        super.write(lba, src, fua);
      }
    };
    pool.copyOnto(0, incoming);
    assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
    // d2 fails at the next write: the labels are rewritten mid-copy (d2 out of sync), and that
    // label must not reach the half-copied drive.
    d.get(2).pull();
    // Writes go on through the copying member to both drives, except into the row being copied
    // (its lock is held by the copy, which waits for the release below).
    for (int k = 0; k < generation.length; k++) {
      long first = (long) k * ParityPoolContract.PIECE;
      long last = first + ParityPoolContract.PIECE - 1;
      if (last / Pool.ROW_BLOCKS == halfRow || first / Pool.ROW_BLOCKS == halfRow) {
        continue;
      }
      pool.write(first, MirrorPoolTest.stamp(first, ParityPoolContract.PIECE, 2), false);
      generation[k] = 2;
    }
    pool.flush();
    // The machine stops here: what is on the drives now is what the next start finds.
    Files.copy(dir.resolve("new.img"), dir.resolve("crash-new.img"));
    Files.copy(dir.resolve("d1.img"), dir.resolve("crash-d1.img"));
    release.countDown();
    pool.close();

    assertThat(Superblock.readFrom(reopen("crash-new"))).as("a half copy carries no label")
        .isNull();
    Pool again = Pool.open("p", Protection.MIRROR,
        java.util.Arrays.asList(reopen("crash-new"), reopen("crash-d1"), null));
    assertThat(again.awaitRebuild(60, TimeUnit.SECONDS)).isTrue();
    assertThat(again.rowsRebuilt()).isEqualTo(again.memberRows());
    assertThat(again.states()).containsExactly(MemberState.ONLINE, MemberState.ONLINE,
        MemberState.FAILED);
    assertAll(again, generation, "after the restart and the rebuild");
    again.close();
  }

  @Test
  void aFailingNewDriveStopsTheCopyAndTheMemberKeepsItsDrive() throws Exception {
    List<FailingDevice> d = drives(2);
    Pool pool = Pool.open("p", Protection.MIRROR, new ArrayList<>(d));
    long[] generation = new long[(int) (pool.blockCount() / ParityPoolContract.PIECE)];
    writeAll(pool, generation, 1);
    FailingDevice incoming = drive("new");
    incoming.pull();
    pool.copyOnto(0, incoming);
    assertThat(pool.awaitCopy(60, TimeUnit.SECONDS)).isTrue();
    writeAll(pool, generation, 2);
    assertThat(pool.degraded()).isFalse();
    d.get(1).pull(); // the member kept its own drive: it holds everything
    assertAll(pool, generation, "on the member's own drive");
  }

  @Test
  void aFailedMemberIsRebuiltOntoTheNewDriveFromTheOthers() throws Exception {
    List<FailingDevice> d = drives(4);
    Pool pool = Pool.open("p", Protection.PARITY, new ArrayList<>(d));
    long[] generation = new long[(int) (pool.blockCount() / ParityPoolContract.PIECE)];
    writeAll(pool, generation, 1);
    d.get(1).pull();
    writeAll(pool, generation, 2); // notices the failure, goes on degraded
    assertThat(pool.state(1)).isEqualTo(MemberState.FAILED);
    pool.copyOnto(1, drive("new"));
    assertThat(pool.copyTarget()).as("nothing to copy from").isEqualTo(-1);
    assertThat(pool.awaitRebuild(60, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.degraded()).isFalse();
    d.get(3).pull();
    assertAll(pool, generation, "rebuilt from parity, another drive lost");
  }

  private Drive reopen(String name) throws IOException {
    return Drive.open(name, dir.resolve(name + ".img"), MediaType.SSD, SIZE, null);
  }
}
