package io.strata.engine.iscsi.initiator;

import java.nio.ByteBuffer;

/**
 * The few SBC-3 command descriptor blocks a remote drive needs, built in one place. Every one is
 * a 16-byte CDB (64-bit LBA, 32-bit length), which fits the iSCSI header without an AHS.
 */
final class ScsiCommands {
  static final int GOOD = 0x00;
  static final int CHECK_CONDITION = 0x02;
  static final int BUSY = 0x08;
  static final int TASK_SET_FULL = 0x28;

  private static final int READ_16 = 0x88;
  private static final int WRITE_16 = 0x8a;
  private static final int SYNCHRONIZE_CACHE_16 = 0x91;
  private static final int SERVICE_ACTION_IN_16 = 0x9e;
  private static final int READ_CAPACITY_16 = 0x10;
  private static final int TEST_UNIT_READY = 0x00;

  /** Bytes READ CAPACITY(16) asks for (the full parameter data is 32 bytes). */
  static final int READ_CAPACITY_LENGTH = 32;

  private ScsiCommands() {}

  static byte[] read16(long lba, int blocks) {
    return lbaAndLength(READ_16, 0, lba, blocks);
  }

  static byte[] write16(long lba, int blocks, boolean fua) {
    return lbaAndLength(WRITE_16, fua ? 0x08 : 0, lba, blocks);
  }

  /** The whole medium (LBA 0, 0 blocks = to the end). */
  static byte[] synchronizeCache16() {
    return lbaAndLength(SYNCHRONIZE_CACHE_16, 0, 0, 0);
  }

  static byte[] readCapacity16() {
    byte[] cdb = new byte[16];
    cdb[0] = (byte) SERVICE_ACTION_IN_16;
    cdb[1] = READ_CAPACITY_16;
    ByteBuffer.wrap(cdb).putInt(10, READ_CAPACITY_LENGTH);
    return cdb;
  }

  static byte[] testUnitReady() {
    byte[] cdb = new byte[16];
    cdb[0] = TEST_UNIT_READY;
    return cdb;
  }

  private static byte[] lbaAndLength(int opcode, int flags, long lba, int blocks) {
    byte[] cdb = new byte[16];
    ByteBuffer b = ByteBuffer.wrap(cdb);
    b.put(0, (byte) opcode).put(1, (byte) flags).putLong(2, lba).putInt(10, blocks);
    return cdb;
  }

  /** READ CAPACITY(16) data: the last LBA (bytes 0-7) and the block length (bytes 8-11). */
  record Capacity(long blockCount, int blockSize) {
    static Capacity parse(ByteBuffer data) throws java.io.IOException {
      if (data.limit() < 12) {
        throw new java.io.IOException("READ CAPACITY(16) returned " + data.limit()
            + " bytes");
      }
      return new Capacity(data.getLong(0) + 1, data.getInt(8));
    }
  }
}
