package io.strata.engine.scsi;

import io.strata.engine.drive.FileBlockDevice;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A target over file-backed LUNs, and short ways to send CDBs to it in tests. */
final class ScsiHarness implements AutoCloseable {
  static final Nexus A = new Nexus("iqn.2026-11.test:a", 0x400001370000L, "iqn.t:x", 1);
  static final Nexus B = new Nexus("iqn.2026-11.test:b", 0x400001370001L, "iqn.t:x", 1);
  static final Nexus A_PORT2 = new Nexus("iqn.2026-11.test:a", 0x400001370000L, "iqn.t:x", 2);

  final Path dir;
  final Map<Integer, LogicalUnit> luns = new LinkedHashMap<>();
  final Map<Integer, FileBlockDevice> devices = new LinkedHashMap<>();
  LogicalUnitTarget target;

  ScsiHarness(Path dir, long blocksPerLun, int... lunNumbers) throws Exception {
    this.dir = dir;
    for (int lun : lunNumbers) {
      FileBlockDevice dev = FileBlockDevice.open(dir.resolve("lun" + lun), blocksPerLun * 512, 512);
      devices.put(lun, dev);
      luns.put(lun, new LogicalUnit("vol-" + lun, dev, dir.resolve("lun" + lun + ".pr")));
    }
    target = new LogicalUnitTarget("iqn.t:x", luns, List.of(1, 2), null);
  }

  /** Sends a CDB given in hex (spaces allowed) to LUN 0 from nexus A, skipping its POWER ON. */
  ScsiResponse run(String cdbHex) {
    return run(A, 0, cdbHex, new byte[0]);
  }

  ScsiResponse run(String cdbHex, byte[] dataOut) {
    return run(A, 0, cdbHex, dataOut);
  }

  ScsiResponse run(Nexus nexus, int lun, String cdbHex, byte[] dataOut) {
    byte[] cdb = HexFormat.of().parseHex(cdbHex.replace(" ", ""));
    return run(nexus, lun, cdb, dataOut);
  }

  ScsiResponse run(Nexus nexus, int lun, byte[] cdb, byte[] dataOut) {
    return target.execute(
        new ScsiCommand(nexus, LogicalUnitTarget.encodeLun(lun), cdb, ByteBuffer.wrap(dataOut),
            65536, 1));
  }

  /** Clears the POWER ON unit attention of a nexus on every LUN. */
  void clearUnitAttentions(Nexus nexus) {
    for (int lun : luns.keySet()) {
      while (run(nexus, lun, "00 00 00 00 00 00", new byte[0]).status() != ScsiSpec.GOOD) {
        // keep asking until the queue is empty
      }
    }
  }

  static byte[] data(ScsiResponse r) {
    ByteBuffer b = r.dataIn().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static SenseData sense(ScsiResponse r) {
    return SenseData.parse(r.sense());
  }

  static byte[] blocks(int count, int value) {
    byte[] b = new byte[count * 512];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  @Override
  public void close() throws Exception {
    for (FileBlockDevice d : devices.values()) {
      d.close();
    }
  }
}
