package io.strata.engine.crypto;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.block.ForwardingBlockDevice;
import io.strata.engine.block.PendingWrite;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What the LUN of an encrypted volume stands on: the volume seen through an {@link
 * EncryptedDevice} once its data key has been unwrapped, and until then a device that has the
 * volume's size and provisioning (INQUIRY, READ CAPACITY answer) but refuses every read, write,
 * flush and unmap as offline, which the SCSI layer answers NOT READY, so nothing is ever read as
 * ciphertext or written in clear. The engine unlocks it when the KMS gives the key (at start, or
 * later when the KMS comes back).
 */
public final class KeyGatedDevice extends ForwardingBlockDevice {

  private final String volume;
  private volatile EncryptedDevice unlocked;
  private volatile String notReadyReason;

  /** A locked volume; {@code reason} says why (it is what a refused I/O carries). */
  public KeyGatedDevice(String volume, BlockDevice stored, String reason) {
    super(stored);
    this.volume = volume;
    this.notReadyReason = reason;
  }

  /** From now on I/O goes through the cipher with {@code key} (copied; the caller may wipe it). */
  public void unlock(byte[] key) {
    unlocked = new EncryptedDevice(inner, key);
  }

  /** Why the volume is not ready now (it stays locked); a no-op once unlocked. */
  public void stillLocked(String reason) {
    notReadyReason = reason;
  }

  public boolean isUnlocked() {
    return unlocked != null;
  }

  private EncryptedDevice open() throws DeviceOfflineException {
    EncryptedDevice d = unlocked;
    if (d == null) {
      throw new DeviceOfflineException("encrypted volume " + volume + " is not ready: "
          + notReadyReason, null);
    }
    return d;
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    open().read(lba, dst);
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    open().write(lba, src, fua);
  }

  @Override
  public PendingWrite startWrite(long lba, ByteBuffer src, boolean fua) {
    try {
      return open().startWrite(lba, src, fua);
    } catch (DeviceOfflineException e) {
      return PendingWrite.failed(e);
    }
  }

  @Override
  public boolean writesInBackground() {
    return inner.writesInBackground();
  }

  @Override
  public void flush() throws IOException {
    open().flush();
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    open().unmap(lba, blocks);
  }

  @Override
  public String toString() {
    return "KeyGatedDevice[" + volume + (unlocked != null ? ", unlocked" : ", locked") + "]";
  }
}
