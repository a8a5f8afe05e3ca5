package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiHarness.A;
import static io.strata.engine.scsi.ScsiHarness.blocks;
import static io.strata.engine.scsi.ScsiHarness.data;
import static io.strata.engine.scsi.ScsiHarness.sense;
import static io.strata.engine.scsi.ScsiSpec.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.drive.FileBlockDevice;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write-protected logical unit (a snapshot, a read-only attachment) and physical block size. */
class ReadOnlyLogicalUnitTest {
  @TempDir Path dir;
  ScsiHarness h;
  FileBlockDevice roDevice;

  @BeforeEach
  void setUp() throws Exception {
    h = new ScsiHarness(dir, 4096, 0);
    roDevice = FileBlockDevice.open(dir.resolve("ro"), 4096 * 512, 512);
    LogicalUnit ro =
        new LogicalUnit("vol-ro", roDevice, null, new LogicalUnit.Options(true, 3));
    h.target = new LogicalUnitTarget("iqn.t:x", Map.of(0, h.luns.get(0), 1, ro), List.of(1), null);
    h.clearUnitAttentions(A);
    while (h.run(A, 1, "00 00 00 00 00 00", new byte[0]).status() != GOOD) {
      // TEST UNIT READY until the new unit's POWER ON attention is consumed
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
    roDevice.close();
  }

  private ScsiResponse onReadOnly(String cdb, byte[] dataOut) {
    return h.run(A, 1, cdb, dataOut);
  }

  private static void assertWriteProtected(ScsiResponse r) {
    assertThat(r.status()).isEqualTo(CHECK_CONDITION);
    assertThat(sense(r).senseKey()).isEqualTo(DATA_PROTECT);
    assertThat(sense(r).ascq()).isEqualTo(ASC_WRITE_PROTECTED);
  }

  @Test
  void everyMediumWriteIsRefusedAndTheBlocksStayAsTheyWere() throws Exception {
    roDevice.write(0, java.nio.ByteBuffer.wrap(blocks(1, 0x5a)), false);
    assertWriteProtected(onReadOnly("2a 00 00 00 00 00 00 00 01 00", blocks(1, 1))); // WRITE 10
    assertWriteProtected(onReadOnly("8a 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00", blocks(1, 1)));
    assertWriteProtected(onReadOnly("41 08 00 00 00 00 00 00 01 00", blocks(1, 0))); // WS10 UNMAP
    assertWriteProtected(onReadOnly("89 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00", blocks(2, 0x5a)));
    assertWriteProtected(onReadOnly("42 00 00 00 00 00 00 00 18 00",
        java.util.HexFormat.of().parseHex("0016001000000000" + "0000000000000000" + "0000000100000000")));
    byte[] read = data(onReadOnly("28 00 00 00 00 00 00 00 01 00", new byte[0]));
    assertThat(read).isEqualTo(blocks(1, 0x5a));
    assertThat(onReadOnly("35 00 00 00 00 00 00 00 00 00", new byte[0]).status()).isEqualTo(GOOD);
  }

  @Test
  void modeSenseShowsWriteProtectOnlyOnTheReadOnlyUnit() {
    assertThat(data(onReadOnly("1a 00 3f 00 ff 00", new byte[0]))[2] & 0x80).isEqualTo(0x80);
    assertThat(data(h.run("1a 00 3f 00 ff 00"))[2] & 0x80).isZero();
  }

  @Test
  void readCapacity16ReportsTheConfiguredPhysicalBlockExponent() {
    String rc16 = "9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00";
    assertThat(data(onReadOnly(rc16, new byte[0]))[13]).isEqualTo((byte) 3);
    assertThat(data(h.run(rc16))[13]).isZero();
  }
}
