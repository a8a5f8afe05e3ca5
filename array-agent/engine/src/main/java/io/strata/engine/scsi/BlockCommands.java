package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiSpec.*;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.LbaStatus;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The block commands (SBC-3): reads, writes, verifies, WRITE SAME, UNMAP, GET LBA STATUS,
 * COMPARE AND WRITE, ORWRITE, SYNCHRONIZE CACHE, READ CAPACITY, PRE-FETCH, START STOP UNIT.
 * Every handler checks its fields, then its LBA range, then touches the device.
 */
final class BlockCommands {

  /** The LBA and block count a CDB addresses. */
  record Range(long lba, long blocks) {}

  /** Reads the LBA and transfer length of a READ/WRITE/VERIFY-family CDB by its size. */
  static Range transferRange(byte[] cdb) {
    switch (cdb[0] & 0xff) {
      case READ_6:
      case WRITE_6:
        {
          int n = Cdb.u8(cdb, 4);
          return new Range(Cdb.u24(cdb, 1) & 0x1fffff, n == 0 ? 256 : n);
        }
      case READ_12: case WRITE_12: case VERIFY_12: case WRITE_AND_VERIFY_12:
        return new Range(Cdb.u32(cdb, 2), Cdb.u32(cdb, 6));
      case READ_16: case WRITE_16: case VERIFY_16: case WRITE_AND_VERIFY_16: case ORWRITE_16:
      case PRE_FETCH_16: case SYNCHRONIZE_CACHE_16: case WRITE_SAME_16:
        return new Range(Cdb.u64(cdb, 2), Cdb.u32(cdb, 10));
      default: // the 10-byte commands
        return new Range(Cdb.u32(cdb, 2), Cdb.u16(cdb, 7));
    }
  }

  /** LBA OUT OF RANGE unless {@code [lba, lba+blocks)} lies within the device. */
  static void checkRange(BlockDevice dev, long lba, long blocks) throws CheckCondition {
    long capacity = dev.blockCount();
    if (lba < 0 || blocks < 0 || Long.compareUnsigned(lba, capacity) > 0
        || blocks > capacity - lba) {
      throw CheckCondition.lbaOutOfRange();
    }
  }

  /** RDPROTECT / WRPROTECT / VRPROTECT / ORPROTECT: we format without protection information. */
  private static void checkNoProtection(byte[] cdb) throws CheckCondition {
    int opcode = cdb[0] & 0xff;
    if (opcode != READ_6 && opcode != WRITE_6 && (cdb[1] & 0xe0) != 0) {
      throw CheckCondition.invalidCdbField(1, 7);
    }
  }

  private static void checkTransferLength(BlockDevice dev, byte[] cdb, long blocks)
      throws CheckCondition {
    if (blocks > BlockLimits.maxTransferBlocks(dev.blockSize())) {
      int field;
      switch (Cdb.lengthForOpcode(cdb[0] & 0xff)) {
        case 6: field = 4; break;
        case 12: field = 6; break;
        case 16: field = 10; break;
        default: field = 7;
      }
      throw CheckCondition.invalidCdbField(field, -1);
    }
  }

  private static boolean fua(Request r) {
    int opcode = r.opcode();
    boolean fuaBit = opcode != READ_6 && opcode != WRITE_6 && (r.cdb()[1] & 0x08) != 0;
    return fuaBit || !r.lu().modePages().writeCacheEnabled();
  }

  /**
   * The Data-Out a command needs: its first {@code bytes}, or INVALID FIELD IN COMMAND
   * INFORMATION UNIT when the initiator sent fewer.
   */
  private static ByteBuffer dataOut(Request r, long bytes) throws CheckCondition {
    if (r.dataOutLength() < bytes) {
      throw CheckCondition.illegalRequest(ASC_INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
    }
    ByteBuffer b = r.dataOut().duplicate();
    b.limit(b.position() + (int) bytes);
    return b.slice();
  }

  private static ByteBuffer readBlocks(BlockDevice dev, long lba, long blocks) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) (blocks * dev.blockSize()));
    dev.read(lba, buf);
    buf.flip();
    return buf;
  }

  /**
   * How many Data-Out bytes the CDB calls for, so the transport can report a write's residual;
   * -1 for commands without Data-Out.
   */
  static long expectedDataOutLength(byte[] cdb, int blockSize) {
    switch (cdb[0] & 0xff) {
      case WRITE_6: case WRITE_10: case WRITE_12: case WRITE_16: case ORWRITE_16:
      case WRITE_AND_VERIFY_10: case WRITE_AND_VERIFY_12: case WRITE_AND_VERIFY_16:
        return transferRange(cdb).blocks() * blockSize;
      case VERIFY_10: case VERIFY_12: case VERIFY_16:
        {
          int bytchk = (cdb[1] >> 1) & 0x03;
          return bytchk == 1 ? transferRange(cdb).blocks() * blockSize : bytchk == 3 ? blockSize : 0;
        }
      case WRITE_SAME_10:
        return blockSize;
      case WRITE_SAME_16:
        return (cdb[1] & 0x01) != 0 ? 0 : blockSize;
      case COMPARE_AND_WRITE:
        return 2L * Cdb.u8(cdb, 13) * blockSize;
      case UNMAP:
      case MODE_SELECT_10:
        return Cdb.u16(cdb, 7);
      case MODE_SELECT_6:
        return Cdb.u8(cdb, 4);
      case PERSISTENT_RESERVE_OUT:
        return Cdb.u32(cdb, 5);
      case EXTENDED_COPY:
        return Cdb.u32(cdb, 10);
      default:
        return -1;
    }
  }

  // ------------------------------------------------------------------ READ / WRITE / VERIFY

  ScsiResponse read(Request r) throws CheckCondition, IOException {
    BlockDevice dev = r.lu().device();
    checkNoProtection(r.cdb());
    Range range = transferRange(r.cdb());
    checkTransferLength(dev, r.cdb(), range.blocks());
    checkRange(dev, range.lba(), range.blocks());
    if (range.blocks() == 0) {
      return Responses.good();
    }
    return Responses.data(readBlocks(dev, range.lba(), range.blocks()));
  }

  ScsiResponse write(Request r) throws CheckCondition, IOException {
    BlockDevice dev = r.lu().device();
    checkNoProtection(r.cdb());
    Range range = transferRange(r.cdb());
    checkTransferLength(dev, r.cdb(), range.blocks());
    checkRange(dev, range.lba(), range.blocks());
    // When the initiator announced fewer bytes than the CDB transfers (an iSCSI overflow), only
    // the whole blocks it sent are written; the transport reports the residual (RFC 7143 11.4.5.2).
    long blocks = Math.min(range.blocks(), r.dataOutLength() / dev.blockSize());
    if (blocks == 0) {
      return Responses.good();
    }
    dev.write(range.lba(), dataOut(r, blocks * dev.blockSize()), fua(r));
    return Responses.good();
  }

  /** WRITE AND VERIFY: the write goes to stable storage, which is what "verify" can mean here. */
  ScsiResponse writeAndVerify(Request r) throws CheckCondition, IOException {
    BlockDevice dev = r.lu().device();
    checkNoProtection(r.cdb());
    Range range = transferRange(r.cdb());
    checkTransferLength(dev, r.cdb(), range.blocks());
    checkRange(dev, range.lba(), range.blocks());
    long blocks = Math.min(range.blocks(), r.dataOutLength() / dev.blockSize());
    if (blocks == 0) {
      return Responses.good();
    }
    ByteBuffer data = dataOut(r, blocks * dev.blockSize());
    dev.write(range.lba(), data.duplicate(), true);
    if ((r.cdb()[1] & 0x02) != 0) {
      compare(readBlocks(dev, range.lba(), blocks), data, 0);
    }
    return Responses.good();
  }

  ScsiResponse verify(Request r) throws CheckCondition, IOException {
    BlockDevice dev = r.lu().device();
    checkNoProtection(r.cdb());
    int bytchk = (r.cdb()[1] >> 1) & 0x03;
    if (bytchk == 2) {
      throw CheckCondition.invalidCdbField(1, 2);
    }
    Range range = transferRange(r.cdb());
    checkTransferLength(dev, r.cdb(), range.blocks());
    checkRange(dev, range.lba(), range.blocks());
    if (range.blocks() == 0 || bytchk == 0) {
      return Responses.good(); // no data compare: the medium is readable
    }
    ByteBuffer medium = readBlocks(dev, range.lba(), range.blocks());
    int bs = dev.blockSize();
    if (bytchk == 1) {
      compare(medium, dataOut(r, range.blocks() * bs), 0);
    } else {
      ByteBuffer one = dataOut(r, bs);
      for (long i = 0; i < range.blocks(); i++) {
        ByteBuffer block = medium.duplicate();
        block.position((int) (i * bs)).limit((int) ((i + 1) * bs));
        compare(block.slice(), one.duplicate(), i * bs);
      }
    }
    return Responses.good();
  }

  /** MISCOMPARE with the offset of the first differing byte, unless the buffers are equal. */
  private static void compare(ByteBuffer medium, ByteBuffer expected, long baseOffset)
      throws CheckCondition {
    int mismatch = medium.duplicate().mismatch(expected.duplicate());
    if (mismatch >= 0 && mismatch < Math.min(medium.remaining(), expected.remaining())) {
      throw CheckCondition.miscompare(baseOffset + mismatch);
    }
  }

  // ------------------------------------------------------------------ atomic read-modify-write

  ScsiResponse compareAndWrite(Request r)
      throws CheckCondition, IOException, InterruptedException {
    BlockDevice dev = r.lu().device();
    checkNoProtection(r.cdb());
    long lba = Cdb.u64(r.cdb(), 2);
    int blocks = Cdb.u8(r.cdb(), 13);
    if (blocks > BlockLimits.MAX_COMPARE_AND_WRITE_BLOCKS) {
      throw CheckCondition.invalidCdbField(13, -1);
    }
    checkRange(dev, lba, blocks);
    if (blocks == 0) {
      if (r.dataOutLength() != 0) {
        throw CheckCondition.invalidCdbField(13, -1); // data for zero blocks: a malformed CDB
      }
      return Responses.good();
    }
    int half = blocks * dev.blockSize();
    if (r.dataOutLength() != 2 * half) {
      throw CheckCondition.invalidCdbField(13, -1);
    }
    ByteBuffer data = dataOut(r, 2L * half);
    ByteBuffer verify = data.duplicate().limit(half).slice();
    ByteBuffer write = data.duplicate().position(half).slice();
    try (RangeLocks.Held held = r.lu().rangeLocks().lock(lba, blocks)) {
      compare(readBlocks(dev, lba, blocks), verify, 0);
      dev.write(lba, write, fua(r));
    }
    return Responses.good();
  }

  ScsiResponse orWrite(Request r) throws CheckCondition, IOException, InterruptedException {
    BlockDevice dev = r.lu().device();
    checkNoProtection(r.cdb());
    Range range = transferRange(r.cdb());
    checkTransferLength(dev, r.cdb(), range.blocks());
    checkRange(dev, range.lba(), range.blocks());
    if (range.blocks() == 0) {
      return Responses.good();
    }
    ByteBuffer data = dataOut(r, range.blocks() * dev.blockSize());
    try (RangeLocks.Held held = r.lu().rangeLocks().lock(range.lba(), range.blocks())) {
      ByteBuffer current = readBlocks(dev, range.lba(), range.blocks());
      for (int i = 0; i < current.limit(); i++) {
        current.put(i, (byte) (current.get(i) | data.get(i)));
      }
      dev.write(range.lba(), current, fua(r));
    }
    return Responses.good();
  }

  // ------------------------------------------------------------------ provisioning

  ScsiResponse writeSame(Request r) throws CheckCondition, IOException {
    BlockDevice dev = r.lu().device();
    byte[] cdb = r.cdb();
    checkNoProtection(cdb);
    boolean is16 = r.opcode() == WRITE_SAME_16;
    if ((cdb[1] & 0x10) != 0) {
      throw CheckCondition.invalidCdbField(1, 4); // ANCHOR: we do not anchor
    }
    if ((cdb[1] & 0x04) != 0) {
      throw CheckCondition.invalidCdbField(1, 2); // PBDATA
    }
    if ((cdb[1] & 0x02) != 0) {
      throw CheckCondition.invalidCdbField(1, 1); // LBDATA
    }
    boolean unmap = (cdb[1] & 0x08) != 0;
    boolean noDataOut = is16 && (cdb[1] & 0x01) != 0;
    Range range = transferRange(cdb);
    checkRange(dev, range.lba(), range.blocks());
    if (range.blocks() == 0) {
      // WSNZ is clear in the Block Limits page: zero blocks means up to the last block.
      range = new Range(range.lba(), dev.blockCount() - range.lba());
    }
    if (range.blocks() > BlockLimits.MAX_WRITE_SAME_BLOCKS) {
      throw CheckCondition.invalidCdbField(is16 ? 10 : 7, -1);
    }
    if (range.blocks() == 0) {
      return Responses.good();
    }
    int bs = dev.blockSize();
    if (r.dataOutLength() != (noDataOut ? 0 : bs)) {
      // WRITE SAME carries exactly one block (none with NDOB); anything else is malformed.
      throw CheckCondition.illegalRequest(ASC_INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
    }
    if (unmap && r.lu().device().thinProvisioned()) {
      // Deallocate whatever the block holds, as LIO does; with LBPRZ the blocks then read as
      // zeros, which is what initiators that use WRITE SAME to unmap expect.
      dev.unmap(range.lba(), range.blocks());
      return Responses.good();
    }
    ByteBuffer pattern = noDataOut ? ByteBuffer.allocate(bs) : dataOut(r, bs);
    int perChunk = (int) Math.min(range.blocks(), Math.max(1, (1 << 20) / bs));
    ByteBuffer chunk = ByteBuffer.allocate(perChunk * bs);
    for (int i = 0; i < perChunk; i++) {
      chunk.put(pattern.duplicate());
    }
    boolean fua = fua(r);
    long lba = range.lba();
    long left = range.blocks();
    while (left > 0) {
      int n = (int) Math.min(left, perChunk);
      ByteBuffer slice = chunk.duplicate().position(0).limit(n * bs);
      dev.write(lba, slice, fua);
      lba += n;
      left -= n;
    }
    return Responses.good();
  }


  ScsiResponse unmap(Request r) throws CheckCondition, IOException {
    BlockDevice dev = r.lu().device();
    byte[] cdb = r.cdb();
    if ((cdb[1] & 0x01) != 0) {
      throw CheckCondition.invalidCdbField(1, 0); // ANCHOR
    }
    int listLength = Cdb.u16(cdb, 7);
    if (listLength == 0) {
      return Responses.good();
    }
    if (listLength < 8 || r.dataOutLength() < listLength) {
      throw CheckCondition.parameterListLength();
    }
    byte[] list = r.parameterList();
    int descriptorBytes = Math.min(Cdb.u16(list, 2), listLength - 8) & ~0x0f;
    int count = descriptorBytes / 16;
    if (count > BlockLimits.MAX_UNMAP_DESCRIPTORS) {
      throw CheckCondition.invalidParameter(2, -1);
    }
    for (int i = 0; i < count; i++) {
      int off = 8 + 16 * i;
      long blocks = Cdb.u32(list, off + 8);
      if (blocks > BlockLimits.MAX_UNMAP_BLOCKS) {
        throw CheckCondition.invalidParameter(off + 8, -1);
      }
      checkRange(dev, Cdb.u64(list, off), blocks);
    }
    for (int i = 0; i < count; i++) {
      int off = 8 + 16 * i;
      dev.unmap(Cdb.u64(list, off), Cdb.u32(list, off + 8));
    }
    return Responses.good();
  }

  ScsiResponse getLbaStatus(Request r) throws CheckCondition {
    BlockDevice dev = r.lu().device();
    long lba = Cdb.u64(r.cdb(), 2);
    long allocation = Cdb.u32(r.cdb(), 10);
    if (Long.compareUnsigned(lba, dev.blockCount()) >= 0) {
      throw CheckCondition.lbaOutOfRange();
    }
    int maxDescriptors = (int) Math.max(1, Math.min(64, (allocation - 8) / 16));
    ByteBuffer out = ByteBuffer.allocate(8 + 16 * maxDescriptors);
    out.position(8);
    long next = lba;
    int n = 0;
    while (n < maxDescriptors && next < dev.blockCount()) {
      LbaStatus s = dev.status(next);
      long blocks = Math.max(1, Math.min(s.blocks(), 0xffff_ffffL));
      out.putLong(next).putInt((int) blocks).put((byte) (s.mapped() ? 0 : 1)).put(new byte[3]);
      next += blocks;
      n++;
    }
    out.putInt(0, 4 + 16 * n);
    byte[] bytes = new byte[8 + 16 * n];
    out.position(0);
    out.get(bytes);
    return Responses.data(bytes, allocation);
  }

  // ------------------------------------------------------------------ capacity and cache

  ScsiResponse readCapacity10(Request r) throws CheckCondition {
    BlockDevice dev = r.lu().device();
    boolean pmi = (r.cdb()[8] & 0x01) != 0;
    if (!pmi && Cdb.u32(r.cdb(), 2) != 0) {
      throw CheckCondition.invalidCdbField(2, -1);
    }
    byte[] b = new byte[8];
    long last = dev.blockCount() - 1;
    Cdb.put32(b, 0, Math.min(last, 0xffff_ffffL));
    Cdb.put32(b, 4, dev.blockSize());
    return Responses.data(b, 8);
  }

  ScsiResponse readCapacity16(Request r) {
    BlockDevice dev = r.lu().device();
    byte[] b = new byte[32];
    Cdb.put64(b, 0, dev.blockCount() - 1);
    Cdb.put32(b, 8, dev.blockSize());
    b[13] = (byte) r.lu().options().physicalBlockExponent();
    if (dev.thinProvisioned()) {
      b[14] = (byte) 0xc0; // LBPME: thin provisioned; LBPRZ: unmapped blocks read as zeros
    }
    return Responses.data(b, Cdb.u32(r.cdb(), 10));
  }

  ScsiResponse synchronizeCache(Request r) throws CheckCondition, IOException {
    BlockDevice dev = r.lu().device();
    Range range = transferRange(r.cdb());
    checkRange(dev, range.lba(), range.blocks());
    dev.flush();
    return Responses.good();
  }

  /** PRE-FETCH: the range is valid; the page cache does the rest, so nothing is promised. */
  ScsiResponse preFetch(Request r) throws CheckCondition {
    BlockDevice dev = r.lu().device();
    Range range = transferRange(r.cdb());
    checkRange(dev, range.lba(), range.blocks());
    return Responses.good();
  }

  /**
   * START STOP UNIT: a volume is always spinning; START and STOP are accepted and change
   * nothing. LOEJ on a unit without removable medium is an invalid field.
   */
  ScsiResponse startStopUnit(Request r) throws CheckCondition {
    int b4 = Cdb.u8(r.cdb(), 4);
    if ((b4 & 0x02) != 0 && (b4 & 0xf0) == 0) {
      throw CheckCondition.invalidCdbField(4, 1);
    }
    return Responses.good();
  }

  /** PREVENT ALLOW MEDIUM REMOVAL: nothing is removable; PREVENT values 0-3 are accepted. */
  ScsiResponse preventAllowMediumRemoval(Request r) {
    return Responses.good();
  }
}
