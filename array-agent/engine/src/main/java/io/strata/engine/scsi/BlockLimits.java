package io.strata.engine.scsi;

/**
 * The limits the Block Limits VPD page (B0h) reports and the block commands enforce, in one
 * place so that what we promise is what we check.
 */
final class BlockLimits {
  private BlockLimits() {}

  /**
   * Largest READ/WRITE, in bytes: 32 MiB, the largest I/O VMware and Linux issue. The transport
   * gathers a whole command in memory, so this also bounds one command's buffer.
   */
  static final int MAX_TRANSFER_BYTES = 32 << 20;
  /** Preferred transfer size, in bytes. */
  static final int OPTIMAL_TRANSFER_BYTES = 1 << 20;
  /** MAXIMUM COMPARE AND WRITE LENGTH, in blocks (ATS uses one block). */
  static final int MAX_COMPARE_AND_WRITE_BLOCKS = 255;
  /** MAXIMUM UNMAP LBA COUNT per command. */
  static final long MAX_UNMAP_BLOCKS = 0xffff_ffffL;
  /** MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT. */
  static final int MAX_UNMAP_DESCRIPTORS = 256;
  /** MAXIMUM WRITE SAME LENGTH, in blocks: no limit below the capacity. */
  static final long MAX_WRITE_SAME_BLOCKS = 0xffff_ffffL;

  static long maxTransferBlocks(int blockSize) {
    return MAX_TRANSFER_BYTES / blockSize;
  }
}
