package io.strata.engine.nvme.command;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One NVMe command as it arrives in a command capsule: the 64-byte submission queue entry, read
 * at the base specification's offsets (little-endian).
 */
public final class Command {
  /** SGL identifier of data in the capsule itself: data block, offset subtype. */
  public static final int SGL_IN_CAPSULE = 0x01;
  /** SGL identifier of data moved by the transport (R2T/H2CData, C2HData). */
  public static final int SGL_TRANSPORT = 0x5A;

  /** Opcode of every fabrics command (Connect, Property Get/Set); byte 4 tells which. */
  public static final int OPCODE_FABRICS = 0x7F;

  private final ByteBuffer sqe;

  private Command(byte[] sqe) {
    this.sqe = ByteBuffer.wrap(sqe).order(ByteOrder.LITTLE_ENDIAN);
  }

  public static Command of(byte[] sqe) {
    if (sqe.length != 64) {
      throw new IllegalArgumentException("an SQE is 64 bytes, not " + sqe.length);
    }
    return new Command(sqe.clone());
  }

  public int opcode() {
    return sqe.get(0) & 0xff;
  }

  /** FUSE (bits 1:0 of byte 1): 0 for a command not part of a fused pair. */
  public int fuse() {
    return sqe.get(1) & 0x03;
  }

  /** CID: the host's identifier of this command, echoed in its completion and data PDUs. */
  public int id() {
    return sqe.getShort(2) & 0xffff;
  }

  public int namespaceId() {
    return sqe.getInt(4);
  }

  public boolean isFabrics() {
    return opcode() == OPCODE_FABRICS;
  }

  /** FCTYPE of a fabrics command (byte 4, where other commands have their NSID). */
  public int fabricsType() {
    return sqe.get(4) & 0xff;
  }

  /** SGL descriptor (bytes 24-39): the data's address or in-capsule offset. */
  public long sglAddress() {
    return sqe.getLong(24);
  }

  /** SGL descriptor: the data's length in bytes. */
  public long sglLength() {
    return Integer.toUnsignedLong(sqe.getInt(32));
  }

  /** SGL descriptor identifier (byte 39): type in the high nibble, subtype in the low. */
  public int sglIdentifier() {
    return sqe.get(39) & 0xff;
  }

  /** Command dword 10..15. */
  public int dword(int n) {
    if (n < 10 || n > 15) {
      throw new IllegalArgumentException("command dwords 10..15, not " + n);
    }
    return sqe.getInt(40 + (n - 10) * 4);
  }

  /** Raw little-endian reads at a byte offset of the SQE (fabrics commands lay out their own). */
  public int u8(int offset) {
    return sqe.get(offset) & 0xff;
  }

  public int u16(int offset) {
    return sqe.getShort(offset) & 0xffff;
  }

  public long u32(int offset) {
    return Integer.toUnsignedLong(sqe.getInt(offset));
  }

  public long u64(int offset) {
    return sqe.getLong(offset);
  }

  public byte[] bytes() {
    return sqe.array().clone();
  }
}
