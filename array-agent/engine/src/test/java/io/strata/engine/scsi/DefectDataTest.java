package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiHarness.A;
import static io.strata.engine.scsi.ScsiHarness.data;
import static io.strata.engine.scsi.ScsiSpec.GOOD;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** READ DEFECT DATA: a volume has no defects to report, in whichever list and format is asked. */
class DefectDataTest {
  @TempDir Path dir;
  ScsiHarness h;

  @BeforeEach
  void setUp() throws Exception {
    h = new ScsiHarness(dir, 64, 0);
    h.clearUnitAttentions(A);
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  @Test
  void readDefectData10AnswersBothListsValidAndEmptyInTheFormatAsked() {
    // REQ_PLIST, REQ_GLIST, format 5 (physical sector), allocation length 32
    ScsiResponse r = h.run("37 00 1d 00 00 00 00 00 20 00");
    assertThat(r.status()).isEqualTo(GOOD);
    assertThat(data(r)).containsExactly(0x00, 0x1d, 0x00, 0x00);
  }

  @Test
  void readDefectData12HasAnEightByteHeaderAndAZeroLength() {
    // REQ_GLIST only, format 4 (bytes from index), address descriptor index 7, allocation 512
    ScsiResponse r = h.run("b7 0c 00 00 00 07 00 00 02 00 00 00");
    assertThat(r.status()).isEqualTo(GOOD);
    assertThat(data(r)).containsExactly(0x00, 0x0c, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void theHeaderIsCutToTheAllocationLength() {
    assertThat(data(h.run("37 00 18 00 00 00 00 00 02 00"))).containsExactly(0x00, 0x18);
    assertThat(data(h.run("37 00 18 00 00 00 00 00 00 00"))).isEmpty();
  }

  @Test
  void reportSupportedOperationCodesListsBoth() {
    // REPORT SUPPORTED OPERATION CODES, one command: 0x37, then 0xb7
    for (String opcode : new String[] {"37", "b7"}) {
      ScsiResponse r = h.run("a3 0c 01 " + opcode + " 00 00 00 00 00 40 00 00");
      assertThat(r.status()).isEqualTo(GOOD);
      assertThat(data(r)[1] & 0x07).as("SUPPORT for opcode " + opcode).isEqualTo(3);
    }
  }
}
