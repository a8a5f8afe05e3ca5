package io.strata.engine.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.scsi.BlockCommands.Range;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CdbParsingTest {
  private static byte[] cdb(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  @Test
  void transferRangeOfEachCdbSize() {
    // READ(6): 21-bit LBA, and a transfer length of 0 means 256 blocks
    assertThat(BlockCommands.transferRange(cdb("08 1f ff ff 00 00")))
        .isEqualTo(new Range(0x1fffff, 256));
    assertThat(BlockCommands.transferRange(cdb("28 00 01 02 03 04 00 00 10 00")))
        .isEqualTo(new Range(0x01020304L, 16));
    assertThat(BlockCommands.transferRange(cdb("a8 00 ff ff ff ff 00 01 00 00 00 00")))
        .isEqualTo(new Range(0xffffffffL, 65536));
    assertThat(BlockCommands.transferRange(
            cdb("88 00 00 00 00 01 00 00 00 00 00 00 00 08 00 00")))
        .isEqualTo(new Range(1L << 32, 8));
  }

  @Test
  void expectedDataOutFollowsTheCommand() {
    assertThat(BlockCommands.expectedDataOutLength(cdb("2a 00 00 00 00 00 00 00 04 00"), 512))
        .isEqualTo(2048);
    assertThat(BlockCommands.expectedDataOutLength(
            cdb("89 00 00 00 00 00 00 00 00 00 00 00 00 02 00 00"), 512))
        .isEqualTo(2048);
    assertThat(BlockCommands.expectedDataOutLength(cdb("2f 00 00 00 00 00 00 00 04 00"), 512))
        .isZero(); // VERIFY without BYTCHK carries no data
    assertThat(BlockCommands.expectedDataOutLength(cdb("2f 06 00 00 00 00 00 00 04 00"), 512))
        .isEqualTo(512); // BYTCHK=11b: one block checked against all
    assertThat(BlockCommands.expectedDataOutLength(
            cdb("93 01 00 00 00 00 00 00 00 00 00 00 00 10 00 00"), 512))
        .isZero(); // WRITE SAME(16) with NDOB
    assertThat(BlockCommands.expectedDataOutLength(cdb("5f 00 00 00 00 00 00 00 18 00"), 512))
        .isEqualTo(24);
    assertThat(BlockCommands.expectedDataOutLength(cdb("28 00 00 00 00 00 00 00 04 00"), 512))
        .isEqualTo(-1);
  }

  @Test
  void lunAddressingRoundTrips() {
    assertThat(LogicalUnitTarget.decodeLun(LogicalUnitTarget.encodeLun(0))).isZero();
    assertThat(LogicalUnitTarget.decodeLun(LogicalUnitTarget.encodeLun(255))).isEqualTo(255);
    assertThat(LogicalUnitTarget.decodeLun(LogicalUnitTarget.encodeLun(1000))).isEqualTo(1000);
    assertThat(LogicalUnitTarget.encodeLun(1000) >>> 62).isEqualTo(1); // flat space addressing
    assertThat(LogicalUnitTarget.decodeLun(0x0001_0000_0000_0000L | 1)).isEqualTo(-1);
    assertThat(LogicalUnitTarget.decodeLun(0x8000_0000_0000_0000L)).isEqualTo(-1);
  }

  @Test
  void cdbLengthComesFromTheGroupCode() {
    assertThat(Cdb.lengthForOpcode(0x12)).isEqualTo(6);
    assertThat(Cdb.lengthForOpcode(0x5e)).isEqualTo(10);
    assertThat(Cdb.lengthForOpcode(0x88)).isEqualTo(16);
    assertThat(Cdb.lengthForOpcode(0xa0)).isEqualTo(12);
    assertThat(Cdb.lengthForOpcode(0x7f)).isZero();
  }
}
