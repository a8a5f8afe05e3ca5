package io.strata.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An HA engine's pool does not drop a failed member on its own (its writes wait for consent, or
 * fail when the engine is demoted), and a member that returns is resynced from the write-intent
 * bitmap where the bitmap vouches for it, else rebuilt in full.
 */
class MemberConsentAndBitmapResyncTest {
  /** 64 MiB of data per member: four 16 MiB bitmap regions. */
  static final long SIZE = (64L << 20) + (1 << 20);
  static final int MIB_BLOCKS = 2048;

  /** The control plane's answers, as the layout's ha block gives them. */
  static final class Consent implements MemberDropGate {
    volatile Set<Integer> consented = Set.of();
    volatile boolean demoted;
    volatile Set<Integer> awaiting = Set.of();

    @Override
    public Verdict verdict(int member) {
      return consented.contains(member) ? Verdict.DROP : demoted ? Verdict.REFUSE : Verdict.HOLD;
    }

    @Override
    public boolean outdated(int member) {
      return consented.contains(member);
    }

    @Override
    public void awaiting(Set<Integer> members) {
      awaiting = Set.copyOf(members);
    }
  }

  /** Counts the bytes written to a drive (what a resync copies to it). */
  static final class Counting extends ForwardingBlockDevice {
    final AtomicLong written = new AtomicLong();

    Counting(BlockDevice inner) {
      super(inner);
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
      written.addAndGet(src.remaining());
      inner.write(lba, src, fua);
    }
  }

  static ByteBuffer random(int blocks, long seed) {
    byte[] b = new byte[blocks * 512];
    new Random(seed).nextBytes(b);
    return ByteBuffer.wrap(b);
  }

  static ByteBuffer read(BlockDevice d, long lba, int blocks) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(blocks * 512);
    d.read(lba, b);
    return b.flip();
  }

  static CompletableFuture<Void> writeAsync(Pool pool, long lba, ByteBuffer data) {
    return CompletableFuture.runAsync(() -> {
      try {
        pool.write(lba, data.duplicate(), false);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  static void assertStillHeld(CompletableFuture<Void> write) throws Exception {
    assertThatThrownBy(() -> write.get(400, TimeUnit.MILLISECONDS))
        .as("the write is held, not acknowledged").isInstanceOf(TimeoutException.class);
  }

  @Test
  void aFailedMembersWritesAreHeldUntilConsentThenComplete() throws Exception {
    RamDevice local = new RamDevice(SIZE);
    FailingDevice remote = new FailingDevice(new RamDevice(SIZE));
    Consent consent = new Consent();
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(local, remote), consent);
    ByteBuffer before = random(8, 1);
    pool.write(100, before.duplicate(), false);

    remote.pull();
    ByteBuffer after = random(8, 2);
    CompletableFuture<Void> write = writeAsync(pool, 100, after);
    assertStillHeld(write);
    assertThat(pool.awaitingDrop()).containsExactly(1);
    assertThat(consent.awaiting).containsExactly(1);
    assertThat(pool.state(1)).isEqualTo(MemberState.ONLINE); // not dropped on its own
    // Reads go on from the other member meanwhile.
    assertThat(read(pool, 200, 8)).isEqualTo(ByteBuffer.allocate(8 * 512));
    // Another write waits too.
    CompletableFuture<Void> second = writeAsync(pool, 4000, random(8, 3));
    assertStillHeld(second);

    consent.consented = Set.of(1);
    assertThat(pool.reconsiderDrops()).isTrue();
    write.get(5, TimeUnit.SECONDS);
    second.get(5, TimeUnit.SECONDS);
    assertThat(pool.state(1)).isEqualTo(MemberState.FAILED);
    assertThat(pool.awaitingDrop()).isEmpty();
    assertThat(consent.awaiting).isEmpty();
    assertThat(read(pool, 100, 8)).isEqualTo(after.duplicate());
    pool.close();
  }

  @Test
  void aMemberThatFailsItsLabelWriteDuringAnotherDropAwaitsConsentToo() throws Exception {
    FailingDevice second = new FailingDevice(new RamDevice(SIZE));
    FailingDevice third = new FailingDevice(new RamDevice(SIZE));
    Consent consent = new Consent();
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(new RamDevice(SIZE), second, third),
        consent);
    second.pull();
    CompletableFuture<Void> write = writeAsync(pool, 100, random(8, 2));
    assertStillHeld(write);
    third.pull(); // gone too, before anyone asked it anything but the next label write

    consent.consented = Set.of(1); // dropping drive 1 rewrites the labels: drive 2 fails there
    pool.reconsiderDrops();
    assertStillHeld(write);
    assertThat(pool.state(1)).isEqualTo(MemberState.FAILED);
    assertThat(pool.state(2)).isNotEqualTo(MemberState.FAILED);
    assertThat(pool.awaitingDrop()).containsExactly(2);

    consent.consented = Set.of(1, 2);
    pool.reconsiderDrops();
    write.get(5, TimeUnit.SECONDS);
    assertThat(pool.state(2)).isEqualTo(MemberState.FAILED);
    pool.close();
  }

  @Test
  void aDemotedEngineFailsTheHeldWritesInsteadOfAcknowledgingThem() throws Exception {
    FailingDevice remote = new FailingDevice(new RamDevice(SIZE));
    Consent consent = new Consent();
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(new RamDevice(SIZE), remote), consent);
    remote.pull();
    CompletableFuture<Void> write = writeAsync(pool, 100, random(8, 2));
    assertStillHeld(write);

    consent.demoted = true;
    pool.reconsiderDrops();
    assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("not acknowledged");
    assertThat(pool.state(1)).isNotEqualTo(MemberState.FAILED); // nobody consented to a drop
    pool.close();
  }

  @Test
  void aHeldWriteFailsWhenThePoolClosesInsteadOfHoldingTheStop() throws Exception {
    FailingDevice remote = new FailingDevice(new RamDevice(SIZE));
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(new RamDevice(SIZE), remote),
        new Consent());
    remote.pull();
    CompletableFuture<Void> write = writeAsync(pool, 100, random(8, 2));
    assertStillHeld(write);
    CompletableFuture.runAsync(() -> {
      try {
        pool.close();
      } catch (IOException e) {
        // the pool's own close reports nothing new here
      }
    });
    assertThatThrownBy(() -> write.get(15, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("not acknowledged");
  }

  @Test
  void withoutHaAFailedMemberIsDroppedAtOnceAsBefore() throws Exception {
    FailingDevice remote = new FailingDevice(new RamDevice(SIZE));
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(new RamDevice(SIZE), remote));
    remote.pull();
    pool.write(100, random(8, 2), false);
    assertThat(pool.state(1)).isEqualTo(MemberState.FAILED);
    pool.close();
  }

  @Test
  void aReturningMemberIsResyncedOnlyInTheRegionsWrittenWhileItWasAway() throws Exception {
    RamDevice local = new RamDevice(SIZE);
    RamDevice away = new RamDevice(SIZE);
    FailingDevice link = new FailingDevice(away);
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(local, link));
    ByteBuffer old = random(MIB_BLOCKS, 7);
    pool.write(40L * MIB_BLOCKS, old.duplicate(), false); // region 2, while both are in sync
    pool.clearIdleRegionsNow(); // as after 5 s idle: the region is on both copies

    link.pull(); // the remote drive's node goes away; writes in region 0 only
    ByteBuffer missed = random(MIB_BLOCKS, 8);
    pool.write(3L * MIB_BLOCKS, missed.duplicate(), false);
    assertThat(pool.state(1)).isEqualTo(MemberState.FAILED);

    Counting back = new Counting(away); // it comes back, label and all
    pool.replace(1, back);
    assertThat(pool.awaitRebuild(30, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.state(1)).isEqualTo(MemberState.ONLINE);
    // One 16 MiB region copied (and a few label and bitmap blocks), not the whole 64 MiB.
    assertThat(back.written.get()).isBetween(16L << 20, (16L << 20) + (64 << 10));
    assertThat(pool.rowsRebuilt()).isEqualTo(16);
    assertCopiesEqual(local, away);
    assertThat(read(pool, 3L * MIB_BLOCKS, MIB_BLOCKS)).isEqualTo(missed.duplicate());
    assertThat(read(pool, 40L * MIB_BLOCKS, MIB_BLOCKS)).isEqualTo(old.duplicate());
    pool.close();
  }

  @Test
  void aMemberFoundStaleAtOpenIsResyncedFromTheBitmapToo() throws Exception {
    RamDevice a = new RamDevice(SIZE);
    RamDevice b = new RamDevice(SIZE);
    FailingDevice link = new FailingDevice(b);
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(a, link));
    link.pull();
    ByteBuffer missed = random(MIB_BLOCKS, 9);
    pool.write(50L * MIB_BLOCKS, missed.duplicate(), false); // region 3
    pool.close(); // the bits stay: a member is away

    // Another engine opens the pool with both drives (a failover): b's label is stale.
    Counting returning = new Counting(b);
    Pool reopened = Pool.open("p", Protection.MIRROR, new ArrayList<>(List.of(a, returning)));
    assertThat(reopened.awaitRebuild(30, TimeUnit.SECONDS)).isTrue();
    assertThat(reopened.state(1)).isEqualTo(MemberState.ONLINE);
    assertThat(reopened.rowsRebuilt()).isEqualTo(16);
    assertCopiesEqual(a, b);
    reopened.close();
  }

  @Test
  void aDriveTheBitmapCannotVouchForIsRebuiltInFull() throws Exception {
    RamDevice local = new RamDevice(SIZE);
    RamDevice first = new RamDevice(SIZE);
    FailingDevice firstLink = new FailingDevice(first);
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(local, firstLink));
    firstLink.pull();
    pool.write(0, random(8, 1), false);

    // A blank replacement: rebuilt in full; then every member is in sync at a newer generation.
    RamDevice second = new RamDevice(SIZE);
    FailingDevice secondLink = new FailingDevice(second);
    pool.replace(1, secondLink);
    assertThat(pool.awaitRebuild(30, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.rowsRebuilt()).isEqualTo(64);

    // The replacement fails and the first drive, which left before that, is put back: its label
    // is older than what the bitmap vouches for, so it is rebuilt in full.
    secondLink.pull();
    pool.write(0, random(8, 2), false);
    Counting old = new Counting(first);
    pool.replace(1, old);
    assertThat(pool.awaitRebuild(30, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.rowsRebuilt()).isEqualTo(128);
    assertThat(old.written.get()).isGreaterThanOrEqualTo(64L << 20);
    assertCopiesEqual(local, first);
    pool.close();
  }

  static void assertCopiesEqual(BlockDevice x, BlockDevice y) throws IOException {
    long blocks = x.blockCount() - Pool.DATA_OFFSET_BLOCKS;
    for (long lba = Pool.DATA_OFFSET_BLOCKS; lba < blocks; lba += MIB_BLOCKS) {
      assertThat(read(y, lba, MIB_BLOCKS)).as("MiB at block %d", lba)
          .isEqualTo(read(x, lba, MIB_BLOCKS));
    }
  }
}
