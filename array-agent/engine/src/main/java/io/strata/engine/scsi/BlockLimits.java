package io.strata.engine.scsi;

/**
 * The limits the Block Limits VPD page (B0h) reports and the block commands enforce, in one
 * place so that what we promise is what we check.
 */
final class BlockLimits {
  private BlockLimits() {}

  /** Largest READ/WRITE, in bytes (the transport gathers a whole command in memory). */
  static final int MAX_TRANSFER_BYTES = 8 << 20;
  /** Preferred transfer size, in bytes. */
  static final int OPTIMAL_TRANSFER_BYTES = 1 << 20;
  /** MAXIMUM COMPARE AND WRITE LENGTH, in blocks (ATS uses one block). */
  static final int MAX_COMPARE_AND_WRITE_BLOCKS = 255;
  /** MAXIMUM UNMAP LBA COUNT per command. */
  static final long MAX_UNMAP_BLOCKS = 0xffff_ffffL;
  /** MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT. */
  static final int MAX_UNMAP_DESCRIPTORS = 256;
  /**
   * MAXIMUM WRITE SAME LENGTH, in blocks. Bounded so one command cannot keep a thread writing
   * for minutes; large deallocations go through UNMAP, whose limit is far higher.
   */
  static final long MAX_WRITE_SAME_BLOCKS = 0xffff;

  static long maxTransferBlocks(int blockSize) {
    return MAX_TRANSFER_BYTES / blockSize;
  }
}
