package io.strata.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import io.strata.engine.volume.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups of engine snapshots to a real S3Proxy (filesystem backend): incremental forever,
 * deduplicated, restored bit for bit into a volume of another pool, swept after retention.
 */
class BackupIT {
  static final int MIB = 1 << 20;
  static final int BLOCK = 512;

  /** Opt-in throughput run: -Dstrata.backup.bench.mib=512 (0: skipped, as in the default run). */
  static final int BENCH_MIB = Integer.getInteger("strata.backup.bench.mib", 0);

  /** Opt-in: -Dstrata.backup.bench.points=1000 (0: skipped, as in the default run). */
  static final int BENCH_POINTS = Integer.getInteger("strata.backup.bench.points", 0);

  static S3ProxyServer s3;
  @TempDir Path dir;
  Drive sourceDrive;
  Drive otherDrive;
  VolumeStore source;
  VolumeStore other; // another pool: "a new volume of any array"
  BackupBucket bucket;
  final Random random = new Random(23);

  @BeforeAll
  static void startS3() {
    s3 = S3ProxyServer.start();
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  @BeforeEach
  void open(org.junit.jupiter.api.TestInfo test) throws IOException {
    long poolBytes = Math.max(160L, 2L * BENCH_MIB + 64) * MIB;
    sourceDrive = Drive.open("d0", dir.resolve("source.img"), MediaType.SSD, poolBytes, null);
    otherDrive = Drive.open("d1", dir.resolve("other.img"), MediaType.SSD, poolBytes, null);
    source = VolumeStore.open(dir.resolve("source-meta"), "p0", sourceDrive);
    other = VolumeStore.open(dir.resolve("other-meta"), "p1", otherDrive);
    // A prefix of its own per test: what one test stores never counts in another's sweep.
    bucket = BackupBucket.open(s3.target("strata-backup-it", "tenant-" + test.getDisplayName()
        .replaceAll("[^A-Za-z0-9]", "")));
  }

  @AfterEach
  void close() throws IOException {
    bucket.close();
    source.close();
    other.close();
    sourceDrive.close();
    otherDrive.close();
  }

  @Test
  void incrementalBackupsUploadOnlyChangedChunksRestoreBitForBitAndSweepFreesOnlyUnsharedOnes()
      throws IOException {
    source.createVolume("v", 32L * MIB, false);
    BlockDevice v = source.open("v");
    fillExtents(v, 24);
    v.write(9L * MIB / BLOCK, ByteBuffer.allocate(MIB), false); // mapped, but all zeros
    source.snapshot("v", "s1");
    BackupWriter writer = new BackupWriter(bucket, 4);

    BackupWriter.Result first = writer.backUp(source, "v", "s1", "0001", null);

    assertThat(first.incremental()).isFalse();
    assertThat(first.chunksRead()).isEqualTo(24);
    assertThat(first.chunksUploaded()).isEqualTo(23); // the zero extent is left out
    assertThat(first.manifest().chunks()).hasSize(23);

    // Change three extents by a block or a few, drop one, add one past the old data.
    writeRandom(v, 2L * MIB + 4096, 4096);
    writeRandom(v, 5L * MIB, 512);
    writeRandom(v, 20L * MIB + 100 * BLOCK, 64 * 1024);
    v.unmap(7L * MIB / BLOCK, MIB / BLOCK);
    writeRandom(v, 28L * MIB, MIB);
    source.snapshot("v", "s2");
    long uploadedBefore = bucket.chunkBytesUploaded();

    BackupWriter.Result second = writer.backUp(source, "v", "s2", "0002", first.manifest());

    assertThat(second.incremental()).isTrue();
    assertThat(second.chunksRead()).isEqualTo(4); // extents 2, 5, 20 and 28
    assertThat(second.chunksReused()).isEqualTo(20);
    assertThat(second.chunksUploaded()).isEqualTo(4);
    assertThat(bucket.chunkBytesUploaded() - uploadedBefore).isEqualTo(second.bytesUploaded())
        .isLessThanOrEqualTo(4L * (MIB + 1024)); // random data: zstd keeps its size, no more
    assertThat(second.manifest().chunks()).hasSize(23); // 23 - extent 7 + extent 28

    // Each point restores bit for bit into a new volume of another pool, with progress.
    assertRestoresTo(bucket.manifest("v", "0001"), "s1", "r1");
    assertRestoresTo(bucket.manifest("v", "0002"), "s2", "r2");

    // Retention: the older point goes; the chunks only it needed go with the sweep.
    Set<String> onlyFirst = new HashSet<>(first.manifest().chunkNames());
    onlyFirst.removeAll(second.manifest().chunkNames());
    assertThat(onlyFirst).hasSize(4); // old extents 2, 5, 20 and 7
    BackupRetention retention = new BackupRetention(bucket);
    assertThat(retention.expire("v", 1)).containsExactly("0001");

    BackupRetention.SweepResult sweep = retention.sweep(Duration.ZERO);

    assertThat(sweep.manifestsRead()).isEqualTo(1);
    assertThat(sweep.chunksDeleted()).isEqualTo(4);
    assertThat(sweep.chunksKept()).isEqualTo(23);
    for (String gone : onlyFirst) {
      assertThat(bucket.hasChunk(gone)).as("chunk only the expired point needed").isFalse();
    }
    for (String kept : second.manifest().chunkNames()) {
      assertThat(bucket.hasChunk(kept)).as("chunk the remaining point needs").isTrue();
    }
    assertThat(bucket.backupIds("v")).containsExactly("0002");
    assertRestoresTo(bucket.manifest("v", "0002"), "s2", "r2-after-sweep");
  }

  @Test
  void withoutThePreviousSnapshotEveryMappedExtentIsReadButOnlyNewChunksAreUploaded()
      throws IOException {
    source.createVolume("v", 16L * MIB, false);
    BlockDevice v = source.open("v");
    fillExtents(v, 8);
    source.snapshot("v", "s1");
    BackupWriter writer = new BackupWriter(bucket, 2);
    BackupWriter.Result first = writer.backUp(source, "v", "s1", "0001", null);
    writeRandom(v, 3L * MIB, 4096);
    source.snapshot("v", "s2");
    source.delete("s1"); // the engine no longer knows what changed since the first point

    BackupWriter.Result second = writer.backUp(source, "v", "s2", "0002", first.manifest());

    assertThat(second.incremental()).isFalse();
    assertThat(second.chunksRead()).isEqualTo(8);
    assertThat(second.chunksAlreadyStored()).isEqualTo(7);
    assertThat(second.chunksUploaded()).isEqualTo(1);
    assertRestoresTo(second.manifest(), "s2", "r2");
  }

  @Test
  void aPreviousPointDeletedAndSweptMeanwhileIsNotTrusted() throws IOException {
    source.createVolume("v", 8L * MIB, false);
    BlockDevice v = source.open("v");
    fillExtents(v, 4);
    source.snapshot("v", "s1");
    BackupWriter writer = new BackupWriter(bucket, 2);
    Manifest first = writer.backUp(source, "v", "s1", "0001", null).manifest();
    writeRandom(v, 4096, 4096);
    source.snapshot("v", "s2");
    BackupRetention retention = new BackupRetention(bucket);
    retention.delete("v", "0001");
    assertThat(retention.sweep(Duration.ZERO).chunksDeleted()).isEqualTo(4);

    // The caller still holds the first point's manifest: its chunks are gone, so it is not used.
    BackupWriter.Result second = writer.backUp(source, "v", "s2", "0002", first);

    assertThat(second.incremental()).isFalse();
    assertThat(second.chunksRead()).isEqualTo(4);
    assertThat(second.chunksUploaded()).isEqualTo(4);
    assertRestoresTo(second.manifest(), "s2", "r2");
  }

  @Test
  void equalChunksOfAnotherVolumeAreStoredOnce() throws IOException {
    source.createVolume("a", 8L * MIB, false);
    source.createVolume("b", 8L * MIB, false);
    BlockDevice a = source.open("a");
    BlockDevice b = source.open("b");
    for (int extent = 0; extent < 4; extent++) {
      byte[] data = randomBytes(MIB);
      a.write((long) extent * MIB / BLOCK, ByteBuffer.wrap(data), false);
      b.write((long) (extent + 2) * MIB / BLOCK, ByteBuffer.wrap(data), false); // same, elsewhere
    }
    source.snapshot("a", "a1");
    source.snapshot("b", "b1");
    BackupWriter writer = new BackupWriter(bucket, 4);
    writer.backUp(source, "a", "a1", "0001", null);

    BackupWriter.Result ofB = writer.backUp(source, "b", "b1", "0001", null);

    assertThat(ofB.chunksAlreadyStored()).isEqualTo(4);
    assertThat(ofB.chunksUploaded()).isZero();
    assertRestoresTo(ofB.manifest(), "b1", "rb");
  }

  @Test
  void aChunkChangedInTheObjectStoreIsRefusedAtRestore() throws IOException {
    source.createVolume("v", 4L * MIB, false);
    writeRandom(source.open("v"), MIB, MIB);
    source.snapshot("v", "s1");
    Manifest m = new BackupWriter(bucket, 1).backUp(source, "v", "s1", "0001", null).manifest();
    String name = m.chunks().get(0).sha256();
    bucket.put(BackupBucket.chunkPath(name), ChunkCodec.compress(randomBytes(MIB), MIB));
    other.createVolume("r", 4L * MIB, false);

    assertThatThrownBy(() -> new BackupRestorer(bucket, 1).restore(m, other.open("r"), (d, t) -> {}))
        .isInstanceOf(CorruptBackupException.class)
        .hasMessageContaining(name).hasMessageContaining("offset " + MIB);
  }

  @Test
  void aSweepDoesNotStartWhileABackupOfThePrefixRuns() {
    try (PrefixLock backup = PrefixLock.take(bucket, PrefixLock.Kind.BACKUP)) {
      assertThatThrownBy(() -> new BackupRetention(bucket).sweep(Duration.ZERO))
          .isInstanceOf(BackupBusyException.class).hasMessageContaining("backup");
    }
    assertThat(new BackupRetention(bucket).sweep(Duration.ZERO).chunksDeleted()).isZero();
  }

  /**
   * Backup and restore throughput of a volume of {@link #BENCH_MIB} MiB, every extent written,
   * half of each extent random and half a repeated pattern (zstd halves it): a full backup, an
   * incremental one after 1% of the extents changed, and a restore. Printed for docs/backup.md.
   */
  @Test
  void measureThroughput() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(BENCH_MIB > 0, "-Dstrata.backup.bench.mib not set");
    source.createVolume("v", (long) BENCH_MIB * MIB, false);
    BlockDevice v = source.open("v");
    for (int extent = 0; extent < BENCH_MIB; extent++) {
      byte[] data = randomBytes(MIB);
      for (int i = MIB / 2; i < MIB; i++) {
        data[i] = (byte) (i % 251);
      }
      v.write((long) extent * MIB / BLOCK, ByteBuffer.wrap(data), false);
    }
    source.snapshot("v", "s1");
    BackupWriter writer = new BackupWriter(bucket, 4);
    BackupWriter.Result full = writer.backUp(source, "v", "s1", "0001", null);
    for (int extent = 0; extent < BENCH_MIB; extent += 100) {
      writeRandom(v, (long) extent * MIB + 8192, 4096);
    }
    source.snapshot("v", "s2");
    BackupWriter.Result incremental = writer.backUp(source, "v", "s2", "0002", full.manifest());
    other.createVolume("r", (long) BENCH_MIB * MIB, false);
    BackupRestorer.Result restore = new BackupRestorer(bucket, 4)
        .restore(incremental.manifest(), other.open("r"), (d, t) -> {});
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        .getSystemLoadAverage();
    System.out.printf("BACKUP-BENCH volume %d MiB: full backup %.1f s = %.1f MB/s read, %d MiB"
        + " uploaded; incremental (%d chunks changed) %.2f s, %d chunks read, %.1f MiB uploaded;"
        + " restore %.1f s = %.1f MB/s; load average %.2f%n", BENCH_MIB, seconds(full.took()),
        full.bytesRead() / 1e6 / seconds(full.took()), full.bytesUploaded() >> 20,
        incremental.chunksUploaded(), seconds(incremental.took()), incremental.chunksRead(),
        incremental.bytesUploaded() / (double) MIB, seconds(restore.took()),
        restore.bytesWritten() / 1e6 / seconds(restore.took()), load);
    assertThat(contents(other.open("r"))).isEqualTo(contents(source.open("s2")));
  }

  /**
   * Whether a backup stays as fast with many points as with few (issue 23 point 4: "flat"): a
   * 16 MiB volume backed up {@link #BENCH_POINTS} times, 4 KiB changed before each, the previous
   * snapshot deleted after each point; then the sweep's time over all those manifests, and after
   * expiring all but 10. Printed for docs/backup.md.
   */
  @Test
  void measureBackupTimeAgainstPointCount() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(BENCH_POINTS > 0,
        "-Dstrata.backup.bench.points not set");
    source.createVolume("v", 16L * MIB, false);
    BlockDevice v = source.open("v");
    fillExtents(v, 16);
    BackupWriter writer = new BackupWriter(bucket, 4);
    Manifest previous = null;
    long[] millis = new long[BENCH_POINTS];
    for (int i = 0; i < BENCH_POINTS; i++) {
      writeRandom(v, (long) (i % 16) * MIB + 4096, 4096);
      source.snapshot("v", "s" + i);
      BackupWriter.Result r = writer.backUp(source, "v", "s" + i, String.format("%06d", i), previous);
      millis[i] = r.took().toMillis();
      assertThat(r.chunksUploaded()).isEqualTo(i == 0 ? 16 : 1);
      if (i > 0) {
        source.delete("s" + (i - 1));
      }
      previous = r.manifest();
    }
    BackupRetention retention = new BackupRetention(bucket);
    BackupRetention.SweepResult atAll = retention.sweep(Duration.ZERO);
    retention.expire("v", 10);
    BackupRetention.SweepResult atTen = retention.sweep(Duration.ZERO);
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        .getSystemLoadAverage();
    System.out.printf("BACKUP-POINTS %d points: backup ms median of points 2-11 %d (JIT warming"
        + " up), of points 101-110 %d, of the last 10 %d; sweep over %d manifests %.2f s (%d chunks deleted), over %d manifests after"
        + " expiring %.2f s (%d chunks deleted); load average %.2f%n", BENCH_POINTS,
        median(millis, 1, 11), median(millis, 100, Math.min(110, BENCH_POINTS)),
        median(millis, BENCH_POINTS - 10, BENCH_POINTS),
        atAll.manifestsRead(), seconds(atAll.took()), atAll.chunksDeleted(), atTen.manifestsRead(),
        seconds(atTen.took()), atTen.chunksDeleted(), load);
    assertRestoresTo(previous, "s" + (BENCH_POINTS - 1), "r");
  }

  private static long median(long[] values, int from, int to) {
    long[] part = java.util.Arrays.copyOfRange(values, Math.max(0, from), to);
    java.util.Arrays.sort(part);
    return part[part.length / 2];
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private void assertRestoresTo(Manifest manifest, String snapshot, String newVolume)
      throws IOException {
    other.createVolume(newVolume, manifest.sizeBytes(), false);
    BlockDevice target = other.open(newVolume);
    List<long[]> progress = new CopyOnWriteArrayList<>();

    BackupRestorer.Result result = new BackupRestorer(bucket, 4)
        .restore(manifest, target, (done, total) -> progress.add(new long[] {done, total}));

    assertThat(result.bytesWritten()).isEqualTo(manifest.storedBytes());
    assertThat(progress).hasSize(manifest.chunks().size());
    assertThat(progress.stream().mapToLong(p -> p[0]).max().orElse(0))
        .isEqualTo(manifest.storedBytes());
    assertThat(progress).allSatisfy(p -> assertThat(p[1]).isEqualTo(manifest.storedBytes()));
    assertThat(contents(target)).as("restored " + newVolume + " against " + snapshot)
        .isEqualTo(contents(source.open(snapshot)));
  }

  private static byte[] contents(BlockDevice d) throws IOException {
    ByteBuffer all = ByteBuffer.allocate((int) (d.blockCount() * d.blockSize()));
    d.read(0, all);
    return all.array();
  }

  /** Random data in the first {@code extents} extents of {@code d}. */
  private void fillExtents(BlockDevice d, int extents) throws IOException {
    for (int extent = 0; extent < extents; extent++) {
      writeRandom(d, (long) extent * MIB, MIB);
    }
  }

  private void writeRandom(BlockDevice d, long offset, int bytes) throws IOException {
    d.write(offset / BLOCK, ByteBuffer.wrap(randomBytes(bytes)), false);
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
