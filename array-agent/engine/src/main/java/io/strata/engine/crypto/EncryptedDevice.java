package io.strata.engine.crypto;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import io.strata.engine.block.PendingWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A volume as its tenant sees it, over the same volume as the layers below store it: encrypted
 * with XTS-AES-256, one data unit per logical block, the block's address as the tweak
 * (docs/encryption.md). It sits right under the LUN, above the volume's extent map, the flash
 * cache, the tiers, the pool and the drives, so every one of them (and every snapshot, clone,
 * remote drive and replica made from them) holds ciphertext only.
 *
 * <p><b>Blocks never written read as zeros.</b> The layers below answer zeros for a block that
 * was never written or was unmapped (thin volumes, UNMAP, WRITE SAME with UNMAP), and SCSI
 * promises zeros there (LBPRZ). Decrypting those zeros would return noise, so a block whose
 * stored bytes are all zero is passed up as zeros. A written block never stores all zeros: its
 * ciphertext is that with probability 2^-4096. What this tells a reader of the raw drives, which
 * blocks were ever written, thin provisioning tells anyway.
 *
 * <p>Writes encrypt into a buffer of their own: the caller's plaintext is never changed, and a
 * {@link #startWrite} keeps its ciphertext until the write is awaited.
 */
public final class EncryptedDevice extends ForwardingBlockDevice {

  private final byte[] key;
  private final ThreadLocal<XtsAes256> cipher;
  private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[0]);
  private final byte[] zeroBlock;

  /**
   * @param key the volume's data key, {@link XtsAes256#KEY_BYTES} bytes, kept in memory only
   */
  public EncryptedDevice(BlockDevice inner, byte[] key) {
    super(inner);
    new XtsAes256(key); // refuses a bad key here rather than on the first I/O
    this.key = key.clone();
    this.cipher = ThreadLocal.withInitial(() -> new XtsAes256(this.key));
    this.zeroBlock = new byte[inner.blockSize()];
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    int length = dst.remaining();
    inner.read(lba, dst.duplicate());
    byte[] buf = scratch(length);
    dst.duplicate().get(buf, 0, length);
    XtsAes256 xts = cipher.get();
    int block = blockSize();
    for (int off = 0, unit = 0; off < length; off += block, unit++) {
      if (!isZero(buf, off, block)) {
        xts.decrypt(lba + unit, buf, off, block);
      }
    }
    dst.put(buf, 0, length);
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    int length = src.remaining();
    byte[] buf = scratch(length);
    encrypt(lba, src, buf, length);
    inner.write(lba, ByteBuffer.wrap(buf, 0, length), fua);
  }

  @Override
  public PendingWrite startWrite(long lba, ByteBuffer src, boolean fua) {
    // the ciphertext must outlive this call (the inner write may still be under way): its own buffer
    int length = src.remaining();
    byte[] buf = new byte[length];
    encrypt(lba, src, buf, length);
    return inner.startWrite(lba, ByteBuffer.wrap(buf), fua);
  }

  @Override
  public boolean writesInBackground() {
    return inner.writesInBackground();
  }

  private void encrypt(long lba, ByteBuffer src, byte[] buf, int length) {
    src.duplicate().get(buf, 0, length);
    XtsAes256 xts = cipher.get();
    int block = blockSize();
    for (int off = 0, unit = 0; off < length; off += block, unit++) {
      xts.encrypt(lba + unit, buf, off, block);
    }
    src.position(src.position() + length);
  }

  private boolean isZero(byte[] buf, int offset, int length) {
    return Arrays.mismatch(buf, offset, offset + length, zeroBlock, 0, length) < 0;
  }

  private byte[] scratch(int length) {
    byte[] buf = scratch.get();
    if (buf.length < length) {
      buf = new byte[length];
      scratch.set(buf);
    }
    return buf;
  }
}
