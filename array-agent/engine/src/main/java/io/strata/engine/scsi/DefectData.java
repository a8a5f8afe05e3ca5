package io.strata.engine.scsi;

/**
 * READ DEFECT DATA (10) and (12), SBC-4 5.13 and 5.14: the lists of defective blocks a disk
 * drive reports. A Strata logical unit is a volume on a pool that hides every defect of its drives
 * (a failed read is rebuilt from parity or a mirror, a failed drive replaced), so both lists — the
 * primary (as manufactured) and the grown one — are empty, which SBC-4 allows. An empty list is
 * returned in whatever format was asked for, since no descriptor has to be expressed in it, with
 * PLISTV and GLISTV set for the lists that were requested (they are valid: valid and empty).
 */
final class DefectData {
  private static final int REQ_PLIST = 0x10;
  private static final int REQ_GLIST = 0x08;
  private static final int FORMAT_MASK = 0x07;

  private DefectData() {}

  /** READ DEFECT DATA (10): a 4-byte header whose 16-bit DEFECT LIST LENGTH is zero. */
  static ScsiResponse read10(Request r) {
    byte[] cdb = r.cdb();
    byte[] header = new byte[4];
    header[1] = (byte) (cdb[2] & (REQ_PLIST | REQ_GLIST | FORMAT_MASK));
    return Responses.data(header, Cdb.u16(cdb, 7));
  }

  /**
   * READ DEFECT DATA (12): an 8-byte header (GENERATION CODE 0: the lists never change) whose
   * 32-bit DEFECT LIST LENGTH is zero, whatever ADDRESS DESCRIPTOR INDEX asks to start from.
   */
  static ScsiResponse read12(Request r) {
    byte[] cdb = r.cdb();
    byte[] header = new byte[8];
    header[1] = (byte) (cdb[1] & (REQ_PLIST | REQ_GLIST | FORMAT_MASK));
    return Responses.data(header, Cdb.u32(cdb, 6));
  }
}
