package io.strata.engine.scsi;

/** Big-endian field access on a CDB or parameter list, with bounds that never throw. */
public final class Cdb {
  private Cdb() {}

  public static int u8(byte[] b, int off) {
    return off < b.length ? b[off] & 0xff : 0;
  }

  public static int u16(byte[] b, int off) {
    return (u8(b, off) << 8) | u8(b, off + 1);
  }

  public static int u24(byte[] b, int off) {
    return (u8(b, off) << 16) | u16(b, off + 1);
  }

  public static long u32(byte[] b, int off) {
    return ((long) u16(b, off) << 16) | u16(b, off + 2);
  }

  public static long u64(byte[] b, int off) {
    return (u32(b, off) << 32) | u32(b, off + 4);
  }

  public static void put16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  public static void put32(byte[] b, int off, long v) {
    put16(b, off, (int) (v >>> 16));
    put16(b, off + 2, (int) v);
  }

  public static void put64(byte[] b, int off, long v) {
    put32(b, off, v >>> 32);
    put32(b, off + 4, v);
  }

  /** The CDB length implied by the group code of the operation code (SPC-4 4.2.5.1). */
  public static int lengthForOpcode(int opcode) {
    switch (opcode >>> 5) {
      case 0:
        return 6;
      case 1:
      case 2:
        return 10;
      case 4:
        return 16;
      case 5:
        return 12;
      default:
        return 0; // reserved or vendor specific groups
    }
  }
}
