package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiSpec.*;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ExtentSharing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (SPC-4 6.4, 6.20): copies between logical units
 * of this target without the data crossing the network (VMware's XCOPY, Windows' ODX-less copy).
 *
 * <p>Supported: identification descriptor target descriptors (E4h) naming a logical unit by its
 * NAA designator, and block-to-block segment descriptors (02h). The whole parameter list is
 * checked before the first block moves. The copy runs synchronously; its status is kept per
 * initiator port and list identifier for RECEIVE COPY RESULTS unless the list id usage says to
 * discard it.
 */
final class ExtendedCopy {
  static final int MAX_TARGET_DESCRIPTORS = 32;
  static final int MAX_SEGMENT_DESCRIPTORS = 32;
  static final int MAX_DESCRIPTOR_LIST_LENGTH = 1536;
  static final int MAX_SEGMENT_BYTES = 32 << 20;
  static final int HEADER_LENGTH = 16;
  static final int TARGET_DESCRIPTOR_LENGTH = 32;
  static final int TYPE_IDENTIFICATION_TARGET = 0xe4;
  static final int TYPE_BLOCK_TO_BLOCK = 0x02;
  private static final int COPY_CHUNK_BYTES = 1 << 20;
  private static final int MAX_HELD_RESULTS = 64;

  /** The outcome of one copy, as COPY STATUS reports it. */
  record CopyStatus(boolean success, int segmentsProcessed, long bytesCopied) {}

  /** A parsed target descriptor: the logical unit it names, or why it names none. */
  private record Target(LogicalUnit lu, boolean nullDevice) {}

  /** A parsed block-to-block segment. */
  private record Segment(int source, int destination, int blocks, long sourceLba, long destLba) {}

  private final Map<String, CopyStatus> held =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CopyStatus> eldest) {
          return size() > MAX_HELD_RESULTS;
        }
      };

  ScsiResponse extendedCopy(Request r) throws CheckCondition, IOException {
    long listLength = Cdb.u32(r.cdb(), 10);
    if (listLength == 0) {
      return Responses.good();
    }
    if (listLength < HEADER_LENGTH || r.dataOutLength() < listLength) {
      throw CheckCondition.parameterListLength();
    }
    byte[] p = Arrays.copyOf(r.parameterList(), (int) listLength);
    int listId = Cdb.u8(p, 0);
    int listIdUsage = (p[1] >> 3) & 0x03;
    int targetListLength = Cdb.u16(p, 2);
    long segmentListLength = Cdb.u32(p, 8);
    long inlineLength = Cdb.u32(p, 12);
    if (listIdUsage == 0x01) {
      throw CheckCondition.invalidParameter(1, 4);
    }
    if (inlineLength != 0) {
      throw CheckCondition.invalidParameter(12, -1); // no inline data is accepted
    }
    if (targetListLength + segmentListLength > MAX_DESCRIPTOR_LIST_LENGTH
        || HEADER_LENGTH + targetListLength + segmentListLength > listLength) {
      throw CheckCondition.parameterListLength();
    }
    List<Target> targets = parseTargets(r, p, HEADER_LENGTH, targetListLength);
    List<Segment> segments =
        parseSegments(p, HEADER_LENGTH + targetListLength, (int) segmentListLength);
    CopyStatus status = run(targets, segments);
    if (listIdUsage != 0x03) {
      synchronized (held) {
        held.put(key(r.nexus(), listId), status);
      }
    }
    return Responses.good();
  }

  private static String key(Nexus n, int listId) {
    return n.initiatorPortName() + "/" + n.relativeTargetPortId() + "/" + listId;
  }

  private static List<Target> parseTargets(Request r, byte[] p, int start, int length)
      throws CheckCondition {
    List<Target> targets = new ArrayList<>();
    int off = start;
    int end = start + length;
    while (off < end) {
      int type = Cdb.u8(p, off);
      int size = descriptorLength(type);
      if (type != TYPE_IDENTIFICATION_TARGET) {
        throw CheckCondition.illegalRequest(ASC_UNSUPPORTED_TARGET_DESCRIPTOR_TYPE);
      }
      if (targets.size() == MAX_TARGET_DESCRIPTORS) {
        throw CheckCondition.illegalRequest(ASC_TOO_MANY_TARGET_DESCRIPTORS);
      }
      if (off + size > end) {
        throw CheckCondition.parameterListLength();
      }
      targets.add(parseIdentificationTarget(r, p, off));
      off += size;
    }
    return targets;
  }

  /** Target descriptor sizes by type code (SPC-4 table 112): most are 32 bytes, IPv6 ones 64. */
  private static int descriptorLength(int type) {
    return type == 0xea || type == 0xeb ? 64 : TARGET_DESCRIPTOR_LENGTH;
  }

  private static Target parseIdentificationTarget(Request r, byte[] p, int off)
      throws CheckCondition {
    boolean nul = (p[off + 1] & 0x20) != 0;
    // The LU ID TYPE and peripheral type bits are not checked: the designator alone names the
    // logical unit, as LIO does (libiscsi 1.19 expects a reserved LU ID TYPE to be accepted).
    if (nul) {
      return new Target(null, true);
    }
    int designatorType = p[off + 5] & 0x0f;
    int designatorLength = Cdb.u8(p, off + 7);
    if (designatorLength > 20) {
      throw CheckCondition.invalidParameter(off + 7, -1);
    }
    byte[] designator = Arrays.copyOfRange(p, off + 8, off + 8 + designatorLength);
    LogicalUnit found = null;
    if (designatorType == 0x3) {
      for (LogicalUnit lu : r.target().visibleLogicalUnits(r.nexus())) {
        if (Arrays.equals(lu.naa(), designator)) {
          found = lu;
        }
      }
    }
    if (found != null) {
      long blockSize = Cdb.u24(p, off + 29);
      if (blockSize != 0 && blockSize != found.device().blockSize()) {
        throw CheckCondition.invalidParameter(off + 29, -1);
      }
    }
    return new Target(found, false);
  }

  private static List<Segment> parseSegments(byte[] p, int start, int length)
      throws CheckCondition {
    List<Segment> segments = new ArrayList<>();
    int off = start;
    int end = start + length;
    while (off < end) {
      if (off + 4 > end) {
        throw CheckCondition.parameterListLength();
      }
      int type = Cdb.u8(p, off);
      int size = 4 + Cdb.u16(p, off + 2);
      if (segments.size() == MAX_SEGMENT_DESCRIPTORS) {
        throw CheckCondition.illegalRequest(ASC_TOO_MANY_SEGMENT_DESCRIPTORS);
      }
      if (type != TYPE_BLOCK_TO_BLOCK) {
        throw CheckCondition.illegalRequest(ASC_UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE);
      }
      if (size != 28) {
        throw CheckCondition.invalidParameter(off + 2, -1);
      }
      if (off + size > end) {
        throw CheckCondition.parameterListLength();
      }
      segments.add(
          new Segment(Cdb.u16(p, off + 4), Cdb.u16(p, off + 6), Cdb.u16(p, off + 10),
              Cdb.u64(p, off + 12), Cdb.u64(p, off + 20)));
      off += size;
    }
    return segments;
  }

  /** Checks every segment against its targets, then copies them in order. */
  private static CopyStatus run(List<Target> targets, List<Segment> segments)
      throws CheckCondition, IOException {
    for (Segment s : segments) {
      BlockDevice src = reachable(targets, s.source());
      BlockDevice dst = reachable(targets, s.destination());
      if (src.blockSize() != dst.blockSize()) {
        throw CheckCondition.of(COPY_ABORTED, ASC_NO_ADDITIONAL_SENSE);
      }
      if (targets.get(s.destination()).lu().readOnly()) {
        throw CheckCondition.of(DATA_PROTECT, ASC_WRITE_PROTECTED);
      }
      if ((long) s.blocks() * src.blockSize() > MAX_SEGMENT_BYTES
          || !fits(src, s.sourceLba(), s.blocks()) || !fits(dst, s.destLba(), s.blocks())) {
        throw CheckCondition.of(COPY_ABORTED, ASC_NO_ADDITIONAL_SENSE);
      }
    }
    long bytes = 0;
    int done = 0;
    for (Segment s : segments) {
      BlockDevice src = targets.get(s.source()).lu().device();
      BlockDevice dst = targets.get(s.destination()).lu().device();
      if (dst instanceof ExtentSharing sharing
          && sharing.copyFrom(src, s.sourceLba(), s.destLba(), s.blocks())) {
        // Volumes of one pool: whole extents are shared, not copied.
        bytes += (long) s.blocks() * src.blockSize();
        done++;
        continue;
      }
      int bs = src.blockSize();
      int perChunk = Math.max(1, COPY_CHUNK_BYTES / bs);
      ByteBuffer buf = ByteBuffer.allocate(perChunk * bs);
      long left = s.blocks();
      long from = s.sourceLba();
      long to = s.destLba();
      while (left > 0) {
        int n = (int) Math.min(left, perChunk);
        buf.clear().limit(n * bs);
        src.read(from, buf);
        buf.flip();
        dst.write(to, buf, false);
        from += n;
        to += n;
        left -= n;
        bytes += (long) n * bs;
      }
      done++;
    }
    return new CopyStatus(true, done, bytes);
  }

  private static BlockDevice reachable(List<Target> targets, int index) throws CheckCondition {
    if (index >= targets.size() || targets.get(index).lu() == null) {
      throw CheckCondition.of(COPY_ABORTED, ASC_COPY_TARGET_DEVICE_NOT_REACHABLE);
    }
    return targets.get(index).lu().device();
  }

  private static boolean fits(BlockDevice dev, long lba, long blocks) {
    return lba >= 0 && lba <= dev.blockCount() && blocks <= dev.blockCount() - lba;
  }

  // ------------------------------------------------------------------ RECEIVE COPY RESULTS

  ScsiResponse receiveResults(Request r) throws CheckCondition {
    int sa = r.cdb()[1] & 0x1f;
    long allocation = Cdb.u32(r.cdb(), 10);
    if (sa == RCR_OPERATING_PARAMETERS) {
      return Responses.data(operatingParameters(), allocation);
    }
    int listId = Cdb.u8(r.cdb(), 2);
    CopyStatus status;
    synchronized (held) {
      status = held.get(key(r.nexus(), listId));
    }
    if (status == null) {
      throw CheckCondition.invalidCdbField(2, -1); // no copy with that list identifier
    }
    byte[] b = new byte[12];
    Cdb.put32(b, 0, 8);
    b[4] = (byte) (status.success() ? 0x01 : 0x02); // completed (without / with) errors
    Cdb.put16(b, 5, status.segmentsProcessed());
    b[7] = 0x01; // TRANSFER COUNT UNITS: kibibytes
    Cdb.put32(b, 8, status.bytesCopied() / 1024);
    return Responses.data(b, allocation);
  }

  private static byte[] operatingParameters() {
    byte[] implemented = {TYPE_BLOCK_TO_BLOCK, (byte) TYPE_IDENTIFICATION_TARGET};
    byte[] b = new byte[44 + implemented.length];
    Cdb.put32(b, 0, b.length - 4L);
    b[4] = 0x01; // SNLID: list identifiers are supported
    Cdb.put16(b, 8, MAX_TARGET_DESCRIPTORS);
    Cdb.put16(b, 10, MAX_SEGMENT_DESCRIPTORS);
    Cdb.put32(b, 12, MAX_DESCRIPTOR_LIST_LENGTH);
    Cdb.put32(b, 16, MAX_SEGMENT_BYTES);
    Cdb.put32(b, 20, 0); // MAXIMUM INLINE DATA LENGTH
    Cdb.put32(b, 24, 0); // HELD DATA LIMIT
    Cdb.put32(b, 28, 0); // MAXIMUM STREAM DEVICE TRANSFER SIZE
    Cdb.put16(b, 34, 1); // TOTAL CONCURRENT COPIES
    b[36] = 1; // MAXIMUM CONCURRENT COPIES
    b[37] = 9; // DATA SEGMENT GRANULARITY: 2^9 bytes
    b[43] = (byte) implemented.length;
    System.arraycopy(implemented, 0, b, 44, implemented.length);
    return b;
  }
}
