package io.strata.engine.layout;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.cli.LunSpec;
import io.strata.engine.layout.ArrayLayout.SnapshotSpec;
import io.strata.engine.layout.ArrayLayout.VolumeSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * What a standby engine's logical unit stands on: no blocks at all, only the size, provisioning
 * and write protection the layout gives the volume, so that INQUIRY, READ CAPACITY and MODE SENSE
 * answer on the standby path as they will once the engine is promoted. The SCSI layer refuses
 * every medium access in the standby state before it gets here; should one slip through, it
 * fails as an offline device would.
 */
final class StandbyDevice implements BlockDevice {
  private static final int BLOCK_SIZE = 512;

  private volatile long blockCount;
  private final boolean thin;
  private final boolean readOnly;

  private StandbyDevice(long bytes, boolean thin, boolean readOnly) {
    this.blockCount = bytes / BLOCK_SIZE;
    this.thin = thin;
    this.readOnly = readOnly;
  }

  /**
   * The placeholder of volume, clone or snapshot {@code name} of {@code layout}: a volume has its
   * size; a clone its own size or its snapshot's; a snapshot the size its volume has now (the
   * layout does not say what it was when the snapshot was taken; a volume can only grow, so the
   * promoted engine may report a smaller one and then CAPACITY DATA HAS CHANGED).
   */
  static StandbyDevice of(ArrayLayout layout, String name) {
    Optional<VolumeSpec> volume = volume(layout, name);
    if (volume.isPresent()) {
      VolumeSpec v = volume.get();
      // thin unless thick; a clone shares its snapshot's extents and is thin (as VolumeStore has it)
      return new StandbyDevice(sizeOf(layout, v, 8),
          v.cloneOf() != null || !Boolean.TRUE.equals(v.thick()), false);
    }
    SnapshotSpec snapshot = layout.snapshots().stream().filter(s -> s.name().equals(name))
        .findFirst().orElseThrow(() -> new IllegalArgumentException("no volume or snapshot '"
            + name + "'"));
    VolumeSpec origin = volume(layout, snapshot.volume()).orElseThrow(
        () -> new IllegalArgumentException("snapshot " + name + ": no volume '"
            + snapshot.volume() + "'"));
    return new StandbyDevice(sizeOf(layout, origin, 8), true, true); // snapshots are thin
  }

  /** Takes the size a reload gives the volume (volumes only grow). */
  void resizeTo(StandbyDevice wanted) {
    blockCount = Math.max(blockCount, wanted.blockCount);
  }

  private static Optional<VolumeSpec> volume(ArrayLayout layout, String name) {
    return layout.volumes().stream().filter(v -> v.name().equals(name)).findFirst();
  }

  private static Optional<VolumeSpec> originOfClone(ArrayLayout layout, VolumeSpec clone) {
    return layout.snapshots().stream().filter(s -> s.name().equals(clone.cloneOf())).findFirst()
        .flatMap(s -> volume(layout, s.volume()));
  }

  private static long sizeOf(ArrayLayout layout, VolumeSpec v, int depth) {
    if (v.size() != null) {
      return LunSpec.size(v.size());
    }
    return originOfClone(layout, v).filter(o -> depth > 0)
        .map(o -> sizeOf(layout, o, depth - 1))
        .orElseThrow(() -> new IllegalArgumentException("clone " + v.name()
            + ": its size cannot be told from the layout"));
  }

  @Override
  public int blockSize() {
    return BLOCK_SIZE;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public boolean thinProvisioned() {
    return thin;
  }

  @Override
  public boolean readOnly() {
    return readOnly;
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    throw standby();
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    throw standby();
  }

  @Override
  public void flush() throws IOException {
    throw standby();
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    throw standby();
  }

  private static IOException standby() {
    return new DeviceOfflineException("this engine is the standby: it has no pool open", null);
  }

  @Override
  public void close() {}
}
