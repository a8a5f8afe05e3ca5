package io.strata.engine.scsi;

/**
 * Fixed-format sense data (SPC-4 4.5.3): response code 70h, the sense key, the additional sense
 * code and qualifier, and optionally the INFORMATION field and a sense-key specific field pointer.
 *
 * @param senseKey the sense key (ScsiSpec NO_SENSE .. MISCOMPARE)
 * @param ascq additional sense code and qualifier as {@code 0xAAQQ}
 * @param information the INFORMATION field, or -1 when not valid
 * @param fieldPointer the sense-key specific bytes (SKSV set) for ILLEGAL REQUEST, or null
 */
public record SenseData(int senseKey, int ascq, long information, FieldPointer fieldPointer) {

  /** Length of the fixed-format sense data we return. */
  public static final int LENGTH = 18;

  /**
   * Which byte (and optionally bit) of the CDB or of the parameter list holds the bad value.
   *
   * @param inCdb true for the CDB (C/D bit), false for the parameter data
   * @param byteIndex the byte offset
   * @param bit the bit number 0-7, or -1 when the whole byte is meant
   */
  public record FieldPointer(boolean inCdb, int byteIndex, int bit) {}

  public static SenseData of(int senseKey, int ascq) {
    return new SenseData(senseKey, ascq, -1, null);
  }

  public int asc() {
    return (ascq >> 8) & 0xff;
  }

  public int qualifier() {
    return ascq & 0xff;
  }

  /** The 18 wire bytes. */
  public byte[] toBytes() {
    byte[] b = new byte[LENGTH];
    b[0] = (byte) (information >= 0 ? 0xf0 : 0x70);
    b[2] = (byte) (senseKey & 0x0f);
    if (information >= 0) {
      b[3] = (byte) (information >>> 24);
      b[4] = (byte) (information >>> 16);
      b[5] = (byte) (information >>> 8);
      b[6] = (byte) information;
    }
    b[7] = (byte) (LENGTH - 8);
    b[12] = (byte) asc();
    b[13] = (byte) qualifier();
    if (fieldPointer != null) {
      int flags = 0x80; // SKSV
      if (fieldPointer.inCdb()) {
        flags |= 0x40;
      }
      if (fieldPointer.bit() >= 0) {
        flags |= 0x08 | (fieldPointer.bit() & 0x07);
      }
      b[15] = (byte) flags;
      b[16] = (byte) (fieldPointer.byteIndex() >>> 8);
      b[17] = (byte) fieldPointer.byteIndex();
    }
    return b;
  }

  /** Parses fixed-format sense back (used by tests and by REQUEST SENSE bookkeeping). */
  public static SenseData parse(byte[] b) {
    if (b == null || b.length < 14 || (b[0] & 0x7f) != 0x70) {
      throw new IllegalArgumentException("not fixed-format sense data");
    }
    long info =
        (b[0] & 0x80) != 0
            ? ((b[3] & 0xffL) << 24) | ((b[4] & 0xffL) << 16) | ((b[5] & 0xffL) << 8) | (b[6] & 0xffL)
            : -1;
    FieldPointer fp = null;
    if (b.length >= 18 && (b[15] & 0x80) != 0) {
      fp =
          new FieldPointer(
              (b[15] & 0x40) != 0,
              ((b[16] & 0xff) << 8) | (b[17] & 0xff),
              (b[15] & 0x08) != 0 ? b[15] & 0x07 : -1);
    }
    return new SenseData(b[2] & 0x0f, ((b[12] & 0xff) << 8) | (b[13] & 0xff), info, fp);
  }

  @Override
  public String toString() {
    return String.format("sense key %x asc/ascq %04x", senseKey, ascq);
  }
}
